"""when: days, times and zones in words, from CLDR (Babel), in English and Korean."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wego_ical.i18n import dates as when

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("language", "expected"),
    [(None, "Thursday 26 August 2021"), ("en", "Thursday 26 August 2021"),
     ("ko", "2021년 8월 26일 목요일")],
)  # fmt: skip
def test_day_text(language: str | None, expected: str) -> None:
    assert when.day_text(date(2021, 8, 26), language) == expected


def test_days_text_is_a_cldr_interval() -> None:
    first, last = date(2026, 3, 24), date(2026, 3, 26)
    assert when.days_text(first, last, "en") == "Tuesday 24 March – Thursday 26 March 2026"
    assert when.days_text(first, last, "ko") == "2026년 3월 24일 화요일 ~ 26일 목요일"
    assert when.days_text(first, first, "ko") == "2026년 3월 24일 화요일"


def test_time_span_in_both_languages_and_across_midnight() -> None:
    start, end = datetime(2021, 8, 26, 9, tzinfo=SEOUL), datetime(2021, 8, 26, 9, 30, tzinfo=SEOUL)
    assert when.time_span(start, end, "en") == "09:00–09:30"
    assert when.time_span(start, end, "ko") == "09:00 ~ 09:30"
    late = datetime(2021, 8, 27, 2, tzinfo=SEOUL)
    night = datetime(2021, 8, 26, 21, tzinfo=SEOUL)
    assert when.time_span(night, late, "en") == "21:00 – Fri 27 Aug, 02:00"
    assert when.time_span(night, late, "ko") == "21:00 ~ 8월 27일 (금) 02:00"


def test_zones_have_human_names() -> None:
    moment = datetime(2021, 8, 26, tzinfo=SEOUL)
    assert when.zone_label("Asia/Seoul", moment, "en") == "Korean Standard Time (Seoul)"
    assert when.zone_label("Asia/Seoul", moment, "ko") == "한국 표준시(서울)"
    assert when.zone_label("Europe/London", moment, "en") == "British Summer Time (London)"
    winter = datetime(2026, 1, 5, tzinfo=SEOUL)
    assert when.zone_label("Europe/London", winter, "en") == "Greenwich Mean Time (London)"
    assert when.zone_label("UTC", moment, "ko") == "UTC"


# --- the fixed formats and a wall time in its zone: the same as the library's ---------

_ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Seoul", "Australia/Lord_Howe"]


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30)),
    st.sampled_from(_ZONES),
    st.sampled_from([None, *_ZONES]),
)
def test_in_zone_and_the_utc_formats_are_what_the_library_makes(
    local: datetime, zone_name: str, had: str | None
) -> None:
    """``in_zone`` is ``replace(tzinfo=)`` (fold and microseconds kept, any zone the time
    had replaced); ``iso_utc`` and ``basic_utc`` are ``strftime``'s formats, for every
    year of four digits."""
    zone = ZoneInfo(zone_name)
    for given_time in (local, local.replace(fold=1)):
        if had is not None:
            given_time = given_time.replace(tzinfo=ZoneInfo(had))
        placed = when.in_zone(given_time, zone)
        expected = given_time.replace(tzinfo=zone)
        assert (placed, placed.fold, placed.tzinfo) == (expected, expected.fold, zone)
        assert placed.utcoffset() == expected.utcoffset()
        utc = expected.astimezone(UTC)
        assert when.iso_utc(expected) == utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert when.basic_utc(expected) == utc.strftime("%Y%m%dT%H%M%SZ")
    assert when.in_zone(local, None) == local.replace(tzinfo=None)
