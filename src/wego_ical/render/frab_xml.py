"""``schedule.xml``: the schedule of :func:`wego_ical.render.schedule.schedule_data` in
frab's XML form, as ElementTree writes and indents it, each room's talks of a day written
as they are made (see :mod:`wego_ical.render.schedule` for the mapping)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

from wego_ical.render.schedule import Events, Pieces

# Where a room's talks go in the frame of schedule.xml (an element: no text of the
# series can be written as one, its "<" would be escaped).
_TALKS = "wego-ical-talks"


def schedule_xml(data: dict[str, Any], pieces: Pieces | None = None) -> Iterator[bytes]:
    """``schedule.xml``, the same schedule in frab's XML form, as ElementTree writes and
    indents it: the frame (conference, days, rooms) as one small tree, each room's talks
    of a day written as they are made (``pieces``: or copied from the file in place,
    see :class:`~wego_ical.render.schedule.Pieces`)."""
    made = pieces or Pieces(None, "")
    schedule = data["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": "wego-ical"})
    _sub(root, "version", schedule["version"])
    element = ET.SubElement(root, "conference")
    for name in ("title", "acronym", "start", "end"):
        _sub(element, name, conference[name])
    _sub(element, "days", str(conference["daysCount"]))
    _sub(element, "timeslot_duration", conference["timeslot_duration"])
    if schedule.get("base_url", "").startswith("http"):
        _sub(element, "base_url", schedule["base_url"])
    if conference["url"].startswith("http"):
        _sub(element, "url", conference["url"])
    _sub(element, "time_zone_name", conference["time_zone_name"])
    for track in conference["tracks"]:
        ET.SubElement(element, "track", {"name": track["name"]}).text = track["name"]
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    talks: list[Events] = []
    for day in conference["days"]:
        day_element = ET.SubElement(
            root,
            "day",
            {
                "index": str(day["index"]),
                "date": day["date"],
                "start": day["day_start"],
                "end": day["day_end"],
            },
        )
        for room, events in day["rooms"].items():
            room_element = ET.SubElement(day_element, "room", {"name": room, "guid": guids[room]})
            ET.SubElement(room_element, _TALKS)
            talks.append(events)
    ET.indent(root)
    frame = ET.tostring(root, encoding="utf-8", xml_declaration=True).split(
        f"<{_TALKS} />".encode()
    )
    yield made.frame(frame[0])
    for events, after in zip(talks, frame[1:], strict=True):
        yield made.talks(events, _xml_talks)
        yield made.frame(after)
    yield made.frame(b"\n")
    made.finish()


def _xml_talks(events: list[dict[str, Any]]) -> bytes:
    """A room's talks of a day as they stand in its element, written as ElementTree
    writes and indents them (three containers deep: schedule, day, room), with
    ElementTree's own escaping; its tree took most of the file's time.
    ``tests/render/test_schedule_stream.py`` holds them to ElementTree's bytes."""
    text = _TALK_INDENT.join([_xml_event(event) for event in events])
    return text.encode("utf-8", "xmlcharrefreplace")


# The line break and indent before a talk, one of its fields, and a person or link.
_TALK_INDENT, _FIELD_INDENT, _ITEM_INDENT = ("\n" + "  " * level for level in (3, 4, 5))
_cdata, _attribute = ET._escape_cdata, ET._escape_attrib  # type: ignore[attr-defined]


def _xml_event(event: dict[str, Any]) -> str:
    out = [f'<event guid="{_attribute(event["guid"])}" id="{_attribute(str(event["id"]))}">']
    for name in ("room", "title", "subtitle", "type", "date", "start", "duration"):
        if event[name] is not None:
            out.append(_field(name, event[name]))
    out.append(_field("abstract", event["abstract"] or ""))
    out.append(_field("slug", event["slug"]))
    out.append(_field("track", event["track"] or ""))
    if event["language"]:
        out.append(_field("language", event["language"]))
    out.append(_field("description", event["description"]))
    persons = [("person", "guid", person["guid"], person["name"]) for person in event["persons"]]
    out.append(_list("persons", persons))
    links = [("link", "href", link["url"], link["title"]) for link in event["links"]]
    out.append(_list("links", links))
    if event["url"].startswith("http"):
        out.append(_field("url", event["url"]))
    out.append(_TALK_INDENT + "</event>")
    return "".join(out)


def _field(name: str, text: str | None) -> str:
    """A field of a talk, on its own line (an element with no text is written empty)."""
    if not text:
        return f"{_FIELD_INDENT}<{name} />"
    return f"{_FIELD_INDENT}<{name}>{_cdata(text)}</{name}>"


def _list(name: str, items: list[tuple[str, str, str, str | None]]) -> str:
    """A talk's persons or links: each an element with one attribute and a text."""
    if not items:
        return f"{_FIELD_INDENT}<{name} />"
    lines = [
        f'{_ITEM_INDENT}<{tag} {key}="{_attribute(value)}">{_cdata(text)}</{tag}>'
        if text
        else f'{_ITEM_INDENT}<{tag} {key}="{_attribute(value)}" />'
        for tag, key, value, text in items
    ]
    return f"{_FIELD_INDENT}<{name}>{''.join(lines)}{_FIELD_INDENT}</{name}>"


def _sub(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, name).text = text
