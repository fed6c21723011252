"""Links that open a calendar app: subscribe to a feed, or add one event.

Pure functions over URLs and times; every parameter is URL-encoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlsplit, urlunsplit

from wego_ical.i18n.dates import basic_utc, iso_utc
from wego_ical.limits import MAX_URL
from wego_ical.plan.records import Snapshot

GOOGLE_RENDER = "https://calendar.google.com/calendar/render"
OUTLOOK_LIVE = "https://outlook.live.com/calendar/0/deeplink/compose"
OUTLOOK_OFFICE = "https://outlook.office.com/calendar/0/deeplink/compose"
OUTLOOK_ADD_FROM_WEB = "https://outlook.live.com/calendar/0/addfromweb"
OFFICE_ADD_FROM_WEB = "https://outlook.office.com/calendar/0/addfromweb"

# A list cut short ends with this line (the language's own words are passed in).
AND_MORE = "…and {} more"
# A paragraph shortened to fewer characters than this is dropped instead.
MIN_KEPT = 80


# What urllib.parse.quote(safe="") leaves as it is; every other byte of the
# UTF-8 encoding becomes %XX. A lookup table does the same as quote() several
# times faster, which matters with thousands of events × three links.
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_UNRESERVED_BYTES = bytes(sorted(_UNRESERVED))
_PERCENT = [chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in range(256)]


def percent_encode(text: str) -> str:
    """The same as ``urllib.parse.quote(text, safe="")``."""
    return "".join(map(_PERCENT.__getitem__, text.encode("utf-8")))


def _query(params: dict[str, str]) -> str:
    return "&".join(
        f"{percent_encode(key)}={percent_encode(value)}" for key, value in params.items()
    )


def folder_url(base_url: str) -> str:
    """The address of the output folder published at ``base_url``, ending in ``/``."""
    return base_url.rstrip("/") + "/"


def feed_url(base_url: str, path: str) -> str:
    """The https address of a feed published under ``base_url``."""
    return folder_url(base_url) + quote(path)


def webcal_url(url: str) -> str:
    """The same address with the webcal scheme, which opens a subscription dialog."""
    parts = urlsplit(url)
    return urlunsplit(("webcal", *parts[1:]))


def google_subscribe_url(url: str) -> str:
    """Google Calendar's "add calendar by URL" for a feed."""
    return f"{GOOGLE_RENDER}?{_query({'cid': webcal_url(url)})}"


def outlook_subscribe_url(url: str, name: str) -> str:
    """Outlook.com's "subscribe from web" for a feed."""
    return f"{OUTLOOK_ADD_FROM_WEB}?{_query({'url': url, 'name': name})}"


def office365_subscribe_url(url: str, name: str) -> str:
    """Microsoft 365's (work or school Outlook) "subscribe from web" for a feed."""
    return f"{OFFICE_ADD_FROM_WEB}?{_query({'url': url, 'name': name})}"


def _cost(text: str) -> int:
    """The length of ``text`` once percent-encoded: three characters for each byte
    that is not left as it is (counted in C, without encoding)."""
    data = text.encode("utf-8")
    return len(data) + 2 * len(data.translate(None, _UNRESERVED_BYTES))


class _Paragraph:
    """A paragraph of a description as lines, whose runs of "- " items can be cut short."""

    def __init__(self, text: str, more: str) -> None:
        self.lines: list[str | list[str]] = []
        for line in text.split("\n"):
            if line.startswith("- ") and self.lines and isinstance(self.lines[-1], list):
                self.lines[-1].append(line)
            else:
                self.lines.append([line] if line.startswith("- ") else line)
        self.more = more
        # How many items of each list are shown, by position in self.lines.
        self.shown = {i: len(line) for i, line in enumerate(self.lines) if isinstance(line, list)}

    def text(self) -> str:
        out: list[str] = []
        for i, line in enumerate(self.lines):
            if isinstance(line, str):
                out.append(line)
                continue
            out += line[: self.shown[i]]
            if self.shown[i] < len(line):
                out.append("- " + self.more.format(len(line) - self.shown[i]))
        return "\n".join(out)

    def longest_list(self) -> tuple[int, int]:
        """(items shown, position) of the list showing most items, (0, -1) if none."""
        return max(((n, i) for i, n in self.shown.items() if n), default=(0, -1))


def shorten_details(text: str, budget: int, more: str = AND_MORE) -> str:
    """``text`` (a description: paragraphs separated by blank lines, lists as "- "
    lines), made short enough that its percent-encoded form fits in ``budget``.

    The first paragraph (what the session is) and the last (the event page) are
    kept. In turn, until it fits: lists are cut to their first few items (never
    in the middle of an item, ending with "…and N more"), the longest list
    first; long paragraphs are shortened at a word to a few lines; lists are cut
    further; paragraphs are shortened or dropped, the longest first.
    """
    if _cost(text) <= budget:
        return text
    parts = [_Paragraph(part, more) for part in text.split("\n\n")]
    texts = _cut_lists(parts, budget, LIST_KEPT)
    texts = _cut_paragraphs(texts, budget, PARAGRAPH_KEPT)
    if _joined_cost(texts) > budget:
        texts = _cut_paragraphs(_cut_lists(parts, budget, 0), budget, 0)
    result = "\n\n".join(t for t in texts if t)
    if _cost(result) > budget and len(texts) > 1:
        result = texts[-1]
    return result if _cost(result) <= budget else _cut_at_word(result, budget, 0)


# What the first rounds of shortening keep: items of each list, characters of a paragraph.
LIST_KEPT = 3
PARAGRAPH_KEPT = 300


def _joined_cost(texts: list[str]) -> int:
    return _cost("\n\n".join(t for t in texts if t))


def _cut_lists(parts: list[_Paragraph], budget: int, floor: int) -> list[str]:
    """Cut one item at a time from the list that shows most, down to ``floor`` each."""
    while _joined_cost([p.text() for p in parts]) > budget:
        shown, position, index = max((*p.longest_list(), k) for k, p in enumerate(parts))
        if shown <= floor:
            break
        parts[index].shown[position] -= 1
    return [p.text() for p in parts]


def _cut_paragraphs(texts: list[str], budget: int, floor: int) -> list[str]:
    """Shorten the longest middle paragraph at a word (down to ``floor`` characters;
    below MIN_KEPT it is dropped), and the next, until the texts fit."""
    texts = list(texts)
    middle = [i for i in range(1, len(texts) - 1) if texts[i] and not _has_list(texts[i])]
    while middle and (excess := _joined_cost(texts) - budget) > 0:
        k = max(middle, key=lambda i: _cost(texts[i]))
        middle.remove(k)
        texts[k] = _cut_at_word(texts[k], _cost(texts[k]) - excess, floor)
    return texts


def _has_list(text: str) -> bool:
    return text.startswith("- ") or "\n- " in text


def _cut_at_word(text: str, budget: int, floor: int) -> str:
    """The longest start of ``text`` ending at a word, plus "…", within ``budget``
    encoded characters but no shorter than ``floor`` characters (when ``text``
    is longer); "" when that would leave less than MIN_KEPT characters."""
    budget = max(budget, _cost(text[:floor]) + _cost("…")) if len(text) > floor else budget
    kept, used = "", _cost("…")
    for word in text.split(" "):
        piece = f" {word}" if kept else word
        if used + _cost(piece) > budget:
            break
        kept, used = kept + piece, used + _cost(piece)
    return kept.rstrip(" ,;:") + "…" if len(kept) >= MIN_KEPT else ""


@dataclass(frozen=True)
class EventLinks:
    """Where to get one event: its own .ics file and "add to calendar" links."""

    file: str
    google: str
    outlook: str
    office365: str


@dataclass(frozen=True)
class AddEvent:
    """What the "add to calendar" links of one event carry, not yet encoded: the page
    writes these and its script builds the links (three long links per session
    would triple the page), and :meth:`links` builds the same links here."""

    title: str
    details: str  # shortened so that every link fits in MAX_URL
    location: str | None
    dates: str  # Google's: "20210826T000000Z/20210826T003000Z", or dates for a whole day
    zone: str | None  # Google's ctz; None for a whole-day item
    start: str  # Outlook's startdt and enddt: UTC times, or days (the end inclusive)
    end: str
    all_day: bool

    def links(self, file: str) -> EventLinks:
        """The event's file and its Google, Outlook.com and Microsoft 365 links."""
        google = "".join(fixed + percent_encode(value) for fixed, value in self._google())
        compose = "".join(fixed + percent_encode(value) for fixed, value in self._compose())
        return EventLinks(file, google, OUTLOOK_LIVE + compose, OUTLOOK_OFFICE + compose)

    def longest_link(self) -> int:
        """The length of the longest of :meth:`links`, counted without encoding them."""
        google, compose = self._google(), self._compose()
        # Each value counted once, though both links carry the title, the details and
        # the place: the page asks this of every session.
        costs = {value: _cost(value) for _, value in google + compose}
        google_length = sum(len(fixed) + costs[value] for fixed, value in google)
        compose_length = sum(len(fixed) + costs[value] for fixed, value in compose)
        return max(
            google_length,
            len(OUTLOOK_LIVE) + compose_length,
            len(OUTLOOK_OFFICE) + compose_length,
        )

    def _google(self) -> list[tuple[str, str]]:
        """Google's link, as pieces written as they are and values percent-encoded."""
        parts = [
            (f"{GOOGLE_RENDER}?action=TEMPLATE&text=", self.title),
            ("&dates=", self.dates),
            ("&details=", self.details),
        ]
        if self.zone:
            parts.append(("&ctz=", self.zone))
        if self.location:
            parts.append(("&location=", self.location))
        return parts

    def _compose(self) -> list[tuple[str, str]]:
        """Outlook's link after its address, in the same pieces."""
        parts = [
            ("?path=%2Fcalendar%2Faction%2Fcompose&rru=addevent&subject=", self.title),
            ("&startdt=", self.start),
            ("&enddt=", self.end),
        ]
        if self.all_day:
            parts.append(("&allday=true", ""))
        parts.append(("&body=", self.details))
        if self.location:
            parts.append(("&location=", self.location))
        return parts


def add_event(snapshot: Snapshot, more: str = AND_MORE) -> AddEvent:
    """What the "add to calendar" links of one event carry (Google; Outlook.com;
    Microsoft 365), as its ``snapshot`` publishes it.

    Times are given in UTC and shown in the event's zone by Google; a whole-day item
    is given as dates (Google's end date is exclusive, like DTEND; Outlook's
    is the last day). The description is shortened (see :func:`shorten_details`,
    ``more`` says "…and N more") so that no link is longer than MAX_URL.
    """
    title, details, location = snapshot.summary, snapshot.description, snapshot.location
    start, end, all_day = snapshot.aware_start, snapshot.aware_end, bool(snapshot.all_day)
    when: tuple[str, str | None, str, str]
    if all_day:
        last = (end - timedelta(days=1)).date().isoformat()
        when = (f"{start:%Y%m%d}/{end:%Y%m%d}", None, start.date().isoformat(), last)
    else:
        when = (
            f"{basic_utc(start)}/{basic_utc(end)}",
            snapshot.timezone,
            iso_utc(start),
            iso_utc(end),
        )
    dates, ctz, first, last_moment = when
    longest = AddEvent(title, "", location, dates, ctz, first, last_moment, all_day).longest_link()
    return AddEvent(
        title,
        shorten_details(details, MAX_URL - longest, more),
        location,
        dates,
        ctz,
        first,
        last_moment,
        all_day,
    )
