"""Facet counts (disjunctive), filters and facet-value search over the packed ``facets`` column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain

from whoosh import query
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher, Matcher
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

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
        counts = Counter(chain.from_iterable(map(self.keys[name].__getitem__, docs)))  # one C loop
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


def matching_docs(searcher: Searcher, q: query.Query) -> set[int]:
    """Every document ``q`` matches, as ``searcher.docs_for_query`` gives them, but with set operations
    instead of walking a compound matcher document by document in Python (the second pass of a faceted
    search: the scoring pass stops visiting documents that cannot reach the top N)."""
    docs: set[int] = set()
    for sub, offset in searcher.leaf_searchers():
        found = _docs(q, sub, None)
        docs |= {d + offset for d in found} if offset else found
    return docs


def _docs(q: query.Query, searcher: Searcher, within: set[int] | None) -> set[int]:
    """The documents of ``searcher`` matching ``q``, among ``within`` when it is not None."""
    kind = type(q)
    if kind is query.Term:
        return _term_docs(searcher.reader(), q.fieldname, q.text, within)
    if kind is query.Or and not q.minmatch and q.subqueries:
        return set().union(*(_docs(s, searcher, within) for s in q.subqueries))
    if kind is query.And and q.subqueries and not any(isinstance(s, query.Not) for s in q.subqueries):
        reader = searcher.reader()
        docs = within
        for sub in sorted(q.subqueries, key=lambda s: s.estimate_size(reader)):  # rarest first
            docs = _docs(sub, searcher, docs)
            if not docs:
                break
        assert docs is not None
        return docs
    if kind is query.AndNot:
        docs = _docs(q.a, searcher, within)
        return docs - _docs(q.b, searcher, docs) if docs else docs
    if kind is query.AndMaybe:
        return _docs(q.a, searcher, within)
    found = set(q.docs(searcher))
    return found if within is None else found & within


def _term_docs(reader: IndexReader, field: str, text: str, within: set[int] | None) -> set[int]:
    if (field, text) not in reader:
        return set()
    postings = reader.postings(field, text)
    if within is None or len(within) * 8 > reader.doc_frequency(field, text):
        docs = _posting_ids(postings)
        return docs if within is None else docs & within
    found: set[int] = set()  # few candidates, long postings: skip through the blocks (maxid) to each
    for docnum in sorted(within):
        if not postings.is_active():
            break
        if postings.id() < docnum:
            postings.skip_to(docnum)
            if not postings.is_active():
                break
        if postings.id() == docnum:
            found.add(docnum)
    return found


def _posting_ids(m: Matcher) -> set[int]:
    """The documents of a term's postings, a block at a time (``all_ids()`` costs a Python call per
    posting); deleted documents left out, as the reader's ``FilterMatcher`` leaves them out."""
    deleted: set[int] | frozenset[int] = frozenset()
    leaf = m
    if type(m) is FilterMatcher and m._exclude:
        deleted, leaf = m._ids, m.child
    if type(leaf) is not W3LeafMatcher:
        return set(m.all_ids())
    ids: list[int] = []
    while leaf.is_active():
        if leaf._ids is None:
            leaf._read_ids()
        ids.extend(leaf._ids[leaf._i:])
        leaf._next_block()
    return set(ids).difference(deleted)


def disjunctive_sets(
    matched: set[int], filter_sets: Mapping[str, set[int]], name: str
) -> set[int]:
    """The documents over which facet ``name`` is counted: every filter applies except those on ``name``."""
    docs = matched
    for other, allowed in filter_sets.items():
        if other != name:
            docs = docs & allowed
    return docs
