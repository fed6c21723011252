"""The schedule rules, checked on what is valid of an event that failed validation.

pydantic runs an event's schedule rules only when all its fields are valid, so a
misspelt key or an unknown category used to hide an end before its start until
the next run. Here each failing event is validated again without the keys that
failed (and without checking references and duplicates, reported already), and
the schedule problems found are added to the others: every problem at once.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, MutableMapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from wego_ical.model.context import ValidationContext
from wego_ical.model.tables import Event

# What the schedule rules report; not "missing_time", which a dropped key causes.
RULE_ERRORS = frozenset(
    {
        "end_date_before_date",
        "end_not_after_start",
        "outside_event_days",
        "outside_event",
        "too_long",
        "overlap",
        "local_time",
    }
)


# Errors the lenient validation does not raise again: nothing needs removing for them.
_LENIENT = frozenset({"duplicate_id", "unknown_reference"})


def schedule_errors_despite(data: object, errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """The schedule-rule errors of the events that have other errors (``errors``, the
    whole document's), located in the document."""
    events = data.get("events") if isinstance(data, Mapping) else None
    if not isinstance(events, list):
        return []
    failing: dict[int, list[tuple[Any, ...]]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int):
            locs = failing.setdefault(loc[1], [])
            # Checked leniently instead: keep the part (a duplicate id is a session still).
            if error["type"] not in _LENIENT:
                locs.append(loc[2:])
    # An event with a rule error had its rules checked: its fields were all valid.
    checked = {
        error["loc"][1]
        for error in errors
        if error["type"] in RULE_ERRORS and len(error["loc"]) >= 2 and error["loc"][0] == "events"
    }
    context = dataclasses.replace(ValidationContext.from_raw(data), lenient=True)
    found: list[ErrorDetails] = []
    for index, locs in sorted(failing.items()):
        if index in checked:
            continue
        if index < len(events) and isinstance(events[index], Mapping):
            found += _rule_errors(events[index], locs, index, context)
    return found


def _rule_errors(
    event: Mapping[str, Any], locs: list[tuple[Any, ...]], index: int, context: ValidationContext
) -> list[ErrorDetails]:
    """Validate the event without its failed parts, again without those that then fail
    (a session without its misspelt start fails as a whole), a few rounds at most.

    Rule errors about a part that lost a key are left out: they may only follow from
    the loss (an end_date of the wrong type, dropped, makes the end come before the
    start)."""
    trimmed: dict[str, Any] = copy.deepcopy(dict(event))
    sessions = trimmed.get("sessions")
    kept = list(range(len(sessions))) if isinstance(sessions, list) else []
    touched: set[int | None] = set()  # original session indices; None: the event itself
    rules: list[ErrorDetails] = []
    for _ in range(4):
        trimmed, kept = _without_failed_parts(trimmed, locs, kept, touched)
        try:
            Event.model_validate(trimmed, context=context)
        except ValidationError as exc:
            errors = exc.errors()
        else:
            return rules
        rules = []
        for error in errors:
            loc = _original(tuple(error["loc"]), kept)
            part = loc[1] if len(loc) >= 2 and loc[0] == "sessions" else None
            if error["type"] in RULE_ERRORS and part not in touched:
                rules.append({**error, "loc": ("events", index, *loc)})
        locs = [tuple(error["loc"]) for error in errors if error["type"] not in RULE_ERRORS]
        if not locs:
            break
    return rules


def _without_failed_parts(
    event: dict[str, Any], locs: list[tuple[Any, ...]], kept: list[int], touched: set[int | None]
) -> tuple[dict[str, Any], list[int]]:
    """``event`` without the keys that failed, and the original index of each session
    still in it (a session that failed as a whole is left out); ``touched`` gets the
    parts that lost a key."""
    sessions = event.get("sessions") if isinstance(event.get("sessions"), list) else None
    dropped: set[int] = set()
    for loc in locs:
        if not loc or not isinstance(loc[0], str):
            continue
        if loc[0] == "sessions" and sessions is not None and len(loc) >= 2:
            trimmed = _trim_session(sessions, loc)
            if trimmed is not None:
                position, whole = trimmed
                if whole:
                    dropped.add(position)
                else:
                    touched.add(kept[position])
        elif loc[0] != "sessions" and loc[0] in event:
            del event[loc[0]]
            touched.add(None)
    if sessions is not None and dropped:
        event["sessions"] = [s for i, s in enumerate(sessions) if i not in dropped]
        kept = [original for i, original in enumerate(kept) if i not in dropped]
    return event, kept


def _trim_session(sessions: list[Any], loc: tuple[Any, ...]) -> tuple[int, bool] | None:
    """Delete the failed key of the session ``loc`` names. Its position, and whether
    the session failed as a whole (or for a key it lacks); None when ``loc`` names no
    session."""
    position = loc[1]
    if not isinstance(position, int) or position >= len(sessions):
        return None
    session = sessions[position]
    key = loc[2] if len(loc) >= 3 else None
    if isinstance(session, MutableMapping) and isinstance(key, str) and key in session:
        del session[key]
        return position, False
    return position, True


def _original(loc: tuple[Any, ...], kept_sessions: list[int]) -> tuple[Any, ...]:
    """``loc`` in the trimmed event, as a location in the original one."""
    if len(loc) >= 2 and loc[0] == "sessions" and isinstance(loc[1], int):
        return ("sessions", kept_sessions[loc[1]], *loc[2:])
    return loc
