"""The second c3voc schedule format (``schedule.events``, the CCC hub's since 2024): its
events, listed once with their room and day boundaries apart, put back into the days and
rooms of the first format, which :func:`~wego_ical.importing.readers.from_schedule` reads.

In the second format a day is a span (``start`` to ``end``, e.g. 06:00 to 06:00): a talk
belongs to the day its start falls in, and the time the later days start is the
series' ``day_change``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from wego_ical.importing.drafts import zone_of


def is_schedule_v2(document: object) -> bool:
    """Whether ``document`` is a schedule of the second format."""
    schedule = document.get("schedule") if isinstance(document, Mapping) else None
    return isinstance(schedule, Mapping) and isinstance(schedule.get("events"), list)


def as_days(document: Mapping[str, Any]) -> dict[str, Any]:
    """The schedule in the first format: each event in its day's room, with its duration,
    track name and persons as the first format names them."""
    schedule = document["schedule"]
    conference = dict(schedule["conference"])
    zone = zone_of(conference.get("time_zone_name") or "UTC")
    tracks = {
        track.get("slug"): track.get("name")
        for track in conference.get("tracks", [])
        if isinstance(track, Mapping)
    }
    spans = [_span(day, zone) for day in conference.get("days", []) if isinstance(day, Mapping)]
    days: list[dict[str, Any]] = [
        {"index": day.get("index"), "date": day.get("date"), "rooms": {}}
        for day in conference.get("days", [])
        if isinstance(day, Mapping)
    ]
    for event in schedule["events"]:
        start = datetime.fromisoformat(str(event["start"]))
        number = _day_of(spans, start, zone)
        if number is None:
            days.append({"date": start.astimezone(zone).date().isoformat(), "rooms": {}})
            spans.append((start, start))
            number = len(days) - 1
        room = event.get("room")
        name = str(room.get("name") if isinstance(room, Mapping) else room or "")
        days[number]["rooms"].setdefault(name, []).append(_talk(event, start, tracks))
    conference["days"] = days
    change = _day_change(spans, zone)
    if change is not None:
        conference["day_change"] = change.isoformat()
    return {"schedule": {**schedule, "conference": conference}}


def _span(day: Mapping[str, Any], zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.fromisoformat(str(day.get("start") or f"{day['date']}T00:00:00"))
    end = datetime.fromisoformat(str(day.get("end") or f"{day['date']}T23:59:59"))
    return (
        start if start.tzinfo else start.replace(tzinfo=zone),
        end if end.tzinfo else end.replace(tzinfo=zone),
    )


def _day_of(spans: list[tuple[datetime, datetime]], start: datetime, zone: ZoneInfo) -> int | None:
    moment = start if start.tzinfo else start.replace(tzinfo=zone)
    for number, (first, last) in enumerate(spans):
        if first <= moment < last:
            return number
    return None


def _day_change(spans: list[tuple[datetime, datetime]], zone: ZoneInfo) -> time | None:
    """The local time the days after the first start at, when they all start at one time
    after midnight (the first starts when the congress opens)."""
    starts = {start.astimezone(zone).time() for start, _ in spans[1:]}
    if len(starts) != 1:
        return None
    (change,) = starts
    return change if change != time() else None


def _talk(event: Mapping[str, Any], start: datetime, tracks: Mapping[Any, Any]) -> dict[str, Any]:
    end = datetime.fromisoformat(str(event["end"])) if event.get("end") else None
    minutes = int((end - start).total_seconds() // 60) if end else 0
    track = event.get("track")
    slug = track.get("slug") if isinstance(track, Mapping) else track
    return {
        "guid": event.get("guid") or "",
        "date": start.isoformat(),
        "duration": event.get("duration") or f"{minutes // 60:02}:{minutes % 60:02}",
        "title": event.get("title") or "",
        "subtitle": event.get("subtitle"),
        "track": tracks.get(slug) or (track.get("name") if isinstance(track, Mapping) else None),
        "abstract": event.get("abstract"),
        "description": event.get("description"),
        "url": event.get("url"),
        "language": event.get("language"),
        "persons": [
            {"name": person.get("name")}
            for person in event.get("participants") or event.get("persons") or []
            if isinstance(person, Mapping) and person.get("name")
        ],
    }
