"""Related entities: the people, organisations and places that appear with a given one more often than chance.

Counted over articles from the facet table (`searchidx.explore.arrays.FacetArrays`): for the chosen entity A and each
other value B, the 2×2 table of articles with A and B, A only, B only, neither, over the articles considered
(all, or those a query and filters select). Ranked by Dunning's log-likelihood ratio G² (a standard measure
of association that, unlike raw co-occurrence, does not put the most frequent names — France, Emmanuel Macron
— at the top of every list, and unlike PMI does not favour names seen once), keeping only positive
associations (more articles together than the ``expected`` count under independence) that are significant
(G² ≥ `MIN_SCORE`, p < 0.05) and seen in at least ``min_count`` articles. ``by="count"`` lists every value
seen with it in ``min_count`` articles, by raw co-occurrence.

The value is matched as facet values are: case and accents ignored; a name resolves to the names holding
all its words (then those with words starting so), the most frequent one chosen ("Biden" -> Joe Biden) and
the others returned as ``alternatives`` so the caller can say the choice was ambiguous.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from searchidx.errors import SearchidxError, UsageError
from searchidx.explore.arrays import FacetArrays, Floats, Ints, Mask
from searchidx.fields import facet_key
from searchidx.models import ENTITY_TYPES

__all__ = ["Association", "NotFoundError", "Related", "check", "compute", "not_found", "rank", "resolve",
           "words_of"]

RANKINGS: tuple[str, ...] = ("llr", "count")
MIN_SCORE = 3.84  # G² of a 2×2 table at p = 0.05 (chi-squared, one degree of freedom)


class NotFoundError(SearchidxError):
    """No value of the field matches (exit code 1, like a search without result)."""


@dataclass(frozen=True, slots=True)
class Association:
    field: str
    value: str
    count: int  # articles with both
    expected: float  # articles with both expected if the two were independent
    score: float  # log-likelihood ratio G², negative when they appear together less than chance
    total: int  # articles with this value (among those considered)


@dataclass(frozen=True, slots=True)
class Related:
    field: str
    value: str  # the resolved display name
    articles: int  # articles considered that have the value
    considered: int  # articles considered (all, or those the query and filters select)
    related: list[Association]
    query: str = ""
    by: str = "llr"
    alternatives: list[str] = dataclasses.field(default_factory=list)  # other names the given value could mean

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field, "value": self.value, "query": self.query, "by": self.by,
            "articles": self.articles, "considered": self.considered, "alternatives": self.alternatives,
            "related": [{"field": a.field, "value": a.value, "count": a.count, "expected": round(a.expected, 2),
                         "score": round(a.score, 2), "total": a.total} for a in self.related],
        }


_WORDS: weakref.WeakKeyDictionary[Any, dict[str, dict[str, set[int]]]] = weakref.WeakKeyDictionary()


def _word_index(table: FacetArrays, name: str) -> dict[str, set[int]]:
    """Each folded word of facet ``name``'s values -> the value numbers holding it; made once per table."""
    per_table = _WORDS.setdefault(table, {})
    index = per_table.get(name)
    if index is None:
        index = per_table[name] = {}
        for number, shown in enumerate(table.names(name)):
            for word in facet_key(shown).replace("-", " ").split():
                index.setdefault(word, set()).add(number)
    return index


def words_of(name: str, value: str) -> list[str]:
    """The folded words of the value to resolve in entity facet ``name``; `UsageError` when there are none."""
    if name not in ENTITY_TYPES:
        raise UsageError(f"related works on person, org or place, not {name!r}")
    wanted = facet_key(value).replace("-", " ").split()
    if not wanted:
        raise UsageError("give a name to find related entities for")
    return wanted


def not_found(name: str, value: str) -> NotFoundError:
    return NotFoundError(f"no {name} named {value!r} in the index; `searchidx facets {name} --prefix "
                         f"{words_of(name, value)[0]}` lists the names")


def resolve(table: FacetArrays, name: str, value: str, live: Mask) -> tuple[int, list[str]]:
    """The value number ``value`` names in facet ``name`` and the other candidates (most frequent first).

    Candidates: the names holding all its words (the name itself among them), else those with words starting
    with its words; the one in most articles wins ("Macron" -> Emmanuel Macron, also when the surname alone
    is a value)."""
    wanted = words_of(name, value)
    words = _word_index(table, name)
    found = set.intersection(*(words.get(w, set()) for w in wanted))
    if not found:
        found = set.intersection(*(set().union(*(v for k, v in words.items() if k.startswith(w)))
                                   for w in wanted))
    if not found:
        raise not_found(name, value)
    names = table.names(name)
    docs, values = table.pairs(name)
    counts = np.bincount(values[live[docs]], minlength=len(names))
    ranked = sorted(found, key=lambda i: (-int(counts[i]), names[i]))
    return ranked[0], [names[i] for i in ranked[1:6]]


def _g2(k11: Floats, k12: Floats, k21: Floats, k22: Floats) -> Floats:
    """Dunning's log-likelihood ratio of 2×2 tables (vectors of cell counts)."""
    n = k11 + k12 + k21 + k22

    def term(k: Floats, row: Floats, col: Floats) -> Floats:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = k * np.log(k * n / (row * col))
        return np.where(k > 0, out, 0.0)

    r1, r2, c1, c2 = k11 + k12, k21 + k22, k11 + k21, k12 + k22
    return 2.0 * (term(k11, r1, c1) + term(k12, r1, c2) + term(k21, r2, c1) + term(k22, r2, c2))


def check(fields: Sequence[str], by: str, limit: int, min_count: int) -> None:
    """`UsageError` for an unknown ranking or field, or a bad limit."""
    if by not in RANKINGS:
        raise UsageError(f"unknown ranking {by!r} for --by; choose from: {', '.join(RANKINGS)}")
    for f in fields:
        if f not in ENTITY_TYPES:
            raise UsageError(f"unknown field {f!r} for --field; choose from: {', '.join(ENTITY_TYPES)}")
    if limit < 0 or min_count < 1:
        raise UsageError("--limit must be zero or more and --min-count 1 or more")


def compute(table: FacetArrays, name: str, value: str, considered: Mask, live: Mask, *,
            fields: Sequence[str] = ENTITY_TYPES, by: str = "llr", limit: int = 10, min_count: int = 2,
            query: str = "") -> Related:
    """The values of ``fields`` most associated with ``name`` = ``value`` over the ``considered`` documents."""
    check(fields, by, limit, min_count)
    number, alternatives = resolve(table, name, value, live)
    shown = table.names(name)[number]
    docs, values = table.pairs(name)
    target = np.zeros(len(considered), dtype=np.bool_)
    target[docs[(values == number) & considered[docs]]] = True
    n = int(np.count_nonzero(considered))
    a = int(np.count_nonzero(target))
    counted: list[tuple[str, Sequence[str], Floats, Floats]] = []
    if a:
        for f in fields:
            f_docs, f_values = table.pairs(f)
            width = len(table.names(f))
            totals = np.bincount(f_values[considered[f_docs]], minlength=width).astype(np.float64)
            both = np.bincount(f_values[target[f_docs]], minlength=width).astype(np.float64)
            if f == name:
                both[number] = 0
            counted.append((f, table.names(f), totals, both))
    return Related(name, shown, a, n, rank(a, n, counted, by=by, limit=limit, min_count=min_count), query, by,
                   alternatives)


def rank(a: int, n: int, counted: Sequence[tuple[str, Sequence[str], Floats, Floats]], *, by: str = "llr",
         limit: int = 10, min_count: int = 2) -> list[Association]:
    """The associations of a value held by ``a`` of the ``n`` articles considered, best first.

    ``counted``: per field, (field, value names, articles having each value, articles having it and the chosen
    value — 0 for the chosen value itself), over the articles considered."""
    parts: list[tuple[str, Ints, Floats, Floats, Floats, Floats]] = []  # field, values, k11, expected, G², total
    for f, _, totals, both in counted:
        expected = a * totals / max(n, 1)
        if by == "count":  # raw co-occurrence, associated or not
            keep = np.flatnonzero(both >= min_count)
        else:  # positive associations significant at p < 0.05 (G² ≥ 3.84, one degree of freedom)
            keep = np.flatnonzero((both >= min_count) & (both > expected))
        k11 = both[keep]
        scores = _g2(k11, a - k11, totals[keep] - k11, n - a - totals[keep] + k11)
        scores = np.where(k11 < expected[keep], -scores, scores)  # signed: negative when seen less than chance
        if by != "count":
            significant = scores >= MIN_SCORE
            keep, k11, scores = keep[significant], k11[significant], scores[significant]
        parts.append((f, keep, k11, expected[keep], scores, totals[keep]))
    found: list[Association] = []
    if parts:
        counts = np.concatenate([p[2] for p in parts])
        scores = np.concatenate([p[4] for p in parts])
        starts = np.cumsum([0] + [len(p[1]) for p in parts])
        primary, secondary = (counts, scores) if by == "count" else (scores, counts)
        keys = np.asarray([facet_key(counted[i][1][int(v)]) for i, p in enumerate(parts) for v in p[1]],
                          dtype=np.str_)
        for k in np.lexsort((keys, -secondary, -primary))[:limit]:  # ties: by the other measure, then by name
            i = int(np.searchsorted(starts, k, side="right")) - 1
            j = int(k - starts[i])
            f, keep, k11, expected, g2, totals = parts[i]
            found.append(Association(f, counted[i][1][int(keep[j])], int(k11[j]), float(expected[j]),
                                     float(g2[j]), int(totals[j])))
    return found
