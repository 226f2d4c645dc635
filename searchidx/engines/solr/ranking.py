"""What the Solr backend adds to Solr's BM25 to rank as the local engine does (`searchidx.engines.whoosh.
ranking`), where one request can: the coverage reward as constant-score clauses (`covered`), and the date
reward as a factor (`date_boost`). The exact-form and word-pair rewards need fields the configset does not
have, and stay local."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from searchidx.analysis import analyze
from searchidx.query import coverage, cues

__all__ = ["covered", "date_boost"]

#: A batch of stems -> (each one's document frequency in the body, the number of documents).
Frequencies = Callable[[Iterable[str]], tuple[dict[str, int], int]]


def covered(optional: Sequence[tuple[str, str]], frequencies: Frequencies) -> str:
    """Optional clauses to add to a query: each distinct plain clause once, constant-scored `coverage.WEIGHT`
    × its share of the query's idf (`coverage.shares`), so the matches' scores grow by the reward (the
    clauses' own words: the matches stay the same). Empty for fewer than two clauses."""
    queries: dict[str, str] = {}
    for text, query in optional:
        queries.setdefault(text, query)
    if len(queries) < 2 or not coverage.WEIGHT:
        return ""
    stems = {text: analyze(text, mode="query") for text in queries}
    df, size = frequencies({stem for words in stems.values() for stem in words})
    shares = coverage.shares(queries, df.__getitem__, size, stems)
    return "".join(f" ({queries[text]})^={coverage.WEIGHT * share:.6g}" for text, share in shares)


def date_boost(query: str, wanted: cues.DateCues, days: Sequence[str]) -> dict[str, str]:
    """Request parameters (``q`` and those it names; ``hl.q``, the query highlighted) running ``query`` with
    each match's score multiplied by 1 + `cues.WEIGHT` × its date's fit to ``wanted`` (`cues.fit`, over the
    collection's distinct ``days``): the days of each fit go in one ``{!terms}`` list.  Empty when no day
    fits.  Locally the reward is a share of the *best* score; a factor of each match's own score is the
    nearest Solr computes in one pass, and the same at the top."""
    numbered = [(day, number) for day in days if (number := cues.day_number(day)) is not None]
    fits = cues.fit(wanted, np.array([number for _, number in numbered], dtype=np.int64))
    groups: dict[float, list[str]] = {}
    for (day, _), value in zip(numbered, fits.tolist(), strict=True):
        if value:
            groups.setdefault(value, []).append(day)
    if not groups:
        return {}
    params = {"qq": query, "hl.q": query}
    parts = []
    for k, (value, chosen) in enumerate(sorted(groups.items(), reverse=True)):
        params[f"days{k}"] = "{!terms f=date}" + ",".join(chosen)
        parts.append(f"product({cues.WEIGHT * value:g},query($days{k},0))")
    params["dated"] = f"sum(1,{','.join(parts)})"
    params["q"] = "{!boost b=$dated v=$qq}"
    return params
