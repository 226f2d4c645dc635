"""The query language: what a user types -> Whoosh queries, with French and English operators and fields.

Why a hand-written parser rather than Whoosh's: Whoosh's parser silently drops what it does not
understand (an unclosed quote, a stray parenthesis, an unknown field), so a typo changes the results
without a word. Here every query is either understood or rejected with one line saying what and where.

Grammar (OR binds tighter than AND, as on web search engines: ``a OR b c`` is ``(a OR b) AND c``)::

    query   := clause*                    clauses side by side are all required (AND)
    clause  := [+|-|NOT|SAUF] or_expr [(AND|ET) clause]
    or_expr := unary ((OR|OU) unary)*
    unary   := (NOT|SAUF|-) unary | primary
    primary := "(" query ")" | field ":" value | "phrase"[~N] | word[*|~[N]]

Words and phrases go through the same French analyzer as the index, so "etats unis" matches
"États-Unis". Entity fields (person, org, place, source) match canonical names folded, and a value that
is not a whole name matches the names containing all its words (``personne:biden`` -> "Joe Biden").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from whoosh import query
from whoosh.fields import Schema

from searchidx.analysis import analyzer, fold
from searchidx.engines.whoosh.schema import facet_key
from searchidx.errors import QuerySyntaxError
from searchidx.query.dates import DateRange, parse_period, parse_range

if TYPE_CHECKING:
    from whoosh.reading import IndexReader

    from searchidx.models import SearchResult

__all__ = ["FIELD_NAMES", "OPERATORS", "ParsedQuery", "QueryParser", "suggest"]

DEFAULT_FIELDS: tuple[str, ...] = ("title", "body")
TEXT_FIELDS = frozenset(DEFAULT_FIELDS)
ENTITY_FIELDS = frozenset({"person", "org", "place", "source"})

#: What users may type before ``:``, mapped to the schema field (French and English names).
FIELD_NAMES: dict[str, str] = {
    "titre": "title", "title": "title",
    "texte": "body", "body": "body", "text": "body", "corps": "body",
    "personne": "person", "person": "person", "people": "person",
    "org": "org", "organisation": "org", "organization": "org",
    "lieu": "place", "place": "place",
    "source": "source",
    "date": "date",
    "annee": "year", "year": "year",
    "mois": "month", "month": "month",
}  # fmt: skip

#: Operator words (upper case only: "et", "ou" in lower case are ordinary, stopped, words).
OPERATORS: dict[str, str] = {"AND": "AND", "ET": "AND", "OR": "OR", "OU": "OR", "NOT": "NOT", "SAUF": "NOT"}

_QUOTES = {'"': '"', "«": "»", "“": "”", "„": "“"}
_CLOSERS = {"»", "”"}
_FIELD = re.compile(r"([^\W\d_]+):(?=[^\s:/])")
_WORD = re.compile(r"[^\s()\"«»“”„]+")
_FUZZY = re.compile(r"(.+?)~(\d)?")
_SLOP = re.compile(r"~(\d+)")
_MAX_EXPANSION = 64  # names a partial entity value may expand to
MAX_TOKENS = 256  # words and operators in one query; whoosh's matcher trees recurse once per clause
MAX_DEPTH = 32  # nested parentheses (the parser recurses once per level)
SUGGEST_BELOW = 3  # a query with fewer hits than this gets a spelling suggestion...
SUGGEST_WORDS = 6  # ...and so does a short query that needed the any-word fallback (long ones are not typos)
KNOWN_FIELDS = "titre/title, texte/body, personne/person, org, lieu/place, source, date, annee/year, mois/month"


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # WORD PHRASE FIELD LP RP AND OR NOT MUST
    text: str
    pos: int
    end: int
    slop: int = 1


@dataclass(frozen=True, slots=True)
class Word:
    """A plain word of the query, kept to suggest a spelling: its span in the text and its fields."""

    start: int
    end: int
    text: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A user query parsed twice: every word required (``strict``), and any word (``loose``, the fallback)."""

    text: str
    strict: query.Query
    loose: query.Query
    words: tuple[Word, ...] = field(default=(), compare=False)

    @property
    def browse(self) -> bool:
        return isinstance(self.strict, query.Every)


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
    q: query.Query
    kind: str  # "plain", "must" (+ or AND-ed), "not"


class QueryParser:
    """Turns what a user types into Whoosh queries; build once per schema and reuse."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._analyzer = analyzer()
        self._names_cache: tuple[object, dict[str, list[str]]] | None = None

    # -- entry point -------------------------------------------------------------------------------------
    def parse(self, text: str, reader: IndexReader | None = None) -> ParsedQuery:
        """Parse ``text``; with ``reader``, partial entity values expand to the names holding their words."""
        text = " ".join(text.split())
        if not text:
            return ParsedQuery(text, query.Every(), query.Every())
        toks = _balance(_lex(text))
        if len(toks) > MAX_TOKENS:
            raise _error(f"query too long ({len(toks)} words and operators, at most {MAX_TOKENS})", text,
                         toks[MAX_TOKENS].pos)
        depth = 0
        for tok in toks:
            depth += (tok.kind == "LP") - (tok.kind == "RP")
            if depth > MAX_DEPTH:
                raise _error(f"more than {MAX_DEPTH} nested parentheses", text, tok.pos)
        run = _Run(self, text, toks, reader)
        clauses = run.clauses(DEFAULT_FIELDS)
        if run.i < len(run.toks):
            tok = run.toks[run.i]
            raise _error('")" without a matching "("', text, tok.pos)
        return ParsedQuery(text, *_combine(clauses), words=tuple(run.words))

    # -- leaves ------------------------------------------------------------------------------------------
    def terms(self, text: str) -> list[str]:
        """The query-mode terms of ``text`` (folded, stemmed, stop words out)."""
        return [t.text for t in self._analyzer(text, mode="query")]

    def text_query(self, fields: Sequence[str], text: str, slop: int = 1) -> query.Query | None:
        """A word or phrase in text fields: one term, or the terms in sequence (a phrase)."""
        terms = self.terms(text)
        if not terms:
            return None
        per_field: list[query.Query] = []
        for name in fields:
            if len(terms) == 1:
                per_field.append(query.Term(name, terms[0]))
            else:
                per_field.append(query.Phrase(name, terms, slop=slop))
        return per_field[0] if len(per_field) == 1 else query.Or(per_field)

    def prefix_query(self, fields: Sequence[str], text: str) -> query.Query:
        """``secur*``: the folded prefix, and its stem when shorter ("republiques*" -> "republ")."""
        folded = "".join(fold(text).split())
        stems = self.terms(text)
        prefixes = [folded]
        if len(stems) == 1 and 3 <= len(stems[0]) < len(folded):
            prefixes.append(stems[0])
        parts: list[query.Query] = [query.Prefix(f, p) for f in fields for p in prefixes]
        return parts[0] if len(parts) == 1 else query.Or(parts)

    def fuzzy_query(self, fields: Sequence[str], text: str, dist: int | None) -> query.Query | None:
        terms = self.terms(text)
        if not terms:
            return None
        parts: list[query.Query] = []
        for term in terms:
            d = dist if dist is not None else (1 if len(term) <= 4 else 2)
            parts.extend(query.FuzzyTerm(f, term, maxdist=d, prefixlength=1) for f in fields)
        if len(terms) == 1:
            return parts[0] if len(parts) == 1 else query.Or(parts)
        return query.And([query.Or(parts[i : i + len(fields)]) for i in range(0, len(parts), len(fields))])

    def entity_query(self, name: str, value: str, prefix: bool, reader: IndexReader | None) -> query.Query:
        """A canonical name, folded; a partial one matches the names having all its words."""
        key = facet_key(value)
        if prefix:
            keys = self._names_with(name, key, reader, prefix=True) if reader is not None else []
            if reader is None:
                return query.Prefix(name, key)
        elif reader is None or (name, key) in reader:
            return query.Term(name, key)
        else:
            keys = self._names_with(name, key, reader, prefix=False)
        if not keys:
            return query.Term(name, key)
        terms: list[query.Query] = [query.Term(name, k) for k in keys[:_MAX_EXPANSION]]
        return terms[0] if len(terms) == 1 else query.Or(terms)

    def _names_with(self, name: str, key: str, reader: IndexReader, prefix: bool) -> list[str]:
        names = self._names(reader).get(name)
        if names is None:
            names = [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(name)]
            self._names(reader)[name] = names
        wanted = key.replace("-", " ").split()
        if not wanted:
            return []
        out = []
        for k in names:
            words = k.replace("-", " ").split()
            if prefix:
                if all(any(w.startswith(x) for w in words) for x in wanted):
                    out.append(k)
            elif all(x in words for x in wanted):
                out.append(k)
        return out

    def _names(self, reader: IndexReader) -> dict[str, list[str]]:
        if self._names_cache is None or self._names_cache[0] is not reader:
            self._names_cache = (reader, {})
        return self._names_cache[1]


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

    def __init__(self, parser: QueryParser, text: str, toks: list[_Tok], reader: IndexReader | None) -> None:
        self.p = parser
        self.text = text
        self.toks = toks
        self.reader = reader
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
        return _Clause(_or([_negated(q) if kind == "not" else q for q, kind in kept]), "plain")

    def unary(self, fields: Sequence[str]) -> tuple[query.Query, str] | None:
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
        q = self.primary(fields)
        return None if q is None else (q, "plain")

    def primary(self, fields: Sequence[str]) -> query.Query | None:  # noqa: C901
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
            return _combine(inner)[0] if inner else None
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

    def text_leaf(self, fields: Sequence[str], tok: _Tok) -> query.Query | None:
        if tok.kind == "PHRASE":
            return self.p.text_query(fields, tok.text, tok.slop)
        word = tok.text
        if word.endswith("*"):
            stem = word.rstrip("*")
            if "*" in stem or "?" in stem:
                raise self.fail("* is only allowed at the end of a word (prefix*)", tok)
            if len(fold(stem).strip()) < 2:
                raise self.fail("a prefix needs at least 2 letters before *", tok)
            return self.p.prefix_query(fields, stem)
        if "*" in word:
            raise self.fail("* is only allowed at the end of a word (prefix*)", tok)
        if "~" in word:
            m = _FUZZY.fullmatch(word)
            if m is None:
                raise self.fail("~ goes right after a word, optionally with a distance 1 or 2 (word~2)", tok)
            dist = int(m.group(2)) if m.group(2) else None
            if dist is not None and dist > 2:
                raise self.fail("the fuzzy distance must be 0, 1 or 2", tok)
            return self.p.fuzzy_query(fields, m.group(1), dist)
        self.words.append(Word(tok.pos, tok.end, word, tuple(fields)))
        return self.p.text_query(fields, word)

    def value(self, name: str, tok: _Tok) -> query.Query | None:
        if tok.kind in ("AND", "OR", "NOT"):  # "titre:ET": the word, not the operator
            tok = _Tok("WORD", tok.text, tok.pos, tok.end)
        if name in TEXT_FIELDS:
            return self.text_leaf((name,), tok)
        if name in ENTITY_FIELDS:
            prefix = tok.kind == "WORD" and tok.text.endswith("*")
            value = tok.text.rstrip("*") if prefix else tok.text
            if not facet_key(value):
                raise self.fail(f"{name}: needs a name", tok)
            return self.p.entity_query(name, value, prefix, self.reader)
        try:
            if name == "date":
                return date_query(parse_range(tok.text))
            period = parse_period(tok.text)
        except QuerySyntaxError as exc:
            raise _error(str(exc), self.text, tok.pos) from None
        if name == "year":
            return query.Term("year", period[:4])
        if len(period) < 7:
            raise self.fail(f"mois: needs a month, like 2021-06 or \"juin 2021\", not {tok.text!r}", tok)
        return query.Term("month", period[:7])


def date_query(r: DateRange) -> query.Query:
    """The documents whose ISO ``date`` key lies in ``r``."""
    if r.start is not None and r.start == r.end and not r.start_excl and not r.end_excl:
        return query.Term("date", r.start)
    return query.TermRange("date", r.start, r.end, startexcl=r.start_excl, endexcl=r.end_excl)


def _negated(q: query.Query) -> query.Query:
    return query.AndNot(query.Every(), q)


def _or(parts: list[query.Query | None]) -> query.Query:
    kept = [p for p in parts if p is not None]
    if not kept:
        return query.NullQuery
    return kept[0] if len(kept) == 1 else query.Or(kept)


def _combine(clauses: list[_Clause]) -> tuple[query.Query, query.Query]:
    """The strict (all required) and loose (plain clauses optional) queries of a clause list."""
    wanted = [c.q for c in clauses if c.kind != "not"]
    unwanted = [c.q for c in clauses if c.kind == "not"]
    if not wanted and not unwanted:
        return query.NullQuery, query.NullQuery
    if not wanted:
        q = query.AndNot(query.Every(), _or(list(unwanted)))
        return q, q
    strict: query.Query = query.And(wanted + [query.Not(u) for u in unwanted]) if len(wanted) > 1 or unwanted \
        else wanted[0]
    musts = [c.q for c in clauses if c.kind == "must"]
    plains = [c.q for c in clauses if c.kind == "plain"]
    if not plains or (len(plains) == 1 and not musts):
        return strict, strict
    loose: query.Query = _or(list(plains))
    if musts:  # required clauses select, the plain ones only add to the score
        loose = query.AndMaybe(query.And(musts) if len(musts) > 1 else musts[0], loose)
    if unwanted:
        loose = query.AndNot(loose, _or(list(unwanted)))
    return strict, loose


def _loosen(q: query.Query) -> query.Query:
    """The any-word version of a query: its required parts become optional, its exclusions stay."""
    if not isinstance(q, query.And):
        return q
    wanted = [s for s in q.subqueries if not isinstance(s, query.Not)]
    unwanted = [s.query for s in q.subqueries if isinstance(s, query.Not)]
    if not wanted:
        return q
    loose: query.Query = query.Or(wanted) if len(wanted) > 1 else wanted[0]
    if unwanted:
        loose = query.AndNot(loose, query.Or(unwanted) if len(unwanted) > 1 else unwanted[0])
    return loose


def _normalise(q: query.Query) -> query.Query:
    """Kept for callers of the former Whoosh-parser pipeline: ``date:2021`` as a prefix of day keys."""
    if isinstance(q, query.Term):
        if q.fieldname == "date" and isinstance(q.text, str) and re.match(r"^\d{4}(-\d{2}){0,2}$", q.text):
            return date_query(parse_range(q.text))
        return q
    return q.apply(_normalise)


# -- suggestions ------------------------------------------------------------------------------------------

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


def _surface(reader: IndexReader, parser: QueryParser, fieldname: str, term: str) -> str | None:
    """A real word of the stored text that the analyzer turns into ``term`` (terms are stems)."""
    try:
        postings = reader.postings(fieldname, term)
    except Exception:  # noqa: BLE001 - the term vanished between two calls
        return None
    tried = 0
    while postings.is_active() and tried < 3:
        stored = reader.stored_fields(postings.id()).get(fieldname) or ""
        for tok in parser._analyzer(stored, chars=True, mode="index"):
            if tok.text == term:
                word = stored[tok.startchar : tok.endchar]
                if not any(c in word for c in "-'’"):
                    return word.lower()
        tried += 1
        postings.next()
    return None


def wants_suggestion(parsed: ParsedQuery, result: SearchResult) -> bool:
    """Whether a spelling suggestion is worth looking for: few hits, or a short query that lost a word."""
    return result.total < SUGGEST_BELOW or (result.fallback and len(parsed.words) <= SUGGEST_WORDS)


def suggest(parsed: ParsedQuery, reader: IndexReader, parser: QueryParser, rare: int = 1) -> str | None:
    """The query with each unknown (or very rare) word replaced by the closest frequent word of the index,
    as a real word of the articles ("stoltenbreg" -> "stoltenberg"); None when nothing better is known."""
    replacements: list[tuple[int, int, str]] = []
    for word in parsed.words:
        terms = parser.terms(word.text)
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
        surface = _surface(reader, parser, "body", best[2]) or _surface(reader, parser, "title", best[2])
        if surface and fold(surface) != fold(word.text):
            replacements.append((word.start, word.end, surface))
    if not replacements:
        return None
    text = parsed.text
    for start, end, new in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text

