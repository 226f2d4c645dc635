"""Faults, with real processes: a killed indexer leaves neither workers nor a lock; signals; full disk; damage.

Every test kills only the pids it started; orphans are looked for as any process whose command line names
the test's index folder (`procs.pids_naming`)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import procs
import pytest
from whoosh.writing import SegmentWriter

from searchidx.engines.whoosh import storage
from searchidx.engines.whoosh.locking import LOCK_FILE
from searchidx.errors import DiskFullError, Interrupted, request_stop
from searchidx.index import Index
from searchidx.models import Article


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
    """SIGTERM as systemd or `timeout` send it (to the indexer), Ctrl-C as a terminal sends it (to the group);
    resuming is run once (after SIGTERM), to keep the suite short."""
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
    if signum == signal.SIGINT:
        return
    done = procs.run(feed, ix, "--commit-every", EVERY)
    assert done.returncode == 0, done.stderr
    assert _committed(ix) == FEED


def test_a_stop_asked_by_a_signal_handler_is_seen_at_the_next_article(tmp_path: Path) -> None:
    """The CLI's handler also asks for a stop, for when its exception lands in a finaliser and is swallowed."""
    articles = [Article(id=f"a{i}", title=f"Titre {i}", body="Un texte court.") for i in range(3)]
    with Index.create(tmp_path / "ix", entities="none") as idx:
        request_stop(signal.SIGTERM)
        with pytest.raises(Interrupted) as caught:
            idx.add(articles)
        assert caught.value.signum == signal.SIGTERM and len(idx) == 0
        assert idx.add(articles).added == 3  # asked once, seen once


def test_a_stop_while_a_writer_is_made_leaves_no_temporary_folder(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The stop lands after Whoosh's writer made its temporary folder, before the run holds the writer (CI
    once found ``MAIN.tmp`` left behind by a SIGTERM just after a commit)."""
    articles = [Article(id=f"a{i}", title=f"Titre {i}", body="Un texte court.") for i in range(3)]
    with Index.create(tmp_path / "ix", entities="none") as idx:
        made = SegmentWriter.__init__

        def interrupted(self: SegmentWriter, *args: Any, **kwargs: Any) -> None:
            made(self, *args, **kwargs)
            assert (tmp_path / "ix" / "MAIN.tmp").is_dir()
            self.writelock.release()
            raise Interrupted("interrupted", signal.SIGTERM)

        monkeypatch.setattr(SegmentWriter, "__init__", interrupted)
        with pytest.raises(Interrupted):
            idx.add(articles)
        monkeypatch.undo()
        assert not (tmp_path / "ix" / "MAIN.tmp").exists()
        assert idx.add(articles).added == 3


def test_second_ctrl_c_aborts_at_once_without_damage(tmp_path: Path) -> None:
    feed = procs.write_feed(tmp_path / "feed.jsonl", FEED)
    ix = tmp_path / "ix"
    proc = procs.start(feed, ix, "--commit-every", EVERY, new_session=True)
    assert procs.wait_for(lambda: _has_commit(ix), 60), procs.stderr(ix)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    # 130 from the handler, or death by SIGINT when the second one lands after the first run's exit began
    # (Python restores the default handlers while finalising); a shell reports both as 130
    assert proc.wait(timeout=10) in (130, -signal.SIGINT)
    err = procs.stderr(ix)
    assert "Traceback" not in err, err
    assert "Error: aborted at once" in err or "Error: interrupted by SIGINT" in err, err
    assert procs.wait_for(lambda: not procs.pids_naming(str(ix)), 5), f"left behind: {procs.pids_naming(str(ix))}"
    with Index.open(ix) as idx:  # the last commit, intact (resuming is tested above)
        assert 0 < len(idx) < FEED
        assert idx.search("", limit=1).total == len(idx)


class _FillingFile:
    """A file that fails like a full disk once ``budget`` bytes were written through all such files."""

    budget = 0

    def __init__(self, f: Any) -> None:
        self._f = f

    def write(self, data: bytes) -> int:
        if len(data) > _FillingFile.budget:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        _FillingFile.budget -= len(data)
        return int(self._f.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)


def _listing(ix: Path) -> list[str]:
    return sorted(n for n in os.listdir(ix) if n != LOCK_FILE and not n.startswith("facets-"))


def test_full_disk_during_a_commit_keeps_the_previous_generation(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ix = tmp_path / "ix"
    first = procs.write_feed(tmp_path / "first.jsonl", 40, prefix="a")
    more = procs.write_feed(tmp_path / "more.jsonl", 60, prefix="b")
    with Index.create(ix, entities="none") as idx:
        idx.add(first)
    before = _listing(ix)
    create_file = storage.SafeStorage.create_file

    def filling(self: storage.SafeStorage, name: str, *args: Any, **kwargs: Any) -> Any:
        f = create_file(self, name, *args, **kwargs)
        f.file = _FillingFile(f.file)
        return f

    monkeypatch.setattr(storage.SafeStorage, "create_file", filling)
    _FillingFile.budget = 200_000  # the segment of 60 articles needs more
    with Index.open(ix) as idx, pytest.raises(DiskFullError) as failed:
        idx.add(more)
    message = str(failed.value)
    assert message.startswith(f"no space left to write the index at {ix} (No space left on device): the commit "
                              "needs more than the ")
    assert "MB are free; the index is as it was at its last commit" in message
    assert _listing(ix) == before  # the failed commit's files are gone
    monkeypatch.undo()
    with Index.open(ix) as idx:
        assert len(idx) == 40
        assert idx.search("", limit=1).total == 40
        assert idx.add(more).added == 60  # space again: the same run completes
        assert len(idx) == 100


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB file system of its own (tmpfs; needs root), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_for_real(tmp_path: Path, small_disk: Path) -> None:
    ix = small_disk / "ix"
    done = procs.run(procs.write_feed(tmp_path / "first.jsonl", 80, prefix="a"), ix)  # about 0.5 MB of index
    assert done.returncode == 0, done.stderr
    before = _listing(ix)
    free = os.statvfs(ix).f_bavail * os.statvfs(ix).f_frsize / 1e6
    big = procs.write_feed(tmp_path / "big.jsonl", 500, prefix="b")  # more than the disk has left to commit
    failed = procs.run(big, ix)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    errors = [line for line in failed.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and f"no space left to write the index at {ix}" in errors[0], failed.stderr
    written, free_after = map(float, re.findall(r"the commit needs more than the (\d+\.\d) MB it had written "
                                                r"when the disk filled up, (\d+\.\d) MB are free", errors[0])[0])
    assert written >= free_after >= round(free, 1) - 0.1  # the space the failed commit took is free again
    assert _listing(ix) == before  # its temporary and segment files are gone
    assert not procs.pids_naming(str(ix))
    with Index.open(ix) as idx:
        assert len(idx) == 80
        assert idx.search("Macron").total > 0


@pytest.fixture()
def read_only_view(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(index folder, the same folder through a read-only bind mount); needs root."""
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root (and chmod means nothing to root)")
    ix, view = tmp_path / "ix", tmp_path / "ro"
    ix.mkdir()
    view.mkdir()
    done = subprocess.run(["mount", "--bind", str(ix), str(view)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
    try:
        done = subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {done.stderr.strip()}")
        yield ix, view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)


def test_read_only_index_is_searched_but_not_written(tmp_path: Path, read_only_view: tuple[Path, Path]) -> None:
    ix, view = read_only_view
    feed = procs.write_feed(tmp_path / "feed.jsonl", 40)
    with Index.create(ix, entities="none") as idx:
        idx.add(feed)
    before = sorted(os.listdir(ix))
    found = procs.cli("search", "Macron", "--index", str(view), "--facet", "person", "--jsonl")  # no table saved
    assert found.returncode == 0, found.stderr
    assert '"id": "n' in found.stdout
    stats = procs.cli("stats", "--index", str(view), "--json")
    assert stats.returncode == 0 and json.loads(stats.stdout)["documents"] == 40
    for target in (view, view / "new"):  # the index itself, and a new index inside the read-only mount
        refused = procs.run(procs.write_feed(tmp_path / "more.jsonl", 5, prefix="m"), target)
        assert refused.returncode == 3
        assert refused.stderr.splitlines() == [
            f"Error: cannot write to the index folder {target} (Read-only file system); an index there can be "
            "searched but not updated: pass a writable --index folder"]
    assert sorted(os.listdir(ix)) == before


# -- damaged files ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_commits(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """An index of two commits (60 articles, then 60 more; each commit a segment), its facet table saved:
    (folder, the older segment file, in both commits; the newer one)."""
    base = tmp_path_factory.mktemp("damage")
    ix = base / "ix"
    with Index.create(ix, entities="none") as idx:
        idx.add(procs.write_feed(base / "a.jsonl", 60, prefix="a"))
        older = {p.name for p in ix.glob("*.seg")}
        idx.add(procs.write_feed(base / "b.jsonl", 60, prefix="b"))
        newer = {p.name for p in ix.glob("*.seg")} - older
        idx.search("Macron", facets=["person"])  # reads facets-2.npz, saved by the second add
    assert len(older) == len(newer) == 1 and list(ix.glob("facets-*.npz"))
    return ix, older.pop(), newer.pop()


def _subfile(seg: Path, ext: str) -> tuple[int, int]:
    """(offset, length) of a sub-file of a compound segment: ``pst`` postings, ``_stored.col`` stored fields."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.structfile import StructFile

    with open(seg, "rb") as f:
        entry = CompoundStorage(StructFile(f), use_mmap=False)._dir[f"{seg.stem}.{ext}"]
    return int(entry["offset"]), int(entry["length"])


def _flip(path: Path, offset: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0xFF]))


def _damage(path: Path, how: str, region: tuple[int, int] | None = None) -> None:
    offset, length = region or (0, path.stat().st_size)
    if how == "flip":
        _flip(path, offset + length // 2)
    else:
        with open(path, "r+b") as f:
            f.truncate(offset + length // 2)


def _cli(*args: str) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from searchidx.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


KINDS = [  # file, sub-file, what a search and stats answer: the commit they fall back to, or exit 3
    ("newer", "pst", "older commit"),  # postings of the newest commit's segment
    ("newer", "_stored.col", "older commit"),  # its stored fields
    ("older", "pst", "exit 3"),  # postings of a segment both commits hold
    ("older", "_stored.col", "exit 3"),
    ("_MAIN_2.toc", None, "older commit"),  # the newest table of contents
    ("searchidx.json", None, "exit 3"),  # metadata
    ("facets-2.npz", None, "intact"),  # the saved facet table: derived data, built again
]


@pytest.mark.parametrize("how", ["flip", "truncate"])
@pytest.mark.parametrize(("which", "sub", "expected"), KINDS)
def test_damaged_file_is_named_or_skipped_never_read_wrong(
        tmp_path: Path, two_commits: tuple[Path, str, str], which: str, sub: str | None, expected: str,
        how: str) -> None:
    source, older, newer = two_commits
    ix = tmp_path / "ix"
    shutil.copytree(source, ix)
    name = {"older": older, "newer": newer}.get(which, which)
    _damage(ix / name, how, _subfile(ix / name, sub) if sub else None)
    search = ["search", "", "--facet", "person", "--limit", "200", "--all-versions", "--json"]
    for args in (["stats", "--json"], search):
        code, out, err = _cli(*args, "--index", str(ix))
        if expected == "exit 3":
            assert code == 3, (out, err)
            assert re.match(rf"Error: the index at {re.escape(str(ix))} is damaged: {re.escape(name)}[: ]", err), err
            assert err.rstrip().endswith("run `searchidx index --rebuild` to build it again")
            continue
        assert code == 0, err
        answer = json.loads(out)
        ids = {hit["id"] for hit in answer["hits"]} if args[0] == "search" else set()
        count = answer["documents"] if args[0] == "stats" else answer["total"]
        assert args[0] == "stats" or len(ids) == count
        if expected == "intact":
            assert count == 120 and "warning" not in err
        else:  # exactly the older commit: its 60 articles, none of the damaged newer one
            assert count == 60
            assert not {i for i in ids if i.startswith("b")}
            assert f"warning: the newest commit of the index at {ix} is damaged ({name}: " in err, err


def test_damaged_index_in_a_real_process(tmp_path: Path, two_commits: tuple[Path, str, str]) -> None:
    source, older, _newer = two_commits
    ix = tmp_path / "ix"
    shutil.copytree(source, ix)
    _damage(ix / older, "flip", _subfile(ix / older, "pst"))
    for args in (["search", "Macron"], ["stats"]):
        done = procs.cli(*args, "--index", str(ix))
        assert done.returncode == 3
        assert done.stderr.splitlines() == [f"Error: the index at {ix} is damaged: {older}: its content does not "
                                            "match its checksum; run `searchidx index --rebuild` to build it again"]
