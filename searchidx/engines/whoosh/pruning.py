"""Rank-safe top-k: score only the documents that can enter the first k, count every match without scoring.

A query's score is a sum of *clauses*: each clause is one scored posting list (a term in a field) with an
upper bound (its largest score).  Clauses are grouped: a group is what one query word contributes (the word
in the title plus the word in the body); a group matches where any of its clauses does.  ``all`` mode needs
every group (the default all-words query), ``any`` mode one (the any-word fallback).

- Matches are counted exactly, without scores: one boolean vector per group (a scatter of its document
  numbers), AND-ed or OR-ed.  Totals and facet counts come from it.
- Top k by score (MaxScore, vectorised): the groups are taken by decreasing upper bound.  A first threshold
  θ is the k-th best exact score of a few candidates (those of the strongest groups).  In ``any`` mode, the
  weakest groups whose upper bounds add up to less than θ are *non-essential*: a document matching only them
  scores less than θ, so only the documents of the other groups are candidates (for a pasted lede of 30
  words, most words are common and non-essential).  Candidates are then scored group by group; after each
  group θ rises to the k-th best partial score (scores are never negative, so a partial score is at most
  the final one) and the candidates whose partial score plus the remaining groups' bounds is below θ are
  dropped.  θ is never above the final k-th score (it is a k-th score, or a lower bound of one, of real
  visible matches), and a dropped document scores strictly less than θ, so the first k (ties broken by
  document number) are those of exhaustive scoring.
- The exact score of a survivor is summed in the same order as `searchidx.engines.whoosh.scoring.Collection.evaluate`
  sums it, so scores are bit-identical to exhaustive scoring.

Query shapes other than words and phrases OR-ed / AND-ed over fields (prefixes, fuzzy words, exclusions...)
return None from `plan` and are scored exhaustively by `Collection.evaluate`.  `exhaustive()` turns pruning
off (benchmarks and tests compare the two).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query

from searchidx.engines.whoosh.scoring import Collection, Floats, Ints, Mask

__all__ = ["Clause", "Group", "Plan", "clause", "constant", "exhaustive", "plan", "top_k"]

#: Relative margin on upper bounds (a partial sum may round differently from the exact one).
_SLACK = 1e-9
#: Candidates scored at once before the threshold is first taken.
_FIRST = 64
_enabled = True


@contextlib.contextmanager
def exhaustive() -> Iterator[None]:
    """Within this block, searches score every match (the reference pruning is compared with)."""
    global _enabled
    before, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = before


def enabled() -> bool:
    return _enabled


@dataclass
class Clause:
    """One summand of the score: the live documents where it is non-zero (sorted), its value there, and an
    upper bound of that value."""

    ids: Ints
    scores: Floats
    upper: float
    negative: bool
    size: int  # documents in the collection

    def at(self, docs: Ints, scratch: Floats | None = None) -> Floats:
        """The clause's value at each of ``docs`` (sorted), 0 where it does not match; ``scratch`` (zeros,
        one per document of the collection, left as zeros) saves allocating one."""
        if not len(self.ids) or not len(docs):
            return np.zeros(len(docs), dtype=np.float64)
        if len(docs) * 16 > len(self.ids):  # many documents: through a dense vector
            dense = np.zeros(self.size, dtype=np.float64) if scratch is None else scratch
            dense[self.ids] = self.scores
            out = dense[docs]
            dense[self.ids] = 0.0
            return out
        out = np.zeros(len(docs), dtype=np.float64)
        where = np.searchsorted(self.ids, docs)
        where[where == len(self.ids)] = 0
        hit = self.ids[where] == docs
        out[hit] = self.scores[where[hit]]
        return out


@dataclass
class Group:
    """Clauses that one query word contributes; its score is their sum (in this order)."""

    clauses: list[Clause]
    upper: float = field(init=False)

    def __post_init__(self) -> None:
        self.upper = float(sum(c.upper for c in self.clauses))

    def mask(self, size: int) -> Mask:
        out = np.zeros(size, dtype=np.bool_)
        for c in self.clauses:
            out[c.ids] = True
        return out

    def at(self, docs: Ints, scratch: Floats | None = None) -> Floats:
        total = np.zeros(len(docs), dtype=np.float64)
        for c in self.clauses:
            total += c.at(docs, scratch)
        return total


@dataclass
class Plan:
    """Groups summed in this order.  The first ``matching`` groups (all when None) decide the matches:
    ``all`` says whether every one of them must match, else any; the others only add to the score."""

    groups: list[Group]
    all: bool
    matching: int | None = None

    def mask(self, size: int) -> Mask:
        """Every matching document, exactly (no score computed)."""
        deciding = self.groups[:self.matching]
        out = np.zeros(size, dtype=np.bool_)
        if not deciding:
            return out
        if not self.all:
            for g in deciding:
                for c in g.clauses:
                    out[c.ids] = True
            return out
        ordered = sorted(deciding, key=lambda g: sum(len(c.ids) for c in g.clauses))
        out = ordered[0].mask(size)
        for g in ordered[1:]:
            if not out.any():
                break
            out &= g.mask(size)
        return out

    def plus(self, rewards: list[Group]) -> Plan:
        """This plan with ``rewards`` summed after its groups: they add to the score of a match and never
        make one (a ranking's rewards for exact forms, word pairs, having every word)."""
        return Plan(self.groups + rewards, self.all, len(self.groups) if self.matching is None else self.matching)

    def exact(self, docs: Ints, scratch: Floats | None = None) -> Floats:
        """The exact scores at ``docs``, summed as exhaustive evaluation sums them (group by group)."""
        total = self.groups[0].at(docs, scratch)
        for g in self.groups[1:]:
            total += g.at(docs, scratch)
        return total


def constant(ids: Ints, value: float, size: int) -> Clause:
    """A clause worth ``value`` at each of ``ids`` (a reward for having a word)."""
    return Clause(ids, np.full(len(ids), value, dtype=np.float64), value if len(ids) else 0.0, value < 0, size)


def clause(ids: Ints, scores: Floats, size: int) -> Clause:
    """A clause from a scored posting list (live document numbers, sorted)."""
    return Clause(ids, scores, float(scores.max()) if len(scores) else 0.0,
                  bool(len(scores)) and float(scores.min()) < 0, size)


def plan(collection: Collection, q: query.Query, memo: dict[Any, Any]) -> Plan | None:
    """The clauses of ``q`` when it is words OR-ed or AND-ed over fields (the queries the parser makes of
    plain words); None for any other shape."""
    one = _group(collection, q, memo) if type(q) is not query.Or or _leaf(collection, q.subqueries[0]) else None
    if one is not None:
        groups, every = [one], True
    elif type(q) is query.And or (type(q) is query.Or and not q.minmatch
                                  and all(type(s) is query.Or for s in q.subqueries)):
        # (an OR mixing terms and groups sums them in another order: left to exhaustive evaluation)
        found = [_group(collection, s, memo) for s in q.subqueries] if q.boost == 1 else [None]
        if not found or any(g is None for g in found):
            return None
        groups, every = [g for g in found if g is not None], type(q) is query.And
    else:
        return None
    if any(c.negative for g in groups for c in g.clauses):
        return None  # partial sums bound the final ones from below only when no score is negative
    return Plan(groups, all=every)


def _group(collection: Collection, q: query.Query, memo: dict[Any, Any]) -> Group | None:
    """A word: a term or phrase, or an OR of them over fields (its terms summed first, then its phrases,
    the order of `Collection.evaluate`)."""
    if q.boost != 1:
        return None
    leaves = q.subqueries if type(q) is query.Or and not q.minmatch else [q]
    if not leaves or not all(_leaf(collection, s) for s in leaves):
        return None
    ordered = [s for s in leaves if type(s) is query.Term] + [s for s in leaves if type(s) is not query.Term]
    return Group([_clause(collection, s, memo) for s in ordered])


def _leaf(collection: Collection, q: query.Query) -> bool:
    return type(q) is query.Term or (type(q) is query.Phrase and q.fieldname in collection.searcher.schema)


def _clause(collection: Collection, q: query.Term | query.Phrase, memo: dict[Any, Any]) -> Clause:
    key = ("clause", q.fieldname, repr(q))
    found: Clause | None = memo.get(key)
    if found is None:
        if type(q) is query.Phrase:
            ids, scores = collection.phrase_postings(q, memo)
        else:
            ids, scores = collection._term(q.fieldname, q.text, memo)
            if q.boost != 1:
                scores = scores * q.boost
        found = memo[key] = clause(ids, scores, collection.size)
    return found


def top_k(p: Plan, visible: Mask, k: int) -> tuple[Ints, Floats]:
    """The first ``k`` documents of ``visible`` (the visible matches of ``p``) by score, ties broken by
    lower document number, and their exact scores."""
    if k <= 0 or not p.groups:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    order = sorted(range(len(p.groups)), key=lambda i: -p.groups[i].upper)
    # a first threshold: the exact k-th score of the best visible matches of the strongest groups
    seen = np.zeros(len(visible), dtype=np.bool_)
    scratch = np.zeros(len(visible), dtype=np.float64)
    used = 0
    for i in order:
        for c in p.groups[i].clauses:
            seen[c.ids] = True
        seed = np.flatnonzero(seen & visible)
        used += 1
        if len(seed) >= 4 * max(_FIRST, k) or (len(seed) >= k and used >= 3):
            break
    if len(seed) > max(_FIRST, k):
        first = np.zeros(len(seed), dtype=np.float64)
        for i in order[:used]:
            first += p.groups[i].at(seed, scratch)
        seed = np.sort(seed[np.argpartition(-first, max(_FIRST, k) - 1)[:max(_FIRST, k)]])
    theta = _kth(p.exact(seed, scratch), k)
    if p.all or theta <= 0:
        candidates = np.flatnonzero(visible)
    else:  # any word: a document of the non-essential groups alone scores less than theta
        uppers = np.array([p.groups[i].upper for i in order])
        weak = int(np.count_nonzero(np.cumsum(uppers[::-1]) * (1 + _SLACK) < theta))
        seen[:] = False
        for i in order[:len(order) - weak]:
            for c in p.groups[i].clauses:
                seen[c.ids] = True
        candidates = np.flatnonzero(seen & visible)
    # group by group, drop the candidates that cannot reach theta any more
    partial = np.zeros(len(candidates), dtype=np.float64)
    remaining = float(sum(g.upper for g in p.groups))
    for step, i in enumerate(order, start=1):
        if len(candidates) <= 4 * k:
            break
        partial += p.groups[i].at(candidates, scratch)
        remaining -= p.groups[i].upper
        if step & (step - 1) == 0:  # now and then (steps 1, 2, 4, 8...), as partial scores never exceed
            theta = max(theta, _kth(partial, k) * (1 - _SLACK))  # the final ones, a k-th is a threshold
        keep = (partial + remaining) * (1 + _SLACK) >= theta
        candidates, partial = candidates[keep], partial[keep]
    candidates = np.union1d(candidates, seed)
    scores = p.exact(candidates, scratch)
    best = np.lexsort((candidates, -scores))[:k]
    return candidates[best], scores[best]


def _kth(scores: Floats, k: int) -> float:
    return float(np.partition(scores, len(scores) - k)[len(scores) - k]) if len(scores) >= k else 0.0
