"""frab/pretalx ``schedule.xml`` and pentabarf XML (FOSDEM's): read into the JSON structure
of ``schedule.json``, which :func:`~wego_ical.importing.readers.from_schedule` reads.

Pentabarf gives each talk its day's date and its own start only (no ``<date>``);
hand-made schedules name their speakers in several ways.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any
from xml.etree import ElementTree as ET


def xml_schedule(raw: bytes) -> dict[str, Any]:
    """A ``schedule.xml`` as the JSON structure of ``schedule.json``."""
    root = ET.fromstring(raw)
    conference = root.find("conference")
    if root.tag != "schedule" or conference is None:
        raise ValueError("not a frab schedule.xml (no <schedule><conference>)")
    info = {child.tag: (child.text or "") for child in conference if child.tag != "track"}
    days = []
    for day in root.findall("day"):
        rooms: dict[str, list[dict[str, Any]]] = {}
        for room in day.findall("room"):
            rooms[room.get("name", "")] = [
                _xml_event(event, day.get("date")) for event in room.findall("event")
            ]
        days.append({"date": day.get("date"), "rooms": rooms})
    conference_data = {
        "acronym": info.get("acronym", "imported"),
        "title": info.get("title", "Imported series"),
        "time_zone_name": info.get("time_zone_name"),
        "url": info.get("url") or None,
        "tracks": [{"name": t.get("name", "")} for t in conference.findall("track")],
        "day_change": info.get("day_change") or None,
        "days": days,
    }
    return {"schedule": {"conference": conference_data}}


def _xml_event(event: ET.Element, day: str | None) -> dict[str, Any]:
    text = {child.tag: _text(child) for child in event}
    # pentabarf (FOSDEM) gives the day's date and the talk's <start> only.
    when = text.get("date") or (f"{day}T{text['start']}" if day and text.get("start") else "")
    return {
        "guid": event.get("guid") or event.get("id") or "",
        "date": when,
        "duration": text.get("duration"),
        "title": text.get("title", ""),
        "subtitle": text.get("subtitle") or None,
        "track": text.get("track") or None,
        "type": text.get("type") or None,
        "abstract": text.get("abstract") or None,
        "description": text.get("description") or None,
        "url": text.get("url") or None,
        "language": text.get("language") or None,
        "persons": [{"name": name} for name in _xml_persons(event)],
    }


def _text(element: ET.Element) -> str:
    """An element's text without the indentation a pretty-printed file gives the lines
    after its first (the hub indents a description's paragraphs as deep as the tag)."""
    first, _, rest = (element.text or "").strip().partition("\n")
    return (first + "\n" + textwrap.dedent(rest)).strip() if rest else first


def _xml_persons(event: ET.Element) -> list[str]:
    """A talk's people: frab's <persons><person>, else as hand-made schedules give them
    (<speakers><speaker>, <person> or <speaker> in the event, or a list in <speakers>)."""
    for path in ("persons/person", "speakers/speaker", "person", "speaker"):
        names = [(p.text or "").strip() for p in event.iterfind(path)]
        if any(names):
            return [name for name in names if name]
    listed = event.findtext("speakers") or event.findtext("persons") or ""
    return [name.strip() for name in re.split(r"[,;]", listed) if name.strip()]
