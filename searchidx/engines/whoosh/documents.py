"""An article as the Whoosh document the schema (`searchidx.engines.whoosh.schema`) indexes, and back."""

from __future__ import annotations

from typing import Any

from searchidx.engines.whoosh.schema import join_values, pack_facets
from searchidx.explore import copies
from searchidx.fields import FACET_FIELDS
from searchidx.models import Article, Entities

__all__ = ["from_stored", "to_document"]


def to_document(article: Article, entities: Entities | None, path_key: str = "", file_key: str = "") -> dict[str, Any]:
    """The Whoosh document of an article: searchable text, stored fields, facet keys and the facet column."""
    ents = entities or Entities()
    date = article.date or ""
    values: dict[str, list[str]] = {
        "person": list(ents.person),
        "org": list(ents.org),
        "place": list(ents.place),
        "source": [article.source] if article.source else [],
        "year": [date[:4]] if len(date) >= 4 else [],
        "month": [date[:7]] if len(date) >= 7 else [],
    }
    extra: dict[str, Any] = {
        k: v
        for k, v in (
            ("source", article.source), ("url", article.url), ("author", article.author),
            ("section", article.section), ("lede", article.lede),
        )
        if v
    }
    if ents:
        extra["entities"] = ents.as_dict()
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": f"{article.lede}\n\n{article.body}" if article.lede else article.body,
        "_stored_body": article.body,
        "extra": extra,
        "facets": pack_facets(values),
        "copysig": copies.signature(article.body),
    }
    if path_key:
        doc["path"] = path_key
    if file_key:
        doc["file_key"] = file_key
    if date:
        doc["date"] = date
    for name in FACET_FIELDS:
        if values[name]:
            doc[name] = join_values(values[name])
    return doc


def from_stored(stored: dict[str, Any]) -> Article:
    """The article of a document's stored fields, with its entities (the inverse of `to_document`)."""
    extra = stored.get("extra") or {}
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        date=stored.get("date") or None,
        source=extra.get("source"),
        url=extra.get("url"),
        author=extra.get("author"),
        section=extra.get("section"),
        lede=extra.get("lede"),
        path=stored.get("path"),
        entities=Entities.from_dict(extra.get("entities")),
    )
