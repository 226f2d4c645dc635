"""The days a query names and how an article's date fits them (`searchidx.query.cues`)."""

from __future__ import annotations

import numpy as np
import pytest

from searchidx.query.cues import DateCues, cues, fit


def days(*iso: str) -> np.ndarray:
    return np.array(iso, dtype="datetime64[D]").astype(np.int64)


@pytest.mark.parametrize(("text", "named", "weekdays"), [
    ("Le bateau a percuté un quai de Venise, dimanche 2 juin.", ((2, 6, None),), {6}),
    ("L'accord signé le 1er février 2019 à Genève", ((1, 2, 2019),), set()),
    ("l'accord signe le 1er fevrier 2019", ((1, 2, 2019),), set()),  # typed without accents
    ("SAMEDI 15 AOÛT, 15 août", ((15, 8, None),), {5}),  # case aside, each day once
    ("Le sommet s'ouvre mardi à Bruxelles", (), {1}),
    ("le 31 avril, le 29 février", ((29, 2, None),), set()),  # no 31 April; 29 February exists
    ("les mardis de la commune, 2 juins, 2021", (), set()),  # not a weekday, not a month
])
def test_cues_read_the_named_days(text: str, named: tuple[tuple[int, int, int | None], ...],
                                  weekdays: set[int]) -> None:
    found = cues(text)
    assert found.days == named and found.weekdays == weekdays
    assert bool(found) == bool(named or weekdays)


def test_a_named_day_fits_that_day_and_the_next_best() -> None:
    wanted = cues("dimanche 2 juin")
    dates = days("2019-06-01", "2019-06-02", "2019-06-03", "2019-06-04", "2019-06-05", "2019-06-06", "2019-06-09")
    # the weekday does not count when a day of the month is named (9 June 2019 is a Sunday too)
    assert fit(wanted, dates).tolist() == [0.0, 1.0, 1.0, 0.5, 0.5, 0.0, 0.0]
    assert fit(wanted, days("2013-06-03", "2020-06-02")).tolist() == [1.0, 1.0]  # no year: any year


def test_a_day_without_year_fits_the_new_year_after_it() -> None:
    wanted = cues("la nuit du 31 décembre")
    assert fit(wanted, days("2020-01-01", "2019-12-31", "2020-12-30")).tolist() == [1.0, 1.0, 0.0]
    assert fit(cues("31 décembre 2018"), days("2019-01-01", "2020-01-01")).tolist() == [1.0, 0.0]


def test_a_weekday_fits_that_weekday_then_the_next() -> None:
    # 2021-06-15 is a Tuesday
    dates = days("2021-06-14", "2021-06-15", "2021-06-16", "2021-06-17", "2021-06-22")
    assert fit(cues("Le sommet s'ouvre mardi"), dates).tolist() == [0.0, 1.0, 0.6, 0.0, 1.0]
    assert fit(cues("mardi ou jeudi"), dates).tolist() == [0.0, 1.0, 0.6, 1.0, 1.0]
    assert fit(DateCues(), dates).tolist() == [0.0] * 5
