"""Preparing Whoosh documents in worker processes, so indexing uses both cores.

Why: Whoosh writes one segment from one process, and most of the per-article CPU goes into work that does
not need the writer: entity extraction, then analysing title and body into terms and position lists.
Workers do that and send back documents whose text fields are already ``PreAnalyzed``; the writer (one
``Run``, one process) only adds the postings, sorts and writes them.  Results come back in input order,
so duplicate ids resolve exactly as in a sequential run.  Small inputs (under ``MIN_PARALLEL`` articles)
are prepared inline: starting workers costs more than it saves.

Workers die with their parent, however it dies (``kill -9``, the OOM killer, a closed terminal): each asks
the kernel for SIGKILL when its parent goes (``prctl(PR_SET_PDEATHSIG)`` on Linux) and a thread checks
every `_WATCH_SECONDS` that its parent is still the one that forked it (``os.getppid()``, everywhere).
They ignore Ctrl-C (the terminal sends it to the whole process group): the parent decides what an
interrupt means and stops them. They hold no lock: `locking` closes lock descriptors at fork.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from searchidx.engines.whoosh.documents import to_document
from searchidx.engines.whoosh.schema import pre_analyze
from searchidx.entities import article_entities
from searchidx.errors import SearchidxError
from searchidx.models import Article

if TYPE_CHECKING:
    from searchidx.entities import Extractor

WORKERS = 2
CHUNK = 32  # articles per task: large enough to amortise pickling, small enough to keep workers busy
MIN_PARALLEL = 512
_IN_FLIGHT = 8  # chunks submitted ahead per worker: bounds memory on a streamed input
_WATCH_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1

_extractor: Extractor | None = None


def _init(extractor: Extractor | None, parent: int) -> None:
    global _extractor
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _extractor = extractor


def _die_with(parent: int) -> None:
    """Ends this worker when ``parent`` dies: a death signal where the kernel has one, and a watch thread."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watch thread below still ends it
    if os.getppid() != parent:  # the parent died before the death signal was set
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


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


def prepare(articles: Iterable[Article], extractor: Extractor | None) -> Generator[tuple[Article, dict[str, Any]]]:
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
    pool = ProcessPoolExecutor(n, mp_context=context, initializer=_init, initargs=(extractor, os.getpid()))
    try:
        pending = []
        for chunk in itertools.islice(chunks, n * _IN_FLIGHT):
            pending.append((chunk, pool.submit(_prepare_chunk, chunk)))
        while pending:
            chunk, future = pending.pop(0)
            try:
                docs = future.result()
            except BrokenProcessPool as exc:
                raise SearchidxError("a document-preparation worker process died (killed by the system, out "
                                     "of memory?); what was committed is kept: run again, or with "
                                     "SEARCHIDX_WORKERS=0 to prepare documents in one process") from exc
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
