"""The neutral query tree (`searchidx.query.tree`) compiled into Solr's standard query syntax.

Words and phrases are sent as the user typed them, quoted, to the ``text_fr`` query analyzer (the configset's
mirror of ours), so stop words leave the same position gaps on both sides of a phrase; our own analyzer only
decides whether a leaf has any term left (a word of stop words only drops out, as locally). A prefix is the
folded prefix or its stem (``body:secur*``), a fuzzy word one ``term~d`` per term (Lucene's fuzzy query keeps
its 50 closest expansions and lets the first letter change: the one place counts can differ). Partial entity
names expand, through a facet over the ``<field>_key`` values, to the names holding all their words (64 at
most, as locally). Operators are explicit (``+``, ``-``, ``OR``); a clause without one is optional (``q.op=OR``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from searchidx.analysis import analyze, fold
from searchidx.fields import ENTITY_FIELDS, facet_key
from searchidx.query import tree
from searchidx.query.dates import DateRange

__all__ = ["NOTHING", "Compiled", "Compiler", "date_query", "quote"]

NOTHING = "(*:* -*:*)"
EVERYTHING = "*:*"
_MAX_EXPANSION = 64
NameLookup = Callable[[str, str], list[str]]  # (field, regex over keys) -> matching keys, in key order


def quote(text: str) -> str:
    """``text`` as a quoted term or phrase of the standard query parser."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True, slots=True)
class Compiled:
    """A query tree as Solr queries: every clause required (``strict``) and the any-word fallback (``loose``)."""

    tree: tree.Query
    strict: str
    loose: str
    #: The optional words and phrases of title and body, each as (its text, its query), when loosened.
    optional: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return self.tree.text

    @property
    def browse(self) -> bool:
        return self.tree.browse


class Compiler:
    """Compiles trees; ``names`` looks up facet keys for partial entity names (None: no expansion)."""

    def __init__(self, names: NameLookup | None = None) -> None:
        self.names = names

    def compile(self, parsed: tree.Query) -> Compiled:
        root = parsed.root
        strict = self.node(root)
        loose = self._loose(root) if parsed.fallback and isinstance(root, tree.Bool) else None
        if loose is None:
            return Compiled(parsed, strict, strict)
        assert isinstance(root, tree.Bool)
        optional = tuple((c.text, self.node(c)) for c in root.should
                         if isinstance(c, tree.Word | tree.Phrase) and c.fields == tree.TEXT_FIELDS)
        return Compiled(parsed, strict, loose, optional)

    def node(self, n: tree.Node) -> str:  # noqa: C901, PLR0911
        if isinstance(n, tree.Word | tree.Phrase):
            return self.text_query(n.fields, n.text, n.slop if isinstance(n, tree.Phrase) else 0)
        if isinstance(n, tree.Prefix):
            return self.prefix_query(n.fields, n.text)
        if isinstance(n, tree.Fuzzy):
            return self.fuzzy_query(n.fields, n.text, n.distance)
        if isinstance(n, tree.Facet):
            if n.field in ENTITY_FIELDS:
                return self.entity_query(n.field, n.value, n.prefix)
            key = facet_key(n.value)
            return f"{n.field}_key:{_escape(key)}*" if n.prefix else f"{n.field}_key:{quote(key)}"
        if isinstance(n, tree.Dates):
            return date_query(n.range)
        if isinstance(n, tree.Bool):
            return self._strict(n)
        if isinstance(n, tree.AnyOf):
            return _or([self.node(p) for p in n.parts])
        if isinstance(n, tree.Not):
            return f"(*:* -{self.node(n.part)})"
        if isinstance(n, tree.MatchAll):
            return EVERYTHING
        return NOTHING

    def _strict(self, b: tree.Bool) -> str:
        wanted = [self.node(c) for c in (*b.must, *b.should)]
        unwanted = [self.node(c) for c in b.must_not]
        if not wanted and not unwanted:
            return NOTHING
        if not wanted:
            return f"(*:* -{_or(unwanted)})"
        if len(wanted) == 1 and not unwanted:
            return wanted[0]
        return "(" + " ".join([f"+{w}" for w in wanted] + [f"-{u}" for u in unwanted]) + ")"

    def _loose(self, b: tree.Bool) -> str | None:
        """Required clauses select, the plain ones only add to the score; None when it would be the strict."""
        if not b.should or (len(b.should) == 1 and not b.must):
            return None
        parts = []
        if b.must:
            parts += [f"+{self.node(c)}" for c in b.must]
            parts.append(_or([self.node(c) for c in b.should]))
        else:
            parts.append(f"+{_or([self.node(c) for c in b.should])}")
        parts += [f"-{self.node(c)}" for c in b.must_not]
        return "(" + " ".join(parts) + ")"

    # -- leaves --------------------------------------------------------------------------------------------
    def text_query(self, fields: Sequence[str], text: str, slop: int = 0) -> str:
        """A word or phrase in ``fields``; in title or body: in the ``article`` field, which holds both (the
        same matches, and one BM25 over the whole article, as locally)."""
        if not analyze(text, mode="query"):
            return NOTHING
        phrase = quote(text) + (f"~{slop}" if slop else "")
        if tuple(fields) == tree.TEXT_FIELDS:
            return f"article:{phrase}"
        return _or([f"{f}:{phrase}" for f in fields])

    def prefix_query(self, fields: Sequence[str], text: str) -> str:
        folded = "".join(fold(text).split())
        stems = analyze(text, mode="query")
        prefixes = [folded]
        if len(stems) == 1 and 3 <= len(stems[0]) < len(folded):
            prefixes.append(stems[0])
        return _or([f"{f}:{_escape(p)}*" for f in fields for p in prefixes])

    def fuzzy_query(self, fields: Sequence[str], text: str, dist: int | None) -> str:
        terms = analyze(text, mode="query")
        if not terms:
            return NOTHING
        per_term = []
        for term in terms:
            d = dist if dist is not None else (1 if len(term) <= 4 else 2)
            per_term.append(_or([f"{f}:{_escape(term)}~{d}" for f in fields]))
        return per_term[0] if len(per_term) == 1 else "(" + " ".join(f"+{p}" for p in per_term) + ")"

    def entity_query(self, name: str, value: str, prefix: bool) -> str:
        """A canonical name, folded; a partial one matches the names having all its words."""
        key = facet_key(value)
        if self.names is None:
            return f"{name}_key:{_escape(key)}*" if prefix else f"{name}_key:{quote(key)}"
        words = key.replace("-", " ").split()
        if not words:
            return f"{name}_key:{quote(key)}"
        end = "" if prefix else "(?:[ -]|$)"
        regex = "".join(f"(?=(?:.*[ -])?{re.escape(w)}{end})" for w in words) + ".*"
        if not prefix:
            regex = f"{re.escape(key)}|{regex}"
        keys = self.names(name, regex)
        if not prefix and key in keys:
            keys = [key]
        if not keys:
            return f"{name}_key:{quote(key)}"
        return _or([f"{name}_key:{quote(k)}" for k in keys[:_MAX_EXPANSION]])


def date_query(r: DateRange) -> str:
    """The documents whose ISO ``date`` key lies in ``r``."""
    if r.start is not None and r.start == r.end and not r.start_excl and not r.end_excl:
        return f"date:{quote(r.start)}"
    low = quote(r.start) if r.start is not None else "*"
    high = quote(r.end) if r.end is not None else "*"
    return f"date:{'{' if r.start_excl else '['}{low} TO {high}{'}' if r.end_excl else ']'}"


_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/\s])')


def _escape(term: str) -> str:
    return _SPECIAL.sub(r"\\\1", term)


def _or(parts: list[str]) -> str:
    kept = [p for p in parts if p != NOTHING]
    if not kept:
        return NOTHING
    return kept[0] if len(kept) == 1 else "(" + " OR ".join(kept) + ")"
