"""The public facade: one `Index` object to create, fill, search and inspect an index.

`Index` parses queries, resolves the entity extractor and decides when a spelling is worth suggesting;
everything that touches the stored index is delegated to a `searchidx.backend.Backend`."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from searchidx.backend import Backend, SearchRequest, Source, create_backend, open_backend
from searchidx.errors import IndexNotFoundError
from searchidx.models import Article, FacetValue, IndexReport, IndexStats, Problem, SearchResult
from searchidx.query.parse import parse

if TYPE_CHECKING:
    from searchidx.entities import Extractor

__all__ = ["Index"]

SUGGEST_BELOW = 3  # a query with fewer hits than this gets a spelling suggestion...
SUGGEST_WORDS = 6  # ...and so does a short query that needed the any-word fallback (long ones are not typos)


class Index:
    """A searchidx index on disk (or in memory). Create with `Index.create`, open with `Index.open`; use it
    as a context manager, or call `close`."""

    def __init__(self, backend: Backend, extractor: Extractor | None = None) -> None:
        self.backend = backend
        self._extractor = extractor
        self._extractor_loaded = extractor is not None

    # -- opening ---------------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str] | None = None, *, entities: str = "auto",
               extractor: Extractor | None = None, overwrite: bool = False, wait: float = 0.0) -> Index:
        """A new empty index at ``path`` (in memory when None).

        Entities are found by ``extractor``, any object with a ``name`` and an ``extract(title, body)``
        method returning `Entities` (`searchidx.entities.Extractor`), else by the one named ``entities``:
        auto, builtin, spacy or none.  With ``overwrite`` an existing index is replaced by an empty one in a
        single atomic step (readers see the old index or the empty one); a folder holding anything else is
        never touched.  Waits up to ``wait`` seconds for another writer (`IndexLockedError`)."""
        if extractor is None:
            extractor = _get_extractor(entities)
        backend = create_backend(path, extractor.name if extractor else "none", overwrite=overwrite, wait=wait)
        index = cls(backend, extractor)
        index._extractor_loaded = True
        return index

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, extractor: Extractor | None = None) -> Index:
        """The index at ``path``: `IndexNotFoundError` when there is none, `IndexCorruptError` when it cannot
        be read or was built by another version.  New articles get their entities from ``extractor``, else
        from the extractor the index was created with."""
        return cls(open_backend(path), extractor)

    @classmethod
    def open_or_create(cls, path: str | os.PathLike[str], *, entities: str = "auto",
                       extractor: Extractor | None = None, rebuild: bool = False, wait: float = 0.0) -> Index:
        """The index at ``path``, created empty when there is none (or with ``rebuild``, replacing it)."""
        if not rebuild:
            try:
                return cls.open(path, extractor=extractor)
            except IndexNotFoundError:
                pass
        return cls.create(path, entities=entities, extractor=extractor, overwrite=True, wait=wait)

    def close(self) -> None:
        """Releases the readers; the index stays usable (they reopen on the next call)."""
        self.backend.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------------
    @property
    def extractor_name(self) -> str:
        """The name of the extractor the index was created with ("none" when it extracts no entities)."""
        return self.backend.extractor

    def add(
        self,
        sources: Iterable[Source] | Source,
        *,
        on_problem: Callable[[Problem], None] | None = None,
        progress: Callable[[int], None] | None = None,
        prune: bool = True,
        commit_every: int = 0,
        wait: float = 0.0,
    ) -> IndexReport:
        """Indexes files, folders (recursively) and `Article` objects.

        Unchanged files are skipped, changed files replace their articles, and with ``prune`` the
        articles of files that disappeared from a given folder are removed. Bad files and lines are
        reported through ``on_problem`` and in the returned report, never raised.
        """
        if isinstance(sources, (str, os.PathLike, Article)):
            sources = [sources]
        if not self._extractor_loaded:
            self._extractor = _get_extractor(self.extractor_name)
            self._extractor_loaded = True
        return self.backend.add(sources, self._extractor, on_problem=on_problem, progress=progress,
                                prune=prune, commit_every=commit_every, wait=wait)

    # -- reading ---------------------------------------------------------------------------------------
    def search(
        self,
        query: str = "",
        limit: int = 10,
        offset: int = 0,
        *,
        facets: Sequence[str] = (),
        filters: Mapping[str, Sequence[str] | str] | None = None,
        excludes: Mapping[str, Sequence[str] | str] | None = None,
        since: str | None = None,
        until: str | None = None,
        sort: str | None = None,
        facet_limit: int = 10,
        suggest: bool = True,
        correct: bool = False,
    ) -> SearchResult:
        """Searches; every word must match, else any word (``result.fallback`` says so).

        ``filters={"person": ["Joe Biden"]}``: values of one facet are OR-ed, facets AND-ed;
        facet counts are disjunctive (those of a facet ignore that facet's own filters).
        The query language is described in `searchidx.query.parse`. When a query finds little, a spelling
        from the index is proposed in ``result.suggestion``; with ``correct`` it is searched instead
        (``result.query`` is then the corrected query) when it finds more.
        """
        request = SearchRequest(query, limit, offset, tuple(facets), filters or {}, excludes or {}, since, until,
                                sort, facet_limit)
        result = self.backend.search(request)
        tree = request.tree
        if not suggest or tree.browse or not _wants_suggestion(len(tree.words), result):
            return result
        better = self.backend.suggest(tree)
        if better is None:
            return result
        if correct:
            fixed = self.backend.search(dataclasses.replace(request, query=better))
            if fixed.total > result.total or (result.fallback and not fixed.fallback and fixed.total):
                return dataclasses.replace(fixed, suggestion=better)
        return dataclasses.replace(result, suggestion=better)

    def get(self, id: str) -> Article | None:
        """The stored article with this id, with its entities; None when absent."""
        return self.backend.get(id)

    def __len__(self) -> int:
        return self.backend.count()

    def facet_values(self, name: str, *, prefix: str = "", query: str = "", limit: int | None = 20) -> list[FacetValue]:
        """Values of facet ``name`` with their article counts, optionally those starting with ``prefix``
        (any word of the value, accent- and case-insensitive) and within the articles matching ``query``."""
        return self.backend.facet_values(name, prefix=prefix, query=parse(query), limit=limit)

    def stats(self) -> IndexStats:
        """Location, number of articles, size on disk, first and last dates, extractor, schema version."""
        return self.backend.stats()


def _wants_suggestion(words: int, result: SearchResult) -> bool:
    """Whether a spelling suggestion is worth looking for: few hits, or a short query that lost a word."""
    return result.total < SUGGEST_BELOW or (result.fallback and words <= SUGGEST_WORDS)


def _get_extractor(name: str) -> Extractor | None:
    """The named extractor; the entities package (and spaCy) is imported only when one is wanted."""
    if name == "none":
        return None
    from searchidx.entities import get_extractor

    return get_extractor(name)
