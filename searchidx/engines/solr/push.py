"""Sending articles to a SolrCloud collection: incremental by content hash, state kept in the collection.

Each Solr document carries ``content_hash`` (a digest of the article as read and of the extractor's name)
and ``path`` (the resolved file it came from). A push first reads those two fields of every document
(cursor paging), then sends only the new and changed articles, and deletes the articles of files that
vanished from a pushed folder and those a re-read file no longer holds. So the state lives in the collection
itself: a push from another machine, or one resumed after a failure, sends exactly what is missing, and the
unique ``id`` guarantees each article is present once.

Entities are extracted locally, in worker processes as ``searchidx index`` does; batches of `BATCH`
documents go out with the client's retries and back-off (`client.SolrClient`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from searchidx import corpus
from searchidx.analysis import lead_pairs, word_forms
from searchidx.engines.solr.client import SolrClient
from searchidx.engines.solr.configset import ENTITY_FIELDS, SCHEMA_NAME, SCHEMA_VERSION, zip_configset
from searchidx.entities import article_entities
from searchidx.errors import IndexCorruptError
from searchidx.fields import facet_key
from searchidx.models import Article, Entities, IndexReport, Problem

if TYPE_CHECKING:
    from searchidx.entities import Extractor

__all__ = ["BATCH", "check_schema", "ensure_collection", "push", "push_articles", "to_solr"]

BATCH = 500  # documents per update request
WORKERS = 2
CHUNK = 32  # articles per extraction task
_IN_FLIGHT = 8  # chunks queued per worker
ProblemHandler = Callable[[Problem], None]
ProgressHandler = Callable[[int], None]


def ensure_collection(client: SolrClient, name: str, shards: int, replicas: int, *,
                      distributed_idf: bool = True) -> bool:
    """Creates collection ``name`` with the searchidx configset unless it exists (made by this version:
    `check_schema`); True when created."""
    if name in client.collections():
        check_schema(client, name)
        return False
    config = f"searchidx-{name}"
    client.upload_configset(config, zip_configset(distributed_idf))
    client.create_collection(name, config, shards, replicas)
    return True


#: Copies of the title in the ``article`` field: a word of the title counts as much as 3 of the body, as in
#: the local article-level BM25 (`searchidx.engines.whoosh.ranking.Ranking.title`).
ARTICLE_TITLE = 3


def check_schema(client: SolrClient, name: str) -> None:
    """`IndexCorruptError` (exit 3) when collection ``name`` was made with another version's configset: its
    fields are not the ones this version sends and searches."""
    found = client.schema_name(name)
    if found != SCHEMA_NAME:
        raise IndexCorruptError(
            f"the Solr collection {name!r} was made by another version of searchidx (schema {found!r}, this one "
            f"reads {SCHEMA_NAME!r}); run `searchidx solr push --recreate -c {name}` to make it again")


def content_hash(article: Article, extractor: str) -> str:
    fields = [SCHEMA_VERSION, extractor, article.id, article.title, article.body, article.date, article.source,
              article.url, article.author, article.section, article.lede]
    return hashlib.blake2b(json.dumps(fields, ensure_ascii=False).encode("utf-8"), digest_size=16).hexdigest()


def _instant(date: str) -> str | None:
    """A (possibly partial) ISO date as a Solr date point: the first instant of that day, month or year."""
    parts = date.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z"


def to_solr(article: Article, entities: Entities | None, path_key: str, digest: str, extractor: str) -> dict[str, Any]:
    """The Solr document of an article: the fields of the local index, facets as display, key and pair."""
    ents = entities or Entities()
    date = article.date or ""
    body = f"{article.lede}\n\n{article.body}" if article.lede else article.body
    (title_exact, title_stems), (body_exact, body_stems) = word_forms(article.title), word_forms(body)
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": body,
        # the ranking's fields: the article as one text, a title occurrence counting `ARTICLE_TITLE`; the
        # exact forms and pairs as the local index has them (`searchidx.engines.whoosh.schema.pre_analyze`)
        "article": [article.title] * ARTICLE_TITLE + [body],
        "title_exact": " ".join(title_exact),
        "body_exact": " ".join(body_exact),
        "pairs": lead_pairs(title_stems) + lead_pairs(body_stems),
        "content_hash": digest,
        "extractor": extractor,
        "schema_version": SCHEMA_VERSION,
    }
    for name, value in (("url", article.url), ("author", article.author), ("section", article.section),
                        ("lede", article.lede), ("path", path_key)):
        if value:
            doc[name] = value
    if date:
        doc["date"] = date
        instant = _instant(date)
        if instant:
            doc["date_dt"] = instant
    values: dict[str, list[str]] = {name: list(getattr(ents, name)) for name in ENTITY_FIELDS}
    values["source"] = [article.source] if article.source else []
    values["year"] = [date[:4]] if len(date) >= 4 else []
    values["month"] = [date[:7]] if len(date) >= 7 else []
    for name, shown in values.items():
        keyed = [(facet_key(v), v) for v in shown if facet_key(v)]
        if not keyed:
            continue
        multi = name in ENTITY_FIELDS
        doc[name] = [v for _, v in keyed] if multi else keyed[0][1]
        doc[f"{name}_key"] = [k for k, _ in keyed] if multi else keyed[0][0]
        doc[f"{name}_pair"] = [f"{k}\x1f{v}" for k, v in keyed] if multi else f"{keyed[0][0]}\x1f{keyed[0][1]}"
    return doc


def existing(client: SolrClient, collection: str) -> dict[str, tuple[str, str]]:
    """``id -> (content_hash, path)`` of every document in the collection (cursor paging, 10,000 a page)."""
    out: dict[str, tuple[str, str]] = {}
    cursor = "*"
    while True:
        data = client.select(collection, {"q": "*:*", "fl": "id,content_hash,path", "sort": "id asc",
                                          "rows": 10000, "cursorMark": cursor})
        for doc in data["response"]["docs"]:
            out[str(doc["id"])] = (str(doc.get("content_hash", "")), str(doc.get("path", "")))
        nxt = str(data.get("nextCursorMark", cursor))
        if nxt == cursor:
            return out
        cursor = nxt


# -- entity extraction in worker processes --------------------------------------------------------------

_extractor: Extractor | None = None


def _init(extractor: Extractor | None) -> None:
    global _extractor
    _extractor = extractor


def _extract_chunk(chunk: list[Article]) -> list[Entities | None]:
    return [article_entities(_extractor, a) for a in chunk]


def _workers() -> int:
    env = os.environ.get("SEARCHIDX_WORKERS")
    if env is not None and env.strip().isdigit():
        return int(env)
    return min(WORKERS, os.cpu_count() or 1)


def with_entities(items: Iterable[tuple[Article, Any]], extractor: Extractor | None
                  ) -> Iterator[tuple[Article, Any, Entities | None]]:
    """``(article, tag, entities)`` in input order; extraction in worker processes when there are several."""
    stream = iter(items)
    n = _workers()
    if extractor is None or n < 2:
        for article, tag in stream:
            yield article, tag, article_entities(extractor, article)
        return
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    pool = ProcessPoolExecutor(n, mp_context=context, initializer=_init, initargs=(extractor,))
    try:
        chunks = iter(lambda: list(itertools.islice(stream, CHUNK)), [])
        pending: list[tuple[list[tuple[Article, Any]], Future[list[Entities | None]]]] = []
        for chunk in itertools.islice(chunks, n * _IN_FLIGHT):
            pending.append((chunk, pool.submit(_extract_chunk, [a for a, _ in chunk])))
        while pending:
            chunk, future = pending.pop(0)
            found = future.result()
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(_extract_chunk, [a for a, _ in nxt])))
            for (article, tag), ents in zip(chunk, found, strict=True):
                yield article, tag, ents
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# -- the push ----------------------------------------------------------------------------------------------

class _Sender:
    """Batches of documents and deletions, each sent with the client's retries."""

    def __init__(self, client: SolrClient, collection: str, progress: ProgressHandler | None) -> None:
        self.client = client
        self.collection = collection
        self.progress = progress
        self.docs: list[dict[str, Any]] = []

    def add(self, doc: dict[str, Any]) -> None:
        self.docs.append(doc)
        if len(self.docs) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.docs:
            self.client.update(self.collection, self.docs)
            if self.progress:
                self.progress(len(self.docs))
            self.docs = []

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), BATCH):
            self.client.update(self.collection, {"delete": ids[i:i + BATCH]})

    def commit(self) -> None:
        self.flush()
        self.client.update(self.collection, {"commit": {}})


def push_articles(client: SolrClient, collection: str, articles: Iterable[tuple[Article, str]],
                  extractor: Extractor | None, extractor_name: str, *, prune_roots: Iterable[Path] = (),
                  read_paths: Iterable[str] | None = None, on_problem: ProblemHandler | None = None,
                  progress: ProgressHandler | None = None, entities_known: bool = False) -> IndexReport:
    """Sends ``(article, path key)`` pairs that are new or changed, then removes what vanished.

    Removed: documents whose path lies under one of ``prune_roots`` and was not met, and documents of a
    path in ``read_paths`` (files read this run) whose id was not met. With ``entities_known`` the articles'
    own ``entities`` are sent (``--from-index``) and nothing is extracted."""
    started = time.perf_counter()
    report = IndexReport()
    problems: list[Problem] = []

    def problem(p: Problem) -> None:
        problems.append(p)
        if on_problem:
            on_problem(p)

    state = existing(client, collection)
    seen: dict[str, str] = {}  # id -> where it was first met, for duplicate reports
    sender = _Sender(client, collection, progress)

    def changed() -> Iterator[tuple[Article, tuple[str, str]]]:
        for article, path_key in articles:
            where = f"{article.path or path_key}:{article.line}" if article.line else (article.path or path_key)
            first = seen.get(article.id)
            if first is not None:
                problem(Problem(article.path or path_key or f"article {article.id!r}",
                                f"duplicate id {article.id!r}, first met in {first}; skipped (the first one wins)",
                                article.line))
                continue
            seen[article.id] = where
            digest = content_hash(article, extractor_name)
            old = state.get(article.id)
            if old is not None and old[0] == digest:
                report.unchanged += 1
                if progress:
                    progress(1)
                continue
            if old is None:
                report.added += 1
            else:
                report.updated += 1
            yield article, (path_key, digest)

    found = ((a, tag, a.entities) for a, tag in changed()) if entities_known else with_entities(changed(), extractor)
    for article, (path_key, digest), ents in found:
        sender.add(to_solr(article, ents, path_key, digest, extractor_name))
    sender.flush()

    prefixes = tuple(str(Path(r).resolve()) + os.sep for r in prune_roots)
    read = set(read_paths or ())
    gone = [i for i, (_, path) in state.items() if i not in seen and path
            and (path in read or (prefixes and path.startswith(prefixes)))]
    sender.delete(gone)
    report.removed = len(gone)
    sender.commit()
    report.problems = problems
    report.skipped = len(problems)
    report.seconds = time.perf_counter() - started
    return report


def from_local_index(folder: str | os.PathLike[str]) -> tuple[str, Iterator[tuple[Article, str]]]:
    """The extractor name and the ``(article, path)`` pairs of a local index, entities as indexed
    (``searchidx solr push --from-index``)."""
    from searchidx.engines.whoosh.documents import from_stored
    from searchidx.engines.whoosh.engine import WhooshBackend

    local = WhooshBackend.open(folder)

    def articles() -> Iterator[tuple[Article, str]]:
        try:
            for stored in local.searcher().all_stored_fields():
                article = from_stored(stored)
                yield article, article.path or ""
        finally:
            local.close()

    return local.extractor, articles()


def _file_articles(paths: list[str], on_problem: ProblemHandler, read: set[str]) -> Iterator[tuple[Article, str]]:
    for path, root in corpus.iter_files(paths, on_problem):
        key = str(path.resolve())
        read.add(key)
        for article in corpus.read_file(path, root, on_problem):
            yield article, key


def push(client: SolrClient, collection: str, paths: list[str], extractor: Extractor | None, extractor_name: str,
         *, prune: bool = True, on_problem: ProblemHandler | None = None,
         progress: ProgressHandler | None = None) -> IndexReport:
    """Pushes files and folders (recursively) as ``searchidx index`` reads them."""
    corpus.iter_files(paths)  # a missing path fails now (InputError), before anything is sent
    read: set[str] = set()
    file_problems: list[Problem] = []

    def report_problem(p: Problem) -> None:
        file_problems.append(p)
        if on_problem:
            on_problem(p)

    roots = [Path(p) for p in paths if Path(p).is_dir()] if prune else []
    report = push_articles(client, collection, _file_articles(paths, report_problem, read), extractor,
                           extractor_name, prune_roots=roots, read_paths=read, on_problem=on_problem,
                           progress=progress)
    report.problems = file_problems + report.problems
    report.skipped = len(report.problems)
    return report
