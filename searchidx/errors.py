"""Typed errors; every message says what to do next. `Exit` is the one table of exit codes: each error
carries its code, and the CLI turns an error into its message and code in one place."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """The exit codes of the `searchidx` command (README, "Exit codes")."""

    OK = 0
    NO_RESULT = 1  # like grep; also a failed command
    USAGE = 2
    NO_INDEX = 3  # missing, unreadable or outdated index
    LOCKED = 4
    WARNINGS = 5  # indexing done, but some files or lines were skipped
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT (128 + 2)
    TERMINATED = 143  # SIGTERM (128 + 15): systemd, docker stop, timeout


class SearchidxError(Exception):
    """Base class of every error searchidx raises on purpose."""

    exit_code: Exit = Exit.NO_RESULT


class UsageError(SearchidxError):
    """Wrong arguments or options (exit code 2)."""

    exit_code = Exit.USAGE


class QuerySyntaxError(UsageError):
    """A query that cannot be understood; the message says what and where."""


class IndexNotFoundError(SearchidxError):
    """No index at the given path."""

    exit_code = Exit.NO_INDEX


class IndexCorruptError(SearchidxError):
    """The index exists but cannot be read (damaged, or from another schema version)."""

    exit_code = Exit.NO_INDEX


class IndexLockedError(SearchidxError):
    """Another process is writing to the index."""

    exit_code = Exit.LOCKED


class InputError(SearchidxError):
    """An input path that does not exist or cannot be read at all."""

    exit_code = Exit.USAGE


class IndexReadOnlyError(SearchidxError):
    """The index folder cannot be written (read-only file system, no permission): it can still be searched."""

    exit_code = Exit.NO_INDEX


class DiskFullError(SearchidxError):
    """A write failed for lack of space (or an I/O error) during a run; the index keeps its last commit."""

    exit_code = Exit.NO_RESULT


class Interrupted(KeyboardInterrupt):
    """A run stopped by Ctrl-C or SIGTERM: still a `KeyboardInterrupt`, with the signal (``signum``: exit code
    128 + signum, `Exit.INTERRUPTED` / `Exit.TERMINATED`) and a message saying what was kept."""

    def __init__(self, message: str, signum: int = 2) -> None:
        super().__init__(message)
        self.signum = signum


_stop: list[int] = []  # the signal a stop was asked with, until the run that sees it stops


def request_stop(signum: int) -> None:
    """Asks a running `Index.add` to stop at its next article, as if ``signum`` (Ctrl-C, SIGTERM) had
    interrupted it there. A signal handler's exception alone is not enough: when the signal lands in a
    finaliser or a weak-reference callback, Python prints it as "Exception ignored" and carries on."""
    _stop[:] = [signum]


def raise_if_stop_requested() -> None:
    """Raises `Interrupted` once for a stop asked with `request_stop` (then forgets it)."""
    if _stop:
        raise Interrupted("interrupted", _stop.pop())

