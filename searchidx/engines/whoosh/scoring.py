"""Query evaluation over whole posting lists with numpy: the same matches and the same BM25F scores as
Whoosh's matchers, a posting list at a time instead of a document at a time in Python.

Whoosh scores every matching document through a tree of matcher objects (several Python calls per posting
and per clause), which made a four-word query cost ~30 ms and a pasted lede ~1 s on 36k articles.  Here each
word's postings are decoded block by block into arrays, scored with BM25F as one vector expression, and the
boolean structure (AND, OR, AND NOT, AND MAYBE) becomes array operations over per-document score and match
vectors.  The query objects are Whoosh's (`searchidx.query.parse` builds them); any leaf other than a plain
term (phrases, prefixes, fuzzy terms...) is run by Whoosh's own matcher, so its semantics and scores stay
Whoosh's.  Equality with Whoosh is tested (tests/test_scoring.py).
"""

from __future__ import annotations

import math
import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import query
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from searchidx.engines.whoosh import codec, segments
from searchidx.query import cues

__all__ = ["Collection", "Scored"]

Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Counts = npt.NDArray[np.integer[Any]]  # how many lists hold each document (uint8 or int64)

#: Decoded postings and term scores kept between searches (warm queries reuse the common words' arrays;
#: 256 MB: the ledes of news-dev on 108k articles ran at 30 ms CPU with 64 MB, 14 ms with 256 MB), or
#: `CACHE_BYTES_PER_DOC` per article of a larger index (a common word's arrays grow with it), up to
#: `CACHE_BYTES_MAX`.
CACHE_BYTES = 256 << 20
CACHE_BYTES_PER_DOC = 1 << 10
CACHE_BYTES_MAX = 2 << 30
#: ...only for words in this many documents or more (short lists decode in microseconds).
CACHE_MIN_POSTINGS = 1024
#: Document frequencies remembered (for `searchidx.explore.similar`), then forgotten all at once.
DF_CACHE = 200_000


@dataclass
class Scored:
    """Per-document vectors: which documents match, and their summed score (0 where none)."""

    mask: Mask
    scores: Floats


class Collection:
    """One searcher generation as arrays: live documents, field lengths, decoded postings (cached).

    Built once per index generation (by `searchidx.index.Index`), like the searcher itself."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = int(self.reader.doc_count_all())
        self.leaves: list[tuple[Searcher, int]] = list(searcher.leaf_searchers())
        self.live: Mask = np.ones(self.size, dtype=np.bool_)
        for sub, offset in self.leaves:
            deleted = sub.reader().deleted_docs_set if sub.reader().has_deletions() else ()
            self.live[[offset + d for d in deleted]] = False
        self._lengths: dict[str, Floats] = {}
        self._dates: npt.NDArray[np.str_] | None = None
        self._date_ranks: Ints | None = None
        self._by_day: tuple[Ints, Ints, Ints] | None = None
        self._cache: OrderedDict[tuple[str, ...], tuple[Ints, Floats]] = OrderedDict()
        self._df: dict[tuple[str, str], int] = {}
        self._cached_bytes = 0
        self._zeros: dict[str, npt.NDArray[Any]] = {}
        self.cache_bytes = min(max(CACHE_BYTES, CACHE_BYTES_PER_DOC * self.size), CACHE_BYTES_MAX)
        weighting = searcher.weighting
        self.k1 = float(getattr(weighting, "K1", 1.2))
        self.b = float(getattr(weighting, "B", 0.75))
        self._field_b: dict[str, float] = dict(getattr(weighting, "_field_B", {}))

    # -- building blocks -----------------------------------------------------------------------------------

    def zeros(self, dtype: type) -> npt.NDArray[Any]:
        """A zeroed array of one ``dtype`` value per document, in the memory of the last one given when nothing
        holds that one any more: the kernel zeroes a new large array a page at a time as it is first written
        (at 1M articles, ~380 page faults and ~4 ms CPU per query for `sums`' 9 MB), a memset once."""
        key = np.dtype(dtype).char
        if key not in self._zeros or _references(self._zeros, key) > _UNHELD:
            self._zeros[key] = np.empty(self.size, dtype=dtype)
        array = self._zeros[key]
        array.fill(0)
        return array

    def empty(self) -> Scored:
        return Scored(np.zeros(self.size, dtype=np.bool_), np.zeros(self.size, dtype=np.float64))

    def postings(self, field: str, text: str, keep: bool = True) -> tuple[Ints, Floats]:
        """Document numbers and weights (term frequency × field boost) of a term, deleted documents
        included (callers mask them with ``live``); long lists are kept for the next call unless ``keep``
        is false."""
        key = (field, text)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        ids_parts: list[Ints] = []
        weight_parts: list[Floats] = []
        btext = text.encode("utf-8") if isinstance(text, str) else text
        for sub, offset in self.leaves:
            try:  # (one lookup of the term, not a test and then a lookup)
                ids, weights = segments.leaf_postings(sub.reader(), field, btext)
            except TermNotFound:
                continue
            ids_parts.append(ids + offset if offset else ids)
            weight_parts.append(weights)
        if not ids_parts:
            result = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        elif len(ids_parts) == 1:
            result = (ids_parts[0], weight_parts[0])
        else:
            result = (np.concatenate(ids_parts), np.concatenate(weight_parts))
        if keep and len(result[0]) >= CACHE_MIN_POSTINGS:
            self._keep(key, result)
        return result

    def _keep(self, key: tuple[str, ...], value: tuple[Ints, Floats]) -> None:
        self._cache[key] = value
        self._cached_bytes += value[0].nbytes + value[1].nbytes
        while self._cached_bytes > self.cache_bytes and len(self._cache) > 1:
            _, (ids, weights) = self._cache.popitem(last=False)
            self._cached_bytes -= ids.nbytes + weights.nbytes

    def lengths(self, field: str) -> Floats:
        """Every document's length in ``field``, as Whoosh stores it (one byte, decoded)."""
        found = self._lengths.get(field)
        if found is None:
            found = np.ones(self.size, dtype=np.float64)
            for sub, offset in self.leaves:
                reader = sub.reader()
                n = reader.doc_count_all()
                found[offset:offset + n] = segments.field_lengths(reader, field, n)
            self._lengths[field] = found
        return found

    def dates(self) -> npt.NDArray[np.str_]:
        """Every document's ``date`` key ("" when it has none), for date ranges."""
        if self._dates is None:
            values = [""] * self.size
            for sub, offset in self.leaves:
                reader = sub.reader()
                if reader.has_column("date"):
                    for i, value in enumerate(reader.column_reader("date")):
                        values[offset + i] = value.decode("utf-8") if isinstance(value, bytes) else (value or "")
            self._dates = np.array(values, dtype=np.str_)
        return self._dates

    def doc_frequency(self, text: str, field: str = "body") -> int:
        """The number of documents holding a term (deleted ones included, as in Whoosh's idf), remembered."""
        key = (field, text)
        found = self._df.get(key)
        if found is None:
            if len(self._df) > DF_CACHE:
                self._df.clear()
            found = self._df[key] = int(self.reader.doc_frequency(field, text))
        return found

    def column_values(self, name: str) -> list[bytes]:
        """Every document's value in the bytes column ``name`` (b"" when it has none)."""
        values = [b""] * self.size
        for sub, offset in self.leaves:
            reader = sub.reader()
            if reader.has_column(name):
                for i, value in enumerate(reader.column_reader(name)):
                    values[offset + i] = value or b""
        return values

    def ids(self, docs: list[int]) -> list[str]:
        """The ids of ``docs``: from their stored fields (~37 µs a document at 1M articles), or, for more than a
        tenth of the collection (the members of the wire-copy groups), from one pass over the ``id`` field's terms
        (~4 s for 1M ids, where the stored fields took ~39 s). A term of several documents (an id replaced, not
        yet merged away) leaves its documents to the stored fields."""
        by_doc: dict[int, str] = {}
        if len(docs) > self.size // 10:
            for sub, offset in self.leaves:
                for term, info in sub.reader().iter_field("id"):
                    if info.doc_frequency() == 1:
                        by_doc[offset + info.min_id()] = term.decode("utf-8")
        return [by_doc.get(d) or str(self.reader.stored_fields(d)["id"]) for d in docs]

    def date_ranks(self) -> Ints:
        """Every document's rank by date key (equal dates, equal ranks; undated documents first)."""
        if self._date_ranks is None:
            self._date_ranks = np.unique(self.dates(), return_inverse=True)[1].astype(np.int64)
        return self._date_ranks

    def by_day(self) -> tuple[Ints, Ints, Ints]:
        """The documents with a whole date (not "2021-06"), grouped by day: the distinct days (days since
        1970-01-01, ascending), where each day's documents start in the third array (one more offset at the
        end) and the documents themselves, deleted ones included.  Read from the ``date`` terms' postings
        (0.1 s for a million articles), once per generation."""
        if self._by_day is None:
            keys, numbers = [], []
            for key in self.reader.lexicon("date"):
                text = key.decode("utf-8") if isinstance(key, bytes) else key
                number = cues.day_number(text)  # None for "2021-06": no day
                if number is not None:
                    numbers.append(number)
                    keys.append(text)
            docs = [self.postings("date", k, keep=False)[0] for k in keys]
            days = np.array(numbers, dtype=np.int64)
            starts = np.zeros(len(keys) + 1, dtype=np.int64)
            np.cumsum([len(d) for d in docs], out=starts[1:])
            self._by_day = days, starts, np.concatenate(docs) if docs else np.zeros(0, np.int64)
        return self._by_day

    def term(self, field: str, text: str) -> tuple[Ints, Floats]:
        """The live documents holding a term and their BM25F scores for it (Whoosh's formula and
        statistics: idf and average length of the whole index, the stored one-byte lengths); the scores of
        long lists are kept for the next call (they hold for the whole generation)."""
        key = ("scored", field, text)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        ids, weights = self.postings(field, text, keep=False)
        if len(ids) == 0:
            return ids, weights
        if self.searcher.schema[field].scorable:
            idf = self.searcher.idf(field, text)
            avgfl = self.searcher.avg_field_length(field) or 1
            b = self._field_b.get(field, self.b)
            lengths = self.lengths(field)[ids]
            k1 = self.k1
            scores = idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / avgfl)))
        else:
            scores = weights
        live = self.live[ids]
        result = (ids, scores) if live.all() else (ids[live], scores[live])
        if len(ids) >= CACHE_MIN_POSTINGS:
            self._keep(key, result)
        return result

    def article_term(self, fields: tuple[str, str], text: str, title_weight: float,
                     idf_power: float = 1.0) -> tuple[Ints, Floats]:
        """The live documents holding a term in either of ``fields`` (title, body) and its BM25 over the whole
        article, as one text: the frequencies summed (a title occurrence counts ``title_weight``), one
        saturation, the article's length (title + body) against the average; Whoosh's idf over the articles
        holding the term in either field, raised to ``idf_power`` (> 0).  (Whoosh's `BM25F` instead adds a
        BM25 per field, each saturating and normalised on its own: a word in a ten-word title then weighs as
        much as a word repeated in the body.)  Long lists' scores are kept like `term`'s."""
        if idf_power <= 0:  # the C module reads the idf argument's sign
            raise ValueError(f"idf_power must be > 0, not {idf_power}")
        key = ("article", *fields, text, repr(title_weight), repr(idf_power), repr(self.k1), repr(self.b))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        (title_ids, title_tf), (body_ids, body_tf) = (self.postings(f, text, keep=False) for f in fields)
        if not len(title_ids) and not len(body_ids):
            return title_ids, title_tf
        if codec.native is not None:
            found = codec.native.article(title_ids, title_tf, body_ids, body_tf, title_weight, -idf_power,
                                         self.k1, self._article_norm(fields), self.live)
            result = np.frombuffer(found[0], dtype=np.int64), np.frombuffer(found[1], dtype=np.float64)
        else:
            result = self._article_scores(fields, (title_ids, title_tf), (body_ids, body_tf), title_weight,
                                          idf_power)
        if len(result[0]) >= CACHE_MIN_POSTINGS:
            self._keep(key, result)
        return result

    def _article_scores(self, fields: tuple[str, str], title: tuple[Ints, Floats], body: tuple[Ints, Floats],
                        title_weight: float, idf_power: float = 1.0) -> tuple[Ints, Floats]:
        """`article_term`'s merge and BM25 with numpy (what `_postings.article` does in C)."""
        (title_ids, title_tf), (body_ids, body_tf) = title, body
        docs: Ints
        tf: Floats
        if not len(title_ids) or not len(body_ids):  # one field only: already sorted and distinct
            docs, tf = (body_ids, body_tf) if len(body_ids) else (title_ids, title_tf * title_weight)
        else:  # merge the two sorted lists: work in their lengths, not the index's size
            docs, in_title, in_body = _merged(title_ids, body_ids)
            tf = np.zeros(len(docs), dtype=np.float64)
            tf[in_title] = title_tf * title_weight
            tf[in_body] += body_tf
        idf = (math.log(self.size / (len(docs) + 1)) + 1) ** idf_power
        scores = idf * tf * (self.k1 + 1) / (tf + self._article_norm(fields)[docs])
        live = self.live[docs]
        return (docs, scores) if live.all() else (docs[live], scores[live])

    def _article_norm(self, fields: tuple[str, str]) -> Floats:
        """BM25's length part ``k1 × (1 − b + b × length / average length)`` of every article over ``fields``."""
        key = f"norm:{'+'.join(fields)}:{self.k1!r}:{self.b!r}"
        found = self._lengths.get(key)
        if found is None:
            lengths = self.lengths(fields[0]) + self.lengths(fields[1])
            average = sum(self.searcher.avg_field_length(f) for f in fields) or 1.0
            found = self._lengths[key] = self.k1 * ((1 - self.b) + self.b * lengths / average)
        return found

    def dense(self, ids: Ints, scores: Floats, boost: float = 1.0) -> Scored:
        out = self.empty()
        out.mask[ids] = True
        out.scores[ids] = scores * boost if boost != 1 else scores
        return out

    def phrase(self, q: query.Phrase, terms: list[tuple[Ints, Floats]]) -> Scored:
        """Documents where the words follow each other, each within ``slop`` positions of the one before
        (Whoosh's ``SpanNear2(ordered=True, mindist=1)``), scored as the sum of the words' own scores."""
        docs = self.phrase_docs(q)
        total = np.zeros(len(docs), dtype=np.float64)
        for ids, scores in terms:
            total += scores[np.searchsorted(ids, docs)]
        return self.dense(docs, total, q.boost)

    def phrase_docs(self, q: query.Phrase) -> Ints:
        """The live documents holding phrase ``q`` (sorted), kept between searches (finding them reads
        positions)."""
        key = ("phrase-docs", q.fieldname, *q.words, str(q.slop))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached[0]
        docs: Ints | None = None
        for word in q.words:
            ids, _ = self.postings(q.fieldname, word)
            ids = ids[self.live[ids]]
            docs = ids if docs is None else _common(docs, ids)
        if docs is None:
            docs = np.zeros(0, dtype=np.int64)
        if len(q.words) > 1 and len(docs):
            words = [w.encode("utf-8") if isinstance(w, str) else w for w in q.words]
            docs = docs[_in_sequence([self.positions(q.fieldname, w, docs) for w in words], q.slop, len(docs))]
        self._keep(key, (docs, np.zeros(0, dtype=np.float64)))
        return docs

    def positions(self, field: str, btext: bytes, docs: Ints) -> tuple[Ints, Ints]:
        """The positions of a term in ``docs`` (sorted, all holding the term) as two arrays: the index in
        ``docs`` of each position, and the position (ascending within a document)."""
        owners: list[Ints] = [np.zeros(0, dtype=np.int64)]
        found: list[Ints] = [np.zeros(0, dtype=np.int64)]
        done = 0
        for sub, offset in self.leaves:
            end = offset + sub.reader().doc_count_all()
            local = docs[(docs >= offset) & (docs < end)] - offset
            if len(local):
                fmt = self.searcher.schema[field].format
                owner, position = segments.segment_positions(sub.reader(), fmt, field, btext, local)
                owners.append(owner + done)
                found.append(position)
                done += len(local)
        return np.concatenate(owners), np.concatenate(found)

    def by_matcher(self, q: query.Query) -> Scored:
        """Any other leaf, through Whoosh's own matcher (same scorer, same context as Whoosh's search)."""
        out = self.empty()
        context = self.searcher.context()
        for sub, offset in self.leaves:
            m = q.matcher(sub, context)
            ids, scores = segments.walk(m, m.score)
            if ids:
                where = np.asarray(ids, dtype=np.int64) + offset
                out.mask[where] = True
                out.scores[where] = scores
        out.mask &= self.live
        out.scores[~out.mask] = 0.0
        return out

    def _term(self, field: str, text: str, memo: dict[Any, Any]) -> tuple[Ints, Floats]:
        key = ("term", field, text)
        found: tuple[Ints, Floats] | None = memo.get(key)
        if found is None:
            found = memo[key] = self.term(field, text)
        return found

    # -- evaluation ----------------------------------------------------------------------------------------

    def evaluate(self, q: query.Query, memo: dict[Any, Any] | None = None) -> Scored:
        """Matches and scores of ``q``; ``memo`` shares the leaves between queries of one search (the
        all-words query and its any-word fallback have the same words)."""
        memo = {} if memo is None else memo
        return self._eval(q, memo)

    def _eval(self, q: query.Query, memo: dict[Any, Any]) -> Scored:  # noqa: C901
        kind = type(q)
        if kind is query.Term:
            return self.dense(*self._term(q.fieldname, q.text, memo), q.boost)
        if kind is query.Or and not q.minmatch:
            if not q.subqueries:
                return self.empty()
            # terms add up sparsely (one bincount), other clauses as vectors
            terms = [s for s in q.subqueries if type(s) is query.Term]
            others = [self._eval(s, memo) for s in q.subqueries if type(s) is not query.Term]
            if terms:
                found = [self._term(t.fieldname, t.text, memo) for t in terms]
                ids = np.concatenate([f[0] for f in found])
                scores = np.concatenate([f[1] * t.boost for f, t in zip(found, terms, strict=True)])
                out = Scored(np.bincount(ids, minlength=self.size) > 0,
                             np.bincount(ids, weights=scores, minlength=self.size).astype(np.float64, copy=False))
            else:
                first = others.pop(0)
                out = Scored(first.mask.copy(), first.scores.copy())
            for other in others:
                out.mask |= other.mask
                out.scores += other.scores
            return _boosted(out, q.boost)
        if kind is query.And:
            parts = [self._eval(s, memo) for s in q.subqueries]
            if not parts:
                return self.empty()
            out = Scored(parts[0].mask.copy(), parts[0].scores.copy())
            for part in parts[1:]:
                out.mask &= part.mask
                out.scores += part.scores
            out.scores *= out.mask
            return _boosted(out, q.boost)
        if kind is query.Phrase and q.fieldname in self.searcher.schema:
            words = [self._term(q.fieldname, w, memo) for w in q.words]
            return self.phrase(q, words) if words and all(len(w[0]) for w in words) else self.empty()
        if kind is query.AndNot:
            a = self._eval(q.a, memo)
            b = self._eval(q.b, memo)
            mask = a.mask & ~b.mask
            return _boosted(Scored(mask, a.scores * mask), q.boost)
        if kind is query.AndMaybe:
            a = self._eval(q.a, memo)
            b = self._eval(q.b, memo)
            return _boosted(Scored(a.mask, (a.scores + b.scores) * a.mask), q.boost)
        if kind is query.Not:
            inner = self._eval(q.query, memo)
            mask = self.live & ~inner.mask
            return self._constant(mask, q.boost)
        if kind is query.Every and q.fieldname in (None, "", "*"):
            return self._constant(self.live.copy(), q.boost)
        if q is query.NullQuery or kind is type(query.NullQuery):
            return self.empty()
        if kind is query.TermRange and q.fieldname == "date" and q.constantscore:
            return self._date_range(q)
        return self.by_matcher(q)

    def _date_range(self, q: query.TermRange) -> Scored:
        dates = self.dates()
        mask = dates != ""
        if q.start:
            mask &= (dates > q.start) if q.startexcl else (dates >= q.start)
        if q.end:
            mask &= (dates < q.end) if q.endexcl else (dates <= q.end)
        return self._constant(mask & self.live, q.boost)

    @staticmethod
    def _constant(mask: Mask, boost: float) -> Scored:
        """Matches that all score ``boost`` (Whoosh's constant-score leaves: every, not, ranges)."""
        return Scored(mask, np.where(mask, float(boost), 0.0))


def _references(arrays: dict[str, Any], key: str) -> int:
    """The references to ``arrays[key]``, counted the same way for every array (`_UNHELD`: one only ``arrays``
    holds)."""
    return sys.getrefcount(arrays[key])


_UNHELD = _references({"": np.empty(0)}, "")


def sums(size: int, counted: list[Ints], scored: list[Ints], values: list[Floats],
         zeros: Callable[[type], npt.NDArray[Any]] | None = None) -> tuple[Counts, Floats]:
    """For each of ``size`` documents, how many of the ``counted`` lists hold it, and the sum of its
    ``values`` in the ``scored`` lists (added in list order, whatever the path, so sums are the same).  In C
    (`_postings.accumulate`), a list counted and scored (the same array) is read once; else ``np.add.at``.
    ``zeros(dtype)`` gives the zeroed arrays written (`Collection.zeros`; default: new ones)."""
    zeros = zeros or (lambda dtype: np.zeros(size, dtype=dtype))
    scores = zeros(np.float64)
    if codec.native is None or len(counted) > 255:
        counts: Counts = zeros(np.int64)
        for docs in counted:
            np.add.at(counts, docs, 1)
        for docs, found in zip(scored, values, strict=True):
            np.add.at(scores, docs, found)
        return counts, scores
    steps: dict[int, int] = {}  # id of a counted array -> the number of times it is counted
    for docs in counted:
        steps[id(docs)] = steps.get(id(docs), 0) + 1
    small = zeros(np.uint8)
    for docs, found in zip(scored, values, strict=True):
        step = steps.pop(id(docs), 0)
        codec.native.accumulate(scores, small if step else None, docs, found, step)
    for docs in counted:
        if step := steps.pop(id(docs), 0):
            codec.native.accumulate(scores, small, docs, None, step)
    return small, scores


def _common(a: Ints, b: Ints) -> Ints:
    """The numbers in both of two sorted lists of distinct numbers (a binary search of the shorter list in the
    longer: no sort)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if not len(long):
        return long
    at = np.minimum(np.searchsorted(long, short), len(long) - 1)
    found: Ints = short[long[at] == short]
    return found


def _in_sequence(positions: list[tuple[Ints, Ints]], slop: int, ndocs: int) -> Ints:
    """Which of ``ndocs`` documents (indexes into the documents `Collection.positions` was given) have some
    position of each word following one of the word before by 1 to ``slop`` positions."""
    if codec.native is not None:
        return np.flatnonzero(np.frombuffer(codec.native.in_sequence(positions, ndocs, slop), dtype=np.bool_))
    (doc, pos), *rest = positions
    reachable = np.unique((doc << 32) | pos)
    for doc, pos in rest:
        keys = (doc << 32) | pos
        follows = np.zeros(len(keys), dtype=np.bool_)
        for step in range(1, max(slop, 1) + 1):
            follows |= np.isin(keys - step, reachable, assume_unique=False)
        reachable = np.unique(keys[follows])
        if not len(reachable):
            break
    return np.unique(reachable >> 32)


def union(a: Ints, b: Ints) -> Ints:
    """The union of two sorted lists of distinct numbers, sorted (`_merged`)."""
    return _merged(a, b)[0] if len(a) <= len(b) else _merged(b, a)[0]


def _merged(short: Ints, long: Ints) -> tuple[Ints, Ints, Ints]:
    """The union of two sorted lists of distinct numbers, and where each list's numbers are in it: a binary
    search of the shorter list in the longer (a title's postings in the body's), no sort or hash."""
    at = np.searchsorted(long, short)
    shared = at < len(long)
    shared[shared] = long[at[shared]] == short[shared]
    new = short[~shared]
    if not len(new):
        return long, at, np.arange(len(long))
    in_long = np.arange(len(long)) + np.searchsorted(new, long)
    docs = np.empty(len(long) + len(new), dtype=np.int64)
    docs[in_long] = long
    in_short = at + np.cumsum(~shared) - 1 + shared  # before it: `at` of the long list's, and the new ones
    docs[in_short[~shared]] = new
    return docs, in_short, in_long


def _boosted(s: Scored, boost: float) -> Scored:
    if boost != 1:
        s.scores *= boost
    return s
