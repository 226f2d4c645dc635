"""Query parsing (operators, fields, dates), ranking (BM25F, all words then any word) and snippets."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh import highlight, qparser, query, scoring
from whoosh.fields import Schema
from whoosh.searching import Results, Searcher

from searchidx.errors import QuerySyntaxError, UsageError
from searchidx.facets import FacetTable, disjunctive_sets, docs_with
from searchidx.models import Entities, Hit, SearchResult

DEFAULT_FIELDS: tuple[str, ...] = ("title", "body")
SORTS: tuple[str, ...] = ("relevance", "date", "-date")
SNIPPET_CHARS = 240
_OPERATORS: dict[str, str | None] = {
    "And": r"(?<=\s)(AND|ET)(?=\s)",
    "Or": r"(?<=\s)(OR|OU)(?=\s)",
    "Not": r"(^|(?<=[\s(]))((NOT|SAUF)(?=\s)|-(?=[^\s-]))",
    "AndNot": None,
    "AndMaybe": None,
    "Require": None,
}
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A user query parsed twice: every word required (``strict``), and any word (``loose``, the fallback)."""

    text: str
    strict: query.Query
    loose: query.Query

    @property
    def browse(self) -> bool:
        return isinstance(self.strict, query.Every)


def _make_parser(schema: Schema, group: type[qparser.syntax.GroupNode]) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, group=group)
    parser.replace_plugin(qparser.OperatorsPlugin(**_OPERATORS))
    parser.remove_plugin_class(qparser.BoostPlugin)
    return parser


class QueryParser:
    """Turns what a user types into Whoosh queries; build once per schema and reuse."""

    def __init__(self, schema: Schema) -> None:
        self._parser = _make_parser(schema, qparser.AndGroup)

    def parse(self, text: str) -> ParsedQuery:
        text = text.strip()
        if not text:
            return ParsedQuery(text, query.Every(), query.Every())
        try:
            strict = _normalise(self._parser.parse(text))
        except Exception as exc:  # whoosh reports malformed syntax in many shapes
            raise QuerySyntaxError(f"cannot understand the query {text!r}: {exc}") from exc
        return ParsedQuery(text, strict, _loosen(strict))


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
    """``date:2021`` and ``date:2021-06`` select every day of that year or month."""
    if isinstance(q, query.Term):
        if q.fieldname == "date" and isinstance(q.text, str) and _PARTIAL_DATE.match(q.text):
            return query.Prefix("date", q.text)
        return q
    return q.apply(_normalise)


WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)


class _MarkFormatter(highlight.Formatter):
    """Wraps matched words in ``<em>…</em>`` (the convention of hit snippets)."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return "<em>" + highlight.get_text(text, token, replace) + "</em>"


_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
_FORMATTER = _MarkFormatter()


def _snippet(results: Results, index: int, body: str) -> str:
    text = ""
    if body:
        try:
            text = results[index].highlights("body", text=body, top=2)
        except Exception:  # a snippet is a nicety: never fail a search for it
            text = ""
    if not text:
        text = body[:SNIPPET_CHARS]
        if len(body) > SNIPPET_CHARS:
            text = text.rsplit(" ", 1)[0] + " …"
    return " ".join(text.split())


def _range_docs(searcher: Searcher, since: str | None, until: str | None) -> set[int] | None:
    if not since and not until:
        return None
    end = (until or "9999") + "\uffff" if until and len(until) < 10 else until
    q = query.TermRange("date", since or None, end or None)
    return set(searcher.docs_for_query(q))


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

    fallback = False
    results = _run(searcher, parsed.strict, offset + limit, allowed, masked, sort)
    if results.is_empty() and not parsed.browse and parsed.loose != parsed.strict:
        loose = _run(searcher, parsed.loose, offset + limit, allowed, masked, sort)
        if not loose.is_empty():
            results, fallback = loose, True
    results.fragmenter = _FRAGMENTER
    results.formatter = _FORMATTER

    hits = []
    for i in range(offset, min(offset + limit, results.scored_length())):
        stored = results[i].fields()
        extra = stored.get("extra") or {}
        ents = extra.get("entities") or {}
        hits.append(
            Hit(
                id=stored["id"],
                title=stored.get("title", ""),
                score=round(float(results[i].score or 0.0), 4),
                snippet=_snippet(results, i, stored.get("body", "")),
                date=stored.get("date") or None,
                source=extra.get("source"),
                url=extra.get("url"),
                entities=Entities(**{k: tuple(v) for k, v in ents.items()}),
                rank=i + 1,
            )
        )

    counted: dict[str, Any] = {}
    if facets and facet_table is not None:
        q = parsed.loose if fallback else parsed.strict
        matched = set(searcher.docs_for_query(q)) - masked
        for name in facets:
            counted[name] = facet_table.count(name, disjunctive_sets(matched, filter_sets, name), facet_limit)
        total = len(disjunctive_sets(matched, filter_sets, ""))
    else:
        total = len(results)
    return SearchResult(
        query=parsed.text, total=total, hits=hits, facets=counted, fallback=fallback, offset=offset, limit=limit
    )


def _run(searcher: Searcher, q: query.Query, top: int, allowed: set[int] | None, masked: set[int],
         sort: str) -> Results:
    kwargs: dict[str, Any] = {"limit": max(top, 1), "terms": True}
    if allowed is not None:
        kwargs["filter"] = allowed
    if masked:
        kwargs["mask"] = masked
    if sort != "relevance":
        kwargs["sortedby"] = "date"
        kwargs["reverse"] = sort == "-date"
    return searcher.search(q, **kwargs)
