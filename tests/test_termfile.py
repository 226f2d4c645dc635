"""The C term writer (`searchidx.engines.whoosh._encode`, used by `termfile`) writes the bytes the Python
path writes: posting blocks, term infos, the term index's records, MD5 hashes and hash tables."""

from __future__ import annotations

import io
import os
import random
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
from whoosh.filedb.structfile import StructFile
from whoosh.util.numeric import byte_to_length

from searchidx import Article, Index, corpus
from searchidx.engines.whoosh import schema, termfile
from searchidx.engines.whoosh.codec import CompactCodec

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
native = termfile.native
needs_native = pytest.mark.skipif(native is None, reason="the C term writer was not built (no C compiler)")


def test_the_c_term_writer_is_built_where_ci_runs() -> None:
    if os.environ.get("CI") != "true":
        pytest.skip("only CI requires the build (a user's machine may lack a C compiler)")
    assert native is not None


@st.composite
def terms(draw: Any) -> tuple[list[tuple[str, bytes, list[Any]]], int, bytes]:
    """Sorted terms of 1-255 postings: id gaps of every width, constant, small, wide and fractional weights,
    values absent, empty or long (compressible), fixed or variable size, some documents without a length."""
    fixedsize = draw(st.sampled_from([-1, 0, 4]))
    words = sorted(set(draw(st.lists(st.binary(min_size=1, max_size=130), min_size=1, max_size=12))))
    groups = []
    for word in words:
        n = draw(st.integers(1, 255))
        gap = draw(st.sampled_from([st.integers(1, 15), st.integers(1, 300), st.integers(1, 100_000)]))
        weight = draw(st.sampled_from([st.just(2.0), st.integers(0, 15).map(float),
                                       st.integers(0, 70_000).map(float), st.floats(0.125, 50, width=32),
                                       st.floats(0.1, 9.9)]))
        flat: list[Any] = []
        doc = draw(st.integers(0, 5000))
        for _ in range(n):
            if fixedsize == 4:
                value: bytes | None = draw(st.binary(min_size=4, max_size=4))
            else:
                value = draw(st.one_of(st.none(), st.binary(max_size=6), st.just(b"ab" * 40)))
            flat += [doc, draw(weight), value]
            doc += draw(gap)
        groups.append(("f", word, flat))
    codes = draw(st.binary(max_size=4000))
    return groups, fixedsize, codes


def _python(groups: list[tuple[str, bytes, list[Any]]], fixedsize: int, codes: bytes) -> tuple[bytes, bytes]:
    """The postings and term index bytes of `CompactPostingsWriter.write_term` and ``OrderedHashWriter``."""
    post = StructFile(io.BytesIO())
    post.write(b"head")
    writer = CompactCodec().postings_writer(post)
    index = OrderedHashWriter(StructFile(io.BytesIO()))
    for _, word, flat in groups:
        ids = flat[0::3]
        lens = [byte_to_length(codes[d]) if d < len(codes) and codes[d] else None for d in ids]
        values = [v if v is not None else b"" for v in flat[2::3]]
        info = writer.write_term(None if fixedsize < 0 else fixedsize, ids, flat[1::3], values, lens)
        index.add(struct.pack("!H", 7) + word, info)
    index._write_hashes()
    return post.file.getvalue(), _index_bytes(index)


def _index_bytes(index: OrderedHashWriter) -> bytes:
    """The records and hash tables written, and the tables' directory."""
    return bytes(index.dbfile.file.getvalue()) + struct.pack("!512q", *[x for d in index.directory for x in d])


@needs_native
@settings(max_examples=150, deadline=None)
@given(terms())
def test_terms_are_written_as_in_python(case: tuple[list[tuple[str, bytes, list[Any]]], int, bytes]) -> None:
    groups, fixedsize, codes = case
    expected_post, expected_index = _python(groups, fixedsize, codes)
    postings, records, hashes, positions = native.terms(groups, codes, 7, fixedsize, 3, 4)
    index = termfile.array_hash_writer(OrderedHashWriter(StructFile(io.BytesIO())))
    first, last = struct.pack("!H", 7) + groups[0][1], struct.pack("!H", 7) + groups[-1][1]
    index.add_records(first, last, records, hashes, positions)
    index._write_hashes()
    assert b"head" + postings == expected_post
    assert _index_bytes(index) == expected_index


class _Format(formats.Format):  # type: ignore[misc]
    def __init__(self, fixedsize: int) -> None:
        super().__init__()
        self.size = None if fixedsize < 0 else fixedsize

    def fixed_value_size(self) -> int | None:
        return self.size


@st.composite
def long_terms(draw: Any) -> tuple[list[Any], int, bytes, int]:
    """One term of 1-1,200 postings in blocks of 1-255 (drawn from a seeded generator: too many draws for
    hypothesis): id gaps, weights and values as in `terms`; every document with a length byte, or (a fifth of
    the cases) any byte, zeros and missing ones included."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    fixedsize = draw(st.sampled_from([-1, 0, 4]))
    limit = draw(st.sampled_from([255, 128, 7, 1]))
    n = draw(st.integers(1, 1200))
    widest = draw(st.sampled_from([15, 300]))
    weight = draw(st.sampled_from([lambda: 2.0, lambda: rng.randint(1, 15), lambda: float(rng.randint(0, 70_000)),
                                   lambda: rng.randint(1, 400) / 8, lambda: rng.uniform(0.1, 9.9)]))
    values = [None, b"", b"ab" * 40, b"\x01\x02\x03"]
    flat: list[Any] = []
    doc = rng.randint(0, 50)
    for _ in range(n):
        value = rng.randbytes(4) if fixedsize == 4 else rng.choice(values)
        flat += [doc, weight(), value]
        doc += rng.randint(1, widest)
    if draw(st.integers(0, 4)):
        codes = bytes(rng.randint(1, 255) for _ in range(doc))
    else:
        codes = bytes(rng.choice([0, 0, 1, 9, 200]) for _ in range(rng.randint(0, doc)))
    return flat, fixedsize, codes, limit


@needs_native
@settings(max_examples=150, deadline=None)
@given(long_terms())
def test_long_terms_are_written_as_in_python(case: tuple[list[Any], int, bytes, int]) -> None:
    """``_encode.term_blocks`` against Whoosh's ``start_postings``, `CompactPostingsWriter.add_postings` and
    ``finish_postings``: the same blocks and term info (or None where a block has no length, which Whoosh's
    term info cannot hold)."""
    flat, fixedsize, codes, limit = case
    post = StructFile(io.BytesIO())
    post.write(b"head")
    writer = CompactCodec(blocklimit=limit).postings_writer(post)
    writer.start_postings(_Format(fixedsize), W3TermInfo())
    ids = flat[0::3]
    lens = [byte_to_length(codes[d]) if d < len(codes) and codes[d] else None for d in ids]
    written = termfile.long_term(flat, codes, fixedsize, 3, limit, 4)
    try:
        writer.add_postings(ids, flat[1::3], [v if v is not None else b"" for v in flat[2::3]], lens)
        info = writer.finish_postings().to_bytes()
    except TypeError:  # Whoosh's term info: min(None, length) of a block without lengths
        assert written is None
        return
    if written is None:
        assert any(not any(lens[i:i + limit]) for i in range(0, len(ids), limit))
        return
    assert b"head" + written[0] == post.file.getvalue()
    assert written[1] == info


@needs_native
def test_keys_hash_as_whoosh_hashes_them() -> None:
    """MD5 over keys of every padding case (one and two final chunks, several chunks)."""
    keys = [bytes(range(n % 256)) * (1 + n // 256) for n in range(300)]
    for key in keys:
        _, _, hashes, _ = native.terms([("f", key, [0, 1.0, None])], b"", 0, -1, 3, 0)
        assert struct.unpack("I", hashes)[0] == md5_hash(struct.pack("!H", 0) + key)


@needs_native
def test_unsorted_or_damaged_input_raises() -> None:
    with pytest.raises(ValueError, match="terms must increase"):
        native.terms([("f", b"b", [0, 1.0, None]), ("f", b"a", [0, 1.0, None])], b"", 0, -1, 3, 0)
    with pytest.raises(ValueError, match="must increase"):
        native.terms([("f", b"a", [3, 1.0, None, 2, 1.0, None])], b"", 0, -1, 3, 0)
    with pytest.raises(ValueError, match="1-255"):
        native.terms([("f", b"a", [0, 1.0, None] * 256)], b"", 0, -1, 3, 0)
    with pytest.raises(TypeError):
        native.terms([("f", b"a", [0, 1.0, "text"])], b"", 0, -1, 3, 0)


def _segment_files(folder: Path) -> dict[str, bytes]:
    with Index.open(folder) as idx:
        ix = idx.backend._ix
        with ix.reader() as reader:
            segment = reader.segment()
            store = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
            out = {}
            for ext in (".trm", ".pst"):
                f = store.open_file(segment.make_filename(ext))
                out[ext] = f.read()
                f.close()
    return out


@needs_native
def test_an_index_is_the_same_with_and_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled corpus plus articles with long words and terms of several blocks: the same term and
    posting files, the same hits."""
    extra = [Article(id=f"x{i}", title=f"Titre {i} " + "mot" * (i % 60),
                     body=" ".join(f"terme{(i * 13 + j) % 97}" for j in range(3 + i * 7 % 400)) + " Lyon Paris")
             for i in range(600)]
    files, hits = [], []
    for name, module in (("python", None), ("c", native)):
        monkeypatch.setattr(termfile, "native", module)
        with Index.create(tmp_path / name) as idx:
            idx.add(list(corpus.iter_articles([CORPUS], lambda problem: None)) + extra)
            hits.append([(h.id, h.score) for h in idx.search("terme5 Lyon titre", limit=30).hits])
        files.append(_segment_files(tmp_path / name))
    assert len(files[0][".pst"]) > 100_000
    assert files[0] == files[1] and hits[0] == hits[1] and len(hits[0]) == 30


@needs_native
def test_documents_are_analysed_as_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """`schema.pre_analyze` with ``_encode.field_postings`` and without: the same postings (terms, frequencies,
    encoded positions, in the same order), exact forms and word pairs, on the bundled corpus and on text with
    elisions, compounds, acronyms, numbers, stop words only and repeated words far apart."""
    texts = [a.title + "\n" + a.body for a in corpus.iter_articles([CORPUS], lambda problem: None)]
    texts += ["L'O.N.U. et l’U.E. : aujourd'hui, c'est-à-dire 1 000 000,5 euros, 8,5 %.", "le la les de du",
              "", "Paris " + "mot " * 20_000 + "Paris", "États-Unis d'Amérique, Saint-Étienne–Lyon"]
    analysed = []
    for module in (None, schema.native):
        monkeypatch.setattr(schema, "native", module)
        analysed.append([schema.pre_analyze({"title": t[:80], "body": t}) for t in texts])

    def postings(doc: dict[str, Any]) -> dict[str, Any]:  # packed (`schema.Packed`) or not, as tuples
        return {k: schema.unpacked(v) if isinstance(v, schema.Packed) else list(v) if isinstance(v, list) else v
                for k, v in doc.items()}

    for python, c in zip(*analysed, strict=True):
        assert postings(python) == postings(c)
    assert any(len(postings(doc)["body"]) > 100 for doc in analysed[1])
