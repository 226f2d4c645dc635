"""Searching internals: snippets analysed around the query words, segment views."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchidx import Article, Index
from searchidx.engines.whoosh.searching import SNIPPET_CHARS, SURROUND, _Snippets
from searchidx.engines.whoosh.storage import SafeFileIndex, SafeStorage, _SegmentFile, _View

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
def test_snippets_mark_every_query_word_they_show(index: Index, q: str) -> None:
    """Each marked span is a query word (by the analyzer), each fragment is body text, at most two."""
    searcher = index.backend.searcher()
    parsed = index.backend.compile(q)
    snippets = _Snippets(searcher, parsed.loose)
    analyzer = searcher.schema["body"].analyzer
    words = {t.text for t in analyzer(q)}
    flat = " ".join(" ".join(BODIES).split())
    for body in BODIES:
        found = snippets.matches(body)
        assert all({t.text for t in analyzer(body[a:b], mode="index")} & words for a, b, _ in found)
        if not found:
            continue
        text = snippets(body)
        fragments = text.split(" … ")
        assert 1 <= len(fragments) <= 2
        for fragment in fragments:
            assert "<em>" in fragment
            assert len(fragment.replace("<em>", "").replace("</em>", "")) <= SNIPPET_CHARS + SURROUND
            assert fragment.replace("<em>", "").replace("</em>", "") in flat
    assert any(snippets.matches(b) for b in BODIES)


def test_snippet_prefers_the_fragment_with_more_distinct_words(index: Index) -> None:
    body = "Genève. " + FILLER + "Genève. " + FILLER + "À Genève, M. Royer a vu l'OTAN. " + FILLER
    parsed = index.backend.compile("geneve royer otan")
    text = _Snippets(index.backend.searcher(), parsed.loose)(body)
    assert "À <em>Genève</em>, M. <em>Royer</em> a vu l'<em>OTAN</em>" in text
    assert text.startswith("<em>Genève</em>. Le conseil")  # ties: the earlier fragment
    assert text.count("<em>Genève</em>") == 2


def test_snippet_far_into_the_body_is_highlighted_accent_insensitively(index: Index) -> None:
    hit = index.search("geneve royer").hits[0]
    assert "À <em>Genève</em>, M. <em>Royer</em>-Perreaut" in hit.snippet


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


@pytest.mark.parametrize(("text", "marked"), [
    ("covid-19", ["Covid", "19"]), ("1000", ["1 000"]), ("839000 euros", ["839.000", "euros"]), ("8,5", ["8,5"]),
    ("2020", ["2020"]), ("ONU", ["O.N.U."]), ("km/h", ["km", "h"]),
])
def test_snippets_mark_numbers_and_compounds_found_piece_by_piece(text: str, marked: list[str]) -> None:
    """Numbers are found like words (the body is not analysed as a whole for them): grouped digits, decimal
    commas, compounds with digits."""
    index = Index.create(None, entities="none")
    index.add([Article(id="a", title="Bilan", body="Le Covid-19 a fait 1 000 morts, soit 839.000 euros et 8,5 "
                                                  "millions en 2020 selon l'O.N.U. à 90 km/h.")])
    snippet = index.search(text).hits[0].snippet
    assert re.findall(r"<em>(.*?)</em>", snippet) == marked


@pytest.mark.parametrize("k", [1, 10, 1024, 5000])
@pytest.mark.parametrize("share", [0.0005, 0.01, 0.6])
def test_the_first_documents_are_those_of_a_full_sort_on_a_large_index(k: int, share: float) -> None:
    """`_top` sorts only the documents above a bar taken from a sample (on an index of more than twice
    `SAMPLE` documents): the same first documents as sorting every match, ties by document number."""
    import numpy as np

    from searchidx.engines.whoosh import searching

    rng = np.random.default_rng(int(k / share))
    size = 3 * searching.SAMPLE + 17
    scores = np.round(rng.gamma(2.0, 3.0, size), 1)  # many ties
    visible = rng.random(size) < share
    docs = np.flatnonzero(visible)
    expected = docs[np.lexsort((docs, -scores[docs]))][:k].tolist()
    if share > 0.5:  # a bar was found: only the documents above it were sorted
        assert searching._bar(scores, visible, k) > -np.inf
    assert searching._top(None, scores, visible, k, "relevance") == expected  # type: ignore[arg-type]


def test_folding_keeps_offsets_and_folds_accents_and_connectors() -> None:
    """`_folded`: one character for one (the snippet's offsets hold in the body), accented Latin letters
    folded (and lowercased) as the analyzer folds them, connectors made "'", other characters (outside the Basic
    Multilingual Plane, lone surrogates) unchanged."""
    from searchidx.analysis import fold
    from searchidx.engines.whoosh.searching import _folded

    text = "L’État-providence, ÇA œuvre à Genève… 1.000 € \U0001F600 \udcff Ÿ"
    folded = _folded(text)
    assert len(folded) == len(text)
    assert folded == "L'etat'providence, cA œuvre a Geneve… 1'000 € \U0001F600 \udcff y"
    for code in range(0xC0, 0x250):  # each accented Latin letter as the analyzer folds it, when one letter
        expected = fold(chr(code))
        assert _folded(chr(code)) == (expected if len(expected) == 1 and expected.isalnum() else chr(code))
    assert _folded("") == ""


@given(st.text(alphabet="abcdeéi_'- 19\u00a0", max_size=60),
       st.frozensets(st.text(alphabet="abcdei19", min_size=1, max_size=5), min_size=1, max_size=20))
@settings(max_examples=400, deadline=None)
def test_word_starts_are_those_of_a_lookbehind(text: str, words: frozenset[str]) -> None:
    """`_word_matches` gives the matches of ``finditer`` behind ``(?<![^\\W_])`` (a word begins there), with
    few prefixes (searched without it) and many (with it)."""
    from searchidx.engines.whoosh.searching import _BEGINS, CHAR_LIMIT, _word_matches, _word_starts

    pattern = _word_starts(words)
    plain = pattern.pattern.removeprefix(_BEGINS)
    reference = re.compile(f"{_BEGINS}(?:{plain})")
    expected = [(m.start(), m.end()) for m in reference.finditer(text, 0, CHAR_LIMIT)]
    assert [(m.start(), m.end()) for m in _word_matches(pattern, text)] == expected
