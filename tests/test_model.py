"""model: entries of a series, their UIDs and local times."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from wego_ical.model import Series, entry_uid, load_zone, local_time_problem, occurrences


def test_occurrences_are_chronological(wego: Series) -> None:
    entries = occurrences(wego)
    assert [entry.key for entry in entries][:3] == [
        "part-1.mobility",
        "part-1.open-and-inclusive-city",
        "part-1.safe-city",
    ]
    assert entries[0].start == datetime(2021, 8, 26, 9)


def test_session_values_fall_back_to_the_event(wego: Series) -> None:
    entry = occurrences(wego)[0]
    assert entry.location == "Online"
    assert entry.status == "confirmed"
    assert entry.page_url is not None and entry.page_url.startswith("https://we-gov.org/")


def test_uid_from_ids_only(wego: Series) -> None:
    assert entry_uid(wego, occurrences(wego)[0]) == "wego-awards-4.part-1.mobility@we-gov.org"


def test_load_zone() -> None:
    assert load_zone("Asia/Seoul") == ZoneInfo("Asia/Seoul")
    for bad in ("", "Mars/Olympus", "/etc/passwd", "../x", "Asia/../Asia/Seoul"):
        assert load_zone(bad) is None


def test_local_time_problems() -> None:
    zone = ZoneInfo("America/New_York")
    assert local_time_problem(datetime(2025, 3, 9, 2, 30), zone).startswith("does not exist")
    assert local_time_problem(datetime(2025, 11, 2, 1, 30), zone).startswith("happens twice")
    assert local_time_problem(datetime(2025, 3, 9, 3, 0), zone) == ""
