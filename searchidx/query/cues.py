"""The days a query names ("dimanche 2 juin", "le 14 juillet 2019", "mardi") and how well an article's date
fits them.

News reports an event the day it happens or the day after, so a pasted lede saying "dimanche 2 juin" is best
answered by an article dated 2 or 3 June, and one saying only "mardi" by an article of a Tuesday or a
Wednesday.  The ranking adds a small share of the best score for that fit (`searchidx.engines.whoosh.ranking`,
``Ranking.date``); the fit of each rule below was chosen on the dev sets (BENCHMARKS.md, Relevance)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from searchidx.analysis import fold
from searchidx.fields import MONTH_NAMES

__all__ = ["WEIGHT", "DateCues", "cues", "day_number", "fit"]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

_MONTHS = tuple(fold(name) for name in MONTH_NAMES)
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_DAY_MONTH = re.compile(r"\b(1er|[0-3]?\d)\s+(" + "|".join(_MONTHS) + r")\b(?:\s+((?:19|20)\d\d)\b)?")
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b")
#: The reward's weight: a share of the best match's score, times the fit (``Ranking.date`` locally; on Solr a
#: factor of each match's own score, `searchidx.engines.solr.ranking.date_boost`).
WEIGHT = 0.15
#: The fit of an article dated ``lag`` days after a named day (0: that day): the day itself or the next.
_DAY_FIT = {0: 1.0, 1: 1.0, 2: 0.5, 3: 0.5}
#: The same for a named weekday, when the query names no day of a month.
_WEEKDAY_FIT = {0: 1.0, 1: 0.6}


@dataclass(frozen=True, slots=True)
class DateCues:
    """The days of a month (day, month, year or None) and the weekdays (Monday 0) a text names."""

    days: tuple[tuple[int, int, int | None], ...] = ()
    weekdays: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.days or self.weekdays)


def cues(text: str) -> DateCues:
    """The days ``text`` names, accents and case aside ("1er fevrier", "14 Juillet 2019", "Mardi")."""
    folded = fold(text)
    days = []
    for day, month, year in _DAY_MONTH.findall(folded):
        number = 1 if day == "1er" else int(day)
        month_number = _MONTHS.index(month) + 1
        try:
            dt.date(2000, month_number, number)  # a leap year: 29 février is a day
        except ValueError:
            continue
        days.append((number, month_number, int(year) if year else None))
    weekdays = frozenset(_WEEKDAYS.index(w) for w in _WEEKDAY.findall(folded))
    return DateCues(tuple(dict.fromkeys(days)), weekdays)


def fit(wanted: DateCues, days: Ints) -> Floats:
    """How well each date (``days``: days since 1970-01-01) fits ``wanted``, from 0 to 1: the best over the
    named days (a day without a year: in the article's year or the one before), else over the weekdays."""
    out = np.zeros(len(days), dtype=np.float64)
    if wanted.days:
        dates = days.astype("datetime64[D]")
        years = dates.astype("datetime64[Y]")
        for day, month, year in wanted.days:
            starts = [np.datetime64(f"{year:04d}", "Y")] if year else [years, years - 1]
            for start in starts:
                event = (np.asarray(start).astype("datetime64[M]") + (month - 1)).astype("datetime64[D]") + (day - 1)
                _best(out, (dates - event).astype(np.int64), _DAY_FIT)
    elif wanted.weekdays:
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
        for named in wanted.weekdays:
            _best(out, (weekday - named) % 7, _WEEKDAY_FIT)
    return out


def day_number(date: str) -> int | None:
    """An article's ``date`` as days since 1970-01-01, or None when it is not a whole ISO date ("2021-06")."""
    if len(date) != 10:
        return None
    try:
        return int(np.datetime64(date, "D").astype(np.int64))
    except ValueError:
        return None


def _best(out: Floats, lags: Ints, fits: dict[int, float]) -> None:
    for lag, value in fits.items():
        np.maximum(out, np.where(lags == lag, value, 0.0), out=out)
