"""Language codes: which ones a series may declare, and how pages name them.

Kept apart from the schema and from the translation of texts, which both need
it (and once imported each other for it).
"""

from __future__ import annotations

import functools

from wego_ical.words import closest


@functools.cache
def known_languages() -> frozenset[str]:
    """Language codes Babel has data for (``en``, ``ko``, ``pt_BR`` …), with hyphens too."""
    from babel.localedata import locale_identifiers

    codes = set(locale_identifiers())
    return frozenset(codes | {code.replace("_", "-") for code in codes})


# Country codes written where a language code belongs (Korea is KR, Korean is ko).
COUNTRY_NOT_LANGUAGE = {
    "kr": "ko", "jp": "ja", "cn": "zh", "tw": "zh-TW", "ua": "uk", "gr": "el", "dk": "da",
    "se": "sv", "cz": "cs", "il": "he", "br": "pt-BR", "vn": "vi", "ir": "fa", "at": "de",
    "ee": "et", "rs": "sr", "si": "sl", "by": "be", "kz": "kk", "gb": "en", "us": "en",
    "uk-UA": "uk", "en-UK": "en-GB",
}  # fmt: skip


def language_problem(code: str) -> str:
    """Why ``code`` is not a usable language code ('' when it is)."""
    if code in known_languages():
        return ""
    meant = COUNTRY_NOT_LANGUAGE.get(code) or COUNTRY_NOT_LANGUAGE.get(code.lower())
    close = [meant] if meant else closest(code, sorted(known_languages()), n=2)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return (
        f"unknown language code '{code}'{hint} Use an ISO 639 code such as 'en' or 'ko' "
        "(optionally with a region, such as 'pt-BR')"
    )


def html_language(code: str | None) -> str:
    """The ``lang`` attribute for a language code (``pt_BR`` → ``pt-BR``; none: ``en``)."""
    return (code or "en").replace("_", "-")


def babel_locale(code: str) -> str:
    """The identifier Babel takes for a language code (``pt-BR`` → ``pt_BR``)."""
    return code.replace("-", "_")


def base_language(code: str) -> str:
    """The language without its region or script (``pt-BR`` and ``pt_BR`` → ``pt``)."""
    return code.split("-")[0].split("_")[0]


def og_locale(code: str | None) -> str:
    """The ``og:locale`` of a page in ``code``: language and territory, as Open Graph
    wants them ("en_GB", the English the pages write; "ko_KR"; "pt_BR" as given)."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    if code is None or (base_language(code) == "en" and "-" not in code):
        return "en_GB"
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return code.replace("-", "_")
    if locale.territory:
        return f"{locale.language}_{locale.territory}"
    likely = str(get_global("likely_subtags").get(locale.language, ""))
    territory = likely.rsplit("_", 1)[-1] if likely.count("_") >= 1 else ""
    return f"{locale.language}_{territory}" if territory.isupper() else locale.language


def text_direction(language: str | None) -> str:
    """``rtl`` for a language written right to left (Arabic, Hebrew, Persian, …), per
    CLDR; else ``ltr``."""
    if language is None:
        return "ltr"
    from babel import Locale, UnknownLocaleError

    try:
        order = Locale.parse(babel_locale(language)).character_order
        return "rtl" if order == "right-to-left" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"
