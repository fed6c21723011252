"""VEVENT text written straight from a published record, property by property, with
icalendar's own value types and content lines (TEXT escaping, date and time formats,
parameter quoting, folding at 75 octets).

The object model (:func:`wego_ical.render.calendar.build_vevents`) is the reference:
this writer skips building an ``Event`` (its typed setters, its sorting of keys) and
gives the same bytes, which ``tests/test_vevent_text.py`` proves on every field,
hostile texts, whole days, zones, cancellations and reminders. What it does not write
(a repeating event, an online conference, a text with a backslash and an N) it leaves
to the object model: :func:`vevent_text` returns None for them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar.parser import Contentline, Parameters
from icalendar.parser_tools import to_unicode
from icalendar.prop import (
    vCalAddress,
    vCategory,
    vDatetime,
    vDDDTypes,
    vDuration,
    vInt,
    vText,
    vUri,
)

from wego_ical.i18n.dates import in_zone
from wego_ical.plan.records import EventRecord


def vevent_text(record: EventRecord) -> bytes | None:
    """The VEVENT of ``record`` as :func:`~wego_ical.render.calendar.build_vevents`
    serializes it, or None where only the object model writes it."""
    snapshot = record.snapshot
    texts = (snapshot.summary, snapshot.description, snapshot.location or "")
    if (
        snapshot.repeat is not None
        or snapshot.conference
        or any("\\N" in text for text in (*texts, *snapshot.categories))
    ):
        return None
    language = {"LANGUAGE": snapshot.language} if snapshot.language else {}
    lines = [b"BEGIN:VEVENT", content_line("SUMMARY", vText(snapshot.summary), language)]
    if snapshot.all_day:
        lines += [_shared("DTSTART", snapshot.start.date()), _shared("DTEND", snapshot.end.date())]
    else:
        zone = snapshot.timezone
        lines += [_zoned("DTSTART", snapshot.start, zone), _zoned("DTEND", snapshot.end, zone)]
    updated = record.updated.astimezone(UTC)
    lines += [
        _shared("DTSTAMP", updated),
        content_line("UID", vText(record.uid)),
        _shared("SEQUENCE", record.sequence),
        # Written even when empty, as the object model writes them.
        _shared("CATEGORIES", tuple(snapshot.categories)),
        content_line("DESCRIPTION", vText(snapshot.description), language),
        _shared("LAST-MODIFIED", updated),
    ]
    if snapshot.location is not None:
        lines.append(content_line("LOCATION", vText(snapshot.location), language))
    lines.append(_shared("ORGANIZER", snapshot.organizer_address, snapshot.organizer_name))
    lines.append(_shared("STATUS", snapshot.status))
    free = snapshot.status == "CANCELLED" or snapshot.all_day
    lines.append(_shared("TRANSP", "TRANSPARENT" if free else "OPAQUE"))
    if snapshot.url:
        lines.append(content_line("URL", vUri(snapshot.url)))
    if snapshot.reminder_minutes is not None and snapshot.status != "CANCELLED":
        lines += [
            b"BEGIN:VALARM",
            _shared("ACTION", "DISPLAY"),
            content_line("DESCRIPTION", vText(snapshot.summary)),
            _shared("TRIGGER", -snapshot.reminder_minutes),
            b"END:VALARM",
        ]
    lines += [b"END:VEVENT", b""]
    return b"\r\n".join(lines)


def content_line(name: str, value: Any, params: dict[str, str] | None = None) -> bytes:
    """One content line, folded, as icalendar writes it (without its line break)."""
    return fold(_content_line(name, value, params))


def _content_line(name: str, value: Any, params: dict[str, str] | None = None) -> str:
    """One content line, unfolded, as icalendar writes it."""
    own = getattr(value, "params", None)
    if own or params:
        merged = Parameters({**(own or {}), **(params or {})})
        return str.__str__(Contentline.from_parts(name, merged, value))
    # What Contentline.from_parts makes of a line without parameters.
    return f"{name}:{to_unicode(value.to_ical())}"


def _moment(moment: datetime | date, zone: str | None = None) -> tuple[Any, None]:
    """A date, a time in UTC, or a wall time (naive, so that the key of a line is the
    wall time: aware times of two zones that are one instant compare equal) in ``zone``."""
    if zone is not None and isinstance(moment, datetime):
        moment = in_zone(moment, ZoneInfo(zone))
    return vDDDTypes(moment), None


def _zoned(name: str, moment: datetime, zone: str) -> bytes:
    """A wall time in ``zone`` (DTSTART, DTEND), as the object model writes it: its
    digits as icalendar writes a local time, between what every time of the zone has
    before and after them. Most events have times of their own (10,000 sessions, 10,000
    starts): this costs a third of making the whole line for each."""
    before, after = _zone_line(name, zone)
    return fold(before + _digits(moment) + after)


def _digits(wall: datetime) -> str:
    """A local time's digits as icalendar writes them (20210826T090000)."""
    value: Any = vDatetime(wall)
    return to_unicode(value.to_ical())


@functools.lru_cache(maxsize=256)
def _zone_line(name: str, zone: str) -> tuple[str, str]:
    """What the content line of a time in ``zone`` has before and after the time's digits,
    as icalendar writes it ("DTSTART;TZID=Asia/Seoul:" and ""; "DTSTART:" and "Z" in
    UTC): its parameters and its form come from the zone alone."""
    wall = datetime(2000, 1, 1)
    value, _ = _moment(wall, zone)
    line = _content_line(name, value)
    digits = _digits(wall)
    written = to_unicode(value.to_ical())
    assert written.startswith(digits) and line.endswith(f":{written}")
    return line[: len(line) - len(written)], written[len(digits) :]


# The value types of the lines many events share, with their parameters, by name.
_SHARED: dict[str, Callable[..., tuple[Any, dict[str, str] | None]]] = {
    "DTSTART": _moment,
    "DTEND": _moment,
    "DTSTAMP": _moment,
    "LAST-MODIFIED": _moment,
    "SEQUENCE": lambda number: (vInt(number), None),
    "CATEGORIES": lambda categories: (vCategory(list(categories)), None),
    "ORGANIZER": lambda address, name: (vCalAddress(address), {"CN": name}),
    "STATUS": lambda text: (vText(text), None),
    "TRANSP": lambda text: (vText(text), None),
    "ACTION": lambda text: (vText(text), None),
    "TRIGGER": lambda minutes: (vDuration(timedelta(minutes=minutes)), None),
}


@functools.lru_cache(maxsize=4096)
def _shared(name: str, *key: Hashable) -> bytes:
    """A line that many events share (their organizer, status, build time, the times of
    a slot), made once."""
    value, params = _SHARED[name](*key)
    return content_line(name, value, params)


# A folded line holds at most this many octets (RFC 5545 3.1: 75 with the leading space).
_OCTETS = 74
# A backslash (TEXT escapes) and a caret (RFC 6868 parameter escapes) start an escape.
_ESCAPES = b"\\^"


def fold(line: str) -> bytes:
    """``line`` folded as icalendar folds it (``icalendar.parser.string._foldline``):
    pieces of at most 74 octets that split no character, and never right after a
    backslash or caret (an escape stays whole), joined by CRLF and a space.

    The same result, measured ten times faster: icalendar encodes the line a character
    at a time, which took 60 % of writing a VEVENT (2.7 s of 4.6 s for 3,000 sessions).
    tests/test_vevent_text.py proves it equal to icalendar's on random lines."""
    data = line.encode("utf-8")
    if len(data) <= _OCTETS:
        return data
    pieces = []
    start, size = 0, len(data)
    while size - start > _OCTETS:
        end = start + _OCTETS
        while data[end] & 0xC0 == 0x80:  # not inside a character
            end -= 1
        if data[end - 1] in _ESCAPES and end - 1 > start:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)
