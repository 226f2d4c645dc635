"""The coverage reward's weights, the same on every engine: each distinct plain clause of a query (a word or
a phrase searched in title and body) gets its share of the query's idf, and an article holding the clause
earns `WEIGHT` × that share. The article with the query's rare words beats one with several common ones,
whatever the query's length (BENCHMARKS.md, Relevance: "idf-weighted coverage")."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

from searchidx.analysis import analyze

__all__ = ["WEIGHT", "idf", "shares"]

#: Score points for holding all of the query's idf (``Ranking.coverage`` locally; the same on Solr).
WEIGHT = 20.0


def idf(size: int, df: int) -> float:
    """Lucene's BM25 idf, ``log(1 + (N - df + 0.5) / (df + 0.5))``: positive even for a word in most
    documents."""
    return math.log(1 + (size - df + 0.5) / (df + 0.5))


def shares(texts: Iterable[str], df: Callable[[str], int], size: int,
           stems: Mapping[str, list[str]] | None = None) -> list[tuple[str, float]]:
    """Each distinct clause text with its share of the query's idf: the sum of its stems' `idf` (``df``: a
    stem's document frequency in the body; ``stems``: the stems of texts already analysed). Clauses without
    idf (stop words only) are left out."""
    weights: dict[str, float] = {}
    for text in texts:
        if text not in weights:
            words = stems[text] if stems is not None and text in stems else analyze(text, mode="query")
            weights[text] = sum(idf(size, df(s)) for s in words)
    total = sum(weights.values())
    return [(text, w / total) for text, w in weights.items() if w] if total else []
