"""The validated schema of an event-series file (``data/events.toml``).

Models are strict about shape (unknown keys are errors) and check everything
that can be checked without writing a calendar: ids, references, times, time
zones. Cross-references are resolved through a :class:`ValidationContext`
built from the raw document, so a bad reference is reported together with
every other error of the file instead of only after they are fixed.
Always validate a document with :meth:`Series.from_data`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address
from itertools import pairwise
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from wego_ical.locales import language_problem
from wego_ical.words import closest

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)
MAX_ID_LENGTH = 64
MAX_LINE_LENGTH = 500
MAX_TEXT_LENGTH = 50_000
MAX_ENTRIES = 250_000
# Feed file names that the build itself uses at the top of the output folder.
RESERVED_EVENT_IDS = frozenset({"all", "categories", "events", "feeds", "index"})
# C0/C1 control characters (other than newline and tab in long texts) break
# calendar clients and have no place in a schedule.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _shown(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value) or len(value) > MAX_ID_LENGTH:
        raise PydanticCustomError(
            "slug",
            "'{value}' is not a valid id: use 1 to {max} lowercase letters, digits and "
            "single hyphens (for example 'safe-city'), because ids become file names and UIDs",
            {"value": _shown(value, MAX_ID_LENGTH + 6), "max": MAX_ID_LENGTH},
        )
    return value


def _check_length(value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        raise PydanticCustomError(
            "too_long",
            "is {length} characters long; the limit for {what} is {limit} "
            "(calendar apps cut or reject longer text): shorten it",
            {"length": f"{len(value):,}", "limit": f"{limit:,}", "what": what},
        )


def _check_line(value: str) -> str:
    _check_length(value, MAX_LINE_LENGTH, "a title or name")
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty or only spaces")
    if _CONTROL_OR_BREAK.search(value):
        raise PydanticCustomError(
            "control_character",
            "contains a line break or control character; keep this text on one line",
        )
    return value.strip()


def _check_text(value: str) -> str:
    # Windows line endings in a pasted text are still just line breaks.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    _check_length(value, MAX_TEXT_LENGTH, "a description")
    if _CONTROL.search(value):
        raise PydanticCustomError(
            "control_character",
            "contains a control character (such as a NUL or escape); remove it",
        )
    return value.strip()


def _escaped(value: str) -> str:
    """``value`` with control and invisible characters written as \\xNN or \\uNNNN, so
    a message can show it (U+202E would turn the rest of the message around)."""
    return "".join(map(_shown_char, value))


def _shown_char(char: str) -> str:
    """One character as a message can show it: itself, or \\uXXXX when it is invisible."""
    if char == " ":
        return char
    if _CONTROL_OR_BREAK.match(char) or unicodedata.category(char) in _INVISIBLE_CATEGORIES:
        return f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}"
    return char


def _invisible(value: str) -> re.Match[str] | None:
    """The first character that cannot be seen or is not a character at all: format
    characters (U+202E turns text around, U+200B, the BOM), unassigned and private
    code points (U+FFFF), surrogates, and separators other than the space."""
    for index, char in enumerate(value):
        if char != " " and unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            return re.compile(re.escape(char)).search(value, index)
    return None


_INVISIBLE_CATEGORIES = {"Cf", "Cn", "Co", "Cs", "Zs", "Zl", "Zp"}


def url_problem(value: str) -> str:
    """Why ``value`` is not a usable http(s) URL ('' when it is)."""
    bad = _CONTROL_OR_BREAK.search(value) or re.search(r"[\s<>\"`]", value) or _invisible(value)
    if bad:
        fix = "write it as %20" if bad[0] == " " else "remove it"
        return f"it contains '{_shown_char(bad[0])}' at position {bad.start() + 1}; {fix}"
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"it cannot be read as a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "it must start with https:// (or http://)"
    if not parts.hostname:
        return "it has no host name after the //"
    return ""


def _check_url(value: str) -> str:
    problem = url_problem(value)
    if problem:
        raise PydanticCustomError(
            "url",
            "'{value}' is not an http(s) URL such as 'https://example.org/': {problem}",
            {"value": _shown(_escaped(value), 80), "problem": problem},
        )
    return value


def _check_email(value: str) -> str:
    try:
        if _CONTROL_OR_BREAK.search(value) or re.search(r"\s", value) or _invisible(value):
            raise ValueError("a space, control or invisible character")
        address = Address(addr_spec=value)
    except (ValueError, IndexError, HeaderParseError):
        address = None
    if address is None or not address.username or "." not in address.domain:
        raise PydanticCustomError(
            "email",
            "'{value}' is not an e-mail address such as 'events@example.org'{hint}",
            {"value": _shown(_escaped(value), 80), "hint": _email_hint(value)},
        )
    return value


def _email_hint(value: str) -> str:
    bad = re.search(r"\s", value) or _invisible(value)
    if bad is None:
        return ""
    return f" (it contains '{_shown_char(bad[0])}' at position {bad.start() + 1}: remove it)"


def _known_zone(value: str) -> str:
    if value == "localtime":
        raise PydanticCustomError(
            "timezone",
            "'localtime' is whatever zone the machine that builds is set to; name the "
            "series' zone, such as 'Asia/Seoul'",
        )
    if load_zone(value) is None:
        close = _close_zone_names(value)
        hint = f" Did you mean {' or '.join(repr(z) for z in close)}?" if close else ""
        raise PydanticCustomError(
            "timezone",
            "'{value}' is not an IANA time zone name; use a name such as 'Asia/Seoul' or "
            "'America/New_York', never a bare offset.{hint}",
            {"value": _shown(value, 60), "hint": hint},
        )
    return value


def _check_language(value: str) -> str:
    problem = language_problem(value)
    if problem:
        raise PydanticCustomError("language", "{problem}", {"problem": problem})
    return value


# The years a series may use: calendar clients handle no earlier or later dates
# reliably, and a date near the ends of Python's range cannot be moved to UTC.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _check_year(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError(
            "year_range",
            "{value} is outside the years {first}–{last} that calendar apps handle; check the year",
            {"value": value.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")


def _check_domain(value: str) -> str:
    if not _DOMAIN.fullmatch(value) or len(value) > 253:
        raise PydanticCustomError(
            "domain",
            "'{value}' is not a domain name such as 'example.org': use lowercase letters, "
            "digits, hyphens and at least one dot (every UID ends in it, so pick a domain "
            "the organiser owns, and keep it)",
            {"value": _shown(_escaped(value), 80)},
        )
    return value


# A day in the years a calendar can show.
CalendarDay = Annotated[date, AfterValidator(_check_year)]
Slug = Annotated[str, AfterValidator(_check_slug)]
Language = Annotated[str, AfterValidator(_check_language)]
ZoneName = Annotated[str, AfterValidator(_known_zone)]
Line = Annotated[str, AfterValidator(_check_line)]
Text = Annotated[str, AfterValidator(_check_text)]
Url = Annotated[str, AfterValidator(_check_url)]
Email = Annotated[str, AfterValidator(_check_email)]
# The checks that make a field a text, which may be given per language.
TEXT_CHECKS = (_check_line, _check_text)


class StrictModel(BaseModel):
    """Base for every table of the file: unknown keys are errors, values are immutable."""

    # strict: a quoted "09:00" is a string, not a time; the file must say what it means.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


@dataclass(frozen=True)
class ValidationContext:
    """What the raw document declares, so references can be checked item by item."""

    categories: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()
    projects: frozenset[str] = frozenset()
    zone: ZoneInfo | None = None
    zone_name: str = ""

    @classmethod
    def from_raw(cls, data: object) -> ValidationContext:
        """Collect declared ids and the series time zone from an unvalidated document."""
        if not isinstance(data, Mapping):
            return cls()
        series = data.get("series")
        zone_name = series.get("timezone") if isinstance(series, Mapping) else None
        zone = load_zone(zone_name) if isinstance(zone_name, str) else None
        return cls(
            categories=_declared_ids(data.get("categories")),
            people=_declared_ids(data.get("people")),
            projects=_declared_ids(data.get("projects")),
            zone=zone,
            zone_name=zone_name if isinstance(zone_name, str) else "",
        )


def _declared_ids(items: object) -> frozenset[str]:
    if not isinstance(items, list):
        return frozenset()
    return frozenset(
        item["id"]
        for item in items
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    )


def _context(info: ValidationInfo) -> ValidationContext:
    context = info.context
    if not isinstance(context, ValidationContext):
        raise TypeError("validate documents with Series.from_data(), which supplies the context")
    return context


def _require_declared(value: str, declared: frozenset[str], kind: str, table: str) -> str:
    if value not in declared:
        close = closest(value, declared)
        if close:
            hint = f"did you mean '{close[0]}'? Otherwise add it under [[{table}]]"
        elif not declared:
            hint = f"no {table} are defined; add it under [[{table}]]"
        elif len(declared) <= 8:
            hint = f"use one of {', '.join(sorted(declared))}, or add it under [[{table}]]"
        else:
            hint = f"use the id of one of the {len(declared)} [[{table}]], or add it there"
        raise PydanticCustomError(
            "unknown_reference",
            "unknown {kind} '{value}'; {hint}",
            {"kind": kind, "value": value, "hint": hint},
        )
    return value


def _category_ref(value: str, info: ValidationInfo) -> str:
    return _require_declared(value, _context(info).categories, "category", "categories")


def _person_ref(value: str, info: ValidationInfo) -> str:
    return _require_declared(value, _context(info).people, "person", "people")


def _project_ref(value: str, info: ValidationInfo) -> str:
    return _require_declared(value, _context(info).projects, "project", "projects")


CategoryRef = Annotated[str, AfterValidator(_category_ref)]
PersonId = Annotated[str, AfterValidator(_person_ref)]
ProjectRef = Annotated[str, AfterValidator(_project_ref)]


def load_zone(name: str) -> ZoneInfo | None:
    """Return the IANA zone called ``name``, or None if it is not one of tzdata's zones.

    Only the names tzdata lists: zoneinfo also opens ``localtime`` (whatever zone the
    build machine is set to), folders such as ``Asia`` (a traceback) and
    ``Factory`` (no real place).
    """
    if name not in zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@functools.cache
def zone_names() -> frozenset[str]:
    """The IANA zone names a series may use: tzdata's list, less ``Factory``."""
    from importlib.resources import files

    listed = files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return frozenset(listed) - {"Factory"}


def _unique_ids(items: list[Any], what: str) -> list[Any]:
    """Reject repeated ids, pointing at every repeat."""
    ids = [item.id for item in items]
    errors = [
        InitErrorDetails(type=error, loc=(index, "id"), input=ids[index])
        for index, error in _duplicates(ids, what)
    ]
    if errors:
        raise ValidationError.from_exception_data(what, errors)
    return items


def _duplicates(ids: list[object], what: str) -> Iterator[tuple[int, PydanticCustomError]]:
    """(index, error) for every id that repeats an earlier one."""
    seen: dict[str, int] = {}
    for index, item_id in enumerate(ids):
        if not isinstance(item_id, str):
            continue
        if item_id in seen:
            yield (
                index,
                PydanticCustomError(
                    "duplicate_id",
                    "duplicate {what} id '{id}' (first used by item {first}); "
                    "give every {what} its own id",
                    {"what": what, "id": item_id, "first": seen[item_id] + 1},
                ),
            )
        else:
            seen[item_id] = index


_ID_LISTS = {"categories": "category", "people": "person", "projects": "project", "events": "event"}


def raw_duplicate_ids(data: object) -> list[ErrorDetails]:
    """Repeated ids in an unvalidated document, as pydantic error details.

    The models check ids only once every item of a list is valid; these are
    reported together with every other error (a duplicate id next to a bad
    time must not wait for the next run).
    """
    if not isinstance(data, Mapping):
        return []
    found: list[ErrorDetails] = []

    def check(items: object, what: str, loc: tuple[int | str, ...]) -> None:
        if not isinstance(items, list):
            return
        ids = [item.get("id") if isinstance(item, Mapping) else None for item in items]
        for index, error in _duplicates(ids, what):
            found.append(
                ErrorDetails(
                    type=error.type,
                    loc=(*loc, index, "id"),
                    msg=error.message(),
                    input=ids[index],
                )
            )

    for key, what in _ID_LISTS.items():
        check(data.get(key), what, (key,))
    events = data.get("events")
    if isinstance(events, list):
        for index, event in enumerate(events):
            if isinstance(event, Mapping):
                check(event.get("sessions"), "session", ("events", index, "sessions"))
    return found


# --------------------------------------------------------------------------- tables


class Organiser(StrictModel):
    """Who publishes the series; becomes ORGANIZER of every event."""

    name: Line
    email: Email | None = None


class Publish(StrictModel):
    """Where the feeds are published and how clients should treat them."""

    base_url: Url | None = None
    refresh_hours: Annotated[int, Field(ge=1, le=24 * 7)] = 12
    reminder_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] | None = None


class Labels(StrictModel):
    """Headings used inside descriptions, so a series can be written in any language."""

    category: Line = "Category"
    topics: Line = "Topics"
    # Neutral defaults; the WeGO data sets its own ("Winning projects", "Judge panelist").
    projects: Line = "Projects"
    winners: Line = "Winners"
    panelists: Line = "Speaker"
    panelists_plural: Line = "Speakers"
    jury: Line = "Jury"
    interpretation: Line = "Simultaneous interpretation"
    host: Line = "Hosted by"
    session: Line = "Session"
    # No longer used (descriptions said "Session 1 of 3"); still accepted so
    # that older files load.
    of: Line = "of"
    event_page: Line = "Event page"
    all_events: Line = "All events"
    cancelled: Line = "Cancelled"
    conference: Line = "Join online"


class SeriesInfo(StrictModel):
    """The ``[series]`` table."""

    id: Slug
    title: Line
    description: Text = ""
    url: Url
    timezone: ZoneName
    uid_domain: Annotated[str, AfterValidator(_check_domain)]
    updated: datetime | None = None
    organiser: Organiser
    # The languages its texts are given in, the default first (none: one language).
    languages: Annotated[list[Language], Field(max_length=20)] = []

    @field_validator("languages")
    @classmethod
    def _each_language_once(cls, value: list[str]) -> list[str]:
        repeated = sorted({code for code in value if value.count(code) > 1})
        if repeated:
            raise PydanticCustomError(
                "duplicate_language",
                "{codes} listed more than once; list each language once, the default first",
                {"codes": ", ".join(repr(code) for code in repeated)},
            )
        return value

    @field_validator("updated")
    @classmethod
    def _aware_updated(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise PydanticCustomError(
                "naive_datetime",
                "needs a UTC offset, for example 2021-09-01T00:00:00Z",
            )
        _check_year(value.date())
        return value.astimezone(UTC)


def _close_zone_names(value: str) -> list[str]:
    """Zones whose name is like ``value``, or whose city is (``Lisbon``: ``Europe/Lisbon``)."""
    city = value.strip().replace(" ", "_").casefold()
    by_city = sorted(name for name in zone_names() if name.rsplit("/", 1)[-1].casefold() == city)
    if by_city and "/" not in value:
        return by_city[:2]
    return closest(value, zone_names(), n=2, cutoff=0.75)


class Category(StrictModel):
    """An award category (or any track of a series) with its topics."""

    id: Slug
    name: Line
    topics: list[Line] = Field(default_factory=list)


class Person(StrictModel):
    """A person who can be referenced as panelist or jury member."""

    id: Slug
    name: Line
    role: Line | None = None
    organisation: Line | None = None
    # A page about them (speaker page, organisation site) and a contact address.
    url: Url | None = None
    email: Email | None = None


class PersonRef(StrictModel):
    """A reference to a person, optionally with the role they held at that moment."""

    person: PersonId
    role: Line | None = None
    organisation: Line | None = None


def _person_refs_from_ids(value: object) -> object:
    """Accept a bare person id as shorthand for ``{ person = "id" }``."""
    if isinstance(value, list):
        return [{"person": item} if isinstance(item, str) else item for item in value]
    return value


PersonRefs = Annotated[list[PersonRef], BeforeValidator(_person_refs_from_ids)]


class Project(StrictModel):
    """A winning project."""

    id: Slug
    city: Line
    title: Line | None = None
    category: CategoryRef
    prize: Line | None = None


Status = Literal["confirmed", "tentative", "cancelled"]
_STATUS_WEIGHT: dict[Status, int] = {"confirmed": 0, "tentative": 1, "cancelled": 2}


class _Timed(StrictModel):
    """Fields shared by events and sessions."""

    id: Slug
    description: Text = ""
    location: Line | None = None
    url: Url | None = None
    conference: Url | None = None
    status: Status = "confirmed"
    panelists: PersonRefs = Field(default_factory=list)
    # The time zone of its times (default: the event's, else the series').
    timezone: ZoneName | None = None
    # A whole-day item (a deadline, a conference day shown as a banner): no times.
    all_day: bool = False
    # The last day, for an item that ends on a later day than it starts.
    end_date: CalendarDay | None = None


# The type, for annotations inside models that have a field called "date".
Day = CalendarDay

# A session longer than this is a typo (an end_date a day too late), not a session.
MAX_SESSION = timedelta(hours=24)


class Session(_Timed):
    """A part of an event, for example one award category's 30 minutes.

    It takes place on its event's day unless it has its own ``date`` (within
    the event's days); ``end_date`` lets it end after midnight.
    """

    title: Line | None = None
    date: Day | None = None
    start: time | None = None
    end: time | None = None
    category: CategoryRef | None = None
    projects: list[ProjectRef] = Field(default_factory=list)

    @model_validator(mode="after")
    def _times_or_all_day(self) -> Self:
        errors = list(_time_presence_errors(self.all_day, self.start, self.end, "session"))
        if errors:
            raise ValidationError.from_exception_data("session", errors)
        return self


def _time_presence_errors(
    all_day: bool, start: time | None, end: time | None, what: str
) -> Iterator[InitErrorDetails]:
    if all_day:
        for name, value in (("start", start), ("end", end)):
            if value is not None:
                yield _error(
                    (name,),
                    value.isoformat(),
                    "all_day_with_time",
                    "an all-day {what} has no {name} time; remove {name}, or all_day",
                    what=what,
                    name=name,
                )
        return
    if (start is None) != (end is None):
        missing = "end" if end is None else "start"
        yield _error((missing,), None, "missing_time", "give both start and end, or neither")
    elif start is None and what == "session":
        yield _error(
            ("start",),
            None,
            "missing_time",
            "a session needs start and end times, for example start = 15:00:00 and "
            "end = 16:00:00, or all_day = true",
        )


class Event(_Timed):
    """An event of the series: one calendar entry, or a set of sessions.

    It lasts from ``date`` to ``end_date`` (inclusive; default: one day).
    """

    title: Line
    date: CalendarDay
    start: time | None = None
    end: time | None = None
    host: Line | None = None
    awards_ceremony: bool = False
    interpretation: list[Line] = Field(default_factory=list)
    jury: PersonRefs = Field(default_factory=list)
    sessions: list[Session] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_EVENT_IDS:
            raise PydanticCustomError(
                "reserved_id",
                "event id '{value}' is reserved for the build's own files ({reserved}); "
                "choose another id",
                {"value": value, "reserved": ", ".join(sorted(RESERVED_EVENT_IDS))},
            )
        return value

    @field_validator("sessions")
    @classmethod
    def _unique_sessions(cls, value: list[Session]) -> list[Session]:
        return _unique_ids(value, "session")

    @model_validator(mode="after")
    def _check_schedule(self, info: ValidationInfo) -> Self:
        errors = list(self._schedule_errors(_context(info)))
        if errors:
            raise ValidationError.from_exception_data("event", errors)
        return self

    @property
    def last_day(self) -> Day:
        """The event's last day (its only day, unless it has an end_date)."""
        return self.end_date or self.date

    def zone_name(self, series_zone: str) -> str:
        """The time zone of the event's own times."""
        return self.timezone or series_zone

    def _schedule_errors(self, context: ValidationContext) -> Iterator[InitErrorDetails]:
        if self.end_date is not None and self.end_date < self.date:
            yield _error(
                ("end_date",),
                self.end_date.isoformat(),
                "end_date_before_date",
                "end_date {end} is before date {start}; the event's last day cannot come "
                "before its first",
                end=self.end_date.isoformat(),
                start=self.date.isoformat(),
            )
            return
        presence = list(_time_presence_errors(self.all_day, self.start, self.end, "event"))
        yield from presence
        if presence:
            return
        if self.all_day and self.sessions:
            yield _error(
                ("all_day",),
                True,
                "all_day_with_sessions",
                "an event with sessions is not itself an all-day item; set all_day on the "
                "sessions that are",
            )
            return
        if self.start is None and not self.sessions and not self.all_day:
            yield _error(
                ("start",),
                None,
                "missing_time",
                "an event without sessions needs start and end times, "
                "for example start = 15:00:00 and end = 17:00:00, or all_day = true",
            )
            return
        zone = self._zone(context)
        span = self._span(zone)
        if span is not None and span[1] <= span[0]:
            yield _not_after_start(("end",), self.start, self.end, self.end_date, self.date)
            return
        yield from self._session_errors(context, span)
        if zone is not None:
            yield from self._zone_errors(context)

    def _zone(self, context: ValidationContext) -> ZoneInfo | None:
        return load_zone(self.timezone) if self.timezone else context.zone

    def _span(self, zone: ZoneInfo | None) -> tuple[datetime, datetime] | None:
        """The event's own start and end (aware where the zone is known)."""
        if self.start is None or self.end is None:
            return None
        first = datetime.combine(self.date, self.start, zone)
        return first, datetime.combine(self.last_day, self.end, zone)

    def _session_errors(
        self, context: ValidationContext, span: tuple[datetime, datetime] | None
    ) -> Iterator[InitErrorDetails]:
        timed: list[tuple[datetime, datetime, int, Session]] = []
        for index, session in enumerate(self.sessions):
            day = session.date or self.date
            last = session.end_date or day
            if not self.date <= day <= self.last_day:
                yield _error(
                    ("sessions", index, "date"),
                    day.isoformat(),
                    "outside_event_days",
                    "session '{id}' is on {day}, outside its event's {days}; move it, or "
                    "widen the event with end_date",
                    id=session.id,
                    day=day.isoformat(),
                    days=_days_text(self.date, self.last_day),
                )
                continue
            if last < day:
                yield _error(
                    ("sessions", index, "end_date"),
                    last.isoformat(),
                    "end_date_before_date",
                    "end_date {end} is before the session's day {start}",
                    end=last.isoformat(),
                    start=day.isoformat(),
                )
                continue
            if session.all_day:
                if last > self.last_day:
                    yield _error(
                        ("sessions", index, "end_date"),
                        last.isoformat(),
                        "outside_event_days",
                        "session '{id}' lasts until {day}, after its event's {days}; shorten "
                        "it, or widen the event with end_date",
                        id=session.id,
                        day=last.isoformat(),
                        days=_days_text(self.date, self.last_day),
                    )
                continue
            assert session.start is not None and session.end is not None
            zone = load_zone(session.timezone) if session.timezone else self._zone(context)
            start = datetime.combine(day, session.start, zone)
            end = datetime.combine(last, session.end, zone)
            if end <= start:
                yield _not_after_start(
                    ("sessions", index, "end"), session.start, session.end, session.end_date, day
                )
                continue
            # Elapsed time: aware datetimes of one zone subtract as wall-clock times,
            # which across a DST change is an hour off.
            if zone is not None and _utc(end) - _utc(start) > MAX_SESSION:
                yield _error(
                    ("sessions", index, "end_date"),
                    last.isoformat(),
                    "too_long",
                    "session '{id}' would last {hours} hours ({start} to {end}); a session "
                    "lasts at most 24 hours: check end_date and end",
                    id=session.id,
                    hours=f"{(_utc(end) - _utc(start)) / timedelta(hours=1):g}",
                    start=start.strftime("%Y-%m-%d %H:%M"),
                    end=end.strftime("%Y-%m-%d %H:%M"),
                )
                continue
            timed.append((start, end, index, session))
            if span is not None and (start < span[0] or end > span[1]):
                yield _error(
                    ("sessions", index),
                    session.id,
                    "outside_event",
                    "session '{id}' ({start}–{end}) lies outside its event's time "
                    "({event_start}–{event_end}) on {day}; move it or widen the event",
                    id=session.id,
                    start=session.start.strftime("%H:%M"),
                    end=session.end.strftime("%H:%M"),
                    event_start=span[0].strftime("%H:%M"),
                    event_end=span[1].strftime("%H:%M"),
                    day=_days_text(self.date, self.last_day).removeprefix("day "),
                )
        # Compared as instants; where a zone is unknown (reported elsewhere), as local times.
        if any(start.tzinfo is None for start, _, _, _ in timed):
            timed = [(a.replace(tzinfo=None), b.replace(tzinfo=None), i, x) for a, b, i, x in timed]
        ordered = sorted(timed, key=lambda item: (_utc(item[0]), item[2]))
        for (_, earlier_end, _, earlier), (later_start, _, index, later) in pairwise(ordered):
            if _utc(later_start) < _utc(earlier_end):
                assert later.start is not None and earlier.end is not None
                yield _error(
                    ("sessions", index, "start"),
                    later.start.isoformat(),
                    "overlap",
                    "session '{id}' starts at {start} before session '{other}' ends at {end}; "
                    "move one of them so they do not overlap",
                    id=later.id,
                    start=later.start.strftime("%H:%M"),
                    other=earlier.id,
                    end=earlier.end.strftime("%H:%M"),
                )

    def _zone_errors(self, context: ValidationContext) -> Iterator[InitErrorDetails]:
        times: list[tuple[tuple[str | int, ...], datetime, str]] = []
        own_zone = self.zone_name(context.zone_name)
        if self.start is not None and self.end is not None:
            times += [
                (("start",), datetime.combine(self.date, self.start), own_zone),
                (("end",), datetime.combine(self.last_day, self.end), own_zone),
            ]
        for index, session in enumerate(self.sessions):
            if session.start is None or session.end is None:
                continue
            day = session.date or self.date
            zone_name = session.timezone or own_zone
            times += [
                (("sessions", index, "start"), datetime.combine(day, session.start), zone_name),
                (
                    ("sessions", index, "end"),
                    datetime.combine(session.end_date or day, session.end),
                    zone_name,
                ),
            ]
        for loc, local, zone_name in times:
            zone = load_zone(zone_name)
            problem = local_time_problem(local, zone) if zone is not None else ""
            if problem:
                yield _error(
                    loc,
                    local.time().isoformat(),
                    "local_time",
                    "{when} {problem} in {zone}; choose another time",
                    when=local.strftime("%Y-%m-%d %H:%M"),
                    problem=problem,
                    zone=zone_name,
                )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


def _days_text(first: date, last: date) -> str:
    if first == last:
        return f"day {first.isoformat()}"
    return f"days {first.isoformat()} to {last.isoformat()}"


def _not_after_start(
    loc: tuple[str | int, ...],
    start: time | None,
    end: time | None,
    end_date: date | None,
    day: date,
) -> InitErrorDetails:
    assert start is not None and end is not None
    if end_date is None:
        return _error(
            loc,
            end.isoformat(),
            "end_not_after_start",
            "end {end} is not after start {start}; if it ends after midnight, add "
            "end_date = {next_day}",
            end=end.strftime("%H:%M"),
            start=start.strftime("%H:%M"),
            next_day=(day + timedelta(days=1)).isoformat(),
        )
    return _error(
        loc,
        end.isoformat(),
        "end_not_after_start",
        "end {end_date} {end} is not after start {day} {start}",
        end=end.strftime("%H:%M"),
        start=start.strftime("%H:%M"),
        end_date=end_date.isoformat(),
        day=day.isoformat(),
    )


def _error(
    loc: tuple[str | int, ...], value: object, kind: str, message: str, **ctx: object
) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError(kind, message, ctx or None), loc=loc, input=value
    )


def local_time_problem(local: datetime, zone: ZoneInfo) -> str:
    """Explain why a naive local time is unusable in ``zone`` ('' when it is fine).

    A time in a DST gap does not exist; one in a fold happens twice. Either
    makes a calendar entry ambiguous, so both are rejected.
    """
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return ""
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != local:
        return "does not exist (the clocks skip over it for daylight saving time)"
    return "happens twice (the clocks go back over it for daylight saving time)"


class Series(StrictModel):
    """The whole file: one event series and everything its feeds need."""

    series: SeriesInfo
    publish: Publish = Publish()
    labels: Labels = Labels()
    categories: list[Category] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    events: Annotated[list[Event], Field(min_length=1)]

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, value: list[Category]) -> list[Category]:
        return _unique_ids(value, "category")

    @field_validator("people")
    @classmethod
    def _unique_people(cls, value: list[Person]) -> list[Person]:
        return _unique_ids(value, "person")

    @field_validator("projects")
    @classmethod
    def _unique_projects(cls, value: list[Project]) -> list[Project]:
        return _unique_ids(value, "project")

    @field_validator("events")
    @classmethod
    def _unique_events(cls, value: list[Event]) -> list[Event]:
        return _unique_ids(value, "event")

    @classmethod
    def from_data(cls, data: object) -> Series:
        """Validate a parsed TOML document, reporting every error at once."""
        return cls.model_validate(data, context=ValidationContext.from_raw(data))

    # ----------------------------------------------------------------- lookups

    def category(self, category_id: str) -> Category:
        """The category with this id."""
        return self._categories_by_id[category_id]

    def person(self, person_id: str) -> Person:
        """The person with this id."""
        return self._people_by_id[person_id]

    def project(self, project_id: str) -> Project:
        """The project with this id."""
        return self._projects_by_id[project_id]

    def projects_in(self, category_id: str) -> list[Project]:
        """All projects of a category, in file order."""
        return [p for p in self.projects if p.category == category_id]

    # Lookups by id run once per session and reference; a list scan made a
    # large series quadratic. (The model is frozen, so the indexes stay valid.)

    @functools.cached_property
    def _categories_by_id(self) -> dict[str, Category]:
        return {item.id: item for item in self.categories}

    @functools.cached_property
    def _people_by_id(self) -> dict[str, Person]:
        return {item.id: item for item in self.people}

    @functools.cached_property
    def _projects_by_id(self) -> dict[str, Project]:
        return {item.id: item for item in self.projects}


@dataclass(frozen=True)
class Occurrence:
    """One calendar entry: a session of an event, or an event without sessions.

    ``zone`` is the name of the time zone its times are in.
    """

    event: Event
    session: Session | None
    key: str = ""
    zone: str = "UTC"

    @property
    def all_day(self) -> bool:
        """Whether it is a whole-day item (a date, no times)."""
        return self.session.all_day if self.session else self.event.all_day

    @property
    def first_day(self) -> Day:
        """The day it starts."""
        return (self.session.date if self.session else None) or self.event.date

    @property
    def last_day(self) -> Day:
        """The day it ends (inclusive)."""
        if self.session is not None:
            return self.session.end_date or self.first_day
        return self.event.last_day

    @property
    def start(self) -> datetime:
        """Naive local start (midnight of the first day for a whole-day item)."""
        if self.all_day:
            return datetime.combine(self.first_day, time())
        moment = self.session.start if self.session else self.event.start
        assert moment is not None
        return datetime.combine(self.first_day, moment)

    @property
    def end(self) -> datetime:
        """Naive local end (midnight after the last day for a whole-day item: exclusive)."""
        if self.all_day:
            return datetime.combine(self.last_day + timedelta(days=1), time())
        moment = self.session.end if self.session else self.event.end
        assert moment is not None
        return datetime.combine(self.last_day, moment)

    # A session's own value where it has one, else its event's.

    @property
    def status(self) -> Status:
        """confirmed, tentative or cancelled: a cancelled or tentative event makes
        every session at least as uncertain as itself."""
        if self.session is None:
            return self.event.status
        return max(self.session.status, self.event.status, key=_STATUS_WEIGHT.__getitem__)

    @property
    def location(self) -> str | None:
        """Where it takes place."""
        return (self.session.location if self.session else None) or self.event.location

    @property
    def conference(self) -> str | None:
        """The join or recording link."""
        return (self.session.conference if self.session else None) or self.event.conference

    @property
    def page_url(self) -> str | None:
        """The web page of the session or event (the series page is the caller's fallback)."""
        return (self.session.url if self.session else None) or self.event.url

    @property
    def panelists(self) -> list[PersonRef]:
        """The panelists: the session's, else the event's."""
        return list((self.session.panelists if self.session else []) or self.event.panelists)


def occurrences(series: Series) -> list[Occurrence]:
    """Every calendar entry of the series, in chronological order."""
    return sorted((entry for _, entry in located_occurrences(series)), key=_chronological)


def located_occurrences(series: Series) -> Iterator[tuple[tuple[str | int, ...], Occurrence]]:
    """Every calendar entry in file order, with its location in the file
    (``("events", 1, "sessions", 0)``)."""
    series_zone = series.series.timezone
    for index, event in enumerate(series.events):
        zone = event.zone_name(series_zone)
        if not event.sessions:
            yield ("events", index), Occurrence(event, None, event.id, zone)
        for number, session in enumerate(event.sessions):
            entry = Occurrence(event, session, f"{event.id}.{session.id}", session.timezone or zone)
            yield ("events", index, "sessions", number), entry


def _chronological(entry: Occurrence) -> tuple[datetime, str]:
    zone = load_zone(entry.zone)
    return entry.start.replace(tzinfo=zone).astimezone(UTC), entry.key


def entry_uid(series: Series, entry: Occurrence) -> str:
    """A UID that stays the same across feeds and rebuilds: derived from ids only."""
    return f"{series.series.id}.{entry.key}@{series.series.uid_domain}"
