"""Typed errors; every message says what to do next. The CLI maps them to exit codes in one place."""

from __future__ import annotations


class SearchidxError(Exception):
    """Base class of every error searchidx raises on purpose."""

    exit_code = 1


class UsageError(SearchidxError):
    """Wrong arguments or options (exit code 2)."""

    exit_code = 2


class QuerySyntaxError(UsageError):
    """A query that cannot be understood; the message says what and where."""


class IndexNotFoundError(SearchidxError):
    """No index at the given path."""

    exit_code = 3


class IndexCorruptError(SearchidxError):
    """The index exists but cannot be read (damaged, or from another schema version)."""

    exit_code = 3


class IndexLockedError(SearchidxError):
    """Another process is writing to the index."""

    exit_code = 4


class InputError(SearchidxError):
    """An input path that does not exist or cannot be read at all."""

    exit_code = 2
