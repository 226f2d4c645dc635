"""The default ranking: each query word's BM25 over the whole article (stemmed title and body as one text, a
title occurrence counting ``title``, `Collection.article_term`), plus four rewards, each a sum of
non-negative per-term or per-clause contributions (so a bound per term is enough for rank-safe pruning):

- **exact forms**: the query's words unstemmed (folded) in ``title_exact`` / ``body_exact``, the same
  article-level BM25, weight ``exact``: the article using the query's own words (``élection``, not only
  ``électeur``) comes first;
- **proximity**: pairs of query words at most `searchidx.analysis.PAIR_WINDOW` content words apart, in either
  order, as terms of the ``pairs`` field, BM25, weight ``pairs`` (the unordered-window part of the sequential
  dependence model, indexed rather than computed from positions);
- **coordination**: ``coord`` for each optional clause (plain word) a document has, so an article with every
  word is ahead of most that lack one, while one lacking a word can still win on the others;
- **coverage**: ``coverage`` × the share of the query's idf (Lucene's form, `_idf`) held by the clauses a
  document has (each distinct clause once): the article with the query's rare words beats one with several
  common ones, whatever the query's length.

Every weight was fitted on the dev sets (BENCHMARKS.md, Relevance).  The matches are those of the query's
any-word form (`Compiled.loose`): explicit operators (``ET``, ``+mot``, ``-mot``) keep their meaning.  Other
leaves (``titre:otan``, prefixes, fuzzy words, entity fields) keep Whoosh's per-field BM25F score."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from searchidx.analysis import analyze, exact_terms, pairs
from searchidx.engines.whoosh.compile import Compiled
from searchidx.engines.whoosh.scoring import Collection, Floats, Mask, Scored

__all__ = ["RANKING", "Ranked", "Ranking", "rank"]


@dataclass(frozen=True, slots=True)
class Ranking:
    """The weight of a title occurrence in the article-level BM25, and the weights of the rewards added to
    it (0 turns a reward off)."""

    title: float = 3.0
    exact: float = 1.0
    pairs: float = 0.3
    coord: float = 2.0
    coverage: float = 20.0


RANKING = Ranking()
#: The stemmed and the exact-form (title, body) fields.
WORD_FIELDS = ("title", "body")
EXACT_FIELDS = ("title_exact", "body_exact")


@dataclass
class Ranked:
    """Matches and final scores of a query, and which optional clauses each document has."""

    found: Scored
    clauses: list[tuple[str, Mask]]

    def complete(self) -> Mask:
        """Documents having every optional clause."""
        mask = self.found.mask.copy()
        for _, has in self.clauses:
            mask &= has
        return mask

    def missing(self, docnum: int) -> list[str]:
        return [text for text, has in self.clauses if not has[docnum]]


def rank(collection: Collection, parsed: Compiled, ranking: Ranking | None = None,
         memo: dict[Any, Any] | None = None) -> Ranked:
    """Score ``parsed`` with the article-level BM25 of its words and the rewards of `Ranking` (default:
    `RANKING`); ``memo`` lends evaluated leaves (it is not written to)."""
    ranking = ranking or RANKING
    stems = [(text, analyze(text, mode="query")) for text in parsed.texts]
    memo = _unscored_words(collection, stems, memo)
    found = collection.evaluate(parsed.loose, memo)
    clauses = [(text, collection.evaluate(q, memo).mask) for text, q in parsed.optional]
    if parsed.browse or not found.mask.any():
        return Ranked(found, clauses)
    scores = found.scores
    extra = _rewards(collection, stems, ranking)
    if extra is not None:
        scores += extra
    if ranking.coord:
        for _, has in clauses:
            scores += ranking.coord * has
    if ranking.coverage:
        for share, has in _coverage(collection, clauses, dict(stems)):
            scores += (ranking.coverage * share) * has
    scores *= found.mask
    return Ranked(found, clauses)


def _unscored_words(collection: Collection, stems: list[tuple[str, list[str]]],
                    memo: dict[Any, Any] | None) -> dict[Any, Any]:
    """A copy of ``memo`` where the title and body terms of the query's words (``stems``: each text's stems)
    score 0: the matches stay Whoosh's, the words' score is their article-level BM25 (`_rewards`)."""
    memo = dict(memo) if memo else {}
    for _, words in stems:
        for stem in words:
            for field in WORD_FIELDS:
                ids, _ = collection.postings(field, stem)
                ids = ids[collection.live[ids]]
                memo["term", field, stem] = (ids, np.zeros(len(ids), dtype=np.float64))
    return memo


def _rewards(collection: Collection, stems: list[tuple[str, list[str]]], ranking: Ranking) -> Floats | None:
    """The words' article-level BM25 (stems and, weighted ``exact``, exact forms) and the pair scores of every
    document, added up sparsely (one ``bincount``)."""
    ids: list[Any] = []
    scores: list[Any] = []
    ordered: list[str] = []
    for text, words in stems:
        terms = [(WORD_FIELDS, stem, 1.0) for stem in dict.fromkeys(words)]
        if ranking.exact:
            terms += [(EXACT_FIELDS, exact, ranking.exact) for exact in dict.fromkeys(exact_terms(text, mode="query"))]
        for fields, term, weight in terms:
            found_ids, found_scores = collection.article_term(fields, term, ranking.title)
            ids.append(found_ids)
            scores.append(found_scores * weight if weight != 1 else found_scores)
        ordered += words
    if ranking.pairs:
        for pair in dict.fromkeys(pairs(ordered)):
            found_ids, found_scores = collection.term("pairs", pair)
            ids.append(found_ids)
            scores.append(found_scores * ranking.pairs)
    if not ids:
        return None
    summed: Floats = np.bincount(np.concatenate(ids), weights=np.concatenate(scores),
                                 minlength=collection.size).astype(np.float64)
    return summed


def _idf(collection: Collection, stem: str) -> float:
    """Lucene's BM25 idf of a stem in the body field, ``log(1 + (N - df + 0.5) / (df + 0.5))``: positive
    even for a word in most documents."""
    df = collection.doc_frequency(stem)
    return math.log(1 + (collection.size - df + 0.5) / (df + 0.5))


def _coverage(collection: Collection, clauses: list[tuple[str, Mask]],
              stems: dict[str, list[str]]) -> list[tuple[float, Mask]]:
    """Each distinct optional clause with its share of the query's idf (the sum of its stems' `_idf`;
    ``stems`` holds those of the texts already analysed)."""
    weighted: dict[str, tuple[float, Mask]] = {}
    for text, has in clauses:
        if text not in weighted:
            words = stems[text] if text in stems else analyze(text, mode="query")
            weighted[text] = (sum(_idf(collection, s) for s in words), has)
    total = sum(w for w, _ in weighted.values())
    return [(w / total, has) for w, has in weighted.values() if w] if total else []
