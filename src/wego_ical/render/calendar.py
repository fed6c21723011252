"""iCalendar output with icalendar: VEVENTs, calendar envelopes and VTIMEZONEs.

Pure functions: a published :class:`~wego_ical.plan.records.EventRecord` in, bytes
out; nothing here reads the clock or the file system. Every VEVENT is
serialized once and spliced into every file that contains it: a calendar
file is an *envelope* (header and VTIMEZONEs) with the VEVENTs added.

Each rendered VEVENT is self-checked with :mod:`wego_ical.lint.checks`; the output
must never break a client, so any finding there is a bug in wego-ical and
stops the build before anything is written.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration, vText, vUri
from icalendar.caselessdict import canonsort_keys
from icalendar.enums import STATUS, TRANSP
from icalendar.prop.conference import Conference

from wego_ical.errors import SelfCheckError
from wego_ical.i18n.dates import in_zone
from wego_ical.lint.checks import lint, lint_event
from wego_ical.model.repeats import expand, feed_rule
from wego_ical.pieces import CALENDAR_END, splice_pieces
from wego_ical.plan.records import EventRecord, Snapshot, text_digest
from wego_ical.render.vevent_text import content_line, vevent_text
from wego_ical.render.vtimezone import checked_vtimezone

PRODID = "-//wego-ical//wego-ical//EN"

# Bump whenever the bytes this module produces for the same records change:
# rendered events are reused by a later build only when it has the same
# renderer (tests/test_render.py fails when the output changes without it).
RENDERER_VERSION = 3
RENDERER = f"{RENDERER_VERSION}/icalendar-{icalendar.__version__}"

_BEGIN = b"BEGIN:VEVENT\r\n"
_END_EVENT = b"END:VEVENT\r\n"


def build_vevents(record: EventRecord) -> list[Event]:
    """The VEVENTs of one published event: itself, and (when it repeats) one per changed
    occurrence, with the same UID and SEQUENCE and its RECURRENCE-ID."""
    master = build_vevent(record)
    snapshot = record.snapshot
    if snapshot.repeat is None:
        return [master]
    zone = ZoneInfo(snapshot.timezone)
    starts = expand(snapshot.repeat, snapshot.start, zone)
    master.add("RRULE", feed_rule(snapshot.repeat, starts[-1], bool(snapshot.all_day), zone))
    if snapshot.exdates:
        master.add("EXDATE", [_moment(snapshot, moment) for moment in snapshot.exdates])
    vevents = [master]
    for override in snapshot.overrides or ():
        vevent = build_vevent(replace(record, snapshot=override.applied_to(snapshot)))
        vevent.add("RECURRENCE-ID", _moment(snapshot, override.recurrence_id))
        vevents.append(vevent)
    return vevents


def _moment(snapshot: Snapshot, local: datetime) -> datetime | date:
    """A naive local time of the event as written: a date for a whole-day item."""
    return local.date() if snapshot.all_day else in_zone(local, ZoneInfo(snapshot.timezone))


def build_vevent(record: EventRecord) -> Event:
    """The VEVENT of one published event (without its repeats: see build_vevents)."""
    snapshot = record.snapshot
    # A whole-day item is a date (VALUE=DATE, no zone) and free time: clients show
    # it as a banner above the day and do not count it as busy.
    free = snapshot.status == "CANCELLED" or snapshot.all_day
    vevent = Event.new(
        uid=record.uid,
        summary=snapshot.summary,
        start=snapshot.start.date() if snapshot.all_day else snapshot.aware_start,
        end=snapshot.end.date() if snapshot.all_day else snapshot.aware_end,
        stamp=record.updated,
        last_modified=record.updated,
        description=snapshot.description,
        location=snapshot.location,
        url=snapshot.url,
        categories=snapshot.categories,
        status=STATUS(snapshot.status),
        sequence=record.sequence,
        transparency=TRANSP.TRANSPARENT if free else TRANSP.OPAQUE,
        organizer=_organizer(snapshot),
    )
    _keep_backslash_n(vevent)
    if snapshot.language:
        for name in _TEXT_PROPERTIES:
            if name in vevent:
                vevent[name].params["LANGUAGE"] = snapshot.language
    if snapshot.conference:
        vevent.conferences = [
            Conference(snapshot.conference, feature="VIDEO", label=snapshot.conference_label)
        ]
    if snapshot.reminder_minutes is not None and snapshot.status != "CANCELLED":
        alarm = Alarm.new_display(snapshot.summary, timedelta(minutes=-snapshot.reminder_minutes))
        _keep_backslash_n(alarm)
        vevent.add_component(alarm)
    return vevent


class ExactText(vText):
    """A TEXT value that keeps a backslash followed by N as the two characters it is:
    icalendar takes that pair in a text for a line break (as RFC 5545 writes one)."""

    def to_ical(self) -> bytes:
        return b"\\\\N".join(vText(piece).to_ical() for piece in str(self).split("\\N"))


def _keep_backslash_n(component: Event | Alarm) -> None:
    """Make the texts of ``component`` that hold a backslash and an N keep them."""
    for name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
        value = component.get(name)
        if value is not None and "\\N" in str(value):
            exact = ExactText(str(value))
            exact.params = value.params
            component[name] = exact
    categories = component.get("CATEGORIES")
    if categories is not None and any("\\N" in str(c) for c in categories.cats):
        categories.cats = [ExactText(str(c)) for c in categories.cats]


# The properties whose text is in the feed's language (RFC 5545 3.2.10).
_TEXT_PROPERTIES = ("SUMMARY", "DESCRIPTION", "LOCATION")


def _organizer(snapshot: Snapshot) -> vCalAddress:
    # RFC 5546 requires ORGANIZER in a METHOD:PUBLISH feed; without an email
    # address the series web page is the organiser's URI.
    value = vCalAddress(snapshot.organizer_address)
    value.params["CN"] = snapshot.organizer_name
    return value


def render_checked(key: str, record: EventRecord) -> tuple[bytes, list[str]]:
    """The VEVENT text of ``record`` and the self-check's errors in it, named by ``key``:
    written directly (render.vevent_text), else through icalendar's object model."""
    text = vevent_text(record) or b"".join(vevent.to_ical() for vevent in build_vevents(record))
    errors = [finding.render(key) for finding in lint_event(text, {record.snapshot.timezone})]
    return text, errors


def render_all(records: Sequence[EventRecord]) -> Rendered:
    """The VEVENT texts of ``records``, in order, their digests, and every self-check
    error in them."""
    texts, problems = [], []
    for record in records:
        text, errors = render_checked(record.uid, record)
        texts.append(text)
        problems += errors
    # Digested where they are rendered, in parallel: the build process, which records
    # them, is the one that waits at 100,000 sessions.
    return Rendered(texts, [text_digest(text) for text in texts], problems)


@dataclass(frozen=True)
class Rendered:
    """What :func:`render_all` makes of some records."""

    texts: list[bytes]
    digests: list[str]
    problems: list[str]


def vevent_of(content: bytes) -> bytes | None:
    """The VEVENT text of a single-event file (None if it holds none)."""
    start = content.find(_BEGIN)
    end = content.rfind(_END_EVENT)
    return content[start : end + len(_END_EVENT)] if start != -1 and end > start else None


def vevents_in(content: bytes) -> Iterator[bytes]:
    """Every top-level VEVENT text of a calendar file, in order (a feed's events).

    Only whole lines are matched (a folded line starts with a space, and text
    values have no line breaks), so a text that mentions "END:VEVENT" is not
    taken for the end of an event.
    """
    begin, end = b"\r\n" + _BEGIN, b"\r\n" + _END_EVENT
    # Positions of the line break before each BEGIN line (-2: the file starts with one).
    start = -2 if content.startswith(_BEGIN) else content.find(begin)
    while start != -1:
        stop = content.find(end, start + 2)
        if stop == -1:
            return
        stop += len(end)
        yield content[start + 2 : stop]
        # The line break before the next BEGIN is the end of this END line.
        start = content.find(begin, stop - 2)


def is_vevent(text: bytes) -> bool:
    """Whether ``text`` is one whole serialized VEVENT (as :func:`vevent_of` returns)."""
    return text.startswith(_BEGIN) and text.endswith(_END_EVENT)


# --------------------------------------------------------------------------- calendars


@dataclass(frozen=True)
class FeedHeader:
    """What a feed says of itself: its name and description, its UID, the zone its
    times are shown in by default, how often to refresh it, and where it lives."""

    name: str
    description: str
    uid: str
    default_zone: str
    refresh_hours: int
    url: str | None = None


def build_envelope(header: FeedHeader, zones: Iterable[str], years: tuple[int, int]) -> bytes:
    """A feed without events: header, refresh hints and VTIMEZONEs limited to ``years``.

    Written line by line with icalendar's value types, folding and order of properties
    (a large series has thousands of feeds; building each as a ``Calendar`` took twice
    as long). :func:`envelope_object` is the reference: the same bytes, as
    ``tests/render/test_render.py`` proves."""
    values = _envelope_values(header)
    lines = [b"BEGIN:VCALENDAR"]
    lines += [
        content_line(name, *values[name])
        for name in canonsort_keys(values, Calendar.canonical_order)
    ]
    return b"\r\n".join(lines) + b"\r\n" + _timezones(zones, years) + CALENDAR_END


def _envelope_values(header: FeedHeader) -> dict[str, tuple[Any, dict[str, str] | None]]:
    """Each property of a feed's envelope: its value, and its parameters."""
    refresh = timedelta(hours=header.refresh_hours)
    values: dict[str, tuple[Any, dict[str, str] | None]] = {
        "VERSION": (vText("2.0"), None),
        "PRODID": (vText(PRODID), None),
        "CALSCALE": (vText("GREGORIAN"), None),
        "METHOD": (vText("PUBLISH"), None),
        "NAME": (ExactText(header.name), None),
        "X-WR-CALNAME": (ExactText(header.name), None),
        "DESCRIPTION": (ExactText(header.description), None),
        "X-WR-CALDESC": (ExactText(header.description), None),
        "UID": (vText(header.uid), None),
        "REFRESH-INTERVAL": (vDuration(refresh), {"VALUE": "DURATION"}),
        "X-PUBLISHED-TTL": (vDuration(refresh), None),
        "X-WR-TIMEZONE": (vText(header.default_zone), None),
    }
    if header.url:
        values["URL"] = values["SOURCE"] = (vUri(header.url), None)
    return values


def envelope_object(header: FeedHeader, zones: Iterable[str], years: tuple[int, int]) -> bytes:
    """:func:`build_envelope` through icalendar's object model (the reference)."""
    name, description, url = header.name, header.description, header.url
    uid, default_zone, refresh_hours = header.uid, header.default_zone, header.refresh_hours
    calendar = Calendar.new(
        prodid=PRODID,
        calscale="GREGORIAN",
        method="PUBLISH",
        name=name,
        description=description,
        uid=uid,
    )
    refresh = timedelta(hours=refresh_hours)
    # RFC 7986 §5.7 requires VALUE=DURATION on REFRESH-INTERVAL.
    calendar.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    if url:
        calendar.url = url
        calendar.source = url
    # icalendar 7.3 types NAME and the X- properties as vUnknown and writes them
    # unescaped (vobject read "Festival (10,000 sessions)" as "Festival (10"; a newline
    # would corrupt the line), and reads a backslash and an N in DESCRIPTION as a line
    # break: all four are set as exact TEXT, each in its place.
    calendar["NAME"] = ExactText(name)
    calendar["X-WR-CALNAME"] = ExactText(name)
    calendar["DESCRIPTION"] = ExactText(description)
    calendar["X-WR-CALDESC"] = ExactText(description)
    calendar["X-WR-TIMEZONE"] = vText(default_zone)
    return _with_timezones(calendar, zones, years)


@functools.lru_cache(maxsize=64)
def single_event_envelope(
    zones: tuple[str, ...], years: tuple[int, int], default_zone: str
) -> bytes:
    """The envelope of an "add this session" file.

    It has no calendar name, description or UID on purpose: importing a file
    with a calendar name makes Outlook create a separate calendar for it,
    while the event should simply join the calendar the user picks.
    """
    calendar = Calendar()
    calendar.prodid = PRODID
    calendar.version = "2.0"
    calendar.calscale = "GREGORIAN"
    calendar.method = "PUBLISH"
    calendar["X-WR-TIMEZONE"] = vText(default_zone)
    return _with_timezones(calendar, zones, years)


def _with_timezones(calendar: Calendar, zones: Iterable[str], years: tuple[int, int]) -> bytes:
    """The calendar's text with a VTIMEZONE for each zone, valid over ``years``."""
    return splice(calendar.to_ical(), [_timezones(zones, years)])


def _timezones(zones: Iterable[str], years: tuple[int, int]) -> bytes:
    """A VTIMEZONE for each of ``zones``, in order of their names, valid over ``years``."""
    first, last = years
    return b"".join(vtimezone_bytes(tzid, first, last) for tzid in sorted(zones))


@functools.lru_cache(maxsize=64)
def vtimezone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    """The serialized VTIMEZONE, checked against zoneinfo (computing one takes milliseconds)."""
    return bytes(checked_vtimezone(tzid, first_year, last_year).to_ical())


def splice(envelope: bytes, vevents: Iterable[bytes]) -> bytes:
    """A calendar file: the envelope (header and VTIMEZONEs) with the VEVENTs added."""
    return b"".join(splice_pieces(envelope, vevents))


def check_output(envelopes: Mapping[str, bytes], problems: Sequence[str] = ()) -> None:
    """Raise :class:`SelfCheckError` if an envelope has a lint error or ``problems`` is not empty.

    Each envelope and each VEVENT is checked once (the files are made of
    exactly these pieces), as it is made: the VEVENTs as they are rendered
    (their errors are ``problems``), a feed's envelope when its file is
    produced. This is a last line of defence against bugs in wego-ical
    itself: the output folder is never changed after a finding.
    """
    found = [
        finding.render(path) for path, envelope in envelopes.items() for finding in lint(envelope)
    ]
    found += problems
    if found:
        raise SelfCheckError(
            "the generated calendars failed their own checks, so nothing was written. "
            "This is a bug in wego-ical; please report it with your data file:\n  "
            + "\n  ".join(found[:20])
        )
