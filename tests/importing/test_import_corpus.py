"""Real exports (tests/data/import/README.md: sources and licences), each imported as it
is, checked, built, and compared with its source: every talk or event is there once,
at the same instant and length, with its guid or UID, title, texts and speakers."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from click.testing import CliRunner

from conftest import TEST_DATA
from wego_ical.cli import main
from wego_ical.load.series_file import load_series
from wego_ical.model import Series, calendar_entries, entry_uid

CORPUS = TEST_DATA / "import"
SCHEDULES = {
    "frab-camp2019.json": "Europe/Berlin",
    "pretalx-rc3.json": "Etc/GMT-1",
    "hub-schedule2.json": "Europe/Berlin",
    "../c3voc/pretalx-democon.json": "UTC",  # as its time_zone_name says
}


def imported(source: Path, tmp_path: Path) -> tuple[Path, str]:
    """The series file imported from ``source`` (nothing given on the command line), after
    ``check`` and ``build`` passed on it; and what import printed."""
    data = tmp_path / "events.toml"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(source), "--out", str(data)])
    assert result.exit_code == 0, result.output
    for command in (["check", "--data", str(data)], ["build", "--data", str(data), "--out",
                                                      str(tmp_path / "dist")]):  # fmt: skip
        checked = runner.invoke(main, command)
        assert checked.exit_code == 0, checked.output
    return data, result.output


def imported_with_a_zone(source: Path, data: Path, zone: str) -> Path:
    """A source that names no zone: refused, nothing written, the message naming the
    exact --set to add; then imported with it, and built."""
    runner = CliRunner()
    refused = runner.invoke(main, ["import", str(source), "--out", str(data)])
    assert refused.exit_code == 1 and not data.exists()
    assert "--set timezone=" in refused.output
    result = runner.invoke(
        main, ["import", str(source), "--out", str(data), "--set", f"timezone={zone}"]
    )
    assert result.exit_code == 0, result.output
    out = data.parent / "dist"
    built = runner.invoke(main, ["build", "--data", str(data), "--out", str(out)])
    assert built.exit_code == 0, built.output
    return data


def _talks(document: dict[str, Any]) -> list[dict[str, Any]]:
    schedule = document["schedule"]
    if "events" in schedule:  # the hub's second format
        return list(schedule["events"])
    return [
        talk
        for day in schedule["conference"]["days"]
        for talks in day["rooms"].values()
        for talk in talks
    ]


def _length(talk: dict[str, Any]) -> timedelta:
    if "end" in talk and "duration" not in talk:
        return datetime.fromisoformat(talk["end"]) - datetime.fromisoformat(talk["start"])
    hours, minutes = (int(part) for part in talk["duration"].split(":")[:2])
    return timedelta(hours=hours, minutes=minutes)


def _by_uid(series: Series) -> dict[str, Any]:
    return {entry_uid(series, entry): entry for entry in calendar_entries(series)}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_a_real_schedule_imports_as_it_is_and_loses_no_talk(name: str, tmp_path: Path) -> None:
    source = (CORPUS / name).resolve()
    document = json.loads(source.read_text(encoding="utf-8"))
    data, _ = imported(source, tmp_path)
    series = load_series(data)
    assert series.series.timezone == SCHEDULES[name]
    entries = _by_uid(series)
    talks = [talk for talk in _talks(document) if _length(talk)]
    assert len(entries) == len(talks)
    for talk in talks:
        entry = entries[talk["guid"]]  # the guid is the UID
        start = datetime.fromisoformat(talk["date"] if "date" in talk else talk["start"])
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        assert entry.utc_start == start.astimezone(UTC), talk["title"]
        assert entry.utc_end - entry.utc_start == _length(talk)
        title = entry.session.title if entry.session else entry.event.title
        assert title == talk["title"].strip()
        text = entry.session.description if entry.session else entry.event.description
        for part in ("abstract", "description"):
            if (talk.get(part) or "").strip():
                lines = talk[part].replace("\r\n", "\n").strip()
                assert lines[:60] in text, (talk["title"], part)
        people = talk.get("persons") or talk.get("participants") or []
        speakers = [(p.get("public_name") or p.get("name")).strip() for p in people]
        assert [series.person(p.person).name for p in entry.panelists] == speakers


def test_camp2019s_capital_acronym_becomes_a_series_id(tmp_path: Path) -> None:
    """The acronym Camp2019 made an id the loader then refused (issue 37 item 1)."""
    data, _ = imported(CORPUS / "frab-camp2019.json", tmp_path)
    assert load_series(data).series.id == "camp2019"


def test_rc3s_offsets_without_a_zone_keep_its_clocks(tmp_path: Path) -> None:
    """rC3's talks at 11:30+01:00 showed at 10:30 when read as UTC (issue 37 item 2)."""
    data, output = imported(CORPUS / "pretalx-rc3.json", tmp_path)
    assert "its times are all at UTC+01:00, so timezone is Etc/GMT-1" in " ".join(output.split())
    series = load_series(data)
    first = min(calendar_entries(series), key=lambda entry: entry.utc_start)
    assert (first.start.hour, first.start.minute) == (first.utc_start.hour + 1, 30)


def _occurrences(content: bytes) -> list[tuple[str, str, str]]:
    calendar = icalendar.Calendar.from_ical(content)
    found = recurring_ical_events.of(calendar).between(date(2010, 1, 1), date(2030, 12, 31))
    return sorted(
        (str(event["UID"]), _instant(event.start), _instant(event.end)) for event in found
    )


def _instant(moment: date | datetime) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat()
    return moment.isoformat()


@pytest.mark.parametrize(
    "name",
    ["outlook-exchange-2010.ics", "google-calendar.ics", "google-repeats.ics", "meetup.ics"],
)
def test_a_real_calendar_imports_with_every_occurrence_and_uid(name: str, tmp_path: Path) -> None:
    """Every occurrence of the source's events (repeats and days left out included) is
    one of the build's, at the same instants, with the source's UID."""
    source = CORPUS / name
    _, output = imported(source, tmp_path)
    ours = _occurrences((tmp_path / "dist" / "all.ics").read_bytes())
    theirs = _occurrences(source.read_bytes())
    assert ours == theirs
    assert "time zone" not in output


def test_outlooks_windows_zone_and_long_uids_come_through(tmp_path: Path) -> None:
    data, _ = imported(CORPUS / "outlook-exchange-2010.ics", tmp_path)
    series = load_series(data)
    assert series.series.timezone == "Europe/London"  # "GMT Standard Time"
    uids = sorted(event.uid or "" for event in series.events)
    assert [len(uid) for uid in uids] == [112, 112, 3]
    assert all(len(event.id) <= 64 for event in series.events)


def test_googles_utc_times_are_shown_in_the_calendars_zone(tmp_path: Path) -> None:
    data, _ = imported(CORPUS / "google-calendar.ics", tmp_path)
    (event,) = load_series(data).events
    assert event.timezone is None  # the series' zone: X-WR-TIMEZONE, Europe/London
    assert (event.start, event.end) == (datetime(2024, 10, 4, 19, 15).time(),
                                        datetime(2024, 10, 4, 20).time())  # fmt: skip


def test_a_talk_moved_to_another_room_and_day_reimports_as_one_change(tmp_path: Path) -> None:
    """Camp 2019's first talk moved to another room on the next day, in the source: the
    re-imported series changes that one talk (same UID, SEQUENCE 1, one line in diff)."""
    document = json.loads((CORPUS / "frab-camp2019.json").read_text(encoding="utf-8"))
    days = document["schedule"]["conference"]["days"]
    room, talks = next((r, t) for r, t in days[0]["rooms"].items() if t)
    talk = talks.pop(0)
    other = next(name for name in days[1]["rooms"] if name != room)
    start = datetime.fromisoformat(talk["date"]) + timedelta(days=1, hours=-3)
    talk |= {"date": start.isoformat(), "room": other, "start": f"{start:%H:%M}"}
    days[1]["rooms"][other].append(talk)
    source = tmp_path / "camp.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    data, _ = imported(CORPUS / "frab-camp2019.json", tmp_path)
    runner = CliRunner()
    moved = runner.invoke(main, ["import", str(source), "--out", str(data), "--force"])
    assert moved.exit_code == 0, moved.output
    dist = str(tmp_path / "dist")
    diff = runner.invoke(main, ["diff", "--data", str(data), "--out", dist])
    assert diff.exit_code == 0, diff.output
    changed = [line for line in diff.output.splitlines() if talk["title"] in line]
    assert len(changed) == 1, diff.output
    assert "moved to another event" in changed[0]
    assert runner.invoke(main, ["build", "--data", str(data), "--out", dist]).exit_code == 0
    calendar = icalendar.Calendar.from_ical((tmp_path / "dist" / "all.ics").read_bytes())
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == talk["guid"]]
    assert event.decoded("DTSTART").astimezone(UTC) == start.astimezone(UTC)
    assert event["SEQUENCE"] == 1
    assert other in str(event["LOCATION"])


def test_a_real_agenda_spreadsheet_asks_for_its_zone_then_imports_every_row(
    tmp_path: Path,
) -> None:
    """GPN11's agenda (voctosched's demo): the usual headers (Room, Date, Start, Duration,
    Title, ID, Abstract, Description, Language, Speakers as "10:Name|11:Name"). It names no
    zone: refused with the exact --set to add, then imported with it, row for row."""
    source = CORPUS / "gpn11.csv"
    data = tmp_path / "events.toml"
    series = load_series(imported_with_a_zone(source, data, "Europe/Berlin"))
    sessions = {session.id: session for event in series.events for session in event.sessions}
    entries = {entry.session.id: entry for entry in calendar_entries(series) if entry.session}
    rows = list(csv.DictReader(source.open(encoding="utf-8")))
    assert len(sessions) == len(rows) == 29
    berlin = ZoneInfo("Europe/Berlin")
    for row in rows:
        session, entry = sessions[row["ID"]], entries[row["ID"]]
        start = datetime.fromisoformat(
            f"{row['Date']}T{int(row['Start'][:-3]):02d}:{row['Start'][-2:]}"
        )
        assert entry.utc_start == start.replace(tzinfo=berlin).astimezone(UTC)
        hours, minutes = row["Duration"].split(":")
        assert entry.utc_end - entry.utc_start == timedelta(hours=int(hours), minutes=int(minutes))
        assert session.title == row["Title"].strip()
        assert session.room == row["Room"]
        names = [pair.partition(":")[2].strip() for pair in row["Speakers"].split("|")]
        assert [series.person(p.person).name for p in session.panelists] == names
        for part in ("Abstract", "Description"):
            if row[part].strip():
                assert row[part].strip()[:60] in session.description


def test_fosdems_pentabarf_xml_asks_for_its_zone_then_imports_every_talk(tmp_path: Path) -> None:
    """FOSDEM 2018's pentabarf XML (an excerpt): no <date> per event and no zone. Refused
    with the exact --set to add, then each talk is imported at its day and start."""
    source = CORPUS / "fosdem-2018.xml"
    data = tmp_path / "events.toml"
    series = load_series(imported_with_a_zone(source, data, "Europe/Brussels"))
    by_title = {entry.session.title: entry for entry in calendar_entries(series) if entry.session}
    brussels = ZoneInfo("Europe/Brussels")
    talks = [
        (day.get("date"), event)
        for day in ET.parse(source).getroot().iter("day")
        for event in day.iter("event")
    ]
    assert len(by_title) == len(talks) == 2
    for day, talk in talks:
        entry = by_title[talk.findtext("title")]
        clock = datetime.strptime(talk.findtext("start") or "", "%H:%M").time()
        start = datetime.combine(date.fromisoformat(day or ""), clock, brussels)
        assert entry.utc_start == start.astimezone(UTC)
        hours, minutes = (talk.findtext("duration") or "").split(":")
        assert entry.utc_end - entry.utc_start == timedelta(hours=int(hours), minutes=int(minutes))
        names = [person.text for person in talk.iter("person")]
        assert [series.person(p.person).name for p in entry.panelists] == names
        assert entry.session is not None
        for part in ("subtitle", "abstract", "description"):
            if text := (talk.findtext(part) or "").strip():
                assert text[:60] in entry.session.description, part


def test_meetups_uid_domain_is_not_taken_for_the_series(tmp_path: Path) -> None:
    """A Meetup calendar's UIDs end in @meetup.com: that was the series' uid_domain, so
    its new UIDs claimed Meetup's domain (issue 37 item 5). The event keeps its UID."""
    data, output = imported(CORPUS / "meetup.ics", tmp_path)
    series = load_series(data)
    assert series.series.uid_domain == "example.org"
    assert "set yours before publishing" in output
    (event,) = series.events
    assert event.uid == "event_xwqmnpyxkbgc@meetup.com"
    assert (
        event.location == "Cambridge Innovation Center, 4th Floor Cafe (1 Broadway, Cambridge, MA)"
    )


def test_googles_moved_and_changed_occurrences_stay_one_event(tmp_path: Path) -> None:
    """Moved occurrences became extra events ('…-x', '…-x-x') (issue 37 item 5)."""
    data, _ = imported(CORPUS / "google-repeats.ics", tmp_path)
    series = load_series(data)
    (weekly,) = [event for event in series.events if event.repeat]
    assert len(series.events) == 5
    assert weekly.except_ == [date(2018, 8, 14)]
    assert [(o.date, o.moved_to, o.title) for o in weekly.occurrences] == [
        (date(2018, 7, 24), date(2018, 7, 25), "Tuesday Mornings Postponed"),
        (date(2018, 7, 31), None, "Tuesday Morning Extra Info"),
    ]


def test_the_hubs_schedule_xml_imports_every_talk_with_its_guid_texts_and_people(
    tmp_path: Path,
) -> None:
    """38C3's frab schedule.xml as the CCC hub wrote it (1,007 talks, 2.2 MB): its zone
    from <time_zone_name>, every talk once under its guid, at its <date> and length, with
    every line of its abstract and description (the file indents their paragraphs),
    subtitle, kind, language, web page and speakers."""
    source = CORPUS / "hub-38c3.xml"
    data, _ = imported(source, tmp_path)
    series = load_series(data)
    assert series.series.timezone == "Europe/Berlin"
    entries = _by_uid(series)
    talks = list(ET.parse(source).getroot().iter("event"))
    assert len(talks) == 1007
    sessions = {uid: entry for uid, entry in entries.items() if entry.session}
    assert sorted(sessions) == sorted(talk.get("guid") or "" for talk in talks)
    for talk in talks:
        entry = sessions[talk.get("guid") or ""]
        assert entry.session is not None
        start = datetime.fromisoformat(talk.findtext("date") or "")
        assert entry.utc_start == start.astimezone(UTC)
        hours, minutes = (talk.findtext("duration") or "").split(":")
        assert entry.utc_end - entry.utc_start == timedelta(hours=int(hours), minutes=int(minutes))
        assert entry.session.title == (talk.findtext("title") or "").strip()
        text = entry.session.description
        for part in ("subtitle", "abstract", "description"):
            for line in (talk.findtext(part) or "").splitlines():
                assert line.strip() in text, (talk.findtext("title"), part)
                assert "\n " not in text  # the file's indentation is not the text's
        if (kind := talk.findtext("type") or "other") != "other":
            assert f"Type: {kind}" in text
        for language in filter(None, (talk.findtext("language") or "").split(",")):
            assert f"({language.strip()})" in text
        assert entry.session.url == talk.findtext("url")
        names = [(person.text or "").strip() for person in talk.iter("person")]
        assert [series.person(p.person).name for p in entry.panelists] == names


def test_a_european_list_of_whole_day_items_asks_for_its_zone_then_imports_every_row(
    tmp_path: Path,
) -> None:
    """Berlin's Christmas markets (the city's open data): ';' between columns, German
    headers, each row a market from one day ('von') to another ('bis'), no date column, no
    zone, cells of several lines. Refused with the exact --set to add, then each row is a
    whole-day event with its days, title, address (street, postcode and city), organiser,
    web address, remarks and opening hours; one feed, not 98."""
    source = CORPUS / "berlin-xmas-markets-2015.csv"
    data = tmp_path / "events.toml"
    series = load_series(imported_with_a_zone(source, data, "Europe/Berlin"))
    rows = list(csv.DictReader(source.open(encoding="utf-8"), delimiter=";"))
    assert len(series.events) == len(rows) == 98
    for event, row in zip(series.events, rows, strict=True):
        assert event.all_day and not event.sessions
        assert (event.date, event.last_day) == (
            date.fromisoformat(row["von"]),
            date.fromisoformat(row["bis"]),
        )
        assert event.title == ", ".join(line.strip() for line in row["name"].splitlines())
        lines = f"{row['strasse']}\n{row['plz_ort']}".splitlines()
        assert event.location == ", ".join(filter(None, (line.strip() for line in lines)))
        hours = f"oeffnungszeiten: {row['oeffnungszeiten'].strip()}"
        remarks = row["bemerkungen"].strip()
        if row["oeffnungszeiten"].strip():
            assert event.description == (f"{remarks}\n\n{hours}" if remarks else hours)
        else:
            assert event.description == remarks
        website = row["w3"].strip()
        assert event.url == (f"https://{website}" if website else None)
        organiser = (line.strip() for line in row["veranstalter"].splitlines())
        assert event.host == (", ".join(filter(None, organiser)) or None)
    assert series.publish.feeds == ["categories"]
    calendar = icalendar.Calendar.from_ical((tmp_path / "dist" / "all.ics").read_bytes())
    starts = sorted(str(e.decoded("DTSTART")) for e in calendar.walk("VEVENT"))
    assert starts == sorted(row["von"] for row in rows)
    ends = sorted(str(e.decoded("DTEND") - timedelta(days=1)) for e in calendar.walk("VEVENT"))
    assert ends == sorted(row["bis"] for row in rows)
