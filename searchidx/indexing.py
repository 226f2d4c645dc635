"""Writing articles into the index: incremental by file content, batched commits, crash-safe, one writer at a time.

Crash safety. Whoosh keeps an index as immutable segment files plus a table of contents (``_MAIN_<gen>.toc``)
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
which files are fully indexed (see `Run.add_file`), completes the work.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import TOC, EmptyIndexError, FileIndex, LockError
from whoosh.index import Index as WhooshIndex
from whoosh.reading import IndexReader
from whoosh.writing import SegmentWriter

from searchidx import corpus, parallel
from searchidx.errors import IndexLockedError
from searchidx.locking import WriterLock
from searchidx.models import Article, Entities, IndexReport, Problem
from searchidx.schema import FACET_FIELDS, join_values, pack_facets

if TYPE_CHECKING:
    from whoosh.fields import Schema

    from searchidx.entities import Extractor

Source = str | os.PathLike[str] | Article
ProblemHandler = Callable[[Problem], None]
ProgressHandler = Callable[[int], None]
WRITER_MB = 256
INDEX_NAME = "MAIN"
KEEP_GENERATIONS = 3
KEEP_SECONDS = 10.0
#: Article text beyond this many characters is not indexed (a 50 MB "article" is a dump, not an article).
MAX_ARTICLE_CHARS = 2_000_000
_TOC_RE = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")
_TOC_TMP_RE = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc\.[0-9.]+$")
_SEG_RE = re.compile(rf"^({INDEX_NAME}_[0-9a-z]+)\.[A-Za-z0-9_.]+$")


# ------------------------------------------------------------------------------------------- storage

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


class SafeStorage(FileStorage):  # type: ignore[misc]
    """A whoosh `FileStorage` whose files reach the disk before any TOC can name them, and whose compound
    segments are read through a map without copies (`_SegmentFile`)."""

    sync = True

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self.supports_mmap = False  # whoosh's CompoundStorage then asks our file for each sub-file

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        if not name.endswith(".seg") or kwargs:
            return super().open_file(name, **kwargs)
        return _SegmentFile(open(self._fpath(name), "rb"), name=name)  # noqa: SIM115 (closed by whoosh)

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> StructFile:
        f = super().create_file(name, excl=excl, mode=mode, **kwargs)
        if self.sync:
            f.onclose = _fsync_on_close
        return f

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        os.replace(self._fpath(oldname), self._fpath(newname))
        if self.sync:
            _fsync_dir(self.folder)


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
    for _attempt in range(5):
        names = set(storage.list())
        gens = sorted((int(m.group(1)) for n in names if (m := _TOC_RE.match(n))), reverse=True)
        if not gens:
            raise EmptyIndexError(f"no index in {storage}")
        for gen in gens:
            try:
                toc = TOC.read(storage, indexname, gen=gen, schema=schema)
            except FileNotFoundError:
                continue  # removed by a writer's cleanup since the listing: a newer one exists
            except Exception as exc:  # a torn or foreign TOC: try the previous generation
                errors.append(f"generation {gen}: {type(exc).__name__}: {exc}")
                continue
            if _segment_files_present(storage, toc, names):
                return toc
            errors.append(f"generation {gen}: segment files missing")
        time.sleep(0.02)
    raise OSError("no readable generation (" + "; ".join(errors[-3:]) + ")")


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


class SafeSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """A whoosh `SegmentWriter` that fsyncs (through `SafeStorage`) and cleans up late (see module doc)."""

    def _commit_toc(self, segments: list[Any]) -> None:
        stale = TOC._filename(self.indexname, self.generation)
        if self.storage.file_exists(stale):  # a torn TOC that `read_valid_toc` skipped: ours replaces it
            self.storage.delete_file(stale)
        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
        clean_files(self.storage, self.indexname)


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
            toc = TOC.read(storage, indexname, gen=gen)
        except Exception:
            continue  # unreadable: its files are not protected
        keep_segments.update(s.segment_id() for s in toc.segments)
    doomed = []
    for name in names:
        toc_m, seg_m = _TOC_RE.match(name), _SEG_RE.match(name)
        if (toc_m and int(toc_m.group(1)) not in keep_gens) or (seg_m and seg_m.group(1) not in keep_segments):
            doomed.append(name)
        elif _TOC_TMP_RE.match(name):  # left by a crash during a TOC write
            with contextlib.suppress(OSError):
                if now - storage.file_modified(name) > KEEP_SECONDS:
                    doomed.append(name)
    for name in doomed:
        with contextlib.suppress(OSError):  # open elsewhere (Windows) or gone: a later cleanup takes it
            storage.delete_file(name)


def is_index_file(name: str) -> bool:
    """True for the files whoosh keeps in an index folder (TOCs, segments, its lock and temp folder)."""
    return bool(
        _TOC_RE.match(name) or _TOC_TMP_RE.match(name) or _SEG_RE.match(name)
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
    stale = TOC._filename(INDEX_NAME, gen)
    if storage.file_exists(stale):
        storage.delete_file(stale)
    TOC(schema, [], gen).write(storage, INDEX_NAME)
    clean_files(storage)
    return SafeFileIndex(storage, indexname=INDEX_NAME)


def lock_for(ix: WhooshIndex, wait: float = 0.0) -> WriterLock | None:
    """The `WriterLock` of an on-disk index (None for an in-memory one)."""
    storage = getattr(ix, "storage", None)
    return WriterLock(storage.folder, wait) if isinstance(storage, FileStorage) and storage.folder else None


def to_document(article: Article, entities: Entities | None, path_key: str = "", file_key: str = "") -> dict[str, Any]:
    """The Whoosh document of an article: searchable text, stored fields, facet keys and the facet column."""
    ents = entities or Entities()
    date = article.date or ""
    values: dict[str, list[str]] = {
        "person": list(ents.person),
        "org": list(ents.org),
        "place": list(ents.place),
        "source": [article.source] if article.source else [],
        "year": [date[:4]] if len(date) >= 4 else [],
        "month": [date[:7]] if len(date) >= 7 else [],
    }
    extra: dict[str, Any] = {
        k: v
        for k, v in (
            ("source", article.source), ("url", article.url), ("author", article.author),
            ("section", article.section), ("lede", article.lede),
        )
        if v
    }
    if ents:
        extra["entities"] = ents.as_dict()
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": f"{article.lede}\n\n{article.body}" if article.lede else article.body,
        "_stored_body": article.body,
        "extra": extra,
        "facets": pack_facets(values),
    }
    if path_key:
        doc["path"] = path_key
    if file_key:
        doc["file_key"] = file_key
    if date:
        doc["date"] = date
    for name in FACET_FIELDS:
        if values[name]:
            doc[name] = join_values(values[name])
    return doc


def extract(extractor: Extractor | None, article: Article) -> Entities | None:
    if extractor is None:
        return None
    text = f"{article.lede}\n{article.body}" if article.lede else article.body
    return extractor.extract(article.title, text)


def _path_key(path: Path) -> str:
    return str(path.resolve())


def live_docs(reader: IndexReader, field: str, text: str) -> list[int]:
    """Document numbers holding ``field:text``, deleted ones excluded (``doc_frequency`` counts those too)."""
    try:
        return list(reader.postings(field, text).all_ids())
    except Exception:  # TermNotFound
        return []


def _origin(article: Article, shown: str) -> tuple[str, int | None]:
    """Where an article came from, for messages: (path as shown to the user, line)."""
    return (shown or article.path or f"article {article.id!r}"), article.line


class Run:
    """One indexing run: a writer, the counts, and a commit every ``commit_every`` articles.

    Incremental rule: a file is *indexed as it is now* when the index holds its ``file_key`` (resolved path +
    content digest). That key is written on the file's last article only, and only when every article of the
    file went in, so a file cut short by a commit and a crash, or with an article refused as a duplicate,
    is read again on the next run (its old articles are deleted first). Files that gave no article are also
    read again each run (and reported again).

    Duplicate ids: the first article indexed with an id wins, whether it was indexed by an earlier run or
    met earlier in this run (files are read in sorted path order); a later article with the same id from
    another file is skipped with a warning naming both files. Articles passed as objects replace any
    article with their id.
    """

    def __init__(self, ix: WhooshIndex, extractor: Extractor | None, commit_every: int,
                 on_problem: ProblemHandler, progress: ProgressHandler | None, wait: float) -> None:
        self.ix = ix
        self.extractor = extractor
        self.commit_every = commit_every
        self.on_problem = on_problem
        self.progress = progress
        self.wait = wait
        self.report = IndexReport()
        self.reader: IndexReader = ix.reader()
        self.writer: SegmentWriter | None = None
        self.pending = 0
        self.seen_paths: set[str] = set()
        self.replaced_paths: set[str] = set()  # paths whose old articles this run deletes
        self.id_origin: dict[str, str] = {}
        self.commits = 0

    def _writer(self) -> SegmentWriter:
        if self.writer is None:
            try:
                self.writer = self.ix.writer(limitmb=WRITER_MB, timeout=self.wait)
            except LockError as exc:
                raise IndexLockedError(
                    "the index is being updated by another process; try again when it is done "
                    "(or pass --wait SECONDS)"
                ) from exc
        return self.writer

    def commit(self) -> None:
        if self.writer is not None:
            self.writer.commit()
            self.writer = None
            self.commits += 1
        self.pending = 0

    def cancel(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None
        self.reader.close()

    def _indexed_path(self, id: str) -> str | None:
        """The stored path of the live article with this id, "" for one without a file, None if absent."""
        docs = live_docs(self.reader, "id", id)
        if not docs:
            return None
        return str(self.reader.stored_fields(docs[0]).get("path") or "")

    def add_article(self, article: Article, path_key: str = "", file_key: str = "", shown: str = "",
                    prepared: dict[str, Any] | None = None) -> bool:
        """Adds (or replaces) one article; False when it was skipped as a duplicate id.

        ``prepared``: its document made by `parallel.prepare` (entities extracted, text analysed)."""
        where, line = _origin(article, shown)
        origin = f"{where}:{line}" if line else where
        earlier = self.id_origin.get(article.id)
        if path_key and earlier is not None and earlier != origin:
            self.on_problem(Problem(where, f"duplicate id {article.id!r}, first met in {earlier}; "
                                           "skipped (the first one indexed wins)", line))
            return False
        indexed = self._indexed_path(article.id)
        if path_key and indexed and indexed != path_key and indexed not in self.replaced_paths:
            self.on_problem(Problem(where, f"duplicate id {article.id!r}, already indexed from {indexed}; "
                                           "skipped (the first one indexed wins)", line))
            return False
        self.id_origin[article.id] = origin
        if indexed is not None:
            self.report.updated += 1
        else:
            self.report.added += 1
        capped = _capped(article, where, self.on_problem)
        if prepared is not None and capped is article:
            doc = prepared | {k: v for k, v in (("path", path_key), ("file_key", file_key)) if v}
        else:
            article = capped
            doc = to_document(article, extract(self.extractor, article), path_key,
                              file_key)
        self._writer().update_document(**doc)
        self.pending += 1
        if self.progress:
            self.progress(1)
        if self.commit_every and self.pending >= self.commit_every:
            self.commit()
        return True

    def add_file(self, path: Path, root: Path) -> None:
        path_key = _path_key(path)
        shown = corpus._display(path)
        try:
            digest = corpus.file_digest(path)
        except OSError as exc:
            self.on_problem(Problem(shown, corpus._os_reason(exc, path)))
            return
        file_key = f"{path_key}\x00{digest}"
        if live_docs(self.reader, "file_key", file_key):
            n = len(live_docs(self.reader, "path", path_key))
            self.report.unchanged += n
            if self.progress:
                self.progress(n)
            return
        if live_docs(self.reader, "path", path_key):
            self._writer().delete_by_term("path", path_key)
            self.replaced_paths.add(path_key)
        complete = True
        last: tuple[Article, dict[str, Any]] | None = None
        articles = (_capped(a, shown, self.on_problem) for a in corpus.read_file(path, root, self.on_problem))
        for item in parallel.prepare(articles, self.extractor):
            if last is not None:
                complete = self.add_article(last[0], path_key, "", shown, last[1]) and complete
            last = item
        if last is not None:
            self.add_article(last[0], path_key, file_key if complete else "", shown, last[1])

    def prune(self, roots: list[Path]) -> None:
        """Removes the articles of files under ``roots`` that were not found this run."""
        prefixes = tuple(_path_key(r) + os.sep for r in roots)
        if not prefixes:
            return
        for raw in list(self.reader.lexicon("path")):
            key = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            if key.startswith(prefixes) and key not in self.seen_paths:
                n = len(live_docs(self.reader, "path", key))
                if n:
                    self.report.removed += n
                    self._writer().delete_by_term("path", key)
                    self.replaced_paths.add(key)


def _capped(article: Article, where: str, on_problem: ProblemHandler) -> Article:
    """The article with its body cut at `MAX_ARTICLE_CHARS` (reported), so one huge file cannot stall a run."""
    if len(article.body) <= MAX_ARTICLE_CHARS:
        return article
    import dataclasses

    on_problem(Problem(where, f"article of {len(article.body):,} characters; only the first "
                              f"{MAX_ARTICLE_CHARS:,} are indexed", article.line))
    cut = article.body.rfind(" ", 0, MAX_ARTICLE_CHARS)
    return dataclasses.replace(article, body=article.body[: cut if cut > 0 else MAX_ARTICLE_CHARS])


def add(
    ix: WhooshIndex,
    sources: Iterable[Source],
    extractor: Extractor | None,
    *,
    on_problem: ProblemHandler | None = None,
    progress: ProgressHandler | None = None,
    prune: bool = True,
    commit_every: int = 0,
    wait: float = 0.0,
) -> IndexReport:
    """Adds files, folders and ``Article`` objects under the writer lock; see ``Index.add`` and `Run`.

    Order of work: the folders are listed first; with ``prune``, articles of files that vanished from a
    given folder are deleted; then files are read in sorted order, committing every ``commit_every``
    articles (0: once at the end). Each commit is a consistent state a crash falls back to.
    """
    started = time.perf_counter()
    problems: list[Problem] = []

    def report_problem(problem: Problem) -> None:
        problems.append(problem)
        if on_problem:
            on_problem(problem)

    lock = lock_for(ix, wait)
    if lock is not None:
        lock.acquire()
    try:
        run = Run(ix, extractor, commit_every, report_problem, progress, wait)
        try:
            articles: list[Article] = []
            paths: list[str | os.PathLike[str]] = []
            for source in sources:
                if isinstance(source, Article):
                    articles.append(source)
                else:
                    paths.append(source)
            files = list(corpus.iter_files([os.fspath(p) for p in paths], report_problem)) if paths else []
            run.seen_paths = {_path_key(path) for path, _root in files}
            if prune:
                run.prune([Path(p) for p in paths if Path(p).is_dir()])
            for article in articles:
                run.add_article(article)
            for path, root in files:
                run.add_file(path, root)
            run.commit()
        except BaseException:
            run.cancel()
            raise
        run.reader.close()
    finally:
        if lock is not None:
            lock.release()
    report = run.report
    report.problems = problems
    report.skipped = len(problems)
    report.seconds = time.perf_counter() - started
    return report
