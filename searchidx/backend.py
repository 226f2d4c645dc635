"""The contract every search engine behind `searchidx.Index` fulfils: a typed `Backend` protocol and the
`SearchRequest` it answers.

`Index` is the public facade; it parses queries, resolves the entity extractor, chooses when to suggest a
spelling, and delegates the rest to a backend.  The local engine (`searchidx.engines.whoosh`) is the
first implementation; an engine is chosen from the location given (`open_backend`, `create_backend`), and
its modules are imported only then, so the CLI starts without loading any engine.
``tests/test_backend_contract.py`` runs the same tests against every implementation.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from searchidx.errors import UsageError
from searchidx.models import Article
from searchidx.query.parse import parse
from searchidx.query.tree import Query

if TYPE_CHECKING:
    from searchidx.entities import Extractor
    from searchidx.models import FacetValue, IndexReport, IndexStats, Problem, SearchResult

__all__ = ["SORTS", "Backend", "SearchRequest", "Source", "create_backend", "open_backend", "solr_location"]

#: Orders of a result page: by relevance, oldest first, newest first.
SORTS: tuple[str, ...] = ("relevance", "date", "-date")

Source = str | os.PathLike[str] | Article
"""What `Backend.add` takes: a file, a folder (read recursively), or an article."""


def _values(mapping: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    if not mapping:
        return {}
    return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in mapping.items()}


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One search, validated when made.

    ``query`` is text in the query language (parsed here, `QuerySyntaxError` if it cannot be) or a tree;
    ``filters={"person": ["Joe Biden"]}`` keeps articles having any of a facet's values, every filtered facet
    applying (values are compared folded); ``excludes`` drops articles having any of the values;
    ``since``/``until`` bound the date (`searchidx.query.dates` forms); ``sort`` is one of `SORTS` (None:
    newest first when browsing, else relevance: set once made); ``facets`` are counted, ``facet_limit``
    values each.  Filter values may be one string or several.  With ``fold``, the wire copies of an article
    (`searchidx.explore.copies`) are folded into one hit, where the engine groups them."""

    query: Query | str = ""
    limit: int = 10
    offset: int = 0
    facets: tuple[str, ...] = ()
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    excludes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    since: str | None = None
    until: str | None = None
    sort: str | None = None
    facet_limit: int = 10
    fold: bool = True

    def __post_init__(self) -> None:
        tree = parse(self.query) if isinstance(self.query, str) else self.query
        set_ = object.__setattr__
        set_(self, "query", tree)
        set_(self, "facets", tuple(self.facets))
        set_(self, "filters", _values(self.filters))
        set_(self, "excludes", _values(self.excludes))
        if self.limit < 0 or self.offset < 0:
            raise UsageError("--limit and --offset must be zero or more")
        sort = self.sort or ("-date" if tree.browse else "relevance")
        if sort not in SORTS:
            raise UsageError(f"unknown sort {sort!r}; choose from: {', '.join(SORTS)}")
        set_(self, "sort", sort)

    @property
    def tree(self) -> Query:
        """The parsed query."""
        assert isinstance(self.query, Query)
        return self.query


class Backend(Protocol):
    """An index that stores articles and answers searches.  Every method may raise a `SearchidxError`
    subclass whose message says what to do; none prints."""

    @property
    def extractor(self) -> str:
        """The name of the entity extractor recorded when the index was created ("none" for none)."""
        ...

    def search(self, request: SearchRequest) -> SearchResult:
        """The page ``request.offset``..``offset + limit`` of the articles matching the request, best first.

        When the tree's ``fallback`` is set, its root is loosened (`searchidx.query.tree`): every article with
        any of its plain words matches, those with all of them ranked higher; ``result.complete`` counts those,
        ``result.fallback`` is True when there is none, and each hit's ``missing`` names the words it lacks
        (local engine only).  Otherwise every clause is required.  The filters
        and the date bounds restrict the hits and ``result.total`` (exact, never estimated); facet counts are
        disjunctive (a facet's counts ignore the filters on that facet), taken over the matching articles
        without the excluded ones, ``facet_limit`` values per facet, most frequent first (ties: value order).
        Hits carry rank (from ``offset + 1``), id, title, date, source, url, entities, a snippet of the body
        with the query's words in ``<em>``, and the score (0.0 unless sorted by relevance).
        ``result.suggestion`` is None.  An unknown facet name raises `UsageError`."""
        ...

    def suggest(self, query: Query) -> str | None:
        """``query.text`` with each plain word that is unknown or very rare in the index replaced by the
        nearest frequent word as written in the articles ("stoltenbreg" -> "stoltenberg"); None when no word
        would change."""
        ...

    def facet_values(self, name: str, *, prefix: str = "", query: Query | None = None,
                     limit: int | None = 20) -> list[FacetValue]:
        """Values of facet ``name`` with their article counts, most frequent first: only the values having a
        word that starts with ``prefix`` (folded), counted over the articles matching ``query`` (those
        `search` counts in ``total``: any of its words; None: every article).  An unknown facet name raises
        `UsageError`."""
        ...

    def get(self, id: str) -> Article | None:
        """The stored article with this id, entities included; None when there is none."""
        ...

    def count(self) -> int:
        """The number of articles in the index."""
        ...

    def stats(self) -> IndexStats:
        """Location, article count, size on disk, first and last date keys, extractor and schema version."""
        ...

    def add(
        self,
        sources: Iterable[Source],
        extractor: Extractor | None,
        *,
        on_problem: Callable[[Problem], None] | None = None,
        progress: Callable[[int], None] | None = None,
        prune: bool = True,
        commit_every: int = 0,
        wait: float = 0.0,
    ) -> IndexReport:
        """Indexes files, folders (recursively) and articles, each article's entities found by ``extractor``.

        An article replaces the one with the same id.  Unchanged files are skipped, a changed file replaces
        its articles, and with ``prune`` the articles of files that disappeared from a given folder are
        removed.  Bad files and lines go to ``on_problem`` and into the report, never raised; ``progress``
        gets the number of articles read since its last call.  Commits every ``commit_every`` articles (0:
        once at the end): a crash leaves the last commit.  One writer at a time: waits up to ``wait`` seconds
        for another, then raises `IndexLockedError`.  Searches see the new articles once it returns."""
        ...

    def close(self) -> None:
        """Releases readers and caches; the backend may be used again (it reopens them)."""
        ...


def solr_location(url: str, collection: str | None = None) -> str:
    """``solr://host:port/collection`` from a Solr base URL and a collection name (or such a location)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip().rstrip("/"))
    if parts.scheme == "solr":
        return url if not collection else f"solr://{parts.netloc}/{collection}"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"bad Solr URL {url!r}; write http://host:port/solr or solr://host:port/collection")
    return f"solr://{parts.netloc}/{collection or 'searchidx'}"


def open_backend(location: str | os.PathLike[str]) -> Backend:
    """The backend of an existing index: `IndexNotFoundError` when there is none, `IndexCorruptError` when it
    cannot be read or comes from another schema version.  ``solr://host:port/collection``: a SolrCloud
    collection (`searchidx.engines.solr.backend`, needs the ``[solr]`` extra)."""
    if str(location).startswith("solr://"):
        from searchidx.engines.solr.backend import SolrBackend

        return SolrBackend.open(str(location))
    from searchidx.engines.whoosh.engine import WhooshBackend

    return WhooshBackend.open(location)


def create_backend(location: str | os.PathLike[str] | None, extractor: str, *, overwrite: bool = False,
                   wait: float = 0.0) -> Backend:
    """A new, empty index at ``location`` (None: in memory) recording the ``extractor`` name; with
    ``overwrite`` it replaces an existing index atomically (never a folder holding anything else).
    ``solr://host:port/collection``: a new SolrCloud collection, 2 shards x 2 replicas."""
    if location is not None and str(location).startswith("solr://"):
        from searchidx.engines.solr.backend import SolrBackend

        return SolrBackend.create(str(location), extractor, overwrite=overwrite)
    from searchidx.engines.whoosh.engine import WhooshBackend

    return WhooshBackend.create(location, extractor, overwrite=overwrite, wait=wait)
