"""Rooms: sessions in parallel rooms, overlap refused only within one room, the room in
LOCATION, the frab schedule and the page; feeds per room and per person; a person
booked in two places at once."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import icalendar
import pytest
from click.testing import CliRunner

from conftest import ROOT, build_site, series_head
from wego_ical.cli import main
from wego_ical.errors import DataError
from wego_ical.load.series_file import load_editions, parse_editions, parse_series
from wego_ical.model import calendar_entries, entry_uid

EXAMPLE = ROOT / "examples" / "parallel-rooms.toml"

HEAD = series_head()

EVENT = '[[events]]\nid = "e"\ntitle = "E"\ndate = 2027-04-09\nlocation = "Kulturhaus"\n'


def session(sid: str, start: str, end: str, extra: str = "") -> str:
    return (
        f'[[events.sessions]]\nid = "{sid}"\ntitle = "{sid.title()}"\n'
        f"start = {start}:00\nend = {end}:00\n{extra}"
    )


def problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(DataError) as caught:
        parse_series(text)
    return [(p.key, p.message) for p in caught.value.problems]


@pytest.fixture(scope="module")
def example_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    return build_site(tmp_path_factory.mktemp("rooms"), data_text=text) / "dist"


def events_of(path: Path) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(event["UID"]): event for event in calendar.events}


# --- overlap ------------------------------------------------------------------------


def test_sessions_in_different_rooms_may_overlap() -> None:
    series = parse_series(
        HEAD
        + EVENT
        + session("a", "10:00", "11:00", 'room = "Hall 1"\n')
        + session("b", "10:30", "11:30", 'room = "Hall 2"\n')
    )
    assert [entry.room for entry in calendar_entries(series)] == ["Hall 1", "Hall 2"]


def test_sessions_in_one_room_may_not_overlap() -> None:
    found = problems(
        HEAD
        + EVENT
        + session("a", "10:00", "11:00", 'room = "Hall 1"\n')
        + session("b", "10:30", "11:30", 'room = "Hall 2"\n')
        + session("c", "10:45", "11:15", 'room = "Hall 1"\n')
    )
    assert found == [
        (
            'events[0].sessions[2].start (id "e" › "c")',
            "session 'c' starts at 10:45 before session 'a' ends at 11:00 in room 'Hall 1'; "
            "move one of them, or give it another room",
        )
    ]


def test_a_session_takes_its_events_room() -> None:
    """An event's room is its sessions' unless they name their own: two sessions without
    a room of their own in an event with a room share it."""
    found = problems(
        HEAD
        + EVENT
        + 'room = "Hall 1"\n'
        + session("a", "10:00", "11:00")
        + session("b", "10:30", "11:30", 'room = "Hall 2"\n')
        + session("c", "10:45", "11:15")
    )
    assert [key for key, _ in found] == ['events[0].sessions[2].start (id "e" › "c")']
    assert "in room 'Hall 1'" in found[0][1]


def test_sessions_without_rooms_still_may_not_overlap() -> None:
    found = problems(HEAD + EVENT + session("a", "10:00", "11:00") + session("b", "10:30", "11:30"))
    assert found == [
        (
            'events[0].sessions[1].start (id "e" › "b")',
            "session 'b' starts at 10:30 before session 'a' ends at 11:00; move one of "
            'them, or give them rooms (sessions in different rooms may overlap: room = "…")',
        )
    ]


ROOMS = """
[[rooms]]
id = "hall-1"
name = "Hall 1"

[[rooms]]
id = "lounge"
name = "Lounge"
overlap = true
"""


def test_a_room_declared_with_overlap_holds_sessions_at_the_same_time() -> None:
    series = parse_series(
        HEAD
        + ROOMS
        + EVENT
        + session("a", "10:00", "14:00", 'room = "lounge"\n')
        + session("b", "11:00", "12:00", 'room = "lounge"\n')
    )
    assert [series.room(entry.room or "").name for entry in calendar_entries(series)] == [
        "Lounge",
        "Lounge",
    ]


def test_declared_rooms_are_named_by_id() -> None:
    found = problems(HEAD + ROOMS + EVENT + session("a", "10:00", "11:00", 'room = "hall1"\n'))
    assert found == [
        (
            'events[0].sessions[0].room (id "e" › "a")',
            "unknown room 'hall1'; did you mean 'hall-1'? Otherwise add it under [[rooms]]",
        )
    ]


def test_room_ids_are_unique() -> None:
    found = problems(
        HEAD + ROOMS + '[[rooms]]\nid = "lounge"\nname = "Bar"\n' + EVENT + "start = 10:00:00\n"
        "end = 11:00:00\n"
    )
    assert found == [
        (
            'rooms[2].id (id "lounge")',
            "duplicate room id 'lounge' (already used by rooms[1]); give every room its own id",
        )
    ]


def test_a_room_is_not_translated_where_a_session_names_it() -> None:
    text = HEAD.replace(
        'uid_domain = "example.org"', 'uid_domain = "example.org"\nlanguages = ["en", "ko"]'
    )
    found = problems(
        text + EVENT + session("a", "10:00", "11:00", 'room = { en = "Hall", ko = "홀" }\n')
    )
    assert len(found) == 1
    key, message = found[0]
    assert key == 'events[0].sessions[0].room (id "e" › "a")'
    assert message.startswith("a room is written as one text, the same in every language;")
    assert 'declare it under [[rooms]] (id = "main-hall"' in message


def test_rooms_that_are_not_declared_get_ids_from_their_names() -> None:
    series = parse_series(
        HEAD
        + EVENT
        + session("a", "10:00", "11:00", 'room = "Saal 1"\n')
        + session("b", "10:00", "11:00", 'room = "saal-1"\n')
        + session("c", "10:00", "11:00", 'room = "대강당"\n')
    )
    ids = [room.id for room in series.all_rooms()]
    assert ids[:2] == ["saal-1", "saal-1-2"]
    assert ids[2].startswith("room-") and len(ids[2]) == len("room-") + 8


# --- outputs ------------------------------------------------------------------------


def test_the_room_follows_the_venue_in_location(example_dist: Path) -> None:
    english = events_of(example_dist / "all.ics")
    korean = events_of(example_dist / "ko" / "all.ics")
    opening = "open-stage-2027.day-1.opening@example.org"
    assert str(english[opening]["LOCATION"]) == "Kulturhaus, Berlin, Hall 1"
    assert str(korean[opening]["LOCATION"]) == "Kulturhaus, Berlin, 1홀"


def test_room_feeds_hold_exactly_their_rooms_sessions_in_every_language(
    example_dist: Path,
) -> None:
    for language in ("en", "ko"):
        edition = next(e for e in load_editions(EXAMPLE) if e.language == language)
        series = edition.series
        folder = example_dist / language if language == "ko" else example_dist
        expected: dict[str, set[str]] = {}
        for entry in calendar_entries(series):
            if entry.room:
                room_id = series.room(entry.room).id
                expected.setdefault(room_id, set()).add(entry_uid(series, entry))
        found = {path.stem: set(events_of(path)) for path in (folder / "rooms").glob("*.ics")}
        assert found == expected
        assert set(expected) == {"hall-1", "hall-2", "lounge"}


def test_person_feeds_hold_the_sessions_that_name_them(example_dist: Path) -> None:
    for folder in (example_dist, example_dist / "ko"):
        people = {path.stem: set(events_of(path)) for path in (folder / "people").glob("*.ics")}
        assert people == {
            "ada": {
                "open-stage-2027.day-1.opening@example.org",
                "8d6b3f5a-1c2e-4f7a-9b1d-2e3f4a5b6c7d",
            },
            "grace": {"open-stage-2027.day-1.workshop@example.org"},
        }


def test_feeds_json_and_the_page_list_the_room_and_people_feeds(example_dist: Path) -> None:
    state = json.loads((example_dist / "feeds.json").read_text(encoding="utf-8"))
    paths = {feed["path"] for feed in state["feeds"]}
    assert {"rooms/hall-1.ics", "rooms/lounge.ics", "people/ada.ics"} <= paths
    korean_state = json.loads((example_dist / "ko" / "feeds.json").read_text(encoding="utf-8"))
    assert {"rooms/hall-1.ics", "people/grace.ics"} <= {f["path"] for f in korean_state["feeds"]}
    page = (example_dist / "index.html").read_text(encoding="utf-8")
    assert "<h2>Calendars by room</h2>" in page
    assert "<h2>Calendars by speaker</h2>" in page
    assert 'id="feed-rooms-hall-1"' in page and 'id="feed-people-ada"' in page
    # A panelist's name leads to their feed.
    assert 'href="#feed-people-ada" aria-label="Subscribe: Ada Lovelace"' in page
    assert '<span class="who room">Hall 2</span>' in page
    korean = (example_dist / "ko" / "index.html").read_text(encoding="utf-8")
    assert "장소별 캘린더" in korean and '<span class="who room">2홀</span>' in korean


def test_the_default_feeds_are_unchanged(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'feeds = ["events", "categories", "rooms", "people"]\n', ""
    )
    dist = build_site(tmp_path, data_text=text) / "dist"
    assert not (dist / "rooms").exists() and not (dist / "people").exists()
    assert (dist / "day-1.ics").is_file()


def test_a_kind_of_feed_is_listed_once() -> None:
    found = problems(
        HEAD + '[publish]\nfeeds = ["rooms", "rooms"]\n' + EVENT + "start = 10:00:00\n"
        "end = 11:00:00\n"
    )
    assert found == [
        ("publish.feeds", "'rooms' listed more than once; list each kind of feed once")
    ]


def test_the_frab_schedule_puts_each_talk_in_its_room(example_dist: Path) -> None:
    root = ET.parse(example_dist / "schedule.xml").getroot()
    rooms = {
        event.findtext("title"): room.get("name")
        for room in root.iter("room")
        for event in room.iter("event")
    }
    assert rooms == {
        "Opening": "Hall 1",
        "A talk that will move": "Hall 1",
        "Workshop": "Hall 2",
        "Night talk": "Hall 2",
        "Meetup": "Lounge",
        "Small meetup": "Lounge",
    }
    schedule = json.loads((example_dist / "ko" / "schedule.json").read_text(encoding="utf-8"))
    declared = [room["name"] for room in schedule["schedule"]["conference"]["rooms"]]
    assert declared == ["1홀", "2홀", "Lounge"]
    english = json.loads((example_dist / "schedule.json").read_text(encoding="utf-8"))
    guids = [room["guid"] for room in english["schedule"]["conference"]["rooms"]]
    # A room keeps its guid in every language (it is made of the room's id).
    assert guids == [room["guid"] for room in schedule["schedule"]["conference"]["rooms"]]


# --- a person in two places at once -------------------------------------------------

PEOPLE = '[[people]]\nid = "ada"\nname = "Ada Lovelace"\n'


def test_a_person_in_two_rooms_at_once_is_a_note_and_an_error_with_strict(
    tmp_path: Path,
) -> None:
    text = (
        HEAD
        + PEOPLE
        + EVENT
        + session("a", "10:00", "11:00", 'room = "Hall 1"\npanelists = ["ada"]\n')
        + session("b", "10:30", "11:30", 'room = "Hall 2"\npanelists = ["ada"]\n')
    )
    (edition,) = parse_editions(text)
    assert len(edition.notes) == 1
    assert edition.notes[0].endswith(
        'events[0].sessions[1] (id "e" › "b") names Ada Lovelace (ada) at 2027-04-09 10:30 '
        'in room \'Hall 2\', while events[0].sessions[0] (id "e" › "a") has them until '
        "11:00 in room 'Hall 1'; check its time or its panelists"
    )
    assert edition.notes[0].startswith("line ")
    data = tmp_path / "events.toml"
    data.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--data", str(data), "--strict"])
    assert result.exit_code == 1
    assert "names Ada Lovelace (ada)" in result.output
    assert "(an error with --strict)" in result.output


def test_an_events_panelists_are_not_booked_in_each_of_its_parallel_sessions() -> None:
    text = (
        HEAD
        + PEOPLE
        + EVENT
        + 'panelists = ["ada"]\n'
        + session("a", "10:00", "11:00", 'room = "Hall 1"\n')
        + session("b", "10:30", "11:30", 'room = "Hall 2"\n')
    )
    (edition,) = parse_editions(text)
    assert edition.notes == ()


# --- conference days ----------------------------------------------------------------


def test_a_talk_after_midnight_is_listed_under_its_conference_day(example_dist: Path) -> None:
    """day_change = 06:00: the talk at 01:00 on the 10th is on the 9th's page and in the
    9th's day of the frab schedule; its calendar entry keeps its real time."""
    page = (example_dist / "index.html").read_text(encoding="utf-8")
    # One conference day: the event's date line says so, and no day heading splits it.
    assert "Friday 9 April 2027" in page and 'id="day-1--night-talk"' in page
    assert "10 April" not in page and 'class="day"' not in page
    root = ET.parse(example_dist / "schedule.xml").getroot()
    days = {
        element.get("date"): [event.findtext("title") for event in element.iter("event")]
        for element in root.iter("day")
    }
    assert list(days) == ["2027-04-09"]
    assert "Night talk" in days["2027-04-09"]
    night = events_of(example_dist / "all.ics")["open-stage-2027.day-1.night-talk@example.org"]
    assert night.start.isoformat() == "2027-04-10T01:00:00+02:00"


def test_a_session_before_the_day_change_of_the_first_day_is_outside_its_event() -> None:
    text = HEAD.replace("[series.organiser]", "day_change = 06:00:00\n[series.organiser]")
    found = problems(text + EVENT + session("a", "01:00", "02:00"))
    assert found == [
        (
            'events[0].sessions[0].date (id "e" › "a")',
            "session 'a' is on 2027-04-09 01:00, which belongs to the conference day "
            "2027-04-08 (day_change 06:00), outside its event's day 2027-04-09; move it, or "
            "widen the event with end_date",
        )
    ]


def test_an_events_day_change_overrides_the_series() -> None:
    late = "date = 2027-04-10\nstart = 03:00:00\nend = 04:00:00\n"
    body = EVENT + session("a", "22:00", "23:00") + session("b", "03:00", "04:00", "")
    body = body.replace("start = 03:00:00\nend = 04:00:00\n", late)
    assert problems(HEAD + body)[0][1].startswith("session 'b' is on 2027-04-10")
    with_change = body.replace(
        'location = "Kulturhaus"\n', 'location = "K"\nday_change = 05:00:00\n'
    )
    series = parse_series(HEAD + with_change)
    assert str(series.day_change_of(series.events[0])) == "05:00:00"
