"""What a series publishes: which feeds, what each contains, what each event shows.

Kept apart from the iCalendar code so that ``wego-ical check`` can say what a
build would produce without loading icalendar. The result of planning is a
list of :class:`~wego_ical.plan.reconcile.CurrentEvent`, which the publication state
reconciles with what subscribers were sent before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from wego_ical.catalogue import MAIN_FEED, category_feed, event_feed, person_feed, room_feed
from wego_ical.model import CalendarEntry, Category, Event, Series, calendar_entries, entry_uid
from wego_ical.model.descriptions import (
    describe,
    entry_categories,
    event_summary,
    place,
)
from wego_ical.model.entries import feeds_of
from wego_ical.model.tables import FeedGroup
from wego_ical.plan.reconcile import CurrentEvent
from wego_ical.plan.records import Override, Snapshot, cancelled_summary


@dataclass(frozen=True)
class FeedPlan:
    """One feed to write: its path below the output folder and what it holds."""

    path: str
    name: str
    description: str
    entries: tuple[CalendarEntry, ...]


def plan_feeds(series: Series) -> list[FeedPlan]:
    """Decide which feeds the data produces and what each contains.

    ``all.ics`` holds everything; ``<event-id>.ics`` one event's entries;
    ``categories/<category-id>.ics`` a category's sessions plus every awards
    ceremony (where that category's prizes are presented); with ``[publish] feeds``
    naming them, ``rooms/<room-id>.ics`` a room's entries and ``people/<id>.ics``
    the entries that name a person as a panelist. Feeds that would hold no event
    are not planned.
    """
    entries = calendar_entries(series)
    info = series.series
    groups = series.publish.feeds
    by_event: dict[str, list[CalendarEntry]] = {}
    by_category: dict[str, list[CalendarEntry]] = {}
    by_room: dict[str, list[CalendarEntry]] = {}
    by_person: dict[str, list[CalendarEntry]] = {}
    held: dict[FeedGroup, dict[str, list[CalendarEntry]]] = {
        "events": by_event, "categories": by_category, "rooms": by_room, "people": by_person
    }  # fmt: skip
    for entry in entries:
        for kind, key in feeds_of(entry, series):
            held[kind].setdefault(key, []).append(entry)
    plans = [
        FeedPlan(
            MAIN_FEED,
            f"{info.title} — {series.labels.all_events}",
            info.description or info.title,
            tuple(entries),
        )
    ]
    for event in series.events if "events" in groups else ():
        plans.append(
            FeedPlan(
                event_feed(event.id),
                event.title,
                event.description or f"{event.title} ({_days(event)}), {info.title}",
                tuple(by_event.get(event.id, ())),
            )
        )
    for category in series.categories if "categories" in groups else ():
        plans.append(
            FeedPlan(
                category_feed(category.id),
                f"{info.title} — {category.name}",
                _category_feed_description(series, category),
                tuple(by_category.get(category.id, ())),
            )
        )
    for room in series.all_rooms() if "rooms" in groups else ():
        plans.append(
            FeedPlan(
                room_feed(room.id),
                f"{info.title} — {room.name}",
                f"{info.title}: {room.name}",
                tuple(by_room.get(room.id, ())),
            )
        )
    for person in series.people if "people" in groups else ():
        plans.append(
            FeedPlan(
                person_feed(person.id),
                f"{info.title} — {person.name}",
                f"{info.title}: {person.name}",
                tuple(by_person.get(person.id, ())),
            )
        )
    return [plan for plan in plans if plan.entries]


def _days(event: Event) -> str:
    if event.last_day == event.date:
        return event.date.isoformat()
    return f"{event.date.isoformat()} to {event.last_day.isoformat()}"


def _category_feed_description(series: Series, category: Category) -> str:
    topics = f" {series.labels.topics}: {', '.join(category.topics)}." if category.topics else ""
    return f"{series.series.title} — {category.name}.{topics}"


def current_events(
    series: Series,
    plans: list[FeedPlan],
    language: str | None = None,
    descriptions: Mapping[str, str] | None = None,
) -> list[CurrentEvent]:
    """What the data publishes now: every entry with its snapshot and feeds.

    ``language`` marks the texts of a feed in a further language; ``descriptions``
    are the entries' descriptions by key when the loader made them already (each is
    made once per entry and language).
    """
    membership: dict[str, list[str]] = {}
    for plan in plans:
        for entry in plan.entries:
            membership.setdefault(entry.key, []).append(plan.path)
    current = []
    for entry in calendar_entries(series):
        uid = entry_uid(series, entry)
        described = descriptions.get(entry.key) if descriptions is not None else None
        snapshot = build_snapshot(series, entry, language, described)
        current.append(CurrentEvent(uid, snapshot, tuple(membership[entry.key])))
    return current


def build_snapshot(
    series: Series,
    entry: CalendarEntry,
    language: str | None = None,
    description: str | None = None,
) -> Snapshot:
    """What a client shows of one entry, computed from the data (its ``description``
    too, unless it is given)."""
    info = series.series
    conference = entry.conference
    snapshot = Snapshot(
        summary=event_summary(series, entry),
        start=entry.start,
        end=entry.end,
        timezone=entry.zone,
        all_day=entry.all_day or None,
        language=language,
        description=describe(series, entry) if description is None else description,
        location=place(series, entry),
        url=conference or entry.page_url or info.url,
        categories=entry_categories(series, entry),
        organizer_name=info.organiser.name,
        organizer_address=(f"mailto:{info.organiser.email}" if info.organiser.email else info.url),
        conference=conference,
        conference_label=series.labels.conference if conference else None,
        reminder_minutes=series.publish.reminder_for(entry.all_day),
        status="TENTATIVE" if entry.status == "tentative" else "CONFIRMED",
    )
    if entry.repeat is not None:
        snapshot = _with_repeats(series, entry, snapshot)
    return snapshot.cancelled(series.labels.cancelled) if entry.status == "cancelled" else snapshot


_STATUSES: dict[str, Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]] = {
    "confirmed": "CONFIRMED",
    "tentative": "TENTATIVE",
    "cancelled": "CANCELLED",
}


def _with_repeats(series: Series, entry: CalendarEntry, snapshot: Snapshot) -> Snapshot:
    """The snapshot of a repeating entry: its rule, the starts it leaves out, and its
    changed occurrences (each as its event would show it)."""
    repeating = entry.repeating
    overrides = []
    for occurrence in entry.occurrences():
        change = occurrence.change
        if change is None:
            continue
        summary = snapshot.summary
        if change.title is not None:
            summary = f"{entry.event.title} · {change.title}" if entry.session else change.title
        status = _STATUSES.get(change.status or "", snapshot.status)
        if status == "CANCELLED":
            summary = cancelled_summary(summary, series.labels.cancelled)
        overrides.append(
            Override(
                recurrence_id=occurrence.original,
                start=occurrence.start,
                end=occurrence.end,
                summary=summary,
                description=change.description or snapshot.description,
                location=change.location or snapshot.location,
                status=status,
            )
        )
    return replace(
        snapshot,
        repeat=repeating.repeat,
        exdates=[datetime.combine(day, entry.start.time()) for day in repeating.except_] or None,
        overrides=overrides or None,
    )
