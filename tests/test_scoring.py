"""The numpy evaluation gives Whoosh's own matches and scores, query shape by query shape."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import query

from searchidx import Article, Index
from searchidx.analysis import analyze
from searchidx.engines.whoosh import codec, ranking
from searchidx.engines.whoosh.schema import CompactPositions
from searchidx.engines.whoosh.scoring import Collection, _common, _merged, union
from searchidx.engines.whoosh.segments import leaf_postings, varint_positions

QUERIES = [
    "otan", "sommet otan geneve", "Stoltenberg Poutine", "geneve -otan", "geneve OU russie", '"union europeenne"',
    "gouv*", "macron~", "president ET (russie OU chine)", "+russie sommet", "SAUF otan", "titre:sommet geneve",
    "personne:biden", "lieu:geneve otan", "date:2021", "date:>2020-06 sommet", "annee:2021", "", "zzzyx",
    "États-Unis Chine", '"président de la république"', "Saint-Marc", "\"sommet de l'OTAN\"",
    "le la les", "l'OTAN a réuni à Genève les 30 chefs d'État et de gouvernement, dont Joe Biden",
]


def whoosh_scores(index: Index, q: query.Query) -> dict[int, float]:
    """Every match of ``q`` with its score, as Whoosh's own search gives them."""
    results = index.backend.searcher().search(q, limit=None)
    return {hit.docnum: hit.score for hit in results}


def assert_same(index: Index, q: query.Query) -> None:
    expected = whoosh_scores(index, q)
    got = Collection(index.backend.searcher()).evaluate(q)
    assert set(np.flatnonzero(got.mask).tolist()) == set(expected), q
    for docnum, score in expected.items():
        assert got.scores[docnum] == pytest.approx(score, rel=1e-9, abs=1e-12), (q, docnum)


@pytest.mark.parametrize("text", QUERIES)
def test_matches_and_scores_are_whooshs(corpus_index: Index, text: str) -> None:
    parsed = corpus_index.backend.compile(text)
    assert_same(corpus_index, parsed.strict)
    assert_same(corpus_index, parsed.loose)


def test_some_queries_match(corpus_index: Index) -> None:
    """The comparison above is not vacuous: the bundled corpus answers most of its queries."""
    collection = Collection(corpus_index.backend.searcher())
    parsed = [corpus_index.backend.compile(t) for t in QUERIES]
    assert sum(bool(collection.evaluate(p.loose).mask.any()) for p in parsed) >= len(QUERIES) - 3


@pytest.mark.parametrize("text", ["geneve", "geneve -otan", "budget geneve chevaux", '"conseil municipal"',
                                  '"chevaux de geneve"', "gen*", "geneve SAUF (russie OU otan)", ""])
def test_several_segments_with_deletions(tmp_path: Path, text: str) -> None:
    filler = "Le conseil municipal a débattu du budget annuel pendant la séance du soir. " * 5
    bodies = [filler + "À Genève, l'OTAN. ", "La Russie négocie à Genève. " + filler, filler + "Chevaux de Genève."]
    index = Index.create(tmp_path / "ix", entities="none")
    index.add([Article(id=f"a{i}", title="t", body=b) for i, b in enumerate(bodies)])
    index.add([Article(id="a1", title="t", body="Genève remplacée"), Article(id="b", title="t", body=bodies[0])])
    searcher = index.backend.searcher()
    assert not searcher.is_atomic() or searcher.reader().has_deletions()
    parsed = index.backend.compile(text)
    assert_same(index, parsed.strict)
    assert_same(index, parsed.loose)


def test_postings_are_cached_only_when_long(corpus_index: Index) -> None:
    collection = Collection(corpus_index.backend.searcher())
    ids, weights = collection.postings("body", "otan")
    assert len(ids) == len(weights) > 0
    assert np.all(np.diff(ids) > 0)
    assert not collection._cache  # a short list is decoded again each time, not kept


def article_bm25(index: Index, stems: list[str], title_weight: float, idf_power: float = 1.0) -> dict[int, float]:
    """Every document's summed BM25 of ``stems`` over title + body as one text (the idf raised to
    ``idf_power``), computed document by document through Whoosh's reader (the reference for
    `Collection.article_term`)."""
    searcher = index.backend.searcher()
    reader = searcher.reader()
    n = reader.doc_count_all()
    average = searcher.avg_field_length("title") + searcher.avg_field_length("body")
    out: dict[int, float] = {}
    for stem in stems:
        tf: dict[int, float] = {}
        for field, weight in (("title", title_weight), ("body", 1.0)):
            if (field, stem) in reader:
                m = reader.postings(field, stem)
                while m.is_active():
                    tf[m.id()] = tf.get(m.id(), 0.0) + weight * m.weight()
                    m.next()
        idf = (math.log(n / (len(tf) + 1)) + 1) ** idf_power
        for doc, f in tf.items():
            length = reader.doc_field_length(doc, "title", 0) + reader.doc_field_length(doc, "body", 0)
            out[doc] = out.get(doc, 0.0) + idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * length / average))
    return out


@pytest.mark.parametrize("native", [True, False], ids=["c", "numpy"])
@pytest.mark.parametrize("idf_power", [1.0, 1.5])
@pytest.mark.parametrize("text", ["otan", "sommet genève", "président russie chine", "gouvernement otan"])
def test_article_bm25_scores(corpus_index: Index, text: str, idf_power: float, native: bool,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    if native and codec.native is None:
        pytest.skip("the C module was not built")
    if not native:
        monkeypatch.setattr(codec, "native", None)
    collection = Collection(corpus_index.backend.searcher())
    stems = analyze(text, mode="query")
    expected = article_bm25(corpus_index, stems, 2.0, idf_power)
    assert expected
    got = np.zeros(collection.size)
    for stem in stems:
        ids, scores = collection.article_term(("title", "body"), stem, 2.0, idf_power)
        got[ids] += scores
    assert set(np.flatnonzero(got).tolist()) == set(expected)
    for doc, score in expected.items():
        assert got[doc] == pytest.approx(score, rel=1e-9)


@pytest.mark.parametrize("text", ["otan", "sommet geneve", "president russie chine", "", "gouv*"])
@pytest.mark.parametrize("sort", ["relevance", "date", "-date"])
def test_pages_are_whooshs(corpus_index: Index, text: str, sort: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the ranking's rewards off, the ranked page has Whoosh's matches for the any-word query, ranked by
    the words' article-level BM25 (other leaves, ``gouv*``, by Whoosh's score), or by date."""
    monkeypatch.setattr(ranking, "RANKING", ranking.Ranking(exact=0, pairs=0, coord=0, coverage=0))
    searcher = corpus_index.backend.searcher()
    parsed = corpus_index.backend.compile(text)
    q = parsed.loose
    if sort == "relevance":
        stems = [s for t in parsed.texts for s in analyze(t, mode="query")]
        scores = article_bm25(corpus_index, stems, ranking.RANKING.title) if stems else whoosh_scores(corpus_index, q)
        assert set(scores) == set(whoosh_scores(corpus_index, q))
        top = sorted(scores, key=lambda d: (-round(scores[d], 9), d))[:5]
        expected = [searcher.stored_fields(d)["id"] for d in top]
    else:  # dates tie: compare the dates in order, not ids
        expected = [h["date"] for h in searcher.search(q, limit=5, sortedby="date", reverse=sort == "-date")]
    got = corpus_index.search(text, limit=5, sort=sort, suggest=False, all_versions=True).hits
    assert expected
    assert [h.id if sort == "relevance" else h.date or "" for h in got] == expected


def test_postings_without_blocks_are_walked() -> None:
    """A posting list Whoosh keeps inline (no blocks) is read through its matcher."""
    from whoosh.matching import ListMatcher


    class Reader:
        def postings(self, field: str, text: bytes) -> ListMatcher:
            return ListMatcher([1, 5], [2.0, 1.0])

    ids, weights = leaf_postings(Reader(), "body", b"x")
    assert ids.tolist() == [1, 5] and weights.tolist() == [2.0, 1.0]


@given(st.lists(st.lists(st.integers(0, 3_000_000), max_size=40).map(sorted), max_size=30))
def test_positions_decode_all_at_once_as_one_by_one(lists: list[list[int]]) -> None:
    """`varint_positions` reads a batch of `CompactPositions` values (numbers of one to five bytes) as the
    format's own decoder reads each."""
    fmt = CompactPositions()
    values = [fmt.encode(p) for p in lists]
    owner, positions = varint_positions(values)
    assert owner.tolist() == [i for i, p in enumerate(lists) for _ in p]
    assert positions.tolist() == [x for v in values for x in fmt.decode_positions(v)]


@given(st.sets(st.integers(0, 500)), st.sets(st.integers(0, 500)))
def test_two_posting_lists_merge_into_their_union(a: set[int], b: set[int]) -> None:
    first, second = np.array(sorted(a), dtype=np.int64), np.array(sorted(b), dtype=np.int64)
    docs, in_first, in_second = _merged(first, second)
    assert docs.tolist() == sorted(a | b)
    assert docs[in_first].tolist() == first.tolist() and docs[in_second].tolist() == second.tolist()
    assert union(first, second).tolist() == union(second, first).tolist() == sorted(a | b)
    assert _common(first, second).tolist() == _common(second, first).tolist() == sorted(a & b)


def test_zeroed_arrays_are_reused_only_when_nothing_holds_them(corpus_index: Index) -> None:
    """`Collection.zeros`: the memory of the last array of a type when it is free (zeroed again), a new array
    while a caller still holds the last one; searches that follow one another give the same results."""
    collection = Collection(corpus_index.backend.searcher())
    first = collection.zeros(np.float64)
    assert first.shape == (collection.size,) and not first.any()
    first[:5] = 7.0
    held = collection.zeros(np.float64)  # ``first`` is still held here
    assert held is not first and not held.any()
    assert collection.zeros(np.uint8).dtype == np.uint8
    first_id = id(held)
    del first, held
    again = collection.zeros(np.float64)
    assert id(again) == first_id and not again.any()
    texts = ["otan", "sommet genève", "président de la république"]
    before = [[h.id for h in corpus_index.search(t).hits] for t in texts]
    assert [[h.id for h in corpus_index.search(t).hits] for t in texts] == before
