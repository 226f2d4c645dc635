"""Selection (every article with any word, `ranking` orders them), filters, pages and snippets; queries compiled
by `compile`."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import query, scoring
from whoosh.searching import Searcher

from searchidx.analysis import APOSTROPHES, HYPHENS, fold
from searchidx.engines.whoosh.compile import Compiled, date_query
from searchidx.engines.whoosh.documents import from_stored
from searchidx.engines.whoosh.facets import FacetTable, disjunctive, docs_with
from searchidx.engines.whoosh.ranking import Ranked
from searchidx.engines.whoosh.ranking import rank as rank_query
from searchidx.engines.whoosh.scoring import Collection, Floats, Mask, Scored
from searchidx.explore.copies import CopyGroups, collapse
from searchidx.models import FacetValue, Hit, SearchResult
from searchidx.query.dates import since_range, until_range

__all__ = ["WEIGHTING", "Selection", "page", "search", "select"]
SNIPPET_CHARS = 240
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)


#: Context kept before the first matched word of a fragment, and after each (a fragment ends that far
#: after its last match, or at ``SNIPPET_CHARS``); the text searched for matches (as Whoosh's highlighter).
SURROUND = 80
CHAR_LIMIT = 1 << 15
#: Documents ranked at once for a page (`page`): finding the first ones is a pass over every match, whatever
#: their number, and folding wire copies asks for more when copies fill the page (1M articles of the scale
#: benchmark, 28 copies of each text: 3 passes of ~7 ms per pasted lede when 26 were asked first, 1 now).
TOP_AHEAD = 1024
_SPACE = re.compile(r"\s")
#: The whitespace-delimited piece from a match on, with the groups of three digits that follow a number
#: ("1 000 000": the analyser reads one number).
_PIECE = re.compile(r"\S*(?:(?<=\d)[ \u00a0\u202f]\d{3}(?![^\W_]))*")
_DIGIT_JOIN = "[' \u00a0\u202f]?"
_JOINERS = APOSTROPHES + HYPHENS + "."  # l'État, États-Unis, O.N.U.: folded to "'" (a literal compiles fast)
_JOIN = "'?"
_LIGATURES = {"oe": "(?:oe|\u0153)", "ae": "(?:ae|\u00e6)", "ss": "(?:ss|\u00df)"}


@functools.cache
def _fold_codes() -> npt.NDArray[np.uint32]:
    """One-for-one accent folding over the Basic Multilingual Plane, a code point's folded code point: É→E,
    ç→c, connectors → "'"; ligatures are left to the pattern (``_LIGATURES``)."""
    table = np.arange(0x10000, dtype=np.uint32)
    for code in range(0xC0, 0x250):
        folded = fold(chr(code))
        if len(folded) == 1 and folded.isalnum() and folded != chr(code):
            table[code] = ord(folded)
    table[[ord(c) for c in _JOINERS]] = ord("'")
    return table


def _folded(text: str) -> str:
    """``text`` folded by `_fold_codes`, its offsets kept: a table lookup in numpy (``str.translate`` with a
    dictionary takes ~40 ns a character: 0.1 ms for an article, ten per page)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not len(codes):
        return text
    table = _fold_codes()
    if int(codes.max()) < len(table):
        out = table[codes]
    else:
        out = codes.copy()
        small = codes < len(table)
        out[small] = table[codes[small]]
    return out.tobytes().decode("utf-32-le", "surrogatepass")


class _Snippets:
    """Snippets of one result page: up to two fragments of the body around its query words, the words in
    ``<em>…</em>``, the fragments with the most distinct words and then the most matches chosen (the choice
    of Whoosh's ``highlights(top=2)`` with its context fragmenter).

    The body is not analysed as a whole: a regex over the accent-folded body finds where the start of a
    query word's stem begins a word, and only the whitespace-delimited piece there is analysed to confirm
    the match (the pattern also finds "Londres" for "long"); pieces repeat, so their answers are kept."""

    def __init__(self, searcher: Searcher, q: query.Query) -> None:
        terms = q.existing_terms(searcher.reader(), phrases=True, expand=True, fieldname="body")
        self.words = frozenset(t[1].decode("utf-8") if isinstance(t[1], bytes) else t[1] for t in terms)
        self.analyzer = searcher.schema["body"].analyzer
        self.pattern = _word_starts(self.words) if self.words else None
        self._pieces: dict[str, list[tuple[int, int, str]]] = {}

    def __call__(self, body: str) -> str:
        text = ""
        if body and self.words:
            try:
                text = self._highlight(body)
            except Exception:  # a snippet is a nicety: never fail a search for it
                text = ""
        return " ".join(text.split()) if text else self.lead(body)

    @staticmethod
    def lead(body: str) -> str:
        """The body's first `SNIPPET_CHARS` characters, cut at a word."""
        text = body[:SNIPPET_CHARS]
        if len(body) > SNIPPET_CHARS:
            text = text.rsplit(" ", 1)[0] + " …"
        return " ".join(text.split())

    def matches(self, body: str) -> list[tuple[int, int, str]]:
        """``(start, end, word)`` of each query word in ``body`` (overlapping parts of a compound merged)."""
        found: list[tuple[int, int, str]] = []
        if self.pattern is not None:
            piece_end = -1
            # lowercased, so the pattern is case-sensitive (a case-blind one takes ~5 ms to compile for a lede's
            # words); a rare letter whose lowercase is longer (İ) keeps the folded text and a case-blind pattern
            text = _folded(body)
            pattern = self.pattern
            if len(lowered := text.lower()) == len(text):
                text = lowered
            else:
                pattern = re.compile(pattern.pattern, re.IGNORECASE)
            for m in _word_matches(pattern, text):
                at = m.start()
                if at < piece_end:
                    continue  # the piece holding it was analysed already
                piece_start = at
                while piece_start > 0 and not body[piece_start - 1].isspace():
                    piece_start -= 1
                piece = _PIECE.match(body, at)  # (it always matches, maybe nothing)
                piece_end = piece.end() if piece else len(body)
                found.extend((piece_start + a, piece_start + b, w)
                             for a, b, w in self._piece(body[piece_start:piece_end]))
        merged: list[tuple[int, int, str]] = []
        for start, end, word in sorted(found):
            if merged and start < merged[-1][1]:
                last = merged[-1]
                merged[-1] = (last[0], max(last[1], end), last[2])
            else:
                merged.append((start, end, word))
        return merged

    def _piece(self, piece: str) -> list[tuple[int, int, str]]:
        found = self._pieces.get(piece)
        if found is None:
            tokens = self.analyzer(piece, chars=True, mode="index", removestops=False)
            found = self._pieces[piece] = [(t.startchar, t.endchar, t.text) for t in tokens if t.text in self.words]
        return found

    def _highlight(self, body: str) -> str:
        spans = self.matches(body)
        fragments: list[tuple[int, int, list[tuple[int, int, str]]]] = []
        i = 0
        while i < len(spans):  # a fragment: context, a match, and the next ones while they fit
            start = _word_start(body, max(0, spans[i][0] - SURROUND))
            j = i + 1
            while (j < len(spans) and spans[j][0] <= spans[j - 1][1] + SURROUND
                   and spans[j][1] - start <= SNIPPET_CHARS):
                j += 1
            end = _word_end(body, min(spans[j - 1][1] + SURROUND, max(start + SNIPPET_CHARS, spans[j - 1][1])))
            fragments.append((start, end, spans[i:j]))
            i = j
        best = sorted(fragments, key=lambda f: (-len({w for _, _, w in f[2]}), -len(f[2]), f[0]))[:2]
        out = []
        for start, end, inside in sorted(best):
            parts, at = [], start
            for a, b, _ in inside:
                parts += [body[at:a], "<em>", body[a:b], "</em>"]
                at = b
            parts.append(body[at:end])
            out.append("".join(parts))
        return " … ".join(out)


@functools.lru_cache(maxsize=64)
def _word_starts(words: frozenset[str]) -> re.Pattern[str]:
    """Where a word of ``words`` may begin in folded, lowercased text (kept for the next page of a query); with
    few words, also inside a word (`_word_matches` keeps the starts of words)."""
    prefixes = sorted({w[:-1] if len(w) > 3 else w for w in words}, key=len, reverse=True)
    alternatives = "|".join(_prefix_pattern(p) for p in prefixes)
    return re.compile(alternatives if len(prefixes) <= FEW_PREFIXES else f"{_BEGINS}(?:{alternatives})")


#: A pattern of at most this many word prefixes is searched without ``_BEGINS`` (a lookbehind first keeps
#: ``re`` from skipping ahead to the letters that can begin a match): 2-4 prefixes 2.5× faster on an article,
#: 8 1.7×, 12 the same, 16 or more slower (each match inside a word is a call of ``search``).
FEW_PREFIXES = 8
_BEGINS = r"(?<![^\W_])"  # not after a letter or a digit


def _word_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of a `_word_starts` pattern that begin a word, in the first `CHAR_LIMIT` characters of
    ``text``: those of ``finditer`` behind ``_BEGINS``."""
    if pattern.pattern.startswith(_BEGINS):
        yield from pattern.finditer(text, 0, CHAR_LIMIT)
        return
    at = 0
    while (m := pattern.search(text, at, CHAR_LIMIT)) is not None:
        start = m.start()
        if start and text[start - 1].isalnum():  # inside a word: a word may still begin within this match
            at = start + 1
            continue
        yield m
        at = m.end()


def _word_start(text: str, at: int) -> int:
    """``at``, moved forward to the start of a word unless it is at one."""
    if at == 0 or text[at - 1].isspace():
        return at
    space = _SPACE.search(text, at)
    return space.end() if space else at


def _word_end(text: str, at: int) -> int:
    """``at``, moved back to the end of a word unless it is at one."""
    if at >= len(text) or text[at].isspace():
        return min(at, len(text))
    cut = text.rfind(" ", 0, at)
    return cut if cut > 0 else at


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
    pattern = out[0] if out else ""
    for before, part in zip(out, out[1:], strict=False):  # a number's digits may be grouped: 1 000, 839.000
        pattern += (_DIGIT_JOIN if before.isdigit() and part.isdigit() else _JOIN) + part
    return pattern


def _range_docs(collection: Collection, since: str | None, until: str | None) -> Mask | None:
    """Documents dated within ``since``..``until`` (ISO or French forms, see `dates`)."""
    if not since and not until:
        return None
    r = since_range(since) if since else None
    if until:
        r = until_range(until) if r is None else r & until_range(until)
    assert r is not None
    return collection.evaluate(date_query(r)).mask


@dataclass
class Selection:
    """The documents a query selects once filters apply: what `search` ranks and `explore` counts."""

    query: query.Query  # the query evaluated (the any-word one after a fallback)
    found: Scored  # its matches (before filters) and their final scores (`ranking`)
    keep: Mask  # live documents not excluded
    filters: dict[str, Mask]  # each facet filter (and "date" for since/until)
    visible: Mask  # the matches that pass every filter
    fallback: bool  # no visible match has every word
    ranked: Ranked  # which words each match has
    complete: int | None  # visible matches with every word (None: no word is optional)


def select(
    collection: Collection,
    parsed: Compiled,
    *,
    filters: Mapping[str, Sequence[str]] | None = None,
    excludes: Mapping[str, Sequence[str]] | None = None,
    since: str | None = None,
    until: str | None = None,
    memo: dict[Any, Any] | None = None,
) -> Selection:
    """Evaluates and ranks a query under filters (`ranking`: every article with any of its words)."""
    filter_masks = {name: docs_with(collection, name, values) for name, values in (filters or {}).items() if values}
    dated = _range_docs(collection, since, until)
    if dated is not None:
        filter_masks["date"] = dated
    keep = collection.live.copy()
    for name, values in (excludes or {}).items():
        keep &= ~docs_with(collection, name, values)
    shown = keep
    for allowed in filter_masks.values():
        shown = shown & allowed
    ranked = rank_query(collection, parsed, memo=memo)
    found = ranked.found
    visible = found.mask & shown
    complete = int(np.count_nonzero(ranked.complete() & shown)) if parsed.optional else None
    return Selection(parsed.loose, found, keep, filter_masks, visible, bool(complete == 0 and visible.any()), ranked,
                     complete)


def search(
    collection: Collection,
    facet_table: FacetTable | None,
    parsed: Compiled,
    *,
    limit: int = 10,
    offset: int = 0,
    facets: Sequence[str] = (),
    filters: Mapping[str, Sequence[str]] | None = None,
    excludes: Mapping[str, Sequence[str]] | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: str = "relevance",
    facet_limit: int = 10,
    groups: CopyGroups | None = None,
    fold: bool = True,
) -> SearchResult:
    """Ranks (`ranking`: the articles with any of the words, those with all of them rewarded), filters and
    counts facets. Every match is scored (a plain-word query sparsely, over its posting lists), so totals
    and facet counts are exact.  The arguments are those of a validated
    `searchidx.backend.SearchRequest`.  With ``groups`` (and ``fold``), one hit per group of wire
    copies (`searchidx.explore.copies`); totals and facet counts still count every article."""
    sel = select(collection, parsed, filters=filters, excludes=excludes, since=since, until=until)
    found, visible = sel.found, sel.visible
    return page(collection, sel.query, found.scores, visible, parsed.text, limit=limit, offset=offset, sort=sort,
                groups=groups, fold=fold, fallback=sel.fallback, scored=sel.ranked, complete=sel.complete,
                facets=_count_facets(facet_table, facets, found.mask & sel.keep, sel.filters, facet_limit))


def _count_facets(facet_table: FacetTable | None, facets: Sequence[str], matched: Mask, filters: dict[str, Mask],
                  facet_limit: int) -> dict[str, list[FacetValue]]:
    if not facets or facet_table is None:
        return {}
    return {name: facet_table.count(name, disjunctive(matched, filters, name), facet_limit) for name in facets}


def page(collection: Collection, q: query.Query | None, scores: Floats, visible: Mask, text: str, *,
         limit: int, offset: int, sort: str = "relevance", groups: CopyGroups | None = None, fold: bool = True,
         fallback: bool = False, facets: dict[str, list[FacetValue]] | None = None, scored: Ranked | None = None,
         complete: int | None = None) -> SearchResult:
    """A page of hits of the ``visible`` documents ranked by ``scores`` (every document's) or by date, with
    snippets of the words of ``q``. With ``groups`` each hit names its copy group, and with ``fold`` a group
    gives one hit, its best-ranked visible member, whose ``versions`` counts the other visible members."""
    score_of: dict[int, float] = {}
    order: list[int] = []  # the first documents in order, as many as found so far

    def first(n: int) -> list[int]:
        nonlocal order
        if n > len(order):  # each pass costs the same whatever n: take more than asked (folding asks again)
            order = _top(collection, scores, visible, max(n, 4 * len(order), TOP_AHEAD), sort)
        docs = order[:n]
        score_of.update((d, float(scores[d])) for d in docs)
        return docs

    total = int(np.count_nonzero(visible))
    folded = groups if fold else None
    if folded is None:
        ranked = first(offset + limit)[offset:]
    else:
        ranked = collapse(first, folded.of, offset + limit, total)[offset:]
    snippet = _Snippets(collection.searcher, q) if q is not None else None
    hits = []
    for rank, docnum in enumerate(ranked, start=offset + 1):
        article = from_stored(collection.searcher.stored_fields(int(docnum)))
        group = int(groups.of[docnum]) if groups is not None else -1
        versions = 0
        if folded is not None and group >= 0:
            versions = int(np.count_nonzero(visible[folded.members(docnum)])) - 1
        hits.append(
            Hit(
                id=article.id,
                title=article.title,
                score=round(score_of[docnum], 4) if sort == "relevance" else 0.0,
                snippet=snippet(article.body) if snippet else _Snippets.lead(article.body),
                date=article.date,
                source=article.source,
                url=article.url,
                entities=article.entities,
                rank=rank,
                missing=tuple(scored.missing(int(docnum))) if scored is not None else (),
                versions=versions,
                group=groups.names[group] if groups is not None and group >= 0 else None,
            )
        )
    return SearchResult(
        query=text, total=total, hits=hits, facets=facets or {}, fallback=fallback,
        complete=complete, offset=offset, limit=limit,
    )


def _top(collection: Collection, scores: npt.NDArray[np.float64] | None, visible: Mask, k: int,
         sort: str) -> list[int]:
    """The first ``k`` visible documents: by score (ties: lower document number first, as Whoosh's
    collector), or by date key (ties: lower document number first)."""
    if k <= 0:
        return []
    if sort == "relevance":
        assert scores is not None
        docs = np.flatnonzero(visible & (scores >= _bar(scores, visible, k)))
        keys = -scores[docs]
    else:
        docs = np.flatnonzero(visible)
        ranks = collection.date_ranks()[docs].astype(np.float64)
        keys = -ranks if sort == "-date" else ranks
    if not len(docs):
        return []
    if len(docs) > k:  # keep the k best, and every document tied with the k-th
        kth = np.partition(keys, k - 1)[k - 1]
        chosen = keys <= kth
        docs, keys = docs[chosen], keys[chosen]
    order = np.lexsort((docs, keys))[:k]
    top: list[int] = docs[order].tolist()
    return top


#: Documents sampled by `_bar` (every n-th of the index).
SAMPLE = 65536


def _bar(scores: npt.NDArray[np.float64], visible: Mask, k: int) -> float:
    """A score the ``k`` best visible documents all reach: the ``k``-th best of an evenly spaced sample of
    the visible documents (at least ``k`` of them reach it), or -inf when the sample holds fewer than ``k``.
    Only the documents reaching it are then sorted, not every match of a common word."""
    step = len(scores) // SAMPLE
    if step < 2:
        return -np.inf
    sample = scores[::step][visible[::step]]
    if len(sample) <= k:
        return -np.inf
    return float(np.partition(sample, len(sample) - k)[len(sample) - k])
