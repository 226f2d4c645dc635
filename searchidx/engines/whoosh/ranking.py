"""The default ranking: each query word's BM25 over the whole article (stemmed title and body as one text, a
title occurrence counting ``title``, `Collection.article_term`), plus four rewards, each a sum of
non-negative per-term or per-clause contributions:

- **exact forms**: the query's words unstemmed (folded) in ``title_exact`` / ``body_exact``, the same
  article-level BM25, weight ``exact``: the article using the query's own words (``élection``, not only
  ``électeur``) comes first;
- **proximity**: pairs of query words at most `searchidx.analysis.PAIR_WINDOW` content words apart, in either
  order, as terms of the ``pairs`` field, BM25, weight ``pairs`` (the unordered-window part of the sequential
  dependence model, indexed rather than computed from positions);
- **coordination**: ``coord`` for each optional clause (plain word) a document has, so an article with every
  word is ahead of most that lack one, while one lacking a word can still win on the others;
- **coverage**: ``coverage`` × the share of the query's idf (Lucene's form, `searchidx.query.coverage`) held
  by the clauses a document has (each distinct clause once): the article with the query's rare words beats
  one with several common ones, whatever the query's length;
- **date**: when the query names a day ("dimanche 2 juin", "mardi"), ``date`` × the best match's score ×
  how well the article's date fits it (`searchidx.query.cues`): among close matches, the article published
  that day or the next comes first.

A long query (`Ranking.long_query` stems or more: a pasted lede, a question) ranks with a heavier title
and the words' idf raised to a power (`Ranking.for_query`): among the many words of a sentence, the rare ones
and those of the headline it paraphrases decide.  Every weight was fitted on the dev sets (BENCHMARKS.md,
Relevance).

The matches are those of the query's any-word form (`Compiled.loose`): explicit operators (``ET``,
``+mot``, ``-mot``) keep their meaning.  Other leaves (``titre:otan``, prefixes, fuzzy words, entity fields)
keep Whoosh's per-field BM25F score."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from whoosh import query

from searchidx.analysis import analyze, exact_terms, pairs
from searchidx.engines.whoosh.compile import Compiled
from searchidx.engines.whoosh.scoring import Collection, Counts, Floats, Ints, Mask, Scored, sums, union
from searchidx.query import coverage, cues

__all__ = ["RANKING", "Ranked", "Ranking", "rank"]


@dataclass(frozen=True, slots=True)
class Ranking:
    """The weight of a title occurrence in the article-level BM25, the power its idf is raised to, and the
    weights of the rewards added to it (0 turns a reward off); from ``long_query`` stems on, a query ranks
    with ``long_title`` and ``long_idf_power`` instead."""

    title: float = 3.0
    idf_power: float = 1.0
    exact: float = 1.0
    pairs: float = 0.3
    coord: float = 2.0
    coverage: float = coverage.WEIGHT
    date: float = cues.WEIGHT
    long_query: int = 5
    long_title: float = 6.0
    long_idf_power: float = 1.5

    def for_query(self, stems: int) -> Ranking:
        """The weights for a query of ``stems`` stems (its words' stems, repeats counted)."""
        if stems < self.long_query:
            return self
        return replace(self, title=self.long_title, idf_power=self.long_idf_power)


RANKING = Ranking()
#: The stemmed and the exact-form (title, body) fields.
WORD_FIELDS = ("title", "body")
EXACT_FIELDS = ("title_exact", "body_exact")


@dataclass
class Ranked:
    """Matches and final scores of a query, and the documents of each optional clause (sorted numbers)."""

    found: Scored
    clauses: list[tuple[str, Ints]]
    #: How many optional clauses each document has, when counted in one pass (the sparse path).
    counts: Counts | None = None

    def complete(self) -> Mask:
        """Documents having every optional clause."""
        if self.counts is not None:
            complete: Mask = self.found.mask & (self.counts == len(self.clauses))
            return complete
        mask = self.found.mask.copy()
        for _, ids in self.clauses:
            has = np.zeros(len(mask), dtype=np.bool_)
            has[ids] = True
            mask &= has
        return mask

    def missing(self, docnum: int) -> list[str]:
        return [text for text, ids in self.clauses if not _holds(ids, docnum)]


def rank(collection: Collection, parsed: Compiled, ranking: Ranking | None = None,
         memo: dict[Any, Any] | None = None) -> Ranked:
    """Score ``parsed`` with the article-level BM25 of its words and the rewards of `Ranking` (default:
    `RANKING`, for the query's length: `Ranking.for_query`); ``memo`` lends evaluated leaves (it is not
    written to).

    When the query is plain words (any of them, the default), everything is summed over the words' posting
    lists in one ``bincount``: the cost follows the postings, not the size of the index times the number of
    words (a pasted lede of 30 words on a million articles).  Other queries evaluate ``loose`` as a whole."""
    stems = [(text, analyze(text, mode="query")) for text in parsed.texts]
    ranking = (ranking or RANKING).for_query(sum(len(words) for _, words in stems))
    words = None if parsed.browse else _word_clauses(parsed)
    if words is not None:
        return _dated(collection, parsed, ranking, _rank_words(collection, stems, words, ranking))
    memo = _unscored_words(collection, stems, memo)
    found = collection.evaluate(parsed.loose, memo)
    clauses = [(text, np.flatnonzero(collection.evaluate(q, memo).mask)) for text, q in parsed.optional]
    if parsed.browse or not found.mask.any():
        return Ranked(found, clauses)
    scores = found.scores
    ids, weights = _rewards(collection, stems, ranking, {})
    for extra_ids, extra in _clause_rewards(collection, clauses, dict(stems), ranking):
        ids.append(extra_ids)
        weights.append(extra)
    if ids:
        scores += np.bincount(np.concatenate(ids), weights=np.concatenate(weights), minlength=collection.size)
    scores *= found.mask
    return _dated(collection, parsed, ranking, Ranked(found, clauses))


def _dated(collection: Collection, parsed: Compiled, ranking: Ranking, ranked: Ranked) -> Ranked:
    """``ranked`` with the date reward added to every dated match (in place), when the query names a day: the
    fit is computed per day of the index (`Collection.by_day`), then added to the matches of the days it
    favours."""
    wanted = cues.cues(" ".join(parsed.texts)) if ranking.date else None
    if not wanted:
        return ranked
    days, starts, docs = collection.by_day()
    fits = cues.fit(wanted, days)
    favoured = np.flatnonzero(fits)
    if not len(favoured):
        return ranked
    ids = np.concatenate([docs[starts[i]:starts[i + 1]] for i in favoured])
    values = np.repeat(fits[favoured], starts[favoured + 1] - starts[favoured])
    matched = ranked.found.mask[ids]
    scores = ranked.found.scores
    scores[ids[matched]] += (ranking.date * float(scores.max())) * values[matched]
    return ranked


#: What an optional clause of plain words holds: one term (in title or body), a phrase (one per field), nothing.
Word = str | tuple[query.Phrase, ...] | None


def _word_clauses(parsed: Compiled) -> list[tuple[str, Word]] | None:
    """Each optional clause and what it holds when the query is only those clauses OR-ed and each is a word
    or a phrase in title and body (or analyses to nothing); None when the query is anything else."""
    loose = parsed.loose
    if not parsed.optional or type(loose) is not query.Or or loose.boost != 1 \
            or list(loose.subqueries) != [q for _, q in parsed.optional]:
        return None
    out: list[tuple[str, Word]] = []
    for text, q in parsed.optional:
        if q is query.NullQuery:
            out.append((text, None))
            continue
        leaves = q.subqueries if type(q) is query.Or else []
        if q.boost != 1 or sorted(getattr(t, "fieldname", "") for t in leaves) != sorted(WORD_FIELDS) \
                or any(t.boost != 1 for t in leaves):
            return None
        if all(type(t) is query.Term for t in leaves) and leaves[0].text == leaves[1].text:
            out.append((text, str(leaves[0].text)))
        elif all(type(t) is query.Phrase for t in leaves):
            out.append((text, tuple(leaves)))
        else:
            return None
    return out


#: A query's article-level lists (`Collection.article_term`) by fields and term: a word's list, read by its
#: clause and by its score, is computed once per query (the collection keeps only long lists).
Lists = dict[tuple[tuple[str, str], str], tuple[Ints, Floats]]


def _article(collection: Collection, fields: tuple[str, str], term: str, ranking: Ranking,
             lists: Lists) -> tuple[Ints, Floats]:
    found = lists.get((fields, term))
    if found is None:
        found = lists[fields, term] = collection.article_term(fields, term, ranking.title, ranking.idf_power)
    return found


def _clause_docs(collection: Collection, word: Word, ranking: Ranking, lists: Lists) -> Ints:
    if word is None:
        return np.zeros(0, dtype=np.int64)
    if isinstance(word, str):
        return _article(collection, WORD_FIELDS, word, ranking, lists)[0]
    docs = [collection.phrase_docs(p) for p in word]
    found = docs[0]
    for more in docs[1:]:  # each sorted and distinct: merged, not sorted again
        found = union(found, more)
    return found


def _rank_words(collection: Collection, stems: list[tuple[str, list[str]]], words: list[tuple[str, Word]],
                ranking: Ranking) -> Ranked:
    """`rank` for plain words: the count of clauses per document (the matches) and the scores added up over
    the clauses' documents and every scored posting list (`scoring.sums`); a one-word clause's coordination
    and coverage rewards are constants added to its word's own list (the same documents)."""
    size = collection.size
    lists: Lists = {}
    clauses = [(text, _clause_docs(collection, word, ranking, lists)) for text, word in words]
    bonus: dict[str, float] = {}
    constants: list[tuple[Ints, Floats]] = []
    for i, value in _clause_constants(collection, clauses, dict(stems), ranking):
        word = words[i][1]
        if isinstance(word, str):
            bonus[word] = bonus.get(word, 0.0) + value
        else:
            constants.append((clauses[i][1], np.full(len(clauses[i][1]), value)))
    ids, weights = _rewards(collection, stems, ranking, lists, bonus)  # takes every bonus: the texts are the clauses
    ids += [c[0] for c in constants]
    weights += [c[1] for c in constants]
    counts, scores = sums(size, [docs for _, docs in clauses], ids, weights, collection.zeros)
    mask = counts > 0
    # a single word's lists (stem, exact forms, pairs) lie within its documents, so no score falls outside the
    # matches (an 8 MB pass saved at 1M articles); a phrase's words score where the phrase is not
    if any(not isinstance(word, str) for _, word in words):
        scores *= mask
    return Ranked(Scored(mask, scores), clauses, counts)


def _clause_rewards(collection: Collection, clauses: list[tuple[str, Ints]], stems: dict[str, list[str]],
                    ranking: Ranking) -> list[tuple[Ints, Floats]]:
    """Coordination and coverage as (documents, value) lists (`_clause_constants`)."""
    return [(clauses[i][1], np.full(len(clauses[i][1]), value))
            for i, value in _clause_constants(collection, clauses, stems, ranking)]


def _clause_constants(collection: Collection, clauses: list[tuple[str, Ints]], stems: dict[str, list[str]],
                      ranking: Ranking) -> list[tuple[int, float]]:
    """What each clause adds to its documents, as (clause number, value): ``coord`` for each clause, and
    ``coverage`` × its idf share for the first clause of each distinct text."""
    out = [(i, ranking.coord) for i in range(len(clauses))] if ranking.coord else []
    if ranking.coverage:
        first: dict[str, int] = {}
        for i, (text, _) in enumerate(clauses):
            first.setdefault(text, i)
        shares = coverage.shares([text for text, _ in clauses], collection.doc_frequency, collection.size, stems)
        out += [(first[text], ranking.coverage * share) for text, share in shares]
    return out


def _holds(ids: Ints, docnum: int) -> bool:
    at = int(np.searchsorted(ids, docnum))
    return at < len(ids) and int(ids[at]) == docnum


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


def _rewards(collection: Collection, stems: list[tuple[str, list[str]]], ranking: Ranking, lists: Lists,
             bonus: dict[str, float] | None = None) -> tuple[list[Ints], list[Floats]]:
    """The scored posting lists of the words' article-level BM25 (stems and, weighted ``exact``, exact forms;
    those already in ``lists`` reused) and of their pairs (weighted ``pairs``), to be added up sparsely (one
    ``bincount``); a stem's ``bonus`` is added to its list once (and taken out of ``bonus``)."""
    ids: list[Ints] = []
    scores: list[Floats] = []
    ordered: list[str] = []
    for text, words in stems:
        terms = [(WORD_FIELDS, stem, 1.0) for stem in dict.fromkeys(words)]
        if ranking.exact:
            terms += [(EXACT_FIELDS, exact, ranking.exact) for exact in dict.fromkeys(exact_terms(text, mode="query"))]
        for fields, term, weight in terms:
            found_ids, found_scores = _article(collection, fields, term, ranking, lists)
            if weight != 1:
                found_scores = found_scores * weight
            if bonus and fields is WORD_FIELDS and term in bonus:
                found_scores = found_scores + bonus.pop(term)
            ids.append(found_ids)
            scores.append(found_scores)
        ordered += words
    if ranking.pairs:
        for pair in dict.fromkeys(pairs(ordered)):
            found_ids, found_scores = collection.term("pairs", pair)
            ids.append(found_ids)
            scores.append(found_scores * ranking.pairs)
    return ids, scores
