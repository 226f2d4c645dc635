"""The query language: what a user types -> a neutral query tree (`searchidx.query.tree`), with French and
English operators and fields.  Engines compile the tree (`searchidx.engines.whoosh.compile`).

Why a hand-written parser rather than Whoosh's: Whoosh's parser silently drops what it does not
understand (an unclosed quote, a stray parenthesis, an unknown field), so a typo changes the results
without a word. Here every query is either understood or rejected with one line saying what and where.

Grammar (OR binds tighter than AND, as on web search engines: ``a OR b c`` is ``(a OR b) AND c``)::

    query   := clause*                    clauses side by side are all required (AND)
    clause  := [+|-|NOT|SAUF] or_expr [(AND|ET) clause]
    or_expr := unary ((OR|OU) unary)*
    unary   := (NOT|SAUF|-) unary | primary
    primary := "(" query ")" | field ":" value | "phrase"[~N] | word[*|~[N]]

Words and phrases are kept as typed; the engine analyses them with the same French analyzer as the index,
so "etats unis" matches "États-Unis".  A word the analysis reduces to nothing (a stop word) is left out
here, so that it never counts as a required word.  Entity fields (person, org, place, source) match
canonical names folded, and a value that is not a whole name matches the names containing all its words
(``personne:biden`` -> "Joe Biden").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from searchidx.analysis import analyze, fold
from searchidx.errors import QuerySyntaxError
from searchidx.fields import ENTITY_FIELDS, FIELD_NAMES, KNOWN_FIELDS, TEXT_FIELDS, facet_key
from searchidx.query.dates import parse_period, parse_range
from searchidx.query.tree import (
    AnyOf,
    Bool,
    Dates,
    Facet,
    Fuzzy,
    MatchAll,
    MatchNone,
    Node,
    Not,
    Phrase,
    Prefix,
    Query,
    Word,
)

__all__ = ["OPERATORS", "parse"]

#: Operator words (upper case only: "et", "ou" in lower case are ordinary, stopped, words).
OPERATORS: dict[str, str] = {"AND": "AND", "ET": "AND", "OR": "OR", "OU": "OR", "NOT": "NOT", "SAUF": "NOT"}

_QUOTES = {'"': '"', "«": "»", "“": "”", "„": "“"}
_CLOSERS = {"»", "”"}
_FIELD = re.compile(r"([^\W\d_]+):(?=[^\s:/])")
_WORD = re.compile(r"[^\s()\"«»“”„]+")
_FUZZY = re.compile(r"(.+?)~(\d)?")
_SLOP = re.compile(r"~(\d+)")
MAX_TOKENS = 256  # words and operators in one query; whoosh's matcher trees recurse once per clause
MAX_DEPTH = 32  # nested parentheses (the parser recurses once per level)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # WORD PHRASE FIELD LP RP AND OR NOT MUST
    text: str
    pos: int
    end: int
    slop: int = 1


def _error(what: str, text: str, pos: int) -> QuerySyntaxError:
    shown = " ".join(text.split())
    return QuerySyntaxError(f"{what} at column {pos + 1} of the query {shown!r}")


def _lex(text: str) -> list[_Tok]:  # noqa: C901
    """Tokens of ``text``; an unmatched quote is dropped (pasted text has stray ones)."""
    toks: list[_Tok] = []
    i, n = 0, len(text)
    at_start = True  # a +/- here is an operator, not part of a word ("Saint-Denis")
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            at_start = True
            continue
        if ch == "(":
            toks.append(_Tok("LP", ch, i, i + 1))
            i += 1
            at_start = True
            continue
        if ch == ")":
            toks.append(_Tok("RP", ch, i, i + 1))
            i += 1
            at_start = False
            continue
        if ch in _QUOTES:
            close = _QUOTES[ch]
            j = text.find(close, i + 1)
            if ch == '"' and j < 0:
                j = -1
            if j < 0 and ch != '"':  # « ... " and “ ... " are tolerated
                j = text.find('"', i + 1)
            if j < 0:  # a stray quote in pasted text: forgive it, search the words
                i += 1
                at_start = True
                continue
            end = j + 1
            slop = 1
            if m := _SLOP.match(text, end):
                slop, end = int(m.group(1)) + 1, m.end()
            toks.append(_Tok("PHRASE", text[i + 1 : j], i, end, slop))
            i = end
            at_start = False
            continue
        if ch in _CLOSERS:  # a closing quote without its opening one: forgiven likewise
            i += 1
            at_start = True
            continue
        if at_start and ch in "+-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in "+-)":
            toks.append(_Tok("MUST" if ch == "+" else "NOT", ch, i, i + 1))
            i += 1
            continue
        # a lowercase word (or a known field) before a colon is a field; "Isaac:Rebirth" is text
        if at_start and (m := _FIELD.match(text, i)) and (m.group(1).islower() or fold(m.group(1)) in FIELD_NAMES):
            toks.append(_Tok("FIELD", m.group(1), i, m.end()))
            i = m.end()
            at_start = False  # "titre:-x" is the word "-x"
            continue
        m = _WORD.match(text, i)
        assert m is not None
        word = m.group()
        if at_start and word.endswith(":") and fold(word[:-1]) in FIELD_NAMES:
            raise _error(f"{word} needs a value right after the colon", text, i)
        kind = OPERATORS.get(word, "WORD") if at_start else "WORD"
        if word in ("+", "-"):  # a lone dash is punctuation ("Paris - Berlin")
            i = m.end()
            continue
        toks.append(_Tok(kind, word, i, m.end()))
        i = m.end()
        at_start = False
    return toks


@dataclass(slots=True)
class _Clause:
    node: Node
    kind: str  # "plain", "must" (+ or AND-ed), "not"


def parse(text: str) -> Query:
    """The query tree of ``text``; raises `QuerySyntaxError` saying what is wrong and at which column."""
    text = " ".join(text.split())
    if not text:
        return Query(text, MatchAll())
    toks = _balance(_lex(text))
    if len(toks) > MAX_TOKENS:
        raise _error(f"query too long ({len(toks)} words and operators, at most {MAX_TOKENS})", text,
                     toks[MAX_TOKENS].pos)
    depth = 0
    for tok in toks:
        depth += (tok.kind == "LP") - (tok.kind == "RP")
        if depth > MAX_DEPTH:
            raise _error(f"more than {MAX_DEPTH} nested parentheses", text, tok.pos)
    run = _Run(text, toks)
    clauses = run.clauses(TEXT_FIELDS)
    if run.i < len(run.toks):
        tok = run.toks[run.i]
        raise _error('")" without a matching "("', text, tok.pos)
    return Query(text, _bool(clauses), words=tuple(run.words))


def _bool(clauses: list[_Clause]) -> Node:
    """The node of a clause list: a `Bool`, or the clause itself when it stands alone."""
    if not clauses:
        return MatchNone()
    if len(clauses) == 1 and clauses[0].kind != "not":
        return clauses[0].node
    return Bool(
        must=tuple(c.node for c in clauses if c.kind == "must"),
        should=tuple(c.node for c in clauses if c.kind == "plain"),
        must_not=tuple(c.node for c in clauses if c.kind == "not"),
    )


def _has_terms(text: str) -> bool:
    return bool(analyze(text, mode="query"))


def _balance(toks: list[_Tok]) -> list[_Tok]:
    """Drops the parentheses that have no partner: pasted text has stray ones, and they group nothing."""
    opened: list[int] = []
    unmatched: set[int] = set()
    for i, tok in enumerate(toks):
        if tok.kind == "LP":
            opened.append(i)
        elif tok.kind == "RP":
            if opened:
                opened.pop()
            else:
                unmatched.add(i)
    unmatched.update(opened)
    return [t for i, t in enumerate(toks) if i not in unmatched] if unmatched else toks


class _Run:
    """One parse: a cursor over the tokens, recursive descent."""

    def __init__(self, text: str, toks: list[_Tok]) -> None:
        self.text = text
        self.toks = toks
        self.i = 0
        self.words: list[Word] = []

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def fail(self, what: str, tok: _Tok | None) -> QuerySyntaxError:
        return _error(what, self.text, tok.pos if tok else len(self.text))

    def clauses(self, fields: Sequence[str]) -> list[_Clause]:
        out: list[_Clause] = []
        while (tok := self.peek()) is not None and tok.kind != "RP":
            if tok.kind == "OR":
                raise self.fail(f"{tok.text} needs a term before it", tok)
            if tok.kind == "AND":
                if not out:
                    raise self.fail(f"{tok.text} needs a term before it", tok)
                self.i += 1
                nxt = self.peek()
                if nxt is None or nxt.kind in ("RP", "AND", "OR"):
                    raise self.fail(f"{tok.text} needs a term after it", nxt)
                if out[-1].kind == "plain":
                    out[-1].kind = "must"
                clause = self.clause(fields)
                if clause is not None and clause.kind == "plain":
                    clause.kind = "must"
            else:
                clause = self.clause(fields)
            if clause is not None:
                out.append(clause)
        return out

    def clause(self, fields: Sequence[str]) -> _Clause | None:
        """Unaries joined by OR; a lone unary keeps its +/- as the clause's kind."""
        parts = [self.unary(fields)]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in ("RP", "AND", "OR"):
                raise self.fail(f"{tok.text} needs a term after it", nxt)
            parts.append(self.unary(fields))
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        if len(kept) == 1:
            return _Clause(kept[0][0], kept[0][1])
        return _Clause(AnyOf(tuple(Not(q) if kind == "not" else q for q, kind in kept)), "plain")

    def unary(self, fields: Sequence[str]) -> tuple[Node, str] | None:
        tok = self.peek()
        assert tok is not None
        if tok.kind in ("MUST", "NOT"):
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in ("RP", "AND", "OR"):
                raise self.fail(f"{tok.text} needs a term after it", nxt)
            inner = self.unary(fields)
            if inner is None:
                return None
            q, kind = inner
            if tok.kind == "MUST":
                return q, "not" if kind == "not" else "must"
            return (q, "must") if kind == "not" else (q, "not")
        node = self.primary(fields)
        return None if node is None else (node, "plain")

    def primary(self, fields: Sequence[str]) -> Node | None:  # noqa: C901
        tok = self.peek()
        if tok is None:
            raise self.fail("the query ends too early", None)
        self.i += 1
        if tok.kind == "LP":
            first = self.i
            inner = self.clauses(fields)
            close = self.peek()
            if close is None or close.kind != "RP":
                raise self.fail('"(" is never closed', tok)
            if self.i == first:
                raise self.fail("empty parentheses", tok)
            self.i += 1
            return _bool(inner) if inner else None
        if tok.kind == "FIELD":
            name = FIELD_NAMES.get(fold(tok.text))
            if name is None:
                raise self.fail(f"unknown field {tok.text!r} (known fields: {KNOWN_FIELDS})", tok)
            nxt = self.peek()
            if nxt is None or nxt.kind not in ("WORD", "PHRASE", "LP", "AND", "OR", "NOT"):
                raise self.fail(f"{tok.text}: needs a value right after the colon", tok)
            if nxt.kind == "LP":
                if name not in TEXT_FIELDS and name not in ENTITY_FIELDS and name not in ("date", "year", "month"):
                    raise self.fail(f"{tok.text}: cannot take a group", nxt)
                return self.primary((name,))
            self.i += 1
            return self.value(name, nxt)
        if tok.kind == "RP":
            raise self.fail('")" without a matching "("', tok)
        if tok.kind in ("AND", "OR", "NOT", "MUST"):
            raise self.fail(f"{tok.text} is misplaced", tok)
        if len(fields) == 1 and fields[0] not in TEXT_FIELDS:
            return self.value(fields[0], tok)
        return self.text_leaf(fields, tok)

    def text_leaf(self, fields: Sequence[str], tok: _Tok) -> Node | None:
        fields = tuple(fields)
        if tok.kind == "PHRASE":
            return Phrase(tok.text, fields, tok.slop - 1) if _has_terms(tok.text) else None
        word = tok.text
        if word.endswith("*"):
            stem = word.rstrip("*")
            if "*" in stem or "?" in stem:
                raise self.fail("* is only allowed at the end of a word (prefix*)", tok)
            if len(fold(stem).strip()) < 2:
                raise self.fail("a prefix needs at least 2 letters before *", tok)
            return Prefix(stem, fields)
        if "*" in word:
            raise self.fail("* is only allowed at the end of a word (prefix*)", tok)
        if "~" in word:
            m = _FUZZY.fullmatch(word)
            if m is None:
                raise self.fail("~ goes right after a word, optionally with a distance 1 or 2 (word~2)", tok)
            dist = int(m.group(2)) if m.group(2) else None
            if dist is not None and dist > 2:
                raise self.fail("the fuzzy distance must be 0, 1 or 2", tok)
            return Fuzzy(m.group(1), fields, dist) if _has_terms(m.group(1)) else None
        leaf = Word(word, fields, tok.pos, tok.end)
        self.words.append(leaf)
        return leaf if _has_terms(word) else None

    def value(self, name: str, tok: _Tok) -> Node | None:
        if tok.kind in ("AND", "OR", "NOT"):  # "titre:ET": the word, not the operator
            tok = _Tok("WORD", tok.text, tok.pos, tok.end)
        if name in TEXT_FIELDS:
            return self.text_leaf((name,), tok)
        if name in ENTITY_FIELDS:
            prefix = tok.kind == "WORD" and tok.text.endswith("*")
            value = tok.text.rstrip("*") if prefix else tok.text
            if not facet_key(value):
                raise self.fail(f"{name}: needs a name", tok)
            return Facet(name, value, prefix)
        try:
            if name == "date":
                return Dates(parse_range(tok.text))
            period = parse_period(tok.text)
        except QuerySyntaxError as exc:
            raise _error(str(exc), self.text, tok.pos) from None
        if name == "year":
            return Facet("year", period[:4])
        if len(period) < 7:
            raise self.fail(f"mois: needs a month, like 2021-06 or \"juin 2021\", not {tok.text!r}", tok)
        return Facet("month", period[:7])
