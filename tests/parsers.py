"""Read feeds with three independent iCalendar parsers into one common shape.

Each reader returns ``{uid: Fields}`` so tests can check that icalendar,
allenporter's ``ical`` and ``vobject`` agree with each other and with the data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream

from conftest import count_events, render_files
from wego_ical.model import Event, Series, Session, calendar_entries


@dataclass(frozen=True)
class Fields:
    """What a subscriber sees of one event, with times in UTC."""

    uid: str
    summary: str
    start: datetime | date  # a date for a whole-day item
    end: datetime | date
    description: str
    location: str | None


def _utc(value: object) -> datetime | date:
    """A date-time in UTC; a date (a whole-day item) as it is."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    assert isinstance(value, datetime), f"expected a date-time, got {value!r}"
    assert value.tzinfo is not None, f"floating time {value!r}"
    return value.astimezone(UTC)


def read_icalendar(data: bytes) -> dict[str, Fields]:
    """Parse with icalendar."""
    calendar = icalendar.Calendar.from_ical(data)
    return {
        str(e["UID"]): Fields(
            str(e["UID"]),
            str(e["SUMMARY"]),
            _utc(e.start),
            _utc(e.end),
            str(e.get("DESCRIPTION", "")),
            str(e["LOCATION"]) if "LOCATION" in e else None,
        )
        for e in calendar.events
    }


def read_ical(data: bytes) -> dict[str, Fields]:
    """Parse with allenporter/ical (strict pydantic models, as used by Home Assistant)."""
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return {
        str(e.uid): Fields(
            str(e.uid),
            str(e.summary),
            _utc(e.dtstart),
            _utc(e.dtend),
            e.description or "",
            e.location,
        )
        for e in calendar.events
    }


def vobject_read(text: str) -> Any:
    """vobject.readOne on a clean slate.

    vobject keeps every VTIMEZONE it has seen in a process-wide map keyed by
    TZID and reuses it for later files; each file must be read on its own.
    """
    vobject.icalendar.__dict__["__tzidMap"].clear()
    return vobject.readOne(text)


def read_vobject(data: bytes) -> dict[str, Fields]:
    """Parse with vobject, which resolves times through the file's own VTIMEZONE."""
    calendar = vobject_read(data.decode("utf-8"))
    result = {}
    for e in calendar.vevent_list:
        location = e.location.value if hasattr(e, "location") else None
        description = e.description.value if hasattr(e, "description") else ""
        result[e.uid.value] = Fields(
            e.uid.value,
            e.summary.value,
            _utc(e.dtstart.value),
            _utc(e.dtend.value),
            description,
            location,
        )
    return result


READERS = {"icalendar": read_icalendar, "ical": read_ical, "vobject": read_vobject}


def expected_fields(series: Series) -> dict[str, Fields]:
    """What every parser must report, computed from the data (not from the feed).

    Written from the data's own fields, not with wego-ical's text functions,
    so that this is an independent check: the summary is "Event · Session"
    (the session's title, else its category's name), and the description is
    checked separately by :func:`description_parts`.
    """
    categories = {category.id: category.name for category in series.categories}
    result = {}
    for entry in calendar_entries(series):
        session, event = entry.session, entry.event
        location = (session.location if session else None) or event.location
        if session is None:
            summary = event.title
        else:
            own = session.title or categories.get(session.category or "") or session.id
            summary = f"{event.title} · {own}"
        if entry.status == "cancelled":
            summary = f"{series.labels.cancelled}: {summary}"
        uid = f"{series.series.id}.{entry.key}@{series.series.uid_domain}"
        start, end = _expected_times(series, event, session)
        result[uid] = Fields(uid, summary, start, end, "", location)
    return result


def _expected_times(
    series: Series, event: Event, session: Session | None
) -> tuple[datetime | date, datetime | date]:
    """Start and end from the data's own fields: a session's date, end_date and zone,
    else its event's; whole days as dates with the end exclusive."""
    item: Event | Session = session or event
    zone = ZoneInfo(item.timezone or event.timezone or series.series.timezone)
    day = (session.date if session else None) or event.date
    last = item.end_date or (day if session else event.date)
    if item.all_day:
        return day, last + timedelta(days=1)
    assert item.start is not None and item.end is not None
    return (
        datetime.combine(day, item.start, zone).astimezone(UTC),
        datetime.combine(last, item.end, zone).astimezone(UTC),
    )


def description_parts(series: Series) -> dict[str, list[str]]:
    """Texts of the data that each event's DESCRIPTION must contain."""
    people = {person.id: person.name for person in series.people}
    projects = {project.id: project.city or project.title or "" for project in series.projects}
    result = {}
    for entry in calendar_entries(series):
        session, event = entry.session, entry.event
        parts = [(session.description if session else event.description).strip()]
        parts += [projects[project] for project in (session.projects if session else [])]
        parts += [people[ref.person] for ref in entry.panelists]
        parts.append(entry.page_url or series.series.url)
        uid = f"{series.series.id}.{entry.key}@{series.series.uid_domain}"
        result[uid] = [part for part in parts if part]
    return result


def calendar_texts(data: bytes) -> list[tuple[str, str | None]]:
    """A feed's own name and description, as vobject and allenporter/ical read each copy
    (NAME and X-WR-CALNAME; DESCRIPTION and X-WR-CALDESC): None where there is none."""
    text = data.decode("utf-8")
    read = vobject_read(text)

    def vobject_value(name: str) -> str | None:
        values = read.contents.get(name)
        return str(values[0].value) if values else None

    calendar = IcsCalendarStream.calendar_from_ics(text)
    name = calendar.name[0] if calendar.name else None
    description = calendar.description[0] if calendar.description else None
    return [
        ("name", vobject_value("name")),
        ("name", vobject_value("x-wr-calname")),
        ("name", name),
        ("description", vobject_value("description")),
        ("description", vobject_value("x-wr-caldesc")),
        ("description", description),
    ]


def assert_parsers_agree_with_data(series: Series, language: str | None = None) -> None:
    expected = expected_fields(series)
    parts = description_parts(series)
    for path, content in render_files(series, language=language).items():
        texts = calendar_texts(content)
        for what in ("name", "description"):
            readings_of = {value for kind, value in texts if kind == what}
            assert len(readings_of) == 1, f"{path}: its {what} is read as {readings_of}"
        readings = {name: read(content) for name, read in READERS.items()}
        for name, parsed in readings.items():
            assert len(parsed) == count_events(content), (name, path)
            for uid, fields in parsed.items():
                assert fields == readings["icalendar"][uid], f"{name} and icalendar differ on {uid}"
                assert replace(fields, description="") == expected[uid], (
                    f"{name} reads {uid} in {path} differently"
                )
                for part in parts[uid]:
                    assert part in fields.description, f"{name}: {part!r} not in {uid}"
