"""A spreadsheet cell's value as people write it (importing.cells)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from wego_ical.importing import cells


@pytest.mark.parametrize(
    ("text", "order", "day"),
    [
        ("2021-08-26", None, date(2021, 8, 26)),
        ("26.08.2021", None, date(2021, 8, 26)),
        ("26/08/2021", None, date(2021, 8, 26)),  # a part over 12 tells the order
        ("08/26/2021", None, date(2021, 8, 26)),
        ("04/05/2026", "day-first", date(2026, 5, 4)),
        ("04/05/2026", "month-first", date(2026, 4, 5)),
        ("05/05/2026", None, date(2026, 5, 5)),  # either way the same day
    ],
)
def test_days(text: str, order: str | None, day: date) -> None:
    assert cells.cell_day(text, 2, order) == day


def test_a_day_that_could_be_either_order_asks_for_one() -> None:
    with pytest.raises(ValueError, match="row 7: date '04/05/2026' could be day/month"):
        cells.cell_day("04/05/2026", 7)
    with pytest.raises(ValueError, match=r"row 3: date '2026-02-30' is not YYYY-MM-DD"):
        cells.cell_day("2026-02-30", 3)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2015-11-23", (date(2015, 11, 23), None)),
        ("2026-05-04 09:00", (date(2026, 5, 4), "09:00")),
        ("2026-05-04T09:00", (date(2026, 5, 4), "09:00")),
        ("04.05.2026  9:00 AM", (date(2026, 5, 4), "9:00 AM")),
    ],
)
def test_a_day_with_or_without_its_time(text: str, moment: tuple[date, str | None]) -> None:
    assert cells.cell_moment(text, 2, None) == moment


def test_a_time_alone_is_not_a_day() -> None:
    with pytest.raises(ValueError, match="row 4: no date: '09:00'; give a date column"):
        cells.cell_moment("09:00", 4, None)


@pytest.mark.parametrize(
    ("text", "clock"),
    [("09:00", time(9)), ("9.30", time(9, 30)), ("9h00", time(9)), ("9:00 PM", time(21)),
     ("12:15 a.m.", time(0, 15)), ("09:00:30", time(9, 0, 30))],
)  # fmt: skip
def test_times(text: str, clock: time) -> None:
    assert cells.cell_clock(text, 2) == clock


@pytest.mark.parametrize(
    ("text", "length"),
    [("30", timedelta(minutes=30)), ("30 min", timedelta(minutes=30)),
     ("1h30", timedelta(hours=1, minutes=30)), ("1:30", timedelta(hours=1, minutes=30)),
     ("01:30:00", timedelta(hours=1, minutes=30))],
)  # fmt: skip
def test_lengths(text: str, length: timedelta) -> None:
    assert cells.cell_duration(text, 2) == length


@pytest.mark.parametrize("text", ["TRUE", "yes", "Ja", "x", "1", "vrai", "예"])
def test_yes(text: str) -> None:
    assert cells.cell_yes(text, 2) is True


@pytest.mark.parametrize("text", ["", "FALSE", "no", "Nein", "0", "faux"])
def test_no(text: str) -> None:
    assert cells.cell_yes(text, 2) is False


def test_neither_yes_nor_no() -> None:
    with pytest.raises(ValueError, match="row 5: 'maybe' is not yes or no"):
        cells.cell_yes("maybe", 5)


@pytest.mark.parametrize(
    ("url", "fixed"),
    [
        ("www.example.org", "https://www.example.org"),
        ("example.org/talks/1", "https://example.org/talks/1"),
        ("https://example.org/", "https://example.org/"),
        ("not a link", "not a link"),  # left for the check to name
    ],
)
def test_web_addresses_without_a_scheme_get_one(url: str, fixed: str) -> None:
    assert cells.with_scheme(url) == fixed
