"""The schedule rules: an event's days and times, its sessions inside them, no
overlaps, no session over 24 hours, no local time that a clock change skips or
repeats. Each problem is reported at its own TOML path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Protocol
from zoneinfo import ZoneInfo

from pydantic_core import InitErrorDetails

from wego_ical.i18n.dates import day_and_clock, hh_mm
from wego_ical.limits import MAX_SESSION
from wego_ical.model.context import ValidationContext, error_at
from wego_ical.model.occurrences import Repeating, occurrences_of, repeat_errors
from wego_ical.model.values import load_zone, local_time_problem

# A day, by a name the protocols' ``date`` members do not hide.
Day = date


# What the rules read of an event and its sessions (tables.Event and tables.Session,
# both timed items): the tables call the rules, so the rules name no table.
class _Timed(Repeating, Protocol):
    @property
    def date(self) -> Day | None: ...
    @property
    def start(self) -> time | None: ...
    @property
    def end(self) -> time | None: ...
    @property
    def timezone(self) -> str | None: ...
    @property
    def all_day(self) -> bool: ...
    @property
    def end_date(self) -> Day | None: ...
    @property
    def room(self) -> str | None: ...


class Session(_Timed, Protocol):
    @property
    def id(self) -> str: ...


class Event(_Timed, Protocol):
    @property
    def date(self) -> Day: ...  # an event always has its day
    @property
    def day_change(self) -> time | None: ...
    @property
    def sessions(self) -> Sequence[Session]: ...
    @property
    def last_day(self) -> Day: ...
    def zone_name(self, series_zone: str) -> str: ...


def schedule_errors(event: Event, context: ValidationContext) -> Iterator[InitErrorDetails]:
    if event.end_date is not None and event.end_date < event.date:
        yield error_at(
            ("end_date",),
            event.end_date.isoformat(),
            "end_date_before_date",
            "end_date {end} is before date {start}; the event's last day cannot come "
            "before its first",
            end=event.end_date.isoformat(),
            start=event.date.isoformat(),
        )
        return
    presence = list(time_presence_errors(event.all_day, event.start, event.end, "event"))
    yield from presence
    if presence:
        return
    if event.all_day and event.sessions:
        yield error_at(
            ("all_day",),
            True,
            "all_day_with_sessions",
            "an event with sessions is not itself an all-day item; set all_day on the "
            "sessions that are",
        )
        return
    if event.start is None and not event.sessions and not event.all_day:
        yield error_at(
            ("start",),
            None,
            "missing_time",
            "an event without sessions needs start and end times, "
            "for example start = 15:00:00 and end = 17:00:00, or all_day = true",
        )
        return
    if event.sessions and (event.repeat or event.except_ or event.occurrences):
        yield error_at(
            ("repeat",),
            event.repeat,
            "repeat_with_sessions",
            "an event with sessions does not repeat itself; set repeat on its sessions",
        )
        return
    zone = _event_zone(event, context)
    span = _span(event, zone)
    if span is not None and span[1] <= span[0]:
        yield _not_after_start(("end",), event.start, event.end, event.end_date, event.date)
        return
    if not event.sessions:
        first, end = _own_times(event, event.date, event.last_day)
        yield from repeat_errors(event, (), first, end, zone, context.tally)
    yield from _session_errors(event, context, span)
    if zone is not None:
        yield from _zone_errors(event, context)


def _event_zone(event: Event, context: ValidationContext) -> ZoneInfo | None:
    return load_zone(event.timezone) if event.timezone else context.zone


def _span(event: Event, zone: ZoneInfo | None) -> tuple[datetime, datetime] | None:
    """The event's own start and end (aware where the zone is known)."""
    if event.start is None or event.end is None:
        return None
    first = datetime.combine(event.date, event.start, zone)
    return first, datetime.combine(event.last_day, event.end, zone)


def _session_errors(
    event: Event, context: ValidationContext, span: tuple[datetime, datetime] | None
) -> Iterator[InitErrorDetails]:
    timed: list[tuple[datetime, datetime, int, Session]] = []
    day_change = event.day_change or context.day_change
    for index, session in enumerate(event.sessions):
        problem = _session_day_problem(event, index, session, day_change)
        if problem is not None:
            yield problem
            continue
        if session.all_day:
            continue
        times = _session_times(event, context, index, session)
        if not isinstance(times, tuple):
            yield times
            continue
        start, end = times
        if session.repeat or session.except_ or session.occurrences:
            found = list(_repeated(event, index, session, (start, end), span, context))
            yield from (item for item in found if not isinstance(item, tuple))
            timed += [item for item in found if isinstance(item, tuple)]
            continue
        timed.append((start, end, index, session))
        if span is not None and (start < span[0] or end > span[1]):
            yield _outside_event(event, index, session, span)
    # Sessions in different rooms may run at the same time; those without a room
    # share the event's one place.
    by_room: dict[str | None, list[tuple[datetime, datetime, int, Session]]] = {}
    for item in timed:
        by_room.setdefault(item[3].room or event.room, []).append(item)
    for room, sessions in by_room.items():
        if room not in context.shared_rooms:
            yield from _overlaps(sessions, room)


def _own_times(item: _Timed, day: Day, last: Day) -> tuple[datetime, datetime]:
    """An event's or session's naive local start and end (midnights for a whole day)."""
    if item.all_day or item.start is None or item.end is None:
        return datetime.combine(day, time()), datetime.combine(last + timedelta(days=1), time())
    return datetime.combine(day, item.start), datetime.combine(last, item.end)


_Slot = tuple[datetime, datetime, int, Session]


def _repeated(
    event: Event,
    index: int,
    session: Session,
    times: tuple[datetime, datetime],
    span: tuple[datetime, datetime] | None,
    context: ValidationContext,
) -> Iterator[InitErrorDetails | _Slot]:
    """A repeating session's problems, then (if it has none) each occurrence that takes
    place, as a slot for the overlap rule."""
    day_change = event.day_change or context.day_change
    zone = times[0].tzinfo if isinstance(times[0].tzinfo, ZoneInfo) else None
    first, end = times[0].replace(tzinfo=None), times[1].replace(tzinfo=None)
    loc = ("sessions", index)
    problems = list(repeat_errors(session, loc, first, end, zone, context.tally))
    if problems:
        yield from problems
        return
    for occurrence in occurrences_of(session, first, end, zone):
        start = occurrence.start.replace(tzinfo=zone)
        stop = occurrence.end.replace(tzinfo=zone)
        listed = conference_day(occurrence.start, day_change)
        outside_days = not event.date <= listed <= event.last_day
        if outside_days or (span is not None and (start < span[0] or stop > span[1])):
            yield error_at(
                (*loc, "repeat"),
                session.repeat,
                "outside_event",
                "session '{id}' has an occurrence at {when}, outside its event's {days}; "
                "end the rule sooner, leave that day out (except), or widen the event",
                id=session.id,
                when=day_and_clock(occurrence.start),
                days=_days_text(event.date, event.last_day),
            )
            return
        if not (occurrence.change and occurrence.change.status == "cancelled"):
            yield start, stop, index, session


def _session_day_problem(
    event: Event, index: int, session: Session, day_change: time | None
) -> InitErrorDetails | None:
    """What is wrong with a session's days: outside its event's (its conference day's,
    with a ``day_change``), or ending before they start."""
    day = session.date or event.date
    last = session.end_date or day
    listed = day
    if session.start is not None and not session.all_day:
        listed = conference_day(datetime.combine(day, session.start), day_change)
    if not event.date <= listed <= event.last_day:
        shown = day.isoformat()
        if listed != day:
            assert session.start is not None and day_change is not None
            shown = (
                f"{day_and_clock(datetime.combine(day, session.start))}, which belongs to "
                f"the conference day {listed.isoformat()} (day_change {hh_mm(day_change)})"
            )
        return error_at(
            ("sessions", index, "date"),
            day.isoformat(),
            "outside_event_days",
            "session '{id}' is on {day}, outside its event's {days}; move it, or "
            "widen the event with end_date",
            id=session.id,
            day=shown,
            days=_days_text(event.date, event.last_day),
        )
    if last < day:
        return error_at(
            ("sessions", index, "end_date"),
            last.isoformat(),
            "end_date_before_date",
            "end_date {end} is before the session's day {start}",
            end=last.isoformat(),
            start=day.isoformat(),
        )
    if session.all_day and last > event.last_day:
        return error_at(
            ("sessions", index, "end_date"),
            last.isoformat(),
            "outside_event_days",
            "session '{id}' lasts until {day}, after its event's {days}; shorten "
            "it, or widen the event with end_date",
            id=session.id,
            day=last.isoformat(),
            days=_days_text(event.date, event.last_day),
        )
    return None


def _session_times(
    event: Event, context: ValidationContext, index: int, session: Session
) -> tuple[datetime, datetime] | InitErrorDetails:
    """A timed session's start and end, or what is wrong with them."""
    assert session.start is not None and session.end is not None
    day = session.date or event.date
    last = session.end_date or day
    zone = load_zone(session.timezone) if session.timezone else _event_zone(event, context)
    start = datetime.combine(day, session.start, zone)
    end = datetime.combine(last, session.end, zone)
    if end <= start:
        return _not_after_start(
            ("sessions", index, "end"), session.start, session.end, session.end_date, day
        )
    # Elapsed time: aware datetimes of one zone subtract as wall-clock times,
    # which across a DST change is an hour off.
    if zone is not None and _utc(end) - _utc(start) > MAX_SESSION:
        return error_at(
            ("sessions", index, "end_date"),
            last.isoformat(),
            "too_long",
            "session '{id}' would last {hours} hours ({start} to {end}); a session "
            "lasts at most 24 hours: check end_date and end",
            id=session.id,
            hours=f"{(_utc(end) - _utc(start)) / timedelta(hours=1):g}",
            start=day_and_clock(start),
            end=day_and_clock(end),
        )
    return start, end


def _outside_event(
    event: Event, index: int, session: Session, span: tuple[datetime, datetime]
) -> InitErrorDetails:
    assert session.start is not None and session.end is not None
    return error_at(
        ("sessions", index),
        session.id,
        "outside_event",
        "session '{id}' ({start}–{end}) lies outside its event's time "
        "({event_start}–{event_end}) on {day}; move it or widen the event",
        id=session.id,
        start=hh_mm(session.start),
        end=hh_mm(session.end),
        event_start=hh_mm(span[0]),
        event_end=hh_mm(span[1]),
        day=_days_text(event.date, event.last_day).removeprefix("day "),
    )


def _overlaps(
    timed: list[tuple[datetime, datetime, int, Session]], room: str | None
) -> Iterator[InitErrorDetails]:
    """Sessions (of one room) that start before the one before them ends."""
    # Compared as instants; where a zone is unknown (reported elsewhere), as local times.
    if any(start.tzinfo is None for start, _, _, _ in timed):
        timed = [(a.replace(tzinfo=None), b.replace(tzinfo=None), i, x) for a, b, i, x in timed]
    ordered = sorted(timed, key=lambda item: (_utc(item[0]), item[2]))
    for (_, earlier_end, _, earlier), (later_start, _, index, later) in pairwise(ordered):
        if _utc(later_start) < _utc(earlier_end):
            assert later.start is not None and earlier.end is not None
            yield error_at(
                ("sessions", index, "start"),
                later.start.isoformat(),
                "overlap",
                "session '{id}' starts at {start} before session '{other}' ends at {end}"
                "{where}; {fix}",
                id=later.id,
                start=hh_mm(later.start),
                other=earlier.id,
                end=hh_mm(earlier.end),
                where=f" in room '{room}'" if room else "",
                fix=(
                    "move one of them, or give it another room"
                    if room
                    else "move one of them, or give them rooms (sessions in different "
                    'rooms may overlap: room = "…")'
                ),
            )


def _zone_errors(event: Event, context: ValidationContext) -> Iterator[InitErrorDetails]:
    times: list[tuple[tuple[str | int, ...], datetime, str]] = []
    own_zone = event.zone_name(context.zone_name)
    if event.start is not None and event.end is not None:
        times += [
            (("start",), datetime.combine(event.date, event.start), own_zone),
            (("end",), datetime.combine(event.last_day, event.end), own_zone),
        ]
    for index, session in enumerate(event.sessions):
        if session.start is None or session.end is None:
            continue
        day = session.date or event.date
        zone_name = session.timezone or own_zone
        times += [
            (("sessions", index, "start"), datetime.combine(day, session.start), zone_name),
            (
                ("sessions", index, "end"),
                datetime.combine(session.end_date or day, session.end),
                zone_name,
            ),
        ]
    for loc, local, zone_name in times:
        zone = load_zone(zone_name)
        problem = local_time_problem(local, zone) if zone is not None else ""
        if problem:
            yield error_at(
                loc,
                local.time().isoformat(),
                "local_time",
                "{when} {problem} in {zone}; choose another time",
                when=day_and_clock(local),
                problem=problem,
                zone=zone_name,
            )


def time_presence_errors(
    all_day: bool, start: time | None, end: time | None, what: str
) -> Iterator[InitErrorDetails]:
    if all_day:
        for name, value in (("start", start), ("end", end)):
            if value is not None:
                yield error_at(
                    (name,),
                    value.isoformat(),
                    "all_day_with_time",
                    "an all-day {what} has no {name} time; remove {name}, or all_day",
                    what=what,
                    name=name,
                )
        return
    if (start is None) != (end is None):
        missing = "end" if end is None else "start"
        yield error_at((missing,), None, "missing_time", "give both start and end, or neither")
    elif start is None and what == "session":
        yield error_at(
            ("start",),
            None,
            "missing_time",
            "a session needs start and end times, for example start = 15:00:00 and "
            "end = 16:00:00, or all_day = true",
        )


def conference_day(moment: datetime, day_change: time | None) -> Day:
    """The day a local ``moment`` is listed under: its date, or the day before when it
    comes before the ``day_change`` (a talk at 01:00 of a day that runs to 06:00)."""
    if day_change is not None and moment.time() < day_change:
        return moment.date() - timedelta(days=1)
    return moment.date()


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


def _days_text(first: date, last: date) -> str:
    if first == last:
        return f"day {first.isoformat()}"
    return f"days {first.isoformat()} to {last.isoformat()}"


def _not_after_start(
    loc: tuple[str | int, ...],
    start: time | None,
    end: time | None,
    end_date: date | None,
    day: date,
) -> InitErrorDetails:
    assert start is not None and end is not None
    if end_date is None:
        return error_at(
            loc,
            end.isoformat(),
            "end_not_after_start",
            "end {end} is not after start {start}; if it ends after midnight, add "
            "end_date = {next_day}",
            end=hh_mm(end),
            start=hh_mm(start),
            next_day=(day + timedelta(days=1)).isoformat(),
        )
    return error_at(
        loc,
        end.isoformat(),
        "end_not_after_start",
        "end {end_date} {end} is not after start {day} {start}",
        end=hh_mm(end),
        start=hh_mm(start),
        end_date=end_date.isoformat(),
        day=day.isoformat(),
    )
