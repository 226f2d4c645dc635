"""Crash safety and concurrency: kill -9 at random moments, readers during writes, the writer lock."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from searchidx.engines.whoosh import indexing
from searchidx.engines.whoosh.locking import LOCK_FILE, WriterLock
from searchidx.errors import IndexLockedError
from searchidx.index import Index

KILLS = 20
WORDS = ["commun", "politique", "gouvernement", "ministre", "élection", "Paris", "Lyon", "grève", "économie",
         "santé", "école", "justice"]


def make_corpus(folder: Path, texts: int = 80, feeds: int = 2, lines: int = 20) -> dict[str, set[str]]:
    """Small articles (every one holds the word "commun"); returns the ids of each file, by resolved path."""
    rng = random.Random(7)
    folder.mkdir()
    ids: dict[str, set[str]] = {}
    for i in range(texts):
        path = folder / f"a{i:03d}.txt"
        path.write_text(f"Article {i}\n\ncommun {' '.join(rng.choices(WORDS, k=40))}\n", "utf-8")
        ids[str(path.resolve())] = {path.name}
    for j in range(feeds):
        path = folder / f"feed{j}.jsonl"
        records = [{"id": f"f{j}-{k}", "title": f"Dépêche {k}", "body": "commun " + " ".join(rng.choices(WORDS, k=40))}
                   for k in range(lines)]
        path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
        ids[str(path.resolve())] = {r["id"] for r in records}
    return ids


def index_cmd(corpus: Path, ix: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "searchidx", "index", str(corpus), "--index", str(ix), "--entities", "none",
            "--commit-every", "7", *extra]


def check_consistent(ix: Path, ids: dict[str, set[str]]) -> int:
    """The index opens, holds no unknown or doubled article, every file it marks complete is whole, and a
    search agrees with the count. Returns the number of articles."""
    all_ids = set().union(*ids.values())
    with Index.open(ix) as idx:
        reader = idx.backend.searcher().reader()
        stored = [fields for _n, fields in reader.iter_docs()]
        got = [f["id"] for f in stored]
        assert len(got) == len(set(got)), "an article is indexed twice"
        assert set(got) <= all_ids
        for path, expected in ids.items():
            digest = indexing.corpus.file_digest(Path(path))
            if indexing.live_docs(reader, "file_key", f"{path}\x00{digest}"):
                assert expected <= set(got), f"{path} is marked complete but misses articles"
        n = len(idx)
        assert n == len(got)
        assert idx.search("commun", limit=1).total == n
        return n


def test_kill_9_at_random_moments(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    ids = make_corpus(corpus)
    total = sum(len(v) for v in ids.values())
    ix = tmp_path / "ix"
    started = time.monotonic()
    first = subprocess.run(index_cmd(corpus, ix), capture_output=True, text=True)  # also times a whole run
    duration = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    rng = random.Random(int(os.environ.get("SEARCHIDX_KILL_SEED", "5")))
    full_runs = 0
    for _ in range(KILLS):
        # when the previous run got to the end, start over so that the kill lands mid-work again
        extra = ("--rebuild",) if check_consistent(ix, ids) == total else ()
        proc = subprocess.Popen(index_cmd(corpus, ix, *extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # from interpreter start-up to the last commit; a run after a kill has less left to do than the
        # first full run, so the range stops short of its end
        time.sleep(rng.uniform(0.05, 0.8) * duration)
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        assert b"Traceback" not in err
        full_runs += proc.returncode == 0
        check_consistent(ix, ids)
    done = subprocess.run(index_cmd(corpus, ix), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert check_consistent(ix, ids) == total
    assert full_runs <= KILLS // 2, "most kills should land during the work"


def test_searches_during_indexing_never_fail(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    ids = make_corpus(corpus, texts=90, feeds=0)
    ix = tmp_path / "ix"
    Index.create(ix, entities="none").close()
    errors: list[BaseException] = []
    counts: list[int] = []
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            try:
                with Index.open(ix) as idx:
                    n = len(idx)
                    assert idx.search("commun", limit=3).total == n
                    counts.append(n)
            except BaseException as exc:  # noqa: BLE001 - any error fails the test
                errors.append(exc)
                return

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        done = subprocess.run(index_cmd(corpus, ix, "--commit-every", "3"), capture_output=True, text=True)
    finally:
        stop.set()
        thread.join()
    assert done.returncode == 0, done.stderr
    assert not errors, errors[0]
    assert counts == sorted(counts)  # readers only ever see committed states, in order
    assert len(counts) > 5 and counts[-1] <= len(ids)


HOLD = """
import sys, time
from searchidx.engines.whoosh.locking import WriterLock
lock = WriterLock(sys.argv[1]); lock.acquire(); print("locked", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
"""


def hold_lock(folder: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder), str(seconds)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_second_writer_is_told_within_a_second(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from searchidx.cli import Exit, app

    ix = tmp_path / "ix"
    Index.create(ix, entities="none").close()
    (tmp_path / "a.txt").write_text("Titre\n\nTexte.\n", "utf-8")
    holder = hold_lock(ix, 30)
    try:
        started = time.monotonic()
        result = CliRunner().invoke(app, ["index", str(tmp_path / "a.txt"), "--index", str(ix), "--entities", "none"])
        elapsed = time.monotonic() - started
        assert result.exit_code == Exit.LOCKED
        assert f"the index is being updated by another process (pid {holder.pid})" in result.output
        assert elapsed < 1.0
        with pytest.raises(IndexLockedError), Index.open(ix) as idx:  # --wait gives up after its delay
            idx.add(tmp_path / "a.txt", wait=0.3)
    finally:
        holder.kill()
        holder.wait()


def test_wait_for_the_other_writer(tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    Index.create(ix, entities="none").close()
    (tmp_path / "a.txt").write_text("Titre\n\nTexte.\n", "utf-8")
    holder = hold_lock(ix, 0.8)
    try:
        with Index.open(ix) as idx:
            assert idx.add(tmp_path / "a.txt", wait=10).added == 1
    finally:
        holder.wait()


def test_stale_lock_of_a_killed_writer_is_cleared(tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    Index.create(ix, entities="none").close()
    holder = hold_lock(ix, 30)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (ix / LOCK_FILE).read_text().strip() == str(holder.pid)  # the dead writer's lock file is left
    lock = WriterLock(ix)
    started = time.monotonic()
    with lock:
        assert time.monotonic() - started < 0.5
        assert lock.stale_pid == holder.pid
        assert (ix / LOCK_FILE).read_text().strip() == str(os.getpid())
    assert (ix / LOCK_FILE).read_text() == ""


def test_lock_is_exclusive_within_a_process_too(tmp_path: Path) -> None:
    with WriterLock(tmp_path), pytest.raises(IndexLockedError, match=f"pid {os.getpid()}"):
        WriterLock(tmp_path).acquire()
