"""VTIMEZONE components that every client reads the same way.

icalendar generates the VTIMEZONE from tzdata (limited to the years a feed
needs) as one observance per kind of change, with every onset listed as
DTSTART plus RDATEs. Two things are adjusted here:

- Outlook desktop is reported to mishandle RDATE lists and to need recurring
  ``RRULE`` observances, so where tzdata follows a yearly "n-th weekday of a
  month" rule over the whole range (and the year after it), the onsets are
  replaced by that rule.
- An onset is the local time *before* the change (RFC 5545 §3.6.5, the time
  in TZOFFSETFROM: 02:00 for a spring-forward at 02:00). icalendar 7.3 writes
  the wall time after the change for spring-forward onsets (03:00), which
  puts the change an hour late; onsets are recomputed from tzdata.
"""

from __future__ import annotations

import calendar as gregorian
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Component, Timezone, TimezoneDaylight, TimezoneStandard, vRecur

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def build_vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for ``tzid`` valid from ``first_year`` to the end of ``last_year``."""
    zone = ZoneInfo(tzid)
    component = Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    for observance in component.subcomponents:
        if isinstance(observance, TimezoneStandard | TimezoneDaylight):
            _normalise(observance, zone, last_year)
    return component


def _normalise(
    observance: TimezoneStandard | TimezoneDaylight, zone: ZoneInfo, last_year: int
) -> None:
    offset_from: timedelta = observance.TZOFFSETFROM
    offset_to: timedelta = observance.TZOFFSETTO
    if offset_from == offset_to:
        return  # the start-of-range observance, not a change
    onsets = [observance.DTSTART, *_rdates(observance)]
    onsets = [_true_onset(onset, offset_from, offset_to, zone) for onset in onsets]
    observance.pop("RDATE", None)
    observance.DTSTART = onsets[0]
    rule = _yearly_rule(onsets, offset_from, offset_to, zone, last_year)
    if rule is not None:
        observance.add("RRULE", rule)
    elif len(onsets) > 1:
        observance.add("RDATE", onsets[1:])


def _rdates(observance: Component) -> list[datetime]:
    value = observance.get("RDATE")
    if value is None:
        return []
    lists = value if isinstance(value, list) else [value]
    return [period.dt for item in lists for period in item.dts]


def _true_onset(
    onset: datetime, offset_from: timedelta, offset_to: timedelta, zone: ZoneInfo
) -> datetime:
    """The local time (in ``offset_from``) at which tzdata changes to ``offset_to``."""
    low = (onset - offset_from - timedelta(days=1)).replace(tzinfo=UTC)
    high = (onset - offset_from + timedelta(days=1)).replace(tzinfo=UTC)
    if _offset(low, zone) != offset_from or _offset(high, zone) != offset_to:
        return onset  # not a single change in that window; keep what icalendar found
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _offset(middle, zone) == offset_from:
            low = middle
        else:
            high = middle
    instant = high.replace(microsecond=0)
    return (instant + offset_from).replace(tzinfo=None)


def _offset(moment: datetime, zone: ZoneInfo) -> timedelta | None:
    return moment.astimezone(zone).utcoffset()


def _yearly_rule(
    onsets: list[datetime],
    offset_from: timedelta,
    offset_to: timedelta,
    zone: ZoneInfo,
    last_year: int,
) -> vRecur | None:
    """A FREQ=YEARLY rule that yields exactly tzdata's changes, or None."""
    first = onsets[0]
    ordinal = (
        -1
        if first.day + 7 > gregorian.monthrange(first.year, first.month)[1]
        else ((first.day - 1) // 7 + 1)
    )
    weekday = first.weekday()
    years = range(first.year, max(last_year, first.year) + 2)
    expected = [_nth_weekday(year, first.month, weekday, ordinal, first) for year in years]
    listed = {onset.year: onset for onset in onsets}
    for candidate in expected:
        if candidate.year in listed and listed[candidate.year] != candidate:
            return None
        instant = (candidate - offset_from).replace(tzinfo=UTC)
        before = _offset(instant - timedelta(seconds=1), zone)
        if before != offset_from or _offset(instant, zone) != offset_to:
            return None
    return vRecur(
        {"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": f"{ordinal}{_WEEKDAYS[weekday]}"}
    )


def _nth_weekday(year: int, month: int, weekday: int, ordinal: int, at: datetime) -> datetime:
    days = [
        day
        for day in range(1, gregorian.monthrange(year, month)[1] + 1)
        if date(year, month, day).weekday() == weekday
    ]
    day = days[ordinal - 1] if ordinal > 0 else days[-1]
    return datetime(year, month, day, at.hour, at.minute, at.second)
