"""What the pages of one language edition share: the site they describe
(:class:`PageSite`) and what every page of it shows, computed once (:class:`Shared`):
a large series has thousands of pages, and each must cost only its own sessions."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from wego_ical.catalogue import INDEX_PAGE, MAIN_FEED, QR_SCRIPT
from wego_ical.i18n import dates as when
from wego_ical.i18n import ui_text as strings
from wego_ical.i18n.locales import html_language
from wego_ical.model import CalendarEntry, Series, calendar_entries, entry_uid
from wego_ical.page.feed_views import FeedView, feed_view
from wego_ical.page.recipes import shared_recipe
from wego_ical.page.series_days import SeriesSpan, over_days, series_days, series_span
from wego_ical.page.views import (
    EventView,
    ViewSettings,
    event_frame,
    event_views,
)
from wego_ical.pieces import Recipes
from wego_ical.plan.records import EventRecord, FeedRecord
from wego_ical.render import calendar_links as links


@dataclass(frozen=True)
class PageSite:
    """Everything the pages of one language edition share."""

    series: Series
    feeds: list[FeedRecord]
    records: dict[str, EventRecord]  # by UID
    language: str | None = None
    alternates: tuple[tuple[str, str], ...] = ()
    script: str = QR_SCRIPT
    # Texts of the default language: in another language's page, a text that is one
    # of them fell back to it (untranslated) and is marked with its language.
    fallback_texts: frozenset[str] = frozenset()
    fallback_language: str | None = None
    # The build time: what is over, on now or to come when the page is made (its script
    # says it again when the page is read).
    now: datetime | None = None
    # The recipes of the pages in place, as the last build recorded them, and of these
    # pages: a page whose recipe is the same is kept (see page.recipes).
    recipes: Recipes = field(default_factory=lambda: Recipes({}))


class Shared:
    """What every page of an edition needs, computed once: a large series has
    thousands of pages, and each must cost only its own sessions."""

    def __init__(self, site: PageSite) -> None:
        self.site = site

    @functools.cached_property
    def words(self) -> dict[str, str]:
        return strings.page(self.site.language)

    @functools.cached_property
    def recipe(self) -> str:
        """What every page of the edition shows, as a digest (see page.recipes)."""
        site = self.site
        own = (site.language, site.alternates, site.script, site.fallback_language)
        lines = (self.only_zone, self.over, self.when_where, self.zone_text)
        # Of the feeds, an event's page shows the main one beside its own.
        main = [feed for feed in site.feeds if feed.path == MAIN_FEED]
        counts = self._sessions_in_feeds[MAIN_FEED]
        return shared_recipe(site.series, main, (*own, sorted(site.fallback_texts), *lines, counts))

    def feed_recipe(self, path: str) -> tuple[object, ...]:
        """What a page shows of the feed at ``path`` (for its recipe)."""
        return (repr(self._feeds_by_path.get(path)), self._sessions_in_feeds[path])

    @functools.cached_property
    def _feeds_by_path(self) -> dict[str, FeedRecord]:
        # Looked up once per page: a big series has thousands of pages and of feeds.
        return {feed.path: feed for feed in self.site.feeds}

    @functools.cached_property
    def only_zone(self) -> str | None:
        """The zone of every event, when they share one (then named once, at the top)."""
        series = self.site.series
        zones = {event.zone_name(series.series.timezone) for event in series.events}
        return zones.pop() if len(zones) == 1 else None

    @functools.cached_property
    def over(self) -> tuple[str, str] | None:
        """The days the series ran on, once it is over (the same for every page)."""
        return over_days(self.span, self.site.now, self.site.language)

    @functools.cached_property
    def span(self) -> SeriesSpan | None:
        """The days the series runs on, and when it ends."""
        return series_span(self.site.series, self.site.records)

    @functools.cached_property
    def when_where(self) -> str | None:
        """What a reader needs first, under the series' title: its days and, when every
        event is in one place, that place ("… 2021 · Online")."""
        site = self.site
        days = series_days(self.span, site.language)
        places = {event.location for event in site.series.events}
        place = places.pop() if len(places) == 1 else None
        return " · ".join(part for part in (days, place) if part) or None

    @functools.cached_property
    def zone_text(self) -> str | None:
        zone, records = self.only_zone, self.site.records
        if zone is None or not records:
            return zone
        starts = [record.snapshot.aware_start for record in records.values()]
        # One name for every time on the page: the one valid at each of them, else
        # the generic one ("Eastern Time", not "Eastern Standard Time" in July).
        tz = ZoneInfo(zone)
        offsets = {start.astimezone(tz).utcoffset() for start in starts}
        moment = starts[0] if len(offsets) == 1 else None
        return when.zone_label(zone, moment, self.site.language)

    @functools.cached_property
    def folder_url(self) -> str | None:
        """The address of the folder of ``index.html``, when it is known (base_url)."""
        base_url = self.site.series.publish.base_url
        return links.folder_url(base_url) if base_url else None

    def page_url(self, path: str) -> str | None:
        """A page's own address (None: unknown until it is served)."""
        if self.folder_url is None:
            return None
        return self.folder_url + ("" if path == INDEX_PAGE else path)

    @functools.cached_property
    def index_feeds(self) -> list[FeedView]:
        return self._feeds("")

    @functools.cached_property
    def schedule_feeds(self) -> dict[str, FeedView]:
        """The feeds as a page in schedule/ links them, by path."""
        return {feed.path: feed for feed in self._feeds("../")}

    def _feeds(self, prefix: str) -> list[FeedView]:
        title = self.site.series.series.title
        sessions = self._sessions_in_feeds
        return [
            feed_view(
                feed, title, self.words, prefix, self.page_url(INDEX_PAGE), sessions[feed.path]
            )
            for feed in self.site.feeds
        ]

    @functools.cached_property
    def _sessions_in_feeds(self) -> Counter[str]:
        """How many of each feed's events are sessions (the rest are whole events)."""
        series = self.site.series
        session_uids = {
            entry_uid(series, entry) for entry in calendar_entries(series) if entry.session
        }
        return Counter(
            path
            for uid, record in self.site.records.items()
            if uid in session_uids
            for path in record.feeds
        )

    @functools.cached_property
    def run(self) -> Callable[[str | None], Markup | str]:
        return _runner(self.site)

    def events(self, grouped: dict[str, list[CalendarEntry]]) -> list[EventView]:
        """The views of the events in ``grouped`` (entries by event id)."""
        site = self.site
        return list(event_views(site.series, grouped, site.records, self._settings))

    def frame(self, entries: list[CalendarEntry]) -> EventView:
        """The view of the event of ``entries`` without its rows (see views.event_frame)."""
        return event_frame(self.site.series, entries, self.site.records, self._settings)

    @functools.cached_property
    def _settings(self) -> ViewSettings:
        site = self.site
        return ViewSettings(site.language, self.words, self.only_zone, site.now)


def _runner(site: PageSite) -> Callable[[str | None], Markup | str]:
    """Marks a text that fell back to the default language with that language."""
    language = html_language(site.fallback_language)
    texts = site.fallback_texts

    def run(text: str | None) -> Markup | str:
        if not text:
            return ""
        if text in texts and _has_letters(text):
            return Markup('<span lang="{}">{}</span>').format(language, text)
        return text

    return run


def _has_letters(text: str) -> bool:
    return any(character.isalpha() for character in text)
