"""Repeating entries: one VEVENT with RRULE, EXDATE and RECURRENCE-ID overrides in the
feeds (read back by independent expanders), expanded on the page and in the frab
schedule, validated like everything else."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream

from conftest import WEEKLY, build_site, series_head
from wego_ical.cli import main
from wego_ical.errors import DataError
from wego_ical.load import budget
from wego_ical.load.series_file import parse_series
from wego_ical.model import occurrences

BERLIN = ZoneInfo("Europe/Berlin")
HEAD = series_head()
UID = "s.spring.lesson@example.org"
TUESDAYS = [date(2027, 3, 16), date(2027, 3, 23)] + [
    date(2027, 4, 13) + timedelta(weeks=week) for week in range(6)
]


def expected() -> list[datetime]:
    """The occurrences as a subscriber's calendar must show them: 10:00 Berlin time
    every Tuesday (UTC+1, then UTC+2), but 30 March; 6 April at 14:00 on the 7th."""
    starts = [datetime(2027, 3, 16, 10, tzinfo=BERLIN), datetime(2027, 3, 23, 10, tzinfo=BERLIN)]
    starts.append(datetime(2027, 4, 7, 14, tzinfo=BERLIN))
    starts += [
        datetime.combine(day, datetime.min.time(), BERLIN).replace(hour=10) for day in TUESDAYS[2:]
    ]
    return sorted(start.astimezone(UTC) for start in starts)


@pytest.fixture(scope="module")
def weekly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("weekly"), data_text=WEEKLY) / "dist"


def test_the_feed_holds_one_rule_and_its_changes(weekly: Path) -> None:
    calendar = icalendar.Calendar.from_ical((weekly / "all.ics").read_bytes())
    events = [event for event in calendar.events if str(event["UID"]) == UID]
    assert len(events) == 2
    master, moved = events
    assert [rule.to_ical() for rule in master.rrules] == [b"FREQ=WEEKLY;COUNT=10;BYDAY=TU"]
    assert master.exdates == [datetime(2027, 3, 30, 10, tzinfo=BERLIN)]
    assert moved.decoded("RECURRENCE-ID") == datetime(2027, 4, 6, 10, tzinfo=BERLIN)
    assert moved.start == datetime(2027, 4, 7, 14, tzinfo=BERLIN)
    assert str(moved["SUMMARY"]) == "Spring course · Lesson (moved)"
    assert moved["SEQUENCE"] == master["SEQUENCE"] == 0


def test_recurring_ical_events_expands_it_to_the_same_local_times(weekly: Path) -> None:
    for path in (weekly / "all.ics", weekly / "events" / "s.spring.lesson.ics"):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        found = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))
        starts = sorted(event.start.astimezone(UTC) for event in found)
        assert starts == expected()
        local = sorted(event.start.astimezone(BERLIN).hour for event in found)
        assert local == [10] * 8 + [14]


def test_ical_expands_it_the_same(weekly: Path) -> None:
    calendar = IcsCalendarStream.calendar_from_ics((weekly / "all.ics").read_text(encoding="utf-8"))
    starts = [event.dtstart for event in calendar.timeline_tz(BERLIN) if event.uid == UID]
    assert all(isinstance(start, datetime) for start in starts)
    assert sorted(start.astimezone(UTC) for start in starts if isinstance(start, datetime)) == (
        expected()
    )


def test_vobject_reads_the_rule_and_its_exception(weekly: Path) -> None:
    calendar = vobject.readOne((weekly / "all.ics").read_text(encoding="utf-8"))
    master = next(
        event
        for event in calendar.vevent_list
        if event.uid.value == UID and not hasattr(event, "recurrence_id")
    )
    starts = list(master.getrruleset(addRDate=True))
    assert [start.date() for start in starts] == [
        date(2027, 3, 16),
        date(2027, 3, 23),
        date(2027, 4, 6),
        *TUESDAYS[2:],
    ]
    assert {start.astimezone(BERLIN).hour for start in starts} == {10}


def test_the_page_lists_the_next_occurrences(tmp_path: Path) -> None:
    dist = build_site(tmp_path, data_text=WEEKLY, now="2027-04-20T12:00:00Z") / "dist"
    page = (dist / "index.html").read_text(encoding="utf-8")
    anchors = [f"spring--lesson--{day:%Y%m%d}" for day in TUESDAYS]
    # Built after 20 April's lesson: the ones still to come (and the earlier ones, for a
    # build before the first, are there too: below).
    shown = [anchor for anchor in anchors if f'id="{anchor}"' in page]
    assert shown == anchors[4:]
    assert 'id="spring--lesson--20270406"' not in page
    early = build_site(tmp_path / "early", data_text=WEEKLY, now="2027-01-01T00:00:00Z") / "dist"
    early_page = (early / "index.html").read_text(encoding="utf-8")
    assert 'id="spring--lesson--20270407"' in early_page  # the moved one, on its new day
    assert "Lesson (moved)" in early_page
    assert 'id="spring--lesson--20270330"' not in early_page  # left out


def test_the_frab_schedule_lists_every_occurrence(weekly: Path) -> None:
    schedule = json.loads((weekly / "schedule.json").read_text(encoding="utf-8"))
    events = [
        event
        for day in schedule["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for event in room
    ]
    assert sorted(datetime.fromisoformat(e["date"]).astimezone(UTC) for e in events) == (expected())
    assert len({event["guid"] for event in events}) == len({event["id"] for event in events}) == 9
    meta = schedule["schedule"]["wego_ical"]["entries"]
    assert {entry["uid"] for entry in meta.values()} == {UID}


def test_a_changed_occurrence_is_a_change_of_the_entry(tmp_path: Path) -> None:
    site = build_site(tmp_path, data_text=WEEKLY, now="2027-01-01T00:00:00Z")
    edited = WEEKLY.replace(
        'title = "Lesson (moved)"\n', 'title = "Lesson (moved)"\nstatus = "cancelled"\n'
    )
    (site / "events.toml").write_text(edited, encoding="utf-8")
    data = ["--data", str(site / "events.toml"), "--out", str(site / "dist")]
    diff = CliRunner().invoke(main, ["diff", *data])
    assert diff.output.startswith(
        "changed: Spring course · Lesson <s.spring.lesson@example.org>: changed occurrences"
    )
    built = CliRunner().invoke(main, ["build", *data, "--now", "2027-01-02T00:00:00Z"])
    assert built.exit_code == 0, built.output
    calendar = icalendar.Calendar.from_ical((site / "dist" / "all.ics").read_bytes())
    master, moved = [event for event in calendar.events if str(event["UID"]) == UID]
    assert master["SEQUENCE"] == moved["SEQUENCE"] == 1
    assert moved["STATUS"] == "CANCELLED"
    assert str(moved["SUMMARY"]) == "Cancelled: Spring course · Lesson (moved)"
    found = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))
    cancelled = [event for event in found if event.get("STATUS") == "CANCELLED"]
    assert len(cancelled) == 1


def test_a_whole_day_item_repeats_by_dates(tmp_path: Path) -> None:
    text = HEAD + (
        '[[events]]\nid = "deadline"\ntitle = "Deadline"\ndate = 2027-01-31\nall_day = true\n'
        'repeat = "FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20270630"\nexcept = [2027-03-31]\n'
    )
    dist = build_site(tmp_path, data_text=text) / "dist"
    calendar = icalendar.Calendar.from_ical((dist / "deadline.ics").read_bytes())
    (event,) = calendar.events
    assert event.rrules[0].to_ical() == b"FREQ=MONTHLY;UNTIL=20270630;BYMONTHDAY=-1"
    found = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))
    assert [event.start for event in found] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
    ]


def test_until_as_a_day_includes_it_and_is_written_in_utc(tmp_path: Path) -> None:
    text = HEAD + (
        '[[events]]\nid = "m"\ntitle = "Monthly"\ndate = 2027-01-29\nstart = 18:00:00\n'
        'end = 19:00:00\nrepeat = "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270730"\n'
    )
    dist = build_site(tmp_path, data_text=text) / "dist"
    calendar = icalendar.Calendar.from_ical((dist / "m.ics").read_bytes())
    (event,) = calendar.events
    # The last occurrence's start (30 July, 18:00 in Berlin) in UTC, as RFC 5545 wants.
    assert event.rrules[0]["UNTIL"] == [datetime(2027, 7, 30, 16, tzinfo=UTC)]
    found = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2028, 1, 1))
    assert len(found) == 7


def problems(body: str) -> list[tuple[str, str]]:
    with pytest.raises(DataError) as caught:
        parse_series(HEAD + body)
    return [(p.key, p.message) for p in caught.value.problems]


EVENT = '[[events]]\nid = "w"\ntitle = "W"\nstart = 10:00:00\nend = 11:00:00\n'


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        (
            'date = 2027-03-15\nrepeat = "FREQ=WEEKLY;BYDAY=TU;COUNT=10"\n',
            'events[0].repeat (id "w")',
            "its first occurrence by this rule is 2027-03-16 10:00, not its own start "
            "2027-03-15 10:00; start it on a day the rule gives",
        ),
        (
            'date = 2027-03-16\nrepeat = "FREQ=WEEKLY"\n',
            'events[0].repeat (id "w")',
            "'FREQ=WEEKLY' is not a repeat rule wego-ical reads (it needs an end: COUNT",
        ),
        (
            'date = 2027-03-16\nrepeat = "FREQ=HOURLY;COUNT=3"\n',
            'events[0].repeat (id "w")',
            "'FREQ=HOURLY;COUNT=3' is not a repeat rule wego-ical reads (FREQ must be one of",
        ),
        (
            'date = 2027-03-16\nrepeat = "FREQ=DAILY;COUNT=3;BYHOUR=9"\n',
            'events[0].repeat (id "w")',
            "'FREQ=DAILY;COUNT=3;BYHOUR=9' is not a repeat rule wego-ical reads (BYHOUR is not",
        ),
        (
            'date = 2027-03-16\nrepeat = "FREQ=DAILY;UNTIL=20300101"\n',
            'events[0].repeat (id "w")',
            "repeats more than 1,000 times; end it sooner",
        ),
        (
            'date = 2027-03-16\nrepeat = "FREQ=WEEKLY;COUNT=3"\nexcept = [2027-03-17]\n',
            'events[0].except[0] (id "w")',
            "2027-03-17 is not a day it repeats on (the first: 2027-03-16, 2027-03-23, "
            "2027-03-30); remove it",
        ),
        (
            "date = 2027-03-16\nexcept = [2027-03-23]\n",
            'events[0].except (id "w")',
            "except is for an entry that repeats",
        ),
        (
            'date = 2027-03-16\nrepeat = "FREQ=WEEKLY;COUNT=3"\n'
            "[[events.occurrences]]\ndate = 2027-03-24\n",
            'events[0].occurrences[0].date (id "w")',
            "the occurrence on 2027-03-24 is not a day it repeats on",
        ),
    ],
)
def test_repeat_problems(body: str, key: str, message: str) -> None:
    ((found_key, found_message),) = problems(EVENT + body)
    assert found_key == key
    assert found_message.startswith(message)


def test_no_occurrence_in_a_clock_change() -> None:
    body = (
        '[[events]]\nid = "w"\ntitle = "W"\ndate = 2027-03-21\nstart = 02:30:00\n'
        'end = 03:30:00\nrepeat = "FREQ=WEEKLY;COUNT=3"\n'
    )
    assert problems(body) == [
        (
            'events[0].repeat (id "w")',
            "its occurrence at 2027-03-28 02:30 does not exist (the clocks skip over it for "
            "daylight saving time); leave that day out (except = [2027-03-28]) or move that "
            "occurrence",
        )
    ]
    fixed = body + "except = [2027-03-28]\n"
    assert parse_series(HEAD + fixed).events[0].except_ == [date(2027, 3, 28)]


def test_a_repeating_session_stays_in_its_events_days_and_room() -> None:
    body = (
        '[[events]]\nid = "week"\ntitle = "Week"\ndate = 2027-03-15\nend_date = 2027-03-19\n'
        '[[events.sessions]]\nid = "standup"\nstart = 09:00:00\nend = 09:15:00\n'
        'repeat = "FREQ=DAILY;COUNT=7"\n'
    )
    ((key, message),) = problems(body)
    assert key == 'events[0].sessions[0].repeat (id "week" › "standup")'
    assert message.startswith(
        "session 'standup' has an occurrence at 2027-03-20 09:00, outside its event's days"
    )
    overlapping = body.replace("COUNT=7", "COUNT=5") + (
        '[[events.sessions]]\nid = "talk"\ndate = 2027-03-17\nstart = 09:10:00\nend = 10:00:00\n'
    )
    ((key, message),) = problems(overlapping)
    assert key == 'events[0].sessions[1].start (id "week" › "talk")'
    assert "before session 'standup' ends at 09:15" in message


def test_an_event_with_sessions_does_not_repeat_itself() -> None:
    body = (
        '[[events]]\nid = "e"\ntitle = "E"\ndate = 2027-03-16\nrepeat = "FREQ=DAILY;COUNT=2"\n'
        '[[events.sessions]]\nid = "a"\nstart = 09:00:00\nend = 10:00:00\n'
    )
    assert problems(body) == [
        (
            'events[0].repeat (id "e")',
            "an event with sessions does not repeat itself; set repeat on its sessions",
        )
    ]


def test_the_files_occurrences_together_are_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    """A few hundred KB of daily rules would otherwise mean millions of occurrences to
    check and export: the rules stop at the file's limit, with one message."""
    monkeypatch.setattr(occurrences, "MAX_SERIES_OCCURRENCES", 2500)
    body = "".join(
        f'[[events]]\nid = "e{number}"\ntitle = "E"\ndate = 2027-03-16\nstart = 10:00:00\n'
        f'end = 11:00:00\nrepeat = "FREQ=DAILY;COUNT=1000"\n'
        for number in range(5)
    )
    assert problems(body) == [
        (
            'events[2].repeat (id "e2")',
            "the file's repeating entries take place more than 2,500 times in all (this one "
            "goes past that); repeat them fewer times (COUNT or UNTIL), or split the series",
        )
    ]
    assert len(parse_series(HEAD + body.replace("COUNT=1000", "COUNT=500")).events) == 5


def test_the_budget_names_a_repeating_entrys_occurrences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budget, "MAX_OUTPUT_FILE_BYTES", 1_000_000)
    body = (
        '[[events]]\nid = "daily"\ntitle = "Daily"\ndate = 2027-03-16\nstart = 10:00:00\n'
        f'end = 11:00:00\nrepeat = "FREQ=DAILY;COUNT=1000"\ndescription = "{"d" * 2000}"\n'
    )
    data = tmp_path / "events.toml"
    data.write_text(HEAD + body, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--data", str(data)])
    assert result.exit_code == 1
    assert (
        "The largest entry is event 'daily' (4,903 KB; it takes place 1,000 times): repeat it "
        "fewer times (COUNT or UNTIL), shorten its texts, or split the series"
    ) in result.output
