"""``changes.atom``: the published changes as an Atom feed (RFC 4287), one entry per
change, newest first, in the edition's language.

Entry ids are tag URIs made of the series, the event's UID, the kind of change
and the build time: stable, so a feed reader never shows an entry twice, and a
rebuild that changes nothing writes the same bytes. ElementTree does the XML.
"""

from __future__ import annotations

import hashlib
from xml.etree import ElementTree as ET

from wego_ical.catalogue import CHANGES_FEED, INDEX_PAGE
from wego_ical.i18n import dates as when
from wego_ical.i18n import ui_text as strings
from wego_ical.i18n.dates import basic_utc, iso_utc
from wego_ical.model import Series
from wego_ical.plan.records import HistoryEntry, Snapshot

ATOM = "http://www.w3.org/2005/Atom"


def atom_bytes(
    series: Series,
    history: list[HistoryEntry],
    language: str | None,
    *,
    feed_url: str | None,
    page_url: str | None,
) -> bytes:
    """The Atom document of ``history`` (newest first). ``feed_url`` and ``page_url``
    are the feed's and the page's addresses when known (base_url), else relative."""
    words = strings.changes(language)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    if language:
        feed.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    info = series.series
    _text(feed, "id", _tag(series, "changes"))
    _text(feed, "title", words["feed_title"].format(series=info.title))
    newest = history[0].at if history else info.updated
    _text(feed, "updated", iso_utc(newest) if newest else "1970-01-01T00:00:00Z")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", info.organiser.name)
    if info.organiser.email:
        _text(author, "email", info.organiser.email)
    _link(feed, feed_url or CHANGES_FEED, "self", "application/atom+xml")
    _link(feed, page_url or INDEX_PAGE, "alternate", "text/html")
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "wego-ical"
    for entry in history:
        _entry(feed, series, entry, words, language, page_url)
    ET.indent(feed)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _entry(
    feed: ET.Element,
    series: Series,
    entry: HistoryEntry,
    words: dict[str, str],
    language: str | None,
    page_url: str | None,
) -> None:
    element = ET.SubElement(feed, f"{{{ATOM}}}entry")
    stamp = basic_utc(entry.at)
    # The same change told in another language is another entry (its own id).
    told = f"{entry.uid}|{entry.kind}|{stamp}|{language or ''}"
    key = hashlib.sha256(told.encode()).hexdigest()[:16]
    _text(element, "id", _tag(series, f"change/{key}"))
    _text(element, "title", entry_title(entry, words, language))
    _text(element, "updated", iso_utc(entry.at))
    _link(element, page_url or INDEX_PAGE, "alternate", "text/html")
    lines = entry_lines(entry, words, language)
    if lines:
        _text(element, "content", "\n".join(lines)).set("type", "text")


def entry_title(entry: HistoryEntry, words: dict[str, str], language: str | None) -> str:
    """ "Moved: Webinar Part 1 · Mobility", "Schedule published: 7 events"."""
    if entry.kind == "published":
        count = strings.count(strings.page(language), "items", entry.count or 0)
        return words["published"].format(count=count)
    kind: str = entry.kind
    if kind == "changed" and {"start", "end", "timezone", "all_day"} & set(entry.fields):
        kind = "moved"
    title = entry.before.summary if entry.kind == "cancelled" and entry.before else entry.summary
    return words[kind].format(title=title)


def entry_lines(entry: HistoryEntry, words: dict[str, str], language: str | None) -> list[str]:
    """What changed, old → new, in the language: the time, the title, the place."""
    before, after = entry.before, entry.after
    if entry.kind in ("added", "restored") and after is not None:
        return [_when(after, language)]
    if before is None or after is None:
        return [_when(before, language)] if before is not None else []
    lines = []
    if {"start", "end", "timezone", "all_day"} & set(entry.fields):
        lines.append(
            words["time"].format(before=_when(before, language), after=_when(after, language))
        )
    else:
        lines.append(_when(after, language))
    if "summary" in entry.fields and entry.kind != "cancelled":
        lines.append(words["summary_field"].format(before=before.summary, after=after.summary))
    if "location" in entry.fields:
        lines.append(
            words["location_field"].format(
                before=before.location or words["none"], after=after.location or words["none"]
            )
        )
    shown = {"start", "end", "timezone", "all_day", "summary", "location", "status", "language"}
    others = [name.replace("_", " ") for name in entry.fields if name not in shown]
    if others:
        lines.append(words["other_fields"].format(fields=", ".join(others)))
    return lines


def _when(snapshot: Snapshot, language: str | None) -> str:
    """ "Thursday 26 August 2021, 09:00–09:30 (Korean Standard Time)"."""
    start, end = snapshot.aware_start, snapshot.aware_end
    day = when.day_text(start.date(), language)
    if snapshot.all_day:
        return day
    zone = when.zone_name(snapshot.timezone, start, language)
    return f"{day}, {when.time_span(start, end, language)} ({zone})"


def _tag(series: Series, path: str) -> str:
    """A tag URI (RFC 4151) under the series' UID domain."""
    return f"tag:{series.series.uid_domain},2000:{series.series.id}/{path}"


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = value
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"href": href, "rel": rel, "type": kind})
