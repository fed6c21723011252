"""What the page shows of each event and session: views made from the series and
the published records, in the page's language.

Days are those of the event's own zone: a session held in another zone is
placed by its instant and shows both times. Pure: no HTML here (the templates
lay the views out), no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from wego_ical.catalogue import event_file, person_feed
from wego_ical.i18n import dates as when
from wego_ical.i18n.dates import iso_utc
from wego_ical.limits import PAGE_OCCURRENCES
from wego_ical.model import (
    CalendarEntry,
    PersonRef,
    Series,
    conference_day,
    entry_uid,
)
from wego_ical.model.descriptions import (
    event_summary,
    panelists_label,
    person_parts,
    room_name,
    session_title,
)
from wego_ical.page.feed_views import feed_anchor
from wego_ical.plan.records import EventRecord, Snapshot, occurrence_snapshots
from wego_ical.render.calendar_links import AddEvent, add_event


@dataclass(frozen=True)
class PersonView:
    """A panelist or judge: a name, what they do, where to find them."""

    name: str
    role: str | None
    organisation: str | None
    url: str | None
    email: str | None
    # The anchor of their feed's row on the index page (a panelist, with people's feeds).
    feed: str | None = None
    # Name, role and organisation in the language's order, with the punctuation between
    # them (model.descriptions.person_parts): (text, whether it is the person's).
    parts: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class ProjectView:
    """A project (a winning project, a talk's subject)."""

    city: str | None
    title: str | None
    prize: str | None


@dataclass(frozen=True)
class EntryView:
    """One session (or a session-less event): a compact row, details on demand."""

    anchor: str
    title: str
    cancelled: bool
    start_utc: str
    end_utc: str
    day: str  # the day it is listed under (ISO), in the event's zone
    time_text: str  # in the event's zone: "09:00–09:30", "All day"
    # Its own zone's time when that is not the event's: "17:00–17:30 Greenwich Mean Time".
    own_time_text: str | None
    all_day: bool
    who: list[str]  # the row's short "who": panelists' names, else projects' cities
    category: str | None  # shown when it is not already the title
    topics: list[str]
    projects: list[ProjectView]
    panelists_label: str
    panelists: list[PersonView]
    description: str
    location: str | None  # shown when it is not the event's
    room: str | None  # its room's name, shown in the row
    conference: str | None
    file: str  # the event's own .ics file
    # What its "add to calendar" links carry (None when cancelled: they would
    # create an event called "Cancelled: …"; its file updates a copy a client has).
    add: AddEvent | None
    # Its summary ("Event · Session"), with its day and time when another entry has
    # the same: distinguishes its controls ("Add <name> to Google Calendar").
    name: str
    summary: str
    start_local: str  # ISO with offset, in its own zone (schema.org)
    end_local: str
    page_url: str | None


@dataclass(frozen=True)
class DayView:
    """The entries of an event listed under one day of the event's own zone."""

    anchor: str
    label: str
    entries: list[EntryView]


@dataclass(frozen=True)
class EventView:
    """One event of the series with its entries."""

    anchor: str
    title: str
    date_text: str
    zone_label: str | None  # its zone, when it is not the page's only zone
    location: str | None
    host: str | None
    description: str
    interpretation: list[str]
    url: str | None
    # Panelists shared by every entry: shown once, with the event.
    panelists_label: str
    panelists: list[PersonView]
    winners: list[tuple[str, list[ProjectView]]]
    judges: list[PersonView]
    cancelled: bool
    days: list[DayView] = field(default_factory=list)
    sessions: int = 0
    page: str = ""  # its own page, when the schedule is split (relative to the index)
    # When its first entry starts and its last ends (machine times, as EntryView's):
    # whether it is over, on now or to come.
    start_utc: str = ""
    end_utc: str = ""
    # In a light list of events (event_lists.outline): the month it is listed under
    # and its sessions' categories.
    month: str = ""
    categories: tuple[str, ...] = ()


def person_view(series: Series, ref: PersonRef, panelist: bool = False) -> PersonView:
    """A panelist or judge, with the role held at that moment (and a panelist's feed,
    where the series publishes one per person)."""
    person = series.person(ref.person)
    has_feed = panelist and "people" in series.publish.feeds
    role = ref.role or person.role
    organisation = ref.organisation or person.organisation
    return PersonView(
        person.name,
        role,
        organisation,
        person.url,
        person.email,
        feed_anchor(person_feed(person.id)) if has_feed else None,
        tuple(person_parts(series.labels, person.name, role, organisation)),
    )


def project_view(series: Series, project_id: str) -> ProjectView:
    """A project's city, title and prize (what is known of them)."""
    project = series.project(project_id)
    return ProjectView(project.city, project.title, project.prize)


def winners_views(series: Series) -> list[tuple[str, list[ProjectView]]]:
    """Each category that has winning projects, with them (for an awards ceremony)."""
    result = []
    for category in series.categories:
        projects = [project_view(series, p.id) for p in series.projects_in(category.id)]
        if projects:
            result.append((category.name, projects))
    return result


@dataclass(frozen=True)
class ViewSettings:
    """What the views of one language's page are made for: its language and words, the
    zone every event of the series shares (its events then name no zone), and the
    build's time (which occurrences of a repeating entry are next)."""

    language: str | None
    words: dict[str, str]
    only_zone: str | None = None
    now: datetime | None = None


@dataclass(frozen=True)
class _Page:
    """One page's views: the series, the settings, and the entry summaries more than one
    of its rows has (those rows name their day and time)."""

    series: Series
    settings: ViewSettings
    repeated: set[str]


def event_views(
    series: Series,
    grouped: dict[str, list[CalendarEntry]],
    by_uid: dict[str, EventRecord],
    settings: ViewSettings,
) -> Iterator[EventView]:
    """The view of each event in ``grouped`` (entries by event id, in order); a repeating
    entry as its next occurrences at the build's time (see :func:`listed_occurrences`)."""
    page = _Page(series, settings, _repeated_summaries(series, grouped.values()))
    for entries in grouped.values():
        yield _event_view(page, *_listed(page, entries, by_uid))


def event_frame(
    series: Series,
    entries: list[CalendarEntry],
    by_uid: dict[str, EventRecord],
    settings: ViewSettings,
) -> EventView:
    """The view of the event of ``entries`` without its rows (no days, no sessions): what
    a light list of events shows of it is the same as its whole view's, at the cost of
    its own fields only (a series of 100,000 sessions lists 5,000 events so)."""
    page = _Page(series, settings, set())
    entries, records = _listed(page, entries, by_uid)
    zone = entries[0].event.zone_name(series.series.timezone)
    day_change = series.day_change_of(entries[0].event)
    snapshots = [record.snapshot for record in records]
    return _event_frame(
        page,
        entries,
        records,
        min(listed_day(snapshot, zone, day_change) for snapshot in snapshots),
        (
            min(machine_time(snapshot, snapshot.aware_start) for snapshot in snapshots),
            max(machine_time(snapshot, snapshot.aware_end) for snapshot in snapshots),
        ),
    )


def _listed(
    page: _Page, entries: list[CalendarEntry], by_uid: dict[str, EventRecord]
) -> tuple[list[CalendarEntry], list[EventRecord]]:
    """The entries as the page lists them, each with its record: a repeating one once
    per occurrence listed (see :func:`listed_occurrences`)."""
    series, now = page.series, page.settings.now
    listed = [
        (entry, occurrence)
        for entry in entries
        for occurrence in listed_occurrences(by_uid[entry_uid(series, entry)], now)
    ]
    return [entry for entry, _ in listed], [occurrence for _, occurrence in listed]


def listed_occurrences(record: EventRecord, now: datetime | None) -> list[EventRecord]:
    """What the page lists of an entry: itself; for one that repeats, its next
    PAGE_OCCURRENCES occurrences that have not ended at ``now`` (the last ones when all
    have; the first ones when ``now`` is not known), each as an event of its own."""
    if record.snapshot.repeat is None:
        return [record]
    every = [snapshot for _, snapshot in occurrence_snapshots(record.snapshot)]
    coming = [item for item in every if now is None or item.aware_end > now]
    shown = coming[:PAGE_OCCURRENCES] if coming else every[-PAGE_OCCURRENCES:]
    return [replace(record, snapshot=snapshot) for snapshot in shown]


def _event_view(page: _Page, entries: list[CalendarEntry], records: list[EventRecord]) -> EventView:
    series = page.series
    event = entries[0].event
    zone = event.zone_name(series.series.timezone)
    shared = bool(_shared_panelists(entries))
    views = [
        _entry_view(page, entry, record, zone, shared)
        for entry, record in zip(entries, records, strict=True)
    ]
    days: dict[str, list[EntryView]] = {}
    for view in views:
        days.setdefault(view.day, []).append(view)
    ordered = sorted(days.items())
    language = page.settings.language
    return replace(
        # Every event given here has entries: ordered and records are never empty.
        _event_frame(
            page,
            entries,
            records,
            date.fromisoformat(ordered[0][0]),
            (min(view.start_utc for view in views), max(view.end_utc for view in views)),
        ),
        days=[
            DayView(f"{event.id}--{day}", when.day_text(date.fromisoformat(day), language), listed)
            for day, listed in ordered
        ],
        sessions=len(views),
    )


def _event_frame(
    page: _Page,
    entries: list[CalendarEntry],
    records: list[EventRecord],
    first: date,
    times: tuple[str, str],
) -> EventView:
    """An event's own fields, its entries listed from the day ``first`` and at the
    machine ``times`` (the first start, the last end) of its rows."""
    series, language = page.series, page.settings.language
    event = entries[0].event
    zone = event.zone_name(series.series.timezone)
    shared = _shared_panelists(entries)
    day_change = series.day_change_of(event)
    last = max(last_day(r.snapshot, zone, day_change) for r in records)
    moment = records[0].snapshot.aware_start
    return EventView(
        start_utc=times[0],
        end_utc=times[1],
        anchor=event.id,
        title=event.title,
        date_text=when.days_text(first, max(first, last), language),
        zone_label=(
            None if zone == page.settings.only_zone else when.zone_label(zone, moment, language)
        ),
        location=event.location,
        host=event.host,
        description=event.description,
        interpretation=list(event.interpretation),
        url=event.url,
        panelists_label=panelists_label(series, len(shared)),
        panelists=[person_view(series, ref, panelist=True) for ref in shared],
        winners=winners_views(series) if event.all_categories else [],
        judges=[person_view(series, ref) for ref in event.judges],
        cancelled=event.status == "cancelled",
    )


def last_day(snapshot: Snapshot, zone: str, day_change: time | None) -> date:
    """The last (conference) day an entry touches, in the event's zone."""
    if snapshot.all_day:
        return snapshot.end.date() - timedelta(days=1)
    end = snapshot.aware_end.astimezone(ZoneInfo(zone))
    # An end at midnight (or at the day change) ends the day before.
    return conference_day(end - timedelta(microseconds=1), day_change)


def _shared_panelists(entries: list[CalendarEntry]) -> list[PersonRef]:
    """The panelists every entry of an event has, when there are several entries."""
    if len(entries) < 2:
        return []
    first = entries[0].panelists
    return first if all(entry.panelists == first for entry in entries[1:]) else []


def _repeated_summaries(series: Series, groups: Iterable[list[CalendarEntry]]) -> set[str]:
    """Entry summaries ("Event · Session") that more than one entry of the page has."""
    # A repeating entry's occurrences share its summary.
    counts = Counter(
        event_summary(series, e)
        for entries in groups
        for e in entries
        for _ in range(1 + bool(e.repeat))
    )
    return {title for title, count in counts.items() if count > 1}


def _entry_view(
    page: _Page, entry: CalendarEntry, record: EventRecord, event_zone: str, shared: bool
) -> EntryView:
    """One row (``shared``: the event lists the panelists every row has, not the row)."""
    series, language, words = page.series, page.settings.language, page.settings.words
    snapshot = record.snapshot
    session = entry.session
    category = series.category(session.category) if session and session.category else None
    title = session_title(series, entry)
    day_change = series.day_change_of(entry.event)
    day, time_text, own_time = _times(snapshot, event_zone, day_change, language, words)
    summary = event_summary(series, entry)
    name = (
        f"{summary}, {when.day_text(day, language)}, {time_text}"
        if summary in page.repeated
        else summary
    )
    projects = [project_view(series, p) for p in session.projects] if session else []
    panelists = [] if shared else entry.panelists
    people = [person_view(series, ref, panelist=True) for ref in panelists]
    anchor, title, cancelled = _row_identity(series, entry, snapshot, title)
    return EntryView(
        anchor=anchor,
        title=_row_title(entry, title, words),
        cancelled=cancelled,
        start_utc=machine_time(snapshot, snapshot.aware_start),
        end_utc=machine_time(snapshot, snapshot.aware_end),
        day=day.isoformat(),
        time_text=time_text,
        own_time_text=own_time,
        all_day=bool(snapshot.all_day),
        who=[p.name for p in people] or [p.city or p.title or "" for p in projects],
        category=category.name if category and category.name != title else None,
        topics=list(category.topics) if category else [],
        projects=projects,
        panelists_label=panelists_label(series, len(people)),
        panelists=people,
        description=session.description if session else "",
        location=entry.location if entry.location != entry.event.location else None,
        room=room_name(series, entry),
        conference=entry.conference,
        file=event_file(record.uid),
        # No "add" links for an occurrence: they would add it once (its .ics file holds
        # the whole rule).
        add=None if cancelled or entry.repeat else _add(snapshot, words["and_more"]),
        name=name,
        summary=summary,
        start_local=_local_iso(snapshot, snapshot.aware_start),
        end_local=_local_iso(snapshot, snapshot.aware_end),
        page_url=entry.page_url,
    )


def _row_title(entry: CalendarEntry, title: str, words: dict[str, str]) -> str:
    """An event without sessions is one row under its own heading: the row says what it
    is rather than the heading again."""
    return words["whole_event"] if entry.session is None and title == entry.event.title else title


def _row_identity(
    series: Series, entry: CalendarEntry, snapshot: Snapshot, title: str
) -> tuple[str, str, bool]:
    """A row's anchor, title and whether it is cancelled: the entry's; for one occurrence
    of a repeating entry, its own (its day in the anchor, its changes applied)."""
    # An event shown as its own row: the event's article has the event's id.
    anchor = entry.key.replace(".", "--") if entry.session else f"{entry.key}--entry"
    if entry.repeat is None:
        return anchor, title, entry.status == "cancelled"
    own = snapshot.summary.removeprefix(f"{series.labels.cancelled}: ")
    own = own.removeprefix(f"{entry.event.title} · ") if entry.session else own
    return f"{anchor}--{snapshot.start:%Y%m%d}", own, snapshot.status == "CANCELLED"


def machine_time(snapshot: Snapshot, moment: datetime) -> str:
    """A time as the page's rows carry it for the script: a day for a whole-day item,
    else the UTC instant."""
    return moment.date().isoformat() if snapshot.all_day else iso_utc(moment)


# A row's times, as the page writes them or as what they compare as (see state_at).
Moment = TypeVar("Moment", str, date, datetime)


def row_state(start: Moment, end: Moment, now_utc: Moment) -> str:
    """Whether a row of machine times (:func:`machine_time`) is over, on now or to come
    at ``now_utc`` (the build time, as :func:`~wego_ical.i18n.dates.iso_utc` writes it):
    "past", "now" or "upcoming"."""
    if end <= now_utc:
        return "past"
    return "now" if start <= now_utc else "upcoming"


def state_at(snapshot: Snapshot, now: datetime) -> str:
    """:func:`row_state` of the snapshot's row at ``now``, without writing its times:
    machine times of one format compare as what they write (a whole-day item's days; a
    timed one's instants to the second, in years of four digits: see limits.FIRST_YEAR),
    and a day written alone comes before every time of that day."""
    if snapshot.all_day:
        day = now.astimezone(UTC).date()
        return row_state(snapshot.start.date(), snapshot.end.date(), day)
    zone = ZoneInfo(snapshot.timezone)
    start = snapshot.start.replace(microsecond=0, tzinfo=zone)
    end = snapshot.end.replace(microsecond=0, tzinfo=zone)
    return row_state(start, end, now.replace(microsecond=0))


def _local_iso(snapshot: Snapshot, moment: datetime) -> str:
    return moment.date().isoformat() if snapshot.all_day else moment.isoformat()


def _times(
    snapshot: Snapshot,
    event_zone: str,
    day_change: time | None,
    language: str | None,
    words: dict[str, str],
) -> tuple[date, str, str | None]:
    """The day it is listed under (its conference day, in the event's zone), its time in
    the event's zone, and its time in its own zone when that is another."""
    day = listed_day(snapshot, event_zone, day_change)
    if snapshot.all_day:
        last = snapshot.end.date() - timedelta(days=1)
        text = words["all_day"]
        if last != snapshot.start.date():
            text = words["all_day_until"].format(day=when.short_day(last, language))
        return day, text, None
    zone = ZoneInfo(event_zone)
    start, end = snapshot.aware_start.astimezone(zone), snapshot.aware_end.astimezone(zone)
    own = None
    if snapshot.timezone != event_zone:
        own_start, own_end = snapshot.aware_start, snapshot.aware_end
        own = words["own_time"].format(
            time=when.time_span(own_start, own_end, language),
            zone=when.zone_label(snapshot.timezone, own_start, language),
        )
    return day, when.time_span(start, end, language), own


def listed_day(snapshot: Snapshot, event_zone: str, day_change: time | None) -> date:
    """The day an entry is listed under: its conference day in the event's zone (a
    whole-day item's first day)."""
    if snapshot.all_day:
        return snapshot.start.date()
    return conference_day(snapshot.aware_start.astimezone(ZoneInfo(event_zone)), day_change)


def _add(snapshot: Snapshot, more: str) -> AddEvent:
    """What the event's "add to calendar" links carry, as published."""
    return add_event(snapshot, more)
