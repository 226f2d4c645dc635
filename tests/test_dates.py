"""French and ISO date forms -> ranges over ISO date keys; French display."""

from __future__ import annotations

import pytest

from searchidx.errors import QuerySyntaxError
from searchidx.query.dates import DateRange, format_date, parse_period, parse_range, since_range, until_range


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2021", "2021"),
        ("2021-06", "2021-06"),
        ("2021-06-16", "2021-06-16"),
        ("16 juin 2021", "2021-06-16"),
        ("1er juin 2021", "2021-06-01"),
        ("juin 2021", "2021-06"),
        ("Juin 2021", "2021-06"),
        ("févr. 2021", "2021-02"),
        ("aout 2020", "2020-08"),
        ("16/06/2021", "2021-06-16"),
    ],
)
def test_periods(text: str, iso: str) -> None:
    assert parse_period(text) == iso


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("2021", ["2021-01-01", "2021-12-31", "2021-06", "2021"], ["2020-12-31", "2022-01-01"]),
        ("2021-06", ["2021-06-01", "2021-06-30", "2021-06"], ["2021-05-31", "2021-07-01"]),
        ("juin 2021", ["2021-06-16"], ["2021-07-01"]),
        ("16 juin 2021", ["2021-06-16"], ["2021-06-15", "2021-06-17"]),
        ("2021-06-01..2021-06-30", ["2021-06-01", "2021-06-30"], ["2021-05-31", "2021-07-01"]),
        ("2021-06..2021-07", ["2021-06-01", "2021-07-31"], ["2021-08-01"]),
        ("2021..", ["2021-01-01", "2030-01-01"], ["2020-12-31"]),
        ("..2021-06", ["1999-01-01", "2021-06-30"], ["2021-07-01"]),
        (">2020", ["2021-01-01"], ["2020-12-31", "2020"]),
        (">=2020", ["2020-01-01"], ["2019-12-31"]),
        ("<2021-06", ["2021-05-31"], ["2021-06-01", "2021-06"]),
        ("<=2021-06", ["2021-06-30"], ["2021-07-01"]),
        ("> 16 juin 2021", ["2021-06-17"], ["2021-06-16"]),
    ],
)
def test_ranges(text: str, inside: list[str], outside: list[str]) -> None:
    r = parse_range(text)
    for d in inside:
        assert d in r, (text, d)
    for d in outside:
        assert d not in r, (text, d)


def test_since_until_combine() -> None:
    r = since_range("juin 2021") & until_range("2021-06-20")
    assert "2021-06-01" in r and "2021-06-20" in r
    assert "2021-05-31" not in r and "2021-06-21" not in r
    assert since_range("2021-06-01..2021-06-30") == DateRange("2021-06-01", None)


@pytest.mark.parametrize("bad", ["hier", "2021-13", "juin", "..", "32 juin 2021", ">"])
def test_bad_dates_say_which_forms_work(bad: str) -> None:
    with pytest.raises(QuerySyntaxError, match="juin 2021"):
        parse_range(bad)


def test_french_display() -> None:
    assert format_date("2021-06-16") == "16 juin 2021"
    assert format_date("2021-06-01") == "1er juin 2021"
    assert format_date("2021-08") == "août 2021"
    assert format_date("2021") == "2021"
    assert format_date(None) == ""
    assert format_date("n/a") == "n/a"
