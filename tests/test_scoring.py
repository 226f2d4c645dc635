"""The numpy evaluation gives Whoosh's own matches and scores, query shape by query shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import query

from searchidx import Article, Index
from searchidx.engines.whoosh import ranking
from searchidx.engines.whoosh.scoring import Collection

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


@pytest.mark.parametrize("text", ["otan", "sommet geneve", "president russie chine", "", "gouv*"])
@pytest.mark.parametrize("sort", ["relevance", "date", "-date"])
def test_pages_are_whooshs(corpus_index: Index, text: str, sort: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the ranking's rewards off, the ranked page equals Whoosh's for the any-word query: by score (ties
    by document number), or by date."""
    monkeypatch.setattr(ranking, "RANKING", ranking.Ranking(exact=0, pairs=0, coord=0, coverage=0))
    searcher = corpus_index.backend.searcher()
    q = corpus_index.backend.compile(text).loose
    if sort == "relevance":
        expected = [searcher.stored_fields(h.docnum)["id"] for h in searcher.search(q, limit=5)]
    else:  # dates tie: compare the dates in order, not ids
        expected = [h["date"] for h in searcher.search(q, limit=5, sortedby="date", reverse=sort == "-date")]
    got = corpus_index.search(text, limit=5, sort=sort, suggest=False, all_versions=True).hits
    assert expected
    assert [h.id if sort == "relevance" else h.date or "" for h in got] == expected


def test_postings_without_blocks_are_walked() -> None:
    """A posting list Whoosh keeps inline (no blocks) is read through its matcher."""
    from whoosh.matching import ListMatcher

    from searchidx.engines.whoosh.scoring import _leaf_postings

    class Reader:
        def postings(self, field: str, text: bytes) -> ListMatcher:
            return ListMatcher([1, 5], [2.0, 1.0])

    ids, weights = _leaf_postings(Reader(), "body", b"x")
    assert ids.tolist() == [1, 5] and weights.tolist() == [2.0, 1.0]
