"""Similar articles ("more like this"): the articles closest to a given one, or to a text not in the index.

The source's distinctive words are its top `TERMS` analysed terms (the French analyzer of the index, title
and body) by tf-idf: ``(1 + log tf) × log(N / df)``, the title's words counted `TITLE_TF` times, words
found in fewer than two articles of the index left out (they cannot bring anything back). Each candidate
article is scored by BM25F on those words (title and body, as a search), each word weighted by its tf-idf
relative to the best one, plus `ENTITY_WEIGHT` × idf for every person and organisation (half for a place)
it shares with the source. The source and its wire copies (`searchidx.explore.copies`) are left out, and
copies among the results are folded as in a search.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from searchidx.explore.arrays import FacetArrays, Floats, TermScores
from searchidx.models import Article, Entities

__all__ = ["ENTITY_WEIGHT", "TERMS", "Profile", "profile", "scores"]

TERMS = 25
TITLE_TF = 2
ENTITY_WEIGHT = 1.0
_PLACE_FACTOR = 0.5


@dataclass(frozen=True, slots=True)
class Profile:
    """What a source is matched on: its distinctive terms with their weights, and its entities."""

    terms: list[tuple[str, float]]  # (analysed term, weight relative to the best one), best first
    entities: Entities


def profile(article: Article, analyze: Callable[[str], list[str]], doc_frequency: Callable[[str], int],
            documents: int) -> Profile:
    """The top terms of an article by tf-idf (see the module docstring)."""
    counts: Counter[str] = Counter()
    for term in analyze(article.title):
        counts[term] += TITLE_TF
    counts.update(analyze(f"{article.lede}\n{article.body}" if article.lede else article.body))
    weighted = []
    for term, tf in counts.items():
        df = doc_frequency(term)
        if df >= 2:
            weighted.append((term, (1 + math.log(tf)) * math.log(documents / df)))
    weighted.sort(key=lambda x: (-x[1], x[0]))
    top = [(t, w) for t, w in weighted[:TERMS] if w > 0]
    best = top[0][1] if top else 1.0
    return Profile([(t, w / best) for t, w in top], article.entities)


def scores(collection: TermScores, table: FacetArrays, source: Profile,
           fields: tuple[str, ...] = ("title", "body")) -> Floats:
    """Every document's similarity to ``source`` (0 when it shares nothing); deleted documents score 0."""
    total = np.zeros(collection.size, dtype=np.float64)
    for term, weight in source.terms:
        for field in fields:
            ids, term_scores = collection.term(field, term)
            if len(ids):
                total[ids] += weight * term_scores
    documents = max(int(np.count_nonzero(collection.live)), 1)
    for kind in ("person", "org", "place"):
        factor = ENTITY_WEIGHT * (_PLACE_FACTOR if kind == "place" else 1.0)
        for name in getattr(source.entities, kind):
            ids = table.docs_of(kind, name)
            if len(ids):
                total[ids] += factor * math.log(documents / len(ids))
    total[~collection.live] = 0.0
    return total
