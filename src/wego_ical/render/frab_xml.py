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
    """A room's talks of a day as they stand in its element (one ElementTree run each)."""
    holder = ET.Element(_TALKS)
    holder.extend(_xml_event(event) for event in events)
    # Three containers deep (schedule, day, room): the holder stands for the room.
    ET.indent(holder, level=2)
    holder.text = holder[-1].tail = None
    # As text, then encoded as ElementTree does: its UTF-8 writer encodes each small write.
    text = ET.tostring(holder, encoding="unicode")[len(_TALKS) + 2 : -len(_TALKS) - 3]
    return text.encode("utf-8", "xmlcharrefreplace")


def _xml_event(event: dict[str, Any]) -> ET.Element:
    element = ET.Element("event", {"guid": event["guid"], "id": str(event["id"])})
    for name in ("room", "title", "subtitle", "type", "date", "start", "duration"):
        if event[name] is not None:
            _sub(element, name, event[name])
    _sub(element, "abstract", event["abstract"] or "")
    _sub(element, "slug", event["slug"])
    _sub(element, "track", event["track"] or "")
    if event["language"]:
        _sub(element, "language", event["language"])
    _sub(element, "description", event["description"])
    persons = ET.SubElement(element, "persons")
    for person in event["persons"]:
        ET.SubElement(persons, "person", {"guid": person["guid"]}).text = person["name"]
    links = ET.SubElement(element, "links")
    for link in event["links"]:
        ET.SubElement(links, "link", {"href": link["url"]}).text = link["title"]
    if event["url"].startswith("http"):
        _sub(element, "url", event["url"])
    return element


def _sub(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, name).text = text
