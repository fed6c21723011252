"""The light lists of a big series' events: one row per event (its page, its days, the
categories of its sessions), grouped by month on the index; the months' pages' names."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from wego_ical.catalogue import SCHEDULE_FOLDER
from wego_ical.i18n import dates as when
from wego_ical.model import CalendarEntry, Series
from wego_ical.model.entries import categories_of
from wego_ical.page.views import EventView, row_state


@dataclass(frozen=True)
class MonthGroup:
    """The events of one month in the index's list, under a heading that opens and
    closes them."""

    anchor: str  # "month-2024-01"
    label: str  # "January 2024", as the language writes it
    events: list[EventView]
    sessions: int
    # Shown open unless every event in it was over when the page was built.
    open: bool


def month_of(entries: list[CalendarEntry]) -> str:
    """The month (``2021-08``) an event is listed under: that of its first day."""
    return f"{entries[0].first_day:%Y-%m}"


def months_of(grouped: dict[str, list[CalendarEntry]]) -> dict[str, list[str]]:
    """The events by the month of their first day."""
    months: dict[str, list[str]] = {}
    for event_id, entries in grouped.items():
        months.setdefault(month_of(entries), []).append(event_id)
    return months


def month_anchor(month: str) -> str:
    """The id of a month's group or row on the index ("month-2024-01")."""
    return f"month-{month}"


def month_page(month: str) -> str:
    """A month's page, in the output folder."""
    return f"{SCHEDULE_FOLDER}/{month_link(month)}"


def month_link(month: str) -> str:
    """A month's page, from a page beside it."""
    # Event ids have no dots: a month's page never takes an event page's name.
    return f"{month}.month.html"


def month_name(month: str, language: str | None) -> str:
    from babel.dates import format_skeleton

    day = date.fromisoformat(f"{month}-01")
    return str(format_skeleton("yMMMM", day, locale=when.cldr_locale(language)))


def outline(view: EventView, series: Series, entries: list[CalendarEntry], page: str) -> EventView:
    """An event as a light list shows it: no sessions, a link to its page, the month
    it is listed under and its sessions' categories (to filter the list by)."""
    categories = {category for entry in entries for category in categories_of(entry, series)}
    order = [category.id for category in series.categories if category.id in categories]
    return replace(
        view,
        days=[],
        sessions=len(entries),
        page=page,
        month=month_of(entries),
        categories=tuple(order),
    )


def month_groups(
    events: list[EventView], language: str | None, now: datetime | None
) -> list[MonthGroup]:
    """The outlined ``events`` by month, in order (one group without a heading when
    they are all in one month)."""
    by_month: dict[str, list[EventView]] = {}
    for event in events:
        by_month.setdefault(event.month, []).append(event)
    if len(by_month) < 2:
        # One month's events need no heading to open them by.
        return [MonthGroup("", "", events, sum(event.sessions for event in events), True)]
    built = when.iso_utc(now) if now else ""
    return [
        MonthGroup(
            month_anchor(month),
            month_name(month, language),
            rows,
            sum(event.sessions for event in rows),
            not built or any(_not_over(event, built) for event in rows),
        )
        for month, rows in by_month.items()
    ]


def _not_over(event: EventView, now_utc: str) -> bool:
    return not event.end_utc or row_state(event.start_utc, event.end_utc, now_utc) != "past"


def category_choices(series: Series, events: list[EventView]) -> list[tuple[str, str]]:
    """The categories a list of events can be filtered by (id, name): those its events
    have, when they are more than one."""
    present = {category for event in events for category in event.categories}
    choices = [(c.id, c.name) for c in series.categories if c.id in present]
    return choices if len(choices) > 1 else []
