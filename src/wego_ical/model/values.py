"""Checks of single values: ids, texts, URLs, e-mail addresses, time zones, languages, days.

Each is a pydantic ``AfterValidator``; the annotated types at the end are what
the tables use.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
import urllib.parse
from collections.abc import Mapping
from datetime import UTC, date, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from wego_ical.i18n.dates import in_zone
from wego_ical.i18n.locales import language_problem
from wego_ical.limits import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_ID_LENGTH,
    MAX_LINE_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_UID_LENGTH,
)
from wego_ical.model.repeats import check_rule
from wego_ical.words import closest

_Item = TypeVar("_Item", bound=str)
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)
# Feed file names that the build itself uses at the top of the output folder.
RESERVED_EVENT_IDS = frozenset({"all", "categories", "events", "feeds", "index"})
# C0/C1 control characters (other than newline and tab in long texts) break
# calendar clients and have no place in a schedule; U+FFFE and U+FFFF (and lone
# surrogates) are not characters XML may hold (schedule.xml, changes.atom).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def shown_value(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value) or len(value) > MAX_ID_LENGTH:
        raise PydanticCustomError(
            "slug",
            "'{value}' is not a valid id: use 1 to {max} lowercase letters, digits and "
            "single hyphens (for example 'safe-city'), because ids become file names and UIDs",
            {"value": shown_value(value, MAX_ID_LENGTH + 6), "max": MAX_ID_LENGTH},
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


def each_once(value: list[_Item], kind: str, fix: str) -> list[_Item]:
    """``value``, a list that names each item once; else an error naming the repeats."""
    repeated = sorted({item for item in value if value.count(item) > 1})
    if repeated:
        raise PydanticCustomError(
            kind,
            "{items} listed more than once; {fix}",
            {"items": ", ".join(repr(item) for item in repeated), "fix": fix},
        )
    return value


def format_problem(value: str, wanted: tuple[str, ...]) -> str:
    """Why ``value`` is not a text that names each of ``wanted`` once in braces
    (``"{name} ({details})"``), '' when it is."""
    try:
        named = [field for _, field, _, _ in string.Formatter().parse(value) if field is not None]
    except ValueError as error:
        return f"is not a text with {{placeholders}} ({error}); write a brace as {{{{ or }}}}"
    braces = " and ".join("{" + name + "}" for name in wanted)
    if sorted(named) != sorted(wanted):
        return f"must name {braces} once each, and nothing else in braces"
    return ""


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


def _one_room_name(value: object) -> object:
    if isinstance(value, Mapping):
        raise PydanticCustomError(
            "room_translations",
            "a room is written as one text, the same in every language; to name it in "
            'each language, declare it under [[rooms]] (id = "main-hall", name = { en = '
            '"…", ko = "…" }) and write room = "main-hall"',
        )
    return value


def _check_room(value: str) -> str:
    return _check_line(value)


def _check_uid(value: str) -> str:
    """A UID as a calendar and a conference app keep it: one line of visible text."""
    _check_length(value, MAX_UID_LENGTH, "a uid")
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty or only spaces")
    if _CONTROL_OR_BREAK.search(value):
        raise PydanticCustomError(
            "control_character",
            "contains a line break or control character; a uid is one line",
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
            {"value": shown_value(_escaped(value), 80), "problem": problem},
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
            {"value": shown_value(_escaped(value), 80), "hint": _email_hint(value)},
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
            {"value": shown_value(value, 60), "hint": hint},
        )
    return value


def _check_language(value: str) -> str:
    problem = language_problem(value)
    if problem:
        raise PydanticCustomError("language", "{problem}", {"problem": problem})
    return value


def check_year(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise PydanticCustomError(
            "year_range",
            "{value} is outside the years {first}–{last} that calendar apps handle; check the year",
            {"value": value.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")


def check_domain(value: str) -> str:
    if not _DOMAIN.fullmatch(value) or len(value) > 253:
        raise PydanticCustomError(
            "domain",
            "'{value}' is not a domain name such as 'example.org': use lowercase letters, "
            "digits, hyphens and at least one dot (every UID ends in it, so pick a domain "
            "the organiser owns, and keep it)",
            {"value": shown_value(_escaped(value), 80)},
        )
    return value


# A day in the years a calendar can show.
# The JSON Schema of each kind of value, for editors (``wego-ical schema``): a text may
# be a table of translations by language code.
def _translatable(max_length: int) -> dict[str, object]:
    text = {"type": "string", "maxLength": max_length}
    return {
        "anyOf": [
            text,
            {
                "type": "object",
                "description": 'The text by language code: { en = "…", ko = "…" }',
                "additionalProperties": text,
            },
        ]
    }


CalendarDay = Annotated[date, AfterValidator(check_year)]
Slug = Annotated[
    str,
    AfterValidator(_check_slug),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN, "maxLength": MAX_ID_LENGTH}),
]
Language = Annotated[str, AfterValidator(_check_language)]
ZoneName = Annotated[
    str,
    AfterValidator(_known_zone),
    WithJsonSchema({"type": "string", "description": "An IANA time zone, such as Asia/Seoul"}),
]
Line = Annotated[str, AfterValidator(_check_line), WithJsonSchema(_translatable(MAX_LINE_LENGTH))]
Text = Annotated[str, AfterValidator(_check_text), WithJsonSchema(_translatable(MAX_TEXT_LENGTH))]
Url = Annotated[
    str, AfterValidator(_check_url), WithJsonSchema({"type": "string", "format": "uri"})
]
Email = Annotated[
    str, AfterValidator(_check_email), WithJsonSchema({"type": "string", "format": "email"})
]
# A room as a session names it: a declared room's id, or a name. Checked as a line of
# text but not one of TEXT_CHECKS: a room is named the same in every language (its
# translated names belong to its [[rooms]] table), so that its feed keeps one id.
RoomName = Annotated[
    str,
    BeforeValidator(_one_room_name),
    AfterValidator(_check_room),
    WithJsonSchema({"type": "string", "maxLength": MAX_LINE_LENGTH}),
]
Uid = Annotated[
    str,
    AfterValidator(_check_uid),
    WithJsonSchema({"type": "string", "maxLength": MAX_UID_LENGTH}),
]
RepeatRule = Annotated[
    str,
    AfterValidator(check_rule),
    WithJsonSchema(
        {
            "type": "string",
            "description": "An RFC 5545 RRULE, such as FREQ=WEEKLY;BYDAY=TU;COUNT=10",
        }
    ),
]
# The checks that make a field a text, which may be given per language.
TEXT_CHECKS = (_check_line, _check_text)


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


def _close_zone_names(value: str) -> list[str]:
    """Zones whose name is like ``value``, or whose city is (``Lisbon``: ``Europe/Lisbon``)."""
    city = value.strip().replace(" ", "_").casefold()
    by_city = sorted(name for name in zone_names() if name.rsplit("/", 1)[-1].casefold() == city)
    if by_city and "/" not in value:
        return by_city[:2]
    return closest(value, zone_names(), n=2, cutoff=0.75)


def local_time_problem(local: datetime, zone: ZoneInfo) -> str:
    """Explain why a naive local time is unusable in ``zone`` ('' when it is fine).

    A time in a DST gap does not exist; one in a fold happens twice. Either
    makes a calendar entry ambiguous, so both are rejected.
    """
    placed = in_zone(local, zone)
    first, second = (
        (placed.replace(fold=0), placed) if placed.fold else (placed, placed.replace(fold=1))
    )
    if first.utcoffset() == second.utcoffset():
        return ""
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != local:
        return "does not exist (the clocks skip over it for daylight saving time)"
    return "happens twice (the clocks go back over it for daylight saving time)"
