"""Facet counts (disjunctive), filters and facet-value search over the packed ``facets`` column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from whoosh.reading import IndexReader

from searchidx.models import FacetValue
from searchidx.schema import FACET_FIELDS, facet_key, unpack_facets
from searchidx.scoring import Collection, Ints, Mask


class FacetTable:
    """Every document's facet values as arrays (one pass over the packed column per index generation):
    for each facet, parallel arrays of (document, value number), so counting the values of a set of
    documents is one gather and one ``bincount``."""

    def __init__(self, reader: IndexReader) -> None:
        self.display: dict[str, dict[str, str]] = {f: {} for f in FACET_FIELDS}
        self._keys: dict[str, list[str]] = {f: [] for f in FACET_FIELDS}
        self._docs: dict[str, Ints] = {}
        self._values: dict[str, Ints] = {}
        self._order: dict[str, Ints] = {}  # each value number's rank by name, for ties
        numbers: dict[str, dict[str, int]] = {f: {} for f in FACET_FIELDS}
        docs: dict[str, list[int]] = {f: [] for f in FACET_FIELDS}
        values: dict[str, list[int]] = {f: [] for f in FACET_FIELDS}
        if reader.has_column("facets"):
            for docnum, data in enumerate(reader.column_reader("facets")):
                for name, names in unpack_facets(data).items():
                    if name not in numbers:
                        continue
                    number, shown, keys = numbers[name], self.display[name], self._keys[name]
                    for value in names:
                        key = facet_key(value)
                        if not key:
                            continue
                        found = number.get(key)
                        if found is None:
                            found = number[key] = len(keys)
                            keys.append(key)
                            shown[key] = value
                        docs[name].append(docnum)
                        values[name].append(found)
        for name in FACET_FIELDS:
            self._docs[name] = np.asarray(docs[name], dtype=np.int64)
            self._values[name] = np.asarray(values[name], dtype=np.int64)
            ranks = np.empty(len(self._keys[name]), dtype=np.int64)
            ranks[np.argsort(np.asarray(self._keys[name], dtype=np.str_), kind="stable")] = np.arange(len(ranks))
            self._order[name] = ranks

    def count(self, name: str, docs: Mask, limit: int | None = 10) -> list[FacetValue]:
        """Counts of each value of facet ``name`` over the documents of ``docs``: by count, then name."""
        check(name)
        counts = np.bincount(self._values[name][docs[self._docs[name]]], minlength=len(self._keys[name]))
        present = np.flatnonzero(counts)
        ranked = present[np.lexsort((self._order[name][present], -counts[present]))]
        if limit is not None:
            ranked = ranked[:limit]
        keys, shown = self._keys[name], self.display[name]
        return [FacetValue(shown[keys[v]], int(counts[v])) for v in ranked]

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


def docs_with(collection: Collection, name: str, values: Sequence[str]) -> Mask:
    """Documents having any of ``values`` in facet ``name`` (values compared folded)."""
    check(name)
    docs = np.zeros(collection.size, dtype=np.bool_)
    for value in values:
        key = facet_key(value)
        if key:
            docs[collection.postings(name, key)[0]] = True
    return docs & collection.live


def disjunctive(matched: Mask, filters: Mapping[str, Mask], name: str) -> Mask:
    """The documents over which facet ``name`` is counted: every filter applies except those on ``name``."""
    docs = matched
    for other, allowed in filters.items():
        if other != name:
            docs = docs & allowed
    return docs
