"""One writer at a time per index folder: an advisory lock file that names its holder.

The lock is ``searchidx.lock`` in the index folder, held with ``fcntl.flock`` on an open descriptor for the
whole run and holding the writer's pid. The kernel drops a ``flock`` when the last descriptor of that open
file is closed, so it dies with its process, however it dies (``kill -9`` included), as long as no other
process shares the descriptor: a forked child inherits it, so every lock descriptor taken here is closed in
the child right after a fork (`os.register_at_fork`); worker processes never keep an index locked. A lock
file left by a dead writer never blocks anyone: the next writer takes it, notes the dead pid
(``WriterLock.stale_pid``, logged) and writes its own. Readers never take the lock.

On systems without ``fcntl`` (Windows), the lock falls back to creating the file exclusively and treats
a file whose pid is not a live process as stale.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import time
from pathlib import Path
from types import TracebackType

from searchidx.errors import IndexLockedError, IndexReadOnlyError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "searchidx.lock"
POLL_SECONDS = 0.1
log = logging.getLogger("searchidx")

_HELD_FDS: set[int] = set()  # lock descriptors of this process, closed in forked children


def _close_held_in_child() -> None:
    for fd in _HELD_FDS:
        with contextlib.suppress(OSError):
            os.close(fd)  # the child's copy only: the parent's lock stays
    _HELD_FDS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_in_child)


def not_inherited(fd: int) -> None:
    """Closes ``fd`` in any process forked from now on (until `release_fd`)."""
    _HELD_FDS.add(fd)


def release_fd(fd: int) -> None:
    _HELD_FDS.discard(fd)


def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists (a zombie counts as alive until reaped)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text("ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR})


def not_writable(folder: str | os.PathLike[str], exc: OSError) -> IndexReadOnlyError:
    """The error for an index folder that cannot be written (``exc.errno`` in `NOT_WRITABLE`)."""
    return IndexReadOnlyError(f"cannot write to the index folder {folder} ({exc.strerror}); an index there can "
                              "be searched but not updated: pass a writable --index folder")


def _leftover_message(path: Path, writer: int) -> str:
    """Why a lock whose writer is dead is still held: processes that kept its descriptor (Linux: found
    through /proc), e.g. the workers of an indexer of an earlier version killed with ``kill -9``."""
    holders = []
    target = str(path.resolve())
    for entry in Path("/proc").glob("[0-9]*/fd/*"):
        with contextlib.suppress(OSError, ValueError):
            if os.readlink(entry) == target and int(entry.parts[2]) != os.getpid():
                holders.append(int(entry.parts[2]))
    who = f": pid {', '.join(map(str, sorted(set(holders))))}" if holders else ""
    stop = f" (kill {' '.join(map(str, sorted(set(holders))))})" if holders else ""
    return (f"the index lock is held by processes left over from a writer that died (pid {writer}){who}; "
            f"stop them{stop} and run again")


class WriterLock:
    """The writer lock of one index folder; use as a context manager.

    ``wait`` is how many seconds to wait for another writer before giving up with `IndexLockedError`
    (0: fail at once, which takes a few milliseconds).
    """

    def __init__(self, folder: str | os.PathLike[str], wait: float = 0.0) -> None:
        self.path = Path(folder) / LOCK_FILE
        self.wait = max(0.0, wait)
        self.stale_pid: int | None = None
        self._fd: int | None = None

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        while True:
            holder = self._try_acquire()
            if holder is None:
                return
            if time.monotonic() >= deadline:
                if holder > 0 and not pid_alive(holder):
                    raise IndexLockedError(_leftover_message(self.path, holder))
                who = f" (pid {holder})" if holder > 0 else ""
                hint = "wait for it to finish, or pass --wait SECONDS"
                if self.wait:
                    hint = f"still busy after waiting {self.wait:g} s; try again later"
                raise IndexLockedError(f"the index is being updated by another process{who}; {hint}")
            time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())) or POLL_SECONDS / 10)

    def _try_acquire(self) -> int | None:
        """None when the lock is now ours, else the holder's pid (0 when unknown)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if fcntl is None:  # pragma: no cover - Windows
                return self._try_acquire_exclusive()
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno not in NOT_WRITABLE:
                raise
            raise not_writable(self.path.parent, exc) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            return _read_pid(self.path) or 0
        not_inherited(fd)
        self._fd = fd
        previous = _read_pid(self.path)
        if previous and previous != os.getpid():  # released locks are emptied: its writer died holding it
            self.stale_pid = previous
            log.info("the previous writer of this index (pid %d) stopped without finishing; "
                     "its lock is taken over and this run completes its work", previous)
        with contextlib.suppress(OSError):  # the pid is information only (a full disk may refuse it)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        return None

    def _try_acquire_exclusive(self) -> int | None:  # pragma: no cover - Windows
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _read_pid(self.path)
            if holder is not None and not pid_alive(holder):
                self.stale_pid = holder
                self.path.unlink(missing_ok=True)
                return self._try_acquire_exclusive()
            return holder or 0
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return None

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # an empty lock file: nobody holds it
        release_fd(fd)
        if fcntl is None:  # pragma: no cover - Windows
            os.close(fd)
            self.path.unlink(missing_ok=True)
            return
        os.close(fd)  # closing the descriptor drops the flock

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
