"""Writing articles into the index: incremental by file content, batched commits, one writer at a time
(the crash-safe storage underneath is `searchidx.engines.whoosh.storage`)."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.index import Index as WhooshIndex
from whoosh.index import LockError
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from searchidx import corpus
from searchidx.engines.whoosh import codec, parallel, pool
from searchidx.engines.whoosh.documents import to_document
from searchidx.engines.whoosh.schema import pre_analyze
from searchidx.engines.whoosh.storage import WRITE_ERRORS, committed, discard, lock_for, write_error
from searchidx.entities import article_entities
from searchidx.errors import IndexLockedError, Interrupted, raise_if_stop_requested
from searchidx.models import Article, IndexReport, Problem

if TYPE_CHECKING:

    from searchidx.entities import Extractor

Source = str | os.PathLike[str] | Article
ProblemHandler = Callable[[Problem], None]
ProgressHandler = Callable[[int], None]
#: The writer's posting pool, before it spills a sorted run (`pool.CompactPool`: ~11 KB of it per news article).
#: 1M articles: 47 runs at 256 MB, 24 at 512 (commit ~370 -> ~233 s), 12 at 1,024 (build 1,603 -> 1,431 s with
#: the C MinHash); the writer then held <= 1.4 GB while adding, and the peak RSS of the build is ~2.0 GB
#: (BENCHMARKS.md, rounds 11 and 12).
WRITER_MB = 1024
#: Article text beyond this many characters is not indexed (a 50 MB "article" is a dump, not an article).
MAX_ARTICLE_CHARS = 2_000_000


_NO_COLUMN: list[int | None] = []
_BYTE_LENGTH: list[int | None] = [None] + [byte_to_length(b) for b in range(1, 256)]


class WholeLengths:
    """The new segment's per-document reader as the commit's posting writer uses it, each field's length
    column read in one piece. Whoosh asks for a length once per posting, through three Python calls and a
    seek and one-byte read each: ~20% of the final commit (py-spy, 36k articles). Same values, ``None``
    for a zero length byte included (whoosh's `W3PerDocReader.doc_field_length`)."""

    def __init__(self, perdoc: Any) -> None:
        self._perdoc = perdoc
        self._columns: dict[str, list[int | None] | None] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._perdoc, name)

    def _column(self, fieldname: str) -> list[int | None] | None:
        """Lengths by document; `_NO_COLUMN` when the field has none; None: ask the reader each time."""
        codes = codec.length_codes(self._perdoc, fieldname)
        if codes is None:
            return None
        return [_BYTE_LENGTH[b] for b in codes] if codes else _NO_COLUMN

    def field_lengths(self, fieldname: str) -> list[int | None] | None:
        """Every document's length of ``fieldname`` (None: ask `doc_field_length` document by document)."""
        if fieldname not in self._columns:
            self._columns[fieldname] = self._column(fieldname)
        return self._columns[fieldname]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self.field_lengths(fieldname)
        if lengths is None:
            return self._perdoc.doc_field_length(docnum, fieldname, default)  # type: ignore[no-any-return]
        if lengths is _NO_COLUMN:
            return default
        return lengths[docnum] if docnum < len(lengths) else None


def _tuned(writer: SegmentWriter) -> SegmentWriter:
    """``writer`` with its postings held by term (`pool.TermPoolWriter`) and its lengths read whole
    (`WholeLengths`): the same segment files, at a fraction of the writer's CPU."""
    writer = pool.term_pool_writer(writer)
    per_document_reader = writer.per_document_reader
    writer.per_document_reader = lambda: WholeLengths(per_document_reader())
    return writer


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
        self.committed = 0  # articles added or updated by this run and committed

    def _writer(self) -> SegmentWriter:
        if self.writer is None:
            try:
                # new segments in the compact codec, on disk and in memory; segments already written keep the
                # codec recorded in the TOC, so older indexes still read
                self.writer = _tuned(self.ix.writer(limitmb=WRITER_MB, timeout=self.wait, codec=codec.default_codec()))
            except LockError as exc:
                raise IndexLockedError(
                    "the index is being updated by another process; try again when it is done "
                    "(or pass --wait SECONDS)"
                ) from exc
        return self.writer

    def commit(self) -> None:
        if self.writer is not None:
            self.writer.commit()
            self.committed = self.report.indexed  # before the writer is dropped: `cancel` counts it otherwise
            self.commits += 1
            self.writer = None
        self.pending = 0

    def cancel(self) -> int:
        """Drops what was not committed (see `storage.discard`); returns the bytes its files held."""
        written = 0
        if self.writer is not None:
            if committed(self.writer) and self.committed < self.report.indexed:  # stopped after its TOC was
                self.commits += 1  # written: the commit is done
                self.committed = self.report.indexed
            written = discard(self.writer)
            self.writer = None
        # a writer being made when the stop came is unknown here, but not its temporary folder (the lock is ours)
        folder = getattr(self.ix.storage, "folder", None)
        if folder is not None:
            shutil.rmtree(Path(folder) / f"{self.ix.indexname}.tmp", ignore_errors=True)
        with contextlib.suppress(Exception):
            self.reader.close()
        return written

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
        raise_if_stop_requested()
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
            doc = pre_analyze(to_document(article, article_entities(self.extractor, article), path_key, file_key))
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
        with contextlib.closing(parallel.prepare(articles, self.extractor)) as prepared:  # on an error too,
            for item in prepared:  # the workers stop now, not when the traceback is freed
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


def _interrupted(run: Run, signum: int) -> Interrupted:
    done = run.report.indexed
    kept = (f"{run.committed} articles added or updated by this run were committed and are kept"
            if run.committed else "nothing this run did was committed yet")
    dropped = f", {done - run.committed} not yet committed were dropped" if done > run.committed else ""
    return Interrupted(f"interrupted by {signal.Signals(signum).name}: {kept}{dropped}; run the same command "
                       "again to index the rest (only what is missing is read again)", signum)


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
    collecting = gc.isenabled()
    gc.disable()  # the posting pool's millions of young lists made every generation-0 pass costly
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
            raise_if_stop_requested()
            run.commit()
        except KeyboardInterrupt as exc:
            run.cancel()
            raise _interrupted(run, getattr(exc, "signum", signal.SIGINT)) from None
        except OSError as exc:
            written = run.cancel()
            if exc.errno in WRITE_ERRORS and lock is not None:
                raise write_error(exc, lock.path.parent, written) from exc
            raise
        except BaseException:
            run.cancel()
            raise
        run.reader.close()
    finally:
        if collecting:
            gc.enable()
        if lock is not None:
            lock.release()
    report = run.report
    report.problems = problems
    report.skipped = len(problems)
    report.seconds = time.perf_counter() - started
    return report
