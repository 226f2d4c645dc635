"""The C decoder (`searchidx.engines.whoosh._postings`) gives exactly what the numpy code gives, and refuses
damaged lists with an error instead of reading past them."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.structfile import BufferFile, StructFile

from searchidx import Article, Index
from searchidx.engines.whoosh import codec, scoring
from searchidx.engines.whoosh.codec import CompactCodec, CompactLeafMatcher
from searchidx.engines.whoosh.schema import CompactPositions

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
native = codec.native
needs_native = pytest.mark.skipif(native is None, reason="the C decoder was not built (no C compiler)")
FMT = CompactPositions(field_boost=1.0)


def test_the_c_decoder_is_built_where_ci_runs() -> None:
    if os.environ.get("CI") != "true":
        pytest.skip("only CI requires the build (a user's machine may lack a C compiler)")
    assert native is not None


def _list(postings: list[tuple[int, float, list[int]]]) -> tuple[bytes, CompactLeafMatcher]:
    f = StructFile(io.BytesIO())
    writer = CompactCodec().postings_writer(f)
    writer.start_postings(FMT, W3TermInfo())
    for i, (docnum, weight, positions) in enumerate(postings):
        writer.add_posting(docnum, weight, FMT.encode(positions), 10 + i)
    offset, length = writer.finish_postings().extent()
    data = f.file.getvalue()
    return data[offset:offset + length], CompactLeafMatcher(BufferFile(data), offset, length, FMT)


@st.composite
def posting_lists(draw: Any) -> list[tuple[int, float, list[int]]]:
    """Lists of one posting to several blocks, small and big id gaps (nibbles, 1, 2, 4 bytes), constant,
    small, wide and fractional weights, positions with gaps past 127 (multi-byte varints)."""
    n = draw(st.integers(1, 700))
    gap = [st.integers(1, 15), st.integers(1, 300), st.integers(1, 100_000)][draw(st.integers(0, 2))]
    weight = [st.just(1.0), st.integers(1, 15).map(float), st.integers(1, 70_000).map(float),
              st.floats(0.125, 50, width=32)][draw(st.integers(0, 3))]
    out, doc = [], draw(st.integers(0, 1000))
    for _ in range(n):
        deltas = draw(st.lists(st.sampled_from([1, 2, 7, 200, 20_000]), min_size=1, max_size=4))
        out.append((doc, draw(weight), [int(p) for p in np.cumsum(deltas) - deltas[0]]))
        doc += draw(gap)
    return out


def _values(leaf: CompactLeafMatcher) -> dict[int, list[int]]:
    out = {}
    while leaf.is_active():
        out[leaf.id()] = FMT.decode_positions(leaf.value())
        leaf.next()
    return out


@needs_native
@settings(max_examples=60, deadline=None)
@given(posting_lists(), st.integers(0, 2**32 - 1))
def test_lists_decode_as_with_numpy(postings: list[tuple[int, float, list[int]]], seed: int) -> None:
    assert native is not None
    data, leaf = _list(postings)
    ids, weights = native.read(data)
    expected = codec.decode_postings(data)
    assert np.array_equal(np.frombuffer(ids, np.int64), expected[0])
    assert np.array_equal(np.frombuffer(weights, np.float64), expected[1])
    assert expected[0].tolist() == [p[0] for p in postings]
    every = _values(leaf)
    rng = np.random.default_rng(seed)
    docs = np.unique(rng.choice(expected[0], size=1 + len(expected[0]) // 3))
    owners, positions = (np.frombuffer(b, np.int64) for b in native.positions(data, docs))
    assert positions.tolist() == [p for d in docs.tolist() for p in every[d]]
    assert owners.tolist() == [i for i, d in enumerate(docs.tolist()) for _ in every[d]]


@needs_native
def test_damaged_lists_raise_value_error() -> None:
    assert native is not None
    data, _ = _list([(d, float(1 + d % 20), [d % 9, 300 + d]) for d in range(0, 9000, 17)])
    docs = np.arange(0, 9000, 17, dtype=np.int64)
    with pytest.raises(ValueError):
        native.read(b"W3Bl" + data[4:])
    for cut in (3, 10, len(data) // 2, len(data) - 1):
        with pytest.raises(ValueError):
            native.read(data[:cut])
        with pytest.raises(ValueError):
            native.positions(data[:cut], docs)
    rng = np.random.default_rng(7)
    for _ in range(300):  # flipped bytes: an error or some numbers, never a read past the list
        broken = bytearray(data)
        broken[int(rng.integers(4, len(data)))] ^= 1 << int(rng.integers(0, 8))
        with contextlib.suppress(ValueError):
            native.read(bytes(broken))
        with contextlib.suppress(ValueError):
            native.positions(bytes(broken), docs)
    with pytest.raises(ValueError, match="does not hold"):
        native.positions(data, np.array([1], dtype=np.int64))


@needs_native
@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 999), max_size=200, unique=True),
       st.lists(st.integers(0, 999), max_size=300, unique=True), st.sampled_from([1.0, 3.0]), st.integers(0, 2**32 - 1))
def test_article_scores_as_with_numpy(title: list[int], body: list[int], weight: float, seed: int) -> None:
    assert native is not None
    rng = np.random.default_rng(seed)
    t, b = np.array(sorted(title), dtype=np.int64), np.array(sorted(body), dtype=np.int64)
    ttf, btf = rng.integers(1, 9, len(t)).astype(np.float64), rng.integers(1, 30, len(b)).astype(np.float64)
    norm, live = rng.random(1000) * 2, rng.random(1000) > 0.1
    docs, scores = (np.frombuffer(x, dtype) for x, dtype in zip(
        native.article(t, ttf, b, btf, weight, -1.0, 1.2, norm, live), (np.int64, np.float64), strict=True))
    union = np.union1d(t, b)
    tf = np.zeros(1000)
    tf[t] = ttf * weight
    tf[b] += btf
    idf = np.log(1000 / (len(union) + 1)) + 1
    keep = union[live[union]]
    assert docs.tolist() == keep.tolist()
    assert np.allclose(scores, idf * tf[keep] * 2.2 / (tf[keep] + norm[keep]), rtol=1e-12)


@needs_native
@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=6, unique=True), min_size=1, max_size=5),
                min_size=1, max_size=4), st.integers(0, 3))
def test_phrases_match_as_with_numpy(words: list[list[list[int]]], slop: int) -> None:
    ndocs = min(len(w) for w in words)
    pairs = []
    for w in words:
        owner = [d for d in range(ndocs) for _ in w[d]]
        pos = [p for d in range(ndocs) for p in sorted(w[d])]
        pairs.append((np.array(owner, dtype=np.int64), np.array(pos, dtype=np.int64)))
    got = scoring._in_sequence(pairs, slop, ndocs)
    saved, codec.native = codec.native, None
    try:
        expected = scoring._in_sequence(pairs, slop, ndocs)
    finally:
        codec.native = saved
    assert got.tolist() == expected.tolist()


@needs_native
def test_searches_give_the_same_hits_and_scores_with_and_without_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    queries = ["Macron", "grève SNCF", "\"plan de relance\"", "Genève sécurité Poutine", "\"union européenne\" relance",
               "le président de la République a annoncé un plan", "sommet de l'OTAN à Bruxelles", "Lyon"]
    with Index.create(tmp_path / "ix", entities="none") as index:
        index.add([CORPUS])
        index.add([Article(id=f"extra-{i}", title="Plan de relance à Lyon", body="Le président de la République a "
                           f"annoncé un plan de relance au sommet de l'OTAN à Bruxelles, jour {i}.") for i in range(5)])
        assert len(index.backend._arrays().leaves) == 2  # two segments: document numbers offset in the second

    def results() -> list[Any]:
        with Index.open(tmp_path / "ix") as index:
            return [[(h.id, h.score, h.missing, h.versions) for h in index.search(q, limit=20).hits] for q in queries]

    with_c = results()
    monkeypatch.setattr(codec, "native", None)
    assert results() == with_c
    assert sum(1 for hits in with_c if hits) >= 6


@needs_native
@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 499), max_size=200, unique=True), min_size=1, max_size=8),
       st.lists(st.integers(0, 7), max_size=6), st.integers(0, 2**32 - 1))
def test_sums_count_and_add_as_with_numpy(lists: list[list[int]], counted_at: list[int], seed: int) -> None:
    """The clause counts and score sums of `ranking._rank_words`: a list both counted and scored (the same
    array, maybe counted twice) is read once in C; counts and sums equal numpy's, bit for bit."""
    rng = np.random.default_rng(seed)
    arrays = [np.array(sorted(x), dtype=np.int64) for x in lists]
    values = [rng.random(len(a)) * 10 for a in arrays]
    counted = [arrays[i % len(arrays)] for i in counted_at] + [np.array([3, 4], dtype=np.int64)]
    counts, scores = scoring.sums(500, counted, arrays, values)
    saved, codec.native = codec.native, None
    try:
        expected = scoring.sums(500, counted, arrays, values)
    finally:
        codec.native = saved
    assert counts.tolist() == expected[0].tolist() and counts.dtype == np.uint8
    assert scores.tobytes() == expected[1].tobytes()


@needs_native
def test_facet_counts_as_with_numpy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Index.create(tmp_path / "ix", entities="builtin") as index:
        index.add([CORPUS])
        table = index.backend._facets()
        rng = np.random.default_rng(5)
        masks = [rng.random(table.size) < p for p in (0.0, 0.2, 0.7, 1.0)]
        with_c = [table.count(name, m, limit=None) for name in ("person", "org", "place") for m in masks]
        monkeypatch.setattr(codec, "native", None)
        assert [table.count(name, m, limit=None) for name in ("person", "org", "place") for m in masks] == with_c
    assert sum(len(values) for values in with_c) > 20
