"""schedule_export: schedule.json and schedule.xml in the c3voc format, validated against
c3voc's own JSON schema and XSD (tests/data/c3voc, EUPL-1.2)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import icalendar
import jsonschema
import pytest
import xmlschema
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CONFERENCE, DATA, DIST, TEST_DATA
from wego_ical.cli import main
from wego_ical.render.schedule import url_guid

C3VOC = TEST_DATA / "c3voc"
JSON_SCHEMA = json.loads((C3VOC / "schema.json").read_text(encoding="utf-8"))
XSD = xmlschema.XMLSchema(str(C3VOC / "schedule.xml.xsd"))


def valid_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_bytes())
    validator = jsonschema.Draft6Validator(JSON_SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == [], errors[:5]
    return data


def valid_xml(path: Path) -> None:
    errors = [str(error) for error in XSD.iter_errors(str(path))]
    assert errors == [], errors[:3]


def events_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    days = data["schedule"]["conference"]["days"]
    return [event for day in days for room in day["rooms"].values() for event in room]


@pytest.fixture(scope="module")
def conference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("conference") / "dist"
    built = CliRunner().invoke(main, ["build", "--data", str(CONFERENCE), "--out", str(out)])
    assert built.exit_code == 0, built.output
    return out


@pytest.mark.parametrize("folder", ["", "ko/"])
def test_the_wego_schedules_are_valid_c3voc(folder: str) -> None:
    data = valid_json(DIST / folder / "schedule.json")
    valid_xml(DIST / folder / "schedule.xml")
    conference = data["schedule"]["conference"]
    assert conference["acronym"] == "wego_awards_4"
    assert conference["time_zone_name"] == "Asia/Seoul"
    assert [track["name"] for track in conference["tracks"]][:1] == (
        ["Mobility"] if not folder else ["이동성"]
    )
    assert len(events_of(data)) == 7


def test_each_session_keeps_its_feed_uid_and_times() -> None:
    data = valid_json(DIST / "schedule.json")
    calendar = icalendar.Calendar.from_ical((DIST / "all.ics").read_bytes())
    published = {str(uuid.uuid5(uuid.NAMESPACE_URL, str(e["UID"]))): e for e in calendar.events}
    found = {event["guid"]: event for event in events_of(data)}
    assert found.keys() == published.keys()
    for guid, event in found.items():
        vevent = published[guid]
        assert datetime.fromisoformat(event["date"]) == vevent.decoded("DTSTART")
        assert datetime.fromisoformat(event["date"]) + (
            vevent.decoded("DTEND") - vevent.decoded("DTSTART")
        ) == vevent.decoded("DTEND")
        assert str(vevent["SUMMARY"]).endswith(event["title"])
        assert data["schedule"]["wego_ical"]["entries"][guid]["uid"] == str(vevent["UID"])
    mobility = next(e for e in events_of(data) if e["title"] == "Mobility")
    assert mobility["subtitle"] == "WeGO Awards Webinar Part 1" and mobility["track"] == "Mobility"
    assert mobility["start"] == "09:00" and mobility["duration"] == "00:30"
    assert mobility["persons"][0]["name"] == "Javier Vergara-Petrescu"
    assert len({e["id"] for e in events_of(data)}) == 7


def test_zones_whole_days_and_base_url(conference: Path) -> None:
    data = valid_json(conference / "schedule.json")
    valid_xml(conference / "schedule.xml")
    valid_json(conference / "ko" / "schedule.json")
    valid_xml(conference / "ko" / "schedule.xml")
    by_title = {event["title"]: event for event in events_of(data)}
    closing = by_title["Closing remarks (from London)"]
    assert closing["date"] == "2026-03-27T17:00:00+00:00"  # in its own zone, with its offset
    assert closing["start"] == "17:00"  # in the conference's zone (London)
    assert by_title["Conference days"]["type"] == "other"
    assert by_title["Conference days"]["duration"] == "72:00"
    assert data["schedule"]["base_url"] == "https://calendar.example.org/open-cities"
    assert by_title["Opening keynote"]["url"].startswith(
        "https://calendar.example.org/open-cities/#london--opening"
    )


def test_cancelled_sessions_are_left_out_and_a_rebuild_changes_nothing(tmp_path: Path) -> None:
    data, out = tmp_path / "events.toml", tmp_path / "dist"
    text = DATA.read_text(encoding="utf-8").replace(
        'id = "safe-city"\nstart', 'id = "safe-city"\nstatus = "cancelled"\nstart'
    )
    data.write_text(text, encoding="utf-8")
    runner = CliRunner()
    for _ in range(2):
        built = runner.invoke(main, ["build", "--data", str(data), "--out", str(out)])
        assert built.exit_code == 0, built.output
        if _ == 0:
            first = (out / "schedule.json").read_bytes(), (out / "schedule.xml").read_bytes()
    assert ((out / "schedule.json").read_bytes(), (out / "schedule.xml").read_bytes()) == first
    titles = [event["title"] for event in events_of(valid_json(out / "schedule.json"))]
    assert "Safe City" not in titles and len(titles) == 6
    assert "Safe City</title>" not in (out / "schedule.xml").read_text(encoding="utf-8")


def test_the_page_names_them() -> None:
    page = (DIST / "index.html").read_text(encoding="utf-8")
    assert 'href="schedule.xml" type="application/xml">schedule.xml</a>' in page
    assert 'href="schedule.json" type="application/json">schedule.json</a>' in page


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"])))
def test_a_guid_made_of_a_name_is_uuid5_of_it(name: str) -> None:
    """The exports' guids (``url_guid``, written from the hash directly) are exactly
    ``uuid5(NAMESPACE_URL, name)``, for any text: UIDs, rooms, people, any script."""
    assert url_guid(name) == str(uuid.uuid5(uuid.NAMESPACE_URL, name))
