"""The public facade: one `Index` object to create, fill, search and inspect an index.

`Index` parses queries, resolves the entity extractor and decides when a spelling is worth suggesting;
everything that touches the stored index is delegated to a `searchidx.backend.Backend`."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from searchidx.analysis import analyze
from searchidx.backend import Backend, SearchRequest, Source, create_backend, open_backend
from searchidx.errors import IndexNotFoundError, UsageError
from searchidx.explore import related, similar, timeline
from searchidx.explore.arrays import CountingBackend, ExploreBackend
from searchidx.explore.related import NotFoundError, Related
from searchidx.explore.timeline import Timeline
from searchidx.models import ENTITY_TYPES, Article, FacetValue, IndexReport, IndexStats, Problem, SearchResult
from searchidx.query.parse import parse

if TYPE_CHECKING:
    from searchidx.entities import Extractor

__all__ = ["Index"]

SUGGEST_BELOW = 3  # a query with fewer hits than this gets a spelling suggestion...
SNIPPET_WORDS = 10  # the best words of a `similar` source highlighted in its hits' snippets
SUGGEST_WORDS = 6  # ...and so does a short query that needed the any-word fallback (long ones are not typos)


class Index:
    """A searchidx index on disk (or in memory). Create with `Index.create`, open with `Index.open`; use it
    as a context manager, or call `close`.  ``backend`` is the engine behind it (`searchidx.backend`)."""

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
        return self.backend.add(sources, self._extractor_once(), on_problem=on_problem, progress=progress,
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
        all_versions: bool = False,
    ) -> SearchResult:
        """Searches: the articles having any of the words, ranked by `searchidx.engines.whoosh.ranking` (those
        with every word get a strong reward; ``hit.missing`` lists the words a hit lacks, ``result.complete``
        counts the articles with all of them). ``ET``/``AND``/``+mot`` make a word required, ``-mot`` excludes it.

        ``filters={"person": ["Joe Biden"]}``: values of one facet are OR-ed, facets AND-ed;
        facet counts are disjunctive (those of a facet ignore that facet's own filters).
        The query language is described in `searchidx.query.parse`. When a query finds little, a spelling
        from the index is proposed in ``result.suggestion``; with ``correct`` it is searched instead
        (``result.query`` is then the corrected query) when it finds more.  Wire copies are folded into one
        hit per group (``hit.versions``, ``hit.group``) unless ``all_versions``; totals and facet counts
        count every article either way.
        """
        request = SearchRequest(query, limit, offset, tuple(facets), filters or {}, excludes or {}, since, until,
                                sort, facet_limit, not all_versions)
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
        (any word of the value, accent- and case-insensitive) and within the articles matching ``query`` (as
        `search` matches them: any of its words)."""
        return self.backend.facet_values(name, prefix=prefix, query=parse(query), limit=limit)

    # -- exploring (`searchidx.explore`) -----------------------------------------------------------------------
    def _explore(self) -> ExploreBackend:
        if not isinstance(self.backend, ExploreBackend):
            raise UsageError("this index's engine does not answer timelines, related entities, similar articles "
                             "or wire copies")
        return self.backend

    def copy_group(self, id: str) -> str | None:
        """The name of the article's copy group (the id of its oldest article); None when it has no copy."""
        backend = self._explore()
        doc = backend.doc_number(id)
        return None if doc is None else backend.copy_groups().name(doc)

    def versions(self, id: str) -> list[Article]:
        """Every wire copy of the article ``id``, itself included, oldest first; [] when it is absent."""
        backend = self._explore()
        doc = backend.doc_number(id)
        if doc is None:
            return []
        found = [self.get(backend.doc_id(int(d))) for d in backend.copy_groups().members(doc)]
        return sorted((a for a in found if a is not None), key=lambda a: (a.date or "\uffff", a.id))

    def timeline(
        self,
        query: str = "",
        by: str | None = None,
        split: str | None = None,
        top: int = 5,
        *,
        filters: Mapping[str, Sequence[str] | str] | None = None,
        excludes: Mapping[str, Sequence[str] | str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Timeline:
        """Matching articles per ``by`` period (day, week, month, year; None: 10–60 bars over the span),
        with one series per top ``split`` value (person, org, place, source). Same matches as `search`."""
        request = SearchRequest(query, filters=filters or {}, excludes=excludes or {}, since=since, until=until)
        if isinstance(self.backend, CountingBackend):
            return self.backend.timeline(request, by=by, split=split, top=top)
        backend = self._explore()
        matched, fallback = backend.selection(request)
        return timeline.build(backend.dates(), matched, request.tree.text, by=by,
                              table=backend.facet_arrays() if split else None, split=split, top=top,
                              fallback=fallback)

    def related(
        self,
        field: str,
        value: str,
        *,
        query: str = "",
        fields: Sequence[str] = ENTITY_TYPES,
        by: str = "llr",
        limit: int = 10,
        min_count: int = 2,
        filters: Mapping[str, Sequence[str] | str] | None = None,
        excludes: Mapping[str, Sequence[str] | str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Related:
        """The entities of ``fields`` that appear with ``field`` = ``value`` more than chance (log-likelihood
        ratio; ``by="count"``: raw co-occurrence), over the articles a query and filters select (all by
        default). ``value`` matches as in filters; a partial name resolves to the most frequent name holding
        its words, the others listed in ``result.alternatives``."""
        request = None
        if query or filters or excludes or since or until:
            request = SearchRequest(query, filters=filters or {}, excludes=excludes or {}, since=since,
                                    until=until)
        if isinstance(self.backend, CountingBackend):
            return self.backend.related(field, value, request, fields=fields, by=by, limit=limit,
                                        min_count=min_count, query=query)
        backend = self._explore()
        live = backend.term_scores().live
        considered = live if request is None else backend.selection(request)[0]
        return related.compute(backend.facet_arrays(), field, value, considered, live, fields=fields, by=by,
                               limit=limit, min_count=min_count, query=query)

    def similar(
        self,
        id: str | None = None,
        limit: int = 10,
        offset: int = 0,
        *,
        text: str | None = None,
        filters: Mapping[str, Sequence[str] | str] | None = None,
        excludes: Mapping[str, Sequence[str] | str] | None = None,
        since: str | None = None,
        until: str | None = None,
        all_versions: bool = False,
    ) -> SearchResult:
        """The articles most like the article ``id``, or like ``text`` (a draft: first line the title) — by
        distinctive words and shared entities (`searchidx.explore.similar`); the article and its wire copies
        left out. The result is a search result (filters and dates as in `search`; ``query`` names the source)."""
        if (id is None) == (text is None):
            raise UsageError("give either an article id or a text")
        backend = self._explore()
        if id is not None:
            article = self.get(id)
            doc = backend.doc_number(id)
            if article is None or doc is None:
                raise NotFoundError(f"no article with id {id!r}; `searchidx search` prints the ids")
            own = backend.copy_groups().members(doc)
            label = f"similar:{id}"
        else:
            from searchidx import corpus

            article = corpus.parse_text_article(corpus.clean_text(text or ""), "text")
            if not (article.title.strip() or article.body.strip()):
                raise UsageError("the text to compare is empty")
            extractor = self._extractor_once()
            if extractor is not None:  # as at indexing
                from searchidx.entities import article_entities

                entities = article_entities(extractor, article)
                assert entities is not None
                article = dataclasses.replace(article, entities=entities)
            own = None
            label = f"similar:{article.title[:60]}"
        terms = backend.term_scores()
        source = similar.profile(article, analyze, terms.doc_frequency, max(len(self), 1))
        scores = similar.scores(terms, backend.facet_arrays(), source)
        visible = backend.selection(SearchRequest("", filters=filters or {}, excludes=excludes or {}, since=since,
                                                  until=until))[0] & (scores > 0)
        if own is not None:
            visible[own] = False
        words = [t for t, _ in source.terms if t.isalpha()][:SNIPPET_WORDS]  # numbers: slower snippets
        return backend.page(scores, visible, label, words, limit=limit, offset=offset, fold=not all_versions)

    def _extractor_once(self) -> Extractor | None:
        if not self._extractor_loaded:
            self._extractor = _get_extractor(self.extractor_name)
            self._extractor_loaded = True
        return self._extractor

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
