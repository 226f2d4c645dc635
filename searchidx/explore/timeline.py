"""Timeline: how many matching articles per day, week, month or year, optionally one series per top entity.

The articles counted are exactly those a search counts (`ExploreBackend.selection`: same query language,
fallback, filters and dates), so a month's count is what ``search QUERY --filter month=...`` reports as total.
An article whose date is missing, or less precise than the period (a "2021" date for months), is counted
in ``undated``; the buckets sum to the other matches. Every period between the first and the last is listed,
empty ones included, so a chart shows the gaps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from searchidx.errors import UsageError
from searchidx.explore.arrays import FacetArrays, Ints, Mask
from searchidx.query.dates import format_date

__all__ = ["PERIODS", "SPLITS", "Bucket", "Timeline", "build", "check", "choose_period", "tally"]

PERIODS: tuple[str, ...] = ("day", "week", "month", "year")
SPLITS: tuple[str, ...] = ("person", "org", "place", "source")
MIN_BARS, MAX_BARS = 10, 60
_PRECISION = {"day": 10, "week": 10, "month": 7, "year": 4}  # date characters a period needs
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Bucket:
    period: str  # ISO: 2021, 2021-06, 2021-W24, 2021-06-16
    label: str  # French: 2021, juin 2021, sem. du 14 juin 2021, 16 juin 2021
    count: int
    series: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Timeline:
    query: str
    by: str
    total: int  # matching articles, dated or not
    undated: int  # matches without a date precise enough for ``by``
    buckets: list[Bucket]
    split: str | None = None
    series: list[str] = field(default_factory=list)  # the split's values, most frequent first
    fallback: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query, "by": self.by, "total": self.total, "undated": self.undated,
            "split": self.split, "series": self.series, "fallback": self.fallback,
            "buckets": [{"period": b.period, "label": b.label, "count": b.count, "series": b.series}
                        for b in self.buckets],
        }


def _numbers(dates: npt.NDArray[np.str_], by: str) -> tuple[Ints, Mask]:
    """Each date's period as an integer (year; year*12+month; day or Monday as days since 1970), and which
    dates are precise enough to have one."""
    ok = np.char.str_len(dates) >= _PRECISION[by]
    out = np.zeros(len(dates), dtype=np.int64)
    if not ok.any():
        return out, ok
    good = dates[ok]
    if by == "year":
        out[ok] = np.char.ljust(good, 4).astype("U4").astype(np.int64)
    elif by == "month":
        yyyymm = np.char.replace(good.astype("U7"), "-", "").astype(np.int64)
        out[ok] = yyyymm // 100 * 12 + yyyymm % 100 - 1
    else:
        days = good.astype("U10").astype("datetime64[D]").astype(np.int64)
        out[ok] = days - (days + 3) % 7 if by == "week" else days  # 1970-01-01 was a Thursday
    return out, ok


def _step(by: str) -> int:
    return 7 if by == "week" else 1


def _names(by: str, number: int) -> tuple[str, str]:
    """(ISO period, French label) of a period number."""
    if by == "year":
        return str(number), str(number)
    if by == "month":
        iso = f"{number // 12:04d}-{number % 12 + 1:02d}"
        return iso, format_date(iso)
    day = _EPOCH + dt.timedelta(days=number)
    if by == "day":
        return day.isoformat(), format_date(day.isoformat())
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}", f"sem. du {format_date(day.isoformat())}"


def choose_period(dates: npt.NDArray[np.str_]) -> str:
    """The period giving 10–60 bars over these dates' span (the finest such), else the closest to that range."""
    best, best_miss = "year", None
    for by in PERIODS:
        numbers, ok = _numbers(dates, by)
        if not ok.any():
            continue
        bars = (int(numbers[ok].max()) - int(numbers[ok].min())) // _step(by) + 1
        miss = MIN_BARS - bars if bars < MIN_BARS else max(0, bars - MAX_BARS)
        if best_miss is None or miss < best_miss:
            best, best_miss = by, miss
    return best


def check(by: str | None, split: str | None, top: int) -> None:
    """`UsageError` for an unknown period or split, or a bad --top."""
    if by is not None and by not in PERIODS:
        raise UsageError(f"unknown period {by!r} for --by; choose from: {', '.join(PERIODS)}")
    if split is not None and split not in SPLITS:
        raise UsageError(f"cannot split by {split!r}; choose from: {', '.join(SPLITS)}")
    if top < 1:
        raise UsageError("--top must be 1 or more")


def build(dates: npt.NDArray[np.str_], matched: Mask, text: str, *, by: str | None = None,
          table: FacetArrays | None = None, split: str | None = None, top: int = 5,
          fallback: bool = False) -> Timeline:
    """The timeline of the ``matched`` documents, ``dates`` being every document's date key."""
    check(by, split, top)
    docs = np.flatnonzero(matched)
    series: list[tuple[str, npt.NDArray[np.str_], Ints | None]] = []
    if split is not None and table is not None:
        for value in table.count(split, matched, top):
            pair_docs = table.docs_of(split, value.value)
            series.append((value.value, dates[pair_docs[matched[pair_docs]]], None))
    return tally(dates[docs], None, text, total=len(docs), by=by, split=split, series=series, fallback=fallback)


def tally(dates: npt.NDArray[np.str_], counts: Ints | None, text: str, *, total: int, by: str | None = None,
          split: str | None = None, series: Sequence[tuple[str, npt.NDArray[np.str_], Ints | None]] = (),
          fallback: bool = False) -> Timeline:
    """The timeline of ``total`` matching articles whose date keys are ``dates`` (each one article, or with
    ``counts`` as many articles as given: an engine that counts per date key), the undated ones being the
    rest; ``series`` are (value, its articles' dates, counts or None) of the split's top values (`check`
    the options first)."""
    weights = np.ones(len(dates), dtype=np.int64) if counts is None else counts
    by = by or choose_period(dates)
    numbers, ok = _numbers(dates, by)
    undated = total - int(weights[ok].sum())
    if not ok.any():
        return Timeline(text, by, total, undated, [], split, [], fallback)
    step = _step(by)
    first = int(numbers[ok].min())
    width = int(numbers[ok].max() - first) // step + 1

    def per_period(dates: npt.NDArray[np.str_], counts: Ints | None) -> Ints:
        numbers, ok = _numbers(dates, by)
        slots = (numbers[ok] - first) // step
        return np.bincount(slots, weights=None if counts is None else counts[ok], minlength=width).astype(np.int64)

    totals = per_period(dates, counts)
    names = [name for name, _, _ in series]
    per_series = [per_period(d, c) for _, d, c in series]
    buckets = []
    for i in range(width):
        period, label = _names(by, first + i * step)
        buckets.append(Bucket(period, label, int(totals[i]), {n: int(s[i]) for n, s in zip(names, per_series,
                                                                                          strict=True)}))
    return Timeline(text, by, total, undated, buckets, split, names, fallback)
