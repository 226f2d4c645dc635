"""Preparing Whoosh documents in worker processes, so indexing uses both cores.

Why: Whoosh writes one segment from one process, and most of the per-article CPU goes into work that does
not need the writer: entity extraction, then analysing title and body into terms and position lists.
Workers do that and send back documents whose text fields are already ``PreAnalyzed``; the writer (one
``Run``, one process) only adds the postings, sorts and writes them.  Results come back in input order,
so duplicate ids resolve exactly as in a sequential run.  Small inputs (under ``MIN_PARALLEL`` articles)
are prepared inline: starting workers costs more than it saves.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from searchidx.engines.whoosh.documents import to_document
from searchidx.engines.whoosh.schema import pre_analyze
from searchidx.entities import article_entities
from searchidx.models import Article

if TYPE_CHECKING:
    from searchidx.entities import Extractor

WORKERS = 2
CHUNK = 32  # articles per task: large enough to amortise pickling, small enough to keep workers busy
MIN_PARALLEL = 512
_IN_FLIGHT = 8  # chunks submitted ahead per worker: bounds memory on a streamed input

_extractor: Extractor | None = None


def _init(extractor: Extractor | None) -> None:
    global _extractor
    _extractor = extractor


def prepare_one(article: Article, extractor: Extractor | None) -> dict[str, Any]:
    """The Whoosh document of one article (without path keys), entities extracted and text fields analysed."""
    return pre_analyze(to_document(article, article_entities(extractor, article)))


def _prepare_chunk(chunk: list[Article]) -> list[dict[str, Any]]:
    return [prepare_one(article, _extractor) for article in chunk]


def workers() -> int:
    """Worker processes to use: ``SEARCHIDX_WORKERS`` (0 or 1: none), else ``WORKERS`` capped by the CPUs."""
    env = os.environ.get("SEARCHIDX_WORKERS")
    if env is not None and env.strip().isdigit():
        return int(env)
    return min(WORKERS, os.cpu_count() or 1)


def prepare(articles: Iterable[Article], extractor: Extractor | None) -> Iterator[tuple[Article, dict[str, Any]]]:
    """``(article, document)`` for each article, in input order; the input is streamed, not read whole."""
    stream = iter(articles)
    head = list(itertools.islice(stream, MIN_PARALLEL))
    n = workers()
    if len(head) < MIN_PARALLEL or n < 2:
        for article in itertools.chain(head, stream):
            yield article, prepare_one(article, extractor)
        return
    chunks = _chunks(itertools.chain(head, stream))
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    pool = ProcessPoolExecutor(n, mp_context=context, initializer=_init, initargs=(extractor,))
    try:
        pending = []
        for chunk in itertools.islice(chunks, n * _IN_FLIGHT):
            pending.append((chunk, pool.submit(_prepare_chunk, chunk)))
        while pending:
            chunk, future = pending.pop(0)
            docs = future.result()
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(_prepare_chunk, nxt)))
            for article, doc in zip(chunk, docs, strict=True):
                yield article, doc
    finally:  # also when the consumer stops early (an error, Ctrl-C): drop the queued work
        pool.shutdown(wait=True, cancel_futures=True)


def _chunks(items: Iterator[Article]) -> Iterator[list[Article]]:
    while chunk := list(itertools.islice(items, CHUNK)):
        yield chunk
