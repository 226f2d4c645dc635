"""Writing articles into the index: incremental by file content, batched commits, one writer at a time."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.index import Index as WhooshIndex
from whoosh.index import LockError
from whoosh.writing import IndexWriter

from searchidx import corpus
from searchidx.errors import IndexLockedError
from searchidx.models import Article, Entities, IndexReport, Problem
from searchidx.schema import FACET_FIELDS, join_values, pack_facets

if TYPE_CHECKING:
    from searchidx.entities import Extractor

Source = str | os.PathLike[str] | Article
ProblemHandler = Callable[[Problem], None]
ProgressHandler = Callable[[int], None]
WRITER_MB = 256


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
    extra = {
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


class Run:
    """One indexing run: a writer, the counts, and a commit every ``commit_every`` articles."""

    def __init__(self, ix: WhooshIndex, extractor: Extractor | None, commit_every: int,
                 on_problem: ProblemHandler, progress: ProgressHandler | None, wait: float) -> None:
        self.ix = ix
        self.extractor = extractor
        self.commit_every = commit_every
        self.on_problem = on_problem
        self.progress = progress
        self.wait = wait
        self.report = IndexReport()
        self.reader = ix.reader()
        self.writer: IndexWriter | None = None
        self.pending = 0
        self.seen_paths: set[str] = set()
        self.id_origin: dict[str, str] = {}

    def _writer(self) -> IndexWriter:
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
        self.pending = 0

    def cancel(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None
        self.reader.close()

    def add_article(self, article: Article, path_key: str = "", file_key: str = "") -> None:
        origin = f"{article.path or path_key}" + (f":{article.line}" if article.line else "")
        earlier = self.id_origin.get(article.id)
        if earlier is not None:
            self.on_problem(Problem(origin, f"duplicate id {article.id!r}, also in {earlier}; the later one wins"))
        self.id_origin[article.id] = origin
        if self.reader.doc_frequency("id", article.id):
            self.report.updated += 1
        else:
            self.report.added += 1
        doc = to_document(article, extract(self.extractor, article), path_key, file_key)
        self._writer().update_document(**doc)
        self.pending += 1
        if self.progress:
            self.progress(1)
        if self.commit_every and self.pending >= self.commit_every:
            self.commit()

    def add_file(self, path: Path, root: Path) -> None:
        path_key = _path_key(path)
        self.seen_paths.add(path_key)
        try:
            digest = corpus.file_digest(path)
        except OSError as exc:
            self.on_problem(Problem(str(path), f"cannot read: {exc.strerror or exc}"))
            return
        file_key = f"{path_key}\x00{digest}"
        if self.reader.doc_frequency("file_key", file_key):
            n = self.reader.doc_frequency("path", path_key)
            self.report.unchanged += n
            if self.progress:
                self.progress(n)
            return
        if self.reader.doc_frequency("path", path_key):
            self._writer().delete_by_term("path", path_key)
        for article in corpus.read_file(path, root, self.on_problem):
            self.add_article(article, path_key, file_key)

    def prune(self, roots: list[Path]) -> None:
        """Removes the articles of files under ``roots`` that no longer exist."""
        prefixes = tuple(_path_key(r) + os.sep for r in roots)
        if not prefixes:
            return
        for raw in self.reader.lexicon("path"):
            key = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            if key.startswith(prefixes) and key not in self.seen_paths:
                self.report.removed += self.reader.doc_frequency("path", key)
                self._writer().delete_by_term("path", key)


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
    """Adds files, folders and ``Article`` objects; see ``Index.add``."""
    started = time.perf_counter()
    problems: list[Problem] = []

    def report_problem(problem: Problem) -> None:
        problems.append(problem)
        if on_problem:
            on_problem(problem)

    run = Run(ix, extractor, commit_every, report_problem, progress, wait)
    try:
        paths: list[str | os.PathLike[str]] = []
        for source in sources:
            if isinstance(source, Article):
                run.add_article(source)
            else:
                paths.append(source)
        for path, root in corpus.iter_files(paths):
            run.add_file(path, root)
        if prune:
            run.prune([Path(p) for p in paths if Path(p).is_dir()])
        run.commit()
    except BaseException:
        run.cancel()
        raise
    run.reader.close()
    report = run.report
    report.problems = problems
    report.skipped = len(problems)
    report.seconds = time.perf_counter() - started
    return report


