"""The analyzer's chunks in C (`searchidx._chunks`, the indexing path) are exactly those of its regular
expression (`analysis._CHUNK_FIND`, the fallback and the query path), on real articles and generated text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchidx import analysis
from searchidx.corpus import iter_articles

try:
    from searchidx import _chunks
except ImportError:  # pragma: no cover
    _chunks = None  # type: ignore[assignment]

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
needs_native = pytest.mark.skipif(_chunks is None, reason="the C chunker was not built (no C compiler)")
#: acronyms after elided articles in any case ("ſ", "ı", "İ" and the Kelvin sign match a letter when `re`
#: ignores case), acronyms running into a word, grouped and decimal numbers backing off to a shorter match,
#: letters that are not decimal digits ("²", "½"), other scripts' digits, combining accents, underscores
ODD = [
    "l'O.N.U. L’U.E. d'E.D.F. qu'U.E. PUISQU'A.B ſ'A.B ı'A.B İ'A.B \u212a'A.B U.S.Army U.S.A. A.B.C.d",
    "1 000 000,5 12 345 6789 1234 567 839.000 8,5 1.2.3a 1,2, 1\u00a0000 1\u202f000,50x 1 000 00",
    "x_y _a.b a.b_ é.t.é ²3 ½ ١٢٣ ٣.٤ 3.٤ e\u0301.t.e\u0301 l\u2019\u00e9t\u00e9",
    "c'est-à-dire aujourd'hui États-Unis a--b a-'b presqu\u02bcîle", "",
]
ALPHABET = list("aAlLdDqQuUsSintcjm0123456789._,'’ʼ‘＇-‐‑ \u00a0\u202f\u0301xé²½١\u0130\u0131\u017f\u212a")


def test_the_c_chunker_is_built_where_ci_runs() -> None:
    if os.environ.get("CI") != "true":
        pytest.skip("only CI requires the build (a user's machine may lack a C compiler)")
    assert _chunks is not None


@needs_native
@pytest.mark.parametrize("text", ODD)
def test_odd_texts_give_the_same_chunks(text: str) -> None:
    assert _chunks.findall(text) == analysis._CHUNK_FIND.findall(text)


@needs_native
def test_the_bundled_articles_give_the_same_chunks() -> None:
    articles = list(iter_articles([CORPUS]))
    assert articles
    for article in articles:
        for text in (article.title, article.body):
            assert _chunks.findall(text) == analysis._CHUNK_FIND.findall(text), article.id


@needs_native
@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=40))
def test_generated_texts_give_the_same_chunks(text: str) -> None:
    assert _chunks.findall(text) == analysis._CHUNK_FIND.findall(text)


def test_indexing_and_queries_read_the_same_chunks() -> None:
    text = "L'O.N.U. a réuni 1 000 délégués à Genève, aujourd'hui : 8,5 % d'entre eux"
    assert [c for c, _ in analysis.chunks(text)] == [c for c, _ in analysis.chunks(text, chars=True)]
    assert "onu" in analysis.analyze(text)


@needs_native
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=40), st.data())
def test_lookup_replaces_the_cached_chunks(text: str, data: st.DataObject) -> None:
    chunks = _chunks.findall(text)
    cached = data.draw(st.sets(st.sampled_from(chunks))) if chunks else set()
    cache = {c: ("plan of", c) for c in cached}
    out, missing = _chunks.lookup(text, cache)
    assert out == [cache.get(c, c) for c in chunks]
    assert missing == [i for i, c in enumerate(chunks) if c not in cache]


@needs_native
def test_indexed_plans_are_the_same_with_and_without_the_c_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [t for a in iter_articles([CORPUS]) for t in (a.title, a.body)] + ODD
    analysis._indexed_cache.clear()
    with_c = [analysis.indexed_plans(t) for t in texts]  # first with an empty cache, then with it filled
    assert [analysis.indexed_plans(t) for t in texts] == with_c
    monkeypatch.setattr(analysis, "_lookup", None)
    analysis._indexed_cache.clear()
    assert [analysis.indexed_plans(t) for t in texts] == with_c
    assert [analysis.indexed_plans(t) for t in texts] == with_c
