"""The neutral query tree: what a user's query means, with no engine in it.

`searchidx.query.parse` builds it from the query language; each engine compiles it into its own queries
(`searchidx.engines.whoosh.compile` today; a Solr compiler tomorrow).  The leaves keep the *raw text* the
user typed and the fields it applies to: analysis belongs to the engine (the same French analysis,
`searchidx.analysis`, on both sides), so a compiler for another engine sends the text to its own analyzer
and gets the same terms.

Nodes
-----
``Word(text, fields)``
    one word; several terms after analysis ("États-Unis") make it a phrase of them.
``Phrase(text, fields, slop)``
    ``"exact words"``; ``slop`` is the number of extra positions allowed (``"a b"~2``), 0 for adjacent.
``Prefix(text, fields)``
    ``secur*``: terms starting with the folded text (or with its stem, when shorter).
``Fuzzy(text, fields, distance)``
    ``stoltenbreg~`` / ``biden~1``: edit distance 0-2 per term; None means 1 for terms of up to 4
    letters, else 2.  The first letter must match.
``Facet(field, value, prefix)``
    a facet field's value, compared folded (`searchidx.fields.facet_key`): person, org, place, source
    match canonical names, and a value that is not a whole name matches every name holding all its words
    (with ``prefix``, words starting so); year and month values are ISO keys ("2021", "2021-06").
``Dates(range)``
    the articles whose ISO date key lies in a `DateRange`.
``Bool(must, should, must_not)``
    clauses: ``must`` (``+word``, ``a ET b``) are required, ``should`` (plain clauses) too unless the root
    is loosened (below), ``must_not`` (``-word``, ``SAUF``) are excluded.
``AnyOf(parts)``
    ``a OU b``: at least one.
``Not(part)``
    everything but ``part`` (a negation inside ``OU``: ``a OU -b``).
``MatchAll()`` / ``MatchNone()``
    the empty query (browse) / a query left with no term (only stop words).

Text fields are ``title`` and ``body`` (`TEXT_FIELDS`); a leaf with both searches either.

The any-word form
-----------------
A `Query` holds the root and ``fallback``: when true (the default language), the engines loosen a root
`Bool`: ``must`` stay required, ``should`` become optional (at least one when there is no ``must``),
``must_not`` stay excluded.  Every article with any of the words then matches, and the ranking rewards those
with all of them (README, "Ranking"); ``SearchResult.complete`` counts those, ``SearchResult.fallback`` says
that none has them all.  Nested `Bool` (parentheses) are never loosened; with ``fallback`` false every clause
is required.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from searchidx.query.dates import DateRange

__all__ = [
    "TEXT_FIELDS", "AnyOf", "Bool", "Dates", "Facet", "Fuzzy", "MatchAll", "MatchNone", "Node", "Not", "Phrase",
    "Prefix", "Query", "Word",
]

TEXT_FIELDS: tuple[str, ...] = ("title", "body")


@dataclass(frozen=True, slots=True)
class Word:
    """One word, searched in ``fields``; ``start``/``end`` locate it in the query (for spelling)."""

    text: str
    fields: tuple[str, ...] = TEXT_FIELDS
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words in sequence; ``slop``: extra positions allowed between them (0: adjacent)."""

    text: str
    fields: tuple[str, ...] = TEXT_FIELDS
    slop: int = 0


@dataclass(frozen=True, slots=True)
class Prefix:
    """Terms starting with ``text`` (folded, or its stem when shorter)."""

    text: str
    fields: tuple[str, ...] = TEXT_FIELDS


@dataclass(frozen=True, slots=True)
class Fuzzy:
    """Terms within ``distance`` edits of each term of ``text`` (None: 1 up to 4 letters, else 2)."""

    text: str
    fields: tuple[str, ...] = TEXT_FIELDS
    distance: int | None = None


@dataclass(frozen=True, slots=True)
class Facet:
    """A value of a facet field (person, org, place, source, year, month); see the module docstring."""

    field: str
    value: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Dates:
    """Articles dated within ``range``."""

    range: DateRange


@dataclass(frozen=True, slots=True)
class Bool:
    """Required, optional-in-the-fallback and excluded clauses (see the module docstring)."""

    must: tuple[Node, ...] = ()
    should: tuple[Node, ...] = ()
    must_not: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one of ``parts``."""

    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """Every article except those matching ``part``."""

    part: Node


@dataclass(frozen=True, slots=True)
class MatchAll:
    """Every article (the empty query)."""


@dataclass(frozen=True, slots=True)
class MatchNone:
    """No article (a query whose words are all stop words)."""


Node = Word | Phrase | Prefix | Fuzzy | Facet | Dates | Bool | AnyOf | Not | MatchAll | MatchNone


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: its normalised ``text``, its ``root``, the any-word ``fallback`` flag, and its plain
    ``words`` in order (those a spelling suggestion may replace)."""

    text: str
    root: Node
    fallback: bool = True
    words: tuple[Word, ...] = field(default=(), compare=False)

    @property
    def browse(self) -> bool:
        """True for the empty query: every article, newest first."""
        return isinstance(self.root, MatchAll)

    @property
    def texts(self) -> tuple[str, ...]:
        """The text of each word and phrase searched in title and body (required or optional), in order: what
        the ranking reads (its words' scores, the days it names)."""
        root = self.root
        wanted = (*root.must, *root.should) if isinstance(root, Bool) else (root,)
        return tuple(c.text for c in wanted if isinstance(c, (Word, Phrase)) and c.fields == TEXT_FIELDS)
