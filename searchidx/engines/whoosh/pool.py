"""The writer's postings, held term by term: the postings of a segment as Whoosh writes them, at a cost per
term where Whoosh pays per posting.

Why: Whoosh's writer puts each posting in its pool as a 5-tuple ``(field, term, doc, weight, value)``,
sorts all of them at the commit (spilling sorted runs to disk when the pool is full), merges the runs
posting by posting, then feeds them one call per posting to the posting writer, which looks up each
document's field length one call at a time. With the ranking fields that is ~460 postings per article
and ~100 distinct terms per article at 3,000 articles (most of them word pairs seen once): the writer
spent about as much CPU as the two workers together (19 s against 21 s for 5,000 articles), 60% of it in
the final commit, when the workers are idle (cProfile).

Here the pool is a dict per field of ``term -> [doc, weight, value, doc, weight, value, ...]``. Documents
are added in increasing number (so are the documents of segments merged in at the commit, numbered after
them), so each term's list is already in document order: only the terms are sorted. A full pool is written
as a run of whole terms (marshal frames, zlib-compressed); runs are merged term by term, a term's lists
concatenated in run order. `write_postings` hands each term's postings to the posting writer a block at a
time, with the lengths read once per field. The segment files are byte for byte those Whoosh's own writer makes.

Where the optional C module `_pool` is built, writers use `CompactPool`: the same groups, each term's postings
packed in one byte buffer (~7 bytes a posting against ~90 in the lists, so a tenth of the runs), and the
workers' postings (`schema.Packed`) added as they come.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import marshal
import operator
import os
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, cast

from whoosh.system import pack_ushort
from whoosh.writing import SegmentWriter

from searchidx.engines.whoosh import termfile
from searchidx.engines.whoosh.codec import CompactPostingsWriter, length_codes
from searchidx.engines.whoosh.schema import Packed, unpacked
from searchidx.engines.whoosh.storage import Freeing

try:
    from searchidx.engines.whoosh import _pool as _native
except ImportError:  # not built: the Python pool does the same
    _native = None  # type: ignore[assignment]

#: Estimated pool bytes per posting (three list slots, the document number and value objects; a weight is a
#: small int, one shared object, see `schema._counted`) and per term (key, list and dict slot), to decide
#: when to spill a run (an estimate, as Whoosh's own pool makes one; 8,000 articles in one pool: 92 bytes
#: per posting in the writer's RSS, estimated 103).
_POSTING_BYTES = 70
_TERM_BYTES = 200
_RUN_FRAME = 1024  # terms per marshal frame in a run
#: zlib level of a run's frames: runs hold every posting until the commit (the temporary disk of a large
#: index). The frames of 8,000 articles (92 MB) take 20.3 MB at level 1 and 18.5 MB at level 4 (0.7 against
#: 1.0 s of CPU; level 6: 17.0 MB in 2.0 s). At one million articles the disk peaked at 1.51x the index at level 1,
#: 1.41-1.46x at level 4 (BENCHMARKS.md, round 8).
_RUN_ZLIB = 4

Group = tuple[str, bytes, list[Any]]  # (field name, term, [doc, weight, value, ...])


class TermPool:
    """Postings grouped by term (see the module doc); a drop-in for the writer's ``pool``."""

    def __init__(self, tempstore: Any, limitmb: int) -> None:
        self.tempstore = tempstore
        self.limit = limitmb * 1024 * 1024
        self.fields: dict[str, dict[bytes, list[Any]]] = {}
        self.size = 0
        self.runs: list[str] = []
        self.fieldnames: set[str] = set()

    def add_field_postings(self, fieldname: str, docnum: int, items: Iterable[tuple[bytes, int, float, bytes | None]],
                           boost: float = 1.0) -> int:
        """Adds one document's postings of one field; returns the sum of their frequencies (its length)."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        length = n = 0
        new = 0
        for tbytes, freq, weight, vbytes in items:
            postings = terms.get(tbytes)
            if postings is None:
                terms[tbytes] = [docnum, weight * boost if boost != 1.0 else weight, vbytes]
                new += 1
            else:
                postings += (docnum, weight * boost if boost != 1.0 else weight, vbytes)
            length += freq
            n += 1
        self.size += n * _POSTING_BYTES + new * _TERM_BYTES
        if self.size > self.limit:
            self.save()
        return length

    def add_packed(self, fieldname: str, docnum: int, packed: bytes, boost: float = 1.0) -> int:
        """`add_field_postings` of postings packed by ``_pool.pack`` (`schema.Packed`)."""
        return self.add_field_postings(fieldname, docnum, unpacked(packed), boost)

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting ``(field, term, doc, weight, value)``: Whoosh's pool interface (segments merged in)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        self.add_field_postings(fieldname, docnum, ((tbytes, 0, weight, vbytes),))

    def _sorted_groups(self) -> Iterator[Group]:
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for tbytes in sorted(terms):
                yield fieldname, tbytes, terms[tbytes]

    def _frames(self) -> Iterator[list[Group]]:
        """The pool's groups in (field, term) order, `_RUN_FRAME` at a time."""
        groups = self._sorted_groups()
        while frame := list(itertools.islice(groups, _RUN_FRAME)):
            yield frame

    def _encoded_frames(self) -> Iterator[bytes]:
        """`_frames` as bytes, for a run (`_decode` reads them back)."""
        for frame in self._frames():
            yield marshal.dumps(frame, 2)

    def _decode(self, data: bytes) -> list[Group]:
        return cast(list[Group], marshal.loads(data))

    def _empty(self) -> bool:
        return not self.fields

    def _clear(self) -> None:
        self.fields = {}
        self.size = 0

    def save(self) -> None:
        """Writes the pool as a sorted run and empties it."""
        if self._empty():
            return
        path = f"{len(self.runs)}-{id(self):x}.run"
        with self.tempstore.create_file(path).raw_file() as f:
            for frame in self._encoded_frames():
                data = zlib.compress(frame, _RUN_ZLIB)
                f.write(len(data).to_bytes(4, "little"))
                f.write(data)
        self.runs.append(path)
        self._clear()

    def _run_frames(self, path: str) -> Iterator[bytes]:
        """A run's frames as `_encoded_frames` made them; the bytes read are given back to the file system as
        the merge goes (`Freeing`), so the runs and the segment written from them do not take the disk twice."""
        f = self.tempstore.open_file(path).raw_file()
        freeing = Freeing(os.path.join(self.tempstore.folder, path))
        try:
            while head := f.read(4):
                data = f.read(int.from_bytes(head, "little"))
                freeing.read(4 + len(data))
                yield zlib.decompress(data)
        finally:
            f.close()
            freeing.close()
            self.tempstore.delete_file(path)

    def _read_run(self, path: str) -> Iterator[list[Group]]:
        """A run's frames, as sorted lists of groups."""
        for data in self._run_frames(path):
            yield self._decode(data)

    def groups(self) -> Iterator[Group]:
        """Every term's postings, sorted by (field, term), each list in document order."""
        if not self.runs:
            for frame in self._frames():
                yield from frame
            return
        sources = [self._read_run(p) for p in self.runs]
        sources.append(self._frames())
        self.runs = []
        yield from merge_frames(sources)

    def cleanup(self) -> None:
        for path in self.runs:
            with contextlib.suppress(OSError):
                self.tempstore.delete_file(path)
        self.runs = []
        self._clear()


class CompactPool(TermPool):
    """`TermPool` with its postings packed by C (`_pool.Pool`: ~7 bytes a posting against ~90 in Python's
    lists, so ten times fewer runs), its runs' frames packed the same way."""

    def __init__(self, tempstore: Any, limitmb: int) -> None:
        super().__init__(tempstore, limitmb)
        assert _native is not None
        self.packed = _native.Pool()
        self.ids: dict[str, int] = {}
        self.names: tuple[str, ...] = ()

    def _field(self, fieldname: str) -> int:
        field = self.ids.get(fieldname)
        if field is None:
            field = self.ids[fieldname] = len(self.names)
            self.names += (fieldname,)
            self.fieldnames.add(fieldname)
        return field

    def add_field_postings(self, fieldname: str, docnum: int, items: Iterable[tuple[bytes, int, float, bytes | None]],
                           boost: float = 1.0) -> int:
        return self._spilled(self.packed.add(self._field(fieldname), docnum, items, boost))

    def add_packed(self, fieldname: str, docnum: int, packed: bytes, boost: float = 1.0) -> int:
        return self._spilled(self.packed.add_packed(self._field(fieldname), docnum, packed, boost))

    def _spilled(self, length: int) -> int:
        """``length``, once the pool is written as a run if it outgrew its limit."""
        if self.packed.nbytes > self.limit:
            self.save()
        return length

    def _encoded_frames(self) -> Iterator[bytes]:
        ranks = {name: rank for rank, name in enumerate(sorted(self.names))}
        n = self.packed.sort([ranks[name] for name in self.names])
        for start in range(0, n, _RUN_FRAME):
            yield self.packed.frame(start, start + _RUN_FRAME)

    def _frames(self) -> Iterator[list[Group]]:
        try:
            for data in self._encoded_frames():
                yield self._decode(data)
        finally:
            self._clear()

    def _decode(self, data: bytes) -> list[Group]:
        return _native.decode(data, self.names)

    def groups(self) -> Iterator[Group]:
        """`TermPool.groups`, the runs merged by C as packed frames (`_pool.merge`): a large commit spent a
        third of its time in `merge_frames`' Python calls per group."""
        if not self.runs:
            yield from super().groups()
            return
        ranks = {name: rank for rank, name in enumerate(sorted(self.names))}
        sources = [self._run_frames(p) for p in self.runs]
        sources.append(self._packed_frames())
        self.runs = []
        for data in merge_packed(sources, [ranks[name] for name in self.names]):
            yield from self._decode(data)

    def _packed_frames(self) -> Iterator[bytes]:
        try:
            yield from self._encoded_frames()
        finally:
            self._clear()

    def _empty(self) -> bool:
        return self.packed.terms == 0

    def _clear(self) -> None:
        self.packed.clear()


def new_pool(tempstore: Any, limitmb: int) -> TermPool:
    """The pool a writer uses: `CompactPool` where `_pool` was built, else `TermPool`."""
    return CompactPool(tempstore, limitmb) if _native is not None else TermPool(tempstore, limitmb)


def trim() -> None:
    """Gives the memory freed by a commit back to the system (`_pool.trim`): a cleared pool's buffers stayed in
    the writer's RSS through the wire-copy groups that follow (36k articles: 395 -> 165 MB after adding; 1M:
    peak RSS 2,327 -> 1,984 MB)."""
    if _native is not None:
        _native.trim()


def merge_frames(sources: list[Iterator[list[Group]]]) -> Iterator[Group]:
    """The groups of sorted runs, each given as sorted frames, in (field, term) order, a term's lists joined
    in run order (a term is at most once in a run).

    A batch at a time rather than a group at a time (a heap merge spent most of a large commit in Python
    calls per group, ~3 per term and run): every group up to the smallest last key of the runs' current
    frames is taken (no run holds more of them), and the batch is put in order by one stable sort."""
    key, term = operator.itemgetter(0, 1), operator.itemgetter(1)
    heads = _heads(sources)
    while heads:
        bound = min(key(head[0][-1]) for head in heads)
        batch: list[Group] = []
        ends = []
        one_field = True
        for head in heads:
            frame, start = head[0], head[1]
            one_field = one_field and frame[start][0] == bound[0]
            ends.append(end := bisect.bisect_right(frame, bound, start, key=key))
            batch += frame[start:end]
        heads = _advanced(heads, ends)
        batch.sort(key=term if one_field else key)  # stable: a term's lists stay in run order
        last = batch[0]
        for group in itertools.islice(batch, 1, None):
            if last[1] == group[1] and last[0] == group[0]:
                last[2].extend(group[2])
            else:
                yield last
                last = group
        yield last


def merge_packed(sources: list[Iterator[bytes]], ranks: list[int]) -> Iterator[bytes]:
    """`merge_frames` over packed frames (`CompactPool`), in C: each batch of ``_pool.merge`` takes every entry
    up to the smallest last key of the runs' current frames, one entry per (field, term), as one frame;
    ``ranks`` orders the fields (by field number)."""
    heads = _heads(sources)
    while heads:
        merged, ends = _native.merge([head[0] for head in heads], [head[1] for head in heads], ranks)
        heads = _advanced(heads, ends)
        yield merged


def _heads(sources: list[Iterator[Any]]) -> list[list[Any]]:
    """Each run's first frame as ``[frame, position, source]``, in run order (empty runs left out)."""
    heads = []
    for source in sources:
        frame = next(source, None)
        if frame:
            heads.append([frame, 0, source])
    return heads


def _advanced(heads: list[list[Any]], ends: list[int]) -> list[list[Any]]:
    """The runs left once each head's frame is taken up to its end: a frame taken whole gives way to its run's
    next one."""
    for head, end in zip(heads, ends, strict=True):
        if end < len(head[0]):
            head[1] = end
        else:
            head[0], head[1] = next(head[2], None), 0
    return [head for head in heads if head[0]]


def write_postings(fieldwriter: Any, schema: Any, lengths: Any, groups: Iterable[Group]) -> None:
    """What Whoosh's ``FieldWriter.add_postings`` writes for these postings, a term (and a block) at a time.

    ``fieldwriter`` is Whoosh's W3 field writer; with a `codec.CompactPostingsWriter`, terms of one block are
    written in batches by C (`termfile.TermBatch`) or one call each (``write_term``), a longer one by one C call
    (``TermBatch.write_long``) or a block at a time (``add_postings``)."""
    field_lengths = getattr(lengths, "field_lengths", None)
    batch = termfile.TermBatch(fieldwriter) if termfile.native is not None else None
    pending = batch.groups if batch is not None else []  # the batch's one-block terms (appended here: ~2M a commit)
    codes: bytes | None = None
    current: str | None = None
    skipped: str | None = None  # a field not in the schema
    column: list[int | None] | None = None
    limit = batched = 0
    fixedsize: int | None = None
    for group in groups:
        fieldname, tbytes, flat = group
        if fieldname != current:
            if fieldname == skipped:
                continue
            if fieldname not in schema:
                skipped = fieldname
                continue
            if batch is not None:
                batch.flush()
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            current = fieldname
            column = field_lengths(fieldname) if field_lengths else None
            limit = fieldwriter._postwriter._blocklimit
            fixedsize = schema[fieldname].format.fixed_value_size()
            codes = None
            if batch is not None and isinstance(fieldwriter._postwriter, CompactPostingsWriter):
                codes = b"" if lengths is None else length_codes(lengths, fieldname)
                if codes is not None:
                    batch.start_field(codes, fixedsize)
            batched = 3 * limit if codes is not None else 0  # flat lists this long or shorter go to the batch
        if len(flat) <= batched:
            pending.append(group)
            if len(pending) >= termfile.BATCH:
                batch.flush()
            continue
        if codes is not None and batch is not None and batch.write_long(tbytes, flat):
            continue
        if batch is not None:
            batch.flush()
        ids = flat[0::3]
        if column is not None:
            lens = [column[d] if d < len(column) else None for d in ids]
        elif lengths is not None:
            lens = [lengths.doc_field_length(d, fieldname) for d in ids]
        else:
            lens = [0] * len(ids)
        values = [v if v is not None else b"" for v in flat[2::3]]
        weights = flat[1::3]
        postwriter = fieldwriter._postwriter
        if not isinstance(postwriter, CompactPostingsWriter):  # another codec (an index made by the stock one)
            fieldwriter.start_term(tbytes)
            for posting in zip(ids, weights, values, lens, strict=True):
                fieldwriter.add(*posting)
            fieldwriter.finish_term()
        elif len(ids) <= limit:  # one block: the whole term in one call
            info = postwriter.write_term(fixedsize, ids, weights, values, lens)
            fieldwriter._tindex.add(pack_ushort(fieldwriter._fieldid) + tbytes, info)
        else:
            fieldwriter.start_term(tbytes)
            postwriter.add_postings(ids, weights, values, lens)
            fieldwriter.finish_term()
    if batch is not None:
        batch.flush()
    if current is not None:
        fieldwriter.finish_field()


class TermPoolWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer with its postings in a `TermPool` (same documents, same files)."""

    pool: TermPool

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``add_document`` for the schemas searchidx uses (no spelling fields, no vectors)."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                if field.separate_spelling() or field.vector:
                    raise NotImplementedError(f"field {fieldname!r}: spelling and vectors are not supported")
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    if type(value) is Packed:
                        length = self.pool.add_packed(fieldname, docnum, value, boost)
                    else:
                        length = self.pool.add_field_postings(fieldname, docnum, field.index(value), boost)
                    if not field.scorable:
                        length = 0
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                if field.column_type and customval is not None:
                    perdocwriter.add_column_value(fieldname, field.column_type, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        write_postings(self.fieldwriter, self.schema, pdr, self.pool.groups())
        trim()
        self.fieldwriter.close()
        if pdr:
            pdr.close()


_WRITER_CLASSES: dict[type, type] = {}


def term_pool_writer(writer: SegmentWriter) -> TermPoolWriter:
    """``writer`` (just opened, nothing added) with its class's commit and a `TermPool` (its class becomes a
    subclass of both `TermPoolWriter` and its own, e.g. `storage.SafeSegmentWriter`)."""
    cls = type(writer)
    if not issubclass(cls, TermPoolWriter):
        if cls not in _WRITER_CLASSES:
            _WRITER_CLASSES[cls] = type(f"TermPool{cls.__name__}", (TermPoolWriter, cls), {})
        writer.__class__ = _WRITER_CLASSES[cls]
    writer.pool = new_pool(writer._tempstorage, writer.pool.limit // (1024 * 1024))
    return cast(TermPoolWriter, writer)


