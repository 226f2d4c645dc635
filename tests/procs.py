"""Process helpers for the fault tests: real `searchidx index` processes, found and checked through /proc."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def is_resource_tracker(pid: int) -> bool:
    """multiprocessing's resource tracker: started once, it lives as long as the process that started it."""
    return "multiprocessing.resource_tracker" in cmdline(pid)


def kill_naming(text: str) -> list[int]:
    """Kills (SIGKILL, by pid) the running processes whose command line contains ``text``."""
    found = pids_naming(text)
    for pid in found:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return found


def pids_naming(text: str) -> list[int]:
    """Running processes (this one excepted) whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        if text in cmdline(int(entry.name)) and running(int(entry.name)):
            found.append(int(entry.name))
    return found


def children(pid: int) -> list[int]:
    """Running child processes of ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def wait_for(predicate: object, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(step)
    return bool(predicate())  # type: ignore[operator]


def write_feed(path: Path, n: int, prefix: str = "n") -> Path:
    """A JSON Lines feed of ``n`` real French articles (the bundled corpus, repeated with distinct ids)."""
    texts = []
    for file in sorted(CORPUS.glob("*.txt")):
        title, _, body = file.read_text("utf-8").strip().partition("\n")
        texts.append((title.strip(), body.strip()))
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            title, body = texts[i % len(texts)]
            out.write(json.dumps({"id": f"{prefix}{i}", "title": f"{title} ({i})", "body": body},
                                 ensure_ascii=False) + "\n")
    return path


def index_cmd(source: Path, ix: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "searchidx", "index", str(source), "--index", str(ix), "--entities", "none",
            *extra]


def env(workers: int = 2) -> dict[str, str]:
    return {**os.environ, "SEARCHIDX_WORKERS": str(workers)}


def start(source: Path, ix: Path, *extra: str, workers: int = 2,
          new_session: bool = False) -> subprocess.Popen[bytes]:
    """An indexer writing its stderr to ``ix``'s sibling ``stderr.txt`` (`stderr`): no pipe that a leftover
    worker could keep open, so waiting for the indexer never hangs. ``new_session``: in a process group of
    its own, as a terminal runs a command (Ctrl-C goes to the whole group)."""
    with open(ix.parent / "stderr.txt", "wb") as err:
        return subprocess.Popen(index_cmd(source, ix, *extra), stdout=subprocess.DEVNULL, stderr=err,
                                env=env(workers), start_new_session=new_session)


def stderr(ix: Path) -> str:
    return (ix.parent / "stderr.txt").read_text("utf-8", "replace")


def run(source: Path, ix: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(index_cmd(source, ix, *extra), capture_output=True, text=True, env=env(), timeout=120)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "searchidx", *args], capture_output=True, text=True, timeout=60)
