"""What the organiser should know about valid data: shown by ``check`` and ``build``,
errors only with ``--strict``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from wego_ical.i18n.dates import day_and_clock, hh_mm
from wego_ical.load.messages import KeyLocator, toml_path
from wego_ical.model import CalendarEntry, Series, located_entries

Loc = tuple[str | int, ...]


def data_notes(series: Series, data: object, text: str) -> list[str]:
    """Every note on the data, each placed at its line where it has one."""
    locator = _Lazy(text)
    return [
        f"{_where(locator, loc)}{toml_path(loc, data)} {note}"
        for loc, note in (*_titled_by_id(series), *_double_booked(series, data))
    ]


class _Lazy:
    """A locator made only when a note needs a line: indexing a large valid file would
    cost every build."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._locator: KeyLocator | None = None

    def line(self, loc: Loc) -> int | None:
        self._locator = self._locator or KeyLocator(self._text)
        return self._locator.find(loc)[0]


def _where(locator: _Lazy, loc: Loc) -> str:
    line = locator.line(loc)
    return f"line {line}: " if line else ""


def _titled_by_id(series: Series) -> Iterator[tuple[Loc, str]]:
    """Sessions whose calendar title falls back to their id."""
    for loc, entry in located_entries(series):
        session = entry.session
        if session is None or session.title is not None or session.category is not None:
            continue
        yield (
            loc,
            f"has no title and no category, so its calendar title is its id: "
            f"'{entry.event.title} · {session.id}'; add title = \"…\"",
        )


def _double_booked(series: Series, data: object) -> Iterator[tuple[Loc, str]]:
    """A person named in two entries that take place at the same time (in two rooms, or
    two events): one of them is probably a mistake."""
    named: dict[str, list[tuple[Loc, CalendarEntry]]] = {}
    for loc, entry in located_entries(series):
        if entry.all_day or entry.status == "cancelled":
            continue
        # Their own people: an event's panelists, which its sessions inherit, are not
        # booked in each of its parallel sessions.
        refs = entry.session.panelists if entry.session else entry.event.panelists
        for ref in refs:
            named.setdefault(ref.person, []).append((loc, entry))
    for person, places in named.items():
        if len(places) < 2:
            continue
        times = sorted((entry.utc_start, entry.utc_end, loc, entry) for loc, entry in places)
        latest: tuple[datetime, datetime, Loc, CalendarEntry] | None = None
        for item in times:
            if latest is not None and item[0] < latest[1]:
                yield item[2], _clash(series, person, item, latest, toml_path(latest[2], data))
            if latest is None or item[1] > latest[1]:
                latest = item


def _clash(
    series: Series,
    person: str,
    later: tuple[datetime, datetime, Loc, CalendarEntry],
    earlier: tuple[datetime, datetime, Loc, CalendarEntry],
    earlier_path: str,
) -> str:
    entry, other = later[3], earlier[3]
    where = f" in {_room(series, entry)}" if entry.room else ""
    there = f" in {_room(series, other)}" if other.room else ""
    return (
        f"names {series.person(person).name} ({person}) at {day_and_clock(entry.start)}"
        f"{where}, while {earlier_path} has them until {hh_mm(other.end)}{there}; "
        "check its time or its panelists"
    )


def _room(series: Series, entry: CalendarEntry) -> str:
    assert entry.room is not None
    return f"room '{series.room(entry.room).name}'"
