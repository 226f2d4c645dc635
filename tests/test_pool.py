"""The writer's posting pool in C (`pool.CompactPool`) against the Python one (`pool.TermPool`): the same groups,
in the same order, with the same weights and values, whether the postings stay in memory or go through runs."""

from __future__ import annotations

import os
import platform
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.filedb.filestore import FileStorage
from whoosh.system import pack_uint

from searchidx.engines.whoosh import pool

pytestmark = pytest.mark.skipif(pool._native is None, reason="_pool was not built")

Posting = tuple[bytes, int, Any, bytes | None]
Document = tuple[str, int, list[Posting], float]  # (field, document number, postings, boost)


def test_the_c_pool_is_built_where_ci_runs() -> None:
    if os.environ.get("CI"):
        assert pool._native is not None and isinstance(pool.new_pool(None, 1), pool.CompactPool)


def _groups(made: pool.TermPool, docs: list[Document]) -> list[tuple[str, bytes, list[Any]]]:
    for fieldname, doc, items, boost in docs:
        made.add_field_postings(fieldname, doc, items, boost)
    return [(f, t, list(flat)) for f, t, flat in made.groups()]


weights = st.one_of(st.integers(0, 1 << 40), st.floats(0, 1e6, allow_nan=False), st.just(1.0))
postings = st.tuples(st.binary(min_size=0, max_size=12), st.integers(0, 300), weights,
                     st.one_of(st.none(), st.binary(max_size=300)))


@st.composite
def documents(draw: st.DrawFn) -> list[Document]:
    docs = []
    doc = 0
    for _ in range(draw(st.integers(1, 40))):
        doc += draw(st.integers(0, 1_000_000))
        for fieldname in draw(st.lists(st.sampled_from(["body", "title", "pairs", "a", "é"]), max_size=3,
                                       unique=True)):
            items = draw(st.lists(postings, max_size=30, unique_by=lambda p: p[0]))
            boost = draw(st.sampled_from([1.0, 1.0, 2.5]))
            docs.append((fieldname, doc, items, boost))
    return docs


@settings(max_examples=150, deadline=None)
@given(documents(), st.sampled_from([1 << 30, 2_000, 300]))
def test_the_c_pool_gives_the_python_pools_groups(tmp_path_factory: pytest.TempPathFactory,
                                                 docs: list[Document],
                                                 limit: int) -> None:
    folder = tmp_path_factory.mktemp("pool")
    expected = _groups(pool.TermPool(FileStorage(str(folder)), 1024), docs)
    packed = pool.CompactPool(FileStorage(str(folder)), 1)
    packed.limit = limit  # small limits: several runs merged
    got = _groups(packed, docs)
    assert got == expected
    assert [[type(v) for v in flat] for _, _, flat in got] == [[type(v) for v in flat] for _, _, flat in expected]
    assert not list(folder.iterdir())  # the runs were deleted as they were read


def test_runs_are_written_and_merged_on_real_terms(tmp_path: Path) -> None:
    """Many documents, a pool spilling every few hundred: the groups equal the Python pool's."""
    docs = [("body", doc, [(f"t{(j * 800 + doc) % 4_000:05d}".encode(), 2, 2, bytes([j % 7, doc % 5]))
                           for j in range(50)], 1.0) for doc in range(2_000)]
    packed = pool.CompactPool(FileStorage(str(tmp_path)), 1)
    packed.limit = 200_000
    got = _groups(packed, docs[:-1])
    assert len(got) == 4_000
    for fieldname, doc, items, boost in docs[:-1]:
        packed.add_field_postings(fieldname, doc, items, boost)
    assert len(packed.runs) >= 3
    packed.cleanup()
    assert not list(tmp_path.iterdir())
    got = _groups(packed, docs)
    expected = _groups(pool.TermPool(FileStorage(str(tmp_path)), 1024), docs)
    assert got == expected


def test_a_damaged_frame_raises_rather_than_crashing() -> None:
    made = pool._native.Pool()  # type: ignore[union-attr]
    made.add(0, 5, [(b"mot", 2, 2, b"\x02\x01\x03")])
    made.sort([0])
    frame = made.frame(0, 1)
    assert pool._native.decode(frame, ("body",)) == [("body", b"mot", [5, 2, b"\x02\x01\x03"])]  # type: ignore[union-attr]
    for cut in range(1, len(frame)):
        with pytest.raises(ValueError, match="damaged"):
            pool._native.decode(frame[:cut], ("body",))  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="damaged"):
        pool._native.decode(frame, ())  # type: ignore[union-attr]
    for cut in range(1, len(frame)):
        with pytest.raises(ValueError, match="damaged"):
            pool._native.merge([frame, frame[:cut]], [0, 0], [0])  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        made.clear()
        made.add(0, 1, [("mot", 1, 1, None)])


def test_frames_merge_up_to_the_smallest_last_key() -> None:
    """`_pool.merge` takes each frame's entries up to the smallest last key, a key of several frames as one
    entry (its postings in frame order), and says where each frame stops."""
    frames = []
    for docs, terms in (([1, 4], [b"a", b"c", b"e"]), ([7], [b"a", b"b", b"c", b"d"])):
        made = pool._native.Pool()  # type: ignore[union-attr]
        for doc in docs:
            made.add(0, doc, [(t, 1, doc, None) for t in terms])
        made.sort([0])
        frames.append(made.frame(0, len(terms)))
    merged, ends = pool._native.merge(frames, [0, 0], [0])  # type: ignore[union-attr]
    assert pool._native.decode(merged, ("body",)) == [  # type: ignore[union-attr]
        ("body", b"a", [1, 1, None, 4, 4, None, 7, 7, None]), ("body", b"b", [7, 7, None]),
        ("body", b"c", [1, 1, None, 4, 4, None, 7, 7, None]), ("body", b"d", [7, 7, None])]
    assert ends[1] == len(frames[1])  # the bound: the second frame's last key
    rest, ends = pool._native.merge([frames[0]], [ends[0]], [0])  # type: ignore[union-attr]
    assert pool._native.decode(rest, ("body",)) == [("body", b"e", [1, 1, None, 4, 4, None])]  # type: ignore[union-attr]
    assert ends == [len(frames[0])]


@settings(max_examples=150, deadline=None)
@given(st.lists(postings, max_size=40, unique_by=lambda p: p[0]), st.sampled_from([1.0, 2.5]))
def test_packed_postings_are_added_as_the_tuples_are(tmp_path_factory: pytest.TempPathFactory,
                                                     items: list[Posting], boost: float) -> None:
    """A worker's packed postings (`schema.Packed`): unpacked, the same tuples; added to the C pool as they
    are, the same groups as the tuples added to the Python pool."""
    native = pool._native
    assert native is not None
    packed = native.pack(items)
    assert native.unpack(packed) == items
    folder = tmp_path_factory.mktemp("packed")
    expected = _groups(pool.TermPool(FileStorage(str(folder)), 1024), [("body", 7, items, boost)])
    made = pool.CompactPool(FileStorage(str(folder)), 1024)
    made.add_packed("body", 7, packed, boost)
    got = [(f, t, list(flat)) for f, t, flat in made.groups()]
    assert got == expected
    assert [[type(v) for v in flat] for _, _, flat in got] == [[type(v) for v in flat] for _, _, flat in expected]


@given(st.lists(st.sampled_from(["a", "é", "mot", "le", "états-unis", "x" * 40, ""]), max_size=400))
def test_counted_terms_are_packed_as_python_counts_them(terms: list[str]) -> None:
    native = pool._native
    assert native is not None
    assert native.unpack(native.pack_counts(terms)) == [(t.encode(), n, n, pack_uint(n))
                                                        for t, n in Counter(terms).items()]


def test_damaged_packed_postings_raise() -> None:
    native = pool._native
    assert native is not None
    packed = native.pack([(b"mot", 2, 2, b"\x02\x01\x03"), (b"autre", 1, 1.5, None)])
    made = native.Pool()
    whole = len(native.pack([(b"mot", 2, 2, b"\x02\x01\x03")]))  # a cut there leaves the first posting whole
    for cut in (c for c in range(1, len(packed)) if c != whole):
        with pytest.raises(ValueError, match="damaged"):
            native.unpack(packed[:cut])
        with pytest.raises(ValueError, match="damaged"):
            made.add_packed(0, 1, packed[:cut])


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm") or platform.libc_ver()[0] != "glibc",
                    reason="reads the RSS from /proc; trim is glibc's malloc_trim")
def test_trim_gives_a_cleared_pools_memory_back() -> None:
    """A cleared pool's buffers, freed between objects still alive, stay in the RSS until `pool.trim`."""
    packed = pool._native.Pool()
    alive = []
    for doc in range(20):
        packed.add(0, doc, [(b"%d-%d" % (doc, t), 1, 1, b"x" * 40) for t in range(20_000)], 1.0)
        alive.append(bytes(600))  # a malloc'd object after each document's buffers
    packed.clear()
    before = _rss_mb()
    pool.trim()
    assert before - _rss_mb() > 10, "trim gave back less than 10 MB of ~40 MB freed"
    assert packed.add(0, 0, [(b"a", 1, 1, None)], 1.0) == 1  # the pool is still usable
