"""The neutral query tree (`searchidx.query.tree`) compiled into Whoosh queries.

Leaves are analysed here, with the index's own analyzer: a word or phrase becomes one term, or a phrase of
its terms, in each of its fields (OR-ed across fields); a prefix is the folded prefix or its stem; a fuzzy
word is one ``FuzzyTerm`` per term and field.  Partial entity names expand, through the index's lexicon, to
the names that hold all their words.  A query compiles twice: ``strict`` (every clause) and ``loose`` (the
any-word fallback of its root, see the tree's docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from whoosh import query

from searchidx.analysis import fold
from searchidx.engines.whoosh.analyzer import analyzer
from searchidx.fields import ENTITY_FIELDS, facet_key
from searchidx.query import tree
from searchidx.query.dates import DateRange

if TYPE_CHECKING:
    from whoosh.reading import IndexReader

__all__ = ["Compiled", "Compiler", "date_query"]

_MAX_EXPANSION = 64  # names a partial entity value may expand to


@dataclass(frozen=True, slots=True)
class Compiled:
    """A query tree as Whoosh queries: every clause required (``strict``) and the any-word fallback
    (``loose``, equal to ``strict`` when there is nothing to loosen)."""

    tree: tree.Query
    strict: query.Query
    loose: query.Query
    #: The clauses a hit may lack (the root's plain clauses, when loosened), as the user wrote them.
    optional: tuple[tuple[str, query.Query], ...] = ()

    @property
    def text(self) -> str:
        return self.tree.text

    @property
    def texts(self) -> tuple[str, ...]:
        """The wanted words and phrases of the default fields, in query order (their exact forms and pairs)."""
        return self.tree.texts

    @property
    def browse(self) -> bool:
        return self.tree.browse


class Compiler:
    """Compiles trees against one reader (which partial entity names expand through); None: no expansion."""

    def __init__(self, reader: IndexReader | None = None) -> None:
        self.reader = reader
        self._analyzer = analyzer()
        self._names: dict[str, list[str]] = {}

    def compile(self, parsed: tree.Query) -> Compiled:
        root = parsed.root
        strict = self.node(root)
        loose = self._loose(root) if parsed.fallback and isinstance(root, tree.Bool) else None
        optional: tuple[tuple[str, query.Query], ...] = ()
        if loose is not None:
            assert isinstance(root, tree.Bool)
            optional = tuple((describe(c), self.node(c)) for c in root.should)
        return Compiled(parsed, strict, strict if loose is None else loose, optional)

    # -- nodes ---------------------------------------------------------------------------------------------
    def node(self, n: tree.Node) -> query.Query:  # noqa: C901, PLR0911
        """``n`` with every clause required."""
        if isinstance(n, (tree.Word, tree.Phrase)):
            slop = n.slop + 1 if isinstance(n, tree.Phrase) else 1
            return self.text_query(n.fields, n.text, slop) or query.NullQuery
        if isinstance(n, tree.Prefix):
            return self.prefix_query(n.fields, n.text)
        if isinstance(n, tree.Fuzzy):
            return self.fuzzy_query(n.fields, n.text, n.distance) or query.NullQuery
        if isinstance(n, tree.Facet):
            if n.field in ENTITY_FIELDS:
                return self.entity_query(n.field, n.value, n.prefix)
            key = facet_key(n.value)
            return query.Prefix(n.field, key) if n.prefix else query.Term(n.field, key)
        if isinstance(n, tree.Dates):
            return date_query(n.range)
        if isinstance(n, tree.Bool):
            return self._strict(n)
        if isinstance(n, tree.AnyOf):
            return _or([self.node(p) for p in n.parts])
        if isinstance(n, tree.Not):
            return query.AndNot(query.Every(), self.node(n.part))
        if isinstance(n, tree.MatchAll):
            return query.Every()
        return query.NullQuery

    def _strict(self, b: tree.Bool) -> query.Query:
        wanted = [self.node(c) for c in (*b.must, *b.should)]
        unwanted = [self.node(c) for c in b.must_not]
        if not wanted and not unwanted:
            return query.NullQuery
        if not wanted:
            return query.AndNot(query.Every(), _or(unwanted))
        if len(wanted) > 1 or unwanted:
            return query.And(wanted + [query.Not(u) for u in unwanted])
        return wanted[0]

    def _loose(self, b: tree.Bool) -> query.Query | None:
        """The any-word form of a root `Bool`: ``must`` select, ``should`` only add to the score; None when it
        would be the strict form."""
        if not b.should or (len(b.should) == 1 and not b.must):
            return None
        loose = _or([self.node(c) for c in b.should])
        if b.must:
            musts = [self.node(c) for c in b.must]
            loose = query.AndMaybe(query.And(musts) if len(musts) > 1 else musts[0], loose)
        if b.must_not:
            loose = query.AndNot(loose, _or([self.node(c) for c in b.must_not]))
        return loose

    # -- leaves --------------------------------------------------------------------------------------------
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

    def entity_query(self, name: str, value: str, prefix: bool) -> query.Query:
        """A canonical name, folded; a partial one matches the names having all its words."""
        key = facet_key(value)
        reader = self.reader
        if prefix:
            if reader is None:
                return query.Prefix(name, key)
            keys = self._names_with(name, key, reader, prefix=True)
        elif reader is None or (name, key) in reader:
            return query.Term(name, key)
        else:
            keys = self._names_with(name, key, reader, prefix=False)
        if not keys:
            return query.Term(name, key)
        terms: list[query.Query] = [query.Term(name, k) for k in keys[:_MAX_EXPANSION]]
        return terms[0] if len(terms) == 1 else query.Or(terms)

    def _names_with(self, name: str, key: str, reader: IndexReader, prefix: bool) -> list[str]:
        names = self._names.get(name)
        if names is None:
            names = [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(name)]
            self._names[name] = names
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


def describe(n: tree.Node) -> str:
    """A clause as the user may have written it, to say that a hit lacks it ("manque : sommet")."""
    if isinstance(n, (tree.Word, tree.Phrase, tree.Prefix, tree.Fuzzy)):
        text = f'"{n.text}"' if isinstance(n, tree.Phrase) else n.text
        text += "*" if isinstance(n, tree.Prefix) else "~" if isinstance(n, tree.Fuzzy) else ""
        return text if n.fields == tree.TEXT_FIELDS else f"{n.fields[0]}:{text}"
    if isinstance(n, tree.Facet):
        return f"{n.field}:{n.value}"
    if isinstance(n, tree.AnyOf):
        return " OU ".join(describe(p) for p in n.parts)
    if isinstance(n, tree.Not):
        return "-" + describe(n.part)
    if isinstance(n, tree.Bool):
        parts = [*map(describe, n.must), *map(describe, n.should), *("-" + describe(c) for c in n.must_not)]
        return "(" + " ".join(parts) + ")"
    return "date" if isinstance(n, tree.Dates) else ""


def date_query(r: DateRange) -> query.Query:
    """The documents whose ISO ``date`` key lies in ``r``."""
    if r.start is not None and r.start == r.end and not r.start_excl and not r.end_excl:
        return query.Term("date", r.start)
    return query.TermRange("date", r.start, r.end, startexcl=r.start_excl, endexcl=r.end_excl)


def _or(parts: list[query.Query]) -> query.Query:
    if not parts:
        return query.NullQuery
    return parts[0] if len(parts) == 1 else query.Or(parts)
