"""Read an event-series TOML file into a validated :class:`~wego_ical.model.Series`.

Every problem of a file is collected and raised together as one
:class:`~wego_ical.errors.DataError`, each with the TOML path, the line and
column where they can be found, and what to do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

# tomli is the project tomllib was copied from (same API, same messages), but its
# wheels are compiled with mypyc: 10,000 sessions parse in 0.22 s instead of 0.62 s.
import tomli
from pydantic import ValidationError

from wego_ical.errors import DataError, Problem
from wego_ical.i18n import ui_text as strings
from wego_ical.limits import (
    MAX_ENTRIES,
    MAX_FILE_BYTES,
    MAX_TEXT_LENGTH,
    MAX_TOTAL_DESCRIPTIONS,
    read_data_file,
)
from wego_ical.load.budget import (
    EntrySize,
    EntryTexts,
    entry_size,
    feed_sizes,
    over_budget,
    repeated_size,
)
from wego_ical.load.messages import (
    KeyLocator,
    public_loc,
    sorted_unique,
    syntax_problem,
    toml_path,
    validation_problem,
    without_misspelled_missing,
)
from wego_ical.load.notes import data_notes
from wego_ical.load.renamed_keys import apply_renames
from wego_ical.model import (
    CalendarEntry,
    Series,
    located_entries,
    raw_duplicate_ids,
)
from wego_ical.model.descriptions import describe, place
from wego_ical.model.entries import categories_of
from wego_ical.model.languages import TranslationProblem, declared_languages, labels_for, resolve
from wego_ical.model.partial import schedule_errors_despite
from wego_ical.words import plural

Loc = tuple[int | str, ...]


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
    # What the organiser should know (old key names still accepted).
    notes: tuple[str, ...] = ()
    # Each calendar entry's description, by entry key: made once, while checking
    # its length, and used again by the build.
    descriptions: Mapping[str, str] = field(default_factory=dict)


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
        raise DataError(path, [syntax_problem(exc, text)]) from None
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
    notes, renaming_problems = apply_renames(data, text)
    if renaming_problems:
        raise DataError(path, renaming_problems)
    languages = declared_languages(data)
    default = languages[0] if languages else None
    notes += _unspoken(languages)
    editions: list[Edition] = []
    sizes: list[EntrySize] = []
    choices: list[str | None] = [*languages] or [None]
    for language in choices:
        missing: list[Loc] = []
        resolved, translation_problems = resolve(data, Series, language, default, missing)
        if missing and language != default:
            notes.append(_untranslated(missing, language, default, data, text))
        if language is not None and default is not None:
            resolved["labels"] = labels_for(
                data.get("labels"), language, default, strings.labels(language)
            )
        if language != default:
            translation_problems = []  # the same as the default language's, reported once
        series, entry_sizes, descriptions = _validated(
            resolved, data, text, path, translation_problems
        )
        # Made without a language (a series in one has none): a copy of each only for one.
        sizes += (
            entry_sizes
            if language is None
            else [replace(size, language=language) for size in entry_sizes]
        )
        editions.append(Edition(language, series, (), descriptions))
    notes += data_notes(editions[0].series, data, text) if editions else []
    if editions and notes:
        editions[0] = replace(editions[0], notes=tuple(notes))
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
) -> tuple[Series, list[EntrySize], dict[str, str]]:
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
        reported = {(public_loc(error["loc"]), error["type"]) for error in errors}
        errors += [
            error
            for error in raw_duplicate_ids(resolved)
            if (public_loc(error["loc"]), error["type"]) not in reported
        ]
        errors += [
            error
            for error in schedule_errors_despite(resolved, errors)
            if (public_loc(error["loc"]), error["type"]) not in reported
        ]
        errors = without_misspelled_missing(errors)
        problems = [validation_problem(error, resolved, locator) for error in errors]
        raise DataError(path, sorted_unique(problems + extra)) from None
    if extra:
        raise DataError(path, sorted_unique(extra))
    problems, sizes, descriptions = _composed_problems(series, resolved, text)
    if problems:
        raise DataError(path, problems)
    return series, sizes, descriptions


def _composed_problems(
    series: Series, data: object, text: str
) -> tuple[list[Problem], list[EntrySize], dict[str, str]]:
    """Limits on what is written, not only on each field: the composed descriptions;
    and each entry's size in the output, for the output budget."""
    locator: KeyLocator | None = None
    problems: list[Problem] = []
    sizes: list[EntrySize] = []
    descriptions: dict[str, str] = {}
    total = 0
    entries: list[CalendarEntry] = []
    for loc, entry in located_entries(series):
        entries.append(entry)
        description = descriptions[entry.key] = describe(series, entry)
        length = len(description)
        # all.ics, its event's feed, its own file, its categories' feeds, and its
        # room's and people's where the series writes them (the page, the exports and
        # feeds.json: see budget.entry_size).
        categories = categories_of(entry, series)
        texts = _written_texts(series, entry, description, categories)
        size = entry_size(_entry_name(entry), 3 + len(categories), texts)
        sizes.append(repeated_size(size, entry, series.publish.feeds))
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
    sizes += feed_sizes(series, entries)
    if total > MAX_TOTAL_DESCRIPTIONS:
        problems.append(
            Problem(
                f"the descriptions of all calendar entries together would be {total:,} "
                f"characters; the limit is {MAX_TOTAL_DESCRIPTIONS:,} (the feeds would take "
                "gigabytes): shorten the texts repeated in every session, such as topics",
                key="events",
            )
        )
    return problems, sizes, descriptions


def _unspoken(languages: list[str]) -> list[str]:
    """A note for the languages the tool has no words of its own in."""
    unspoken = [code for code in languages if not strings.speaks(code)]
    if not unspoken:
        return []
    spoken = ", ".join(strings.spoken())
    return [
        f"the page's own words and the descriptions' headings are in English in the "
        f"{', '.join(repr(code) for code in unspoken)} "
        f"{'edition' if len(unspoken) == 1 else 'editions'}: wego-ical has its own words in "
        f"{spoken} only; give [labels] in {'that language' if len(unspoken) == 1 else 'them'} "
        f'(category = {{ en = "Category", {unspoken[0]} = "…" }}) for the headings'
    ]


def _untranslated(
    missing: list[Loc], language: str | None, default: str | None, data: object, text: str
) -> str:
    """The note for the texts that have no translation into ``language``."""
    line, _ = KeyLocator(text).find(missing[0])
    first = toml_path(missing[0], data) + (f" (line {line})" if line else "")
    one = len(missing) == 1
    return (
        f"{plural(len(missing), 'text')} with translations {'has' if one else 'have'} none "
        f"into '{language}' and {'shows' if one else 'show'} the '{default}' text there "
        f'(the first: {first}); add {language} = "…" to {"it" if one else "them"}'
    )


def _written_texts(
    series: Series, entry: CalendarEntry, description: str, categories: list[str]
) -> EntryTexts:
    """Every text the outputs write for ``entry``: the description, the title, and its
    event's title, place, links, category and people (the exports list them apart
    from the description)."""
    session = entry.session
    others = [entry.event.title, place(series, entry) or "", entry.page_url or ""]
    others += [entry.conference or "", session.description if session else ""]
    others += [series.category(c).name for c in categories]
    others += [series.person(ref.person).name for ref in entry.panelists]
    title = (session.title if session else None) or entry.event.title
    return EntryTexts(description, title, tuple(others))


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


# --------------------------------------------------------------------------- messages


# --------------------------------------------------------------------------- positions
