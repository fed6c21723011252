"""What a table's validators may know of the whole file: the ids it declares.

Cross-references are resolved through a :class:`ValidationContext` built from
the raw document, so a bad reference is reported together with every other
error of the file instead of only after they are fixed.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from wego_ical.model.values import RoomName, load_zone
from wego_ical.words import closest


class StrictModel(BaseModel):
    """Base for every table of the file: unknown keys are errors, values are immutable."""

    # strict: a quoted "09:00" is a string, not a time; the file must say what it means.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    def digest_data(self) -> bytes:
        """Its data, for a digest (of a page's inputs, of a schedule's), compared only
        with what the same code made (output/buildcache.py). Not ``model_dump_json``:
        pydantic's JSON writer makes each text it writes keep a UTF-8 copy of itself for
        as long as the model lives (36 MB at 100,000 sessions with accented texts)."""
        # marshal writes the plain values in a third of json.dumps's time; its version 0
        # has no references or interned strings, so equal data gives equal bytes.
        return marshal.dumps(self.model_dump(mode="json"), 0)


@dataclass
class OccurrenceTally:
    """The occurrences of the file's repeating entries counted so far (the rules stop
    expanding rules once they are past MAX_SERIES_OCCURRENCES)."""

    counted: int = 0


@dataclass(frozen=True)
class ValidationContext:
    """What the raw document declares, so references can be checked item by item."""

    categories: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()
    projects: frozenset[str] = frozenset()
    rooms: frozenset[str] = frozenset()
    # Declared rooms that may hold sessions at the same time (overlap = true).
    shared_rooms: frozenset[str] = frozenset()
    zone: ZoneInfo | None = None
    zone_name: str = ""
    # The series' end of a conference day (see SeriesInfo.day_change).
    day_change: time | None = None
    # Checking only the schedule of an event whose other parts failed: references
    # and duplicates were reported already.
    lenient: bool = False
    tally: OccurrenceTally = field(default_factory=OccurrenceTally)

    @classmethod
    def from_raw(cls, data: object) -> ValidationContext:
        """Collect declared ids and the series time zone from an unvalidated document."""
        if not isinstance(data, Mapping):
            return cls()
        series = data.get("series")
        zone_name = series.get("timezone") if isinstance(series, Mapping) else None
        zone = load_zone(zone_name) if isinstance(zone_name, str) else None
        day_change = series.get("day_change") if isinstance(series, Mapping) else None
        return cls(
            categories=_declared_ids(data.get("categories")),
            people=_declared_ids(data.get("people")),
            projects=_declared_ids(data.get("projects")),
            rooms=_declared_ids(data.get("rooms")),
            shared_rooms=_shared_rooms(data.get("rooms")),
            zone=zone,
            zone_name=zone_name if isinstance(zone_name, str) else "",
            day_change=day_change if isinstance(day_change, time) else None,
        )


def _declared_ids(items: object) -> frozenset[str]:
    if not isinstance(items, list):
        return frozenset()
    return frozenset(
        item["id"]
        for item in items
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    )


def _shared_rooms(items: object) -> frozenset[str]:
    if not isinstance(items, list):
        return frozenset()
    return frozenset(
        item["id"]
        for item in items
        if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item.get("overlap")
    )


def error_at(
    loc: tuple[str | int, ...], value: object, kind: str, message: str, **ctx: object
) -> InitErrorDetails:
    """A rule's error at ``loc`` (relative to the table whose validator raises it)."""
    return InitErrorDetails(
        type=PydanticCustomError(kind, message, ctx or None), loc=loc, input=value
    )


def context_of(info: ValidationInfo) -> ValidationContext:
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
    context = context_of(info)
    if context.lenient:
        return value
    return _require_declared(value, context.categories, "category", "categories")


def _person_ref(value: str, info: ValidationInfo) -> str:
    context = context_of(info)
    if context.lenient:
        return value
    return _require_declared(value, context.people, "person", "people")


def _project_ref(value: str, info: ValidationInfo) -> str:
    context = context_of(info)
    if context.lenient:
        return value
    return _require_declared(value, context.projects, "project", "projects")


def _room_ref(value: str, info: ValidationInfo) -> str:
    """Once rooms are declared, a room is named by its id (a misspelt id is not a new room)."""
    context = context_of(info)
    if context.lenient or not context.rooms:
        return value
    return _require_declared(value, context.rooms, "room", "rooms")


CategoryRef = Annotated[str, AfterValidator(_category_ref)]
RoomRef = Annotated[RoomName, AfterValidator(_room_ref)]
PersonId = Annotated[str, AfterValidator(_person_ref)]
ProjectRef = Annotated[str, AfterValidator(_project_ref)]


def unique_ids(items: list[Any], what: str) -> list[Any]:
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
                    "duplicate {what} id '{id}' (already used by {table}[{first}]); "
                    "give every {what} its own id",
                    {"what": what, "id": item_id, "table": _TABLES[what], "first": seen[item_id]},
                ),
            )
        else:
            seen[item_id] = index


# The table each kind of item is listed in.
_TABLES = {
    "category": "categories",
    "person": "people",
    "project": "projects",
    "room": "rooms",
    "event": "events",
    "session": "sessions",
}
_ID_LISTS = {
    "categories": "category",
    "people": "person",
    "projects": "project",
    "rooms": "room",
    "events": "event",
}


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
