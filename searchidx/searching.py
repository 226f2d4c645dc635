"""Ranking (BM25F, all words then any word), filters and snippets; the query language is in `querylang`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any

from whoosh import collectors, highlight, query, scoring
from whoosh.reading import IndexReader
from whoosh.searching import Results, Searcher

from searchidx.analysis import APOSTROPHES, HYPHENS, fold
from searchidx.dates import since_range, until_range
from searchidx.errors import UsageError
from searchidx.facets import FacetTable, disjunctive_sets, docs_with, matching_docs
from searchidx.models import Entities, Hit, SearchResult
from searchidx.querylang import ParsedQuery, date_query

__all__ = ["SORTS", "WEIGHTING", "search"]
SORTS: tuple[str, ...] = ("relevance", "date", "-date")
SNIPPET_CHARS = 240
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)


class _MarkFormatter(highlight.Formatter):  # type: ignore[misc]
    """Wraps matched words in ``<em>…</em>`` (the convention of hit snippets)."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return "<em>" + str(highlight.get_text(text, token, replace)) + "</em>"


_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
_FORMATTER = _MarkFormatter()
_SCORER = highlight.BasicFragmentScorer()
#: Text analysed around each place a query word may occur: the fragmenter looks back ``surround`` chars
#: for context and a fragment ends at most ``surround`` token chars after its last match (or at
#: ``maxchars``), so these margins give it the same tokens it would see in the whole body.
_BEFORE = 2 * _FRAGMENTER.surround
_AFTER = _FRAGMENTER.maxchars + _FRAGMENTER.surround
#: A place where no chunk of the analyzer can continue (whitespace not after a digit: "1 000" is a chunk).
_CUT = re.compile(r"(?<!\d)\s")
_SPACE = re.compile(r"\s")
_JOINERS = APOSTROPHES + HYPHENS + "."  # l'État, États-Unis, O.N.U.: folded to "'" (a literal compiles fast)
_JOIN = "'?"
_LIGATURES = {"oe": "(?:oe|\u0153)", "ae": "(?:ae|\u00e6)", "ss": "(?:ss|\u00df)"}
_folds: dict[int, str] | None = None


def _fold_table() -> dict[int, str]:
    """One-for-one accent folding (``str.translate`` keeps offsets): É→E, ç→c, connectors → "'";
    ligatures are left to the pattern (``_LIGATURES``)."""
    global _folds
    if _folds is None:
        table: dict[int, str] = {}
        for code in range(0xC0, 0x250):
            folded = fold(chr(code))
            if len(folded) == 1 and folded.isalnum() and folded != chr(code):
                table[code] = folded
        table.update((ord(c), "'") for c in _JOINERS)
        _folds = table
    return _folds


class _Snippets:
    """Snippets of one result page: the query's body words are looked up once, and each body is analysed
    only around the places where those words may occur (whoosh's highlighter re-analyses the whole body,
    a quarter of a short query).  The places are found by a regex over the accent-folded body that matches
    the start of each word's stem at a word start; same fragmenter, scorer and formatter as whoosh's
    ``highlights(top=2)``."""

    def __init__(self, results: Results) -> None:
        terms = results.query_terms(expand=True, fieldname="body")
        self.words = frozenset(t[1].decode("utf-8") if isinstance(t[1], bytes) else t[1] for t in terms)
        self.analyzer = results.searcher.schema["body"].analyzer
        self.pattern: re.Pattern[str] | None = None
        self._pieces: dict[str, bool] = {}
        self.whole = any(not w.isalpha() for w in self.words)  # numbers: analyse all (1 000 → 1000)
        if self.words and not self.whole:
            prefixes = sorted({w[:-1] if len(w) > 3 else w for w in self.words}, key=len, reverse=True)
            self.pattern = re.compile(
                r"(?<![^\W_])(?:" + "|".join(_prefix_pattern(p) for p in prefixes) + ")", re.IGNORECASE
            )

    def __call__(self, body: str) -> str:
        text = ""
        if body and self.words:
            try:
                text = self._highlight(body)
            except Exception:  # a snippet is a nicety: never fail a search for it
                text = ""
        if not text:
            text = body[:SNIPPET_CHARS]
            if len(body) > SNIPPET_CHARS:
                text = text.rsplit(" ", 1)[0] + " …"
        return " ".join(text.split())

    def _windows(self, body: str) -> list[tuple[int, int]]:
        if self.pattern is None:
            return [(0, len(body))]
        windows: list[tuple[int, int]] = []
        limit = _FRAGMENTER.charlimit or len(body)
        for m in self.pattern.finditer(body.translate(_fold_table()), 0, limit):
            at = m.start()
            if not self._matches_at(body, at):
                continue
            if windows and at - _BEFORE <= windows[-1][1]:
                start = windows[-1][0]
                windows.pop()
            elif at <= _BEFORE:
                start = 0
            else:
                cut = _CUT.search(body, at - _BEFORE, at)
                start = cut.end() if cut else 0
            cut = _CUT.search(body, at + _AFTER)
            windows.append((start, cut.start() if cut else len(body)))
        return windows

    def _matches_at(self, body: str, at: int) -> bool:
        """Whether the whitespace-delimited piece holding ``at`` has a query word (the prefix pattern
        also finds "Londres" for "long"); pieces repeat, so their answers are kept."""
        start = at
        while start > 0 and not body[start - 1].isspace():
            start -= 1
        end = _SPACE.search(body, at)
        piece = body[start:end.start() if end else len(body)]
        found = self._pieces.get(piece)
        if found is None:
            found = any(t.text in self.words for t in self.analyzer(piece, mode="index", removestops=False))
            self._pieces[piece] = found
        return found

    def _highlight(self, body: str) -> str:
        analyzer = self.analyzer
        tokens = chain.from_iterable(
            analyzer(body[s:e], positions=True, chars=True, mode="index", removestops=False, start_char=s)
            for s, e in self._windows(body)
        )
        matched = highlight.Highlighter._merge_matched_tokens(highlight.set_matched_filter(tokens, self.words))
        fragments = highlight.top_fragments(
            _FRAGMENTER.fragment_tokens(body, matched), 2, _SCORER, highlight.FIRST, minscore=1
        )
        return str(_FORMATTER.format(fragments))


def _prefix_pattern(word: str) -> str:
    """A folded stem prefix as a pattern over folded text: connectors may sit between letters."""
    out = []
    i = 0
    while i < len(word):
        pair = word[i:i + 2]
        if pair in _LIGATURES:
            out.append(_LIGATURES[pair])
            i += 2
        else:
            out.append("[iy]" if word[i] == "i" else re.escape(word[i]))  # Snowball: royer → roi
            i += 1
    return _JOIN.join(out)


def _range_docs(searcher: Searcher, since: str | None, until: str | None) -> set[int] | None:
    """Documents dated within ``since``..``until`` (ISO or French forms, see `dates`)."""
    if not since and not until:
        return None
    r = since_range(since) if since else None
    if until:
        r = until_range(until) if r is None else r & until_range(until)
    assert r is not None
    return matching_docs(searcher, date_query(r))


def search(
    searcher: Searcher,
    facet_table: FacetTable | None,
    parsed: ParsedQuery,
    *,
    limit: int = 10,
    offset: int = 0,
    facets: Sequence[str] = (),
    filters: Mapping[str, Sequence[str]] | None = None,
    excludes: Mapping[str, Sequence[str]] | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: str | None = None,
    facet_limit: int = 10,
) -> SearchResult:
    """Ranks, filters and counts facets; falls back to any-word matching when no article has every word."""
    if limit < 0 or offset < 0:
        raise UsageError("--limit and --offset must be zero or more")
    sort = sort or ("-date" if parsed.browse else "relevance")
    if sort not in SORTS:
        raise UsageError(f"unknown sort {sort!r}; choose from: {', '.join(SORTS)}")
    reader = searcher.reader()
    filter_sets = {name: docs_with(reader, name, values) for name, values in (filters or {}).items() if values}
    date_docs = _range_docs(searcher, since, until)
    if date_docs is not None:
        filter_sets["date"] = date_docs
    masked: set[int] = set()
    for name, values in (excludes or {}).items():
        masked |= docs_with(reader, name, values)

    allowed: set[int] | None = None
    for docs in filter_sets.values():
        allowed = docs if allowed is None else allowed & docs
    if allowed is not None and not allowed:
        allowed = {-1}  # no document passes the filters; Whoosh reads an empty filter as no filter at all

    fallback = False
    results = _run(searcher, parsed.strict, offset + limit, allowed, masked, sort)
    if results.is_empty() and not parsed.browse and parsed.loose != parsed.strict:
        loose = _run(searcher, parsed.loose, offset + limit, allowed, masked, sort, exact=False)
        if not loose.is_empty():
            results, fallback = loose, True
    snippet = _Snippets(results)
    hits = []
    for i in range(offset, min(offset + limit, results.scored_length())):
        stored = results[i].fields()
        extra = stored.get("extra") or {}
        hits.append(
            Hit(
                id=stored["id"],
                title=stored.get("title", ""),
                score=round(float(results[i].score or 0.0), 4) if sort == "relevance" else 0.0,  # else a date key
                snippet=snippet(stored.get("body", "")),
                date=stored.get("date") or None,
                source=extra.get("source"),
                url=extra.get("url"),
                entities=Entities.from_dict(extra.get("entities")),
                rank=i + 1,
            )
        )

    counted: dict[str, Any] = {}
    q = parsed.loose if fallback else parsed.strict
    if facets and facet_table is not None:
        matched = matching_docs(searcher, q) - masked
        for name in facets:
            counted[name] = facet_table.count(name, disjunctive_sets(matched, filter_sets, name), facet_limit)
        total = len(disjunctive_sets(matched, filter_sets, ""))
    elif not fallback or results.scored_length() < offset + limit:
        total = len(results)  # every match was visited
    else:  # a pruned any-word query skips the articles having only common words: count them too
        total = len(disjunctive_sets(matching_docs(searcher, q) - masked, filter_sets, ""))
    return SearchResult(
        query=parsed.text, total=total, hits=hits, facets=counted, fallback=fallback, offset=offset, limit=limit
    )


#: Pruning of any-word queries (the fallback of short queries; a pasted lede has ~30 words): Whoosh scores
#: every posting of every term in Python, so common words cost most of the time while deciding little.  As
#: Lucene's common-terms query does, clauses whose words appear in more than ``PRUNE_DF`` of the documents
#: stop *selecting* documents: they only add their score to documents a rarer clause matched (``AndMaybe``).
#: Scores of the documents kept are unchanged (``total`` still counts every match).  Quality check (MRR@10
#: pruned vs not, long and short news-dev queries): BENCHMARKS.md, bench/speed.py.
PRUNE_MIN_TERMS = 3  # queries with fewer clauses than this are run as they are
PRUNE_DF = 0.02
#: ...and only words in more than this many documents: short posting lists cost little to score, and on a
#: small collection (1.5k PIAF paragraphs) pruning by share alone cost 0.09 MRR@10 (0.743 -> 0.651).
PRUNE_MIN_DF = 1000


def _prune(q: query.Query, reader: IndexReader) -> query.Query:
    """``q`` with its common clauses made optional, when it is a long OR (possibly with exclusions)."""
    if isinstance(q, query.AndNot):
        positive = _prune(q.a, reader)
        return q if positive is q.a else query.AndNot(positive, q.b)
    if type(q) is not query.Or or len(q.subqueries) < PRUNE_MIN_TERMS:
        return q
    cutoff = max(PRUNE_DF * reader.doc_count_all(), PRUNE_MIN_DF)
    rare: list[query.Query] = []
    common: list[query.Query] = []
    for sub in q.subqueries:
        (common if _doc_frequency(sub, reader) > cutoff else rare).append(sub)
    if len(rare) < 2 or not common:  # one rare word alone must not decide which documents count
        return q
    pruned = query.AndMaybe(
        query.Or(rare) if len(rare) > 1 else rare[0], query.Or(common) if len(common) > 1 else common[0]
    )
    pruned.boost = q.boost
    return pruned


def _doc_frequency(q: query.Query, reader: IndexReader) -> int:
    """The largest document frequency of a word clause (a term, or the same word OR-ed over fields); 0 for
    any other clause (phrases, prefixes...), which therefore always selects."""
    terms = [q] if isinstance(q, query.Term) else q.subqueries if type(q) is query.Or else []
    if not terms or not all(type(t) is query.Term for t in terms):
        return 0
    return max(int(reader.doc_frequency(t.fieldname, t.text)) for t in terms)


def _run(searcher: Searcher, q: query.Query, top: int, allowed: set[int] | None, masked: set[int],
         sort: str, exact: bool = True) -> Results:
    """One scoring pass. With ``exact`` the collector visits every match (no matcher replacement), so
    ``len(results)`` is the true count; without, Whoosh drops the matches that cannot reach the page (a third
    faster on ledes) and the caller counts otherwise. No block-quality skipping (it saves little on
    news-sized postings), no matched-term tracking (a fifth of the search; snippets need only the query's
    words)."""
    if sort != "relevance":
        kwargs: dict[str, Any] = {"limit": max(top, 1), "sortedby": "date", "reverse": sort == "-date"}
        if allowed is not None:
            kwargs["filter"] = allowed
        if masked:
            kwargs["mask"] = masked
        return searcher.search(q, **kwargs)
    collector: collectors.Collector = collectors.TopCollector(limit=max(top, 1), usequality=False,
                                                              replace=0 if exact else 10)
    if allowed is not None or masked:
        collector = collectors.FilterCollector(collector, allowed, masked or None)
    searcher.search_with_collector(_prune(q, searcher.reader()), collector)
    return collector.results()
