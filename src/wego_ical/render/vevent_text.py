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

from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

from icalendar.parser import Contentline, Parameters
from icalendar.parser_tools import to_unicode
from icalendar.prop import vCalAddress, vCategory, vDDDTypes, vDuration, vInt, vText, vUri

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
    lines = [b"BEGIN:VEVENT"]
    add = _adder(lines)
    add("SUMMARY", vText(snapshot.summary), language)
    if snapshot.all_day:
        add("DTSTART", vDDDTypes(snapshot.start.date()))
        add("DTEND", vDDDTypes(snapshot.end.date()))
    else:
        add("DTSTART", vDDDTypes(snapshot.aware_start))
        add("DTEND", vDDDTypes(snapshot.aware_end))
    updated = vDDDTypes(record.updated.astimezone(UTC))
    add("DTSTAMP", updated)
    add("UID", vText(record.uid))
    add("SEQUENCE", vInt(record.sequence))
    # Written even when empty, as the object model writes them.
    add("CATEGORIES", vCategory(snapshot.categories))
    add("DESCRIPTION", vText(snapshot.description), language)
    add("LAST-MODIFIED", updated)
    if snapshot.location is not None:
        add("LOCATION", vText(snapshot.location), language)
    add("ORGANIZER", vCalAddress(snapshot.organizer_address), {"CN": snapshot.organizer_name})
    add("STATUS", vText(snapshot.status))
    free = snapshot.status == "CANCELLED" or snapshot.all_day
    add("TRANSP", vText("TRANSPARENT" if free else "OPAQUE"))
    if snapshot.url:
        add("URL", vUri(snapshot.url))
    if snapshot.reminder_minutes is not None and snapshot.status != "CANCELLED":
        lines.append(b"BEGIN:VALARM")
        add("ACTION", vText("DISPLAY"))
        add("DESCRIPTION", vText(snapshot.summary))
        add("TRIGGER", vDuration(timedelta(minutes=-snapshot.reminder_minutes)))
        lines.append(b"END:VALARM")
    lines.append(b"END:VEVENT")
    lines.append(b"")
    return b"\r\n".join(lines)


def _adder(lines: list[bytes]) -> Callable[..., None]:
    def add(name: str, value: Any, params: dict[str, str] | None = None) -> None:
        own = getattr(value, "params", None)
        if own or params:
            merged = Parameters({**(own or {}), **(params or {})})
            lines.append(fold(str.__str__(Contentline.from_parts(name, merged, value))))
        else:  # what Contentline.from_parts makes of a line without parameters
            lines.append(fold(f"{name}:{to_unicode(value.to_ical())}"))

    return add


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
