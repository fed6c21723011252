"""schedule.json and schedule.xml are written as their talks are made (render.schedule):
the same bytes as the whole structure given to ``json.dumps(indent=2)`` and the whole
tree given to ElementTree (the reference, kept here), for the WeGO series, the examples,
a big synthetic series, a repeating session with a moved occurrence, and texts that
JSON and XML must escape (including the frame's own placeholder)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CONFERENCE, DATA, ROOT, WEEKLY, large_series, series_head
from wego_ical.load.series_file import parse_editions
from wego_ical.publication.assemble import LanguageEdition, PublicationSettings, make_publication
from wego_ical.render.frab_json import schedule_json
from wego_ical.render.frab_xml import schedule_xml
from wego_ical.render.schedule import Entries, Events, event_guid, schedule_data
from wego_ical.render.talk_codec import fast_dumps, json_dumps, xml_talks
from wego_ical.render.workers import WorkerSettings

HOSTILE = (
    series_head()
    + """
[[rooms]]
id = "odd"
name = "Room \\"<wego-ical-talks />\\" & ]]> 한"

[[people]]
id = "p"
name = "A <b>&amp; \\"B\\" C"

[[events]]
id = "e"
title = "Event <wego-ical-talks /> & — 한국어 𝄞"
date = 2027-05-04
description = "Line one\\nline two \\\\n not a break, </schedule> }]\\" ,\\n  indented"

[[events.sessions]]
id = "a"
title = "\\"Quoted\\" <wego-ical-talks /> [] {} : ,"
start = 09:00:00
end = 09:30:00
room = "odd"
panelists = ["p"]
description = "Talk\\r\\nwith a carriage return, é, \\u00a0 and \\ud7a3"

[[events.sessions]]
id = "b"
title = "Second in the same room"
start = 09:30:00
end = 10:00:00
room = "odd"

[[events.sessions]]
id = "c"
title = "Elsewhere"
start = 09:00:00
end = 09:45:00
location = "A place, with <tags> & \\"quotes\\""
"""
)
SERIES = {
    "wego": DATA.read_text(encoding="utf-8"),
    "two-city": CONFERENCE.read_text(encoding="utf-8"),
    "dst-new-york": (ROOT / "examples" / "dst-new-york.toml").read_text(encoding="utf-8"),
    "parallel-rooms": (ROOT / "examples" / "parallel-rooms.toml").read_text(encoding="utf-8"),
    "weekly": WEEKLY,
    "hostile": HOSTILE,
    "600 sessions": large_series(600),
}


def materialized(value: Any) -> Any:
    """The schedule's structure with every talk made: what the file says."""
    if isinstance(value, Events):
        return list(value)
    if isinstance(value, Entries):
        return {event_guid(item[2]): value.talk.meta(item) for item in value.items}
    if isinstance(value, dict):
        return {key: materialized(item) for key, item in value.items()}
    if isinstance(value, list):
        return [materialized(item) for item in value]
    return value


def reference_event(parent: ET.Element, event: dict[str, Any]) -> None:
    """A talk as an element of ``parent`` (its room's), as frab's XML has it."""
    element = ET.SubElement(parent, "event", {"guid": event["guid"], "id": str(event["id"])})
    for name in ("room", "title", "subtitle", "type", "date", "start", "duration"):
        if event[name] is not None:
            ET.SubElement(element, name).text = event[name]
    ET.SubElement(element, "abstract").text = event["abstract"] or ""
    ET.SubElement(element, "slug").text = event["slug"]
    ET.SubElement(element, "track").text = event["track"] or ""
    if event["language"]:
        ET.SubElement(element, "language").text = event["language"]
    ET.SubElement(element, "description").text = event["description"]
    persons = ET.SubElement(element, "persons")
    for person in event["persons"]:
        ET.SubElement(persons, "person", {"guid": person["guid"]}).text = person["name"]
    links = ET.SubElement(element, "links")
    for link in event["links"]:
        ET.SubElement(links, "link", {"href": link["url"]}).text = link["title"]
    if event["url"].startswith("http"):
        ET.SubElement(element, "url").text = event["url"]


def reference_xml(data: dict[str, Any]) -> bytes:
    """schedule.xml as one tree, indented and written whole by ElementTree."""
    schedule = data["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": "wego-ical"})
    ET.SubElement(root, "version").text = schedule["version"]
    element = ET.SubElement(root, "conference")
    for name in ("title", "acronym", "start", "end"):
        ET.SubElement(element, name).text = conference[name]
    ET.SubElement(element, "days").text = str(conference["daysCount"])
    ET.SubElement(element, "timeslot_duration").text = conference["timeslot_duration"]
    if schedule.get("base_url", "").startswith("http"):
        ET.SubElement(element, "base_url").text = schedule["base_url"]
    if conference["url"].startswith("http"):
        ET.SubElement(element, "url").text = conference["url"]
    ET.SubElement(element, "time_zone_name").text = conference["time_zone_name"]
    for track in conference["tracks"]:
        ET.SubElement(element, "track", {"name": track["name"]}).text = track["name"]
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day in conference["days"]:
        attributes = {"index": str(day["index"]), "date": day["date"]}
        attributes |= {"start": day["day_start"], "end": day["day_end"]}
        day_element = ET.SubElement(root, "day", attributes)
        for room, events in day["rooms"].items():
            room_element = ET.SubElement(day_element, "room", {"name": room, "guid": guids[room]})
            for event in events:
                reference_event(room_element, event)
    ET.indent(root)
    whole: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return whole + b"\n"


@pytest.mark.parametrize("name", sorted(SERIES))
@pytest.mark.parametrize("page_url", [None, "https://example.org/p/"])
def test_the_streamed_schedule_is_the_whole_structures_bytes(
    name: str, page_url: str | None
) -> None:
    for edition in parse_editions(SERIES[name]):
        publication = make_publication(
            edition.series,
            None,
            datetime(2026, 1, 1, tzinfo=UTC),
            PublicationSettings(
                LanguageEdition(edition.language, descriptions=edition.descriptions),
                workers=WorkerSettings(processes=1),
            ),
        )
        records = publication.state.events
        data = schedule_data(edition.series, records, edition.language, page_url)
        whole = materialized(data)
        streamed_json = b"".join(schedule_json(data))
        assert streamed_json == json.dumps(whole, ensure_ascii=False, indent=2).encode() + b"\n"
        assert json.loads(streamed_json) == whole
        # Made apart (in a child process), with pydantic_core's encoder: the same bytes.
        assert b"".join(schedule_json(data, apart=True)) == streamed_json
        streamed_xml = b"".join(schedule_xml(data))
        assert streamed_xml == reference_xml(whole)
        # Every talk is there (and the placeholder of the frame nowhere but in texts).
        talks = [e for day in whole["schedule"]["conference"]["days"]
                 for events in day["rooms"].values() for e in events]  # fmt: skip
        assert len(ET.fromstring(streamed_xml).findall("day/room/event")) == len(talks) > 0
        assert b"<wego-ical-talks" not in streamed_xml
        # Both files from one shared schedule (made apart), in either order: the same bytes.
        shared = schedule_data(edition.series, records, edition.language, page_url, shared=True)
        assert b"".join(schedule_json(shared, apart=True)) == streamed_json
        assert b"".join(schedule_xml(shared)) == streamed_xml
        shared = schedule_data(edition.series, records, edition.language, page_url, shared=True)
        assert b"".join(schedule_xml(shared)) == streamed_xml
        assert b"".join(schedule_json(shared)) == streamed_json
        assert b"".join(schedule_json(shared)) == streamed_json  # made again: none kept


def test_a_shared_schedule_makes_each_talk_once_for_both_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Made apart, one process writes both files: each talk is made once, kept from the
    first file to the second and then let go; otherwise each file makes its own."""
    from wego_ical.render import schedule

    edition = parse_editions(SERIES["600 sessions"])[0]
    records = make_publication(
        edition.series, None, datetime(2026, 1, 1, tzinfo=UTC), PublicationSettings()
    ).state.events
    made: list[str] = []
    event = schedule._Talk.event

    def counted(self: schedule._Talk, listed: Any) -> dict[str, Any]:
        made.append(listed[2])
        return event(self, listed)

    monkeypatch.setattr(schedule._Talk, "event", counted)
    for shared, times in ((True, 1), (False, 2)):
        made.clear()
        data = schedule_data(edition.series, records, None, None, shared=shared)
        assert b"".join(schedule_json(data)) and b"".join(schedule_xml(data))
        assert len(made) == times * 600 and len(set(made)) == 600
        days = data["schedule"]["conference"]["days"]
        assert all(events._kept is None for day in days for events in day["rooms"].values())


def test_a_schedule_without_talks_is_written_alike() -> None:
    """Nothing published yet (no records): no days, no entries."""
    edition = parse_editions(SERIES["wego"])[0]
    data = schedule_data(edition.series, [], None, None)
    for apart in (False, True):
        assert b"".join(schedule_json(data, apart=apart)) == (
            json.dumps(materialized(data), ensure_ascii=False, indent=2).encode() + b"\n"
        )
    assert b"".join(schedule_xml(data)) == reference_xml(materialized(data))


def test_the_faster_encoder_writes_what_json_dumps_writes() -> None:
    """``schedule.json`` made apart uses pydantic_core's encoder: the same text for every
    kind of value and character a schedule holds (controls, quotes, line separators,
    characters outside the BMP, nested and empty containers, big numbers)."""
    texts = ["".join(map(chr, range(0, 0x80))), "\u2028\u2029\ufeff\u00a0 é 한 𝄞 \\ / \" '"]
    value = {
        "texts": texts,
        "nested": [{"a": [], "b": {}, "c": [[]], "d": None, "e": True, "f": False}],
        "numbers": [0, -1, 2**53, 10**20],
        "": "empty key",
        'key "quoted"\n': texts[1],
    }
    assert fast_dumps(value) == json_dumps(value)
    assert fast_dumps([]) == json_dumps([]) and fast_dumps({}) == json_dumps({})


def reference_talks(events: list[dict[str, Any]]) -> bytes:
    """A room's talks of a day as ElementTree writes them in their room's element: the
    tree that frab_xml._xml_talks once built, kept here as the reference."""
    holder = ET.Element("holder")
    for event in events:
        reference_event(holder, event)
    ET.indent(holder, level=2)
    holder.text = holder[-1].tail = None
    text = ET.tostring(holder, encoding="unicode")
    return text[len("<holder>") : -len("</holder>")].encode("utf-8", "xmlcharrefreplace")


# Texts with everything XML escapes, line breaks, controls, characters beyond the BMP and
# lone surrogates (written as character references), and the frame's placeholder.
_PIECES = [*"aé한𝄞 &<>\"'\r\n\t\x00\x0b]", "\ud800", "<wego-ical-talks />"]
_XML_TEXT = st.lists(st.sampled_from(_PIECES)).map("".join) | st.text()
_TALK = st.fixed_dictionaries(
    {
        "guid": _XML_TEXT,
        "id": st.integers(min_value=0, max_value=2**31),
        **{
            name: st.none() | _XML_TEXT
            for name in ("room", "title", "subtitle", "type", "date", "start", "duration")
        },
        "abstract": st.none() | _XML_TEXT,
        "slug": _XML_TEXT,
        "track": st.none() | _XML_TEXT,
        "language": st.none() | _XML_TEXT,
        "description": _XML_TEXT,
        "persons": st.lists(st.fixed_dictionaries({"guid": _XML_TEXT, "name": _XML_TEXT})),
        "links": st.lists(st.fixed_dictionaries({"url": _XML_TEXT, "title": _XML_TEXT})),
        "url": _XML_TEXT | st.just("https://example.org/p/#a--b"),
    }
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_TALK, min_size=1, max_size=4))
def test_the_talks_are_written_as_elementtree_writes_them(events: list[dict[str, Any]]) -> None:
    """schedule.xml's talks are written directly with ElementTree's escaping: the bytes
    ElementTree's tree, indented, gives for any talk (every field empty, missing or
    hostile; no persons or links, or several)."""
    assert xml_talks(events) == reference_talks(events)
