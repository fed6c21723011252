"""Texts in several languages: ``title = { en = "…", ko = "…" }``.

A series declares ``languages = ["en", "ko"]`` under ``[series]`` (the first is
the default). Any text of the file (a title, name, description, location,
topic, role, label) may then be a table with one entry per language instead
of a string; a plain string is the same in every language. For each language
the raw document is resolved into plain strings (a missing translation falls
back to the default language) and validated like a one-language file, so
everything downstream sees ordinary strings.

Only fields whose type is a text (``Line`` or ``Text`` in the model) take
tables: ids, URLs, dates and zones are the same in every language.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from wego_ical.model import TEXT_CHECKS, Series

Loc = tuple[int | str, ...]


@dataclass(frozen=True)
class TranslationProblem:
    """A table of translations that cannot be used, and where it is."""

    loc: Loc
    message: str


def declared_languages(data: object) -> list[str]:
    """The ``languages`` list of a raw document (empty when it declares none or is malformed)."""
    if not isinstance(data, Mapping):
        return []
    series = data.get("series")
    languages = series.get("languages") if isinstance(series, Mapping) else None
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        return []
    return list(dict.fromkeys(languages))


def resolve(
    data: Mapping[str, Any],
    model: type[BaseModel],
    language: str | None,
    default: str | None,
    missing: list[Loc] | None = None,
) -> tuple[dict[str, Any], list[TranslationProblem]]:
    """``data`` with every table of translations replaced by its text in ``language``.

    ``language`` None means the series declares no languages: a table of
    translations is then a problem. Problems are reported for the default
    language's resolution only (they are the same in every language).
    """
    problems: list[TranslationProblem] = []
    found = _Found(
        language,
        default,
        declared_languages(data),
        problems,
        missing if missing is not None else [],
    )
    resolved = _resolve_table(data, model, (), found)
    return resolved, problems


@dataclass(frozen=True)
class _Found:
    """One resolution: the language it picks and the default it falls back to (None:
    the series declares none), the declared languages; and what it finds: problems,
    and the texts that fall back to the default language (a table of translations
    without this language)."""

    language: str | None
    default: str | None
    declared: list[str]
    problems: list[TranslationProblem]
    missing: list[Loc]
    undeclared: set[str] = field(default_factory=set)


def _resolve_table(
    data: Mapping[str, Any], model: type[BaseModel], loc: Loc, found: _Found
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    kinds = _field_kinds(model)
    for key, value in data.items():
        kind = kinds.get(key)
        if kind is None:
            result[key] = value  # an unknown key: validation reports it
            continue
        result[key] = _resolve_value(value, kind, (*loc, key), found)
    return result


@functools.cache
def _field_kinds(model: type[BaseModel]) -> dict[str, tuple[str, Any]]:
    """What each field of ``model`` holds (see :func:`_kind`), worked out once per model:
    a large series has hundreds of thousands of values to look at."""
    kinds = {}
    for key, info in model.model_fields.items():
        annotation: Any = info.annotation
        if info.metadata:  # pydantic keeps an Annotated field's checks here
            annotation = typing.Annotated[(annotation, *info.metadata)]
        kinds[key] = _kind(annotation)
    return kinds


def _resolve_value(value: Any, kind: tuple[str, Any], loc: Loc, found: _Found) -> Any:
    what, inner = kind
    if what == "text" and isinstance(value, Mapping):
        return _pick(value, loc, found)
    if what == "model" and isinstance(value, Mapping):
        return _resolve_table(value, inner, loc, found)
    if what == "list" and isinstance(value, list):
        if inner[0] == "other":
            return value
        return [
            _resolve_value(item, inner, (*loc, index), found) for index, item in enumerate(value)
        ]
    return value


def _pick(table: Mapping[str, Any], loc: Loc, found: _Found) -> Any:
    language, default, declared, problems = (
        found.language,
        found.default,
        found.declared,
        found.problems,
    )
    if language is None or default is None:
        problems.append(
            TranslationProblem(
                loc,
                "a text per language needs the languages declared under [series], for "
                'example languages = ["en", "ko"]; or write one text in quotes',
            )
        )
        return next(iter(table.values()), "")
    for code in table:
        # Reported at its first text only: a misspelt code in languages would
        # otherwise give one problem for every translated text of the file.
        if code not in declared and code not in found.undeclared:
            found.undeclared.add(code)
            problems.append(
                TranslationProblem(
                    (*loc, code),
                    f"a translation into '{code}', but the series declares "
                    f"{', '.join(repr(d) for d in declared)}; add '{code}' to languages "
                    f"under [series], or remove the '{code}' translations (this is the "
                    "first of them)",
                )
            )
    if default not in table:
        problems.append(
            TranslationProblem(
                loc,
                f"no text in the default language '{default}' (the first of languages); "
                "add it: other languages fall back to it",
            )
        )
        return next(iter(table.values()), "")
    if language not in table:
        found.missing.append(loc)
    return table.get(language, table[default])


def _kind(annotation: Any) -> tuple[str, Any]:
    """ "text", "model" (with the model), "list" (with the kind of its items) or "other",
    for a field's type."""
    annotation = _without_optional(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        if base is str and any(_is_text_check(item) for item in metadata):
            return "text", None
        annotation = _without_optional(base)
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return "list", _kind(item)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    return "other", None


def _without_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(options) == 1:
            return options[0]
    return annotation


def _is_text_check(item: object) -> bool:
    return getattr(item, "func", None) in TEXT_CHECKS


def labels_for(
    raw_labels: object, language: str, default: str, built_in: Mapping[str, str]
) -> dict[str, Any]:
    """The ``[labels]`` of one language: the file's own, else the built-in ones.

    A plain string in the file is in the default language: another language
    uses its built-in label where there is one. A table gives each language
    its own.
    """
    given = raw_labels if isinstance(raw_labels, Mapping) else {}
    result: dict[str, Any] = dict(built_in)
    for key, value in given.items():
        if isinstance(value, Mapping):
            if language in value:
                result[key] = value[language]
            elif key not in built_in and default in value:
                result[key] = value[default]
        elif language == default or key not in built_in:
            result[key] = value
    return result


def fallback_texts(series: Series) -> frozenset[str]:
    """Every text of the series as it is in its default language (titles, names,
    descriptions, topics, labels): what another language shows when untranslated."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(series.model_dump(exclude={"publish"}))
    return frozenset(found)
