"""The fields of an article as every layer names them: one table of facet fields, of the names a query may
use for each field (French and English), and of French month names."""

from __future__ import annotations

from searchidx.analysis import fold
from searchidx.errors import UsageError

__all__ = [
    "ENTITY_FIELDS", "FACET_FIELDS", "FIELD_NAMES", "KNOWN_FIELDS", "MONTHS", "MONTH_NAMES", "TEXT_FIELDS",
    "check_facet", "facet_key",
]

#: Searched by plain words; each is scored on its own (BM25F).
TEXT_FIELDS: tuple[str, ...] = ("title", "body")
#: Facet fields: filtered on (``--filter``), counted (``--facet``) and searchable (``person:biden``).
FACET_FIELDS: tuple[str, ...] = ("person", "org", "place", "source", "year", "month")
#: Facets holding names, where a partial name matches every name holding its words.
ENTITY_FIELDS: frozenset[str] = frozenset({"person", "org", "place", "source"})

#: What users may type before ``:`` in a query, mapped to the field (French and English names).
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
KNOWN_FIELDS = "titre/title, texte/body, personne/person, org, lieu/place, source, date, annee/year, mois/month"

#: French month names and their abbreviations, accents folded, to their number (dates in text and queries).
MONTHS: dict[str, int] = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip
#: The month names as displayed, January first.
MONTH_NAMES: tuple[str, ...] = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                "septembre", "octobre", "novembre", "décembre")


def facet_key(value: str) -> str:
    """The comparison key of a facet value: folded, single-spaced ("Saint-Étienne" -> "saint-etienne")."""
    return " ".join(fold(value).split())


def check_facet(name: str) -> None:
    """Raises `UsageError` unless ``name`` is a facet field."""
    if name not in FACET_FIELDS:
        raise UsageError(f"unknown facet {name!r}; choose from: {', '.join(FACET_FIELDS)}")
