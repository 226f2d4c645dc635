"""The state of an interactive session (`searchidx shell`): the query, its filters and facets, edited line by line."""

from __future__ import annotations

import atexit
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from searchidx.errors import UsageError
from searchidx.fields import FACET_FIELDS, check_facet, facet_key

HELP = """Type a query to search (the filters stay). Commands:
  +FIELD:VALUE    keep only articles with this value (person, org, place, source, year, month)
  -FIELD:VALUE    remove that filter, or exclude the value when it was not a filter
  :facets F ...   facets to count (default: person org place)
  :clear          drop every filter and exclusion
  :more / :less   next / previous page
  :help, :quit    (or Ctrl-D)"""


@dataclass
class Session:
    query: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    excludes: dict[str, list[str]] = field(default_factory=dict)
    facets: list[str] = field(default_factory=lambda: ["person", "org", "place"])
    offset: int = 0

    def apply(self, line: str) -> str | None:
        """Changes the session from one input line; returns "quit", "help", or None (search again)."""
        line = line.strip()
        if line in (":q", ":quit", ":exit"):
            return "quit"
        if line in (":h", ":help", "?"):
            return "help"
        if line == ":clear":
            self.filters.clear()
            self.excludes.clear()
        elif line.startswith(":facets"):
            names = line.split()[1:]
            for name in names:
                check_facet(name)
            self.facets = names
        elif line == ":more":
            self.offset += 10
            return None
        elif line == ":less":
            self.offset = max(0, self.offset - 10)
            return None
        elif line[:1] in "+-" and _facet_pair(line[1:]):
            name, value = _facet_pair(line[1:])  # type: ignore[misc]
            if line[0] == "+":
                _add(self.filters, name, value)
                _remove(self.excludes, name, value)
            elif not _remove(self.filters, name, value):
                _add(self.excludes, name, value)
        elif line.startswith(":"):
            raise UsageError(f"unknown command {line.split()[0]!r}; type :help")
        elif line:
            self.query = line
        self.offset = 0
        return None

    def describe(self) -> str:
        parts = [f"+{n}:{v}" for n, vs in self.filters.items() for v in vs]
        parts += [f"-{n}:{v}" for n, vs in self.excludes.items() for v in vs]
        return " ".join(parts)


def _facet_pair(text: str) -> tuple[str, str] | None:
    name, sep, value = text.partition(":")
    value = value.strip().strip('"')
    if sep and name in FACET_FIELDS and value:
        return name, value
    return None


def _add(table: dict[str, list[str]], name: str, value: str) -> None:
    values = table.setdefault(name, [])
    if facet_key(value) not in {facet_key(v) for v in values}:
        values.append(value)


def _remove(table: dict[str, list[str]], name: str, value: str) -> bool:
    values = table.get(name, [])
    kept = [v for v in values if facet_key(v) != facet_key(value)]
    if len(kept) == len(values):
        return False
    if kept:
        table[name] = kept
    else:
        table.pop(name, None)
    return True


def history() -> None:
    """Line editing and a history file, where the platform has readline."""
    try:
        import readline
    except ImportError:
        return
    path = Path.home() / ".searchidx_history"
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    atexit.register(lambda: _save_history(readline, path))


def _save_history(readline: Any, path: Path) -> None:
    with contextlib.suppress(OSError):
        readline.write_history_file(path)
