"""Article text as indexed: scraping debris, control characters and odd spaces cleaned out (`clean_text`), and
dates in the forms news files use read as ISO dates (`parse_date`); `searchidx.corpus` reads files with them."""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import date as _date

from .fields import MONTHS

__all__ = ["clean_line", "clean_text", "fold_ascii", "parse_date"]

# --------------------------------------------------------------------------------------------------- cleaning

# Line breaks in all their forms become "\n"; other control/format characters are removed (tab is kept).
_NEWLINE_CHARS_RE = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_NEWLINES_RE = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u00ad\u200b-\u200d\u2060\ufeff\ufffe\uffff]")
_MD_IMAGE_RE = re.compile(r"!\[[^\]\n]*\](?:\([^)\n]*\))?")
_MD_LINK_RE = re.compile(r"\[([^\]\n]+)\]\((?:https?://|www\.|/)[^)\s]*\)")
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")
_HSPACES = "\t\xa0\u1680\u2000-\u200a\u202f\u205f\u3000 "
_HSPACE_RE = re.compile(f"[{_HSPACES}][{_HSPACES}]+|\t")
# A sentence glued to the next one by scraping ("Pyrénées.Alors", "jeudi.Le", 'substantielles'".\"Malgré'):
# a full stop followed by a capitalised word, preceded by a lowercase letter, digit or closing quote.
_GLUED_RE = re.compile("[.!?…](?=[\"«]?[A-ZÀ-ÖØ-ÞŒ][a-zà-öø-ÿœ'’])")
_GLUED_AFTER = frozenset("abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæñ0123456789»\"')]")
# HTML left in scraped text ("<i>Titre</i>", "Pie <abbr title=\"7\">VII</abbr>", "un<br>deux"): the tags of
# known elements go (a block element's tag becomes a line break), comments, scripts and styles go whole, and
# character references ending in ";" ("&amp;", "&#233;") are decoded; other "<" and "&" are text.
_BLOCK_TAGS = ("address|article|aside|blockquote|br|caption|center|dd|div|dl|dt|figcaption|figure|footer|form|"
               "h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul")
_INLINE_TAGS = ("a|abbr|acronym|b|bdi|bdo|big|cite|code|data|del|dfn|em|font|i|img|ins|kbd|mark|q|rp|rt|ruby|s|"
                "samp|small|span|strike|strong|sub|sup|time|tt|u|var|wbr")
_TAG_RE = re.compile(rf"<(/?)(?:({_BLOCK_TAGS})|{_INLINE_TAGS})(?=[\s/>])(?:[^<>\"']|\"[^\"]*\"|'[^']*')*>", re.I)
_HIDDEN_RE = re.compile(r"<!--|<(script|style)(?=[\s/>])", re.I)
_HIDDEN_END = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A line with nothing but markup debris: pipes, table rules, bullets, dashes...
_DEBRIS_LINE_RE = re.compile(r"[\s|:\-–—_*=#>~`.·•]*")


def _split_glued(text: str) -> str:
    cuts = [m.end() for m in _GLUED_RE.finditer(text) if m.start() and text[m.start() - 1] in _GLUED_AFTER]
    if not cuts:
        return text
    parts, start = [], 0
    for cut in cuts:
        parts.append(text[start:cut])
        start = cut
    parts.append(text[start:])
    return "\n".join(parts)


def _drop_hidden(text: str) -> str:
    """``text`` without its comments, scripts and styles; one left open leaves the rest as it is (a search for
    each end, so the cost stays linear whatever the input)."""
    parts, at = [], 0
    while start := _HIDDEN_RE.search(text, at):
        name = start.group(1)
        if name is None:
            end = text.find("-->", start.end())
            stop = end + 3
        else:
            closing = _HIDDEN_END[name.lower()].search(text, start.end())
            end, stop = (closing.start(), closing.end()) if closing else (-1, -1)
        if end < 0:
            break
        parts.append(text[at:start.start()])
        at = stop
    return "".join(parts) + text[at:] if parts else text


def _strip_html(text: str) -> str:
    """``text`` without its HTML (see `clean_text`); unchanged, at the cost of two scans, when it has no
    ``<`` or ``&``."""
    if "<" in text:
        text = _drop_hidden(text)
        text = _TAG_RE.sub(lambda m: "\n" if m.group(2) else "", text)
    if "&" in text:
        text = _ENTITY_RE.sub(lambda m: html.unescape(m.group()), text)
    return text


def clean_line(text: str) -> str:
    """`clean_text` for one-line fields (title, source, ...): line breaks become spaces."""
    if (
        text.isprintable()  # no line break, control, format or non-breaking space character
        and text[:1] not in ("#", " ")
        and text[-1:] != " "
        and "  " not in text
        and "[" not in text
        and "|" not in text
        and "<" not in text
        and "&" not in text
        and unicodedata.is_normalized("NFC", text)
        and not _GLUED_RE.search(text)
        and not _DEBRIS_LINE_RE.fullmatch(text)
    ):
        return text  # already clean: the common case, made cheap
    return " ".join(clean_text(text).split("\n"))


def clean_text(text: str) -> str:
    """Clean scraped text: NFC, no control characters, no markdown debris, one paragraph per line.

    - line breaks (CRLF, CR, U+2028...) become ``\\n``; NUL and other control or invisible format characters
      (soft hyphen, zero-width space, BOM) are removed; a tab counts as a space;
    - Unicode NFC normalisation (decomposed accents are composed);
    - HTML tags of known elements are removed (a block element's, ``<br>``, ``<p>``, ``<li>``..., ends the
      line), comments, scripts and styles with them, and character references (``&amp;``, ``&#233;``)
      decoded; any other ``<`` or ``&`` is text ("a < b", "AT&T");
    - markdown image stubs (``![]()``, ``![alt](url)``) are removed, ``[text](url)`` links keep their text,
      heading marks (``## ``) and table pipes at the start or end of a line (``caption. |``) are dropped;
    - sentences glued together by scraping ("jeudi.Le") are split at the full stop;
    - runs of spaces are collapsed (a single NBSP is kept), lines are stripped, and lines that are empty or
      only debris (``|``, ``---``, ``* * *``) are dropped: paragraphs are separated by exactly one ``\\n``.
    """
    if not text:
        return ""
    text = _strip_html(text)
    if _NEWLINE_CHARS_RE.search(text):
        text = _NEWLINES_RE.sub("\n", text)
    if _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    if "[" in text:
        text = _MD_IMAGE_RE.sub("", text)
        text = _MD_LINK_RE.sub(r"\1", text)
    text = _split_glued(text)
    if "  " in text or "\t" in text or "\xa0" in text or "\u202f" in text:
        text = _HSPACE_RE.sub(" ", text)
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line[0] == "#":
            line = _MD_HEADING_RE.sub("", line)
        if "|" in line:
            line = line.strip("| ")
        if _DEBRIS_LINE_RE.fullmatch(line):
            continue
        lines.append(line)
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------------ dates

_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_ISO_PARTIAL_RE = re.compile(r"(\d{4})(?:-(\d{2}))?")
_DMY_RE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_FRENCH_RE = re.compile(
    r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche),?\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})"
)


def fold_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _ymd(year: str | int, month: str | int, day: str | int) -> str | None:
    try:
        return _date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def parse_date(value: str) -> str | None:
    """An ISO ``YYYY-MM-DD`` for the date written in `value`, or None if it cannot be understood.

    Accepted: ``2021-06-15``, ``2021-06-15T08:30:00Z`` (date part kept), ``2021-06`` and ``2021`` (kept as
    such), ``15/06/2021`` (also with ``.`` or ``-``), ``16 juin 2021``, ``mercredi 1er juin 2021``,
    ``16 fevrier 2021``, ``3 sept. 2020``.
    """
    text = " ".join(value.split())
    if not text:
        return None
    if m := _ISO_RE.fullmatch(text):
        return _ymd(*m.groups())
    if m := _ISO_PARTIAL_RE.fullmatch(text):
        year, month = m.groups()
        if month is None:
            return year if 1000 <= int(year) <= 2999 else None
        return f"{year}-{month}" if 1 <= int(month) <= 12 else None
    if m := _DMY_RE.fullmatch(text):
        day, month, year = m.groups()
        return _ymd(year, month, day)
    if m := _FRENCH_RE.fullmatch(fold_ascii(text)):
        day, month_name, year = m.groups()
        month = MONTHS.get(month_name)
        return _ymd(year, month, day) if month else None
    return None
