"""Faults, with real processes: a killed indexer leaves neither workers nor a lock; signals; full disk; damage.

Every test kills only the pids it started; orphans are looked for as any process whose command line names
the test's index folder (`procs.pids_naming`)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import procs
import pytest

from searchidx.engines.whoosh.locking import LOCK_FILE
from searchidx.index import Index


@pytest.fixture(autouse=True)
def _reap(tmp_path: Path) -> Iterator[None]:
    """Whatever a test ends with, no process naming its folder survives it (the test fails on its own)."""
    yield
    procs.kill_naming(str(tmp_path))


def test_kill_9_of_the_indexer_leaves_no_worker_and_no_lock(tmp_path: Path) -> None:
    feed = procs.write_feed(tmp_path / "big.jsonl", 4000)
    ix = tmp_path / "ix"
    proc = procs.start(feed, ix)
    try:
        assert procs.wait_for(lambda: len(procs.children(proc.pid)) >= 2, 30), "the workers never started"
        time.sleep(0.3)  # the workers are busy preparing documents
    finally:
        proc.send_signal(signal.SIGKILL)  # the indexer alone, not its process group
        proc.wait()
    assert procs.wait_for(lambda: not procs.pids_naming(str(ix)), 5), f"left behind: {procs.pids_naming(str(ix))}"
    assert (ix / LOCK_FILE).read_text().strip() == str(proc.pid)  # the dead writer's pid is still written
    small = procs.write_feed(tmp_path / "small.jsonl", 20, prefix="s")
    started = time.monotonic()
    again = procs.run(small, ix)
    assert again.returncode == 0, again.stderr
    assert time.monotonic() - started < 15
    notes = [line for line in again.stderr.splitlines() if f"pid {proc.pid}" in line]
    assert notes == [f"note: the previous writer of this index (pid {proc.pid}) stopped without finishing; "
                     "its lock is taken over and this run completes its work"]
    with Index.open(ix) as idx:
        assert len(idx) == 20


FEED = 1500  # articles of the signal tests: ~2 s of work on the team box
EVERY = "200"


def _committed(ix: Path) -> int:
    with Index.open(ix) as idx:
        return len(idx)


def _has_commit(ix: Path) -> bool:
    """True once the run made its first commit (generation 0 is the empty index)."""
    return any(ix.glob("_MAIN_[1-9]*.toc"))


@pytest.mark.parametrize(("signum", "code", "group"), [(signal.SIGTERM, 143, False), (signal.SIGINT, 130, True)])
def test_sigterm_and_ctrl_c_stop_keep_the_commits_and_say_how_to_resume(
        tmp_path: Path, signum: int, code: int, group: bool) -> None:
    """SIGTERM as systemd or `timeout` send it (to the indexer), Ctrl-C as a terminal sends it (to the group)."""
    feed = procs.write_feed(tmp_path / "feed.jsonl", FEED)
    ix = tmp_path / "ix"
    proc = procs.start(feed, ix, "--commit-every", EVERY, new_session=group)
    assert procs.wait_for(lambda: _has_commit(ix), 60), procs.stderr(ix)
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    assert proc.wait(timeout=10) == code, procs.stderr(ix)
    assert time.monotonic() - sent < 5
    err = procs.stderr(ix)
    assert "Traceback" not in err, err
    assert procs.wait_for(lambda: not procs.pids_naming(str(ix)), 5), f"left behind: {procs.pids_naming(str(ix))}"
    name = signal.Signals(signum).name
    line = next(x for x in err.splitlines() if x.startswith("Error: interrupted"))
    kept = _committed(ix)
    assert 0 < kept < FEED
    assert re.fullmatch(rf"Error: interrupted by {name}: {kept} articles added or updated by this run were "
                        r"committed and are kept(, \d+ not yet committed were dropped)?; run the same command "
                        r"again to index the rest \(only what is missing is read again\)", line), line
    assert not [n for n in os.listdir(ix) if n.endswith(".tmp") or ".toc." in n]  # nothing half-written left
    done = procs.run(feed, ix, "--commit-every", EVERY)
    assert done.returncode == 0, done.stderr
    assert _committed(ix) == FEED


def test_second_ctrl_c_aborts_at_once_without_damage(tmp_path: Path) -> None:
    feed = procs.write_feed(tmp_path / "feed.jsonl", FEED)
    ix = tmp_path / "ix"
    proc = procs.start(feed, ix, "--commit-every", EVERY, new_session=True)
    assert procs.wait_for(lambda: _has_commit(ix), 60), procs.stderr(ix)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=10) == 130
    err = procs.stderr(ix)
    assert "Traceback" not in err, err
    assert "Error: aborted at once" in err or "Error: interrupted by SIGINT" in err, err
    assert procs.wait_for(lambda: not procs.pids_naming(str(ix)), 5), f"left behind: {procs.pids_naming(str(ix))}"
    with Index.open(ix) as idx:  # the last commit, intact (resuming is tested above)
        assert 0 < len(idx) < FEED
        assert idx.search("", limit=1).total == len(idx)
