"""Timelines and related entities on a SolrCloud collection, counted by Solr's JSON Facet API and finished by
the local code (`searchidx.explore.timeline.tally`, `searchidx.explore.related.rank`), so the periods, labels,
undated count, association measure and JSON are those of the local engine.

The articles counted are those a local search counts (`_counted`). Timeline: one request counts the
matching articles per ``date`` key (a terms facet: keys are the ISO dates as written, so a "2021" date is
undated for months exactly as locally, which a range facet on the date point would not do); ``--split``
adds a terms facet on the split's folded key (top values, refined, ties by key as locally) with the same
per-date facet nested. The buckets are then made from those few thousand (date, count) pairs, never from
one row per article.

Related: the value resolves as locally (names holding all its words, else words starting so; the one in most
articles wins) through a terms facet restricted by ``facet.matches``; then one request counts, over the
articles considered (the same query compiler, fallback, filters and dates as a search), the articles having
the value (a query facet), each field's values among them (the co-occurrence counts) and each field's values
overall (the totals). Every facet lists all its values (``limit: -1``), so counts merged from the shards are
exact; ``mincount`` keeps only values seen ``min_count`` times (the ranking ignores the others).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from searchidx.engines.solr.compile import quote
from searchidx.explore import related as _related
from searchidx.explore import timeline as _timeline
from searchidx.explore.arrays import Floats, Ints
from searchidx.explore.related import Related
from searchidx.explore.timeline import Timeline

if TYPE_CHECKING:
    from searchidx.backend import SearchRequest
    from searchidx.engines.solr.backend import SolrBackend

__all__ = ["related", "timeline"]

_SERIES_EXTRA = 100  # buckets over-requested and refined per shard for the split's top values


def _counted(backend: SolrBackend, request: SearchRequest | None, body: dict[str, Any]) -> tuple[dict[str, Any],
                                                                                                  bool]:
    """The facets of ``body`` over the articles a search ``request`` counts (None: every article), and whether
    no article has every word (the local ``fallback``). As the local engine since schema 5, the articles
    counted are those with any plain word (``+word``, ET and exclusions still binding): the compiler's
    any-word form."""
    from searchidx.engines.solr.backend import _filter_queries

    if request is None:
        return backend._select({"q": "*:*", "rows": 0}, body), False
    parsed = backend.compile(request.tree)
    params = {"rows": 0, "fq": _filter_queries(request.filters, request.excludes, request.since, request.until)}
    data = backend._select({**params, "q": parsed.loose}, body)
    fallback = False
    if data["response"]["numFound"] and not parsed.browse and parsed.loose != parsed.strict:
        fallback = not backend._select({**params, "q": parsed.strict})["response"]["numFound"]
    return data, fallback


def _per_date(buckets: list[dict[str, Any]]) -> tuple[np.ndarray[Any, np.dtype[np.str_]], Ints]:
    dates = np.asarray([str(b["val"]) for b in buckets], dtype=np.str_)
    return dates, np.asarray([int(b["count"]) for b in buckets], dtype=np.int64)


def timeline(backend: SolrBackend, request: SearchRequest, *, by: str | None = None, split: str | None = None,
             top: int = 5) -> Timeline:
    """See `searchidx.index.Index.timeline`."""
    _timeline.check(by, split, top)
    dates = {"type": "terms", "field": "date", "limit": -1, "mincount": 1, "refine": True}
    body: dict[str, Any] = {"facet": {"dates": dates}}
    if split is not None:
        body["facet"]["series"] = {"type": "terms", "field": f"{split}_key", "limit": top, "mincount": 1,
                                   "sort": "count desc", "refine": True, "overrequest": _SERIES_EXTRA,
                                   "overrefine": _SERIES_EXTRA, "facet": {"dates": dates}}
    data, fallback = _counted(backend, request, body)
    facets = data.get("facets", {})
    series: list[tuple[str, Any, Ints | None]] = []
    if split is not None:
        found = facets.get("series", {}).get("buckets", [])
        shown = backend._display({split: [str(b["val"]) for b in found]})[split]
        for b in found:
            series.append((shown.get(str(b["val"]), str(b["val"])), *_per_date(b.get("dates", {}).get("buckets", []))))
    all_dates, counts = _per_date(facets.get("dates", {}).get("buckets", []))
    return _timeline.tally(all_dates, counts, request.tree.text, total=int(data["response"]["numFound"]), by=by,
                           split=split, series=series, fallback=fallback)


def _resolve(backend: SolrBackend, name: str, value: str) -> tuple[str, list[str]]:
    """The key ``value`` names in entity facet ``name`` and the other candidates' display names, as
    `searchidx.explore.related.resolve` chooses them."""
    wanted = _related.words_of(name, value)
    whole = "".join(f"(?=(?:.*[ -])?{re.escape(w)}(?:[ -].*)?$)" for w in wanted) + ".*"
    starting = "".join(f"(?=(?:.*[ -])?{re.escape(w)}.*$)" for w in wanted) + ".*"
    for regex in (whole, starting):
        flat = backend._select({"q": "*:*", "rows": 0, "facet": "true", "facet.field": f"{name}_key",
                                "facet.matches": regex, "facet.limit": -1, "facet.mincount": 1})
        pairs = flat["facet_counts"]["facet_fields"][f"{name}_key"]
        if pairs:
            break
    else:
        raise _related.not_found(name, value)
    keyed = list(zip((str(k) for k in pairs[0::2]), (int(n) for n in pairs[1::2]), strict=True))
    shown = backend._display({name: [k for k, _ in keyed]})[name]
    ranked = sorted(keyed, key=lambda kn: (-kn[1], shown.get(kn[0], kn[0])))
    return ranked[0][0], [shown.get(k, k) for k, _ in ranked[1:6]]


def related(backend: SolrBackend, name: str, value: str, request: SearchRequest | None, *,
            fields: Sequence[str], by: str = "llr", limit: int = 10, min_count: int = 2, query: str = "") -> Related:
    """See `searchidx.index.Index.related`; ``request`` selects the articles considered (None: all)."""
    _related.check(fields, by, limit, min_count)
    key, alternatives = _resolve(backend, name, value)
    having = f"{name}_key:{quote(key)}"
    facet: dict[str, Any] = {"with": {"type": "query", "q": having}}
    for f in fields:
        values = {"type": "terms", "field": f"{f}_key", "limit": -1, "mincount": min_count}
        facet[f"{f}_all"] = values
        facet[f"{f}_with"] = {**values, "domain": {"filter": having}}
    data, _ = _counted(backend, request, {"facet": facet})
    facets = data.get("facets", {})
    n, a = int(data["response"]["numFound"]), int(facets.get("with", {}).get("count", 0))
    counted: list[tuple[str, Sequence[str], Floats, Floats]] = []
    if a:
        for f in fields:
            both = {str(b["val"]): int(b["count"]) for b in facets.get(f"{f}_with", {}).get("buckets", [])}
            totals = {str(b["val"]): int(b["count"]) for b in facets.get(f"{f}_all", {}).get("buckets", [])}
            if f == name:
                both.pop(key, None)
            keys = sorted(both)
            counted.append((f, keys, np.asarray([totals[k] for k in keys], dtype=np.float64),
                            np.asarray([both[k] for k in keys], dtype=np.float64)))
    found = _related.rank(a, n, counted, by=by, limit=limit, min_count=min_count)
    wanted = {f: [x.value for x in found if x.field == f] for f in {x.field for x in found}}
    shown = backend._display({**wanted, name: [*wanted.get(name, []), key]})
    found = [dataclasses.replace(x, value=shown[x.field].get(x.value, x.value)) for x in found]
    return Related(name, shown[name].get(key, key), a, n, found, query, by, alternatives)

