"""One article from one record: a text file's title, header lines and paragraphs (`parse_text_article`), or a
JSON object's fields under their usual names (`record_to_article`); `searchidx.corpus` finds the records."""

from __future__ import annotations

import re
from typing import Any

from .cleaning import clean_line, clean_text, fold_ascii, parse_date
from .models import Article

__all__ = ["HEADER_KEYS", "parse_text", "parse_text_article", "record_to_article"]

# ------------------------------------------------------------------------------------------- text articles

#: Header keys recognised on the lines right after the title of a .txt/.md article (case and accents
#: ignored), mapped to the `Article` field they fill.
HEADER_KEYS: dict[str, str] = {
    "id": "id",
    "date": "date",
    "source": "source",
    "url": "url",
    "lien": "url",
    "auteur": "author",
    "author": "author",
    "auteurs": "author",
    "rubrique": "section",
    "section": "section",
    "chapeau": "lede",
    "lede": "lede",
}
_HEADER_RE = re.compile(r"([A-Za-zÀ-ÿ]{2,9})\s*:\s*(.*)")
_SETEXT_RE = re.compile(r"(=+|-+)\s*")


def parse_text_article(text: str, id: str) -> Article:
    """Parse the text of a .txt/.md article (already decoded) into an Article with the given id.

    Shape (the header block is optional)::

        Title on the first non-empty line            (a leading markdown "# " is dropped)
        Date: 2021-06-15                             header lines, right after the title
        Source: Dépêche régionale
        Auteur: Jeanne Martin
        Rubrique: Politique
        URL: https://example.org/article
        Chapeau: One-sentence summary.
        Id: my-article-id
                                                     (blank lines anywhere are ignored)
        First paragraph of the body, one paragraph per line.
        Second paragraph...

    Header lines are ``Key: value`` with a key from `HEADER_KEYS` (``Date``, ``Source``, ``Auteur``/``Author``,
    ``Rubrique``/``Section``, ``URL``/``Lien``, ``Chapeau``/``Lede``, ``Id``; case-insensitive); the block ends
    at the first other line, which starts the body. Dates are read with `parse_date`; an unparseable date
    leaves ``date`` None (`read_file` reports it). An ``Id:`` header overrides the `id` argument.
    """
    article, _ = parse_text(text, id)
    return article


def parse_text(text: str, id: str) -> tuple[Article, list[str]]:
    warnings: list[str] = []
    lines = text.split("\n") if "\r" not in text else text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i, n = 0, len(lines)
    title = ""
    while i < n:
        title = clean_line(lines[i])
        i += 1
        if title:
            break
    if i < n and _SETEXT_RE.fullmatch(lines[i].strip() or "x"):  # markdown "Title\n=====" underline
        i += 1
    fields: dict[str, str] = {}
    while i < n:
        raw = lines[i].strip()
        if not raw:
            i += 1
            continue
        m = _HEADER_RE.fullmatch(raw)
        key = HEADER_KEYS.get(fold_ascii(m.group(1))) if m else None
        if m is None or key is None:
            break
        value = m.group(2).strip() if key == "url" else clean_line(m.group(2))
        if value:
            fields[key] = value
        i += 1
    body = clean_text("\n".join(lines[i:]))
    date = None
    if "date" in fields:
        date = parse_date(fields["date"])
        if date is None:
            warnings.append(f"unparseable date {fields['date']!r} (article kept without a date)")
    article = Article(
        id=fields.get("id") or id,
        title=title,
        body=body,
        date=date,
        source=fields.get("source"),
        url=fields.get("url"),
        author=fields.get("author"),
        section=fields.get("section"),
        lede=fields.get("lede"),
    )
    return article, warnings


# ------------------------------------------------------------------------------------------- JSON records

_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "titre"),
    "body": ("body", "text", "content", "texte"),
    "date": ("date", "published", "published_at"),
    "source": ("source",),
    "url": ("url", "link"),
    "author": ("author", "authors", "auteur"),
    "section": ("section", "category", "rubrique"),
    "lede": ("lede", "chapeau", "summary"),
}


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean"}.get(type(value), type(value).__name__)


def _coerce(name: str, value: Any, warnings: list[str]) -> str | None:
    """A JSON value as text: strings as is, numbers via str(), lists of strings joined; else a warning."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        sep = "\n" if name in ("body", "lede") else ", "
        return sep.join(str(v) for v in value)
    warnings.append(f"field {name!r} is {_json_type(value)}, ignored")
    return None


def record_to_article(
    record: Any, default_id: str, path: str | None = None, line: int | None = None
) -> tuple[Article | None, list[str]]:
    """Turn one decoded JSON value into an Article; (None, [reason]) when it cannot be one."""
    if not isinstance(record, dict):
        return None, [f"expected a JSON object, got {_json_type(record)}"]
    warnings: list[str] = []
    values: dict[str, str | None] = {}
    for name, aliases in _FIELD_ALIASES.items():
        for key in aliases:
            if record.get(key) is not None:
                values[name] = _coerce(name, record[key], warnings)
                break
    raw_id = record.get("id")
    if isinstance(raw_id, bool) or (raw_id is not None and not isinstance(raw_id, str | int | float)):
        warnings.append(f"field 'id' is {_json_type(raw_id)}, ignored")
        raw_id = None
    art_id = str(raw_id).strip() if raw_id is not None else ""
    title = clean_line(values.get("title") or "")
    body = clean_text(values.get("body") or "")
    if not title and not body:
        return None, ["record has neither title nor body", *warnings]
    date = None
    raw_date = values.get("date")
    if raw_date is not None and raw_date.strip():
        date = parse_date(raw_date)
        if date is None:
            warnings.append(f"unparseable date {raw_date!r} (article kept without a date)")

    def opt(name: str) -> str | None:
        value = values.get(name)
        if value is None:
            return None
        value = value.strip() if name == "url" else clean_line(value)
        return value or None

    article = Article(
        id=art_id or default_id,
        title=title,
        body=body,
        date=date,
        source=opt("source"),
        url=opt("url"),
        author=opt("author"),
        section=opt("section"),
        lede=opt("lede"),
        path=path,
        line=line,
    )
    return article, warnings
