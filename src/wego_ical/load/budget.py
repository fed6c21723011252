"""The output budget: how large a build's files would be, estimated before anything is
rendered, and refused when a file or the whole output would be absurd.

Each calendar entry is written several times: into ``all.ics``, its event's
feed, each category feed it belongs to, its own single-event file, the frab
exports and the page, and all of that again in every language. Every text it
writes counts (title, description, place, links, people), as large as the most
expensive escaping makes it. A description that is
within its own limit, repeated in hundreds of sessions and twenty languages,
would otherwise make gigabytes of feeds from a file of a megabyte.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from wego_ical.catalogue import MAIN_FEED
from wego_ical.limits import MAX_OUTPUT_BYTES, MAX_OUTPUT_FILE_BYTES, MAX_URL, PAGE_OCCURRENCES
from wego_ical.model import CalendarEntry, Series
from wego_ical.model.entries import feeds_of
from wego_ical.model.tables import FeedGroup

# What one copy of an entry takes besides its texts: its other properties
# and its share of the zones (about 880 bytes an event in the WeGO feeds).
COPY_OVERHEAD = 800
# Folding (a CRLF and a space every 75 octets) adds 4 %; a little more for safety.
FOLDING = 1.05
# The page writes an entry's title many times: its row and details, its schema.org
# entry, the labels of its buttons and its add-to-calendar links.
PAGE_TITLES = 9
# schedule.json, schedule.xml and feeds.json hold every entry too.
OTHER_FILES = 3
# What a feed file writes besides its entries: its header, its entry in feeds.json and
# its row on the page (links, the address a QR code shows), not counting its texts;
# and how often those texts (the series' title, the feed's name and description) are
# written: twice in the header, in feeds.json, and in the page's names and labels.
FEED_OVERHEAD = 3000
FEED_TEXTS = 12
# A VTIMEZONE, for each zone a feed names: its frame, and two changes a year at most.
ZONE_BYTES = 600
ZONE_BYTES_PER_YEAR = 250


@dataclass(frozen=True)
class EntrySize:
    """One calendar entry of one language: where it is, how many iCalendar files hold
    it, about how many bytes it takes in each of them, in each file of the others
    (``schedule.json``, ``schedule.xml``, ``feeds.json``) and on the page."""

    where: str  # 'session "part-1" › "mobility"'
    language: str | None
    copies: int
    copy_bytes: int
    export_bytes: int = 0
    page_bytes: int = 0
    occurrences: int = 1  # a repeating entry's, each a talk of its own in the exports
    file_bytes: int = 0  # a feed's own: its header, zones, feeds.json entry and page row

    @property
    def total(self) -> int:
        """Its bytes in all the files that hold it."""
        return (
            self.copies * self.copy_bytes
            + OTHER_FILES * self.export_bytes
            + self.page_bytes
            + self.file_bytes
        )


def escaped_bytes(text: str) -> tuple[int, int]:
    """At most how many bytes ``text`` takes once escaped, in HTML and XML, and in
    iCalendar: its UTF-8 bytes and what escaping adds to each special character.
    HTML and XML attributes write '"' as &quot; (five bytes more), ' and & likewise,
    < and > four more, a line break as &#10;; iCalendar writes \\ , ; and a line break
    as two characters. It runs for every text of every entry of a build."""
    data = text.encode("utf-8")
    # Counted among the special characters alone (one byte each in UTF-8, never part of
    # another character's): three quarters of the time of eight counts of a long text.
    count = data.translate(None, _NOT_SPECIAL).count
    lines = count(b"\n")
    markup = 5 * (count(b"&") + count(b'"') + count(b"'") + lines) + 4 * (count(b"<") + count(b">"))
    raw = len(data)
    return raw + markup, raw + count(b"\\") + count(b",") + count(b";") + lines


# Every byte but those of the characters escaping makes longer: deleted before counting.
_NOT_SPECIAL = bytes(byte for byte in range(256) if byte not in b"&\"'<>\n\\,;")


def entry_size(where: str, copies: int, texts: EntryTexts) -> EntrySize:
    """The size of an entry written into ``copies`` iCalendar files, the frab exports,
    ``feeds.json`` and the page, with the texts it writes (counted as often as each
    file writes them: measured on a build, see tests/test_budget.py)."""
    description, description_calendar = escaped_bytes(texts.description)
    title, title_calendar = escaped_bytes(texts.title)
    # The other texts counted together: the separators add a byte each, no escape.
    context, context_calendar = escaped_bytes("\0".join(texts.others))
    separators = max(len(texts.others) - 1, 0)
    context, context_calendar = context - separators, context_calendar - separators
    calendar = description_calendar + 2 * (context_calendar + title_calendar)
    # The add-to-calendar links percent-encode (three bytes for one), up to MAX_URL.
    links = min(2 * MAX_URL, 3 * (description + title + context))
    return EntrySize(
        where,
        None,
        copies,
        int(calendar * FOLDING) + COPY_OVERHEAD,
        2 * description + title + 2 * context + COPY_OVERHEAD,
        3 * description + PAGE_TITLES * title + 4 * context + links,
    )


def feed_size(where: str, texts: Sequence[str], zones: int, years: int) -> EntrySize:
    """A feed file's own bytes (besides its entries'): its header with ``texts`` (the
    series' title, its name and description), a VTIMEZONE for each of ``zones`` over
    ``years``, its entry in ``feeds.json`` and its row on the page. Many small feeds
    (one per room or speaker) are mostly this."""
    escaped = sum(max(escaped_bytes(text)) for text in texts)
    zone_bytes = zones * (ZONE_BYTES + ZONE_BYTES_PER_YEAR * years)
    own = FEED_OVERHEAD + FEED_TEXTS * escaped + zone_bytes
    return EntrySize(where, None, 0, 0, file_bytes=own)


def feed_sizes(series: Series, entries: Sequence[CalendarEntry]) -> list[EntrySize]:
    """The own bytes of every feed the series writes (``all.ics``, and those of its
    events, categories, rooms and people that hold an entry), in one language."""
    title = series.series.title
    zones = {entry.zone for entry in entries}
    years = {moment.year for entry in entries for moment in _span(entry)}
    span = max(years) - min(years) + 1 if years else 1
    feeds: dict[str, tuple[str, ...]] = {MAIN_FEED: (title, series.series.description or "")}
    for entry in entries:
        for kind, key in feeds_of(entry, series):
            where = f"{_KINDS[kind]} '{key}'"
            if where not in feeds:
                feeds[where] = (title, *_feed_texts(series, entry, kind, key))
    return [
        feed_size(f"the feed of {where}", texts, len(zones), span) for where, texts in feeds.items()
    ]


_KINDS: dict[FeedGroup, str] = {
    "events": "event", "categories": "category", "rooms": "room", "people": "person"
}  # fmt: skip


def _feed_texts(series: Series, entry: CalendarEntry, kind: FeedGroup, key: str) -> tuple[str, str]:
    """The name and description of a feed beside all.ics."""
    if kind == "events":
        return entry.event.title, entry.event.description or ""
    if kind == "categories":
        found = series.category(key)
        return found.name, "; ".join(found.topics)
    name = series.room(key).name if kind == "rooms" else series.person(key).name
    return name, name


def _span(entry: CalendarEntry) -> tuple[datetime, datetime]:
    if entry.repeat is None:
        return entry.start, entry.end
    return entry.start, entry.occurrences()[-1].end


@dataclass(frozen=True)
class EntryTexts:
    """What an entry writes: its description, its title, and the rest (event title,
    place, links, category names, people's names)."""

    description: str
    title: str
    others: tuple[str, ...] = ()


def copy_bytes(description: str) -> int:
    """About how many bytes one copy of an entry with only this text takes."""
    return entry_size("", 1, EntryTexts(description, "")).copy_bytes


def over_budget(sizes: list[EntrySize]) -> list[str]:
    """What is too large, each with its biggest contributor and what to do ([]: fine)."""
    problems = []
    per_language: dict[str | None, int] = {}
    for size in sizes:
        per_language[size.language] = per_language.get(size.language, 0) + _largest_copy(size)
    # The largest files are all.ics and the exports: each holds every entry once (the
    # page is split into pages of at most PAGE_SESSIONS sessions).
    language, largest = max(per_language.items(), key=lambda item: item[1], default=(None, 0))
    if largest > MAX_OUTPUT_FILE_BYTES:
        top = max((s for s in sizes if s.language == language), key=_largest_copy)
        problems.append(
            f"all.ics or schedule.xml{_in(language)} would be about "
            f"{_mb(largest)}; the limit for one file is "
            f"{_mb(MAX_OUTPUT_FILE_BYTES)}. The largest entry is {top.where} "
            f"({_kb(_largest_copy(top))}{_times(top)}): {_shorten(top)}, or split the series"
        )
    total = sum(size.total for size in sizes)
    if total > MAX_OUTPUT_BYTES:
        top = max(sizes, key=lambda s: s.total)
        languages = len(per_language)
        spread = f" ({languages} languages of about {_mb(total // languages)} each)"
        spread = spread if languages > 1 else ""
        problems.append(
            f"the build would write about {_mb(total)}{spread}; the limit is "
            f"{_mb(MAX_OUTPUT_BYTES)}. The largest contributor is {top.where}{_in(top.language)}: "
            f"about {_kb(top.total)} in its {top.copies} calendar files, the exports and the "
            f"page{_times(top)}. {_shorten(top, capital=True)}, or publish fewer languages"
        )
    return problems


def _largest_copy(size: EntrySize) -> int:
    return max(size.copy_bytes, size.export_bytes)


def _times(size: EntrySize) -> str:
    return f"; it takes place {size.occurrences:,} times" if size.occurrences > 1 else ""


def _shorten(size: EntrySize, *, capital: bool = False) -> str:
    advice = (
        "repeat it fewer times (COUNT or UNTIL), shorten its texts"
        if size.occurrences > 1
        else "shorten the texts repeated in every session (topics, projects, people)"
    )
    return advice[0].upper() + advice[1:] if capital else advice


def _in(language: str | None) -> str:
    return f" ({language})" if language else ""


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB"


def _kb(size: int) -> str:
    return f"{size / 1000:,.0f} KB"


def repeated_size(size: EntrySize, entry: CalendarEntry, feeds: Sequence[str]) -> EntrySize:
    """``size`` in the room and people feeds the series writes, and for a repeating entry
    with its changed occurrences (each a VEVENT of its own in every copy), its
    occurrences in the exports and those the page lists."""
    copies = size.copies
    copies += bool(entry.room) if "rooms" in feeds else 0
    copies += len(entry.panelists) if "people" in feeds else 0
    if entry.repeat is None:
        return size if copies == size.copies else replace(size, copies=copies)
    occurrences = entry.occurrences()
    changed = sum(occurrence.change is not None for occurrence in occurrences)
    return replace(
        size,
        copies=copies,
        copy_bytes=size.copy_bytes * (1 + changed),
        export_bytes=size.export_bytes * len(occurrences),
        page_bytes=size.page_bytes * min(len(occurrences), PAGE_OCCURRENCES),
        occurrences=len(occurrences),
    )
