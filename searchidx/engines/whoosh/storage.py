"""Crash-safe index storage on top of Whoosh's files.

Whoosh keeps an index as immutable segment files plus a table of contents (``_MAIN_<gen>.toc``)
per commit; the newest TOC is the index. Whoosh alone writes the TOC through a temporary file and a rename,
but never fsyncs, and deletes the files of older generations right after a commit, while a reader that has
just read the older TOC may be about to open them (whoosh-community issue 323). Here:

* `SafeStorage` fsyncs every index file when it is closed and the folder after each rename, so a TOC only
  ever names segment files that are complete on disk, even after a power cut;
* `SafeSegmentWriter` keeps the files of recent generations (`KEEP_GENERATIONS`, and any younger than
  `KEEP_SECONDS`) instead of deleting them at once, so concurrent readers never miss a file;
* `SafeFileIndex` opens the newest generation whose TOC reads and whose segment files are all present,
  falling back to an older one otherwise.

A ``kill -9`` at any moment therefore leaves the last committed generation, and the next run, which sees
which files are fully indexed (see `indexing.Run.add_file`), completes the work.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import io
import logging
import mmap
import os
import pickle
import re
import sys
import time
import weakref
from typing import TYPE_CHECKING, Any

from whoosh.fields import ensure_schema
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import _CURRENT_TOC_VERSION, TOC, EmptyIndexError, FileIndex
from whoosh.index import Index as WhooshIndex
from whoosh.reading import IndexReader
from whoosh.system import _FLOAT_SIZE, _INT_SIZE, _LONG_SIZE
from whoosh.util.filelock import FcntlLock
from whoosh.writing import SegmentWriter

from searchidx.engines.whoosh import integrity
from searchidx.engines.whoosh.locking import NOT_WRITABLE, WriterLock, not_inherited, not_writable, release_fd
from searchidx.errors import DiskFullError, IndexCorruptError, SearchidxError

if TYPE_CHECKING:
    from whoosh.fields import Schema

INDEX_NAME = "MAIN"
log = logging.getLogger("searchidx")
KEEP_GENERATIONS = 3
KEEP_SECONDS = 10.0
_TOC_RE = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")
_TOC_TMP_RE = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc\.[0-9.]+$")
_SEG_RE = re.compile(rf"^({INDEX_NAME}_[0-9a-z]+)\.[A-Za-z0-9_.]+$")
_SUMS_RE = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.sums$")
_SUMS_TMP_RE = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.sums\.[0-9]+\.tmp$")


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_on_close(f: StructFile) -> None:
    f.flush()
    fileno = getattr(f.file, "fileno", None)
    if fileno is not None:
        os.fsync(fileno())


class _View:
    """A read-only file over a memoryview of the mapped segment: read/seek/tell without copying it."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf: memoryview) -> None:
        self._buf = buf
        self._pos = 0

    def read(self, n: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if n is None or n < 0 else min(start + n, len(self._buf))
        self._pos = max(end, start)
        return bytes(self._buf[start:end])

    def peek(self, n: int = 0) -> bytes:
        """Bytes ahead, not consumed: pickle's C unpickler then reads a block header in two calls, not
        one Python call per opcode (``read_pickle`` of each posting block)."""
        return bytes(self._buf[self._pos:self._pos + max(1, min(n, 512))])

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        buf, start = self._buf, self._pos
        end = len(buf) if size is None or size < 0 else min(start + size, len(buf))
        i = start
        while i < end:  # lines are only read by pickle's text opcodes: short
            i += 1
            if buf[i - 1] == 10:
                break
        self._pos = max(i, start)
        return bytes(buf[start:i])

    def seek(self, pos: int, whence: int = 0) -> int:
        base = 0 if whence == 0 else self._pos if whence == 1 else len(self._buf)
        self._pos = max(base + pos, 0)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = memoryview(b"")


class _ViewFile(BufferFile):  # type: ignore[misc]
    """whoosh's `BufferFile` without its ``BytesIO(buf)``, which copies the whole sub-file (postings,
    stored fields: 150 MB for 36k articles) each time a segment is opened."""

    def __init__(self, buf: memoryview, name: str | None = None) -> None:
        super().__init__(b"", name=name)
        self._buf = buf
        self.file = _View(buf)


class _SegmentFile(StructFile):  # type: ignore[misc]
    """A compound segment file whose sub-files are views of one read-only mmap (whoosh's own mmap path
    goes through ``BufferFile``, see `_ViewFile`)."""

    def __init__(self, fileobj: Any, name: str | None = None) -> None:
        super().__init__(fileobj, name=name)
        self._map: mmap.mmap | None = None

    def subset(self, position: int, length: int, name: str | None = None) -> StructFile:
        if self._map is None:
            self._map = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
        return _ViewFile(memoryview(self._map)[position:position + length], name=name or self._name)

    def close(self) -> None:
        if self._map is not None:
            with contextlib.suppress(BufferError):  # views still held: unmapped when they are freed
                self._map.close()
        super().close()


class _ForkSafeLock(FcntlLock):  # type: ignore[misc]
    """whoosh's ``flock`` of its write lock, its descriptor closed in forked children (see `locking`)."""

    def acquire(self, blocking: bool = False) -> bool:
        got = bool(super().acquire(blocking))
        if got:
            not_inherited(self.fd)
        return got

    def release(self) -> None:
        if self.fd is not None:
            release_fd(self.fd)
        super().release()


class SafeStorage(FileStorage):  # type: ignore[misc]
    """A whoosh `FileStorage` whose files reach the disk before any TOC can name them, and whose compound
    segments are read through a map without copies (`_SegmentFile`)."""

    sync = True

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self.supports_mmap = False  # whoosh's CompoundStorage then asks our file for each sub-file
        self.written: weakref.WeakSet[StructFile] = weakref.WeakSet()  # files created, for `discard`

    def lock(self, name: str) -> Any:
        return _ForkSafeLock(self._fpath(name)) if os.name == "posix" else super().lock(name)

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        if not name.endswith(".seg") or kwargs:
            return super().open_file(name, **kwargs)
        return _SegmentFile(open(self._fpath(name), "rb"), name=name)  # noqa: SIM115 (closed by whoosh)

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> StructFile:
        f = super().create_file(name, excl=excl, mode=mode, **kwargs)
        self.written.add(f)
        if self.sync:
            f.onclose = _fsync_on_close
        return f

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        os.replace(self._fpath(oldname), self._fpath(newname))
        if self.sync:
            _fsync_dir(self.folder)


#: The modules that held the classes (and the analyzer factory) a TOC pickles when older indexes were written.
_MOVED_MODULES = {
    "searchidx.analysis": "searchidx.engines.whoosh.analyzer",
    "searchidx.schema": "searchidx.engines.whoosh.schema",
    "searchidx.codec": "searchidx.engines.whoosh.codec",
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        return super().find_class(_MOVED_MODULES.get(module, module), name)


def read_toc(storage: Any, indexname: str, gen: int, schema: Schema | None = None) -> TOC:
    """whoosh's `TOC.read` of one generation, its pickles read through `_MOVED_MODULES`, so an index written
    before the engine moved to `searchidx.engines.whoosh` opens as it is."""
    stream = storage.open_file(TOC._filename(indexname, gen))
    try:
        sizes = [stream.read_varint() for _ in range(3)]
        if sizes != [_INT_SIZE, _LONG_SIZE, _FLOAT_SIZE] or stream.read_int() != -12345:
            raise ValueError("index written on another architecture")
        version = stream.read_int()
        release = (stream.read_varint(), stream.read_varint(), stream.read_varint())
        if version != _CURRENT_TOC_VERSION:
            raise ValueError(f"TOC format {version}, not {_CURRENT_TOC_VERSION}")
        stored = stream.read_string()
        schema = ensure_schema(_Unpickler(io.BytesIO(stored)).load() if schema is None else schema)
        if stream.read_int() != gen:
            raise ValueError(f"TOC of generation {gen} names another generation")
        stream.read_int()  # unused
        segments = _Unpickler(stream.file).load()
    finally:
        stream.close()
    return TOC(schema, segments, gen, version=version, release=release)


def _generations(storage: Any) -> list[int]:
    """The TOC generations present, newest first."""
    gens = [int(m.group(1)) for name in storage.list() if (m := _TOC_RE.match(name))]
    return sorted(gens, reverse=True)


def _segment_files_present(storage: Any, toc: TOC, names: set[str]) -> bool:
    for segment in toc.segments:
        if segment.is_compound():
            if segment.make_filename(segment.COMPOUND_EXT) not in names:
                return False
        elif not any(n.startswith(segment.segment_id() + ".") for n in names):
            return False
    return True


def read_valid_toc(storage: Any, indexname: str = INDEX_NAME, schema: Schema | None = None) -> TOC:
    """The TOC of the newest generation that reads and whose segment files are all there."""
    errors: list[str] = []
    damaged: list[str] = []
    for _attempt in range(5):
        names = set(storage.list())
        gens = sorted((int(m.group(1)) for n in names if (m := _TOC_RE.match(n))), reverse=True)
        if not gens:
            raise EmptyIndexError(f"no index in {storage}")
        for gen in gens:
            problem = integrity.check(storage, indexname, gen)
            if problem is not None:
                damaged.append(problem)
                continue
            try:
                toc = read_toc(storage, indexname, gen, schema)
            except FileNotFoundError:
                continue  # removed by a writer's cleanup since the listing: a newer one exists
            except Exception as exc:  # a torn or foreign TOC: try the previous generation
                errors.append(f"generation {gen}: {type(exc).__name__}: {exc}")
                continue
            if not _segment_files_present(storage, toc, names):
                errors.append(f"generation {gen}: segment files missing")
                continue
            if damaged and not toc.segments:
                break  # the empty index an index starts from is no answer
            if damaged:
                _warn_once(storage, f"the newest commit of the index at {storage.folder} is damaged ({damaged[0]}); "
                           f"answering from the previous intact one (generation {gen}): run the same "
                           "`searchidx index` again to index what it held, or `searchidx index --rebuild`")
            return toc
        if damaged:
            raise IndexCorruptError(damaged[0])
        time.sleep(0.02)
    raise OSError("no readable generation (" + "; ".join(errors[-3:]) + ")")


def _warn_once(storage: Any, message: str) -> None:
    """Logs ``message`` once per opened index (each reader reads the TOC again)."""
    warned = storage.__dict__.setdefault("warned", set())
    if message not in warned:
        warned.add(message)
        log.warning("%s", message)


class SafeFileIndex(FileIndex):  # type: ignore[misc]
    """A whoosh `FileIndex` that opens the newest *complete* generation (see `read_valid_toc`)."""

    def __init__(self, storage: FileStorage, schema: Schema | None = None, indexname: str = INDEX_NAME) -> None:
        self.storage = storage
        self._schema = schema
        self.indexname = indexname
        self._read_toc()  # fails now, not at the first search, when there is no readable index

    def _read_toc(self) -> TOC:
        return read_valid_toc(self.storage, self.indexname, self._schema)

    def latest_generation(self) -> int:
        return int(self._read_toc().generation)

    def reader(self, reuse: IndexReader | None = None) -> IndexReader:
        """A reader of the current generation, never reusing ``reuse``'s segment readers: whoosh-reloaded
        2.7.5 (`FileIndex._reader`) keeps merged-away segments and reuses readers blind to new deletions,
        so a refreshed searcher would count replaced articles twice."""
        fresh = super().reader()
        if reuse is not None:
            reuse.close()
        return fresh

    def writer(self, procs: int = 1, **kwargs: Any) -> SafeSegmentWriter:
        return SafeSegmentWriter(self, **kwargs)


class Freeing:
    """Frees the start of a file being read (Linux ``fallocate`` punching a hole: the file keeps its size,
    the blocks go back to the file system) every `FREE_EVERY` bytes, or every sixteenth of the file if that
    is less: a large build spills many runs of a few MB that the merge reads side by side, each to its end
    only when the merge ends, so a fixed 16 MB step never freed them. Does nothing where that is
    not possible (another system, a file system without holes)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.done = self.freed = 0
        self.fd = -1
        self.every = FREE_EVERY
        if _fallocate is not None:
            with contextlib.suppress(OSError):
                self.fd = os.open(path, os.O_WRONLY)
                self.every = max(_PAGE, min(FREE_EVERY, os.fstat(self.fd).st_size // 16))

    def read(self, n: int) -> None:
        self.done += n
        if self.fd >= 0 and self.done - self.freed >= self.every:
            end = self.done // _PAGE * _PAGE
            if _fallocate is not None and _fallocate(self.fd, _PUNCH_HOLE | _KEEP_SIZE, 0, end) == 0:
                self.freed = end
            else:
                self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _libc_fallocate() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        f = ctypes.CDLL(None, use_errno=True).fallocate
    except (OSError, AttributeError):
        return None
    f.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64)
    f.restype = ctypes.c_int
    return f


_PUNCH_HOLE, _KEEP_SIZE = 2, 1  # FALLOC_FL_PUNCH_HOLE, FALLOC_FL_KEEP_SIZE
FREE_EVERY = 16 << 20
_PAGE = 4096
_fallocate = _libc_fallocate()


def _copy_freeing(storage: Any, name: str, out: StructFile) -> None:
    """Copies file ``name`` of ``storage`` to ``out``, freeing what is copied as it goes (`Freeing`), then
    deletes it."""
    freeing = Freeing(storage._fpath(name))
    try:
        with open(freeing.path, "rb") as f:
            while chunk := f.read(1 << 20):
                out.write(chunk)
                freeing.read(len(chunk))
    finally:
        freeing.close()
    storage.delete_file(name)


class SafeSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """A whoosh `SegmentWriter` that fsyncs (through `SafeStorage`), cleans up late (see module doc) and
    assembles a compound segment without holding it twice on disk."""

    def _assemble_segment(self) -> None:
        """Whoosh's compound file of the new segment, its parts freed as they are copied: Whoosh deletes them
        only once all are copied, so for a moment the segment took the disk twice (the peak of a large
        index's temporary disk). Nothing is lost on a crash: no TOC names the segment yet."""
        if not self.compound:
            return
        segment = self.get_segment()
        if not hasattr(self.storage, "_fpath"):  # a storage without files (RamStorage): whoosh's own way
            super()._assemble_segment()
            return
        names = segment.list_files(self.storage)
        cfile = segment.create_file(self.storage, segment.COMPOUND_EXT)
        directory = {}
        basepos = cfile.tell()
        cfile.write_long(0)  # the directory's position and length, written by ``write_dir``
        cfile.write_int(0)
        for name in names:
            directory[name] = {"offset": cfile.tell(), "length": self.storage.file_length(name),
                               "modified": self.storage.file_modified(name)}
            _copy_freeing(self.storage, name, cfile)
        CompoundStorage.write_dir(cfile, basepos, directory)
        segment.compound = True

    def _commit_toc(self, segments: list[Any]) -> None:
        write_toc(self.storage, self.indexname, self.generation, self.schema, segments)
        clean_files(self.storage, self.indexname)


def write_toc(storage: Any, indexname: str, gen: int, schema: Schema, segments: list[Any]) -> None:
    """Makes generation ``gen`` the index: its manifest (`integrity.write`), then its TOC, written to a
    temporary file and renamed. A TOC of that generation already there is a torn one `read_valid_toc`
    skipped: this one replaces it."""
    name = TOC._filename(indexname, gen)
    if storage.file_exists(name):
        storage.delete_file(name)
    memory = RamStorage()
    TOC(schema, segments, gen).write(memory, indexname)
    data = memory.files[name]
    integrity.write(storage, indexname, gen, data, segments)
    tmp = f"{name}.{time.time()}"
    f = storage.create_file(tmp)
    f.write(data)
    f.close()
    storage.rename_file(tmp, name)


def committed(writer: SegmentWriter) -> bool:
    """True once the writer's commit is done, as far as readers are concerned: its TOC is written."""
    return bool(writer.storage.file_exists(TOC._filename(writer.indexname, writer.generation)))


def discard(writer: SegmentWriter) -> int:
    """Drops an uncommitted writer in whatever state a failure left it (a full disk, an interrupt in the
    middle of a commit): closes what it can, releases whoosh's lock, deletes the files of its new segment,
    its temporary folder and a TOC it had started. Returns the bytes those files held."""
    storage = writer.storage
    prefix = writer.newsegment.segment_id() + "."
    toc_tmp = TOC._filename(writer.indexname, writer.generation) + "."
    doomed = [n for n in storage.list() if n.startswith(toc_tmp)]
    if not committed(writer):  # else its segment is the index now: interrupted after the TOC was written
        sums = integrity.sums_name(writer.indexname, writer.generation)
        doomed += [n for n in storage.list() if n.startswith(prefix) or n.startswith(sums)]
    written = 0
    for name in doomed:
        with contextlib.suppress(OSError):
            written += storage.file_length(name)
    tmp_folder = getattr(writer, "_tempstorage", None)
    if tmp_folder is not None:
        with contextlib.suppress(OSError):
            written += sum(entry.stat().st_size for entry in os.scandir(tmp_folder.folder))
    steps = [writer.perdocwriter.close, writer.fieldwriter.close, writer.pool.cleanup]
    if tmp_folder is not None:
        steps.append(tmp_folder.destroy)
    if writer.writelock is not None:
        steps.append(writer.writelock.release)
    for step in steps:
        with contextlib.suppress(Exception):  # each is tried: one failing must not keep the others
            step()
    for f in list(getattr(storage, "written", ())):  # a close that failed (its flush) leaves the file open
        if not f.is_closed:
            with contextlib.suppress(Exception):
                f.file.close()  # closes the descriptor even when the flush fails: the space is freed
    writer.is_closed = True
    for name in doomed:
        with contextlib.suppress(OSError):
            storage.delete_file(name)
    return written


def clean_files(storage: Any, indexname: str = INDEX_NAME) -> None:
    """Deletes files no kept generation needs: kept are the newest `KEEP_GENERATIONS` TOCs and any younger
    than `KEEP_SECONDS`, so that a reader that just listed the folder still finds what its TOC names."""
    names = storage.list()
    now = time.time()
    gens = _generations(storage)
    keep_gens: set[int] = set(gens[:KEEP_GENERATIONS])
    for gen in gens[KEEP_GENERATIONS:]:
        try:
            if now - storage.file_modified(TOC._filename(indexname, gen)) < KEEP_SECONDS:
                keep_gens.add(gen)
        except OSError:
            pass
    keep_segments: set[str] = set()
    for gen in keep_gens:
        try:
            toc = read_toc(storage, indexname, gen)
        except Exception:
            continue  # unreadable: its files are not protected
        keep_segments.update(s.segment_id() for s in toc.segments)
    doomed = []
    for name in names:
        gen_m, seg_m = _TOC_RE.match(name) or _SUMS_RE.match(name), _SEG_RE.match(name)
        if (gen_m and int(gen_m.group(1)) not in keep_gens) or (seg_m and seg_m.group(1) not in keep_segments):
            doomed.append(name)
        elif _TOC_TMP_RE.match(name) or _SUMS_TMP_RE.match(name):  # left by a crash during a commit
            with contextlib.suppress(OSError):
                if now - storage.file_modified(name) > KEEP_SECONDS:
                    doomed.append(name)
    for name in doomed:
        with contextlib.suppress(OSError):  # open elsewhere (Windows) or gone: a later cleanup takes it
            storage.delete_file(name)


def is_index_file(name: str) -> bool:
    """True for the files whoosh keeps in an index folder (TOCs, segments, its lock and temp folder)."""
    return bool(
        _TOC_RE.match(name) or _TOC_TMP_RE.match(name) or _SEG_RE.match(name) or _SUMS_RE.match(name)
        or _SUMS_TMP_RE.match(name)
        or name in (f"{INDEX_NAME}_WRITELOCK", f"{INDEX_NAME}.tmp")
    )


def open_dir(folder: str | os.PathLike[str]) -> SafeFileIndex:
    """Opens the index in ``folder`` (raises whoosh's `EmptyIndexError` when there is none)."""
    return SafeFileIndex(SafeStorage(str(folder)), indexname=INDEX_NAME)


def create_dir(folder: str | os.PathLike[str], schema: Schema) -> SafeFileIndex:
    """A new, empty index in ``folder`` written as one more generation: atomic, and readers of the old
    index see either all of it or the new empty one. Callers hold the `WriterLock`."""
    storage = SafeStorage(str(folder))
    storage.create()
    gens = _generations(storage)
    gen = gens[0] + 1 if gens else 0
    write_toc(storage, INDEX_NAME, gen, schema, [])
    clean_files(storage)
    return SafeFileIndex(storage, indexname=INDEX_NAME)


NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
WRITE_ERRORS = NO_SPACE | NOT_WRITABLE | {errno.EIO}


def write_error(exc: OSError, folder: str | os.PathLike[str], written: int = 0) -> SearchidxError:
    """The one-line error for a write that failed in ``folder`` (``exc.errno`` in `WRITE_ERRORS`), after what
    it had started was removed; ``written``: the bytes the failed commit had written (see `discard`)."""
    if exc.errno in NOT_WRITABLE:
        return not_writable(folder, exc)
    kept = "the index is as it was at its last commit"
    if exc.errno not in NO_SPACE:
        return DiskFullError(f"writing the index at {folder} failed ({exc.strerror}); {kept}; check the disk, "
                             "then run the same command again")
    try:
        st = os.statvfs(folder)
        free = f"{st.f_bavail * st.f_frsize / 1e6:.1f} MB are free"
    except OSError:
        free = "the free space is unknown"
    need = f"more than the {written / 1e6:.1f} MB it had written when the disk filled up" if written else "more"
    return DiskFullError(f"no space left to write the index at {folder} ({exc.strerror}): the commit needs {need}, "
                         f"{free}; {kept}: free some space and run the same command again")


def lock_for(ix: WhooshIndex, wait: float = 0.0) -> WriterLock | None:
    """The `WriterLock` of an on-disk index (None for an in-memory one)."""
    storage = getattr(ix, "storage", None)
    return WriterLock(storage.folder, wait) if isinstance(storage, FileStorage) and storage.folder else None
