"""Dates as people type them (French and ISO), turned into ranges over the stored ISO ``date`` keys.

Stored dates are ISO strings, sometimes partial (``2021-06`` or ``2021``), compared as strings. So a
period is the key range ``[start, end]`` with ``start`` the period itself ("2021-06") and ``end`` the
period followed by ``\\uffff`` for a year or a month: "2021-06" <= "2021-06-16" <= "2021-06\\uffff", and a
partial "2021-06" article falls in June 2021 and in 2021. The French month names are in `searchidx.fields`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from searchidx.analysis import fold
from searchidx.corpus import parse_date
from searchidx.errors import QuerySyntaxError
from searchidx.fields import MONTH_NAMES, MONTHS

__all__ = ["DateRange", "format_date", "parse_period", "parse_range", "since_range", "until_range"]

_HIGH = "\uffff"
_MONTH_YEAR = re.compile(r"([a-z]+)\.?\s+(\d{4})")
_COMPARE = re.compile(r"(>=|<=|>|<)\s*(.+)")
FORMS = "2021, 2021-06, 2021-06-16, 16 juin 2021, juin 2021, 2021-06-01..2021-06-30, >2020, <=2021-06"


@dataclass(frozen=True, slots=True)
class DateRange:
    """Bounds over ISO date keys; None is open. ``*_excl`` make a bound strict (for ``>`` and ``<``)."""

    start: str | None = None
    end: str | None = None
    start_excl: bool = False
    end_excl: bool = False

    def __contains__(self, date: str) -> bool:
        if self.start is not None and (date < self.start or (self.start_excl and date == self.start)):
            return False
        return not (self.end is not None and (date > self.end or (self.end_excl and date == self.end)))

    def __and__(self, other: DateRange) -> DateRange:
        """Both ranges at once (``--since`` with ``--until``)."""
        start, start_excl = self.start, self.start_excl
        if other.start is not None and (start is None or other.start > start):
            start, start_excl = other.start, other.start_excl
        end, end_excl = self.end, self.end_excl
        if other.end is not None and (end is None or other.end < end):
            end, end_excl = other.end, other.end_excl
        return DateRange(start, end, start_excl, end_excl)


def _bad(text: str) -> QuerySyntaxError:
    return QuerySyntaxError(f"cannot understand the date {text!r}; write it like {FORMS}")


def parse_period(text: str) -> str:
    """The ISO key of one day, month or year written in ISO or French ("16 juin 2021" -> "2021-06-16",
    "juin 2021" -> "2021-06"); raises `QuerySyntaxError` when it is not a date."""
    clean = " ".join(text.strip().strip("\"'«»“”").split())
    iso = parse_date(clean)
    if iso is None and (m := _MONTH_YEAR.fullmatch(fold(clean))):
        month = MONTHS.get(m.group(1))
        if month:
            iso = f"{m.group(2)}-{month:02d}"
    if iso is None:
        raise _bad(text)
    return iso


def _period(key: str) -> DateRange:
    return DateRange(key, key if len(key) == 10 else key + _HIGH)


def parse_range(text: str) -> DateRange:
    """A period ("2021-06"), a range ("2021-06-01..2021-06-30", open ends allowed: "2021..") or a
    comparison (">2020", "<=2021-06"), as a `DateRange`."""
    clean = text.strip()
    if ".." in clean:
        left, _, right = clean.partition("..")
        if not left.strip() and not right.strip():
            raise _bad(text)
        lo = _period(parse_period(left)) if left.strip() else DateRange()
        hi = _period(parse_period(right)) if right.strip() else DateRange()
        return DateRange(lo.start, hi.end)
    if m := _COMPARE.fullmatch(clean):
        op, rest = m.groups()
        period = _period(parse_period(rest))
        if op == ">":
            return DateRange(period.end, None, start_excl=True)
        if op == ">=":
            return DateRange(period.start, None)
        if op == "<":
            return DateRange(None, period.start, end_excl=True)
        return DateRange(None, period.end)
    return _period(parse_period(clean))


def since_range(text: str) -> DateRange:
    """``--since X``: from the start of period X (or the lower bound of a range) on."""
    r = parse_range(text)
    return DateRange(r.start, None, r.start_excl)


def until_range(text: str) -> DateRange:
    """``--until X``: up to the end of period X, included."""
    r = parse_range(text)
    return DateRange(None, r.end, end_excl=r.end_excl)


def format_date(iso: str | None) -> str:
    """French display form: "2021-06-16" -> "16 juin 2021", "2021-06-01" -> "1er juin 2021",
    "2021-06" -> "juin 2021"; anything else is returned as it is."""
    if not iso:
        return ""
    parts = iso.split("-")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        return iso
    if len(numbers) == 1:
        return iso
    if not 1 <= numbers[1] <= 12:
        return iso
    month = MONTH_NAMES[numbers[1] - 1]
    if len(numbers) == 2:
        return f"{month} {numbers[0]}"
    day = "1er" if numbers[2] == 1 else str(numbers[2])
    return f"{day} {month} {numbers[0]}"
