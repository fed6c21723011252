"""Repeating entries: ``repeat = "FREQ=WEEKLY;BYDAY=TU;COUNT=10"``, ``except`` days and
changed occurrences.

A rule is an RFC 5545 RRULE limited to what people use (FREQ daily to yearly,
INTERVAL, COUNT or UNTIL, BYDAY with ordinals such as ``2TU`` or ``-1FR``,
BYMONTHDAY, BYMONTH). icalendar reads it (``vRecur``) and writes it in the feeds;
dateutil expands it, in local time, so that every occurrence keeps the local time
of the first across a daylight-saving change (as calendar clients expand it). Both are
imported when a rule is first read: a series without repeats does not load them.
"""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError

from wego_ical.limits import MAX_OCCURRENCES

_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_KEYS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST")
EXAMPLE = "FREQ=WEEKLY;BYDAY=TU;COUNT=10"


def check_rule(value: str) -> str:
    """A ``repeat`` value as the feeds write it (upper case, no spaces), or why it is not
    one wego-ical reads."""
    from icalendar import vRecur

    text = value.strip().upper().removeprefix("RRULE:")
    try:
        parts = vRecur.from_ical(text)
    except ValueError as exc:
        raise _rule_error(value, str(exc)) from None
    unknown = [key for key in parts if key not in _KEYS]
    if unknown or not parts:
        reason = (
            f"{', '.join(unknown)} is not one of {', '.join(_KEYS)}"
            if unknown
            else "it has no parts such as FREQ=WEEKLY"
        )
        raise _rule_error(value, reason)
    frequency = parts.get("FREQ", [""])[0]
    if frequency not in _FREQUENCIES:
        raise _rule_error(value, f"FREQ must be one of {', '.join(_FREQUENCIES)}")
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise _rule_error(
            value,
            "it needs an end: COUNT (how many times) or UNTIL (the last day), not both",
        )
    interval = parts.get("INTERVAL", [1])[0]
    count = parts.get("COUNT", [1])[0]
    if not 1 <= interval <= 1000 or not 1 <= count <= MAX_OCCURRENCES:
        raise _rule_error(value, f"COUNT is 1 to {MAX_OCCURRENCES:,}, INTERVAL 1 to 1,000")
    return text


def _rule_error(value: str, reason: str) -> PydanticCustomError:
    return PydanticCustomError(
        "repeat_rule",
        "'{value}' is not a repeat rule wego-ical reads ({reason}); write one like {example}",
        {"value": value[:80], "reason": reason, "example": EXAMPLE},
    )


@functools.lru_cache(maxsize=4096)
def rule_parts(rule: str) -> dict[str, list[Any]]:
    """The parts of a checked rule, as icalendar reads them."""
    from icalendar import vRecur

    return dict(vRecur.from_ical(rule))


# Expanded once per rule and start in a process: the rules check it, the snapshot, the
# feeds' RRULE and zones, the page and the frab schedule read it.
@functools.lru_cache(maxsize=4096)
def expand(
    rule: str, first: datetime, zone: ZoneInfo | None, limit: int = MAX_OCCURRENCES + 1
) -> tuple[datetime, ...]:
    """The rule's occurrences from ``first`` (a naive local start), at most ``limit``.

    UNTIL given as a day includes that day; given as a UTC time, it is compared with
    the occurrences' local times in ``zone``.
    """
    parts = rule_parts(rule)
    until = parts.get("UNTIL", [None])[0]
    local_until: datetime | None = None
    if isinstance(until, datetime):
        moment = until if until.tzinfo else until.replace(tzinfo=UTC)
        local_until = moment.astimezone(zone).replace(tzinfo=None) if zone else until
        local_until = local_until.replace(tzinfo=None)
    elif isinstance(until, date):
        local_until = datetime.combine(until, time.max)
    without_until = ";".join(part for part in rule.split(";") if not part.startswith("UNTIL="))
    if local_until is not None:
        without_until += f";UNTIL={local_until:%Y%m%dT%H%M%S}"
    from dateutil import rrule

    occurrences = rrule.rrulestr(without_until, dtstart=first, cache=False)
    return tuple(itertools.islice(occurrences, limit))


def feed_rule(
    rule: str, last: datetime, all_day: bool, zone: ZoneInfo | None
) -> dict[str, list[Any]]:
    """The RRULE a feed writes: the rule, with UNTIL (if it has one) as the last
    occurrence's start, in UTC (a date for a whole-day item), as RFC 5545 requires."""
    written = dict(rule_parts(rule))
    if "UNTIL" in written:
        if all_day:
            written["UNTIL"] = [last.date()]
        else:
            written["UNTIL"] = [last.replace(tzinfo=zone).astimezone(UTC)]
    return written
