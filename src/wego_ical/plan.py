"""Which feeds a series produces and what each one contains.

Kept apart from the iCalendar code so that ``wego-ical check`` can say what a
build would produce without loading icalendar.
"""

from __future__ import annotations

from dataclasses import dataclass

from wego_ical.model import Category, Occurrence, Series, occurrences

EVENTS_FOLDER = "events"


def event_file(uid: str) -> str:
    """Path of the single-event file of ``uid`` (ids are slugs, so this is a safe name)."""
    return f"{EVENTS_FOLDER}/{uid.split('@', 1)[0]}.ics"


@dataclass(frozen=True)
class FeedPlan:
    """One feed to write: its path below the output folder and what it holds."""

    path: str
    key: str
    name: str
    description: str
    entries: tuple[Occurrence, ...]


def plan_feeds(series: Series) -> list[FeedPlan]:
    """Decide which feeds the data produces and what each contains.

    ``all.ics`` holds everything; ``<event-id>.ics`` one event's entries;
    ``categories/<category-id>.ics`` a category's sessions plus every awards
    ceremony (where that category's prizes are presented). Feeds that would
    hold no event are not planned.
    """
    entries = occurrences(series)
    info = series.series
    by_event: dict[str, list[Occurrence]] = {}
    by_category: dict[str, list[Occurrence]] = {}
    for entry in entries:
        by_event.setdefault(entry.event.id, []).append(entry)
        for category_id in _categories_of(entry, series):
            by_category.setdefault(category_id, []).append(entry)
    plans = [
        FeedPlan(
            "all.ics",
            "all",
            f"{info.title} — {series.labels.all_events}",
            info.description or info.title,
            tuple(entries),
        )
    ]
    for event in series.events:
        plans.append(
            FeedPlan(
                f"{event.id}.ics",
                event.id,
                event.title,
                event.description or f"{event.title} ({event.date.isoformat()}), {info.title}",
                tuple(by_event.get(event.id, ())),
            )
        )
    for category in series.categories:
        plans.append(
            FeedPlan(
                f"categories/{category.id}.ics",
                f"category-{category.id}",
                f"{info.title} — {category.name}",
                _category_feed_description(series, category),
                tuple(by_category.get(category.id, ())),
            )
        )
    return [plan for plan in plans if plan.entries]


def _categories_of(entry: Occurrence, series: Series) -> list[str]:
    """The category feeds an entry belongs to: its session's category, or all of
    them for an awards ceremony (where every category's prizes are presented)."""
    if entry.session is not None:
        return [entry.session.category] if entry.session.category else []
    return [c.id for c in series.categories] if entry.event.awards_ceremony else []


def _category_feed_description(series: Series, category: Category) -> str:
    topics = f" {series.labels.topics}: {', '.join(category.topics)}." if category.topics else ""
    return f"{series.series.title} — {category.name}.{topics}"
