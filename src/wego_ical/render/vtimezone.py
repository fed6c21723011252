"""VTIMEZONE components that are exact by construction, in a form every client reads.

Every change of UTC offset, DST flag or abbreviation in the covered years is
found from :mod:`zoneinfo` itself: the zone is sampled once a day (no two
changes of any zone in tzdata 1970–2037 are closer than six days) and each
change between two samples is located to the second by bisection. Each
change becomes an observance whose DTSTART is the local time *before* it
(RFC 5545 §3.6.5: the wall time in TZOFFSETFROM).

Observances are written in the form that all the parsers and clients we
test read the same way:

- a yearly ``RRULE`` ("n-th/last weekday of a month") where tzdata follows
  that rule for every year from the first change to the end of the covered
  range and the year after it;
- otherwise one observance per change (no RDATE lists: ical.js reads only
  the first value of an RDATE line, vobject only the first of a list).

DAYLIGHT or STANDARD: an observance is DAYLIGHT when tzdata marks it as
summer time with a positive DST offset, or when it ends a period of
*negative* DST (Europe/Dublin's IST, Morocco outside Ramadan): DAYLIGHT is
always the higher of the two offsets of a DST pair, as clients display it.
"""

from __future__ import annotations

import bisect
import calendar as gregorian
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from wego_ical.errors import SelfCheckError

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY = 86_400


@dataclass(frozen=True)
class Period:
    """What a zone's clocks say during one period: offset, DST offset, abbreviation."""

    offset: timedelta
    dst: timedelta
    name: str


@dataclass(frozen=True)
class OffsetChange:
    """One change of a zone's clocks, at ``instant`` (UTC, to the second)."""

    instant: datetime
    before: Period
    after: Period

    @property
    def local_onset(self) -> datetime:
        """The wall time just before the change (the observance's DTSTART)."""
        return (self.instant + self.before.offset).replace(tzinfo=None)

    @property
    def daylight(self) -> bool:
        """Whether the period after the change is summer time (see the module docstring)."""
        return self.after.dst > timedelta(0) or (
            self.before.dst < timedelta(0) and self.after.offset > self.before.offset
        )


def period_at(zone: ZoneInfo, timestamp: float) -> Period:
    """The period of ``zone`` at a POSIX timestamp."""
    moment = datetime.fromtimestamp(timestamp, zone)
    return Period(
        moment.utcoffset() or timedelta(0), moment.dst() or timedelta(0), moment.tzname() or ""
    )


def changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[OffsetChange]:
    """Every change of ``zone``'s clocks at or after ``start`` and before ``end`` (aware)."""
    low = int(start.timestamp()) - 1
    stop = int(end.timestamp())
    found = []
    current = period_at(zone, low)
    while low < stop:
        high = min(low + _DAY, stop)
        after = period_at(zone, high)
        if after != current:
            found.append(_locate(zone, low, high, current))
            current = period_at(zone, found[-1].instant.timestamp())
            low = int(found[-1].instant.timestamp())
            continue
        low = high
    return [change for change in found if change.instant < end]


def _locate(zone: ZoneInfo, low: int, high: int, before: Period) -> OffsetChange:
    """The first second in (low, high] whose period differs from ``before``."""
    while high - low > 1:
        middle = (low + high) // 2
        if period_at(zone, middle) == before:
            low = middle
        else:
            high = middle
    return OffsetChange(datetime.fromtimestamp(high, UTC), before, period_at(zone, high))


def build_vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for ``tzid`` exact from ``first_year`` to the end of ``last_year``."""
    zone = ZoneInfo(tzid)
    return _build(zone, first_year, last_year, _changes_in_years(zone, first_year, last_year))


def checked_vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """:func:`build_vtimezone`, checked against zoneinfo before it is used (the zone's
    changes are found once, for both)."""
    zone = ZoneInfo(tzid)
    found = _changes_in_years(zone, first_year, last_year)
    component = _build(zone, first_year, last_year, found)
    _check(component, zone, first_year, last_year, found)
    return component


def _changes_in_years(zone: ZoneInfo, first_year: int, last_year: int) -> list[OffsetChange]:
    return changes(
        zone,
        datetime(first_year, 1, 1, tzinfo=zone),
        datetime(last_year + 1, 1, 1, tzinfo=zone),
    )


def _build(zone: ZoneInfo, first_year: int, last_year: int, found: list[OffsetChange]) -> Timezone:
    tzid = str(zone.key)
    start_local = datetime(first_year, 1, 1)
    start = start_local.replace(tzinfo=zone)
    end = datetime(last_year + 1, 1, 1, tzinfo=zone)
    # One more year to see whether a yearly rule continues past the range.
    following = changes(zone, end, datetime(last_year + 2, 1, 1, tzinfo=zone))
    component = Timezone()
    component.add("TZID", tzid)
    component.add(
        "COMMENT",
        f"This timezone only works from {date(first_year, 1, 1)} to {date(last_year + 1, 1, 1)}.",
    )
    opening = period_at(zone, start.timestamp())
    if not found or found[0].instant > start.astimezone(UTC):
        component.add_component(
            _observance(opening.dst > timedelta(0), start_local, opening, opening, None)
        )
    for group in _groups(found):
        rule = _yearly_rule(group, following, last_year)
        if rule is not None:
            first = group[0]
            component.add_component(
                _observance(first.daylight, first.local_onset, first.before, first.after, rule)
            )
        else:
            for change in group:
                component.add_component(
                    _observance(
                        change.daylight, change.local_onset, change.before, change.after, None
                    )
                )
    component.subcomponents.sort(key=lambda sub: (sub.decoded("DTSTART"), sub.name))
    return component


def _observance(
    daylight: bool, onset: datetime, before: Period, after: Period, rule: vRecur | None
) -> TimezoneStandard | TimezoneDaylight:
    observance = TimezoneDaylight() if daylight else TimezoneStandard()
    observance.add("DTSTART", onset)
    if rule is not None:
        observance.add("RRULE", rule)
    observance.add("TZNAME", after.name)
    observance.add("TZOFFSETFROM", before.offset)
    observance.add("TZOFFSETTO", after.offset)
    return observance


def _groups(found: list[OffsetChange]) -> Iterator[list[OffsetChange]]:
    """Changes that could share one observance: same kind, offsets, name and wall time."""
    groups: dict[tuple[object, ...], list[OffsetChange]] = {}
    for change in found:
        onset = change.local_onset
        key = (change.daylight, change.before, change.after, onset.month, onset.time())
        groups.setdefault(key, []).append(change)
    yield from groups.values()


def _yearly_rule(
    group: list[OffsetChange], following: list[OffsetChange], last_year: int
) -> vRecur | None:
    """A FREQ=YEARLY rule that yields exactly the group's changes in every year from
    the first one to the year after the range, or None."""
    first = group[0]
    onset = first.local_onset
    later = [
        change
        for change in following
        if (change.daylight, change.before, change.after)
        == (first.daylight, first.before, first.after)
    ]
    onsets = [change.local_onset for change in [*group, *later]]
    years = [moment.year for moment in onsets]
    if years != list(range(onset.year, last_year + 2)):
        return None
    for ordinal in _ordinals(onset):
        if all(_nth_weekday(moment, onset.weekday(), ordinal) == moment for moment in onsets):
            return vRecur(
                {
                    "FREQ": "YEARLY",
                    "BYMONTH": onset.month,
                    "BYDAY": f"{ordinal}{_WEEKDAYS[onset.weekday()]}",
                }
            )
    return None


def _ordinals(onset: datetime) -> list[int]:
    """The ways to name the weekday of ``onset`` in its month: last, and n-th."""
    last = onset.day + 7 > gregorian.monthrange(onset.year, onset.month)[1]
    nth = (onset.day - 1) // 7 + 1
    return [-1, nth] if last and nth <= 4 else [-1] if last else [nth]


def _nth_weekday(like: datetime, weekday: int, ordinal: int) -> datetime:
    """The ``ordinal`` (-1: last) ``weekday`` of ``like``'s month, at its wall time."""
    year, month = like.year, like.month
    days = [
        day
        for day in range(1, gregorian.monthrange(year, month)[1] + 1)
        if date(year, month, day).weekday() == weekday
    ]
    day = days[ordinal - 1] if ordinal > 0 else days[-1]
    return like.replace(day=day)


def _check(
    component: Timezone, zone: ZoneInfo, first_year: int, last_year: int, found: list[OffsetChange]
) -> None:
    """Raise :class:`SelfCheckError` unless ``component`` gives zoneinfo's UTC offset one
    second before and at every change ``found`` in the range, and mid-way between them.

    The component is read as RFC 5545 defines it (each onset is DTSTART minus
    TZOFFSETFROM, RRULEs expanded; the latest onset before an instant sets
    its offset), so a regression in how observances are written is a failed
    build, not a wrong calendar.
    """
    start = datetime(first_year, 1, 1, tzinfo=zone).timestamp()
    end = datetime(last_year + 1, 1, 1, tzinfo=zone).timestamp()
    table = _onsets(component, datetime(last_year + 2, 1, 1))
    onsets = [onset for onset, _ in table]
    instants = [change.instant.timestamp() for change in found]
    points = {start, end - 1}
    for instant in instants:
        points.update((instant - 1, instant))
    for low, high in zip([start, *instants], [*instants, end], strict=True):
        points.add((low + high) // 2)
    for point in sorted(points):
        index = bisect.bisect_right(onsets, point) - 1
        got = table[index][1] if index >= 0 else None
        expected = datetime.fromtimestamp(point, zone).utcoffset()
        if got != expected:
            moment = datetime.fromtimestamp(point, UTC).isoformat()
            raise SelfCheckError(
                f"the VTIMEZONE written for {zone.key} gives the wrong UTC offset at {moment} "
                f"({got if got is not None else 'none'} instead of {expected}), so nothing was "
                "written. This is a bug in wego-ical; please report it with your data file."
            )


def _onsets(component: Timezone, until: datetime) -> list[tuple[float, timedelta]]:
    """(UTC onset, offset after) of every observance occurrence before ``until``, in order."""
    result = []
    for observance in component.subcomponents:
        start: datetime = observance.decoded("DTSTART")
        before: timedelta = observance.decoded("TZOFFSETFROM")
        after: timedelta = observance.decoded("TZOFFSETTO")
        local = [start]
        if "RRULE" in observance:
            rule = _ical_text(observance["RRULE"])
            local = list(rrulestr(rule, dtstart=start).between(start, until, inc=True))
        result += [((moment - before).replace(tzinfo=UTC).timestamp(), after) for moment in local]
    return sorted(result)


def _ical_text(value: Any) -> str:
    return bytes(value.to_ical()).decode()
