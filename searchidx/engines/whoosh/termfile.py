"""A new segment's terms written in C (`_encode.c`): each posting list and its term index record, the same
bytes as `codec.CompactPostingsWriter` (``write_term``, ``add_postings``) and Whoosh's ``OrderedHashWriter``.

Why: a commit writes every term of the segment, most of them word pairs seen once, and Whoosh's term index
costs a few Python calls per term (an MD5, a tuple in a bucket list, three writes), on top of the posting
writer's: ~1.4 ms of the writer's CPU per article at 8,000 articles, while the workers wait (cProfile). Here
a batch of terms is one call; the index keeps its hashes and positions in two arrays (12 bytes a term instead
of a tuple) and writes its hash tables in one call. A term of several blocks (the common words: most of the
postings of a large index) is one call too, where the Python path spent ~1 µs per posting in lists, arrays and
block headers. Without the module (no C compiler at install), the
writer keeps the Python path.
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter, _lengths, md5_hash
from whoosh.system import pack_int, pack_long, pack_ushort

try:  # built by ``pip install`` where a C compiler is found
    from searchidx.engines.whoosh import _encode as native
except ImportError:  # pragma: no cover (the Python path writes the same bytes)
    native = None  # type: ignore[assignment]

__all__ = ["BATCH", "TermBatch", "long_term", "native"]

BATCH = 4096  # terms per call
_TERMINFO = W3TermInfo._struct


class ArrayHashWriter(OrderedHashWriter):  # type: ignore[misc]
    """Whoosh's ``OrderedHashWriter`` with its keys' hashes and positions in arrays, its hash tables written
    in C (the same file)."""

    _hashes: array[int]
    _positions: array[int]
    lastkey: bytes

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        pos = self.dbfile.tell()
        self.index.append(pos)
        self.dbfile.write(_lengths.pack(len(key), len(value)) + key + value)
        self._hashes.append(md5_hash(key))
        self._positions.append(pos)
        self.lastkey = key

    def add_records(self, first: bytes, last: bytes, records: bytes, hashes: bytes, positions: bytes) -> None:
        """Records made by ``_encode.terms``, keys ``first`` to ``last`` (in order, after those added)."""
        if first <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{first!r}")
        base = self.dbfile.tell()
        self.dbfile.write(records)
        at = array("q")
        at.frombytes(positions)
        absolute = [base + p for p in at]
        index = self.index
        try:
            array(index.array.typecode, absolute[-1:])
        except OverflowError:
            index._retype(absolute[-1])  # as its ``append`` does (positions increase: the last is the largest)
        index.array.extend(absolute)
        self._hashes.frombytes(hashes)
        self._positions.extend(absolute)
        self.lastkey = last

    def _write_hashes(self) -> None:
        tables, directory = native.hash_tables(self._hashes, self._positions, self.dbfile.tell())
        self.dbfile.write(tables)
        self.directory.extend(directory)


def array_hash_writer(tindex: OrderedHashWriter) -> ArrayHashWriter:
    """``tindex`` (nothing added yet) as an `ArrayHashWriter`."""
    if any(tindex.buckets) or len(tindex.index):
        raise ValueError("the term index already has keys")
    tindex.__class__ = ArrayHashWriter
    tindex._hashes = array("I")
    tindex._positions = array("q")
    return tindex  # type: ignore[no-any-return]


class TermBatch:
    """One-block terms of the current field, written a batch at a time by ``_encode.terms``."""

    def __init__(self, fieldwriter: Any) -> None:
        self.fieldwriter = fieldwriter
        self.tindex = array_hash_writer(fieldwriter._tindex)
        fieldwriter._tindex = self.tindex
        #: terms waiting for `flush`, of at most one block each, in order: the caller appends them (and flushes
        #: every `BATCH`), `pool.write_postings` a few million times a commit
        self.groups: list[tuple[str, bytes, list[Any]]] = []
        self.codes = b""
        self.fixedsize = -1

    def start_field(self, codes: bytes, fixedsize: int | None) -> None:
        """A new field (the batch flushed before Whoosh's ``finish_field``, then its ``start_field`` called):
        its length codes and format's fixed value size."""
        if self.groups:
            raise RuntimeError("flush the batch before the field writer moves to another field")
        self.codes = codes
        self.fixedsize = -1 if fixedsize is None else fixedsize

    def flush(self) -> None:
        if not self.groups:
            return
        fw = self.fieldwriter
        postfile = fw._postfile
        postings, records, hashes, positions = native.terms(
            self.groups, self.codes, fw._fieldid, self.fixedsize, fw._postwriter._compression, postfile.tell())
        postfile.write(postings)
        prefix = pack_ushort(fw._fieldid)
        self.tindex.add_records(prefix + self.groups[0][1], prefix + self.groups[-1][1], records, hashes, positions)
        self.groups.clear()  # the same list: `pool.write_postings` appends to it

    def write_long(self, tbytes: bytes, flat: list[Any]) -> bool:
        """Writes a term of several blocks (the batch flushed first): the bytes of Whoosh's ``start_term``,
        ``CompactPostingsWriter.add_postings`` and ``finish_term``, in one C call (`long_term`). False (nothing
        written) when a block has no document length: Whoosh's term info cannot hold that, its path decides."""
        self.flush()
        fw = self.fieldwriter
        postfile = fw._postfile
        start = postfile.tell()
        written = long_term(flat, self.codes, self.fixedsize, fw._postwriter._compression,
                            fw._postwriter._blocklimit, start)
        if written is None:
            return False
        postfile.write(written[0])
        self.tindex.add(pack_ushort(fw._fieldid) + tbytes, written[1])
        return True


def long_term(flat: list[Any], codes: bytes, fixedsize: int, compression: int, limit: int,
              start: int) -> tuple[bytes, bytes] | None:
    """A term's posting list of any length written at ``start`` (``_encode.term_blocks``) and its term info
    bytes, or None when a block has no document length."""
    postings, weight, count, minlength, maxlength, maxweight, first, last, lengthless = native.term_blocks(
        flat, codes, fixedsize, compression, limit)
    if lengthless:
        return None
    info = _TERMINFO.pack(False, weight, count, minlength, maxlength, maxweight, first, last)
    return postings, info + pack_long(start) + pack_int(len(postings))
