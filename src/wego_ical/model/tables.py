"""The tables of an event-series file: series, organiser, categories, people,
projects, events and their sessions.

Models are strict about shape (unknown keys are errors). Always validate a
document with :meth:`Series.from_data`.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import UTC, datetime, time
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from wego_ical.model.context import (
    CategoryRef,
    PersonId,
    ProjectRef,
    RoomRef,
    StrictModel,
    ValidationContext,
    context_of,
    unique_ids,
)
from wego_ical.model.schedule import schedule_errors, time_presence_errors
from wego_ical.model.uids import uid_errors
from wego_ical.model.values import (
    RESERVED_EVENT_IDS,
    CalendarDay,
    Email,
    Language,
    Line,
    RepeatRule,
    Slug,
    Text,
    Uid,
    Url,
    ZoneName,
    check_domain,
    check_year,
    each_once,
    format_problem,
)
from wego_ical.words import slug_words


class Organiser(StrictModel):
    """Who publishes the series; becomes ORGANIZER of every event."""

    name: Line
    email: Email | None = None
    # Its own web site (the page's schema.org organizer), not the series' page.
    url: Url | None = None


# 09:00 the day before a whole-day item (minutes before its local midnight).
ALL_DAY_REMINDER_DEFAULT = 15 * 60


FeedGroup = Literal["events", "categories", "rooms", "people"]
DEFAULT_FEED_GROUPS: tuple[FeedGroup, ...] = ("events", "categories")


class PublishSettings(StrictModel):
    """Where the feeds are published and how clients should treat them."""

    base_url: Url | None = None
    # The feeds beside all.ics: one per event, category, room, person (who is named).
    feeds: list[FeedGroup] = Field(default_factory=lambda: list(DEFAULT_FEED_GROUPS))
    refresh_hours: Annotated[int, Field(ge=1, le=24 * 7)] = 12
    reminder_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] | None = None
    # For whole-day items: minutes before the day begins (local midnight). A whole
    # day has no start time, so "15 minutes before" would ring at 23:45 the night
    # before; by default (with reminder_minutes set) the reminder comes at 09:00
    # the day before (900 minutes before midnight).
    all_day_reminder_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] | None = None

    @field_validator("feeds")
    @classmethod
    def _each_group_once(cls, value: list[FeedGroup]) -> list[FeedGroup]:
        return each_once(value, "duplicate_feed_group", "list each kind of feed once")

    def reminder_for(self, all_day: bool) -> int | None:
        """Minutes before the start at which an entry reminds (None: no reminder)."""
        if not all_day:
            return self.reminder_minutes
        if self.all_day_reminder_minutes is not None:
            return self.all_day_reminder_minutes
        return ALL_DAY_REMINDER_DEFAULT if self.reminder_minutes is not None else None


class Labels(StrictModel):
    """Headings used inside descriptions, so a series can be written in any language."""

    category: Line = "Category"
    topics: Line = "Topics"
    # Neutral defaults; the WeGO data sets its own ("Winning projects", "Judge panelist").
    projects: Line = "Projects"
    winners: Line = "Winners"
    panelists: Line = "Speaker"
    panelists_plural: Line = "Speakers"
    judges: Line = "Jury"
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
    # How a person is written with what they do: the order of name, role and
    # organisation is a language's (Korean: "이름 (기관 대표)").
    person: Line = "{name} — {details}"
    role_at: Line = "{role}, {organisation}"

    @field_validator("person", "role_at")
    @classmethod
    def _fields_once(cls, value: str, info: ValidationInfo) -> str:
        wanted = ("name", "details") if info.field_name == "person" else ("role", "organisation")
        problem = format_problem(value, wanted)
        if problem:
            raise PydanticCustomError("label_format", "{problem}", {"problem": problem})
        return value


class SeriesInfo(StrictModel):
    """The ``[series]`` table."""

    id: Slug
    title: Line
    description: Text = ""
    url: Url
    timezone: ZoneName
    # When a conference day ends (a congress day runs to 06:00): an entry that starts
    # before it is listed under the day before, on the page and in the frab schedule.
    day_change: time | None = None
    uid_domain: Annotated[str, AfterValidator(check_domain)]
    updated: datetime | None = None
    organiser: Organiser
    # A picture of the series (a web address): link previews and search results show it.
    image: Url | None = None
    # The languages its texts are given in, the default first (none: one language).
    languages: Annotated[list[Language], Field(max_length=20, default_factory=list)]

    @field_validator("languages")
    @classmethod
    def _each_language_once(cls, value: list[str]) -> list[str]:
        return each_once(value, "duplicate_language", "list each language once, the default first")

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
        check_year(value.date())
        return value.astimezone(UTC)


class Category(StrictModel):
    """An award category (or any track of a series) with its topics."""

    id: Slug
    name: Line
    topics: list[Line] = Field(default_factory=list)


class Person(StrictModel):
    """A person who can be referenced as a panelist or a judge."""

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


PersonRefs = Annotated[
    list[PersonRef],
    BeforeValidator(_person_refs_from_ids, json_schema_input_type=list[str | PersonRef]),
]


class Project(StrictModel):
    """A project shown in a session (a winning project, a talk's subject): its city or
    organisation, its title, or both."""

    id: Slug
    city: Line | None = None
    title: Line | None = None
    category: CategoryRef
    prize: Line | None = None

    @model_validator(mode="after")
    def _named(self) -> Self:
        if self.city is None and self.title is None:
            raise PydanticCustomError(
                "unnamed_project",
                'a project needs a title, a city, or both (title = "Bike Lanes", city = "Berlin")',
            )
        return self


class Room(StrictModel):
    """A room, stage or online channel that sessions take place in, declared once: its
    name (translatable), its place in lists (file order) and whether it may hold
    sessions at the same time."""

    id: Slug
    name: Line
    # A lounge or an open stage: sessions there may overlap.
    overlap: bool = False


Status = Literal["confirmed", "tentative", "cancelled"]
STATUS_WEIGHT: dict[Status, int] = {"confirmed": 0, "tentative": 1, "cancelled": 2}


class Occurrence(StrictModel):
    """One occurrence of a repeating entry that differs from the rule: moved to another
    day or time, retitled, cancelled (a RECURRENCE-ID override in the feeds)."""

    date: CalendarDay  # which occurrence: its day in the rule
    moved_to: CalendarDay | None = None
    start: time | None = None
    end: time | None = None
    title: Line | None = None
    description: Text | None = None
    location: Line | None = None
    status: Status | None = None

    @model_validator(mode="after")
    def _both_times(self) -> Self:
        if (self.start is None) != (self.end is None):
            raise PydanticCustomError(
                "missing_time", "give both start and end of the moved occurrence, or neither"
            )
        return self


class _Timed(StrictModel):
    """Fields shared by events and sessions."""

    id: Slug
    # Its own UID, kept whatever moves (see model.uids); default: derived from the ids.
    uid: Uid | None = None
    description: Text = ""
    location: Line | None = None
    # The room of a venue (see Room); sessions take their event's unless they name one.
    room: RoomRef | None = None
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
    # Repeats by this rule (one entry in the feeds, every occurrence on the page).
    repeat: RepeatRule | None = None
    # Occurrences left out (EXDATE), by day.
    except_: list[CalendarDay] = Field(default_factory=list, alias="except")
    occurrences: list[Occurrence] = Field(default_factory=list)


# The type, for annotations inside models that have a field called "date".
Day = CalendarDay


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
        errors = list(time_presence_errors(self.all_day, self.start, self.end, "session"))
        if errors:
            raise ValidationError.from_exception_data("session", errors)
        return self


class Event(_Timed):
    """An event of the series: one calendar entry, or a set of sessions.

    It lasts from ``date`` to ``end_date`` (inclusive; default: one day).
    """

    title: Line
    date: CalendarDay
    start: time | None = None
    end: time | None = None
    host: Line | None = None
    # Its own end of a conference day (default: the series').
    day_change: time | None = None
    # In every category's feed, and lists every category's projects (an awards
    # ceremony, a closing plenary). Formerly ``awards_ceremony``.
    all_categories: bool = False
    interpretation: list[Line] = Field(default_factory=list)
    # Formerly ``jury``.
    judges: PersonRefs = Field(default_factory=list)
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
    def _unique_sessions(cls, value: list[Session], info: ValidationInfo) -> list[Session]:
        if context_of(info).lenient:
            return value
        return unique_ids(value, "session")

    @model_validator(mode="after")
    def _check_schedule(self, info: ValidationInfo) -> Self:
        errors = list(schedule_errors(self, context_of(info)))
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


class Series(StrictModel):
    """The whole file: one event series and everything its feeds need."""

    series: SeriesInfo
    publish: PublishSettings = PublishSettings()
    labels: Labels = Labels()
    categories: list[Category] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    rooms: list[Room] = Field(default_factory=list)
    events: Annotated[list[Event], Field(min_length=1)]

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, value: list[Category]) -> list[Category]:
        return unique_ids(value, "category")

    @field_validator("people")
    @classmethod
    def _unique_people(cls, value: list[Person]) -> list[Person]:
        return unique_ids(value, "person")

    @field_validator("projects")
    @classmethod
    def _unique_projects(cls, value: list[Project]) -> list[Project]:
        return unique_ids(value, "project")

    @field_validator("rooms")
    @classmethod
    def _unique_rooms(cls, value: list[Room]) -> list[Room]:
        return unique_ids(value, "room")

    @field_validator("events")
    @classmethod
    def _unique_events(cls, value: list[Event]) -> list[Event]:
        return unique_ids(value, "event")

    @model_validator(mode="after")
    def _unique_uids(self) -> Self:
        errors = list(uid_errors(self.series.id, self.series.uid_domain, self.events))
        if errors:
            raise ValidationError.from_exception_data("series", errors)
        return self

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

    def room(self, name: str) -> Room:
        """The room a session names: a declared one (by id), else one made of the name
        (its id made of the name too: see :func:`implicit_rooms`)."""
        return self._rooms_by_name[name]

    def day_change_of(self, event: Event) -> time | None:
        """When the event's conference days end (None: at midnight)."""
        return event.day_change or self.series.day_change

    def all_rooms(self) -> list[Room]:
        """Every room, in the order the page and feeds list them: as declared, else in
        order of first use."""
        return list(self._rooms_by_name.values())

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
    def _rooms_by_name(self) -> dict[str, Room]:
        if self.rooms:
            return {item.id: item for item in self.rooms}
        return implicit_rooms(self.events)

    @functools.cached_property
    def _projects_by_id(self) -> dict[str, Project]:
        return {item.id: item for item in self.projects}


def implicit_rooms(events: list[Event]) -> dict[str, Room]:
    """The rooms of a file that declares none, by name in order of first use: each with
    an id made of its name (``Saal 1`` → ``saal-1``; ``saal-1-2`` for a second name
    that makes the same id; ``room-`` and a hash for a name without Latin letters)."""
    rooms: dict[str, Room] = {}
    taken: set[str] = set()
    for event in events:
        for name in (event.room, *(session.room for session in event.sessions)):
            if name is None or name in rooms:
                continue
            base = slug_words(name, 56)
            base = base or "room-" + hashlib.sha256(name.encode()).hexdigest()[:8]
            room_id, number = base, 1
            while room_id in taken:
                number += 1
                room_id = f"{base}-{number}"
            taken.add(room_id)
            rooms[name] = Room.model_construct(id=room_id, name=name, overlap=False)
    return rooms
