"""The public facade: one `Index` object to create, fill, search and inspect an index."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import RamStorage
from whoosh.searching import Searcher

from searchidx.engines.whoosh import indexing, searching, storage
from searchidx.engines.whoosh.compile import Compiled, Compiler
from searchidx.engines.whoosh.facets import FacetTable, is_table_file, table_of
from searchidx.engines.whoosh.locking import LOCK_FILE, WriterLock
from searchidx.engines.whoosh.schema import SCHEMA_VERSION, build_schema
from searchidx.engines.whoosh.scoring import Collection
from searchidx.engines.whoosh.suggest import suggest as spelling
from searchidx.errors import IndexCorruptError, IndexNotFoundError, UsageError
from searchidx.fields import facet_key
from searchidx.models import Article, Entities, FacetValue, IndexReport, IndexStats, SearchResult
from searchidx.query.parse import parse

if TYPE_CHECKING:
    from searchidx.entities import Extractor

META_FILE = "searchidx.json"
REBUILD_HINT = "run `searchidx index --rebuild` to build it again"


class Index:
    """A searchidx index on disk (or in memory). Create with `Index.create`, open with `Index.open`."""

    def __init__(self, ix: whoosh_index.Index, path: Path | None, meta: dict[str, Any]) -> None:
        self._ix = ix
        self.path = path
        self.meta = meta
        self._searcher: Searcher | None = None
        self._facet_table: FacetTable | None = None
        self._collection: Collection | None = None
        self._compiler: Compiler | None = None
        self._extractor: Extractor | None = None
        self._extractor_loaded = False

    # -- opening ---------------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str] | None = None, *, entities: str = "auto",
               overwrite: bool = False, wait: float = 0.0) -> Index:
        """A new empty index at ``path`` (in memory when None); ``entities``: auto, builtin, spacy or none.

        With ``overwrite`` an existing index is replaced by an empty one in a single atomic step (readers
        see the old index or the empty one); a folder holding anything else is never touched. Waits up to
        ``wait`` seconds for another writer (`IndexLockedError`)."""
        extractor = _get_extractor(entities)
        meta = {"schema_version": SCHEMA_VERSION, "extractor": extractor.name if extractor else "none"}
        schema = build_schema()
        if path is None:
            return cls(RamStorage().create_index(schema), None, meta)
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder} is a file, not a folder; choose another --index path")
        if folder.exists():
            has_meta = (folder / META_FILE).exists()
            foreign = sorted(p.name for p in folder.iterdir() if not _is_ours(p.name))
            if foreign:  # never delete what searchidx did not write, even with overwrite
                raise UsageError(f"{folder} is not empty and holds no searchidx index ({foreign[0]}...); "
                                 "choose another folder")
            if has_meta and not overwrite:
                raise UsageError(f"an index already exists at {folder}; open it, or pass overwrite=True")
        folder.mkdir(parents=True, exist_ok=True)
        with WriterLock(folder, wait):
            ix = storage.create_dir(folder, schema)  # one more generation: atomic for readers
            _write_meta(folder, meta)
        return cls(ix, folder, meta)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Index:
        folder = Path(path)
        if not folder.is_dir() or not (folder / META_FILE).exists():
            raise IndexNotFoundError(f"no index at {folder}; run `searchidx index` to build one")
        try:
            meta = json.loads((folder / META_FILE).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"the index at {folder} is damaged ({exc}); {REBUILD_HINT}") from exc
        if not isinstance(meta, dict):
            raise IndexCorruptError(f"the index at {folder} is damaged ({META_FILE} is not an object); "
                                    f"{REBUILD_HINT}")
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexCorruptError(
                f"the index at {folder} was built by another version of searchidx "
                f"(schema {meta.get('schema_version')}, this one reads {SCHEMA_VERSION}); {REBUILD_HINT}"
            )
        try:
            ix = storage.open_dir(folder)
            ix.reader().close()  # opens every segment: a truncated or missing file shows up now
        except whoosh_index.EmptyIndexError as exc:
            raise IndexNotFoundError(f"no index at {folder}; run `searchidx index` to build one") from exc
        except Exception as exc:
            raise IndexCorruptError(
                f"the index at {folder} cannot be read ({type(exc).__name__}: {exc}); {REBUILD_HINT}"
            ) from exc
        return cls(ix, folder, meta)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._facet_table = None
        self._collection = None
        self._compiler = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------------
    @property
    def extractor_name(self) -> str:
        return str(self.meta.get("extractor", "none"))

    def add(
        self,
        sources: Iterable[str | os.PathLike[str] | Article] | str | os.PathLike[str] | Article,
        *,
        on_problem: indexing.ProblemHandler | None = None,
        progress: indexing.ProgressHandler | None = None,
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
        report = indexing.add(self._ix, sources, self._extractor, on_problem=on_problem, progress=progress,
                              prune=prune, commit_every=commit_every, wait=wait)
        self._refresh()
        return report

    # -- reading ---------------------------------------------------------------------------------------
    def _refresh(self) -> None:
        """Drops the searcher so the next one reads the new generation. Not ``Searcher.refresh()``: in
        whoosh-reloaded 2.7.5 it reuses segment readers blind to new deletions (replaced articles twice)."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._facet_table = None
            self._collection = None
            self._compiler = None

    def compile(self, text: str) -> Compiled:
        """``text`` parsed and compiled into Whoosh queries against the current reader."""
        if self._compiler is None:
            self._compiler = Compiler(self.searcher().reader())
        return self._compiler.compile(parse(text))

    def searcher(self) -> Searcher:
        if self._searcher is None:
            self._searcher = self._ix.searcher(weighting=searching.WEIGHTING)
        return self._searcher

    def _facets(self) -> FacetTable:
        if self._facet_table is None:
            self._facet_table = table_of(self.searcher().reader(), self.path)
        return self._facet_table

    def _arrays(self) -> Collection:
        if self._collection is None:
            self._collection = Collection(self.searcher())
        return self._collection

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
        parsed = self.compile(query)
        result = self._search(parsed, limit, offset, facets, filters, excludes, since, until, sort, facet_limit)
        if not suggest or parsed.browse or not _wants_suggestion(parsed, result):
            return result
        assert self._compiler is not None
        better = spelling(parsed.tree, self.searcher().reader(), self._compiler)
        if better is None:
            return result
        if correct:
            fixed = self._search(self.compile(better), limit, offset, facets, filters,
                                 excludes, since, until, sort, facet_limit)
            if fixed.total > result.total or (result.fallback and not fixed.fallback and fixed.total):
                return dataclasses.replace(fixed, suggestion=better)
        return dataclasses.replace(result, suggestion=better)

    def _search(self, parsed: Compiled, limit: int, offset: int, facets: Sequence[str],
                filters: Mapping[str, Sequence[str] | str] | None, excludes: Mapping[str, Sequence[str] | str] | None,
                since: str | None, until: str | None, sort: str | None, facet_limit: int) -> SearchResult:
        return searching.search(
            self._arrays(),
            self._facets() if facets else None,
            parsed,
            limit=limit,
            offset=offset,
            facets=facets,
            filters=_as_lists(filters),
            excludes=_as_lists(excludes),
            since=since,
            until=until,
            sort=sort,
            facet_limit=facet_limit,
        )

    def get(self, id: str) -> Article | None:
        """The stored article with this id, with its entities; None when absent."""
        stored = self.searcher().document(id=id)
        if stored is None:
            return None
        extra = stored.get("extra") or {}
        return Article(
            id=stored["id"],
            title=stored.get("title", ""),
            body=stored.get("body", ""),
            date=stored.get("date") or None,
            source=extra.get("source"),
            url=extra.get("url"),
            author=extra.get("author"),
            section=extra.get("section"),
            lede=extra.get("lede"),
            path=stored.get("path"),
            entities=Entities.from_dict(extra.get("entities")),
        )

    def __len__(self) -> int:
        return int(self.searcher().doc_count())

    def facet_values(self, name: str, *, prefix: str = "", query: str = "", limit: int | None = 20) -> list[FacetValue]:
        """Values of facet ``name`` with their article counts, optionally those starting with ``prefix``
        (any word of the value, accent- and case-insensitive) and within the articles matching ``query``."""
        table = self._facets()
        collection = self._arrays()
        parsed = self.compile(query)
        docs = collection.evaluate(parsed.strict).mask
        if not docs.any() and not parsed.browse:
            docs = collection.evaluate(parsed.loose).mask
        wanted = table.matching_values(name, prefix)
        counted = [v for v in table.count(name, docs, None) if facet_key(v.value) in wanted]
        return counted if limit is None else counted[:limit]

    def stats(self) -> IndexStats:
        reader = self.searcher().reader()
        dates = [d.decode("utf-8") if isinstance(d, bytes) else d for d in reader.lexicon("date")]
        size = sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file()) if self.path else 0
        return IndexStats(
            path=str(self.path) if self.path else ":memory:",
            documents=reader.doc_count(),
            size_bytes=size,
            first_date=dates[0] if dates else None,
            last_date=dates[-1] if dates else None,
            extractor=self.extractor_name,
            schema_version=int(self.meta.get("schema_version", 0)),
        )


SUGGEST_BELOW = 3  # a query with fewer hits than this gets a spelling suggestion...
SUGGEST_WORDS = 6  # ...and so does a short query that needed the any-word fallback (long ones are not typos)


def _wants_suggestion(parsed: Compiled, result: SearchResult) -> bool:
    """Whether a spelling suggestion is worth looking for: few hits, or a short query that lost a word."""
    return result.total < SUGGEST_BELOW or (result.fallback and len(parsed.tree.words) <= SUGGEST_WORDS)


def _get_extractor(name: str) -> Extractor | None:
    """The named extractor; the entities package (and spaCy) is imported only when one is wanted."""
    if name == "none":
        return None
    from searchidx.entities import get_extractor

    return get_extractor(name)


def _as_lists(mapping: Mapping[str, Sequence[str] | str] | None) -> dict[str, list[str]]:
    if not mapping:
        return {}
    return {k: [v] if isinstance(v, str) else list(v) for k, v in mapping.items()}


def _write_meta(folder: Path, meta: dict[str, Any]) -> None:
    tmp = folder / (META_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(meta, indent=2) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / META_FILE)


def _is_ours(name: str) -> bool:
    """Files an index folder may hold: whoosh's, the metadata, the lock, saved facet tables, a .gitkeep."""
    return name in (META_FILE, META_FILE + ".tmp", LOCK_FILE, ".gitkeep") or storage.is_index_file(name) \
        or is_table_file(name)
