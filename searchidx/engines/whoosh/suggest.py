"""Spelling suggestions from the index's own terms: "stoltenbreg" -> "stoltenberg"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from searchidx.analysis import fold, tokens
from searchidx.query.tree import Query

if TYPE_CHECKING:
    from whoosh.reading import IndexReader

    from searchidx.engines.whoosh.compile import Compiler

__all__ = ["suggest"]


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment): a swap of two letters is one typo."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def _doc_frequency(reader: IndexReader, fields: Iterable[str], term: str) -> int:
    return sum(reader.doc_frequency(f, term) for f in fields)


def _surface(reader: IndexReader, fieldname: str, term: str) -> str | None:
    """A real word of the stored text that the analyzer turns into ``term`` (terms are stems)."""
    try:
        postings = reader.postings(fieldname, term)
    except Exception:  # noqa: BLE001 - the term vanished between two calls
        return None
    tried = 0
    while postings.is_active() and tried < 3:
        stored = reader.stored_fields(postings.id()).get(fieldname) or ""
        for text, start, end in tokens(stored):
            if text == term:
                word = stored[start:end]
                if not any(c in word for c in "-'’"):
                    return word.lower()
        tried += 1
        postings.next()
    return None


def suggest(parsed: Query, reader: IndexReader, compiler: Compiler, rare: int = 1) -> str | None:
    """The query with each unknown (or very rare) word replaced by the closest frequent word of the index,
    as a real word of the articles ("stoltenbreg" -> "stoltenberg"); None when nothing better is known."""
    replacements: list[tuple[int, int, str]] = []
    for word in parsed.words:
        terms = compiler.terms(word.text)
        if len(terms) != 1 or any(ch.isdigit() for ch in terms[0]):
            continue
        term = terms[0]
        df = _doc_frequency(reader, word.fields, term)
        if df > rare:
            continue
        maxdist = 1 if len(term) <= 4 else 2
        best: tuple[int, int, str] | None = None
        for fieldname in word.fields:
            for cand in reader.terms_within(fieldname, term, maxdist, prefix=1):
                if cand == term:
                    continue
                cdf = _doc_frequency(reader, word.fields, cand)
                if cdf <= max(df * 5, df + 1) and df:
                    continue
                key = (_distance(term, cand), -cdf, cand)
                if best is None or key < best:
                    best = key
        if best is None:
            continue
        surface = _surface(reader, "body", best[2]) or _surface(reader, "title", best[2])
        if surface and fold(surface) != fold(word.text):
            replacements.append((word.start, word.end, surface))
    if not replacements:
        return None
    text = parsed.text
    for start, end, new in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text
