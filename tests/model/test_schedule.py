"""Schedules beyond one day in one zone: several days, whole days, after midnight,
a time zone per event and session; their validation, rendering and page."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import icalendar
import pytest

from conftest import BUILD_TIME, CONFERENCE, DATA, render_files
from wego_ical.errors import DataError
from wego_ical.load.series_file import load_series, parse_series
from wego_ical.model import calendar_entries
from wego_ical.plan.records import Snapshot
from wego_ical.publication.assemble import make_publication
from wego_ical.render.calendar_links import add_event

HEAD = """
[series]
id = "s"
title = "S"
url = "https://example.org/"
timezone = "Europe/London"
uid_domain = "example.org"
[series.organiser]
name = "O"
"""


def problems(body: str) -> list[tuple[str, str]]:
    with pytest.raises(DataError) as caught:
        parse_series(HEAD + body)
    return [(p.key, p.message) for p in caught.value.problems]


def only(body: str) -> tuple[str, str]:
    found = problems(body)
    assert len(found) == 1, found
    return found[0]


EVENT = '[[events]]\nid = "e"\ntitle = "E"\ndate = 2026-03-24\n'


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        (
            EVENT + "end_date = 2026-03-23\nstart = 09:00:00\nend = 10:00:00\n",
            'events[0].end_date (id "e")',
            "end_date 2026-03-23 is before date 2026-03-24; the event's last day cannot come "
            "before its first",
        ),
        (
            EVENT + "all_day = true\nstart = 09:00:00\n",
            'events[0].start (id "e")',
            "an all-day event has no start time; remove start, or all_day",
        ),
        (
            EVENT + "start = 22:00:00\nend = 01:00:00\n",
            'events[0].end (id "e")',
            "end 01:00 is not after start 22:00; if it ends after midnight, add "
            "end_date = 2026-03-25",
        ),
        (
            EVENT + '[[events.sessions]]\nid = "x"\ndate = 2026-03-25\n'
            "start = 09:00:00\nend = 10:00:00\n",
            'events[0].sessions[0].date (id "e" › "x")',
            "session 'x' is on 2026-03-25, outside its event's day 2026-03-24; move it, or "
            "widen the event with end_date",
        ),
        (
            EVENT + "end_date = 2026-03-26\n"
            '[[events.sessions]]\nid = "x"\ndate = 2026-03-27\nstart = 09:00:00\nend = 10:00:00\n',
            'events[0].sessions[0].date (id "e" › "x")',
            "session 'x' is on 2026-03-27, outside its event's days 2026-03-24 to 2026-03-26; "
            "move it, or widen the event with end_date",
        ),
        (
            EVENT + '[[events.sessions]]\nid = "x"\nstart = 22:00:00\nend = 23:00:00\n'
            "end_date = 2026-03-25\n",
            'events[0].sessions[0].end_date (id "e" › "x")',
            "session 'x' would last 25 hours (2026-03-24 22:00 to 2026-03-25 23:00); a session "
            "lasts at most 24 hours: check end_date and end",
        ),
        (
            EVENT + '[[events.sessions]]\nid = "x"\nall_day = true\nend = 10:00:00\n',
            'events[0].sessions[0].end (id "e" › "x")',
            "an all-day session has no end time; remove end, or all_day",
        ),
        (
            EVENT + '[[events.sessions]]\nid = "x"\n',
            'events[0].sessions[0].start (id "e" › "x")',
            "a session needs start and end times, for example start = 15:00:00 and "
            "end = 16:00:00, or all_day = true",
        ),
        (
            EVENT + "all_day = true\n"
            '[[events.sessions]]\nid = "x"\nstart = 09:00:00\nend = 10:00:00\n',
            'events[0].all_day (id "e")',
            "an event with sessions is not itself an all-day item; set all_day on the sessions "
            "that are",
        ),
        (
            EVENT + "all_day = true\nend_date = 2026-03-25\n"
            '[[events.sessions]]\nid = "x"\nstart = 09:00:00\nend = 10:00:00\n',
            'events[0].all_day (id "e")',
            "an event with sessions is not itself an all-day item; set all_day on the sessions "
            "that are",
        ),
        (
            EVENT + 'timezone = "Europe/Londn"\nstart = 09:00:00\nend = 10:00:00\n',
            'events[0].timezone (id "e")',
            "'Europe/Londn' is not an IANA time zone name; use a name such as 'Asia/Seoul' or "
            "'America/New_York', never a bare offset. Did you mean 'Europe/London' or "
            "'Europe/Lisbon'?",
        ),
        (
            '[[events]]\nid = "e"\ntitle = "E"\ndate = 2026-03-08\n'
            '[[events.sessions]]\nid = "x"\ntimezone = "America/New_York"\n'
            "start = 02:30:00\nend = 03:30:00\n",
            'events[0].sessions[0].start (id "e" › "x")',
            "2026-03-08 02:30 does not exist (the clocks skip over it for daylight saving time) "
            "in America/New_York; choose another time",
        ),
    ],
)
def test_schedule_problems(body: str, key: str, message: str) -> None:
    assert only(body) == (key, message)


def test_sessions_in_different_zones_overlap_as_instants() -> None:
    """09:30 in London is 05:30 in New York (both on summer time on 2026-04-01)."""
    body = (
        '[[events]]\nid = "e"\ntitle = "E"\ndate = 2026-04-01\n'
        '[[events.sessions]]\nid = "london"\nstart = 09:00:00\nend = 10:00:00\n'
        '[[events.sessions]]\nid = "ny"\ntimezone = "America/New_York"\n'
        "start = 04:30:00\nend = 05:00:00\n"
    )
    _key, message = only(body)
    assert message.startswith("session 'ny' starts at 04:30 before session 'london' ends")


def test_an_overnight_session_within_a_day_long_limit_is_fine() -> None:
    series = parse_series(
        HEAD + EVENT + '[[events.sessions]]\nid = "x"\nstart = 22:00:00\nend = 21:59:00\n'
        "end_date = 2026-03-25\n"
    )
    (entry,) = calendar_entries(series)
    assert (entry.start, entry.end) == (datetime(2026, 3, 24, 22), datetime(2026, 3, 25, 21, 59))


def test_whole_days_are_dates_free_and_without_vtimezone() -> None:
    files = render_files(load_series(CONFERENCE))
    calendar = icalendar.Calendar.from_ical(files["call-for-talks-closes.ics"])
    (event,) = calendar.events
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert event["TRANSP"] == "TRANSPARENT"
    assert not calendar.walk("VTIMEZONE")
    assert b"X-WR-TIMEZONE:Europe/London" in files["call-for-talks-closes.ics"]


def test_a_feed_has_one_vtimezone_per_zone_it_uses() -> None:
    files = render_files(load_series(CONFERENCE))
    zones = {
        str(zone["TZID"])
        for zone in icalendar.Calendar.from_ical(files["all.ics"]).walk("VTIMEZONE")
    }
    assert zones == {"Europe/London", "America/New_York"}
    london = icalendar.Calendar.from_ical(files["london.ics"]).walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in london] == ["Europe/London"]


def test_the_page_shows_each_time_in_its_own_zone_and_whole_days() -> None:
    html = (
        make_publication(load_series(CONFERENCE), None, BUILD_TIME).content("index.html").decode()
    )
    assert "Tuesday 24 March – Thursday 26 March 2026" in html
    assert ">All day, until Thu 26 Mar</time>" in html
    assert ">22:00 – Thu 26 Mar, 01:00</time>" in html
    assert ">10:00–11:30</time>" in html and "Times in Eastern Daylight Time (New York)" in html
    # The viewer's-time switch rewrites every time but those of the two whole-day items.
    assert html.count("<time datetime=") == 7 and html.count(" data-day=") == 5
    assert "Each event’s times are in its own time zone." in html


def test_add_links_for_a_whole_day_item_use_dates() -> None:
    deadline = Snapshot(
        summary="Deadline",
        start=datetime(2026, 3, 1),
        end=datetime(2026, 3, 3),
        timezone="Europe/London",
        description="",
        all_day=True,
        organizer_name="O",
        organizer_address="https://example.org/",
    )
    links = add_event(deadline).links("events/x.ics")
    assert "&dates=20260301%2F20260303&" in links.google
    assert "ctz=" not in links.google
    assert "&startdt=2026-03-01&enddt=2026-03-02&allday=true" in links.outlook


def test_the_fingerprint_of_a_timed_event_is_as_before_the_schema_grew() -> None:
    """An unchanged event must not get a new SEQUENCE because the format grew."""
    snapshot = Snapshot(
        summary="S",
        start=datetime(2021, 8, 26, 9),
        end=datetime(2021, 8, 26, 10),
        timezone="Asia/Seoul",
        description="D",
        organizer_name="O",
        organizer_address="https://example.org/",
    )
    # Recorded with wego-ical before all_day existed (commit ca13b6c).
    assert snapshot.fingerprint() == RECORDED_FINGERPRINT
    assert replace(snapshot, all_day=True).fingerprint() != RECORDED_FINGERPRINT


RECORDED_FINGERPRINT = "sha256:7e4da44a0f3b32cc2ff9284e9560567ffc1e598afa3c757746c93a99840d2a6a"


def test_the_wego_data_is_one_zone_one_day_per_event() -> None:
    entries = calendar_entries(load_series(DATA))
    assert {entry.zone for entry in entries} == {"Asia/Seoul"}
    assert not any(entry.all_day for entry in entries)


# Europe/London: clocks go back on 2026-10-25 (a day of 25 hours) and forward on
# 2026-03-29 (23 hours).
def _overnight(day: str, start: str, next_day: str, end: str) -> str:
    return (
        f'[[events]]\nid = "e"\ntitle = "E"\ndate = {day}\nend_date = {next_day}\n'
        f'[[events.sessions]]\nid = "x"\nstart = {start}\nend = {end}\nend_date = {next_day}\n'
    )


def test_the_24_hour_limit_counts_elapsed_time_across_the_autumn_change() -> None:
    """23:45 wall-clock hours across the fall-back night are 24.75 real hours: refused."""
    key, message = only(_overnight("2026-10-24", "02:30:00", "2026-10-25", "02:15:00"))
    assert key == 'events[0].sessions[0].end_date (id "e" › "x")'
    assert message.startswith("session 'x' would last 24.75 hours (2026-10-24 02:30 to ")


def test_the_24_hour_limit_counts_elapsed_time_across_the_spring_change() -> None:
    """24:30 wall-clock hours across the spring-forward night are 23.5 real hours: accepted."""
    series = parse_series(HEAD + _overnight("2026-03-28", "09:00:00", "2026-03-29", "09:30:00"))
    (entry,) = calendar_entries(series)
    assert entry.session is not None and entry.session.id == "x"


@pytest.mark.parametrize(
    ("settings", "whole_day", "timed"),
    [
        ("reminder_minutes = 15", timedelta(hours=-15), timedelta(minutes=-15)),
        (
            "reminder_minutes = 15\nall_day_reminder_minutes = 60",
            timedelta(hours=-1),
            timedelta(minutes=-15),
        ),
        ("all_day_reminder_minutes = 0", timedelta(0), None),
        ("", None, None),
    ],
)
def test_whole_day_items_remind_at_a_sensible_time(
    settings: str, whole_day: timedelta | None, timed: timedelta | None
) -> None:
    """reminder_minutes = 15 put TRIGGER:-PT15M on whole-day items: 23:45 the night
    before. They now remind at 09:00 the day before, or as all_day_reminder_minutes says."""
    body = (
        f"[publish]\n{settings}\n"
        '[[events]]\nid = "deadline"\ntitle = "Deadline"\ndate = 2026-03-20\nall_day = true\n'
        '[[events]]\nid = "talk"\ntitle = "Talk"\ndate = 2026-03-21\nstart = 10:00\nend = 11:00\n'
    )
    files = render_files(parse_series(HEAD + body))
    triggers = {}
    for name in ("deadline", "talk"):
        (event,) = icalendar.Calendar.from_ical(files[f"{name}.ics"]).walk("VEVENT")
        alarms = event.walk("VALARM")
        triggers[name] = alarms[0].decoded("TRIGGER") if alarms else None
    assert triggers == {"deadline": whole_day, "talk": timed}


def test_schedule_rules_run_on_the_valid_parts_of_a_failing_event() -> None:
    """A misspelt key no longer hides an overlap in the same event; a key dropped for
    its error does not make up errors of its own (a session ending after midnight
    whose end_date is a string is not said to end before it starts)."""
    body = (
        EVENT
        + "end_date = 2026-03-25\n"
        + '[[events.sessions]]\nid = "a"\nstart = 09:00:00\nend = 10:00:00\nlocaton = "1"\n'
        + '[[events.sessions]]\nid = "b"\nstart = 09:30:00\nend = 10:30:00\n'
        + '[[events.sessions]]\nid = "c"\nstart = 22:00:00\nend = 01:00:00\n'
        + 'end_date = "2026-03-25"\n'
    )
    found = problems(body)
    assert [key for key, _ in found] == [
        'events[0].sessions[0].locaton (id "e" › "a")',
        'events[0].sessions[1].start (id "e" › "b")',
        'events[0].sessions[2].end_date (id "e" › "c")',
    ]
    assert "did you mean 'location'?" in found[0][1]
    assert "session 'b' starts at 09:30 before session 'a' ends at 10:00" in found[1][1]
    assert "Input should be a valid date" in found[2][1]
