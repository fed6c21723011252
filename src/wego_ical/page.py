"""The landing page (``index.html``) for subscribers, rendered from the same data.

Pure: a :class:`~wego_ical.model.Series` and the publication state go in,
HTML bytes come out. Templates are Jinja2 with autoescaping, so text from the
TOML can never become markup.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Environment

from wego_ical import strings
from wego_ical.links import AddEvent, add_event
from wego_ical.locales import babel_locale, html_language
from wego_ical.model import CalendarEntry, Event, Series, calendar_entries, entry_uid
from wego_ical.pieces import regroup
from wego_ical.plan import MAIN_FEED, event_file
from wego_ical.state import EventRecord, FeedRecord, Snapshot
from wego_ical.text import (
    event_summary,
    iso_utc,
    panelists_label,
    person_line,
    project_line,
    session_title,
    winners,
)


@dataclass(frozen=True)
class FeedView:
    """One feed as the page shows it.

    Without a ``base_url`` the subscribe links are None: the page's script
    derives them from the page's own address (``path`` is relative to it).
    """

    anchor: str
    name: str  # the feed's full name, for accessible names
    short: str  # the name without the series title, shown on the page
    events: int
    path: str
    href: str  # download link, relative to the page unless published
    address: str  # what the copy control copies
    webcal: str | None
    google: str | None
    outlook: str | None
    office365: str | None
    qr_svg: Markup | None  # drawn at build time when the address is known


@dataclass(frozen=True)
class EntryView:
    """One session (or a session-less event) in the schedule."""

    anchor: str
    title: str
    cancelled: bool
    start_utc: str
    end_utc: str
    local_text: str
    all_day: bool
    category: str | None
    topics: list[str]
    projects: list[str]
    panelists_label: str
    panelists: list[str]
    description: str
    conference: str | None
    file: str  # the event's own .ics file
    # What its "add to calendar" links carry (None when cancelled): the page's
    # script builds the links from it.
    add: AddEvent | None
    # Distinguishes the entry's controls from those of other entries ("Add
    # <name> to Google Calendar"): its summary ("Event · Session"), with its day
    # and time when another entry has the same summary.
    name: str


@dataclass(frozen=True)
class DayView:
    """The entries of an event that start on one day (of the event's own zone)."""

    anchor: str
    label: str
    entries: Iterable[EntryView]


@dataclass(frozen=True)
class EventView:
    """One event of the series with its entries."""

    anchor: str
    title: str
    date_text: str
    location: str | None
    host: str | None
    description: str
    interpretation: list[str]
    url: str | None
    all_categories: bool
    winners: list[tuple[str, list[str]]]
    judges: list[str]
    # Produced while the page is rendered, so that a schedule of many
    # thousands of sessions is never held in memory at once.
    days: list[DayView] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    # Jinja2 is imported here: only builds need it, not --help or check.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("wego_ical", "templates"),
        bytecode_cache=_bytecode_cache(),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _bytecode_cache() -> BytecodeCache | None:
    """Compiled templates kept in the user's cache folder: compiling the page's
    template takes longer than building a small series. Keyed by the template's
    source, so an edited template is compiled again. None if there is no
    writable cache folder."""
    from jinja2 import FileSystemBytecodeCache

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "wego-ical", "templates")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return FileSystemBytecodeCache(folder)


# The QR code library the page draws QR codes with in the browser (all of them
# without base_url, all but the main feed's with it); written beside the
# default language's index.html, which the other languages' pages share.
QR_SCRIPT = "qrcode.js"


def index_chunks(
    series: Series,
    feeds: list[FeedRecord],
    records: list[EventRecord],
    language: str | None = None,
    alternates: tuple[tuple[str, str], ...] = (),
    script: str = QR_SCRIPT,
) -> Iterator[bytes]:
    """The HTML of ``index.html``, in pieces (a large schedule makes a large page).

    ``language`` is the page's language (None: English, undeclared);
    ``alternates`` link the pages in the series' other languages; ``script``
    is where the QR code generator is, relative to the page.
    """
    template = _environment().get_template("index.html.j2")
    words = strings.page(language)
    views = [_feed_view(feed, series.series.title, words) for feed in feeds]
    main = next((view for view in views if view.path == MAIN_FEED), views[0] if views else None)
    base_url = series.publish.base_url
    pieces = template.generate(
        lang=html_language(language),
        direction=text_direction(language),
        t=words,
        # English keeps the day-month order it always had; other languages their own.
        js_locale="en-GB" if language in (None, "en") else html_language(language),
        alternates=[(_language_name(code), href, code) for code, href in alternates],
        series=series.series,
        labels=series.labels,
        published=base_url is not None,
        qr_script=script,
        preview=base_url is not None and _is_loopback(base_url),
        main=main,
        event_feeds=[v for v in views if v is not main and not v.path.startswith("categories/")],
        category_feeds=[v for v in views if v is not main and v.path.startswith("categories/")],
        events=_event_views(series, {record.uid: record for record in records}, language, words),
        # One zone for the whole schedule, or each time in its own (then named with it).
        zone=_only_zone(records),
    )
    for piece in regroup(pieces):
        yield piece.encode("utf-8")


def text_direction(language: str | None) -> str:
    """``rtl`` for a language written right to left (Arabic, Hebrew, Persian, …), per
    CLDR; else ``ltr``."""
    if language is None:
        return "ltr"
    from babel import Locale, UnknownLocaleError

    try:
        order = Locale.parse(babel_locale(language)).character_order
        return "rtl" if order == "right-to-left" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


def qr_script() -> bytes:
    """The browser's QR code generator (qrcode-generator by Kazuhiko Arase, MIT)."""
    from importlib.resources import files

    return files("wego_ical").joinpath("static", QR_SCRIPT).read_bytes()


def _is_loopback(url: str) -> bool:
    from ipaddress import ip_address
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _qr_svg(address: str, title: str) -> Markup:
    """The QR code of ``address`` as inline SVG (segno; dark modules on a light
    quiet zone, as scanners need, whatever the page's colour scheme)."""
    import segno

    code = segno.make(address, error="m", micro=False)
    svg = code.svg_inline(
        scale=4, border=4, title=title, dark="#000", light="#fff", svgclass="qr-code"
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def _only_zone(records: list[EventRecord]) -> str | None:
    zones = {r.snapshot.timezone for r in records if not r.snapshot.all_day}
    return zones.pop() if len(zones) == 1 else None


def _language_name(code: str) -> str:
    """The language's name in itself ("한국어" for ko), so a reader finds their own."""
    from babel import Locale

    name = Locale.parse(babel_locale(code)).get_display_name(babel_locale(code))
    return name or code


def _feed_view(feed: FeedRecord, series_title: str, words: dict[str, str]) -> FeedView:
    anchor = "feed-" + feed.path.removesuffix(".ics").replace("/", "-")
    return FeedView(
        anchor=anchor,
        name=feed.name,
        short=feed.name.removeprefix(f"{series_title} — "),
        events=feed.events,
        path=feed.path,
        href=feed.url or feed.path,
        address=feed.url or feed.path,
        webcal=feed.webcal,
        google=feed.google,
        outlook=feed.outlook,
        office365=feed.office365,
        # Drawn here for the main feed, the one shown on screens (and without JavaScript);
        # the page draws the others when they are opened (segno takes ~7 ms a code, and
        # a large series has hundreds of feeds).
        qr_svg=(
            _qr_svg(feed.url, words["qr_named"].format(feed=feed.name))
            if feed.url and feed.path == MAIN_FEED
            else None
        ),
    )


def _event_views(
    series: Series, by_uid: dict[str, EventRecord], language: str | None, words: dict[str, str]
) -> list[EventView]:
    grouped: dict[str, list[CalendarEntry]] = {}
    for entry in calendar_entries(series):
        grouped.setdefault(entry.event.id, []).append(entry)
    by_id = {event.id: event for event in series.events}
    repeated = _repeated_summaries(series, grouped)
    return [
        _event_view(
            series,
            by_id[event_id],
            [
                DayView(
                    anchor=f"{event_id}--{day.isoformat()}",
                    label=_day_text(day, language),
                    entries=(
                        _entry_view(
                            series,
                            entry,
                            by_uid[entry_uid(series, entry)],
                            language,
                            words,
                            repeated,
                        )
                        for entry in on_day
                    ),
                )
                for day, on_day in _by_day(entries).items()
            ],
            language,
        )
        for event_id, entries in grouped.items()
    ]


def _by_day(entries: list[CalendarEntry]) -> dict[date, list[CalendarEntry]]:
    """The entries by the day they start on (in their own zone), days in order."""
    days: dict[date, list[CalendarEntry]] = {}
    for entry in entries:
        days.setdefault(entry.first_day, []).append(entry)
    return dict(sorted(days.items()))


def _repeated_summaries(series: Series, grouped: dict[str, list[CalendarEntry]]) -> set[str]:
    """Entry summaries ("Event · Session") that more than one entry of the page has."""
    counts = Counter(event_summary(series, e) for entries in grouped.values() for e in entries)
    return {title for title, count in counts.items() if count > 1}


def _event_view(
    series: Series, event: Event, days: list[DayView], language: str | None
) -> EventView:
    return EventView(
        anchor=event.id,
        title=event.title,
        date_text=(
            _day_text(event.date, language)
            if event.last_day == event.date
            else f"{_day_text(event.date, language)} – {_day_text(event.last_day, language)}"
        ),
        location=event.location,
        host=event.host,
        description=event.description,
        interpretation=list(event.interpretation),
        url=event.url,
        all_categories=event.all_categories,
        winners=winners(series) if event.all_categories else [],
        judges=[person_line(series, ref) for ref in event.judges],
        days=days,
    )


def _entry_view(
    series: Series,
    entry: CalendarEntry,
    record: EventRecord,
    language: str | None,
    words: dict[str, str],
    repeated: set[str],
) -> EntryView:
    start, end = record.snapshot.aware_start, record.snapshot.aware_end
    session = entry.session
    category = series.category(session.category) if session and session.category else None
    panelists = entry.panelists
    title = session_title(series, entry)
    local = _local_text(record.snapshot, language, words)
    summary = event_summary(series, entry)
    name = (
        f"{summary}, {_day_text(entry.first_day, language)}, {local}"
        if summary in repeated
        else summary
    )
    return EntryView(
        anchor=entry.key.replace(".", "--"),
        title=title,
        name=name,
        cancelled=entry.status == "cancelled",
        start_utc=start.date().isoformat() if record.snapshot.all_day else iso_utc(start),
        end_utc=end.date().isoformat() if record.snapshot.all_day else iso_utc(end),
        local_text=local,
        all_day=bool(record.snapshot.all_day),
        category=category.name if category else None,
        topics=list(category.topics) if category else [],
        projects=[project_line(series, p) for p in session.projects] if session else [],
        panelists_label=panelists_label(series, len(panelists)),
        panelists=[person_line(series, ref) for ref in panelists],
        description=session.description if session else "",
        conference=entry.conference,
        file=event_file(record.uid),
        # A cancelled session gets no add links: they would create an event
        # called "Cancelled: …"; its file, imported, updates a copy a client has.
        add=None if entry.status == "cancelled" else _add(record, words["and_more"]),
    )


def _add(record: EventRecord, more: str) -> AddEvent:
    """What the event's "add to calendar" links carry, as published."""
    snapshot = record.snapshot
    return add_event(
        snapshot.summary,
        snapshot.aware_start,
        snapshot.aware_end,
        snapshot.description,
        snapshot.location,
        snapshot.timezone,
        all_day=bool(snapshot.all_day),
        more=more,
    )


def _local_text(snapshot: Snapshot, language: str | None, words: dict[str, str]) -> str:
    """When, in the event's own time zone: "09:00–09:30 KST (Asia/Seoul, UTC+09:00)"; a
    day is named where the end is on another day; "All day" for a whole-day item
    (``words``: the page's texts in ``language``)."""
    if snapshot.all_day:
        last = snapshot.end.date() - timedelta(days=1)
        if last == snapshot.start.date():
            return words["all_day"]
        return f"{words['all_day']}, {words['until']} {_day_text(last, language)}"
    start, end = snapshot.aware_start, snapshot.aware_end
    offset = start.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}"
    until = (
        f"{_day_text(end.date(), language)}, {end:%H:%M}"
        if end.date() != start.date()
        else f"{end:%H:%M}"
    )
    zone = f"{start.tzname() or ''} ({snapshot.timezone}, {offset})"
    return f"{start:%H:%M}–{until} {zone}".replace("  ", " ")


def _day_text(day: date, language: str | None) -> str:
    """A day in words: "Thursday 26 August 2021"; in other languages their own way."""
    if language in (None, "en"):
        return day.strftime("%A %d %B %Y").replace(" 0", " ")
    from babel.dates import format_date

    return format_date(day, format="full", locale=babel_locale(language))
