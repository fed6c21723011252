"""importing: a series from a spreadsheet, a frab/pretalx schedule, or an .ics — checked
as a build checks it, never written over a file without --force; round trips."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import icalendar
import pytest
from click.testing import CliRunner

from conftest import CONFERENCE, DATA, DIST, ROOT, TEST_DATA, english_only
from wego_ical.cli import main
from wego_ical.load.series_file import load_editions, load_series
from wego_ical.model import calendar_entries

PRETALX = TEST_DATA / "c3voc" / "pretalx-democon.json"


def entries(folder: Path) -> set[tuple[str, str, str, str]]:
    """(UID, start, end, title) of every event of all.ics: instants in UTC, dates as dates."""
    calendar = icalendar.Calendar.from_ical((folder / "all.ics").read_bytes())

    def moment(value: date | datetime) -> str:
        return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else str(value)

    return {
        (
            str(e["UID"]),
            moment(e.decoded("DTSTART")),
            moment(e.decoded("DTEND")),
            str(e["SUMMARY"]),
        )
        for e in calendar.events
    }


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def build(data: Path) -> Path:
    out = data.parent / "dist"
    code, output = run("build", "--data", str(data), "--out", str(out))
    assert code == 0, output
    return out


def every_property(folder: Path) -> dict[str, dict[str, str]]:
    """Each event of all.ics by UID: every property but the build's time stamps."""
    calendar = icalendar.Calendar.from_ical((folder / "all.ics").read_bytes())
    stamps = ("DTSTAMP", "LAST-MODIFIED", "SEQUENCE")
    return {
        str(event["UID"]): {key: str(value) for key, value in event.items() if key not in stamps}
        for event in calendar.events
    }


@pytest.mark.parametrize("data", [DATA, CONFERENCE, ROOT / "examples" / "dst-new-york.toml"])
def test_an_own_export_imports_as_the_file_it_was_made_from(tmp_path: Path, data: Path) -> None:
    """Every property of every feed event, in every language, comes back: the location,
    the Korean texts, projects, topics, judges and links were lost (issue 37 item 8)."""
    original = tmp_path / "original"
    assert run("build", "--data", str(data), "--out", str(original))[0] == 0
    imported = tmp_path / "events.toml"
    code, output = run("import", str(original / "schedule.json"), "--out", str(imported))
    assert code == 0, output
    out = build(imported)
    for language in ["", *load_series(data).series.languages[1:]]:
        assert every_property(out / language) == every_property(original / language), language


def test_wego_schedule_json_round_trip_gives_the_same_feeds(tmp_path: Path) -> None:
    data = tmp_path / "events.toml"
    code, output = run("import", str(DIST / "schedule.json"), "--out", str(data))
    assert code == 0, output
    assert "note: not carried over: links, recordings and logos" in output
    out = build(data)
    assert entries(out) == entries(DIST)
    assert {p.name for p in out.glob("*.ics")} == {p.name for p in DIST.glob("*.ics")}
    series = load_series(data)
    assert series.series.organiser.name.startswith("WeGO")
    # Imported again, the same file.
    again = tmp_path / "again.toml"
    assert run("import", str(out / "schedule.json"), "--out", str(again))[0] == 0

    def body(path: Path) -> list[str]:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]

    # Imported again, the same file.
    assert body(again) == body(data)


def test_the_korean_edition_comes_back_as_translations(tmp_path: Path) -> None:
    """The round trip dropped the Korean texts (issue 37 item 8): the default edition's
    schedule.json names its languages, and ko/schedule.json beside it gives their texts."""
    data = tmp_path / "events.toml"
    code, output = run("import", str(DIST / "schedule.json"), "--out", str(data))
    assert code == 0, output
    series = load_series(data)
    assert series.series.languages == ["en", "ko"]
    out = build(data)
    assert entries(out / "ko") == entries(DIST / "ko")
    korean = load_editions(data)[1].series
    assert korean.series.title == "제4회 WeGO 어워즈"
    assert [c.name for c in korean.categories][:2] == ["이동성", "개방·포용 도시"]
    # Imported from the Korean edition: only its texts, and a note on where the rest are.
    code, output = run(
        "import", str(DIST / "ko" / "schedule.json"), "--out", str(tmp_path / "k.toml")
    )
    assert code == 0, output
    assert "import the 'en' edition's schedule.json to bring every language" in output


def test_the_conference_round_trip_keeps_zones_whole_days_and_nights(tmp_path: Path) -> None:
    """Several days, whole-day items, a session after midnight, a session in another zone."""
    original = tmp_path / "original" / "dist"
    code, output = run("build", "--data", str(CONFERENCE), "--out", str(original))
    assert code == 0, output
    data = tmp_path / "events.toml"
    assert run("import", str(original / "schedule.json"), "--out", str(data))[0] == 0
    assert entries(build(data)) == entries(original)
    assert load_series(data).publish.base_url == "https://calendar.example.org/open-cities"


def test_a_spreadsheet_of_the_wego_sessions_gives_the_same_entries(tmp_path: Path) -> None:
    series = load_series(DATA)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["event_id", "event", "date", "start", "end", "session_id", "title",
                     "category", "speakers", "location"])  # fmt: skip
    for event in series.events:
        for session in event.sessions:
            assert session.category is not None
            category = series.category(session.category).name
            writer.writerow([
                event.id, event.title, event.date, f"{session.start:%H:%M}",
                f"{session.end:%H:%M}", session.id, category, category,
                "; ".join(series.person(p.person).name for p in event.panelists),
                event.location,
            ])  # fmt: skip
        if not event.sessions:
            writer.writerow([event.id, event.title, event.date, f"{event.start:%H:%M}",
                             f"{event.end:%H:%M}", "", "", "", "", event.location])  # fmt: skip
    sheet = tmp_path / "sessions.csv"
    sheet.write_text(out.getvalue(), encoding="utf-8")
    data = tmp_path / "events.toml"
    code, output = run(
        "import", str(sheet), "--out", str(data), "--set", "id=wego-awards-4",
        "--set", "uid_domain=we-gov.org", "--set", "timezone=Asia/Seoul",
        "--set", "title=4th WeGO Awards", "--set", "url=https://we-gov.org/",
        "--set", "organiser=WeGO",
    )  # fmt: skip
    assert code == 0, output
    assert entries(build(data)) == entries(DIST)
    # The same sheet as TSV.
    tsv = tmp_path / "sessions.tsv"
    tsv.write_text(out.getvalue().replace(",", "\t"), encoding="utf-8")
    code, output = run("import", str(tsv), "--out", str(tmp_path / "tsv.toml"),
                       "--set", "id=wego-awards-4", "--set", "uid_domain=we-gov.org",
                       "--set", "timezone=Asia/Seoul")  # fmt: skip
    assert code == 0, output


def test_the_template_imports_and_builds(tmp_path: Path) -> None:
    code, template = run("import", "--template", "csv")
    assert code == 0 and template.startswith("event_id,event,date,start,end,session_id,title")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(template, encoding="utf-8")
    data = tmp_path / "events.toml"
    code, output = run("import", str(sheet), "--out", str(data), "--set", "timezone=Europe/Berlin")
    assert code == 0, output
    assert "a UID domain (uid_domain is example.org" in output
    series = load_series(data)
    assert [e.id for e in series.events] == ["opening", "talks"]
    talks = series.events[1]
    assert [s.id for s in talks.sessions] == ["keynote", "mobility"]
    assert talks.sessions[0].panelists[1].person == "ben-example"
    assert build(data).is_dir()


def test_a_pretalx_schedule_imports_with_rooms_tracks_and_persons(tmp_path: Path) -> None:
    data = tmp_path / "events.toml"
    code, output = run(
        "import", str(PRETALX), "--out", str(data), "--set", "uid_domain=democon.example"
    )
    assert code == 0, output
    series = load_series(data)
    assert series.series.id == "democon" and series.series.timezone == "UTC"
    sessions = [s for e in series.events for s in e.sessions]
    assert len(sessions) > 10
    # One event per day, each talk a session in its room (declared, in the schedule's
    # order), with the talk's guid as its uid.
    assert all(e.id.startswith("day-") and e.location is None for e in series.events)
    assert {room.name for room in series.rooms} >= {"Gray Room", "Tan Room"}
    assert all(series.room(s.room or "").name for s in sessions)
    assert all(s.id.startswith("talk-") for s in sessions)
    assert series.categories and series.people
    assert sessions[0].description.endswith("Language: English (en)")
    # Every text of a talk is kept: its abstract and its description (the description
    # was dropped whenever there was an abstract: 36 of 36 talks here), and its link.
    talks = [
        talk
        for day in json.loads(PRETALX.read_text(encoding="utf-8"))["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for talk in room
    ]
    by_title = {s.title: s for s in sessions}
    for talk in talks:
        kept = by_title[talk["title"]]
        assert kept.uid == talk["guid"]
        assert talk["abstract"].strip() in kept.description
        assert talk["description"].strip() in kept.description
        assert str(kept.url) == talk["url"]
    first = entries(build(data))
    # Imported again: the same ids, so the same UIDs.
    again = tmp_path / "again" / "events.toml"
    assert (
        run("import", str(PRETALX), "--out", str(again), "--set", "uid_domain=democon.example")[0]
        == 0
    )
    assert entries(build(again)) == first


def test_schedule_xml_and_an_ics_import(tmp_path: Path) -> None:
    data = tmp_path / "xml" / "events.toml"
    code, output = run("import", str(DIST / "schedule.xml"), "--out", str(data),
                       "--set", "uid_domain=we-gov.org")  # fmt: skip
    assert code == 0, output
    from_xml = entries(build(data))
    assert sorted((start, end) for _, start, end, _ in from_xml) == sorted(
        (start, end) for _, start, end, _ in entries(DIST)
    )
    assert any(title.endswith("· Mobility") for *_, title in from_xml)
    calendar = tmp_path / "ics" / "events.toml"
    code, output = run("import", str(DIST / "all.ics"), "--out", str(calendar))
    assert code == 0, output
    from_ics = entries(build(calendar))
    # The calendar's UIDs are kept: the same events, not new ones.
    assert from_ics == entries(DIST)


def test_an_existing_file_is_never_replaced_without_force(tmp_path: Path) -> None:
    data = tmp_path / "events.toml"
    data.write_text("mine", encoding="utf-8")
    code, output = run("import", str(DIST / "schedule.json"), "--out", str(data))
    assert code == 1 and "exists already; nothing was written (pass --force" in output
    assert data.read_text(encoding="utf-8") == "mine"
    assert run("import", str(DIST / "schedule.json"), "--out", str(data), "--force")[0] == 0


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("event,date\nx,2026-01-01\n", (), "the column start is missing (its columns: event"),
        ("event,date,start,end\nx,2026-02-30,09:00,10:00\n", (),
         "row 2: date '2026-02-30' is not YYYY-MM-DD"),
        ("event,date,start,end\nx,2026-02-03,9h,10:00\n", (), "row 2: time '9h' is not HH:MM"),
        ("event,date,start,end\nx,2026-02-03,09:00,10:00\n", ("--set", "timezone=Mars/Base"),
         "series.timezone: 'Mars/Base' is not an IANA time zone name"),
        ("event,date,start,end\nx,2026-02-03,09:00,10:00\n", ("--set", "colour=red"),
         "--set 'colour=red': give KEY=VALUE"),
        (b"event,date,start,end\n\x81,2026-02-03,09:00,10:00\n", (),
         "is not UTF-8 (byte 21) nor Windows-1252"),
    ],
)  # fmt: skip
def test_bad_sources_get_a_message_and_nothing_is_written(
    tmp_path: Path, content: str | bytes, args: tuple[str, ...], message: str
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(content if isinstance(content, bytes) else content.encode())
    data = tmp_path / "events.toml"
    code, output = run("import", str(sheet), "--out", str(data), *args)
    assert code == 1 and message in output, output
    assert "Traceback" not in output and not data.exists()


def test_an_excel_csv_in_windows_1252_is_read_with_a_note(tmp_path: Path) -> None:
    """Excel saves "CSV" in Windows-1252 in Western Europe (";" where the comma is the
    decimal mark): refused as not UTF-8 before; now read, with a note saying so."""
    sheet = tmp_path / "programm.csv"
    text = "Titel;Datum;Beginn;Ende;Ort\r\nEröffnung – Grüße;04.05.2026;09:00;10:00;Saal ß\r\n"
    sheet.write_bytes(text.encode("cp1252"))
    data = tmp_path / "events.toml"
    code, output = run("import", str(sheet), "--out", str(data), "--set", "timezone=Europe/Berlin")
    assert code == 0, output
    assert "the file is not UTF-8 (byte 31), so it was read as Windows-1252" in output
    (event,) = load_series(data).events
    (session,) = event.sessions
    assert (session.title, session.location) == ("Eröffnung – Grüße", "Saal ß")


def test_a_json_that_is_not_a_schedule(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    code, output = run("import", str(bad), "--out", str(tmp_path / "e.toml"))
    assert code == 1 and "cannot be read as json (missing 'schedule')" in output
    assert english_only("") == ""


@pytest.mark.parametrize(
    ("windows", "iana"),
    [("Tokyo Standard Time", "Asia/Tokyo"), ("W. Europe Standard Time", "Europe/Berlin"),
     ("Korea Standard Time", "Asia/Seoul"), ("UTC", "UTC")],
)  # fmt: skip
def test_windows_zone_names_become_iana_names(tmp_path: Path, windows: str, iana: str) -> None:
    """Outlook and Exchange name zones the Windows way; they were refused (issue 37)."""
    source = tmp_path / "outlook.ics"
    source.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n"
        b"X-WR-TIMEZONE:" + windows.encode() + b"\r\n"
        b"BEGIN:VEVENT\r\nUID:a@example.org\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:A\r\n"
        b"DTSTART:20260505T090000Z\r\nDTEND:20260505T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out))
    assert code == 0, output
    series = load_series(out)
    assert series.series.timezone == iana
    assert "names none" not in output


def test_a_source_without_a_zone_or_offsets_is_refused_with_the_setting_to_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spreadsheet names no zone and its times no offset: they were silently UTC
    (issue 37). Nothing is written; the message gives the exact --set to add."""
    monkeypatch.setenv("TZ", "Asia/Seoul")
    source = tmp_path / "talks.csv"
    source.write_text("event,date,start,end,title\nTalks,2026-05-05,10:00,10:45,Keynote\n")
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out))
    assert code == 1
    assert (
        "the source names no time zone and its times have no UTC offset, so when they happen "
        "depends on a zone it does not say; import again with --set timezone=Area/City, the "
        "zone of the event's clocks (for example --set timezone=Asia/Seoul)"
    ) in " ".join(output.split())
    assert not out.exists()
    code, output = run("import", str(source), "--out", str(out), "--set", "timezone=Asia/Seoul")
    assert code == 0 and "time zone" not in output
    assert load_series(out).events[0].sessions[0].start == time(10, 0)


def _schedule_at(*starts: str) -> str:
    talks = ", ".join(
        f'{{"guid": "g{n}", "date": "{start}", "duration": "00:30", "title": "T{n}"}}'
        for n, start in enumerate(starts)
    )
    return (
        '{"schedule": {"conference": {"acronym": "c", "title": "C", '
        f'"days": [{{"date": "{starts[0][:10]}", "rooms": {{"R": [{talks}]}}}}]}}}}}}'
    )


def test_one_offset_throughout_is_that_fixed_offset_with_a_note(tmp_path: Path) -> None:
    """pretalx's rC3 export: times at +01:00 and no zone. Read as UTC, the page showed
    10:30 for an 11:30 talk; a fixed offset keeps the times the source shows."""
    source = tmp_path / "schedule.json"
    source.write_text(_schedule_at("2020-12-27T11:30:00+01:00", "2020-12-27T13:00:00+01:00"))
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out))
    assert code == 0, output
    assert (
        "its times are all at UTC+01:00, so timezone is Etc/GMT-1 (that offset all year); if "
        "the event was in a city's zone, import again with --set timezone=Area/City (such as "
        "Europe/Amsterdam or Africa/Algiers"
    ) in " ".join(output.split())
    series = load_series(out)
    assert series.series.timezone == "Etc/GMT-1"
    assert [s.start for s in series.events[0].sessions] == [time(11, 30), time(13, 0)]


def test_offsets_that_change_name_the_zones_they_fit(tmp_path: Path) -> None:
    """+01:00 in March, +02:00 in April: a zone with daylight saving time, one of many
    (the message lists the exact settings); +05:45 twice: Nepal's only."""
    source = tmp_path / "schedule.json"
    source.write_text(_schedule_at("2027-03-20T10:00:00+01:00", "2027-04-03T10:00:00+02:00"))
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out))
    assert code == 1
    assert (
        "the source names no time zone and its times' UTC offsets (UTC+01:00, UTC+02:00) fit "
        "several zones; import again with one of --set timezone=Europe/Amsterdam, --set "
        "timezone=Africa/Ceuta"
    ) in " ".join(output.split())
    assert not out.exists()
    source.write_text(_schedule_at("2027-03-20T10:00:00+05:45", "2027-03-20T11:00:00+05:45"))
    code, output = run("import", str(source), "--out", str(out))
    assert code == 0, output
    assert "its times' offsets fit Asia/Kathmandu only, so that is its timezone" in output
    assert load_series(out).series.timezone == "Asia/Kathmandu"


def test_times_in_utc_say_so(tmp_path: Path) -> None:
    source = tmp_path / "schedule.json"
    source.write_text(_schedule_at("2027-03-20T10:00:00+00:00"))
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out))
    assert code == 0, output
    assert "the source names none and gives its times in UTC (timezone is UTC)" in output


PENTABARF = """<?xml version="1.0" encoding="UTF-8"?>
<schedule>
  <conference><title>FOSDEM 2024</title><acronym>fosdem-2024</acronym>
    <time_zone_name>Europe/Brussels</time_zone_name></conference>
  <day index="1" date="2024-02-03">
    <room name="Janson">
      <event id="1"><start>09:30</start><duration>00:25</duration><title>Welcome</title>
        <abstract>Hello.</abstract><persons><person id="1">Ada</person></persons></event>
      <event id="2"><start>10:00</start><duration></duration><title>No length</title></event>
    </room>
  </day>
</schedule>
"""


def test_a_pentabarf_schedule_without_dates_per_event_imports(tmp_path: Path) -> None:
    """FOSDEM's pentabarf XML gives the day's date and each talk's <start>; one empty
    <duration> failed the whole file (issue 37 item 4). Times are the conference's."""
    source = tmp_path / "fosdem.xml"
    source.write_text(PENTABARF, encoding="utf-8")
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out), "--set", "uid_domain=f.org")
    assert code == 0, output
    assert "1 talk without a duration, or of none ('No length')" in " ".join(output.split())
    series = load_series(out)
    assert series.series.timezone == "Europe/Brussels"
    (session,) = [s for e in series.events for s in e.sessions]
    assert session.title == "Welcome" and session.start is not None
    assert session.start.isoformat() == "09:30:00"
    assert session.end is not None and session.end.isoformat() == "09:55:00"


def test_a_european_excel_export_imports_as_it_is(tmp_path: Path) -> None:
    """Excel where the comma is the decimal mark: ';' separators, a BOM, day-first dates,
    9:00-style and AM/PM times, empty rows at the end (issue 37 item 6); each was refused."""
    source = tmp_path / "programm.csv"
    source.write_bytes(
        "\ufeffevent;date;start;end;title\r\n"
        "Tagung;26.08.2021;9:00;9:45;Eröffnung\r\n"
        "Tagung;26.08.2021;10:00 AM;1:15 PM;Workshop\r\n"
        ";;;;\r\n;;;;\r\n".encode()
    )
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out), "--set", "timezone=Europe/Berlin")
    assert code == 0, output
    (event,) = load_series(out).events
    assert event.date == date(2021, 8, 26)
    assert [(s.title, str(s.start), str(s.end)) for s in event.sessions] == [
        ("Eröffnung", "09:00:00", "09:45:00"),
        ("Workshop", "10:00:00", "13:15:00"),
    ]
    ambiguous = tmp_path / "us.csv"
    ambiguous.write_text("event,date,start,end,title\nA,03/04/2021,9:00,10:00,T\n")
    code, output = run("import", str(ambiguous), "--out", str(tmp_path / "x.toml"))
    assert code == 1 and (
        "could be day/month or month/day; import again with --date-order day-first "
        "(26/08/2021) or --date-order month-first (08/26/2021)"
    ) in " ".join(output.split())
    for order, day in (("day-first", date(2021, 4, 3)), ("month-first", date(2021, 3, 4))):
        out = tmp_path / f"{order}.toml"
        code, output = run(
            "import", str(ambiguous), "--out", str(out), "--date-order", order,
            "--set", "timezone=Europe/Berlin",
        )  # fmt: skip
        assert code == 0, output
        assert load_series(out).events[0].date == day


def test_ids_made_from_a_schedule_are_always_valid_and_distinct(tmp_path: Path) -> None:
    """Ids the importer made and then refused (issue 37 item 1): a capital in the acronym,
    guids with "_", guids sharing their first characters, missing guids, a long room name,
    two speakers whose names make the same id."""
    room = "Grand Auditorium of the Very Long Conference Centre Name, Main Building, Level 3"

    def talk(guid: str, title: str, start: str, speaker: str) -> dict[str, object]:
        return {"guid": guid, "date": f"2019-08-21T{start}:00+02:00", "duration": "00:30",
                "title": title, "persons": [{"public_name": speaker}]}  # fmt: skip

    talks = [
        talk("0123456789_aaaa", "One", "10:00", "Anne Müller"),
        talk("0123456789_bbbb", "Two", "10:30", "Anne Muller"),
        talk("", "Three", "11:00", "Bo"),
        talk("", "Four", "11:30", "Bo"),
    ]
    schedule = {"schedule": {"version": "1", "conference": {
        "acronym": "Camp_2019", "title": "Camp 2019", "time_zone_name": "Europe/Berlin",
        "days": [{"date": "2019-08-21", "rooms": {room: talks}}]}}}  # fmt: skip
    source = tmp_path / "schedule.json"
    source.write_text(json.dumps(schedule), encoding="utf-8")
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out), "--set", "uid_domain=c.org")
    assert code == 0, output
    series = load_series(out)
    assert series.series.id == "camp-2019"
    (event,) = series.events
    assert len(event.id) <= 64
    ids = [s.id for s in event.sessions]
    assert len(set(ids)) == 4 and all(len(i) <= 64 for i in ids), ids
    assert {p.name for p in series.people} == {"Anne Müller", "Anne Muller", "Bo"}


def test_a_google_calendar_export_imports_without_taking_google_for_the_organiser(
    tmp_path: Path,
) -> None:
    """Issue 37 item 5: a multi-line LOCATION and a zero-length event were refused, and the
    UIDs' domain (google.com) silently became the series' uid_domain."""
    source = tmp_path / "basic.ics"
    source.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        b"X-WR-TIMEZONE:Europe/Berlin\r\n"
        b"BEGIN:VEVENT\r\nUID:abc123@google.com\r\nDTSTAMP:20260101T000000Z\r\n"
        b"SUMMARY:Meetup\r\nDTSTART:20260505T170000Z\r\nDTEND:20260505T190000Z\r\n"
        b"LOCATION:Hall 2\\nMain Street 1\\n10115 Berlin\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:def456@google.com\r\nDTSTAMP:20260101T000000Z\r\n"
        b"SUMMARY:Reminder\r\nDTSTART:20260506T090000Z\r\nDTEND:20260506T090000Z\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out))
    assert code == 0, output
    series = load_series(out)
    assert series.series.uid_domain == "example.org"
    assert "a UID domain (uid_domain is example.org" in output
    (event,) = series.events
    assert event.location == "Hall 2, Main Street 1, 10115 Berlin"
    assert "1 event that ends as it starts ('Reminder')" in " ".join(output.split())


def test_every_bad_row_of_a_spreadsheet_is_named_at_once(tmp_path: Path) -> None:
    """Only one problem came per try (issue 37 item 6): now every row's, in one message."""
    source = tmp_path / "talks.csv"
    source.write_text(
        "event,date,start,end,title\n"
        "A,2026-05-05,10:00,10:45,Fine\n"
        "A,2026-13-45,10:00,10:45,Bad day\n"
        "A,2026-05-05,ten,10:45,Bad start\n"
        "A,2026-05-05,10:00,25:00,Bad end\n"
    )
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out))
    assert code == 1 and not out.exists()
    assert "3 rows cannot be read; fix them and import again:" in output
    for problem in ("row 3: date '2026-13-45'", "row 4: time 'ten'", "row 5: time '25:00'"):
        assert problem in output, output


def imported_sheet(tmp_path: Path, text: str, *args: str) -> tuple[int, str, Path]:
    """The spreadsheet ``text`` imported with ``args``: the exit code, what was printed,
    and the series file it was to write."""
    source = tmp_path / "sheet.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out), *args)
    return code, output, out


def test_a_spreadsheet_without_a_date_column_takes_the_days_from_its_start(
    tmp_path: Path,
) -> None:
    """No date column: the start (and end) cells give the days. Dates alone make whole-day
    items, each an event of its own (a market from one day to another); a date with a time
    (2026-05-04 09:00, 04.05.2026 09:00, an end of 10:00) makes a timed session."""
    code, output, out = imported_sheet(
        tmp_path,
        "Titel;Von;Bis;Adresse;PLZ;Bemerkungen;Veranstalter;Webseite;Öffnungszeiten\n"
        'Markt;2026-11-23;2026-12-26;"Platz 1\nHof";10115 Berlin;"Eintritt frei,\ntäglich";'
        '"Verein\nTel. 1";www.example.org/markt;11-20 Uhr\n'
        "Basar;05.12.2026;;;;;;;Sa 10-18 Uhr\n"
        "Vortrag;2026-05-04 09:00;2026-05-04 10:00;;;;Schule;;\n"
        "Lesung;04.05.2026 11:00;11:30;;;;;;\n",
        "--set",
        "timezone=Europe/Berlin",
    )
    assert code == 0, output
    series = load_series(out)
    markt, basar, day = series.events
    assert (markt.title, markt.date, markt.last_day, markt.all_day) == (
        "Markt", date(2026, 11, 23), date(2026, 12, 26), True,
    )  # fmt: skip
    assert markt.location == "Platz 1, Hof, 10115 Berlin"  # street and postcode, joined
    assert markt.description == "Eintritt frei,\ntäglich\n\nÖffnungszeiten: 11-20 Uhr"
    assert basar.description == "Öffnungszeiten: Sa 10-18 Uhr"
    assert (markt.host, markt.url) == ("Verein, Tel. 1", "https://www.example.org/markt")
    assert (basar.date, basar.last_day, basar.all_day) == (date(2026, 12, 5),) * 2 + (True,)
    assert (day.date, day.host) == (date(2026, 5, 4), "Schule")
    assert [(s.title, s.start, s.end) for s in day.sessions] == [
        ("Vortrag", time(9), time(10)),
        ("Lesung", time(11), time(11, 30)),
    ]
    assert "the columns" not in output  # every column was carried over


def test_opening_hours_follow_every_language_of_the_description(tmp_path: Path) -> None:
    code, output, out = imported_sheet(
        tmp_path,
        "title,start,description,description_ko,opening hours\n"
        "Fair,2026-05-04,Big,큰,9-17\n"
        "Show,2026-05-05,,,10-12\n",
        "--set",
        "timezone=Asia/Seoul",
    )
    assert code == 0, output
    fair, show = load_editions(out)[0].series.events
    texts = {
        edition.language: edition.series.events[0].description for edition in load_editions(out)
    }
    assert texts == {"en": "Big\n\nopening hours: 9-17", "ko": "큰\n\nopening hours: 9-17"}
    assert (fair.title, show.description) == ("Fair", "opening hours: 10-12")


def test_rows_without_days_or_with_days_out_of_order_are_named(tmp_path: Path) -> None:
    code, output, out = imported_sheet(
        tmp_path,
        "title,start,end\n"
        "Fine,2026-05-04,2026-05-05\n"
        "No day,09:00,10:00\n"
        "Backwards,2026-05-05,2026-05-04\n"
        "Overnight,2026-05-04 22:00,2026-05-05 01:00\n"
        "Half,2026-05-04,2026-05-05 10:00\n",
        "--set",
        "timezone=UTC",
    )
    assert code == 1 and not out.exists()
    assert "3 rows cannot be read" in output
    assert "row 3: no date: '09:00'; give a date column, or the days in the start" in output
    assert "row 4: ends (2026-05-04) before it starts (2026-05-05)" in output
    assert "row 6: starts on a day alone but ends at a time" in output
    assert "row 5" not in output  # after midnight: a session with an end_date


def test_google_calendars_csv_format_imports(tmp_path: Path) -> None:
    """The CSV that Google Calendar imports and Outlook exports: Subject, Start Date, Start
    Time, End Date, End Time, All Day Event (TRUE/FALSE), Description, Location, Private;
    US dates and 12-hour times. A whole-day item spans its days (the end date its last)."""
    source = tmp_path / "calendar.csv"
    source.write_text(
        "Subject,Start Date,Start Time,End Date,End Time,All Day Event,Description,Location,"
        "Private\n"
        "Final exam,05/30/2026,10:00 AM,05/30/2026,1:00 PM,FALSE,Bring a pen,Room 101,FALSE\n"
        "Night shift,05/30/2026,10:00 PM,05/31/2026,2:00 AM,False,,,True\n"
        "Conference,06/01/2026,,06/03/2026,,TRUE,Three days,Hall,FALSE\n"
        "Holiday,06/10/2026,12:00 AM,,,true,,,\n"
        "Odd,06/11/2026,9:00 AM,,10:00 AM,maybe,,,\n"
    )
    out = tmp_path / "events.toml"
    args = ["import", str(source), "--out", str(out), "--date-order", "month-first"]
    code, output = run(*args, "--set", "timezone=America/New_York")
    assert code == 1 and "row 6: 'maybe' is not yes or no (TRUE or FALSE)" in output
    source.write_text(source.read_text().replace(",maybe,", ",FALSE,"))
    code, output = run(*args, "--set", "timezone=America/New_York")
    assert code == 0, output
    assert "the columns Private" in output
    series = load_series(out)
    entries = {e.session.title if e.session else e.event.title: e for e in calendar_entries(series)}
    new_york = ZoneInfo("America/New_York")
    exam, night = entries["Final exam"], entries["Night shift"]
    assert exam.utc_start == datetime(2026, 5, 30, 10, tzinfo=new_york).astimezone(UTC)
    assert exam.utc_end == datetime(2026, 5, 30, 13, tzinfo=new_york).astimezone(UTC)
    assert exam.location == "Room 101"
    assert exam.session is not None and exam.session.description == "Bring a pen"
    assert night.utc_end == datetime(2026, 5, 31, 2, tzinfo=new_york).astimezone(UTC)
    conference, holiday = entries["Conference"].event, entries["Holiday"].event
    assert (conference.date, conference.last_day, conference.all_day) == (
        date(2026, 6, 1), date(2026, 6, 3), True,
    )  # fmt: skip
    assert (holiday.date, holiday.last_day, holiday.all_day) == (date(2026, 6, 10),) * 2 + (True,)


def _talk(guid: str, title: str, start: str, duration: str) -> dict[str, object]:
    return {
        "guid": guid,
        "date": start,
        "duration": duration,
        "title": title,
        "persons": [{"name": "Ada Lovelace"}],
    }


CONGRESS = {
    "schedule": {
        "version": "1",
        "conference": {
            "acronym": "nightcon",
            "title": "Night Congress",
            "time_zone_name": "Europe/Berlin",
            "rooms": [{"name": "Saal 1"}, {"name": "Saal 2"}, {"name": "Lounge"}],
            "days": [
                {
                    "index": 1,
                    "date": "2027-12-27",
                    "rooms": {
                        "Saal 1": [
                            _talk("0f2e3c4a-0000-4000-8000-000000000001", "Opening",
                                  "2027-12-27T11:00:00+01:00", "01:00"),
                            _talk("0f2e3c4a-0000-4000-8000-000000000002", "Late talk",
                                  "2027-12-28T01:00:00+01:00", "01:00"),
                        ],
                        "Saal 2": [
                            _talk("0f2e3c4a-0000-4000-8000-000000000003", "Parallel talk",
                                  "2027-12-27T11:30:00+01:00", "00:30"),
                        ],
                        "Lounge": [
                            _talk("0f2e3c4a-0000-4000-8000-000000000004", "Meetup A",
                                  "2027-12-27T12:00:00+01:00", "02:00"),
                            _talk("0f2e3c4a-0000-4000-8000-000000000005", "Meetup B",
                                  "2027-12-27T13:00:00+01:00", "01:00"),
                        ],
                    },
                },
                {
                    "index": 2,
                    "date": "2027-12-28",
                    "rooms": {
                        "Saal 2": [
                            _talk("0f2e3c4a-0000-4000-8000-000000000006", "Day two",
                                  "2027-12-28T10:30:00+01:00", "01:00"),
                        ],
                    },
                },
            ],
        },
    }
}  # fmt: skip


def test_a_congress_imports_with_rooms_guids_and_days_past_midnight(tmp_path: Path) -> None:
    """Parallel rooms stay one day's event; a room whose talks overlap is declared so, with
    a note; a talk at 01:00 stays on its congress day (day_change); each guid is a uid
    and comes back as the frab guid."""
    source = tmp_path / "schedule.json"
    source.write_text(json.dumps(CONGRESS), encoding="utf-8")
    data = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(data), "--set", "uid_domain=x.example")
    assert code == 0, output
    assert "1 room ('Lounge') with talks at the same time: declared with overlap = true" in output
    series = load_series(data)
    assert [(room.id, room.name, room.overlap) for room in series.rooms] == [
        ("saal-1", "Saal 1", False),
        ("saal-2", "Saal 2", False),
        ("lounge", "Lounge", True),
    ]
    assert series.series.day_change is not None
    assert series.series.day_change.isoformat() == "10:30:00"
    assert [event.id for event in series.events] == ["day-2027-12-27", "day-2027-12-28"]
    first = series.events[0]
    assert {session.title: session.room for session in first.sessions} == {
        "Opening": "saal-1",
        "Late talk": "saal-1",
        "Parallel talk": "saal-2",
        "Meetup A": "lounge",
        "Meetup B": "lounge",
    }
    dist = build(data)
    exported = json.loads((dist / "schedule.json").read_text(encoding="utf-8"))
    days = exported["schedule"]["conference"]["days"]
    listed = {
        event["title"]: (day["date"], room, event["guid"])
        for day in days
        for room, events in day["rooms"].items()
        for event in events
    }
    assert listed["Late talk"] == ("2027-12-27", "Saal 1", "0f2e3c4a-0000-4000-8000-000000000002")
    assert listed["Day two"][0] == "2027-12-28"
    calendar = icalendar.Calendar.from_ical((dist / "all.ics").read_bytes())
    assert "0f2e3c4a-0000-4000-8000-000000000002" in {str(e["UID"]) for e in calendar.events}


GOOGLE = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
X-WR-CALNAME:Reading group\r
X-WR-TIMEZONE:Europe/Berlin\r
BEGIN:VEVENT\r
DTSTART;TZID=Europe/Berlin:20270316T190000\r
DTEND;TZID=Europe/Berlin:20270316T203000\r
RRULE:FREQ=WEEKLY;BYDAY=TU\r
EXDATE;TZID=Europe/Berlin:20270330T190000\r
UID:5r9k2j1m0q@google.com\r
SUMMARY:Reading group\r
LOCATION:Library\\, Room 2\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;TZID=Europe/Berlin:20270407T180000\r
DTEND;TZID=Europe/Berlin:20270407T193000\r
RECURRENCE-ID;TZID=Europe/Berlin:20270406T190000\r
UID:5r9k2j1m0q@google.com\r
SUMMARY:Reading group (Wednesday)\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;TZID=Europe/Berlin:20270413T190000\r
DTEND;TZID=Europe/Berlin:20270413T203000\r
RECURRENCE-ID;TZID=Europe/Berlin:20270413T190000\r
UID:5r9k2j1m0q@google.com\r
SUMMARY:Reading group\r
STATUS:CANCELLED\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;TZID=Europe/Berlin:20270501T100000\r
DTEND;TZID=Europe/Berlin:20270501T110000\r
RRULE:FREQ=HOURLY\r
UID:hourly@google.com\r
SUMMARY:Hourly\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_repeating_calendar_keeps_its_rules_exceptions_changes_and_uids(
    tmp_path: Path,
) -> None:
    """Every occurrence of the source is one of the import's, at the same time: the rule
    (without an end: kept two years), the day left out, the moved and the cancelled one."""
    import recurring_ical_events

    source = tmp_path / "group.ics"
    source.write_bytes(GOOGLE.encode())
    data = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(data))
    assert code == 0, output
    assert "Reading group: repeats without end; kept until 2029-03-15" in output
    assert "1 repeating event ('Hourly'): its rule is not one wego-ical keeps" in output
    assert "Hourly: repeats without end" not in output  # not kept: no end to choose
    series = load_series(data)
    group = next(e for e in series.events if e.uid == "5r9k2j1m0q@google.com")
    assert group.repeat == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20290315"
    assert group.except_ == [date(2027, 3, 30)]
    assert [(o.date, o.moved_to, o.title, o.status) for o in group.occurrences] == [
        (date(2027, 4, 6), date(2027, 4, 7), "Reading group (Wednesday)", None),
        (date(2027, 4, 13), None, None, "cancelled"),
    ]
    dist = build(data)

    def occurrences(content: bytes) -> list[tuple[str, str, str]]:
        calendar = icalendar.Calendar.from_ical(content)
        found = recurring_ical_events.of(calendar).between(date(2027, 1, 1), date(2027, 7, 1))
        return sorted(
            (str(e["UID"]), e.start.astimezone(UTC).isoformat(), str(e.get("STATUS", "")))
            for e in found
            if str(e["UID"]) == "5r9k2j1m0q@google.com"
        )

    theirs = occurrences(GOOGLE.encode())
    ours = occurrences((dist / "all.ics").read_bytes())
    assert [(uid, start) for uid, start, _ in ours] == [(uid, start) for uid, start, _ in theirs]
    assert [status for *_, status in ours if status == "CANCELLED"] == ["CANCELLED"]


HUB = {
    "$schema": "https://c3voc.de/schedule/schema2.json",
    "schedule": {
        "version": "2027-12-20 10:00",
        "conference": {
            "acronym": "44c3",
            "title": "44C3",
            "time_zone_name": "Europe/Berlin",
            "tracks": [{"slug": "science", "name": "Science"}],
            "rooms": [{"name": "Saal 1", "guid": "ba692ba3-421b-5371-8309-60acc34a3c05"}],
            "days": [
                {"index": 1, "date": "2027-12-27", "start": "2027-12-27T09:30:00+01:00",
                 "end": "2027-12-28T06:00:00+01:00"},
                {"index": 2, "date": "2027-12-28", "start": "2027-12-28T06:00:00+01:00",
                 "end": "2027-12-29T06:00:00+01:00"},
            ],
        },
        "events": [
            {"guid": "11111111-2222-4333-8444-555555555501", "title": "Opening",
             "start": "2027-12-27T10:30:00+01:00", "end": "2027-12-27T11:00:00+01:00",
             "room": {"name": "Saal 1", "guid": "ba692ba3-421b-5371-8309-60acc34a3c05"},
             "track": {"slug": "science"},
             "participants": [{"name": "Ada Lovelace", "role": "speaker"}]},
            {"guid": "11111111-2222-4333-8444-555555555502", "title": "Night owls",
             "start": "2027-12-28T00:15:00+01:00", "end": "2027-12-28T00:55:00+01:00",
             "room": {"name": "Saal 1"}},
            {"guid": "11111111-2222-4333-8444-555555555503", "title": "Morning",
             "start": "2027-12-28T11:00:00+01:00", "end": "2027-12-28T12:00:00+01:00",
             "room": {"name": "Stage B"}},
        ],
    },
}  # fmt: skip


def test_the_hubs_second_schedule_format_imports_with_its_days(tmp_path: Path) -> None:
    """schedule.events (the CCC hub's format since 2024): each event in the day whose
    span holds its start, the later days' start as day_change, rooms, tracks by slug,
    participants as people."""
    source = tmp_path / "hub.json"
    source.write_text(json.dumps(HUB), encoding="utf-8")
    data = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(data), "--set", "uid_domain=x.example")
    assert code == 0, output
    series = load_series(data)
    assert series.series.day_change is not None
    assert series.series.day_change.isoformat() == "06:00:00"
    assert [room.name for room in series.rooms] == ["Saal 1", "Stage B"]
    first, second = series.events
    assert [s.title for s in first.sessions] == ["Opening", "Night owls"]
    assert [s.title for s in second.sessions] == ["Morning"]
    opening = first.sessions[0]
    assert opening.uid == "11111111-2222-4333-8444-555555555501"
    assert opening.category is not None and series.category(opening.category).name == "Science"
    assert [series.person(ref.person).name for ref in opening.panelists] == ["Ada Lovelace"]
    dist = build(data)
    root = ET.parse(dist / "schedule.xml").getroot()
    days = {
        day.get("date"): [e.findtext("title") for e in day.iter("event")]
        for day in root.iter("day")
    }
    assert days == {"2027-12-27": ["Opening", "Night owls"], "2027-12-28": ["Morning"]}


HAND_MADE = """<schedule>
  <conference><title>Meetup</title><acronym>meetup</acronym>
    <time_zone_name>Europe/Berlin</time_zone_name></conference>
  <day index="1" date="2027-05-03">
    <room name="Hall">
      <event guid="a1"><date>2027-05-03T10:00:00+02:00</date><duration>00:30</duration>
        <title>One</title><speakers><speaker>Ada</speaker><speaker>Ben</speaker></speakers>
      </event>
      <event guid="a2"><date>2027-05-03T11:00:00+02:00</date><duration>00:30</duration>
        <title>Two</title><speaker>Cleo</speaker></event>
      <event guid="a3"><date>2027-05-03T12:00:00+02:00</date><duration>00:30</duration>
        <title>Three</title><speakers>Dan, Eve; Fay</speakers></event>
    </room>
  </day>
</schedule>
"""


def test_speakers_outside_persons_are_kept(tmp_path: Path) -> None:
    """Hand-made frab-like schedules name speakers without <persons><person> (19 of 19
    were lost in one real file)."""
    source = tmp_path / "meetup.xml"
    source.write_text(HAND_MADE, encoding="utf-8")
    data = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(data), "--set", "uid_domain=m.example")
    assert code == 0, output
    series = load_series(data)
    named = {
        session.title: [series.person(ref.person).name for ref in session.panelists]
        for session in series.events[0].sessions
    }
    assert named == {"One": ["Ada", "Ben"], "Two": ["Cleo"], "Three": ["Dan", "Eve", "Fay"]}


def test_a_calendar_of_many_events_gets_one_feed_not_one_per_event(tmp_path: Path) -> None:
    """An Outlook holiday calendar (160 events) became 160 feeds: above 12 events, only
    all.ics is published, and a note says how to have a feed per event."""
    holidays = "".join(
        f"BEGIN:VEVENT\r\nUID:holiday-{day}@outlook.example\r\nDTSTART;VALUE=DATE:2027{day}\r\n"
        f"SUMMARY:Holiday {day}\r\nEND:VEVENT\r\n"
        for day in (f"{month:02}{10 + n:02}" for month in range(1, 11) for n in range(2))
    )
    source = tmp_path / "holidays.ics"
    source.write_text(
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n{holidays}END:VCALENDAR\r\n",
        encoding="utf-8",
    )
    data = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(data))
    assert code == 0, output
    assert "a feed per event (20 events): only all.ics is published" in " ".join(output.split())
    dist = build(data)
    assert sorted(path.name for path in dist.glob("*.ics")) == ["all.ics"]
    assert len(icalendar.Calendar.from_ical((dist / "all.ics").read_bytes()).events) == 20


def test_an_agenda_export_with_the_usual_headers_imports_as_it_is(tmp_path: Path) -> None:
    """An agenda as conference tools export it (issue 37 item 6): other header names, in
    any case, a duration instead of an end, no event column (a day is an event), an
    abstract and a description, the talk's language, and Korean titles beside."""
    source = tmp_path / "agenda.csv"
    source.write_text(
        "Room,Date,Start,Duration,Title,Title (ko),Abstract,Description,Language,Speakers\n"
        "Hall A,2027-05-05,9:00 AM,45,Opening,개회,Why we meet.,The long text.,en,Ada; Ben\n"
        "Hall B,2027-05-05,9:30,1:30,Workshop,워크숍,,Hands on.,de,Ben\n"
        "Hall A,2027-05-06,10h00,30 min,Closing,,,,,\n"
    )
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out), "--set", "timezone=Asia/Seoul")
    assert code == 0, output
    assert "taken as English (languages = ['en', 'ko'])" in output
    series = load_series(out)
    assert [(e.id, e.title) for e in series.events] == [
        ("day-2027-05-05", "Day 1"),
        ("day-2027-05-06", "Day 2"),
    ]
    opening, workshop = series.events[0].sessions
    assert (opening.start, opening.end, opening.room) == (time(9), time(9, 45), "Hall A")
    assert (workshop.start, workshop.end, workshop.room) == (time(9, 30), time(11), "Hall B")
    assert opening.description == "Why we meet.\n\nThe long text.\n\nLanguage: English (en)"
    assert workshop.description == "Hands on.\n\nLanguage: German (de)"
    assert [series.person(p.person).name for p in opening.panelists] == ["Ada", "Ben"]
    (korean,) = load_editions(out)[1:]
    assert [s.title for s in korean.series.events[0].sessions] == ["개회", "워크숍"]
    assert korean.series.events[1].sessions[0].title == "Closing"
    dist = build(out)
    assert (dist / "ko" / "all.ics").exists()


def test_a_draft_the_loader_refuses_is_kept_where_its_lines_can_be_read(tmp_path: Path) -> None:
    """Import errors cited lines of a file that was not written (issue 37 item 7): the
    draft is kept beside --out, the problems point into it, and once fixed it builds."""
    source = tmp_path / "talks.csv"
    source.write_text(f"event,date,start,end,title\nTalks,2026-05-05,10:00,10:45,{'T' * 600}\n")
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out), "--set", "timezone=Asia/Seoul")
    assert code == 1 and not out.exists()
    kept = tmp_path / "events.draft.toml"
    text = kept.read_text(encoding="utf-8")
    lines = " ".join(output.split())
    assert f"{kept}: 2 problems found; {out} was not written; the draft is kept here" in lines
    line = int(lines.split(f"{kept}:", 2)[2].split(":", 1)[0])
    assert text.splitlines()[line - 1].startswith("title = ")
    assert "fix the draft and rename it to events.toml, or fix talks.csv and import again" in (
        lines
    )
    kept.write_text(text.replace("T" * 600, "Keynote"), encoding="utf-8")
    kept.rename(out)
    assert run("check", "--data", str(out))[0] == 0


def test_an_export_s_languages_never_name_a_path(tmp_path: Path) -> None:
    """The codes of the other editions come from the source file and name folders
    beside it: a code like "../secret" would read a schedule.json elsewhere."""
    document = json.loads((DIST / "schedule.json").read_text(encoding="utf-8"))
    document["schedule"]["wego_ical"]["languages"] = ["en", "../secret"]
    (tmp_path / "secret").mkdir()
    stolen = json.loads((DIST / "ko" / "schedule.json").read_text(encoding="utf-8"))
    (tmp_path / "secret" / "schedule.json").write_text(json.dumps(stolen), encoding="utf-8")
    folder = tmp_path / "export"
    folder.mkdir()
    source = folder / "schedule.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(out))
    assert code == 0, output
    assert "codes that are not languages" in output
    assert "제4회" not in out.read_text(encoding="utf-8")
    assert load_series(out).series.languages == []


@pytest.mark.parametrize("property_name", ["X-WR-CALNAME", "NAME"])
def test_a_calendar_name_with_escaped_characters_becomes_the_title_it_says(
    tmp_path: Path, property_name: str
) -> None:
    """A calendar's name is TEXT, escaped in the file (Google Calendar writes
    "X-WR-CALNAME:Team\\, Berlin"): the series' title is the name, not its escaping."""
    source = tmp_path / "team.ics"
    text = GOOGLE.replace(
        "X-WR-CALNAME:Reading group", f"{property_name}:Team\\, Berlin\\; Ops \\\\ 2027"
    )
    source.write_bytes(text.encode())
    data = tmp_path / "events.toml"
    code, output = run("import", str(source), "--out", str(data))
    assert code == 0, output
    assert load_series(data).series.title == "Team, Berlin; Ops \\ 2027"
