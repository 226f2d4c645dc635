"""What the Solr backend adds to Solr's BM25 to rank as the local engine does (`searchidx.engines.whoosh.
ranking`): the exact-form and word-pair rewards as optional clauses on the fields push fills with the local
index's own terms (`exact_and_pairs`), coordination and coverage as constant-score clauses
(`clause_rewards`), and the date reward as a factor (`date_boost`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from searchidx.analysis import exact_terms, pairs
from searchidx.engines.solr.compile import quote
from searchidx.query import coverage, cues

__all__ = ["COORD", "EXACT", "PAIRS", "clause_rewards", "date_boost", "exact_and_pairs"]

#: Weights of a query word's exact forms (``title_exact``, ``body_exact``, each field its own BM25) and of its
#: word pairs (``pairs``) against the stems' BM25, fitted on Solr (BENCHMARKS.md, "the exact-form and word-pair
#: rewards on Solr"): Lucene's BM25 and idf are not the local ones, nor is the best exact weight (local: 1).
EXACT = 2.0
PAIRS = 0.3
#: Coordination: what each plain clause a match has adds to its score (the local weight, `Ranking.coord`).
COORD = 2.0

#: A batch of stems -> (each one's document frequency in the body, the number of documents).
Frequencies = Callable[[Iterable[str]], tuple[dict[str, int], int]]


def exact_and_pairs(stems: Sequence[tuple[str, list[str]]]) -> str:
    """Optional clauses to add to a query of the words and phrases ``stems`` (each text, in query order, with
    its stems): each distinct exact form of their words in title or body, weighted `EXACT`, and each pair of
    their stems at most `searchidx.analysis.PAIR_WINDOW` content words apart, weighted `PAIRS` (the query's
    words in order, as locally). They only add to the scores of the matches the query selects."""
    exacts: dict[str, None] = {}
    ordered: list[str] = []
    for text, words in stems:
        exacts.update(dict.fromkeys(exact_terms(text, mode="query")))
        ordered += words
    out = [f" (title_exact:{quote(x)} OR body_exact:{quote(x)})^{EXACT:g}" for x in exacts] if EXACT else []
    if PAIRS:
        out += [f" pairs:{quote(p)}^{PAIRS:g}" for p in dict.fromkeys(pairs(ordered))]
    return "".join(out)


def clause_rewards(optional: Sequence[tuple[str, str]], stems: Mapping[str, list[str]],
                   frequencies: Frequencies) -> str:
    """Optional clauses to add to a query of several plain clauses (``stems``: the stems of every text of the
    query, `Compiled.optional`'s among them), each constant-scored, so a match's score grows by the local
    rewards of the clauses it has and the matches stay the same: `COORD` for each clause (coordination: an
    article with every word is ahead of most that lack one, while one lacking a word can still win) and
    `coverage.WEIGHT` × its share of the query's idf (`coverage.shares`; each distinct clause once). Empty
    for fewer than two clauses."""
    if len(optional) < 2:
        return ""
    queries: dict[str, str] = {}
    values: dict[str, float] = {}
    for text, query in optional:
        queries.setdefault(text, query)
        values[text] = values.get(text, 0.0) + COORD
    if len(queries) >= 2 and coverage.WEIGHT:
        words = {text: stems[text] for text in queries}
        df, size = frequencies({stem for found in words.values() for stem in found})
        for text, share in coverage.shares(queries, df.__getitem__, size, words):
            values[text] += coverage.WEIGHT * share
    return "".join(f" ({queries[text]})^={value:.6g}" for text, value in values.items() if value)


def date_boost(query: str, wanted: cues.DateCues, days: Sequence[str]) -> dict[str, str]:
    """Request parameters (``q`` and those it names) running ``query`` with each match's score multiplied by
    1 + `cues.WEIGHT` × its date's fit to ``wanted`` (`cues.fit`, over the collection's distinct ``days``):
    the days of each fit go in one ``{!terms}`` list.  Empty when no day fits.  Locally the reward is a share
    of the *best* score; a factor of each match's own score is the nearest Solr computes in one pass, and the
    same at the top."""
    numbered = [(day, number) for day in days if (number := cues.day_number(day)) is not None]
    fits = cues.fit(wanted, np.array([number for _, number in numbered], dtype=np.int64))
    groups: dict[float, list[str]] = {}
    for (day, _), value in zip(numbered, fits.tolist(), strict=True):
        if value:
            groups.setdefault(value, []).append(day)
    if not groups:
        return {}
    params = {"qq": query}
    parts = []
    for k, (value, chosen) in enumerate(sorted(groups.items(), reverse=True)):
        params[f"days{k}"] = "{!terms f=date}" + ",".join(chosen)
        parts.append(f"product({cues.WEIGHT * value:g},query($days{k},0))")
    params["dated"] = f"sum(1,{','.join(parts)})"
    params["q"] = "{!boost b=$dated v=$qq}"
    return params
