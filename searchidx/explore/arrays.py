"""What `searchidx.explore` needs from an engine: a few array hooks (`ExploreBackend`), so its modules do not
depend on one.

The Whoosh engine (`searchidx.engines.whoosh.engine.WhooshBackend`) provides them with its facet table
(facet values as arrays), its collection (term statistics and BM25F scores per term), the copy groups of
`searchidx.explore.copies` and its result pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from searchidx.models import FacetValue, SearchResult

if TYPE_CHECKING:
    from searchidx.backend import SearchRequest
    from searchidx.explore.copies import CopyGroups
    from searchidx.explore.related import Related
    from searchidx.explore.timeline import Timeline

__all__ = ["CountingBackend", "ExploreBackend", "FacetArrays", "Floats", "Ints", "Mask", "TermScores"]

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


class FacetArrays(Protocol):
    """Every document's facet values, by document number (deleted documents included: callers mask them)."""

    def pairs(self, name: str) -> tuple[Ints, Ints]:
        """Parallel arrays (document, value number), one pair per value of a document."""
        ...

    def names(self, name: str) -> list[str]:
        """The display form of each value number."""
        ...

    def number(self, name: str, value: str) -> int | None:
        """The value number of ``value`` compared folded (`searchidx.fields.facet_key`); None when no document
        has it."""
        ...

    def docs_of(self, name: str, value: str) -> Ints:
        """The documents having ``value``."""
        ...

    def count(self, name: str, docs: Mask, limit: int | None = 10) -> list[FacetValue]:
        """The values of ``docs`` with their counts, by count then name."""
        ...


class TermScores(Protocol):
    """Per-term statistics and scores of one index generation."""

    size: int  # document numbers run from 0 to size - 1
    live: Mask  # documents not deleted

    def term(self, field: str, text: str) -> tuple[Ints, Floats]:
        """The live documents holding an analysed term in ``field`` and their BM25F scores for it."""
        ...

    def doc_frequency(self, text: str, field: str = "body") -> int:
        """The number of documents holding an analysed term."""
        ...


@runtime_checkable
class ExploreBackend(Protocol):
    """The hooks of a backend (`searchidx.backend.Backend`) that timelines, related entities, similar
    articles and wire copies are computed from; documents are numbered from 0 to the index's size."""

    def copy_groups(self) -> CopyGroups:
        """The wire-copy groups of the current index generation."""
        ...

    def doc_number(self, id: str) -> int | None:
        """The document number of the article ``id``; None when there is none."""
        ...

    def doc_id(self, doc: int) -> str:
        """The id of the article with document number ``doc``."""
        ...

    def selection(self, request: SearchRequest) -> tuple[Mask, bool]:
        """The documents the search ``request`` counts, and whether the any-word fallback was used."""
        ...

    def dates(self) -> npt.NDArray[np.str_]:
        """Every document's ISO date key ("" when it has none)."""
        ...

    def facet_arrays(self) -> FacetArrays:
        """The facet values of every document."""
        ...

    def term_scores(self) -> TermScores:
        """Term statistics and per-term scores."""
        ...

    def page(self, scores: Floats, visible: Mask, text: str, words: Sequence[str], *, limit: int = 10,
             offset: int = 0, fold: bool = True) -> SearchResult:
        """A result page of the ``visible`` documents by ``scores``, with snippets around ``words``."""
        ...


@runtime_checkable
class CountingBackend(Protocol):
    """A backend that counts timelines and related entities on its side (a server's facets) instead of
    handing over arrays: the results are those `searchidx.explore.timeline.tally` and
    `searchidx.explore.related.rank` make from its counts."""

    def timeline(self, request: SearchRequest, *, by: str | None = None, split: str | None = None,
                 top: int = 5) -> Timeline:
        """The timeline of the articles the search ``request`` counts."""
        ...

    def related(self, name: str, value: str, request: SearchRequest | None, *, fields: Sequence[str],
                by: str = "llr", limit: int = 10, min_count: int = 2, query: str = "") -> Related:
        """The entities associated with ``name`` = ``value`` over the articles ``request`` selects (None: all)."""
        ...
