"""The landing page (``index.html``) for subscribers, rendered from the same data.

Pure: a :class:`~wego_ical.model.Series` and the publication state go in,
HTML bytes come out. Templates are Jinja2 with autoescaping, so text from the
TOML can never become markup.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Environment

from wego_ical.catalogue import (
    INDEX_PAGE,
    MAIN_FEED,
    QR_SCRIPT,
    SCHEDULE_FOLDER,
)
from wego_ical.i18n import dates as when
from wego_ical.i18n import ui_text as strings
from wego_ical.i18n.locales import babel_locale, html_language, text_direction
from wego_ical.limits import INDEX_EVENTS, PAGE_SESSIONS
from wego_ical.model import CalendarEntry, calendar_entries
from wego_ical.page.edition import PageSite, Shared
from wego_ical.page.event_lists import (
    MonthGroup,
    category_choices,
    month_anchor,
    month_groups,
    month_link,
    month_name,
    month_of,
    month_page,
    months_of,
    outline,
)
from wego_ical.page.feed_views import FeedView
from wego_ical.page.meta import hreflangs, json_ld, open_graph, sibling
from wego_ical.page.recipes import page_recipe
from wego_ical.page.rows import Rows
from wego_ical.page.views import EventView
from wego_ical.pieces import KEPT, Kept, regroup


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    # Jinja2 is imported here: only builds need it, not --help or check.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=PackageLoader("wego_ical.page", "templates"),
        bytecode_cache=_bytecode_cache(),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are the package's own and do not change while it runs: no
        # look at each template file's time every time a page part asks for it.
        auto_reload=False,
    )
    environment.filters["fill"] = _fill
    return environment


def _fill(words: str, **values: object) -> Markup:
    """A page text with its placeholders filled: the text is the tool's own, the
    values (texts from the data) are escaped unless they are markup already."""
    return Markup(escape(words)).format(**values)


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


Part = tuple[str, list[CalendarEntry], int, int]  # event id, entries, number, of how many


PageFiles = dict[str, Callable[[], Iterator[bytes] | Kept]]


def page_files(site: PageSite) -> PageFiles:
    """The page files of an edition, by path: ``index.html``, and above
    :data:`~wego_ical.limits.PAGE_SESSIONS` sessions one page per event (per part
    of a large event) in ``schedule/``, linked from a light index. An event's page,
    produced, is KEPT where ``site.recipes`` finds its recipe
    (:mod:`~wego_ical.page.recipes`) the same as the page in place's."""
    grouped: dict[str, list[CalendarEntry]] = {}
    for entry in calendar_entries(site.series):
        grouped.setdefault(entry.event.id, []).append(entry)
    shared = Shared(site)
    total = sum(len(entries) for entries in grouped.values())
    if total <= PAGE_SESSIONS:
        return {INDEX_PAGE: functools.partial(_render_index, shared, grouped, None)}
    parts = {
        path: chunk
        for event_id, entries in grouped.items()
        for path, chunk in _parts(event_id, entries)
    }
    # Each event's first page, which the index (or its month's page) links.
    first_pages = {part[0]: path for path, part in parts.items() if part[2] == 1}
    months = months_of(grouped) if len(grouped) > INDEX_EVENTS else {}
    files: PageFiles = {
        INDEX_PAGE: functools.partial(_render_index, shared, grouped, first_pages, months)
    }
    named = list(months)
    for at, (month, event_ids) in enumerate(months.items()):
        around = tuple(
            (month_link(named[i]), month_name(named[i], site.language))
            if 0 <= i < len(named)
            else None
            for i in (at - 1, at + 1)
        )
        files[month_page(month)] = functools.partial(
            _render_month, shared, month, {e: grouped[e] for e in event_ids}, first_pages, around
        )
    return files | _event_pages(shared, grouped, parts, first_pages, bool(months))


def _event_pages(
    shared: Shared,
    grouped: dict[str, list[CalendarEntry]],
    parts: dict[str, Part],
    first_pages: dict[str, str],
    by_month: bool,
) -> PageFiles:
    """Each event's pages (KEPT, when produced, where the page in place has the same
    recipe)."""
    siblings: dict[str, list[tuple[str, int]]] = {}
    for path, (event_id, _, number, _) in parts.items():
        siblings.setdefault(event_id, []).append((path.removeprefix(f"{SCHEDULE_FOLDER}/"), number))
    order = list(grouped)
    position = {event_id: at for at, event_id in enumerate(order)}
    files: PageFiles = {}
    for path, part in parts.items():
        at = position[part[0]]
        neighbours = tuple(
            (
                first_pages[event_id].removeprefix(f"{SCHEDULE_FOLDER}/"),
                grouped[event_id][0].event.title,
            )
            if 0 <= index < len(order) and (event_id := order[index]) in first_pages
            else None
            for index in (at - 1, at + 1)
        )
        month = month_of(grouped[part[0]]) if by_month else None
        files[path] = functools.partial(
            _event_page_unless_kept, shared, path, part, siblings[part[0]], neighbours, month
        )
    return files


def _event_page_unless_kept(
    shared: Shared,
    path: str,
    part: Part,
    siblings: list[tuple[str, int]],
    neighbours: tuple[tuple[str, str] | None, ...],
    month: str | None,
) -> Iterator[bytes] | Kept:
    """An event's page, KEPT when the page in place has its recipe. Worked out as the
    page is produced, not beforehand: where the pages are made in a child process, so
    are their recipes (a third of what the build did alone before it went wide)."""
    site = shared.site
    own_feed = shared.feed_recipe(f"{part[0]}.ics")
    place = (path, part[2], part[3], siblings, neighbours, month, own_feed)
    recipe = page_recipe(shared.recipe, site.series, part[1], site.records, site.now, place)
    if site.recipes.same(path, recipe):
        return KEPT
    return _render_event_page(shared, path, part, siblings, neighbours, month)


def _render_month(
    shared: Shared,
    month: str,
    grouped: dict[str, list[CalendarEntry]],
    first_pages: dict[str, str],
    neighbours: tuple[tuple[str, str] | None, ...] = (None, None),
) -> Iterator[bytes]:
    events = [
        _outline(shared, entries, first_pages[e].removeprefix(f"{SCHEDULE_FOLDER}/"))
        for e, entries in grouped.items()
    ]
    by_path = shared.schedule_feeds
    feeds = [by_path[p] for p in (MAIN_FEED, *(f"{e}.ics" for e in grouped)) if p in by_path]
    context = _common(shared, feeds, events, prefix="../", path=month_page(month))
    context |= {
        "month": month_name(month, shared.site.language),
        "json_ld": None,
        "neighbours": neighbours,
        "groups": [MonthGroup("", "", events, 0, True)],
        "categories": category_choices(shared.site.series, events),
    }
    yield from _generate("month.html.j2", context)


def _parts(event_id: str, entries: list[CalendarEntry]) -> Iterator[tuple[str, Part]]:
    """An event's pages: one, or parts of at most PAGE_SESSIONS entries."""
    chunks = [entries[i : i + PAGE_SESSIONS] for i in range(0, len(entries), PAGE_SESSIONS)]
    for number, chunk in enumerate(chunks, 1):
        suffix = f"-{number}" if number > 1 else ""
        yield f"{SCHEDULE_FOLDER}/{event_id}{suffix}.html", (event_id, chunk, number, len(chunks))


def _render_index(
    shared: Shared,
    grouped: dict[str, list[CalendarEntry]],
    first_pages: dict[str, str] | None,
    months: dict[str, list[str]] | None = None,
) -> Iterator[bytes]:
    """The landing page: the whole schedule (``first_pages`` None), or a light index of
    the events' pages, or of the months' (``months``)."""
    feeds = shared.index_feeds
    language = shared.site.language
    if months:
        # A very large series: the months, each with its own page of events.
        events = []
        month_rows = [
            (
                month_anchor(m),
                month_name(m, language),
                month_page(m),
                len(ids),
                sum(len(grouped[e]) for e in ids),
            )
            for m, ids in months.items()
        ]
    elif first_pages is None:
        events = shared.events(grouped)
    else:
        # A light index: each event with its dates and a link to its page.
        events = [
            _outline(shared, entries, first_pages[event_id])
            for event_id, entries in grouped.items()
        ]
    if months:
        # Each event's feed is offered on its month's page.
        feeds = [feed for feed in feeds if feed.group != "event"]
    context = _common(shared, feeds, events, prefix="", path=INDEX_PAGE)
    context |= {
        "split": first_pages is not None,
        "months": month_rows if months else [],
        # The light index's events by month, and what they can be filtered by.
        "groups": month_groups(events, language, shared.site.now) if first_pages else [],
        "categories": category_choices(shared.site.series, events) if first_pages else [],
        "json_ld": (
            json_ld(shared.site.series, events, context["page_url"], shared.site.language)
            if first_pages is None
            else None
        ),
    }
    yield from _generate("index.html.j2", context)


def _render_event_page(
    shared: Shared,
    path: str,
    part: Part,
    siblings: list[tuple[str, int]],
    neighbours: tuple[tuple[str, str] | None, ...] = (None, None),
    month: str | None = None,
) -> Iterator[bytes]:
    """One page of an event of a split schedule, with its parts and (``neighbours``) the
    first pages of the events before and after it. Its link home leads to its row on
    the index, or to its month's (``month``) on an index of months."""
    event_id, entries, number, count = part
    (event,) = shared.events({event_id: entries})
    by_path = shared.schedule_feeds
    feeds = [by_path[p] for p in (MAIN_FEED, f"{event_id}.ics") if p in by_path]
    context = _common(shared, feeds, [event], prefix="../", path=path)
    own = by_path.get(f"{event_id}.ics")
    row = month_anchor(month) if month else own.anchor if own else event.anchor
    context |= {
        "home": f"{context['home']}#{row}",
        "event": event,
        "part": (number, count),
        "siblings": siblings,
        "neighbours": neighbours,
        "json_ld": json_ld(shared.site.series, [event], context["page_url"], shared.site.language),
    }
    yield from _generate("event.html.j2", context)


def _outline(shared: Shared, entries: list[CalendarEntry], page: str) -> EventView:
    """An event as the light lists show it: no sessions, a link to its page."""
    return outline(shared.frame([entries[0], entries[-1]]), shared.site.series, entries, page)


def _common(
    shared: Shared,
    feeds: list[FeedView],
    events: list[EventView],
    *,
    prefix: str,
    path: str,
) -> dict[str, Any]:
    """What every page of the edition shows: header, feeds, texts, metadata."""
    site = shared.site
    series = site.series
    main = next((view for view in feeds if view.path == MAIN_FEED), None)
    base_url = series.publish.base_url
    page_url = shared.page_url(path)
    event_feeds = [v for v in feeds if v.group == "event"]
    return {
        "lang": html_language(site.language),
        "direction": text_direction(site.language),
        "t": shared.words,
        "js_locale": "en-GB" if site.language in (None, "en") else html_language(site.language),
        "alternates": [
            (_language_name(code), sibling(href, path), code) for code, href in site.alternates
        ],
        "hreflangs": hreflangs(
            site.language, site.alternates, site.fallback_language, path, page_url
        ),
        "now_utc": when.iso_utc(site.now) if site.now else "",
        "over": shared.over,
        "when_where": shared.when_where,
        "series": series.series,
        "labels": series.labels,
        "published": base_url is not None,
        "qr_script": prefix + site.script,
        "home": prefix + INDEX_PAGE if prefix else "",
        "prefix": prefix,  # from the page to the index's folder
        "preview": base_url is not None and _is_loopback(base_url),
        "main": main,
        "event_feeds": event_feeds,
        "category_feeds": [v for v in feeds if v.group == "category"],
        "room_feeds": [v for v in feeds if v.group == "room"],
        "person_feeds": [v for v in feeds if v.group == "person"],
        # An event's feed by the event's id, for the light lists of events.
        "feed_of": {feed.path.removesuffix(".ics"): feed for feed in event_feeds},
        "events": events,
        "zone_text": shared.zone_text,
        "page_url": page_url,
        "meta": open_graph(series.series, page_url, site.language),
        "run": shared.run,
        "count": functools.partial(strings.count, language=site.language),
        "entries": functools.partial(strings.entries, language=site.language),
        "changes_link": strings.changes(site.language)["page_link"],
        "schedule_files": strings.changes(site.language)["schedule_files"],
        "changes_title": strings.changes(site.language)["feed_title"].format(
            series=series.series.title
        ),
    }


def _generate(template_name: str, context: dict[str, Any]) -> Iterator[bytes]:
    template = _environment().get_template(template_name)
    prefix = context["prefix"]
    rows = Rows(
        context["t"],
        context["labels"],
        context["run"],
        context["now_utc"],
        prefix,
        # Not "home": an event's page leads home to its own row on the index.
        prefix + INDEX_PAGE if prefix else "",
    )
    for piece in regroup(template.generate(**context, rows=rows)):
        yield piece.encode("utf-8")


def qr_script() -> bytes:
    """The browser's QR code generator (qrcode-generator by Kazuhiko Arase, MIT)."""
    from importlib.resources import files

    return files("wego_ical.page").joinpath("static", QR_SCRIPT).read_bytes()


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


def _language_name(code: str) -> str:
    """The language's name in itself ("한국어" for ko), so a reader finds their own."""
    from babel import Locale

    name = Locale.parse(babel_locale(code)).get_display_name(babel_locale(code))
    return name or code
