"""Facet counts (disjunctive), filters and facet-value search over the packed ``facets`` column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from whoosh.reading import IndexReader

from searchidx.models import FacetValue
from searchidx.schema import FACET_FIELDS, facet_key, unpack_facets


class FacetTable:
    """Every document's facet keys, read once per index generation (one pass over the column)."""

    def __init__(self, reader: IndexReader) -> None:
        self.keys: dict[str, list[tuple[str, ...]]] = {f: [] for f in FACET_FIELDS}
        self.display: dict[str, dict[str, str]] = {f: {} for f in FACET_FIELDS}
        if not reader.has_column("facets"):
            return
        for data in reader.column_reader("facets"):
            packed = unpack_facets(data)
            for name in FACET_FIELDS:
                values = packed.get(name)
                if not values:
                    self.keys[name].append(())
                    continue
                shown = self.display[name]
                keys = []
                for value in values:
                    key = facet_key(value)
                    shown.setdefault(key, value)
                    keys.append(key)
                self.keys[name].append(tuple(keys))

    def count(self, name: str, docs: Iterable[int], limit: int | None = 10) -> list[FacetValue]:
        """Counts of each value of facet ``name`` over ``docs``: by count, then name."""
        check(name)
        per_doc = self.keys[name]
        counts: Counter[str] = Counter()
        for docnum in docs:
            counts.update(per_doc[docnum])
        shown = self.display[name]
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if limit is not None:
            ranked = ranked[:limit]
        return [FacetValue(shown[k], c) for k, c in ranked]

    def matching_values(self, name: str, prefix: str) -> set[str]:
        """Keys of facet ``name`` having a word that starts with ``prefix`` (accent- and case-insensitive)."""
        check(name)
        wanted = facet_key(prefix)
        if not wanted:
            return set(self.display[name])
        return {
            key for key in self.display[name]
            if key.startswith(wanted) or any(w.startswith(wanted) for w in key.replace("-", " ").split())
        }


def check(name: str) -> None:
    from searchidx.errors import UsageError

    if name not in FACET_FIELDS:
        raise UsageError(f"unknown facet {name!r}; choose from: {', '.join(FACET_FIELDS)}")


def docs_with(reader: IndexReader, name: str, values: Sequence[str]) -> set[int]:
    """Documents having any of ``values`` in facet ``name`` (values compared folded)."""
    check(name)
    docs: set[int] = set()
    for value in values:
        key = facet_key(value)
        if key and (name, key) in reader:
            docs.update(reader.postings(name, key).all_ids())
    return docs


def disjunctive_sets(
    matched: set[int], filter_sets: Mapping[str, set[int]], name: str
) -> set[int]:
    """The documents over which facet ``name`` is counted: every filter applies except those on ``name``."""
    docs = matched
    for other, allowed in filter_sets.items():
        if other != name:
            docs = docs & allowed
    return docs
