"""``schedule.xml``: the schedule of :func:`wego_ical.render.schedule.schedule_data` in
frab's XML form, as ElementTree writes and indents it, each room's talks of a day written
as they are made (see :mod:`wego_ical.render.schedule` for the mapping)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

from wego_ical.render.schedule import Encoded, Encoding, Events, Pieces
from wego_ical.render.talk_codec import XML_LEVEL, XML_TALKS, LocalEncoder

# Where a room's talks go in the frame of schedule.xml (an element: no text of the
# series can be written as one, its "<" would be escaped).
_TALKS = "wego-ical-talks"


def schedule_xml(
    data: dict[str, Any], pieces: Pieces | None = None, encoding: Encoding | None = None
) -> Iterator[bytes]:
    """``schedule.xml``, the same schedule in frab's XML form, as ElementTree writes and
    indents it: the frame (conference, days, rooms) as one small tree, each room's talks
    of a day written as they are made (``pieces``: or copied from the file in place,
    see :class:`~wego_ical.render.schedule.Pieces`; ``encoding``: what encodes them,
    here by default)."""
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
    return made.written(_parts(frame, talks), encoding or LocalEncoder)


def _parts(frame: list[bytes], talks: list[Events]) -> Iterator[bytes | Encoded]:
    """The frame's bytes, each room's talks of a day in place of its placeholder."""
    yield frame[0]
    for events, after in zip(talks, frame[1:], strict=True):
        yield Encoded(XML_TALKS, XML_LEVEL, events=events)
        yield after
    yield b"\n"


def _sub(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, name).text = text
