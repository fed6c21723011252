"""Own UIDs: kept verbatim (or as the key of a derived UID), unique, safe as file names,
the frab guid when they are UUIDs; a session that moves to another event with its uid
is a change (SEQUENCE + 1, "moved" in diff), never cancelled and added again."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from conftest import ROOT, build_site, series_head
from wego_ical.catalogue import event_file
from wego_ical.cli import main
from wego_ical.errors import DataError
from wego_ical.load.series_file import parse_series
from wego_ical.model import calendar_entries, entry_uid

EXAMPLE = ROOT / "examples" / "parallel-rooms.toml"
MOVING = "8d6b3f5a-1c2e-4f7a-9b1d-2e3f4a5b6c7d"

HEAD = series_head() + '[[events]]\nid = "e"\ntitle = "E"\ndate = 2027-04-09\n'


def session(sid: str, start: str, uid: str | None = None) -> str:
    own = f"uid = {json.dumps(uid, ensure_ascii=False)}\n" if uid is not None else ""
    return f'[[events.sessions]]\nid = "{sid}"\n{own}start = {start}:00\nend = {start[:2]}:30:00\n'


def uids(text: str) -> list[str]:
    series = parse_series(text)
    return [entry_uid(series, entry) for entry in calendar_entries(series)]


def problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(DataError) as caught:
        parse_series(text)
    return [(p.key, p.message) for p in caught.value.problems]


def test_an_own_uid_is_kept_as_it_is() -> None:
    found = uids(
        HEAD
        + session("a", "09:00", "040000008200E00074C5B7101A82E008@outlook.example")
        + session("b", "10:00")
    )
    assert found == ["040000008200E00074C5B7101A82E008@outlook.example", "s.e.b@example.org"]


def test_an_own_uid_that_is_not_one_word_of_ascii_becomes_a_derived_uids_key() -> None:
    (found,) = uids(HEAD + session("a", "09:00", "Talk 12: Grüße"))
    assert found.startswith("s.talk-12-gr-e-") and found.endswith("@example.org")
    # The same text gives the same UID in every build.
    assert uids(HEAD + session("a", "09:00", "Talk 12: Grüße")) == [found]


def test_two_entries_may_not_share_a_uid() -> None:
    found = problems(HEAD + session("a", "09:00", "x@y") + session("b", "10:00", "x@y"))
    assert found == [
        (
            'events[0].sessions[1].uid (id "e" › "b")',
            "uid 'x@y' is already the UID of events[0].sessions[0]; give every session its "
            "own uid, or remove this one",
        )
    ]


def test_an_own_uid_may_not_be_another_entrys_derived_uid() -> None:
    found = problems(HEAD + session("a", "09:00") + session("b", "10:00", "s.e.a@example.org"))
    assert [key for key, _ in found] == ['events[0].sessions[1].uid (id "e" › "b")']


def test_an_event_with_sessions_has_no_uid_of_its_own() -> None:
    found = problems(HEAD.replace('id = "e"\n', 'id = "e"\nuid = "abc"\n') + session("a", "09:00"))
    assert found == [
        (
            'events[0].uid (id "e")',
            "an event with sessions is not itself a calendar entry, so it has no uid; set "
            "uid on its sessions",
        )
    ]


@pytest.mark.parametrize(
    ("uid", "problem"),
    [
        ("", "must not be empty or only spaces"),
        ("a\nb", "contains a line break or control character; a uid is one line"),
        ("x" * 256, "is 256 characters long; the limit for a uid is 255"),
    ],
)
def test_a_uid_is_one_short_line(uid: str, problem: str) -> None:
    ((key, message),) = problems(HEAD + session("a", "09:00", uid))
    assert key == 'events[0].sessions[0].uid (id "e" › "a")'
    assert message.startswith(problem)


@pytest.mark.parametrize(
    "uid",
    ["../../etc/passwd@x", "a/b@c", "ABC@x", "..@x", "con@x", "%2e%2e@x", "a b@x"],
)
def test_the_single_event_file_of_an_own_uid_is_a_safe_name(uid: str) -> None:
    path = event_file(uid)
    folder, name = path.split("/")
    assert folder == "events"
    assert name.endswith(".ics") and name == name.lower()
    assert set(name.removesuffix(".ics")) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    # Different UIDs, different files (the hash is of the whole UID).
    assert event_file(uid + "x") != path


def test_derived_uids_keep_their_file_names() -> None:
    assert event_file("wego-awards-4.part-1.mobility@wego.example") == (
        "events/wego-awards-4.part-1.mobility.ics"
    )


# --- moving a session ---------------------------------------------------------------


def test_a_session_moved_with_its_uid_is_one_change(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    site = build_site(tmp_path, data_text=text, now="2027-01-11T00:00:00Z")
    dist = site / "dist"
    start = text.index('[[events.sessions]]\nid = "talk"')
    end = text.index("[[events.sessions]]", start + 1)
    moved = (
        text[:start]
        + text[end:]
        + '\n[[events]]\nid = "day-2"\ntitle = "Day 2"\ndate = 2027-04-10\n'
        + 'location = "Kulturhaus, Berlin"\n\n'
        + text[start:end]
    )
    (site / "events.toml").write_text(moved, encoding="utf-8")
    runner = CliRunner()
    data = ["--data", str(site / "events.toml"), "--out", str(dist)]
    diff = runner.invoke(main, ["diff", *data])
    assert diff.exit_code == 0, diff.output
    lines = [line for line in diff.output.splitlines() if MOVING in line]
    assert len(lines) == 1
    assert lines[0].startswith("moved to another event: Day 2 · A talk that will move")
    assert "time 2027-04-09 11:00–12:00 CEST → 2027-04-10 11:00–12:00 CEST" in lines[0]
    build = runner.invoke(main, ["build", *data, "--now", "2027-01-12T00:00:00Z"])
    assert build.exit_code == 0, build.output
    for folder in (dist, dist / "ko"):
        calendar = icalendar.Calendar.from_ical((folder / "all.ics").read_bytes())
        copies = [event for event in calendar.events if str(event["UID"]) == MOVING]
        assert len(copies) == 1
        assert copies[0]["SEQUENCE"] == 1
        assert copies[0]["STATUS"] == "CONFIRMED"
        assert str(copies[0].start)[:10] == "2027-04-10"
        # Subscribers of the first day's feed see it leave; those of the second see it come.
        left = icalendar.Calendar.from_ical((folder / "day-1.ics").read_bytes())
        (gone,) = [event for event in left.events if str(event["UID"]) == MOVING]
        assert gone["STATUS"] == "CANCELLED"
        arrived = icalendar.Calendar.from_ical((folder / "day-2.ics").read_bytes())
        assert [str(event["UID"]) for event in arrived.events] == [MOVING]
    schedule = json.loads((dist / "schedule.json").read_text(encoding="utf-8"))
    guids = [
        event["guid"]
        for day in schedule["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for event in room
    ]
    # A UUID uid is the talk's frab guid; the others are derived from their UIDs.
    assert MOVING in guids
    assert str(uuid.uuid5(uuid.NAMESPACE_URL, "open-stage-2027.day-1.opening@example.org")) in (
        guids
    )
    changes = (dist / "changes.atom").read_text(encoding="utf-8")
    assert "Moved: Day 2 · A talk that will move" in changes
