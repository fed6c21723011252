"""What search engines and link previews read of a page: schema.org JSON-LD and
Open Graph / Twitter card metadata.

schema.org: the series is an ``EventSeries`` whose ``subEvent`` are the
sessions (``Event``), each with its start and end in its own zone (with the
UTC offset), ``eventStatus`` (cancelled ones say so), and an online
``VirtualLocation`` or a ``Place``. Search engines show dates and
cancellations from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urljoin

from markupsafe import Markup

from wego_ical.catalogue import INDEX_PAGE
from wego_ical.i18n.locales import html_language, og_locale
from wego_ical.model import Series
from wego_ical.model.descriptions import project_text
from wego_ical.model.tables import SeriesInfo
from wego_ical.page.views import EntryView, EventView, PersonView

SCHEMA = "https://schema.org"
# Locations that are a way of taking part, not a place (compared without case).
ONLINE_WORDS = frozenset({"online", "virtual", "webinar", "온라인", "zoom"})


def json_ld(
    series: Series, events: Iterable[EventView], page_url: str | None, language: str | None
) -> Markup:
    """The ``<script type="application/ld+json">`` element of a page of ``events``."""
    organiser = series.series.organiser
    organizer: dict[str, Any] = {"@type": "Organization", "name": organiser.name}
    if organiser.url:  # its own site; the series' page is the series' url, not its own
        organizer["url"] = organiser.url
    sub_events = [
        _event(entry, event, organizer, page_url)
        for event in events
        for day in event.days
        for entry in day.entries
    ]
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "EventSeries",
        "name": series.series.title,
        "url": series.series.url,
        "organizer": organizer,
        "subEvent": sub_events,
    }
    if language:
        data["inLanguage"] = language
    if series.series.description:
        data["description"] = series.series.description
    if series.series.image:
        data["image"] = series.series.image
        for sub_event in sub_events:
            sub_event["image"] = series.series.image
    starts = [e["startDate"] for e in sub_events]
    if starts:
        data["startDate"], data["endDate"] = min(starts), max(e["endDate"] for e in sub_events)
    return _script(data)


def _event(
    entry: EntryView, event: EventView, organizer: dict[str, Any], page_url: str | None
) -> dict[str, Any]:
    location = entry.location or event.location
    online = entry.conference is not None or (location or "").strip().lower() in ONLINE_WORDS
    item: dict[str, Any] = {
        "@type": "Event",
        "name": entry.summary,
        "startDate": entry.start_local,
        "endDate": entry.end_local,
        "eventStatus": f"{SCHEMA}/Event{'Cancelled' if entry.cancelled else 'Scheduled'}",
        "eventAttendanceMode": (f"{SCHEMA}/{'Online' if online else 'Offline'}EventAttendanceMode"),
        "organizer": organizer,
    }
    link = entry.page_url or event.url
    if page_url:
        item["url"] = f"{page_url}#{entry.anchor}"
    elif link:
        item["url"] = link
    if online:
        item["location"] = {"@type": "VirtualLocation", "url": entry.conference or link or ""}
    elif location:
        item["location"] = {"@type": "Place", "name": location, "address": location}
    # Its own description, else what the row says of it (its category and projects);
    # not the event's, which would be repeated for every session of a large page.
    description = entry.description or _summary(entry)
    if description:
        item["description"] = description
    people = entry.panelists or event.panelists
    if people:
        item["performer"] = [_person(person) for person in people]
    return item


def _summary(entry: EntryView) -> str:
    """A session without a description of its own, in a line: "Mobility: George Town —
    Green Connectivity (Gold); Belo Horizonte — SIU Mobile"."""
    projects = "; ".join(project_text(p.city, p.title, p.prize) for p in entry.projects)
    return ": ".join(part for part in (entry.category, projects) if part)


def _person(person: PersonView) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Person", "name": person.name}
    if person.role:
        data["jobTitle"] = person.role
    if person.organisation:
        data["affiliation"] = {"@type": "Organization", "name": person.organisation}
    if person.url:
        data["url"] = person.url
    return data


def _script(data: dict[str, Any]) -> Markup:
    # "<", ">" and "&" escaped inside the JSON: text from the data can never end the
    # script element (a title with "</script>").
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">{text}</script>')


def open_graph(
    info: SeriesInfo, page_url: str | None, language: str | None
) -> list[tuple[str, str]]:
    """Link-preview metadata (Open Graph, Twitter card): (property, content) pairs."""
    tags = [
        ("og:type", "website"),
        ("og:title", info.title),
        ("og:site_name", info.organiser.name),
        ("og:locale", og_locale(language)),
        # With a picture, the large card that shows it.
        ("twitter:card", "summary_large_image" if info.image else "summary"),
        ("twitter:title", info.title),
    ]
    if info.description:
        tags += [("og:description", info.description), ("twitter:description", info.description)]
    if page_url:
        tags.append(("og:url", page_url))
    if info.image:
        tags += [("og:image", info.image), ("twitter:image", info.image)]
    return tags


def hreflangs(
    language: str | None,
    alternates: Iterable[tuple[str, str]],
    default_language: str | None,
    path: str,
    page_url: str | None,
) -> list[tuple[str, str]]:
    """The page in every language, itself included, and ``x-default`` (the default
    language's, ``default_language``; None: this one): what search engines read.
    Absolute with a base_url, else relative. ``alternates``: the other languages'
    index pages, relative to this language's."""
    others = list(alternates)
    if not others:
        return []
    own = PurePosixPath(path).name
    found = [(html_language(language), own)] + [
        (html_language(code), sibling(href, path)) for code, href in others
    ]
    found.append(("x-default", dict(found)[html_language(default_language or language)]))
    return [(code, urljoin(page_url, href) if page_url else href) for code, href in found]


def sibling(index_href: str, path: str) -> str:
    """The same page in another language: ``ko/index.html`` → ``../ko/schedule/x.html``."""
    if path == INDEX_PAGE:
        return index_href
    return "../" + index_href.removesuffix(INDEX_PAGE) + path
