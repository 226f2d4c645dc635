"""A compact posting-block format: Whoosh's W3 codec with each block written as typed arrays, not a pickle.

Why: the W3 codec pickles every block of up to 128 postings (protocol 2) as a tuple of ints, a tuple of
floats and a tuple of ``bytes`` (each ``bytes`` pickles as a call to ``_codecs.encode``), plus a pickled info
tuple, then zlib: about 15 bytes per posting and 55 per one-posting term; the postings were 57% of a 36k-news
index.  Here a block is a fixed little-endian header (count, first and last id, max weight, length bytes,
layout) followed by two parts: the id deltas as 1, 2 or 4-byte unsigned ints and the weights as small
unsigned ints when they are whole numbers (they are term frequencies) or float32; then the value (position)
bytes with their lengths, zlib-compressed when that saves bytes, so a search that only scores never
inflates positions.  Deltas and frequencies all below 16 (a common word's block) are stored two to a byte.
Ids and weights are not compressed: inflating them took about 90% of the time of reading a list (21 ns per
posting for a common word at 1M articles); earlier versions compressed them, and such blocks still read.

Readers decode a block with C-level calls (``array.frombytes``, ``itertools.accumulate``), no Python loop per
posting, and keep ``_ids`` (``array("I")`` of absolute document numbers) and ``_weights`` (``array("f")``) as
contiguous arrays, so `searchidx.engines.whoosh.scoring` can read them through the buffer protocol.

Segments record their codec in the TOC (the pickled segment holds the codec object), so segments written
by the stock `W3Codec` keep reading with it and an index may mix both after an incremental add.

Stored fields are compressed against a per-segment dictionary (`searchidx.engines.whoosh.stored`). Vector
postings, the terms and the other columns are the stock W3 ones.
"""

from __future__ import annotations

import operator
import struct
import sys
import zlib
from array import array
from itertools import accumulate, islice
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
    _lenfield,
)
from whoosh.system import pack_int, pack_long
from whoosh.util.numeric import byte_to_length, length_to_byte

from searchidx.engines.whoosh.stored import CompactPerDocReader, CompactPerDocWriter, StoredColumn

try:  # the C decoder (`_postings.c`), built by ``pip install`` where a C compiler is found
    from searchidx.engines.whoosh import _postings as native
except ImportError:  # pragma: no cover (numpy does the same work)
    native = None  # type: ignore[assignment]

__all__ = ["BLOCK_POSTINGS", "MAGIC", "CompactCodec", "CompactLeafMatcher", "CompactPerDocReader",
           "CompactPerDocWriter", "CompactPostingsWriter", "StoredColumn", "decode_postings", "default_codec",
           "length_codes", "list_bytes", "native", "read_positions", "read_postings"]

#: Written at the start of each posting list (the stock codec writes ``W3Bl``; either reader refuses the other).
MAGIC = b"SXp1"
#: Block: signed length of the rest of the block (negative on the last block), postings count, first id,
#: last id, max weight (float32, at least every weight of the block), min and max length bytes, layout.
_BLOCK = struct.Struct("<iBIIfBBH")
_INFO_SIZE = _BLOCK.size - 4
#: Layout: bits 0-1 id delta width (3: four bits), bits 2-3 value length width, bits 5-7 weight kind, bit 8
#: ids and weights compressed (earlier versions wrote it; read still), bit 9 values compressed.
_WIDTHS = ("B", "H", "I")
_NIBBLES = 3  # id deltas all below 16, two to a byte (a common word's: no zlib, read with numpy alone)
_ZLIB_IW, _ZLIB_V = 0x100, 0x200
_W_CONST, _W_FLOAT, _W_NIBBLES = 0, 4, 5  # weight kinds 1-3: unsigned ints of width _WIDTHS[kind - 1]
_SWAP = sys.byteorder != "little"
#: Postings per block (the count is one byte; the stock size is 128): reading a list costs a header and some
#: Python per block, so blocks are as large as they can be.
BLOCK_POSTINGS = 255
_MIN_ZLIB = 24  # shorter block data is never made smaller by zlib (6 bytes of header and checksum)

if array("I").itemsize != 4 or array("f").itemsize != 4:  # pragma: no cover (no such CPython platform)
    raise ImportError("searchidx.engines.whoosh.codec needs 4-byte array('I') and array('f')")


def _width(largest: int) -> int:
    return 0 if largest < 0x100 else 1 if largest < 0x10000 else 2


def _packed(values: Any, code: int) -> bytes:
    a = array(_WIDTHS[code], values)
    if _SWAP:  # pragma: no cover
        a.byteswap()
    return a.tobytes()


def _nibbled(values: Any) -> bytes:
    """Numbers below 16, two to a byte (the first in the low four bits)."""
    v = np.asarray(values).astype(np.uint8)
    if len(v) % 2:
        v = np.append(v, np.uint8(0))
    packed: bytes = (v[0::2] | (v[1::2] << 4)).tobytes()
    return packed


def _unnibbled(data: Any, start: int, count: int) -> npt.NDArray[np.uint8]:
    """The ``count`` numbers `_nibbled` wrote at ``start`` of ``data``."""
    unpacked: npt.NDArray[np.uint8] = _decoded([memoryview(data)[start:start + (count + 1) // 2]],
                                               np.array([count], dtype=np.int64), True, None)
    return unpacked


def _id_bytes(count: int, code: int) -> int:
    """Bytes of a block's id deltas."""
    return count // 2 if code == _NIBBLES else (count - 1) << code


def _weight_bytes(count: int, kind: int) -> int:
    """Bytes of a block's weights."""
    if kind == _W_CONST:
        return 0
    if kind == _W_NIBBLES:
        return (count + 1) // 2
    return count << (2 if kind == _W_FLOAT else kind - 1)


def _unpacked(data: bytes, start: int, end: int, typecode: str) -> array[int]:
    a: array[int] = array(typecode)
    a.frombytes(memoryview(data)[start:end])
    if _SWAP:  # pragma: no cover
        a.byteswap()
    return a


def _float32_up(x: float) -> float:
    """The smallest float32 not below ``x``, so a stored block maximum never understates a weight."""
    f = struct.unpack("<f", struct.pack("<f", x))[0]
    if f < x:
        bits = struct.unpack("<I", struct.pack("<f", f))[0]
        f = struct.unpack("<f", struct.pack("<I", bits + (1 if f >= 0 else -1)))[0]
    return float(f)


class CompactCodec(W3Codec):  # type: ignore[misc]
    """`W3Codec` with compact posting blocks (see the module doc); everything else is the stock codec."""

    def __init__(self, blocklimit: int = BLOCK_POSTINGS, compression: int = 3, inlinelimit: int = 1) -> None:
        if not 0 < blocklimit < 256:
            raise ValueError("blocklimit must be 1-255 (the block count is one byte)")
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def per_document_writer(self, storage: Any, segment: Any) -> W3PerDocWriter:
        return CompactPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> W3PerDocReader:
        return CompactPerDocReader(storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        if byteids:  # term vectors: stock format (searchidx stores none)
            return super().postings_writer(dbfile, byteids=True)
        return CompactPostingsWriter(dbfile, blocklimit=self._blocklimit, compression=self._compression,
                                     inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class CompactPostingsWriter(W3PostingsWriter):  # type: ignore[misc]
    """Buffers a block of postings as the stock writer does, and writes it as typed arrays."""

    _ids: Any
    _maxweight: float
    _minlength: int | None
    _maxlength: int

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        self._fixedsize = format_.fixed_value_size()
        super().start_postings(format_, terminfo)

    def add_posting(self, id_: int, weight: float, vbytes: bytes, length: int | None = None) -> None:
        # The stock method, without its four isinstance asserts per posting; a value is kept even when
        # empty (the stock writer drops empty ones, which would shift the values of a variable format).
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if self._fixedsize != 0:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def add_postings(self, ids: list[int], weights: list[float], values: list[bytes],
                     lengths: list[int | None]) -> None:
        """`add_posting` for each posting of a term just started, a block at a time
        (`searchidx.engines.whoosh.pool`): the same blocks, statistics and buffered last block."""
        limit = self._blocklimit
        for start in range(0, len(ids), limit):
            if len(self._ids):
                self._write_block()
            end = start + limit
            self._ids = array("I", ids[start:end])
            chunk = weights[start:end]
            self._weights = array("f", chunk)
            self._maxweight = max(self._maxweight, max(chunk))
            if self._fixedsize != 0:
                self._values = values[start:end]
            present = [n for n in lengths[start:end] if n]
            if present:
                low = min(present)
                if self._minlength is None or low < self._minlength:
                    self._minlength = low
                self._maxlength = max(self._maxlength, max(present))

    def _write_block(self, last: bool = False) -> None:
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(MAGIC)
        self._terminfo.add_block(self)
        postfile.write(_block_bytes(self._ids, self._weights, self._values, self._fixedsize, self._compression,
                                    self._minlength, self._maxlength, last))
        self._blockcount += 1
        self._new_block()

    def write_term(self, fixedsize: int | None, ids: list[int], weights: list[float], values: list[bytes],
                   lengths: list[int | None]) -> bytes:
        """Writes the postings of a whole term of at most ``blocklimit`` postings (one block) and returns its
        term info bytes: what ``start_postings``, `add_posting` for each and ``finish_postings`` write and
        return, in a few calls instead of a dozen per posting (most terms have one posting).  ``fixedsize``: the
        field format's ``fixed_value_size()``."""
        if len(ids) == 1:
            return self._write_one(fixedsize, ids[0], weights[0], values[0], lengths[0])
        weights32 = array("f", weights)
        present = [n for n in lengths if n]
        minlength = min(present) if present else None
        maxlength = max(present) if present else 0
        postfile = self._postfile
        start = postfile.tell()
        postfile.write(MAGIC + _block_bytes(ids, weights32, values if fixedsize != 0 else [],
                                            fixedsize, self._compression, minlength, maxlength, True))
        info: bytes = _TERMINFO.pack(False, sum(weights32), len(ids), length_to_byte(minlength) if present else 0,
                              length_to_byte(maxlength), max(0, max(weights)), ids[0], ids[-1]) + \
            pack_long(start) + pack_int(postfile.tell() - start)
        return info


    def _write_one(self, fixedsize: int | None, id_: int, weight: float, value: bytes, length: int | None) -> bytes:
        """`write_term` of a term with one posting: `_block_bytes` and the term info with n = 1 worked out."""
        tail, squeezed = _squeezed(value if fixedsize != 0 else b"", self._compression)
        w32 = _F32.unpack(_F32.pack(weight))[0]
        size = _INFO_SIZE + len(tail)
        minbyte = length_to_byte(length) if length else 0
        maxbyte = length_to_byte(length or 0)
        postfile = self._postfile
        start = postfile.tell()
        postfile.write(MAGIC + _BLOCK.pack(-size, 1, id_, id_, w32, minbyte, maxbyte, _ZLIB_V if squeezed else 0)
                       + tail)
        info: bytes = _TERMINFO.pack(False, w32, 1, minbyte, maxbyte, max(0, weight), id_, id_) + \
            pack_long(start) + pack_int(4 + 4 + size)
        return info


_TERMINFO = W3TermInfo._struct
_F32 = struct.Struct("<f")


def _squeezed(data: bytes, compression: int) -> tuple[bytes, bool]:
    """``data`` compressed, and True, when zlib makes it shorter; else ``data`` and False."""
    if compression and len(data) >= _MIN_ZLIB:
        packed = zlib.compress(data, compression)
        if len(packed) < len(data):
            return packed, True
    return data, False


def _block_bytes(ids: Any, weights: Any, values: list[bytes], fixedsize: int | None, compression: int,
                 minlength: int | None, maxlength: int, last: bool) -> bytes:
    """One block of postings as written (see the module doc); ``weights`` is an ``array("f")``."""
    n = len(ids)
    parts: list[bytes] = []
    layout = 0
    if n > 1:
        deltas = array("I", map(operator.sub, islice(ids, 1, None), ids))
        largest = max(deltas)
        nibbles = largest < 16
        code = _NIBBLES if nibbles else _width(largest)
        layout |= code
        parts.append(_nibbled(deltas) if nibbles else _packed(deltas, code))

    top = max(weights)
    if min(weights) == top:
        kind = _W_CONST
    elif min(weights) >= 0 and top < 1 << 32 and array("f", whole := array("I", map(int, weights))) == weights:
        code = _width(int(top))
        kind = _W_NIBBLES if top < 16 else 1 + code
        parts.append(_nibbled(whole) if top < 16 else _packed(whole, code))
    else:
        kind = _W_FLOAT
        floats = array("f", weights)
        if _SWAP:  # pragma: no cover
            floats.byteswap()
        parts.append(floats.tobytes())
    layout |= kind << 5
    head = b"".join(parts)  # never compressed: inflating them took 90% of the time of reading a list

    parts = []
    if fixedsize is None or fixedsize < 0:
        if n > 1:
            lengths = array("I", map(len, islice(values, 0, n - 1)))
            code = _width(max(lengths))
            layout |= code << 2
            parts.append(_packed(lengths, code))
        parts.extend(values)
    elif fixedsize > 0:
        parts.extend(values)
    tail, squeezed = _squeezed(b"".join(parts), compression)
    layout |= _ZLIB_V if squeezed else 0

    data = head + tail
    length = _INFO_SIZE + len(data)
    return _BLOCK.pack(-length if last else length, n, ids[0], ids[-1], _float32_up(top),
                       length_to_byte(minlength), length_to_byte(maxlength), layout) + data


class CompactLeafMatcher(W3LeafMatcher):  # type: ignore[misc]
    """Reads compact blocks; ``_ids`` and ``_weights`` are ``array("I")`` / ``array("f")`` of the block.

    ``_data`` holds the block's ids-and-weights part (inflated), ``_rest`` its values part (as stored)."""

    _data: Any
    _ids: Any
    _weights: Any
    _values: Any

    def _read_header(self) -> None:
        magic = self._postfile.get(self._startoffset, 4)
        if magic != MAGIC:
            raise ValueError(f"not a compact posting list (block tag {magic!r})")
        self._baseoffset = self._startoffset + 4

    def _goto(self, position: int) -> None:
        self._data = None
        self._ids = None
        self._weights = None
        self._values = None
        self._i = 0
        (length, count, self._minid, self._maxid, self._maxweight, minlen, maxlen,
         layout) = _BLOCK.unpack(self._postfile.get(position, _BLOCK.size))
        if length < 0:
            self._lastblock = True
            length = -length
        self._blocklength = count
        self._layout = layout
        self._compression = layout & (_ZLIB_IW | _ZLIB_V)
        self._minlength = byte_to_length(minlen)
        self._maxlength = byte_to_length(maxlen)
        self._dataoffset = position + _BLOCK.size
        self._nextoffset = position + 4 + length
        self._woffset = _id_bytes(count, layout & 3)
        self._voffset = self._woffset + _weight_bytes(count, layout >> 5 & 7)

    def block_min_id(self) -> int:
        return int(self._minid)

    def _read_data(self) -> None:
        raw = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._layout & _ZLIB_IW:
            inflater = zlib.decompressobj()
            self._data = inflater.decompress(raw)
            self._rest = inflater.unused_data
        else:
            self._data = raw[:self._voffset]
            self._rest = raw[self._voffset:]

    def _read_ids(self) -> None:
        if self._blocklength == 1:
            self._ids = array("I", (self._minid,))
            return
        if self._data is None:
            self._read_data()
        code = self._layout & 3
        if code == _NIBBLES:
            ids = np.cumsum(_unnibbled(self._data, 0, self._blocklength - 1), dtype=np.uint32) + np.uint32(self._minid)
            self._ids = array("I", (self._minid,))
            self._ids.frombytes(ids.astype("<u4").tobytes())
            return
        deltas = _unpacked(self._data, 0, self._woffset, _WIDTHS[code])
        self._ids = array("I", accumulate(deltas, initial=self._minid))

    def _read_weights(self) -> None:
        kind = self._layout >> 5 & 7
        if kind == _W_CONST:
            self._weights = array("f", (self._maxweight,)) * self._blocklength
            return
        if self._data is None:
            self._read_data()
        if kind == _W_FLOAT:
            self._weights = _unpacked(self._data, self._woffset, self._voffset, "f")
        elif kind == _W_NIBBLES:
            self._weights = array("f", _unnibbled(self._data, self._woffset, self._blocklength).tolist())
        else:
            whole = _unpacked(self._data, self._woffset, self._voffset, _WIDTHS[kind - 1])
            self._weights = array("f", whole.tolist())

    def _read_values(self) -> None:
        n, fixedsize = self._blocklength, self._fixedsize
        if fixedsize == 0:
            self._values = (None,) * n
            return
        if self._data is None:
            self._read_data()
        data = self._rest
        if self._layout & _ZLIB_V:
            data = zlib.decompress(data)
        elif not isinstance(data, bytes):
            data = bytes(data)
        if fixedsize is not None and fixedsize > 0:
            self._values = tuple(data[i:i + fixedsize] for i in range(0, n * fixedsize, fixedsize))
            return
        if n == 1:
            self._values = (data,)
            return
        code = (self._layout >> 2) & 3
        first = (n - 1) << code
        lengths = _unpacked(data, 0, first, _WIDTHS[code])
        bounds = list(accumulate(lengths, initial=first))
        bounds.append(len(data))
        self._values = tuple(map(data.__getitem__, map(slice, bounds, islice(bounds, 1, None))))


_NUMPY_WIDTHS = (np.dtype("<u1"), np.dtype("<u2"), np.dtype("<u4"))


def list_bytes(leaf: CompactLeafMatcher) -> Any:
    """The stored bytes of a compact posting list (one read)."""
    length = leaf._length[0] if isinstance(leaf._length, tuple) else leaf._length  # (Whoosh unpacks a 1-tuple)
    return leaf._postfile.get(leaf._startoffset, length)


def read_postings(leaf: CompactLeafMatcher) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Every document number and weight of a compact posting list at once, as arrays (the values, positions,
    are not read): in C when `_postings` was built, else `decode_postings`."""
    buf = list_bytes(leaf)
    if native is None:
        return decode_postings(buf)
    ids, weights = native.read(buf)
    return np.frombuffer(ids, dtype=np.int64), np.frombuffer(weights, dtype=np.float64)


def read_positions(leaf: CompactLeafMatcher, docs: npt.NDArray[np.int64]
                   ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """The positions (`schema.CompactPositions` values) of a compact posting list's term in ``docs`` (sorted,
    all holding the term): the index in ``docs`` of each position, and the position; in C, or None when
    `_postings` was not built (the caller then reads the values block by block)."""
    if native is None:
        return None
    owners, positions = native.positions(list_bytes(leaf), np.ascontiguousarray(docs, dtype=np.int64))
    return np.frombuffer(owners, dtype=np.int64), np.frombuffer(positions, dtype=np.int64)


def decode_postings(buf: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """`read_postings` with numpy: a header and a few slices per block, then the blocks of each layout
    decoded together (a few calls per list, not per block) and one cumulative sum for the ids."""
    if bytes(buf[:4]) != MAGIC:
        raise ValueError(f"not a compact posting list (block tag {bytes(buf[:4])!r})")
    view = memoryview(buf)
    counts: list[int] = []
    firsts: list[int] = []
    lasts: list[int] = []
    deltas: dict[int, tuple[list[Any], list[int]]] = {}  # id layout -> (bytes of each block, block numbers)
    weights: dict[int, tuple[list[Any], list[int]]] = {}  # weight kind -> the same
    pos = 4
    block = 0
    while True:
        length, count, minid, maxid, maxweight, _, _, layout = _BLOCK.unpack_from(buf, pos)
        end = pos + 4 + abs(length)
        kind = layout >> 5 & 7
        if count > 1 or kind != _W_CONST:
            head: Any = view[pos + _BLOCK.size:end]
            if layout & _ZLIB_IW:
                head = zlib.decompressobj().decompress(head)
            code = layout & 3
            at = _id_bytes(count, code)
            if count > 1:
                group = deltas.setdefault(code, ([], []))
                group[0].append(head[:at])
                group[1].append(block)
            if kind != _W_CONST:
                group = weights.setdefault(kind, ([], []))
                group[0].append(head[at:at + _weight_bytes(count, kind)])
                group[1].append(block)
        if kind == _W_CONST:
            group = weights.setdefault(_W_CONST, ([], []))
            group[0].append(maxweight)
            group[1].append(block)
        counts.append(count)
        firsts.append(minid)
        lasts.append(maxid)
        block += 1
        if length < 0:
            break
        pos = end
    sizes = np.array(counts, dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    steps = np.empty(int(sizes.sum()), dtype=np.int64)
    steps[starts] = np.array(firsts, dtype=np.int64) - np.array([0, *lasts[:-1]], dtype=np.int64)
    for code, (parts, blocks) in deltas.items():
        where = np.array(blocks, dtype=np.int64)
        steps[_ranges(starts[where] + 1, sizes[where] - 1)] = _decoded(parts, sizes[where] - 1, code == _NIBBLES,
                                                                       _NUMPY_WIDTHS[code % 3])
    out = np.empty(len(steps), dtype=np.float64)
    for kind, (parts, blocks) in weights.items():
        where = np.array(blocks, dtype=np.int64)
        if kind == _W_CONST:
            found: Any = np.repeat(np.array(parts, dtype=np.float32), sizes[where])
        else:
            found = _decoded(parts, sizes[where], kind == _W_NIBBLES,
                             np.dtype("<f4") if kind == _W_FLOAT else _NUMPY_WIDTHS[(kind - 1) % 3])
        out[_ranges(starts[where], sizes[where])] = found
    return np.cumsum(steps), out


def _ranges(begins: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``begins[i], begins[i] + 1, ... begins[i] + lengths[i] - 1`` for each i, in one array."""
    total = int(lengths.sum())
    return np.repeat(begins - np.cumsum(lengths) + lengths, lengths) + np.arange(total, dtype=np.int64)


def _decoded(parts: list[Any], counts: npt.NDArray[np.int64], nibbles: bool, dtype: Any) -> Any:
    """The numbers of several blocks' parts (each holding ``counts[i]`` numbers), in block order."""
    data = b"".join(parts)
    if not nibbles:
        return np.frombuffer(data, dtype)
    raw = np.frombuffer(data, np.uint8)
    halves = np.empty(2 * len(raw), dtype=np.uint8)
    halves[0::2] = raw & 15
    halves[1::2] = raw >> 4
    padded = 2 * ((counts + 1) // 2)  # each block's numbers fill whole bytes
    inside = np.arange(len(halves)) - np.repeat(np.cumsum(padded) - padded, padded) < np.repeat(counts, padded)
    return halves[inside]


def default_codec() -> W3Codec:
    """The codec new segments are written with (`searchidx.engines.whoosh.indexing.Run`, which makes every writer)."""
    return CompactCodec()


def length_codes(perdoc: Any, fieldname: str) -> bytes | None:
    """Every document's one-byte length code of ``fieldname`` in a segment, read in one piece (Whoosh reads
    one byte per call, with a seek): documents past the end have code 0, ``b""`` when the field has no
    length column; None when ``perdoc`` is not a W3-style reader (ask it document by document)."""
    cached = getattr(perdoc, "_cached_reader", None)
    if cached is None:
        return None
    column = cached(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return b""
    if getattr(column, "_typecode", None) != "B" or not hasattr(column, "_dbfile"):
        return None
    return bytes(column._dbfile.get(column._basepos, column._count))
