"""The days a whole series runs on, as every page of an edition names them (under its
title, and once it is over), each event's in its own zone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from wego_ical.i18n import dates as when
from wego_ical.model import Series, calendar_entries, entry_uid
from wego_ical.page.views import last_day, listed_day
from wego_ical.plan.records import EventRecord, last_occurrence


@dataclass(frozen=True)
class SeriesSpan:
    """The (conference) days the whole series runs on, each event's in its own zone, and
    when its last entry (a repeating one's last occurrence) ends."""

    first: date
    last: date
    ends: datetime


def series_span(series: Series, records: Mapping[str, EventRecord]) -> SeriesSpan | None:
    """The span of the series' entries as published (``records``); None without any."""
    first: list[date] = []
    last: list[date] = []
    ends: list[datetime] = []
    for entry in calendar_entries(series):
        record = records.get(entry_uid(series, entry))
        if record is None:
            continue
        zone = entry.event.zone_name(series.series.timezone)
        day_change = series.day_change_of(entry.event)
        first.append(listed_day(record.snapshot, zone, day_change))
        # A repeating entry runs until its last occurrence (no copy of any other: a
        # snapshot copied is validated again, 0.2 s at 10,000 sessions).
        until = record.snapshot
        if until.repeat is not None:
            until = replace(until, end=last_occurrence(until), repeat=None)
        last.append(last_day(until, zone, day_change))
        ends.append(until.aware_end)
    if not first:
        return None
    return SeriesSpan(min(first), max(min(first), max(last)), max(ends))


def series_days(span: SeriesSpan | None, language: str | None) -> str | None:
    """The series' days as the language writes a range of days ("Thursday 26 August –
    Monday 18 October 2021")."""
    return when.days_text(span.first, span.last, language) if span else None


def over_days(
    span: SeriesSpan | None, now: datetime | None, language: str | None
) -> tuple[str, str] | None:
    """The series' first and last days, written, when all of it was over at ``now`` (the
    build time); None while something is on or to come."""
    if now is None or span is None or span.ends > now:
        return None
    return when.day_text(span.first, language), when.day_text(span.last, language)
