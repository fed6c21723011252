"""Calendar entries: each timed session, or each event without sessions, with what
it inherits from its event (day, zone, panelists, status) resolved in one place.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from wego_ical.i18n.dates import in_zone
from wego_ical.model.occurrences import Occurrence, occurrences_of
from wego_ical.model.tables import (
    STATUS_WEIGHT,
    Day,
    Event,
    FeedGroup,
    PersonRef,
    Series,
    Session,
    Status,
)
from wego_ical.model.uids import uid_of
from wego_ical.model.values import load_zone


@dataclass(frozen=True)
class CalendarEntry:
    """One calendar entry: a session of an event, or an event without sessions.

    ``zone`` is the name of the time zone its times are in.
    """

    event: Event
    session: Session | None
    key: str = ""
    zone: str = "UTC"

    @property
    def all_day(self) -> bool:
        """Whether it is a whole-day item (a date, no times)."""
        return self.session.all_day if self.session else self.event.all_day

    @property
    def first_day(self) -> Day:
        """The day it starts."""
        return (self.session.date if self.session else None) or self.event.date

    @property
    def last_day(self) -> Day:
        """The day it ends (inclusive)."""
        if self.session is not None:
            return self.session.end_date or self.first_day
        return self.event.last_day

    @property
    def start(self) -> datetime:
        """Naive local start (midnight of the first day for a whole-day item)."""
        if self.all_day:
            return datetime.combine(self.first_day, time())
        moment = self.session.start if self.session else self.event.start
        assert moment is not None
        return datetime.combine(self.first_day, moment)

    @property
    def end(self) -> datetime:
        """Naive local end (midnight after the last day for a whole-day item: exclusive)."""
        if self.all_day:
            return datetime.combine(self.last_day + timedelta(days=1), time())
        moment = self.session.end if self.session else self.event.end
        assert moment is not None
        return datetime.combine(self.last_day, moment)

    @property
    def utc_start(self) -> datetime:
        """The instant it starts."""
        return in_zone(self.start, load_zone(self.zone)).astimezone(UTC)

    @property
    def utc_end(self) -> datetime:
        """The instant it ends."""
        return in_zone(self.end, load_zone(self.zone)).astimezone(UTC)

    # A session's own value where it has one, else its event's.

    @property
    def status(self) -> Status:
        """confirmed, tentative or cancelled: a cancelled or tentative event makes
        every session at least as uncertain as itself."""
        if self.session is None:
            return self.event.status
        return max(self.session.status, self.event.status, key=STATUS_WEIGHT.__getitem__)

    @property
    def location(self) -> str | None:
        """Where it takes place."""
        return (self.session.location if self.session else None) or self.event.location

    @property
    def conference(self) -> str | None:
        """The join or recording link."""
        return (self.session.conference if self.session else None) or self.event.conference

    @property
    def page_url(self) -> str | None:
        """The web page of the session or event (the series page is the caller's fallback)."""
        return (self.session.url if self.session else None) or self.event.url

    @property
    def repeating(self) -> Session | Event:
        """What its repeat rule, ``except`` days and changed occurrences are read from."""
        return self.session if self.session is not None else self.event

    @property
    def repeat(self) -> str | None:
        """Its repeat rule (None: it takes place once)."""
        return self.repeating.repeat

    def occurrences(self) -> list[Occurrence]:
        """Its occurrences (one, unless it repeats), in naive local times."""
        if self.repeat is None:
            return [Occurrence(self.start, self.start, self.end)]
        return occurrences_of(self.repeating, self.start, self.end, load_zone(self.zone))

    @property
    def room(self) -> str | None:
        """The room as the file names it (a declared room's id, or a name)."""
        return (self.session.room if self.session else None) or self.event.room

    @property
    def panelists(self) -> list[PersonRef]:
        """The panelists: the session's, else the event's."""
        return list((self.session.panelists if self.session else []) or self.event.panelists)


def calendar_entries(series: Series) -> list[CalendarEntry]:
    """Every calendar entry of the series, in chronological order.

    Made once per series (the model is immutable) and shared: callers must not change
    the list. A build asks for it in every stage (plan, records, pages, exports): made
    each time, it was 0.12 s of sorting at 10,000 sessions, six times per language.
    """
    known = _ENTRIES.get(id(series))
    if known is not None and known[0] is series:
        return known[1]
    entries = sorted((entry for _, entry in located_entries(series)), key=_chronological)
    # Each entry's UID made once: every stage looks records up by it (nine times an entry).
    uids = {id(entry): _made_uid(series, entry) for entry in entries}
    with _ENTRIES_LOCK:  # serve's threads may ask too
        if len(_ENTRIES) >= _KEEP_ENTRIES:
            del _ENTRIES[next(iter(_ENTRIES))]
        # The series is kept with its entries: its id is not reused while it is cached,
        # nor are theirs.
        _ENTRIES[id(series)] = (series, entries, uids)
    return entries


# The entries of the series asked about last (a build has one per language), and
# their UIDs by the id of each.
_ENTRIES: dict[int, tuple[Series, list[CalendarEntry], dict[int, str]]] = {}
_KEEP_ENTRIES = 8
_ENTRIES_LOCK = threading.Lock()


def located_entries(series: Series) -> Iterator[tuple[tuple[str | int, ...], CalendarEntry]]:
    """Every calendar entry in file order, with its location in the file
    (``("events", 1, "sessions", 0)``)."""
    series_zone = series.series.timezone
    for index, event in enumerate(series.events):
        zone = event.zone_name(series_zone)
        if not event.sessions:
            yield ("events", index), CalendarEntry(event, None, event.id, zone)
        for number, session in enumerate(event.sessions):
            entry = CalendarEntry(
                event, session, f"{event.id}.{session.id}", session.timezone or zone
            )
            yield ("events", index, "sessions", number), entry


def _chronological(entry: CalendarEntry) -> tuple[datetime, str]:
    return entry.utc_start, entry.key


def entry_uid(series: Series, entry: CalendarEntry) -> str:
    """A UID that stays the same across feeds and rebuilds: the entry's own ``uid``,
    else derived from ids only (see :mod:`~wego_ical.model.uids`)."""
    known = _ENTRIES.get(id(series))
    if known is not None and known[0] is series:
        uid = known[2].get(id(entry))
        if uid is not None:
            return uid
    return _made_uid(series, entry)


def _made_uid(series: Series, entry: CalendarEntry) -> str:
    info = series.series
    own = entry.session.uid if entry.session is not None else entry.event.uid
    return uid_of(info.id, entry.key, own, info.uid_domain)


def categories_of(entry: CalendarEntry, series: Series) -> list[str]:
    """The category feeds an entry belongs to: its session's category, or all of
    them for an awards ceremony (where every category's prizes are presented)."""
    if entry.session is not None:
        return [entry.session.category] if entry.session.category else []
    return [c.id for c in series.categories] if entry.event.all_categories else []


def feeds_of(entry: CalendarEntry, series: Series) -> Iterator[tuple[FeedGroup, str]]:
    """The feeds beside ``all.ics`` that hold ``entry``, as (kind, id), of the kinds the
    series publishes (``[publish] feeds``): its event's, its categories', its room's and
    each of its panelists'."""
    groups = series.publish.feeds
    if "events" in groups:
        yield "events", entry.event.id
    if "categories" in groups:
        for category in categories_of(entry, series):
            yield "categories", category
    if "rooms" in groups and entry.room is not None:
        yield "rooms", series.room(entry.room).id
    if "people" in groups:
        for person in dict.fromkeys(ref.person for ref in entry.panelists):
            yield "people", person
