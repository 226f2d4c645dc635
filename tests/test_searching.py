"""Searching internals: snippets analysed around the query words, the matched set of a faceted search."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from searchidx import Article, Index
from searchidx.facets import matching_docs
from searchidx.searching import _FORMATTER, _FRAGMENTER, _Snippets
from searchidx.storage import SafeFileIndex, SafeStorage, _SegmentFile, _View

FILLER = "Le conseil municipal a débattu du budget annuel pendant la séance du soir. " * 40
BODIES = [
    FILLER + "À Genève, M. Royer-Perreaut a rencontré les délégués de l'OTAN. " + FILLER,
    "Les États-Unis et la Russie négocient à Genève. " + FILLER + "Les cœurs de Genève battent. " + FILLER,
    FILLER + "Le cheval et les chevaux du sommet de Genève ; 1 000 délégués, O.N.U. " + FILLER,
]


@pytest.fixture()
def index(tmp_path: Path) -> Index:
    ix = Index.create(tmp_path / "ix", entities="none")
    ix.add([Article(id=f"a{i}", title=f"Article {i}", body=b) for i, b in enumerate(BODIES)])
    return ix


@pytest.mark.parametrize("q", ["geneve", "royer", "otan", "coeur", "chevaux", "etats unis", "russie negocier",
                               "onu", "1000 delegues", "budget geneve"])
def test_snippets_are_those_of_whoosh_highlighter(index: Index, q: str) -> None:
    searcher = index.searcher()
    parsed = index._parser.parse(q, searcher.reader())
    results = searcher.search(parsed.loose, limit=10)
    results.fragmenter, results.formatter = _FRAGMENTER, _FORMATTER
    snippets = _Snippets(results)
    assert results.scored_length() > 0
    for i in range(results.scored_length()):
        body = results[i]["body"]
        expected = results[i].highlights("body", text=body, top=2)
        assert "<em>" in expected
        assert snippets._highlight(body) == expected


def test_snippet_far_into_the_body_is_highlighted_accent_insensitively(index: Index) -> None:
    hit = index.search("geneve royer").hits[0]
    assert "À <em>Genève</em>, M. <em>Royer</em>-Perreaut" in hit.snippet


@pytest.mark.parametrize("q", ["geneve", "geneve -otan", "geneve OU russie", "budget geneve chevaux",
                               '"conseil municipal"', "gen*", "", "geneve SAUF (russie OU otan)"])
def test_matching_docs_is_docs_for_query_with_deletions(tmp_path: Path, q: str) -> None:
    ix = Index.create(tmp_path / "ix", entities="none")
    ix.add([Article(id=f"a{i}", title="t", body=b) for i, b in enumerate(BODIES)])
    ix.add([Article(id="a1", title="t", body="Genève remplacée"), Article(id="b", title="t", body=BODIES[0])])
    searcher = ix.searcher()
    assert not searcher.is_atomic() or searcher.reader().has_deletions()
    parsed = ix._parser.parse(q, searcher.reader())
    for query in (parsed.strict, parsed.loose):
        assert matching_docs(searcher, query) == set(searcher.docs_for_query(query))


def test_segment_view_reads_like_bytesio() -> None:
    data = b"abc\ndef\nghij" * 3
    view, ref = _View(memoryview(data)), io.BytesIO(data)
    for op in [("read", 2), ("readline",), ("tell",), ("seek", 5), ("read", -1), ("seek", -3, 2), ("read", 10),
               ("seek", 1, 1), ("read", 0), ("seek", 100), ("read", 1), ("tell",), ("seek", 0), ("readline", 2)]:
        assert getattr(view, op[0])(*op[1:]) == getattr(ref, op[0])(*op[1:]), op


def test_index_segments_are_views_of_the_map(tmp_path: Path) -> None:
    ix = Index.create(tmp_path / "ix", entities="none")
    ix.add([Article(id=f"a{i}", title="t", body=b) for i, b in enumerate(BODIES)])
    ix.close()
    opened: list[object] = []
    storage = SafeStorage(str(tmp_path / "ix"))
    original = storage.open_file
    storage.open_file = lambda name, **kw: opened.append(f := original(name, **kw)) or f  # type: ignore[method-assign]
    reader = SafeFileIndex(storage).reader()
    assert any(isinstance(f, _SegmentFile) for f in opened)
    assert reader.doc_count() == 3
    reader.close()
    assert Index.open(tmp_path / "ix").search("geneve").total == 3
