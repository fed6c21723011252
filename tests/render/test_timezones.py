"""timezones: VTIMEZONEs with RRULE observances, read identically by every parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from conftest import DST_EXAMPLE, render_files
from parsers import READERS, assert_parsers_agree_with_data, vobject_read
from wego_ical.load.series_file import load_series, parse_series
from wego_ical.model import local_time_problem
from wego_ical.render.vtimezone import build_vtimezone


def _text(value: Any) -> str:
    return bytes(value.to_ical()).decode()


def _observances(tzid: str, first: int, last: int) -> list[tuple[str, str, str, str]]:
    component = build_vtimezone(tzid, first, last)
    return [
        (
            sub.name,
            _text(sub["DTSTART"]),
            _text(sub["RRULE"]) if "RRULE" in sub else "",
            _text(sub["RDATE"]) if "RDATE" in sub else "",
        )
        for sub in component.subcomponents
    ]


def test_new_york_uses_yearly_rules_with_onsets_before_the_change() -> None:
    assert _observances("America/New_York", 2021, 2023) == [
        ("STANDARD", "20210101T000000", "", ""),
        ("DAYLIGHT", "20210314T020000", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", ""),
        ("STANDARD", "20211107T020000", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", ""),
    ]


def test_last_sunday_rules_in_europe() -> None:
    assert _observances("Europe/Berlin", 2024, 2024)[1:] == [
        ("DAYLIGHT", "20240331T020000", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", ""),
        ("STANDARD", "20241027T030000", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", ""),
    ]


def test_irregular_changes_stay_explicit() -> None:
    # Brazil's DST dates moved from year to year, then DST was abolished in 2019.
    rows = _observances("America/Sao_Paulo", 2017, 2020)
    assert all(rrule == rdate == "" for _, _, rrule, rdate in rows)
    # One observance per change: ical.js and vobject misread RDATE lists.
    assert ("STANDARD", "20170219T000000", "", "") in rows
    assert ("STANDARD", "20180218T000000", "", "") in rows
    assert ("STANDARD", "20190217T000000", "", "") in rows


def test_a_rule_that_ends_is_not_extended() -> None:
    # Moscow stopped changing clocks in 2011: no RRULE may claim it continues.
    assert all(rrule == "" for _, _, rrule, _ in _observances("Europe/Moscow", 2010, 2012))


def test_zone_without_dst_has_one_observance() -> None:
    assert _observances("Asia/Seoul", 2021, 2021) == [("STANDARD", "20210101T000000", "", "")]


def _times_around_changes(zone: ZoneInfo) -> list[datetime]:
    """Local times on every day of the months with clock changes, at the hours that matter."""
    times = []
    for year in (2025, 2026):
        for month in (3, 4, 9, 10, 11):
            for day in range(1, 29):
                for hour in (0, 1, 2, 3, 4, 12):
                    local = datetime(year, month, day, hour, 30)
                    if not local_time_problem(local, zone):
                        times.append(local)
    return times


@pytest.mark.parametrize("tzid", ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"])
def test_local_times_near_changes_map_to_tzdata_utc(tzid: str) -> None:
    """Resolve times through the generated VTIMEZONE (vobject) and compare with zoneinfo."""
    zone = ZoneInfo(tzid)
    component = build_vtimezone(tzid, 2025, 2026).to_ical().decode().strip()
    times = _times_around_changes(zone)
    events = [
        f"BEGIN:VEVENT\r\nUID:{index}\r\nDTSTAMP:20250101T000000Z\r\n"
        f"DTSTART;TZID={tzid}:{local.strftime('%Y%m%dT%H%M%S')}\r\nEND:VEVENT"
        for index, local in enumerate(times)
    ]
    text = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//t//t//EN",
            component,
            *events,
            "END:VCALENDAR",
            "",
        ]
    )
    for event in vobject_read(text).vevent_list:
        local = times[int(event.uid.value)]
        expected = local.replace(tzinfo=zone).astimezone(UTC)
        assert event.dtstart.value.astimezone(UTC) == expected, local


def test_dst_example_series_agrees_in_three_parsers() -> None:
    series = load_series(DST_EXAMPLE)
    assert_parsers_agree_with_data(series)
    files = render_files(series)
    starts = {
        uid: fields.start.isoformat()
        for uid, fields in READERS["vobject"](files["all.ics"]).items()
    }
    assert starts == {
        "harbor-civic-tech-2025.march-before.open-data@example.org": "2025-03-08T14:00:00+00:00",
        "harbor-civic-tech-2025.march-before.mobility@example.org": "2025-03-08T16:00:00+00:00",
        "harbor-civic-tech-2025.march-after@example.org": "2025-03-10T22:00:00+00:00",
        "harbor-civic-tech-2025.november-before@example.org": "2025-11-01T23:00:00+00:00",
        "harbor-civic-tech-2025.november-after@example.org": "2025-11-02T08:00:00+00:00",
    }
    for name, read in READERS.items():
        assert {u: f.start.isoformat() for u, f in read(files["all.ics"]).items()} == starts, name


def test_dst_example_feed_extras(tmp_path: Path) -> None:
    files = render_files(load_series(DST_EXAMPLE))
    calendar = icalendar.Calendar.from_ical(files["all.ics"])
    assert str(calendar["URL"]) == "https://calendar.example.org/civic-tech/all.ics"
    assert str(calendar["SOURCE"]) == "https://calendar.example.org/civic-tech/all.ics"
    events = {str(e["UID"]): e for e in calendar.events}
    mobility = events["harbor-civic-tech-2025.march-before.mobility@example.org"]
    (conference,) = mobility.conferences
    assert conference.uri == "https://meet.example.org/civic-mobility"
    assert conference.label == "Join online"
    assert str(mobility["URL"]) == "https://meet.example.org/civic-mobility"
    assert "Join online: https://meet.example.org/civic-mobility" in str(mobility["DESCRIPTION"])
    (alarm,) = mobility.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert timedelta(minutes=-30) == alarm.decoded("TRIGGER")
    assert str(mobility["ORGANIZER"]) == "mailto:events@example.org"


SERIES = """
[series]
id = "zones"
title = "Zones"
url = "https://example.org/"
timezone = "{zone}"
uid_domain = "example.org"
[series.organiser]
name = "Org"
{events}
"""

EVENT = """
[[events]]
id = "e{index}"
title = "Event {index}"
date = {date}
start = {start}
end = {end}
"""


@pytest.mark.parametrize(
    ("zone", "local", "utc"),
    [
        # The cases that clients got wrong with icalendar's generator (RDATE lists,
        # periods shorter than its 64-day stride, the 2011 date-line jump).
        ("America/Santiago", "2026-09-05T22:00", "2026-09-06T02:00"),
        ("America/Santiago", "2028-06-01T10:00", "2028-06-01T14:00"),
        ("Africa/Casablanca", "2024-03-20T10:00", "2024-03-20T10:00"),
        ("Pacific/Fiji", "2020-12-25T10:00", "2020-12-24T21:00"),
        ("Pacific/Apia", "2011-12-29T10:00", "2011-12-29T20:00"),
        ("Pacific/Apia", "2011-12-31T10:00", "2011-12-30T20:00"),
        ("Europe/Dublin", "2024-01-15T10:00", "2024-01-15T10:00"),
        ("Europe/Dublin", "2024-07-15T10:00", "2024-07-15T09:00"),
    ],
)
def test_feeds_in_tricky_zones_give_the_same_utc_time_in_every_parser(
    zone: str, local: str, utc: str
) -> None:
    start = datetime.fromisoformat(local)
    events = EVENT.format(
        index=0,
        date=start.date().isoformat(),
        start=start.time().isoformat(),
        end=(start + timedelta(hours=1)).time().isoformat(),
    )
    # A second event a few years away widens the VTIMEZONE's range.
    events += EVENT.format(
        index=1, date=f"{start.year + 2}-02-10", start="12:00:00", end="13:00:00"
    )
    series = parse_series(SERIES.format(zone=zone, events=events))
    assert_parsers_agree_with_data(series)
    expected = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    for path, content in render_files(series).items():
        for name, read in READERS.items():
            event = read(content).get("zones.e0@example.org")
            if event is not None:
                assert event.start == expected, (name, path)


def test_dublin_summer_is_daylight_and_winter_standard() -> None:
    rows = _observances("Europe/Dublin", 2024, 2024)
    assert [kind for kind, _, _, _ in rows] == ["STANDARD", "DAYLIGHT", "STANDARD"]
    component = build_vtimezone("Europe/Dublin", 2024, 2024)
    names = {sub.name: str(sub["TZNAME"]) for sub in component.subcomponents}
    assert names == {"STANDARD": "GMT", "DAYLIGHT": "IST"}


def test_the_build_refuses_a_vtimezone_that_disagrees_with_zoneinfo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wego_ical.errors import SelfCheckError
    from wego_ical.render import vtimezone as timezones

    real = timezones._build

    def without_changes(*args: Any) -> icalendar.Timezone:
        component = real(*args)
        component.subcomponents = component.subcomponents[:1]  # only the opening observance
        return component

    monkeypatch.setattr(timezones, "_build", without_changes)
    with pytest.raises(SelfCheckError, match="VTIMEZONE written for America/Santiago"):
        timezones.checked_vtimezone("America/Santiago", 2026, 2028)
