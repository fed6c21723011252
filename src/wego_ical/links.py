"""Links that open a calendar app: subscribe to a feed, or add one event.

Pure functions over URLs and times; every parameter is URL-encoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit, urlunsplit

from wego_ical.text import iso_utc

GOOGLE_RENDER = "https://calendar.google.com/calendar/render"
OUTLOOK_LIVE = "https://outlook.live.com/calendar/0/deeplink/compose"
OUTLOOK_OFFICE = "https://outlook.office.com/calendar/0/deeplink/compose"
OUTLOOK_ADD_FROM_WEB = "https://outlook.live.com/calendar/0/addfromweb"


# Browsers, proxies and Google Calendar reject very long addresses (a few
# thousand characters); the full text is in the .ics file anyway.
MAX_DETAILS = 1000


def _details(text: str) -> str:
    return text if len(text) <= MAX_DETAILS else text[: MAX_DETAILS - 1].rstrip() + "…"


# What urllib.parse.quote(safe="") leaves as it is; every other byte of the
# UTF-8 encoding becomes %XX. A lookup table does the same as quote() several
# times faster, which matters with thousands of events × three links.
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_PERCENT = [chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in range(256)]


def percent_encode(text: str) -> str:
    """The same as ``urllib.parse.quote(text, safe="")``."""
    return "".join(map(_PERCENT.__getitem__, text.encode("utf-8")))


def _query(params: dict[str, str]) -> str:
    return "&".join(
        f"{percent_encode(key)}={percent_encode(value)}" for key, value in params.items()
    )


def feed_url(base_url: str, path: str) -> str:
    """The https address of a feed published under ``base_url``."""
    return base_url.rstrip("/") + "/" + quote(path)


def webcal_url(url: str) -> str:
    """The same address with the webcal scheme, which opens a subscription dialog."""
    parts = urlsplit(url)
    return urlunsplit(("webcal", *parts[1:]))


def google_subscribe_url(url: str) -> str:
    """Google Calendar's "add calendar by URL" for a feed."""
    return f"{GOOGLE_RENDER}?{_query({'cid': webcal_url(url)})}"


def outlook_subscribe_url(url: str, name: str) -> str:
    """Outlook on the web's "subscribe from web" for a feed."""
    return f"{OUTLOOK_ADD_FROM_WEB}?{_query({'url': url, 'name': name})}"


def _google_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class EventLinks:
    """Where to get one event: its own .ics file and "add to calendar" links."""

    file: str
    google: str
    outlook: str
    office365: str


def event_links(
    file: str,
    title: str,
    start: datetime,
    end: datetime,
    details: str,
    location: str | None,
    zone: str,
    *,
    all_day: bool = False,
) -> EventLinks:
    """The "add to calendar" links of one event (Google; Outlook.com; Microsoft 365).

    Times are given in UTC and shown in ``zone`` by Google; a whole-day item
    is given as dates (Google's end date is exclusive, like DTEND; Outlook's
    is the last day). The three links carry the same texts, so each is
    percent-encoded once.
    """
    text, body = percent_encode(title), percent_encode(_details(details))
    place = f"&location={percent_encode(location)}" if location else ""
    if all_day:
        dates, ctz = f"{start:%Y%m%d}%2F{end:%Y%m%d}", ""
        last = (end - timedelta(days=1)).date().isoformat()
        when = f"&startdt={start.date().isoformat()}&enddt={last}&allday=true"
    else:
        dates = f"{_google_time(start)}%2F{_google_time(end)}"
        ctz = f"&ctz={percent_encode(zone)}"
        when = f"&startdt={percent_encode(iso_utc(start))}&enddt={percent_encode(iso_utc(end))}"
    google = f"{GOOGLE_RENDER}?action=TEMPLATE&text={text}&dates={dates}&details={body}{ctz}{place}"
    outlook = (
        f"path=%2Fcalendar%2Faction%2Fcompose&rru=addevent&subject={text}{when}&body={body}{place}"
    )
    return EventLinks(file, google, f"{OUTLOOK_LIVE}?{outlook}", f"{OUTLOOK_OFFICE}?{outlook}")
