"""The compact posting codec reads back exactly what the stock W3 codec does, and searches score the same."""

from __future__ import annotations

import io
import shutil
import struct
import zlib
from array import array
from pathlib import Path
from typing import Any

import pytest
from whoosh import fields
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.filedb.filestore import RamStorage
from whoosh.filedb.structfile import BufferFile, StructFile

from searchidx import Index
from searchidx.engines.whoosh import codec
from searchidx.engines.whoosh.codec import CompactCodec, CompactLeafMatcher
from searchidx.engines.whoosh.schema import CompactPositions
from searchidx.engines.whoosh.storage import open_dir, read_valid_toc

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
QUERIES = [
    "Macron", "grève SNCF", "football", "\"plan de relance\"", "tempête Bretagne", "Genève sécurité Poutine",
    "\"union européenne\" relance", "title:festival", "exoplanète OR CNRS", "climat -énergie", "Lyon",
    "\"aides publiques\"",
]


def _all(m: Any) -> list[tuple[int, float, Any]]:
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value()))
        m.next()
    return out


def _build(codec_: Any, docs: list[dict[str, Any]], schema: fields.Schema) -> Any:
    ix = RamStorage().create_index(schema)
    with ix.writer(codec=codec_) as w:
        for doc in docs:
            w.add_document(**doc)
    return ix


def _read(ix: Any) -> dict[tuple[str, bytes], list[tuple[int, float, Any]]]:
    with ix.reader() as r:
        return {(f, t): _all(r.postings(f, t)) for f, t in r.all_terms()}


def test_postings_read_back_as_with_the_stock_codec() -> None:
    """Every kind of block: one posting, several blocks (>128), whole and fractional weights, big term
    frequencies (2-byte weights), big id gaps, positions, no values (ids only), fixed-size values."""
    text = fields.TEXT(phrase=True)
    text.format = CompactPositions(field_boost=1.0)
    schema = fields.Schema(
        body=text,
        boosted=fields.TEXT(phrase=False, field_boost=1.7),
        kw=fields.KEYWORD(scorable=False),
        ident=fields.ID(),
        num=fields.NUMERIC(),
    )
    docs = []
    for i in range(700):
        words = ["commun"] * (1 + i % 5) + [f"rare{i}"] + (["souvent"] * 300 if i == 5 else [])
        if i % 97 == 0:
            words.append("espacé")
        docs.append({"body": " ".join(words), "boosted": "un deux " * (i % 3 + 1) + f"x{i % 11}",
                     "kw": f"k{i % 4} k{i % 9}", "ident": f"id{i}", "num": i * 1000})
    stock, compact = _build(W3Codec(), docs, schema), _build(CompactCodec(), docs, schema)
    expected, got = _read(stock), _read(compact)
    assert got == expected
    assert len(expected[("body", b"commun")]) == 700
    assert expected[("body", b"souvent")][0][1] == 300.0
    assert len(expected[("body", "espacé".encode())]) == 8
    with compact.reader() as r:  # read at once, the ids and weights are the matcher's
        for (f, t), postings in got.items():
            leaf = r.postings(f, t)
            if isinstance(leaf, CompactLeafMatcher):
                ids, ws = codec.read_postings(leaf)
                assert (ids.tolist(), ws.tolist()) == ([p[0] for p in postings], [p[1] for p in postings])


@pytest.mark.parametrize("weights", ["ones", "whole", "big", "fractional"])
def test_wide_ids_weights_and_values_round_trip(weights: str) -> None:
    """Widths the news corpus rarely needs: id gaps over 65,535, weights over 255 or 65,535, values of
    300+ bytes (two-byte lengths), a last block of one posting."""
    ids = [0, 1, 300, 70_000, 5_000_000, 5_000_001] + list(range(6_000_000, 6_000_000 + 251))
    ws = {"ones": [1.0] * len(ids), "whole": [float(1 + i % 7) for i in range(len(ids))],
          "big": [float(70_000 + i) for i in range(len(ids))], "fractional": [0.25 + i / 3 for i in range(len(ids))]}
    fmt = CompactPositions(field_boost=1.0)
    values = [fmt.encode(list(range(0, 300 * (1 + i % 200), 300))) for i in range(len(ids))]
    f = StructFile(io.BytesIO())
    writer = CompactCodec().postings_writer(f)
    writer.start_postings(fmt, W3TermInfo())
    for i, (docnum, weight, value) in enumerate(zip(ids, ws[weights], values, strict=True)):
        writer.add_posting(docnum, weight, value, 10 + i)
    info = writer.finish_postings()
    offset, length = info.extent()
    m = CompactLeafMatcher(BufferFile(f.file.getvalue()), offset, length, fmt)
    got = []
    while m.is_active():
        got.append((m.id(), m.weight(), m.value()))
        m.next()
    assert [g[0] for g in got] == ids
    assert [g[1] for g in got] == list(array("f", ws[weights]))
    assert [g[2] for g in got] == values
    assert max(len(v) for v in values) > 255
    at_once = codec.read_postings(CompactLeafMatcher(BufferFile(f.file.getvalue()), offset, length, fmt))
    assert (at_once[0].tolist(), at_once[1].tolist()) == ([g[0] for g in got], [g[1] for g in got])
    assert info.doc_frequency() == len(ids)


def _compressed_heads(buf: bytes) -> bytes:
    """A posting list with its blocks' ids and weights zlib-compressed (unless nibbles), as earlier versions wrote."""
    out, pos = [buf[:4]], 4
    while True:
        length, count = struct.unpack_from("<iB", buf, pos)
        layout = struct.unpack_from("<H", buf, pos + 19)[0]
        end = pos + 4 + abs(length)
        code, kind = layout & 3, (layout >> 5) & 7
        ids = count // 2 if code == 3 else (count - 1) << code
        weights = 0 if kind == 0 else (count + 1) // 2 if kind == 5 else count << (2 if kind == 4 else kind - 1)
        data = buf[pos + 21:end]
        head = zlib.compress(data[:ids + weights], 3)
        if code != 3 and len(head) < ids + weights:
            data, layout = head + data[ids + weights:], layout | 0x100
        size = 17 + len(data)
        out.append(struct.pack("<i", -size if length < 0 else size) + buf[pos + 4:pos + 19] + struct.pack("<H", layout)
                   + data)
        if length < 0:
            return b"".join(out)
        pos = end


def test_blocks_with_compressed_ids_and_weights_still_read() -> None:
    """Indexes written before ids and weights were stored plain read the same, block by block, at once with
    numpy and in C."""
    ids = [20 * i + (i % 3) * 5 for i in range(700)]  # gaps of 10 to 25: one byte each
    weights = [float(1 + (i * 7) % 23) for i in range(700)]
    fmt = CompactPositions(field_boost=1.0)
    values = [fmt.encode([i % 5, 9 + i % 11]) for i in range(700)]
    f = StructFile(io.BytesIO())
    writer = CompactCodec().postings_writer(f)
    writer.start_postings(fmt, W3TermInfo())
    for docnum, weight, value in zip(ids, weights, values, strict=True):
        writer.add_posting(docnum, weight, value, 10)
    offset, length = writer.finish_postings().extent()
    plain = f.file.getvalue()[offset:offset + length]
    old = _compressed_heads(plain)
    assert old != plain
    m = CompactLeafMatcher(BufferFile(old), 0, len(old), fmt)
    assert _all(m) == list(zip(ids, weights, values, strict=True))
    decoded = codec.decode_postings(old)
    assert (decoded[0].tolist(), decoded[1].tolist()) == (ids, weights)
    if codec.native is not None:
        got = codec.native.read(old)
        assert (array("q", got[0]).tolist(), array("d", got[1]).tolist()) == (ids, weights)


@pytest.mark.parametrize("count", [0, 3, 200])
def test_stored_fields_read_back_as_with_the_stock_codec(count: int) -> None:
    """Segments smaller and larger than the dictionary sample; documents with nothing stored read as {}."""
    schema = fields.Schema(title=fields.TEXT(stored=True), extra=fields.STORED(), tag=fields.ID())
    docs: list[dict[str, Any]] = []
    for i in range(count):
        if i % 17 == 5:
            docs.append({"tag": "rien"})
        else:
            docs.append({"title": f"Grève à Saint-Étienne n°{i} " + "lorem " * (i % 50),
                         "extra": {"source": "AFP", "entities": {"place": ["Genève"] * (i % 3)}, "n": i}})
    stock, compact = _build(W3Codec(), docs, schema), _build(CompactCodec(), docs, schema)
    with stock.reader() as a, compact.reader() as b:
        expected = [a.stored_fields(i) for i in range(count)]
        assert [b.stored_fields(i) for i in range(count)] == expected
        assert list(b.all_stored_fields()) == list(a.all_stored_fields())
    if count > 5:
        assert expected[5] == {}
        assert expected[6]["extra"]["n"] == 6


def test_a_stock_segment_merged_by_the_compact_writer_keeps_its_postings_and_stored_fields() -> None:
    schema = fields.Schema(body=fields.TEXT(stored=True, phrase=True), tag=fields.KEYWORD(stored=True))
    docs = [{"body": f"le train {i} part de Lyon " * (1 + i % 4), "tag": f"t{i % 5}"} for i in range(300)]
    ix = _build(W3Codec(), docs, schema)
    expected = _read(ix)
    with ix.reader() as r:
        stored = list(r.all_stored_fields())
    writer = ix.writer(codec=CompactCodec())
    writer.commit(optimize=True)
    assert [type(s.codec()) for s in ix._segments()] == [CompactCodec]
    assert _read(ix) == expected
    with ix.reader() as r:
        assert list(r.all_stored_fields()) == stored


def test_blocks_expose_contiguous_arrays() -> None:
    """`_ids` (absolute document numbers) and `_weights` are arrays, readable through the buffer protocol."""
    schema = fields.Schema(body=fields.TEXT())
    docs = [{"body": "mot " * (1 + i % 3) + ("impair" if i % 2 else "pair")} for i in range(600)]
    ix = _build(CompactCodec(), docs, schema)
    with ix.reader() as r:
        m = r.postings("body", b"mot")
        assert isinstance(m, CompactLeafMatcher)
        m._read_ids()
        m._read_weights()
        assert isinstance(m._ids, array) and m._ids.typecode == "I"
        assert isinstance(m._weights, array) and m._weights.typecode == "f"
        assert list(m._ids) == list(range(codec.BLOCK_POSTINGS))
        assert list(m._weights) == [1.0 + i % 3 for i in range(codec.BLOCK_POSTINGS)]
        m._next_block()
        m._read_ids()
        assert list(m._ids) == list(range(codec.BLOCK_POSTINGS, 2 * codec.BLOCK_POSTINGS))
        b = r.postings("body", b"impair")
        b._read_ids()
        assert list(b._ids[:3]) == [1, 3, 5]
        assert memoryview(b._ids).itemsize == 4


def test_blocklimit_fits_the_count_byte() -> None:
    with pytest.raises(ValueError):
        CompactCodec(blocklimit=256)


def _index(path: Path, monkeypatch: pytest.MonkeyPatch, factory: Any, source: Path = CORPUS) -> Index:
    monkeypatch.setattr(codec, "default_codec", factory)
    index = Index.create(path, entities="none")
    index.add([source])
    return index


def _results(index: Index) -> list[list[tuple[str, float]]]:
    return [[(h.id, round(h.score, 9)) for h in index.search(q, limit=50).hits] for q in QUERIES]


def test_search_results_and_scores_match_the_stock_codec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with _index(tmp_path / "stock", monkeypatch, W3Codec) as stock:
        expected = _results(stock)
    with _index(tmp_path / "compact", monkeypatch, CompactCodec) as compact:
        got = _results(compact)
    assert got == expected
    assert sum(1 for hits in expected if hits) >= 10
    assert any(len(hits) > 1 for hits in expected)
    for name, codec_type in (("stock", W3Codec), ("compact", CompactCodec)):
        toc = read_valid_toc(open_dir(tmp_path / name).storage)
        assert [type(s.codec()) for s in toc.segments] == [codec_type]


def test_an_index_written_by_the_stock_codec_still_opens_and_takes_new_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted(f for f in CORPUS.iterdir() if f.is_file())
    part = tmp_path / "part"
    part.mkdir()
    for f in files[: len(files) // 2]:
        shutil.copy(f, part / f.name)
    monkeypatch.setattr(codec, "default_codec", W3Codec)
    with Index.create(tmp_path / "ix", entities="none") as index:
        index.add([part])
        before = _results(index)
    monkeypatch.undo()
    with Index.open(tmp_path / "ix") as index:
        assert _results(index) == before
    for f in files[len(files) // 2:]:
        shutil.copy(f, part / f.name)
    with Index.open(tmp_path / "ix") as index:
        index.add([part])
        mixed = _results(index)
    codecs = {type(s.codec()) for s in read_valid_toc(open_dir(tmp_path / "ix").storage).segments}
    assert codecs == {W3Codec, CompactCodec}
    with _index(tmp_path / "whole", monkeypatch, CompactCodec, part) as whole:
        assert _results(whole) == mixed


@pytest.mark.parametrize("old", ["searchidx.schema\nFrenchText", "searchidx.schema\nCompactPositions",
                                 "searchidx.schema\nFacetKeyAnalyzer", "searchidx.codec\nCompactCodec",
                                 "searchidx.analysis\nanalyzer"])
def test_tocs_written_before_the_engine_moved_still_read(old: str) -> None:
    """Indexes name these in their TOC pickles under the modules of the former flat layout."""
    import io

    from searchidx.engines.whoosh.storage import _Unpickler

    module, name = old.split("\n")
    found = _Unpickler(io.BytesIO(b"\x80\x02c" + old.encode() + b"\n.")).load()
    assert found.__name__ == name and found.__module__.startswith("searchidx.engines.whoosh.")
    assert module not in found.__module__
