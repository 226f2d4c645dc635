"""The local engine as a `searchidx.backend.Backend`: an index folder (or memory) written and read with
Whoosh, searched through numpy (`scoring`), with facet tables (`facets`) and crash-safe storage."""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from whoosh import index as whoosh_index
from whoosh import query
from whoosh.filedb.filestore import RamStorage
from whoosh.searching import Searcher

from searchidx.backend import SearchRequest, Source
from searchidx.engines.whoosh import searching, storage
from searchidx.engines.whoosh.compile import Compiled, Compiler
from searchidx.engines.whoosh.documents import from_stored
from searchidx.engines.whoosh.facets import FacetTable, is_table_file, table_of
from searchidx.engines.whoosh.locking import LOCK_FILE, WriterLock
from searchidx.engines.whoosh.schema import SCHEMA_VERSION, build_schema
from searchidx.engines.whoosh.scoring import Collection
from searchidx.engines.whoosh.suggest import suggest
from searchidx.errors import IndexCorruptError, IndexNotFoundError, UsageError
from searchidx.explore import copies
from searchidx.explore.arrays import Floats, Mask
from searchidx.explore.copies import CopyGroups
from searchidx.fields import facet_key
from searchidx.models import Article, FacetValue, IndexReport, IndexStats, Problem, SearchResult
from searchidx.query.parse import parse
from searchidx.query.tree import MatchAll, Query

if TYPE_CHECKING:
    from searchidx.entities import Extractor

__all__ = ["META_FILE", "WhooshBackend"]

META_FILE = "searchidx.json"
REBUILD_HINT = "run `searchidx index --rebuild` to build it again"


class WhooshBackend:
    """An index folder (or an in-memory index) with its metadata (``searchidx.json``: schema version and
    extractor).  Readers are opened on first use and dropped after each write."""

    def __init__(self, ix: whoosh_index.Index, path: Path | None, meta: dict[str, Any]) -> None:
        self._ix = ix
        self.path = path
        self.meta = meta
        self._searcher: Searcher | None = None
        self._facet_table: FacetTable | None = None
        self._collection: Collection | None = None
        self._compiler: Compiler | None = None
        self._copies: CopyGroups | None = None

    # -- opening ---------------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str] | None, extractor: str, *, overwrite: bool = False,
               wait: float = 0.0) -> WhooshBackend:
        """See `searchidx.backend.create_backend`."""
        meta = {"schema_version": SCHEMA_VERSION, "extractor": extractor}
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
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with WriterLock(folder, wait):
                ix = storage.create_dir(folder, schema)  # one more generation: atomic for readers
                _write_meta(folder, meta)
        except OSError as exc:
            if exc.errno not in storage.WRITE_ERRORS:
                raise
            raise storage.write_error(exc, folder) from exc
        return cls(ix, folder, meta)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> WhooshBackend:
        """See `searchidx.backend.open_backend`."""
        folder = Path(path)
        if not folder.is_dir() or not (folder / META_FILE).exists():
            raise IndexNotFoundError(f"no index at {folder}; run `searchidx index` to build one")
        try:
            meta = json.loads((folder / META_FILE).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"the index at {folder} is damaged: {META_FILE} cannot be read ({exc}); "
                                    f"{REBUILD_HINT}") from exc
        if not isinstance(meta, dict) or meta.get("crc32", _meta_crc(meta)) != _meta_crc(meta):
            raise IndexCorruptError(f"the index at {folder} is damaged: {META_FILE} does not match its checksum; "
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
        except IndexCorruptError as exc:
            raise IndexCorruptError(f"the index at {folder} is damaged: {exc}; {REBUILD_HINT}") from exc
        except Exception as exc:
            raise IndexCorruptError(
                f"the index at {folder} cannot be read ({type(exc).__name__}: {exc}); {REBUILD_HINT}"
            ) from exc
        return cls(ix, folder, meta)

    @property
    def extractor(self) -> str:
        return str(self.meta.get("extractor", "none"))

    def close(self) -> None:
        """Drops the searcher and what was read through it, so the next use reads the newest generation.
        Not ``Searcher.refresh()``: in whoosh-reloaded 2.7.5 it reuses segment readers blind to new
        deletions (replaced articles would count twice)."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._facet_table = None
        self._collection = None
        self._compiler = None
        self._copies = None

    # -- writing ---------------------------------------------------------------------------------------
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
        from searchidx.engines.whoosh import indexing  # the write path, with its worker pool: loaded to write

        report = indexing.add(self._ix, sources, extractor, on_problem=on_problem, progress=progress,
                              prune=prune, commit_every=commit_every, wait=wait)
        self.close()
        if self.path is not None and report.indexed + report.removed:
            # the wire-copy groups and the facet table, built and saved now so that the next search does not
            # pay for them (at 1M articles ~14 s and ~8 s)
            self.copy_groups()
            self._facets()
        return report

    # -- reading ---------------------------------------------------------------------------------------
    def searcher(self) -> Searcher:
        """The Whoosh searcher of the current generation (opened on first use)."""
        if self._searcher is None:
            self._searcher = self._ix.searcher(weighting=searching.WEIGHTING)
        return self._searcher

    def compiler(self) -> Compiler:
        """The query compiler of the current reader (partial entity names expand through its lexicon)."""
        if self._compiler is None:
            self._compiler = Compiler(self.searcher().reader())
        return self._compiler

    def compile(self, query: Query | str) -> Compiled:
        """A query tree (or text) as Whoosh queries against this index."""
        return self.compiler().compile(parse(query) if isinstance(query, str) else query)

    def _facets(self) -> FacetTable:
        if self._facet_table is None:
            self._facet_table = table_of(self.searcher().reader(), self.path)
        return self._facet_table

    def _arrays(self) -> Collection:
        if self._collection is None:
            self._collection = Collection(self.searcher())
        return self._collection

    def search(self, request: SearchRequest) -> SearchResult:
        return searching.search(
            self._arrays(),
            self._facets() if request.facets else None,
            self.compile(request.tree),
            limit=request.limit,
            offset=request.offset,
            facets=request.facets,
            filters=request.filters,
            excludes=request.excludes,
            since=request.since,
            until=request.until,
            sort=request.sort or "relevance",
            facet_limit=request.facet_limit,
            groups=self.copy_groups(),
            fold=request.fold,
        )

    def suggest(self, query: Query) -> str | None:
        return suggest(query, self.searcher().reader(), self.compiler())

    def facet_values(self, name: str, *, prefix: str = "", query: Query | None = None,
                     limit: int | None = 20) -> list[FacetValue]:
        table = self._facets()
        collection = self._arrays()
        parsed = self.compile(query or Query("", MatchAll()))
        docs = collection.evaluate(parsed.loose).mask  # the articles `search` counts in ``total``
        wanted = table.matching_values(name, prefix)
        counted = [v for v in table.count(name, docs, None) if facet_key(v.value) in wanted]
        return counted if limit is None else counted[:limit]

    def get(self, id: str) -> Article | None:
        stored = self.searcher().document(id=id)
        return None if stored is None else from_stored(stored)

    # -- hooks for `searchidx.explore` (`searchidx.explore.arrays.ExploreBackend`) -------------------------------
    def copy_groups(self) -> CopyGroups:
        """The wire-copy groups of this generation, loaded from beside the index or built (and saved) once."""
        if self._copies is None:
            collection = self._arrays()
            reader = collection.reader
            self._copies = copies.groups_of(
                self.path, reader.generation(), collection.size,
                lambda: CopyGroups.build(collection.column_values("copysig"), collection.live, collection.ids,
                                         collection.dates()))
        return self._copies

    def doc_number(self, id: str) -> int | None:
        """The document number of the live article ``id``; None when there is none."""
        return next(iter(self.searcher().document_numbers(id=id)), None)

    def doc_id(self, doc: int) -> str:
        """The id of the article with document number ``doc``."""
        return str(self.searcher().stored_fields(int(doc))["id"])

    def selection(self, request: SearchRequest) -> tuple[Mask, bool]:
        """The documents a search would count (its query, fallback, filters and dates) and whether the
        any-word fallback was used."""
        sel = searching.select(self._arrays(), self.compile(request.tree), filters=request.filters,
                               excludes=request.excludes, since=request.since, until=request.until)
        return sel.visible, sel.fallback

    def dates(self) -> npt.NDArray[np.str_]:
        """Every document's date key ("" when it has none)."""
        return self._arrays().dates()

    def facet_arrays(self) -> FacetTable:
        """The facet values of every document as arrays (`searchidx.explore.arrays.FacetArrays`)."""
        return self._facets()

    def term_scores(self) -> Collection:
        """Term statistics and per-term BM25F scores (`searchidx.explore.arrays.TermScores`)."""
        return self._arrays()

    def page(self, scores: Floats, visible: Mask, text: str, words: Sequence[str], *, limit: int = 10,
             offset: int = 0, fold: bool = True) -> SearchResult:
        """A result page of the ``visible`` documents ranked by ``scores``, snippets around ``words``
        (analysed terms), wire copies folded with ``fold``; ``text`` is the result's query."""
        q = query.Or([query.Term("body", w) for w in words]) if words else None
        return searching.page(self._arrays(), q, scores, visible, text, limit=limit, offset=offset,
                              groups=self.copy_groups(), fold=fold)

    def count(self) -> int:
        return int(self.searcher().doc_count())

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
            extractor=self.extractor,
            schema_version=int(self.meta.get("schema_version", 0)),
        )


def _meta_crc(meta: Any) -> int:
    """The checksum of the metadata's other fields (``crc32``; absent from indexes written before it)."""
    fields = {k: v for k, v in meta.items() if k != "crc32"} if isinstance(meta, dict) else meta
    return zlib.crc32(json.dumps(fields, sort_keys=True).encode("utf-8"))


def _write_meta(folder: Path, meta: dict[str, Any]) -> None:
    tmp = folder / (META_FILE + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps({**meta, "crc32": _meta_crc(meta)}, indent=2) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / META_FILE)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _is_ours(name: str) -> bool:
    """Files an index folder may hold: whoosh's, the metadata, the lock, saved facet tables, a .gitkeep."""
    return name in (META_FILE, META_FILE + ".tmp", LOCK_FILE, ".gitkeep") or storage.is_index_file(name) \
        or is_table_file(name) or copies.is_copies_file(name)
