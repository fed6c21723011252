"""The ``.ics`` reader of ``wego-ical import``: a calendar someone keeps (Google, Outlook,
Meetup), each event an event of the series with its UID, and a repeating event as one
event with its rule, the days it leaves out and its changed occurrences.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError

from wego_ical.importing.drafts import (
    Draft,
    SeriesDefaults,
    few_event_feeds,
    joined_lines,
    kept_uid,
    left_out,
    series_draft,
    slug,
    unique_id,
    zone_of,
)
from wego_ical.limits import MAX_OCCURRENCES
from wego_ical.model.repeats import check_rule, expand

# A rule without an end is kept for this long (a series needs an end to validate).
OPEN_RULE_SPAN = timedelta(days=2 * 365)


def _text(value: object) -> str:
    """A calendar's own TEXT value (its name): icalendar 7 reads NAME and X-WR-CALNAME as
    written, still escaped ("Team\\, Berlin" from Google Calendar)."""
    from icalendar.parser import unescape_backslash
    from icalendar.prop import vUnknown

    if isinstance(value, vUnknown):
        return str(unescape_backslash(str(value)))
    return str(value) if value else ""


def from_ics(raw: bytes, defaults: SeriesDefaults) -> Draft:
    """An ``.ics`` someone keeps: each event becomes an event of the series, in its own
    zone, with its description, place, link and UID; a repeating one keeps its rule."""
    import icalendar

    calendar = icalendar.Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    name = _text(calendar.get("X-WR-CALNAME") or calendar.get("NAME")) or "Imported calendar"
    zones = [str(e["DTSTART"].params.get("TZID")) for e in events if "TZID" in e["DTSTART"].params]
    named = calendar.get("X-WR-TIMEZONE") or (zones[0] if zones else None)
    notes: list[str] = []
    source = SeriesDefaults(title=name, timezone=str(named) if named else None)
    starts = [getattr(event.get("DTSTART"), "dt", None) for event in events]
    times = [start for start in starts if isinstance(start, datetime)]
    draft = series_draft(defaults, source, notes, times)
    zone = draft.data["series"]["timezone"]
    changed: dict[str, list[Any]] = {}
    for event in events:
        if "RECURRENCE-ID" in event:
            changed.setdefault(str(event.get("UID", "")), []).append(event)
    masters = [event for event in events if "RECURRENCE-ID" not in event]
    reader = _Reader(zone, notes)
    for number, event in enumerate(masters, 1):
        reader.add(event, number, changed.pop(str(event.get("UID", "")), []))
    # Changed occurrences of events the file does not hold: events of their own.
    for orphans in changed.values():
        for event in orphans:
            reader.add(event, len(reader.imported) + 1, [])
    reader.finish()
    draft.data["events"] = reader.imported
    few_event_feeds(draft, len(reader.imported))
    return draft


class _Reader:
    """The events of a calendar, as they are read, and what is noted of them."""

    def __init__(self, zone: str, notes: list[str]) -> None:
        self.zone, self.notes = zone, notes
        self.imported: list[dict[str, Any]] = []
        self.taken: set[str] = set()
        self.uids: set[str] = set()
        self.instants: list[str] = []  # events that end as they start: no calendar entry
        self.kept_first: list[str] = []  # repeating events whose rule cannot be kept

    def add(self, event: Any, number: int, changes: list[Any]) -> None:
        item = _ics_item(event, number, self.zone, self.taken)
        if "date" not in item:
            self.instants.append(item["title"])
            return
        uid = kept_uid(event.get("UID"))
        # One UID per entry: a file that repeats one (without RECURRENCE-ID) keeps it once.
        if uid is not None and uid not in self.uids:
            self.uids.add(uid)
            item["uid"] = uid
        if "RRULE" in event:
            self._repeat(item, event, changes)
        elif changes:
            self.imported += [item]
            for change in changes:
                self.add(change, len(self.imported) + 1, [])
            return
        if "RDATE" in event:
            self.notes.append(f"{item['title']}: its extra dates (RDATE)")
        self.imported.append(item)

    def _repeat(self, item: dict[str, Any], event: Any, changes: list[Any]) -> None:
        """The event's rule, ``except`` days and changed occurrences, if the rule is one
        wego-ical keeps; else a note that only its first time is."""
        rule = event["RRULE"].to_ical().decode()
        start = datetime.combine(item["date"], item.get("start") or datetime.min.time())
        own = item.get("timezone") or self.zone
        open_ended = "COUNT=" not in rule and "UNTIL=" not in rule
        until = start + OPEN_RULE_SPAN
        if open_ended:
            rule += f";UNTIL={until:%Y%m%d}"
        try:
            rule = check_rule(rule)
            starts = expand(rule, start, zone_of(own))
        except (PydanticCustomError, ValueError):
            self.kept_first.append(item["title"])
            return
        if not starts or starts[0] != start or len(starts) > MAX_OCCURRENCES:
            self.kept_first.append(item["title"])
            return
        if open_ended:
            self.notes.append(
                f"{item['title']}: repeats without end; kept until {until.date()} (change "
                "UNTIL in its repeat)"
            )
        days = {moment.date() for moment in starts}
        item["repeat"] = rule
        skipped = sorted({day for day in _local_days(event.exdates, own) if day in days})
        if skipped:
            item["except"] = skipped
        occurrences = [_change(change, item, own) for change in changes]
        kept = [o for o in occurrences if o["date"] in days and o["date"] not in skipped]
        if kept:
            item["occurrences"] = list({o["date"]: o for o in kept}.values())

    def finish(self) -> None:
        if self.instants:
            self.notes.append(
                left_out(
                    self.instants, "event that ends as it starts", "events that end as they start"
                )
                + ": give them an end, or make them whole-day items, by hand"
            )
        if self.kept_first:
            self.notes.append(
                left_out(self.kept_first, "repeating event", "repeating events")
                + ": its rule is not one wego-ical keeps (see repeat in docs/format.md); only "
                "the first time is kept"
            )


def _local_days(moments: Iterable[date | datetime], zone: str) -> list[date]:
    """The days of ``moments`` in ``zone`` (a date as it is)."""
    return [
        moment.astimezone(zone_of(zone)).date()
        if isinstance(moment, datetime) and moment.tzinfo is not None
        else moment.date()
        if isinstance(moment, datetime)
        else moment
        for moment in moments
    ]


def _change(event: Any, master: dict[str, Any], zone: str) -> dict[str, Any]:
    """A changed occurrence (a VEVENT with RECURRENCE-ID) as the master's ``occurrences``
    entry: only what differs from the master."""
    (day,) = _local_days([event.decoded("RECURRENCE-ID")], zone)
    change: dict[str, Any] = {"date": day}
    times = _ics_times(event, zone) or {}
    if times.get("date") and times["date"] != day:
        change["moved_to"] = times["date"]
    if "start" in times and (times["start"], times["end"]) != (
        master.get("start"),
        master.get("end"),
    ):
        change["start"], change["end"] = times["start"], times["end"]
    summary = str(event.get("SUMMARY") or "")
    if summary and summary != master["title"]:
        change["title"] = summary
    for prop, key in (("DESCRIPTION", "description"), ("LOCATION", "location")):
        text = (
            joined_lines(str(event.get(prop) or ""))
            if key == "location"
            else str(event.get(prop) or "")
        )
        if text and text != master.get(key):
            change[key] = text
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        change["status"] = "cancelled"
    return change


def _ics_item(event: Any, number: int, zone: str, taken: set[str]) -> dict[str, Any]:
    """An event of the series from a VEVENT (without a date when it ends as it starts)."""
    item_id = unique_id(slug(str(event.get("UID", "")).partition("@")[0], f"event-{number}"), taken)
    item: dict[str, Any] = {"id": item_id, "title": str(event.get("SUMMARY") or item_id)}
    times = _ics_times(event, zone)
    if times is None:
        return item
    item |= times
    for prop, key in (("DESCRIPTION", "description"), ("LOCATION", "location"), ("URL", "url")):
        if event.get(prop):
            item[key] = str(event[prop])
    if "location" in item:
        item["location"] = joined_lines(item["location"])
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        item["status"] = "cancelled"
    return item


def _ics_times(event: Any, zone: str) -> dict[str, Any] | None:
    """An event's date and times, in its own zone (named when not the series'); None for
    one that ends as it starts."""
    start, end = event.decoded("DTSTART"), event.decoded("DTEND", None)
    if not isinstance(start, datetime):
        last = (end or start + timedelta(days=1)) - timedelta(days=1)
        return {"date": start, "all_day": True} | ({"end_date": last} if last != start else {})
    # Google writes every time in UTC (Z) and the calendar's zone beside (X-WR-TIMEZONE):
    # a UTC time is shown in the series' zone; a zone of the event's own stays its own.
    in_utc = start.tzinfo is not None and str(start.tzinfo) in ("UTC", "Etc/UTC")
    own: ZoneInfo | Any = zone_of(zone) if start.tzinfo is None or in_utc else start.tzinfo
    end = end or start + event.decoded("DURATION", timedelta(hours=1))
    start, end = start.astimezone(own), end.astimezone(own)
    if end <= start:
        return None
    times: dict[str, Any] = {"date": start.date(), "start": start.time(), "end": end.time()}
    key = getattr(own, "key", None)
    if key and key != zone:
        times["timezone"] = key
    if end.date() != start.date():
        times["end_date"] = end.date()
    return times
