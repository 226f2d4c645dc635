"""The Whoosh schema, in one place, and the packing of facet values into a per-document column."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh import columns, fields
from whoosh.analysis import Analyzer, Token

from searchidx.analysis import analyzer, fold

SCHEMA_VERSION = 1
TITLE_BOOST = 2.0

#: Facet fields: each is indexed (folded keys, for filtering) and packed in the ``facets`` column (for counting).
FACET_FIELDS: tuple[str, ...] = ("person", "org", "place", "source", "year", "month")
_SEP_VALUE = "\x1f"
_SEP_FIELD = "\x1e"


class FacetKeyAnalyzer(Analyzer):
    """Splits a ``\\x1f``-joined list of names and folds each one, so "Genève" and "geneve" are the same key."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        parts = value.split(_SEP_VALUE) if tokenize else [value]
        offset = start_char
        for pos, part in enumerate(parts):
            key = facet_key(part)
            if key:
                token.text = key
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = start_pos + pos
                if chars:
                    token.startchar, token.endchar = offset, offset + len(part)
                yield token
            offset += len(part) + 1


def facet_key(value: str) -> str:
    """The comparison key of a facet value: folded, single-spaced ("Saint-Étienne" -> "saint-etienne")."""
    return " ".join(fold(value).split())


def build_schema() -> fields.Schema:
    text = analyzer()
    keys = FacetKeyAnalyzer()
    facet_fields = {
        name: fields.KEYWORD(analyzer=keys, scorable=False) for name in FACET_FIELDS
    }
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),  # the file an article came from, for incremental updates
        file_key=fields.ID(),  # path + content digest: present means the file is indexed as it is now
        title=fields.TEXT(analyzer=text, stored=True, phrase=True, field_boost=TITLE_BOOST,
                          multitoken_query="and"),
        body=fields.TEXT(analyzer=text, stored=True, phrase=True, multitoken_query="and"),
        date=fields.ID(stored=True, sortable=True),
        extra=fields.STORED(),  # source, url, author, section, lede, entities
        facets=fields.COLUMN(columns.VarBytesColumn()),
        **facet_fields,
    )


def join_values(values: list[str] | tuple[str, ...]) -> str:
    """The value given to a facet keyword field for several names."""
    return _SEP_VALUE.join(v for v in values if v)


def pack_facets(values: dict[str, list[str]]) -> bytes:
    return _SEP_FIELD.join(f + _SEP_VALUE + join_values(vs) for f, vs in values.items() if vs).encode("utf-8")


def unpack_facets(data: bytes) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if data:
        for chunk in data.decode("utf-8").split(_SEP_FIELD):
            name, _, rest = chunk.partition(_SEP_VALUE)
            out[name] = rest.split(_SEP_VALUE)
    return out
