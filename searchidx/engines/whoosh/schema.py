"""The Whoosh schema, in one place, and the packing of facet values into a per-document column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh import columns, fields, formats
from whoosh.analysis import Analyzer, Token
from whoosh.system import pack_uint

from searchidx.analysis import indexed_forms, indexed_plans, lead_pairs
from searchidx.engines.whoosh.analyzer import PairAnalyzer, analyzer, exact_analyzer
from searchidx.engines.whoosh.termfile import native  # None when `_encode` was not built: Python does the same
from searchidx.fields import FACET_FIELDS, facet_key

try:  # packs a document's postings into one bytes object per field (`Packed`)
    from searchidx.engines.whoosh import _pool as packing
except ImportError:  # not built: postings go as lists of tuples (`PreAnalyzed`)
    packing = None  # type: ignore[assignment]

SCHEMA_VERSION = 5  # 2: `FrenchText` fields (pre-analysed values from worker processes); 3: `CompactPositions`;
#: 4: the ``copysig`` column (`searchidx.explore.copies`); 5: exact-form fields (``title_exact``, ``body_exact``)
#: and word pairs (``pairs``), for ranking (`searchidx.engines.whoosh.ranking`)
#: Title weight in BM25F. Measured on news-dev (300 ledes, 36k articles, OR of terms): 2.0 -> MRR@10 0.743,
#: 1.0 -> 0.768, 0 (body only) -> 0.754. The title's own, higher idf already favours title matches.
TITLE_BOOST = 1.0

_SEP_VALUE = "\x1f"
_SEP_FIELD = "\x1e"
_SEP_VALUE_BYTES, _SEP_FIELD_BYTES = _SEP_VALUE.encode(), _SEP_FIELD.encode()


class FacetKeyAnalyzer(Analyzer):  # type: ignore[misc]
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


class PreAnalyzed(list):  # type: ignore[type-arg]
    """A text field's postings ``(term bytes, freq, weight, encoded positions)``, computed by a worker process
    (`searchidx.engines.whoosh.parallel`) so the single writer does not spend its time analysing."""

    __slots__ = ()


class Packed(bytes):
    """A text field's postings as `PreAnalyzed` holds them, packed by C (``_pool.pack``): one object to pickle
    from a worker and to unpickle in the writer instead of a tuple per posting (~460 an article), added to
    the writer's packed pool as it is (`pool.CompactPool.add_packed`)."""

    __slots__ = ()


def unpacked(value: bytes) -> list[tuple[bytes, int, float, bytes | None]]:
    """The postings of a `Packed` value, as a `PreAnalyzed` one holds them."""
    assert packing is not None  # a Packed value was made by it
    return packing.unpack(value)


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_VARINTS = [_varint(n) for n in range(1 << 14)]


def _read_varints(data: bytes) -> list[int]:
    out: list[int] = []
    n = shift = 0
    for byte in data:
        n |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            out.append(n)
            n = shift = 0
    return out


class CompactPositions(formats.Positions):  # type: ignore[misc]
    """Positions as a varint count then varint deltas.  Whoosh pickles a list per posting (13 bytes for
    one position, where this takes 2): the index shrinks by a third, which keeps it within 1.5x the text."""

    def encode(self, poslist: list[int]) -> bytes:
        table = _VARINTS
        parts = [table[len(poslist)] if len(poslist) < 16384 else _varint(len(poslist))]
        base = 0
        for pos in poslist:
            delta = pos - base
            parts.append(table[delta] if delta < 16384 else _varint(delta))
            base = pos
        return b"".join(parts)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        positions = _read_varints(valuestring)[1:]
        for i in range(1, len(positions)):
            positions[i] += positions[i - 1]
        return positions

    def decode_frequency(self, valuestring: bytes) -> int:
        n = shift = 0
        for byte in valuestring:
            n |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return n
            shift += 7
        return n


class FrenchText(fields.TEXT):  # type: ignore[misc]
    """A TEXT field that takes either a string or a `PreAnalyzed` or `Packed` value (then used as is), its positions
    stored compactly (`CompactPositions`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        current: Any = self.format  # type: ignore[has-type]
        if isinstance(current, formats.Positions):
            self.format = CompactPositions(field_boost=current.field_boost)

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes | None]]:
        if isinstance(value, PreAnalyzed):
            return iter(value)
        if isinstance(value, Packed):
            return iter(unpacked(value))
        return super().index(value, **kwargs)  # type: ignore[no-any-return]


_UINTS = [pack_uint(n) for n in range(256)]  # one shared value per small frequency (pickled once per chunk)


def _counted(terms: list[str]) -> PreAnalyzed | Packed:
    """Frequency-format postings of a list of terms (what ``fields.TEXT(phrase=False).index`` gives, with
    each weight an int rather than the equal float: the writer's pool holds one shared object instead of a
    float per posting, a quarter less memory; the files written are the same)."""
    if packing is not None:
        return Packed(packing.pack_counts(terms))
    return PreAnalyzed([(t.encode("utf-8"), n, n, _UINTS[n] if n < 256 else pack_uint(n))
                        for t, n in Counter(terms).items()])


def _positioned(positions: dict[str, list[int]], field: FrenchText) -> PreAnalyzed:
    """Positions-format postings (what ``field.index`` of the same text gives; weights as in `_counted`)."""
    fmt = field.format
    boost = fmt.field_boost
    return PreAnalyzed((t.encode("utf-8"), len(at), len(at) * boost if boost != 1 else len(at), fmt.encode(at))
                       for t, at in positions.items())


def pre_analyze(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with its text fields analysed into `PreAnalyzed` values (their stored text kept aside), and the
    ranking's fields derived from the same pass over the text (`searchidx.analysis.indexed_forms`; its loop and
    the positions' encoding in C when `_encode` is built)."""
    pair_terms: list[str] = []
    for name in TEXT_FIELDS:
        value = doc.get(name)
        if isinstance(value, str):
            doc.setdefault(f"_stored_{name}", value)
            field = _TEXT_FIELDS[name]
            if native is not None and field.format.field_boost == 1:
                postings, exacts, stems = native.field_postings(indexed_plans(value))
                doc[name] = Packed(packing.pack(postings)) if packing is not None else PreAnalyzed(postings)
            else:
                positions, exacts, stems = indexed_forms(value)
                doc[name] = _positioned(positions, field)
            doc[f"{name}_exact"] = _counted(exacts)
            pair_terms += lead_pairs(stems)
    doc["pairs"] = _counted(pair_terms)
    if packing is not None:  # the facet keys too: folding names took the writer ~0.06 ms an article
        for name, field in _FACET_KEY_FIELDS.items():
            value = doc.get(name)
            if isinstance(value, str):
                doc[name] = Packed(packing.pack(list(field.index(value))))
    return doc


def _text_fields() -> dict[str, FrenchText]:
    text = analyzer()
    return {
        "title": FrenchText(analyzer=text, stored=True, phrase=True, field_boost=TITLE_BOOST,
                            multitoken_query="and"),
        "body": FrenchText(analyzer=text, stored=True, phrase=True, multitoken_query="and"),
    }


def _ranking_fields() -> dict[str, FrenchText]:
    """Fields only ranking reads (`searchidx.engines.whoosh.ranking`): the words' exact forms, and pairs of
    nearby words (no positions)."""
    exact = exact_analyzer()
    return {
        "title_exact": FrenchText(analyzer=exact, phrase=False),
        "body_exact": FrenchText(analyzer=exact, phrase=False),
        "pairs": FrenchText(analyzer=PairAnalyzer(), phrase=False),
    }


TEXT_FIELDS: tuple[str, ...] = ("title", "body")


def build_schema() -> fields.Schema:
    keys = FacetKeyAnalyzer()
    facet_fields = {
        name: fields.KEYWORD(analyzer=keys, scorable=False) for name in FACET_FIELDS
    }
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),  # the file an article came from, for incremental updates
        file_key=fields.ID(),  # path + content digest: present means the file is indexed as it is now
        **_text_fields(),
        **_ranking_fields(),
        date=fields.ID(stored=True, sortable=True),
        extra=fields.STORED(),  # source, url, author, section, lede, entities
        facets=fields.COLUMN(columns.VarBytesColumn()),
        copysig=fields.COLUMN(columns.VarBytesColumn()),  # MinHash of the body, for wire copies
        **facet_fields,
    )


_TEXT_FIELDS = _text_fields()
_FACET_KEY_FIELDS = {name: field for name, field in build_schema().items() if name in FACET_FIELDS}


def join_values(values: list[str] | tuple[str, ...]) -> str:
    """The value given to a facet keyword field for several names."""
    return _SEP_VALUE.join(v for v in values if v)


def pack_facets(values: dict[str, list[str]]) -> bytes:
    return _SEP_FIELD.join(f + _SEP_VALUE + join_values(vs) for f, vs in values.items() if vs).encode("utf-8")


def unpack_facets(data: bytes) -> Iterator[tuple[bytes, list[bytes]]]:
    """The facets of one packed column value as (facet name, values), still UTF-8 bytes: a reader of every
    document decodes each distinct value once (`searchidx.engines.whoosh.facets.FacetTable`)."""
    if data:
        for chunk in data.split(_SEP_FIELD_BYTES):
            name, _, rest = chunk.partition(_SEP_VALUE_BYTES)
            yield name, rest.split(_SEP_VALUE_BYTES)
