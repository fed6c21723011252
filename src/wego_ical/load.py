"""Read an event-series TOML file into a validated :class:`~wego_ical.model.Series`.

Every problem of a file is collected and raised together as one
:class:`~wego_ical.errors.DataError`, each with the TOML path, the line and
column where they can be found, and what to do.
"""

from __future__ import annotations

import bisect
import os
import re
import reprlib
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# tomli is the project tomllib was copied from (same API, same messages), but its
# wheels are compiled with mypyc: 10,000 sessions parse in 0.22 s instead of 0.62 s.
import tomli
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from wego_ical import strings
from wego_ical.budget import EntrySize, copy_bytes, over_budget
from wego_ical.errors import DataError, Problem
from wego_ical.languages import TranslationProblem, declared_languages, labels_for, resolve
from wego_ical.limits import MAX_FILE_BYTES, read_data_file
from wego_ical.model import (
    MAX_ENTRIES,
    MAX_TEXT_LENGTH,
    CalendarEntry,
    Series,
    located_entries,
    raw_duplicate_ids,
)
from wego_ical.plan import categories_of
from wego_ical.text import describe
from wego_ical.words import closest

Loc = tuple[int | str, ...]

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TABLE_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?$")


def load_series(path: Path) -> Series:
    """Read, parse and validate the file at ``path``.

    Raises :class:`DataError` listing every problem found.
    """
    text = read_text(path)
    return parse_series(text, path)


def read_text(path: Path, raw: bytes | None = None) -> str:
    """Read ``path`` as UTF-8 text, turning every failure into a :class:`DataError`.

    ``raw`` is the file's bytes when the caller has read them already (one byte
    past the size limit at most): the build hashes and loads the very same bytes.
    """
    if raw is None:
        raw = _read_bytes(path)
    if len(raw) > MAX_FILE_BYTES:
        try:
            size = os.stat(path).st_size  # a pipe reports 0: "larger than the limit"
        except OSError:
            size = 0
        limit = f"{MAX_FILE_BYTES / 1e6:,.0f}"
        raise DataError(
            path,
            [
                Problem(
                    (
                        f"is {size / 1e6:,.1f} MB; the limit is {limit} MB"
                        if size > MAX_FILE_BYTES
                        else f"is larger than the limit of {limit} MB"
                    )
                    + ". Split the series into several files"
                )
            ],
        )
    return _decoded(raw, path)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes (see :func:`~wego_ical.limits.read_data_file`), every failure a
    :class:`DataError`."""
    try:
        return read_data_file(path)
    except FileNotFoundError:
        raise DataError(
            path, [Problem("file not found; check the path or pass --data PATH")]
        ) from None
    except IsADirectoryError:
        raise DataError(path, [Problem("is a folder; pass the .toml file itself")]) from None
    except OSError as exc:
        raise DataError(path, [Problem(f"cannot be read: {exc.strerror or exc}")]) from None


def _decoded(raw: bytes, path: Path) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataError(
            path,
            [
                Problem(
                    f"is not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                    line=line,
                    column=column,
                )
            ],
        ) from None
    if not text.strip():
        raise DataError(
            path, [Problem("is empty; it needs at least a [series] table and one [[events]]")]
        )
    return text


@dataclass(frozen=True)
class Edition:
    """The series in one of its languages (``language`` None: it declares none)."""

    language: str | None
    series: Series


def load_editions(path: Path, raw: bytes | None = None) -> list[Edition]:
    """Read and validate the file at ``path`` (whose bytes are ``raw`` if the caller
    has them): the series in each of its languages, the default language first.
    Raises :class:`DataError` listing every problem."""
    return parse_editions(read_text(path, raw), path)


def parse_series(text: str, path: Path | str = "<string>") -> Series:
    """Parse TOML ``text`` and validate it: the series in its default language.
    ``path`` is only used in messages."""
    return parse_editions(text, path)[0].series


def parse_editions(text: str, path: Path | str = "<string>") -> list[Edition]:
    """Parse TOML ``text`` and validate it in each of its languages."""
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise DataError(path, [_syntax_problem(exc, text)]) from None
    except RecursionError:
        # tomli stops arrays and inline tables nested over 400 levels with this error.
        raise DataError(
            path,
            [
                Problem(
                    "TOML syntax error: lists or inline tables nested hundreds of levels deep; "
                    "an event series needs at most a few levels: look for a run of [ or {"
                )
            ],
        ) from None
    _check_entry_count(data, path)
    languages = declared_languages(data)
    default = languages[0] if languages else None
    editions = []
    sizes: list[EntrySize] = []
    choices: list[str | None] = [*languages] or [None]
    for language in choices:
        resolved, translation_problems = resolve(data, Series, language, default)
        if language is not None and default is not None:
            resolved["labels"] = labels_for(
                data.get("labels"), language, default, strings.labels(language)
            )
        if language != default:
            translation_problems = []  # the same as the default language's, reported once
        series, entry_sizes = _validated(resolved, data, text, path, translation_problems)
        sizes += [replace(size, language=language) for size in entry_sizes]
        editions.append(Edition(language, series))
    budget = over_budget(sizes)
    if budget:
        raise DataError(path, [Problem(message, key="events") for message in budget])
    return editions


def _validated(
    resolved: dict[str, Any],
    data: object,
    text: str,
    path: Path | str,
    translation_problems: list[TranslationProblem],
) -> tuple[Series, list[EntrySize]]:
    """The Series of one language's resolved document, and the size of its entries in
    the output; every problem raised at once."""
    # Positions are looked up only when there is a problem to place: indexing
    # the text of a large valid file would cost every build.
    locator = KeyLocator(text) if translation_problems else None
    extra = []
    for problem in translation_problems:
        assert locator is not None
        line, column = locator.find(problem.loc)
        extra.append(Problem(problem.message, toml_path(problem.loc, data), line, column))
    try:
        series = Series.from_data(resolved)
    except ValidationError as exc:
        locator = locator or KeyLocator(text)
        errors = exc.errors()
        reported = {(_public_loc(error["loc"]), error["type"]) for error in errors}
        errors += [
            error
            for error in raw_duplicate_ids(resolved)
            if (_public_loc(error["loc"]), error["type"]) not in reported
        ]
        errors = _without_misspelled_missing(errors)
        problems = [_validation_problem(error, resolved, locator) for error in errors]
        raise DataError(path, _sorted_unique(problems + extra)) from None
    if extra:
        raise DataError(path, _sorted_unique(extra))
    problems, sizes = _composed_problems(series, resolved, text)
    if problems:
        raise DataError(path, problems)
    return series, sizes


# The descriptions of all entries together: a few hundred characters for each
# of the most entries a file may have. A short file can still make gigabytes
# of feeds by repeating a long shared text (topics, jury) in every session.
MAX_TOTAL_DESCRIPTIONS = 200_000_000


def _composed_problems(
    series: Series, data: object, text: str
) -> tuple[list[Problem], list[EntrySize]]:
    """Limits on what is written, not only on each field: the composed descriptions;
    and each entry's size in the output, for the output budget."""
    locator: KeyLocator | None = None
    problems: list[Problem] = []
    sizes: list[EntrySize] = []
    total = 0
    for loc, entry in located_entries(series):
        description = describe(series, entry)
        length = len(description)
        # all.ics, its event's feed, its own file, the page, and its categories' feeds.
        copies = 4 + len(categories_of(entry, series))
        sizes.append(EntrySize(_entry_name(entry), None, copies, copy_bytes(description)))
        total += length
        if length > MAX_TEXT_LENGTH and len(problems) < 1000:
            locator = locator or KeyLocator(text)
            line, column = locator.find(loc)
            problems.append(
                Problem(
                    f"its description would be {length:,} characters long with everything it "
                    f"lists (topics, projects, people, links); the limit is {MAX_TEXT_LENGTH:,} "
                    "(calendar apps cut or reject longer text): shorten the texts it repeats",
                    key=toml_path(loc, data),
                    line=line,
                    column=column,
                )
            )
    if total > MAX_TOTAL_DESCRIPTIONS:
        problems.append(
            Problem(
                f"the descriptions of all calendar entries together would be {total:,} "
                f"characters; the limit is {MAX_TOTAL_DESCRIPTIONS:,} (the feeds would take "
                "gigabytes): shorten the texts repeated in every session, such as topics",
                key="events",
            )
        )
    return problems, sizes


def _entry_name(entry: CalendarEntry) -> str:
    if entry.session is None:
        return f"event '{entry.event.id}'"
    return f"session '{entry.session.id}' of event '{entry.event.id}'"


def _check_entry_count(data: dict[str, Any], path: Path | str) -> None:
    """Refuse absurd schedules before validating them item by item."""
    events = data.get("events")
    if not isinstance(events, list):
        return
    count = sum(
        len(event["sessions"]) if isinstance(event.get("sessions"), list) else 1
        for event in events
        if isinstance(event, Mapping)
    )
    if count > MAX_ENTRIES:
        raise DataError(
            path,
            [
                Problem(
                    f"has {count:,} sessions and events; the limit is {MAX_ENTRIES:,}. "
                    "Split the series into several files",
                    key="events",
                )
            ],
        )


# tomli's wording for the most common slips, and what to do about them.
_SYNTAX_HINTS = {
    "Illegal character '\\n'": "a line ends inside a quoted text: close the quote, "
    'or use triple quotes (""") for text over several lines',
    "Cannot overwrite a value": "this key is already set earlier in the same table: "
    "remove or rename one of them",
    "Invalid date or datetime": "not a real date or time: write dates as 2021-08-26 "
    "and times as 09:00:00",
    "Unclosed array": "a list is not closed: add the missing ]",
}


def _syntax_problem(exc: tomli.TOMLDecodeError, text: str) -> Problem:
    message = str(exc)
    match = _TOML_POSITION.search(message)
    reason = _TOML_POSITION.sub("", message).replace(" (at end of document)", "")
    hint = _SYNTAX_HINTS.get(reason, "fix the TOML syntax (see https://toml.io/en/v1.0.0)")
    if match:
        hint = _value_hint(text, int(match[1])) or hint
        return Problem(
            f"TOML syntax error: {reason}; {hint}", line=int(match[1]), column=int(match[2])
        )
    last_line = len(text.rstrip("\n").splitlines()) or 1
    return Problem(f"TOML syntax error: {reason} at the end of the file; {hint}", line=last_line)


_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=\s*(.*?)\s*(?:#.*)?$")
_LOOKS_LIKE_TIME = re.compile(
    r"(?i)^\d{1,2}(:\d{1,2}){1,2}(\.\d+)?(\s*[ap]\.?m\.?)?$|^\d{1,2}\s*[ap]\.?m\.?$"
)
_LOOKS_LIKE_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$")
_BARE_WORDS = re.compile(r"^[^\W\d][\w .,'&()/-]*$")
_TRUTHY = {"yes", "no", "on", "off", "y", "n", "true", "false"}


def _value_hint(text: str, line: int) -> str:
    """A fix for the usual ways of writing a value that TOML does not accept."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return ""
    match = _KEY_VALUE.match(lines[line - 1])
    if not match:
        return ""
    key, value = match[1], match[2]
    if _LOOKS_LIKE_TIME.match(value):
        return (
            "write times as 09:00:00 (24-hour clock, two digits each for hours, minutes "
            "and seconds, no quotes)"
        )
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return "not a real date: the month runs from 01 to 12, the day within the month"
    if _LOOKS_LIKE_DATE.match(value):
        return "write dates as 2021-09-14 (year-month-day, two digits each, no quotes)"
    if value.lower() in _TRUTHY:
        return f"write {key} = true or {key} = false (lowercase, no quotes)"
    if _BARE_WORDS.match(value):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f'put text in quotes: {key} = "{shown}"'
    return ""


def _without_misspelled_missing(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop "key X is missing" where an unknown key next to it is X misspelled:
    the did-you-mean of the unknown key already says what to do."""
    suggested = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = _public_loc(error["loc"])
            close = closest(str(loc[-1]), _allowed_keys(loc[:-1]))
            if close:
                suggested.add((*loc[:-1], close[0]))
    return [
        error
        for error in errors
        if not (error["type"] == "missing" and _public_loc(error["loc"]) in suggested)
    ]


def _sorted_unique(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line or 0, p.key))


# --------------------------------------------------------------------------- messages


def _validation_problem(error: ErrorDetails, data: object, locator: KeyLocator) -> Problem:
    loc = _public_loc(error["loc"])
    key = toml_path(loc, data)
    line, column = locator.find(loc)
    return Problem(_message(error, loc), key=key, line=line, column=column)


def _public_loc(loc: Sequence[int | str]) -> Loc:
    # pydantic adds the name of a function validator or union branch to some
    # locations; those are not keys of the file.
    return tuple(part for part in loc if not (isinstance(part, str) and "[" in part))


def _message(error: ErrorDetails, loc: Loc) -> str:
    kind = error["type"]
    name = str(loc[-1]) if loc else ""
    if kind == "missing":
        return f"required key {name!r} is missing; add it"
    if kind == "extra_forbidden":
        suggestion = _did_you_mean(name, loc[:-1])
        return f"unknown key {name!r}{suggestion}; remove it or fix its spelling"
    if kind == "too_short" and name == "events":
        return "no events; add at least one [[events]] table"
    message = error["msg"]
    if kind.startswith(("value_error", "assertion_error")):
        message = message.split(", ", 1)[-1]
    if error.get("ctx", {}).get("class") or kind in _TYPE_ERRORS:
        return f"{message} (got {_show(error['input'])}); {_TYPE_HINTS.get(kind, 'fix the value')}"
    if kind.endswith(("_type", "_parsing")) or kind == "string_pattern_mismatch":
        return f"{message} (got {_show(error['input'])})"
    return message


_TYPE_ERRORS = {"time_type", "date_type", "datetime_type", "bool_type", "int_type", "string_type"}
_TYPE_HINTS = {
    "time_type": "write a TOML local time such as 09:30:00 (no quotes)",
    "date_type": "write a TOML date such as 2021-08-26 (no quotes)",
    "datetime_type": "write a TOML date-time such as 2021-09-01T00:00:00Z (no quotes)",
    "bool_type": "write true or false (no quotes)",
    "int_type": "write a whole number (no quotes)",
    "string_type": 'write text in quotes, for example "Online"',
}


# Shows the start of a wrong value: never the whole of a huge or deeply nested one.
_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel, _SHORT_REPR.maxlist, _SHORT_REPR.maxdict = 3, 4, 4
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = 60


def _show(value: Any) -> str:
    text = _SHORT_REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _did_you_mean(name: str, parent: Loc) -> str:
    allowed = _allowed_keys(parent)
    close = closest(name, allowed)
    if close:
        return f" (did you mean {close[0]!r}?)"
    if allowed:
        return f" (allowed here: {', '.join(allowed)})"
    return ""


def _allowed_keys(loc: Loc) -> list[str]:
    """The keys the schema accepts at ``loc`` (a path to a table)."""
    annotation: Any = Series
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = [arg for arg in typing.get_args(annotation)]
            annotation = args[0] if args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field else None
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional so that the model or list type remains."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            non_none = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = non_none[0] if len(non_none) == 1 else annotation
            if len(non_none) != 1:
                return annotation
        else:
            return annotation


def toml_path(loc: Loc, data: object = None) -> str:
    """Render a location as a TOML path, naming items by id where they have one.

    ``("events", 1, "sessions", 0, "start")`` becomes
    ``events[1].sessions[0].start`` followed by ``(event "part-2", session "x")``
    when the ids are known.
    """
    text = ""
    ids: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            if isinstance(node, Mapping) and isinstance(node.get("id"), str):
                ids.append(f'"{node["id"]}"')
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, Mapping) else None
    return f"{text} (id {' › '.join(ids)})" if ids else text


# --------------------------------------------------------------------------- positions


class KeyLocator:
    """Find the line and column of a TOML path in the source text.

    tomli does not report positions of values, so this follows table
    headers (``[series]``, ``[[events]]``, ``[[events.sessions]]``) and
    ``key =`` lines. It covers files written in the usual layout; where it
    cannot be sure it returns the position of the nearest enclosing table.
    Headers are indexed once, so that locating thousands of errors takes
    time in proportion to their number, not to its square.
    """

    _KEY = r"^\s*(?:{key}|\"{key}\"|'{key}')\s*="

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        headers: list[tuple[int, str, bool]] = []
        for number, line in enumerate(self.lines):
            if "[" not in line:
                continue
            match = _TABLE_HEADER.match(line)
            if match:
                name = ".".join(part.strip().strip("\"'") for part in match[2].split("."))
                headers.append((number, name, match[1] == "[["))
        self.header_lines = [number for number, _, _ in headers]
        # Header lines by (name, is_array), in file order.
        self.by_name: dict[tuple[str, bool], list[int]] = {}
        for number, name, is_array in headers:
            self.by_name.setdefault((name, is_array), []).append(number)
        # Where each header's table ends: at the next header that is not one
        # of its sub-tables (one pass with a stack of open tables).
        self.ends: dict[int, int] = {}
        open_tables: list[tuple[int, str]] = []
        for number, name, _ in headers:
            while open_tables and not name.startswith(open_tables[-1][1] + "."):
                self.ends[open_tables.pop()[0]] = number
            open_tables.append((number, name))
        for number, _ in open_tables:
            self.ends[number] = len(self.lines)

    def find(self, loc: Loc) -> tuple[int | None, int | None]:
        """Return (line, column), 1-based, of ``loc``; (None, None) if not found."""
        table = ""
        start, stop = 0, len(self.lines)
        found: tuple[int | None, int | None] = (None, None)
        parts = list(loc)
        index = 0
        while index < len(parts):
            part = parts[index]
            if not isinstance(part, str):
                break
            name = f"{table}.{part}" if table else part
            following = parts[index + 1] if index + 1 < len(parts) else None
            array = self._headers_in(name, True, start, stop)
            if array and isinstance(following, int):
                if following >= len(array):
                    break
                start = array[following]
                stop = min(self.ends[start], stop)
                table, index = name, index + 2
                found = (start + 1, 1)
                continue
            single = self._headers_in(name, False, start, stop)
            if single:
                start = single[0]
                stop = min(self.ends[start], stop)
                table, index = name, index + 1
                found = (start + 1, 1)
                continue
            line = self._key_line(part, start, self._own_end(start, stop, table))
            if line is not None:
                column = len(self.lines[line]) - len(self.lines[line].lstrip()) + 1
                found = (line + 1, column)
            break
        return found

    def _headers_in(self, name: str, is_array: bool, start: int, stop: int) -> list[int]:
        lines = self.by_name.get((name, is_array), [])
        return lines[bisect.bisect_left(lines, start) : bisect.bisect_left(lines, stop)]

    def _own_end(self, start: int, stop: int, table: str) -> int:
        """Where the keys of ``table`` itself end: at its first sub-table header."""
        first = bisect.bisect_left(self.header_lines, start if table == "" else start + 1)
        if first < len(self.header_lines) and self.header_lines[first] < stop:
            return self.header_lines[first]
        return stop

    def _key_line(self, key: str, start: int, stop: int) -> int | None:
        pattern = re.compile(self._KEY.format(key=re.escape(key)))
        for number in range(start, stop):
            if pattern.match(self.lines[number]):
                return number
        return None
