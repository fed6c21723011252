"""The validated schema of an event-series file (``data/events.toml``).

- :mod:`~wego_ical.model.values`: checks of single values (ids, texts, URLs, zones, days);
- :mod:`~wego_ical.model.context`: what validators know of the whole file (declared ids);
- :mod:`~wego_ical.model.tables`: the tables (series, events, sessions, people …);
- :mod:`~wego_ical.model.schedule`: the schedule rules of an event and its sessions;
- :mod:`~wego_ical.model.entries`: calendar entries, the one home of what a session
  inherits from its event;
- :mod:`~wego_ical.model.languages`: a series in each of its languages;
- :mod:`~wego_ical.model.descriptions`: plain-text renderings of the data (summaries,
  descriptions, people and projects) that every output shares.

May import: the base modules (errors, limits, words, files) and ``i18n``.
"""

from wego_ical.model.context import raw_duplicate_ids
from wego_ical.model.entries import (
    CalendarEntry,
    calendar_entries,
    entry_uid,
    located_entries,
)
from wego_ical.model.schedule import conference_day
from wego_ical.model.tables import Category, Event, PersonRef, Series, Session
from wego_ical.model.values import (
    TEXT_CHECKS,
    load_zone,
    local_time_problem,
    url_problem,
    zone_names,
)

__all__ = [
    "TEXT_CHECKS",
    "CalendarEntry",
    "Category",
    "Event",
    "PersonRef",
    "Series",
    "Session",
    "calendar_entries",
    "conference_day",
    "entry_uid",
    "load_zone",
    "local_time_problem",
    "located_entries",
    "raw_duplicate_ids",
    "url_problem",
    "zone_names",
]
