"""The tool's own words in each language it speaks: description headings, page texts and
the feed of changes, read from ``catalogues/<language>.toml``.

English headings are the model's defaults (:class:`~wego_ical.model.Labels`); other
languages' are in their catalogue. A series may override any label in ``[labels]``.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

from wego_ical.i18n.locales import base_language

CATALOGUES = Path(__file__).parent / "catalogues"


@functools.cache
def _catalogues() -> dict[str, dict[str, dict[str, str]]]:
    """Each language's words (``catalogues/<code>.toml``), by language: its ``labels``
    (headings inside descriptions), ``page`` and ``changes`` (the feed of changes)."""
    return {
        path.stem: tomllib.loads(path.read_text(encoding="utf-8"))
        for path in sorted(CATALOGUES.glob("*.toml"))
    }


def _words(part: str, language: str | None) -> dict[str, str]:
    """The ``part`` words of ``language`` (or of its base language), English where it
    has none."""
    words = dict(_catalogues()["en"].get(part, {}))
    if language is not None:
        words |= _own(language).get(part, {})
    return words


def _own(language: str) -> dict[str, dict[str, str]]:
    """The catalogue of ``language``, else of its base language (``pt`` for ``pt-BR``)."""
    catalogues = _catalogues()
    return catalogues.get(language) or catalogues.get(base_language(language)) or {}


def spoken() -> list[str]:
    """The languages the tool has its own words in."""
    return sorted(_catalogues())


def labels(language: str | None) -> dict[str, str]:
    """The built-in labels of ``language`` (empty: the English defaults apply)."""
    if language is None:
        return {}
    return dict(_own(language).get("labels", {}))


def speaks(language: str) -> bool:
    """Whether the tool has its own words (page texts, headings) in ``language``."""
    return bool(_own(language))


def changes(language: str | None) -> dict[str, str]:
    """The words of the feed of changes in ``language``, English where it has none."""
    return _words("changes", language)


def page(language: str | None) -> dict[str, str]:
    """The page texts of ``language``, English where it has none."""
    return _words("page", language)


def count(words: dict[str, str], key: str, number: int, language: str | None = None) -> str:
    """``number`` things in words: "7 events", "일정 7개" (``key``: "count", "sessions"),
    in the CLDR plural form ``language`` uses for ``number`` ("one", "few", "many", …)
    where the words have it, else their "other" form."""
    form, written = _number(language or "en", number)
    return words.get(f"{key}_{form}", words[f"{key}_other"]).format(count=written)


@functools.lru_cache(maxsize=4096)
def _number(language: str, number: int) -> tuple[str, str]:
    """The plural form of ``number`` in ``language``, and the number as the language
    writes it ("10,000", not "10000"). A large series' pages ask for a few numbers
    thousands of times, and Babel takes some 7 µs for each."""
    locale = _locale(language)
    return locale.plural_form(number), format_decimal(number, locale=locale)


def entries(words: dict[str, str], sessions: int, events: int, language: str | None = None) -> str:
    """What a feed holds, by what it is: "3 sessions", "1 event", or "1 session and 1
    event" (a category's feed holds the awards ceremony too, and says so). Each count
    keeps its number and word together (no-break spaces): a narrow row breaks the
    phrase between them, never inside one."""
    made = {
        "sessions": count(words, "sessions", sessions, language).replace(" ", "\u00a0"),
        "events": count(words, "count", events, language).replace(" ", "\u00a0"),
    }
    if not events:
        return made["sessions"]
    if not sessions:
        return made["events"]
    return words["sessions_and_events"].format(**made)


def plural_form(language: str, number: int) -> str:
    """CLDR's plural category of ``number`` in ``language`` (English's rules for a
    language Babel does not know)."""
    return _locale(language).plural_form(number)


@functools.lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")
