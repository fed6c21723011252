"""The occurrences of a repeating entry: its rule's, less the ``except`` days, with its
changed occurrences applied; and the schedule rules they must keep (the first is the
entry's own start, none in a daylight-saving gap or fold, at most MAX_OCCURRENCES).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from pydantic_core import InitErrorDetails

from wego_ical.i18n.dates import day_and_clock
from wego_ical.limits import MAX_OCCURRENCES, MAX_SERIES_OCCURRENCES
from wego_ical.model.context import OccurrenceTally, error_at
from wego_ical.model.repeats import expand
from wego_ical.model.values import local_time_problem

Loc = tuple[str | int, ...]
# A day, by a name the protocols' ``date`` members do not hide.
Day = date


class Change(Protocol):
    """What the rules read of a changed occurrence (tables.Occurrence)."""

    @property
    def date(self) -> Day: ...
    @property
    def moved_to(self) -> Day | None: ...
    @property
    def start(self) -> time | None: ...
    @property
    def end(self) -> time | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def location(self) -> str | None: ...


class Repeating(Protocol):
    """What the rules read of a repeating event or session."""

    @property
    def repeat(self) -> str | None: ...
    @property
    def except_(self) -> list[Day]: ...
    @property
    def occurrences(self) -> Sequence[Change]: ...


@dataclass(frozen=True)
class Occurrence:
    """One occurrence: where the rule puts it (``original``, its RECURRENCE-ID) and
    where it takes place (naive local times), with its change if it has one."""

    original: datetime
    start: datetime
    end: datetime
    change: Change | None = None


def occurrences_of(
    item: Repeating, first: datetime, end: datetime, zone: ZoneInfo | None
) -> list[Occurrence]:
    """Every occurrence of ``item``, whose first starts at ``first`` and ends at ``end``
    (naive local), in the rule's order; without ``except`` days."""
    assert item.repeat is not None
    length = end - first
    skipped = set(item.except_)
    changes = {change.date: change for change in item.occurrences}
    found = []
    for start in expand(item.repeat, first, zone):
        if start.date() in skipped:
            continue
        change = changes.get(start.date())
        found.append(
            _moved(start, length, change) if change else Occurrence(start, start, start + length)
        )
    return found


def _moved(original: datetime, length: timedelta, change: Change) -> Occurrence:
    day = change.moved_to or original.date()
    if change.start is not None and change.end is not None:
        start = datetime.combine(day, change.start)
        end = datetime.combine(day, change.end)
        if end <= start:
            end += timedelta(days=1)
        return Occurrence(original, start, end, change)
    start = datetime.combine(day, original.time())
    return Occurrence(original, start, start + length, change)


def repeat_errors(
    item: Repeating,
    loc: Loc,
    first: datetime,
    end: datetime,
    zone: ZoneInfo | None,
    tally: OccurrenceTally,
) -> Iterator[InitErrorDetails]:
    """What is wrong with ``item``'s repeats: its rule against its own start, its
    ``except`` days and changed occurrences against the rule's days, local times
    that a clock change skips or repeats, and the file's occurrences in all."""
    if item.repeat is None:
        if item.except_ or item.occurrences:
            key = "except" if item.except_ else "occurrences"
            yield error_at(
                (*loc, key),
                None,
                "repeat_missing",
                '{key} is for an entry that repeats; add repeat = "…" (for example '
                "FREQ=WEEKLY;COUNT=10), or remove {key}",
                key=key,
            )
        return
    if tally.counted > MAX_SERIES_OCCURRENCES:
        return  # reported where the file went past the limit
    starts = expand(item.repeat, first, zone)
    tally.counted += len(starts)
    if tally.counted > MAX_SERIES_OCCURRENCES:
        yield error_at(
            (*loc, "repeat"),
            item.repeat,
            "too_many_occurrences",
            "the file's repeating entries take place more than {limit} times in all "
            "(this one goes past that); repeat them fewer times (COUNT or UNTIL), or split "
            "the series",
            limit=f"{MAX_SERIES_OCCURRENCES:,}",
        )
        return
    if len(starts) > MAX_OCCURRENCES:
        yield error_at(
            (*loc, "repeat"),
            item.repeat,
            "too_many_occurrences",
            "repeats more than {limit} times; end it sooner (COUNT or UNTIL), or split it",
            limit=f"{MAX_OCCURRENCES:,}",
        )
        return
    if not starts or starts[0] != first:
        yield error_at(
            (*loc, "repeat"),
            item.repeat,
            "repeat_not_at_start",
            "its first occurrence by this rule is {occurrence}, not its own start {start}; "
            "start it on a day the rule gives (calendars count the start as the first "
            "occurrence, and disagree about one the rule does not give)",
            occurrence=day_and_clock(starts[0]) if starts else "none",
            start=day_and_clock(first),
        )
        return
    days = {start.date() for start in starts}
    yield from _days_errors(item, loc, days)
    if zone is None:
        return
    for occurrence in occurrences_of(item, first, end, zone):
        for moment in (occurrence.start, occurrence.end):
            problem = local_time_problem(moment, zone)
            if problem:
                yield error_at(
                    (*loc, "repeat"),
                    item.repeat,
                    "local_time",
                    "its occurrence at {when} {problem}; leave that day out (except = "
                    "[{day}]) or move that occurrence",
                    when=day_and_clock(moment),
                    problem=problem,
                    day=occurrence.original.date().isoformat(),
                )
                return


def _days_errors(item: Repeating, loc: Loc, days: set[date]) -> Iterator[InitErrorDetails]:
    """``except`` days and changed occurrences that are not days of the rule."""
    shown = ", ".join(day.isoformat() for day in sorted(days)[:3])
    for number, day in enumerate(item.except_):
        if day not in days:
            yield error_at(
                (*loc, "except", number),
                day.isoformat(),
                "not_an_occurrence",
                "{day} is not a day it repeats on (the first: {shown}); remove it",
                day=day.isoformat(),
                shown=shown,
            )
    seen: set[date] = set()
    for number, change in enumerate(item.occurrences):
        if change.date not in days or change.date in item.except_ or change.date in seen:
            reason = (
                "is left out by except"
                if change.date in item.except_
                else "is changed twice"
                if change.date in seen
                else f"is not a day it repeats on (the first: {shown})"
            )
            yield error_at(
                (*loc, "occurrences", number, "date"),
                change.date.isoformat(),
                "not_an_occurrence",
                "the occurrence on {day} {reason}; give the day of an occurrence",
                day=change.date.isoformat(),
                reason=reason,
            )
        seen.add(change.date)
