"""A term's postings, positions and lengths in one segment of an index, read a block (or a column) at a
time into numpy arrays, whatever codec wrote the segment: `searchidx.engines.whoosh.scoring` sums them over
the segments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.util.numeric import byte_to_length

from searchidx.engines.whoosh.codec import CompactLeafMatcher, length_codes, read_positions, read_postings
from searchidx.engines.whoosh.schema import CompactPositions

__all__ = ["field_lengths", "leaf_postings", "segment_positions", "varint_positions", "walk"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
#: A length byte's length, as Whoosh's scorer decodes it.
LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def leaf_postings(reader: Any, field: str, btext: bytes) -> tuple[Ints, Floats]:
    """A term's postings in one segment, decoded a block at a time (Whoosh's block matcher keeps each
    block's ids and weights as sequences; they become arrays without a Python call per posting)."""
    m = reader.postings(field, btext)
    leaf = blocks(m)
    if leaf is None:
        ids_list, weights_list = walk(m, m.weight)
        return np.asarray(ids_list, dtype=np.int64), np.asarray(weights_list, dtype=np.float64)
    if isinstance(leaf, CompactLeafMatcher):
        return read_postings(leaf)
    id_blocks: list[Any] = [np.zeros(0, dtype=np.int64)]
    weight_blocks: list[Any] = [np.zeros(0, dtype=np.float64)]
    while leaf.is_active():
        leaf._read_ids()
        leaf._read_weights()
        id_blocks.append(np.asarray(leaf._ids))
        weight_blocks.append(np.asarray(leaf._weights))
        leaf._next_block()
    ids = np.concatenate(id_blocks).astype(np.int64, copy=False)
    weights = np.concatenate(weight_blocks).astype(np.float64, copy=False)
    return ids, weights


def field_lengths(reader: Any, field: str, n: int) -> Floats:
    """Every document's length in ``field`` in one segment as Whoosh's scorer sees it: the stored length
    byte, decoded, read in one piece (`codec.length_codes`; document by document for other readers)."""
    codes = length_codes(getattr(reader, "_perdoc", None), field)
    if codes is None:
        return np.fromiter((reader.doc_field_length(d, field, 0) or 0 for d in range(n)), dtype=np.float64, count=n)
    padded = np.zeros(n, dtype=np.uint8)  # past the last written document: code 0, the default
    count = min(len(codes), n)
    padded[:count] = np.frombuffer(codes, dtype=np.uint8, count=count)
    return LENGTH_OF_BYTE[padded]


def segment_positions(reader: Any, format_: Any, field: str, btext: bytes, local: Ints) -> tuple[Ints, Ints]:
    """`Collection.positions` in one segment (``local``: its own document numbers)."""
    m = reader.postings(field, btext)
    leaf = blocks(m)
    compact = isinstance(format_, CompactPositions)
    if compact and isinstance(leaf, CompactLeafMatcher) and (decoded := read_positions(leaf, local)) is not None:
        return decoded
    values: list[bytes] = []
    if leaf is None:
        found = dict(zip(*walk(m, m.value), strict=True))
        values.extend(found[int(d)] for d in local)
    else:
        i = 0
        while leaf.is_active() and i < len(local):
            if leaf.block_max_id() >= local[i]:
                leaf._read_ids()
                ids = np.asarray(leaf._ids)
                upto = int(np.searchsorted(local, ids[-1], side="right"))
                if upto > i:
                    leaf._read_values()
                    at = np.searchsorted(ids, local[i:upto]).tolist()
                    values.extend(map(leaf._values.__getitem__, at))
                    i = upto
            leaf._next_block()
    if compact:
        return varint_positions(values)
    each = [format_.decode_positions(v) for v in values]  # another format: a value at a time
    owner = np.repeat(np.arange(len(each), dtype=np.int64), [len(p) for p in each])
    return owner, np.array([x for p in each for x in p], dtype=np.int64)


def varint_positions(values: list[bytes]) -> tuple[Ints, Ints]:
    """Decodes `searchidx.engines.whoosh.schema.CompactPositions` values (a varint count, then varint
    deltas) all at once: the index in ``values`` of each position, and the position."""
    data = np.frombuffer(b"".join(values), dtype=np.uint8)
    if not len(data):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    last = (data & 0x80) == 0  # the last byte of each varint
    if last.all():  # every number below 128: one byte each
        numbers = data.astype(np.int64)
    else:
        varint = np.cumsum(last) - last  # the varint each byte belongs to
        first_byte = np.flatnonzero(np.concatenate(([True], last[:-1])))
        shift = 7 * (np.arange(len(data)) - first_byte[varint])
        numbers = np.bincount(varint, weights=((data & 0x7F).astype(np.int64) << shift).astype(np.float64)
                              ).astype(np.int64)
    ends_before = np.concatenate(([0], np.cumsum(last)))
    counts_at = ends_before[np.cumsum(lengths) - lengths]  # each value's first number: its position count
    counts = numbers[counts_at]
    deltas = numbers.copy()
    deltas[counts_at] = 0
    running = np.cumsum(deltas)
    slots = np.ones(len(numbers), dtype=np.bool_)
    slots[counts_at] = False
    owner = np.repeat(np.arange(len(values), dtype=np.int64), counts)
    return owner, running[slots] - running[counts_at][owner]


def blocks(m: Any) -> Any | None:
    """The block matcher under a segment's postings (its deletion filter unwrapped), rewound to the first
    block; None when the postings are not in blocks (an inlined list)."""
    leaf = getattr(m, "child", m) if type(m).__name__ == "FilterMatcher" else m
    if not hasattr(leaf, "_read_ids"):
        return None
    leaf.reset()  # the filter may have moved it past the first block
    return leaf


def walk(m: Any, value: Callable[[], Any]) -> tuple[list[int], list[Any]]:
    """Every document of a matcher with ``value()`` there, a Python step per posting (short lists and
    leaves without blocks only)."""
    ids: list[int] = []
    values: list[Any] = []
    while m.is_active():
        ids.append(m.id())
        values.append(value())
        m.next()
    return ids, values
