"""Frozen dataclasses that cross module boundaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ENTITY_TYPES: tuple[str, ...] = ("person", "org", "place")


@dataclass(frozen=True, slots=True)
class Entities:
    """Canonical entity names of one article, each listed once, in order of first mention."""

    person: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    place: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        """``{"person": [...], "org": [...], "place": [...]}``, as JSON output and the index store them."""
        return {"person": list(self.person), "org": list(self.org), "place": list(self.place)}

    @classmethod
    def from_dict(cls, data: dict[str, list[str]] | None) -> Entities:
        """The inverse of `as_dict` (as stored in the index); missing types are empty."""
        return cls(**{k: tuple(v) for k, v in (data or {}).items() if k in ENTITY_TYPES})

    def __bool__(self) -> bool:
        return bool(self.person or self.org or self.place)


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as read from a file, cleaned and NFC-normalised."""

    id: str
    title: str
    body: str
    date: str | None = None  # ISO "YYYY-MM-DD" (or a prefix of it)
    source: str | None = None
    url: str | None = None
    author: str | None = None
    section: str | None = None
    lede: str | None = None
    path: str | None = None  # the file it came from, relative to the indexed root
    line: int | None = None  # line in that file (JSON Lines), for messages
    entities: Entities = field(default_factory=Entities)  # filled when read back from an index


@dataclass(frozen=True, slots=True)
class Problem:
    """A bad file or line met while reading input: reported, never raised."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Hit:
    """One article of a result page: its ``rank`` (1 for the first hit of the first page), stored fields,
    entities, a ``snippet`` of its text with the query's words in ``<em>…</em>``, its relevance
    ``score`` (0.0 when the page is sorted by date), and its wire copies (`searchidx.explore.copies`):
    ``group`` names its copy group (None when it has no copy) and ``versions`` counts the copies folded
    under it (those that also match)."""

    id: str
    title: str
    score: float
    snippet: str
    date: str | None = None
    source: str | None = None
    url: str | None = None
    entities: Entities = field(default_factory=Entities)
    rank: int = 0
    versions: int = 0
    group: str | None = None
    missing: tuple[str, ...] = ()  # query words the article lacks (any-word matching)

    def as_dict(self) -> dict[str, Any]:
        """The hit as the JSON output prints it."""
        data = asdict(self)
        data["entities"] = self.entities.as_dict()
        return data


@dataclass(frozen=True, slots=True)
class FacetValue:
    """A facet value as first written (e.g. "Genève") and the number of articles counted with it."""

    value: str
    count: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of results: the ``query`` searched (the corrected one with ``correct``), the ``total`` number
    of matching articles (exact), the ``hits`` of the page from ``offset``, the counted ``facets``, whether
    the any-word ``fallback`` was needed, and a spelling ``suggestion`` when the index proposes one."""

    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    fallback: bool = False  # True when no article has every word (the hits each lack some: `Hit.missing`)
    #: Matching articles that have every word (``total`` counts those having any); None: the same as total.
    complete: int | None = None
    suggestion: str | None = None  # a corrected query, when the index vocabulary suggests one
    offset: int = 0
    limit: int = 10

    def as_dict(self) -> dict[str, Any]:
        """The result as ``searchidx search --json`` prints it."""
        return {
            "query": self.query,
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "complete": self.total if self.complete is None else self.complete,
            "fallback": self.fallback,
            "suggestion": self.suggestion,
            "hits": [h.as_dict() for h in self.hits],
            "facets": {
                name: [{"value": v.value, "count": v.count} for v in values]
                for name, values in self.facets.items()
            },
        }


@dataclass(slots=True)
class IndexReport:
    """What one `Index.add` run did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def indexed(self) -> int:
        """Articles written by the run (added or updated)."""
        return self.added + self.updated


@dataclass(frozen=True, slots=True)
class IndexStats:
    """An index at a glance: location (":memory:" for an in-memory one), article count, size on disk in
    bytes, first and last date keys, the extractor it was created with, its schema version."""

    path: str
    documents: int
    size_bytes: int
    first_date: str | None
    last_date: str | None
    extractor: str
    schema_version: int
