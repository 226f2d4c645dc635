"""The French analysis (`searchidx.analysis`) as a Whoosh analyzer: its plans turned into Whoosh tokens.

One loop, no filter chain: a chunk's plan (terms and offsets, cached by `searchidx.analysis.plans`) becomes
tokens by setting the fields of one reused `Token`, which is all Whoosh asks of an analyzer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token

from searchidx.analysis import PLANS, chunks, exact_terms, lead_pairs, plan, whole, word_forms

__all__ = ["ExactAnalyzer", "FrenchAnalyzer", "PairAnalyzer", "analyzer", "exact_analyzer"]


class FrenchAnalyzer(Analyzer):  # type: ignore[misc]
    """Whoosh analyzer for French; stateless (caches are module-level, so pickling the schema and comparing
    analyzers stays cheap).  Unpickles to the shared singleton."""

    is_morph = True

    def __reduce__(self) -> tuple[Callable[[], FrenchAnalyzer], tuple[()]]:
        return (analyzer, ())

    def __call__(  # noqa: PLR0913
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kw: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        query = mode == "query"
        if not tokenize:
            # Whoosh asks for the value as one token (e.g. some query terms): fold + stem, no splitting.
            t.original = t.text = value
            term, folded = whole(value)
            t.stopped = term is None
            if term is None and removestops:
                return
            t.text = term if term is not None else folded
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos - 1
        cache = PLANS
        for chunk, base in chunks(value, chars):  # inline, not `plans()`: the indexing hot path
            found = cache.get(chunk) or plan(chunk)
            for term, s, e, inc, index_only in found:
                if index_only and query:
                    continue
                if term is None:
                    if removestops:
                        continue
                    t.stopped = True
                    t.text = whole(chunk[s:e])[1]
                else:
                    t.stopped = False
                    t.text = term
                pos += inc
                t.boost = 1.0
                if keeporiginal:
                    t.original = chunk[s:e]
                if positions:
                    t.pos = pos if pos >= start_pos else start_pos
                if chars:
                    t.startchar = start_char + base + s
                    t.endchar = start_char + base + e
                yield t


_ANALYZER = FrenchAnalyzer()


def analyzer() -> FrenchAnalyzer:
    """The shared instance: the schema's text fields and the query compiler use this same object."""
    return _ANALYZER


class _TermListAnalyzer(Analyzer):  # type: ignore[misc]
    """An analyzer whose tokens are a list of terms computed from the whole value (`terms`)."""

    def terms(self, value: str, mode: str) -> list[str]:
        raise NotImplementedError

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kw: Any) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        for pos, text in enumerate(self.terms(value, mode) if tokenize else [value]):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t


class ExactAnalyzer(_TermListAnalyzer):
    """The exact forms of the words (`searchidx.analysis.exact_terms`: folded, not stemmed), for the
    ``title_exact`` and ``body_exact`` fields."""

    def __reduce__(self) -> tuple[Callable[[], ExactAnalyzer], tuple[()]]:
        return (exact_analyzer, ())

    def terms(self, value: str, mode: str) -> list[str]:
        return exact_terms(value, mode)


class PairAnalyzer(_TermListAnalyzer):
    """Unordered pairs of stems at most `searchidx.analysis.PAIR_WINDOW` content words apart, among the first
    `searchidx.analysis.PAIRED_WORDS` of each blank-line separated part (`searchidx.analysis.lead_pairs`; the
    schema gives title and body apart)."""

    def terms(self, value: str, mode: str) -> list[str]:
        return [p for part in value.split("\n\n") for p in lead_pairs(word_forms(part)[1])]


_EXACT = ExactAnalyzer()


def exact_analyzer() -> ExactAnalyzer:
    """The shared instance of the exact-form fields."""
    return _EXACT
