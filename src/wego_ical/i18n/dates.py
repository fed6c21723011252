"""Days, times and time zones in words, in the page's language (CLDR data via Babel);
and the fixed formats machines and messages use (:func:`iso_utc`, :func:`basic_utc`,
:func:`hh_mm`, :func:`day_and_clock`): every time wego-ical writes is formatted here.

"Thursday 26 August 2021", "2021년 8월 26일 목요일"; "09:00–09:30", "09:00~09:30";
"Korean Standard Time", "한국 표준시". Babel is imported inside the functions:
only builds need it, not ``check`` or ``--help``.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, tzinfo

from wego_ical.i18n.locales import babel_locale


@functools.cache
def cldr_locale(language: str | None) -> str:
    """The CLDR locale the page's dates are written in for ``language``: en_GB for
    English (the day-month order and 24-hour clock it always had), else its own."""
    if language is None or babel_locale(language) == "en":
        return "en_GB"
    return babel_locale(language)


def day_text(day: date, language: str | None) -> str:
    """A day in full: "Thursday 26 August 2021", "2021년 8월 26일 목요일"."""
    from babel.dates import format_date

    text = format_date(day, format="full", locale=cldr_locale(language))
    # en_GB writes "Thursday, 26 August 2021"; the page never had that comma.
    return text.replace(", ", " ", 1) if cldr_locale(language) == "en_GB" else text


def short_day(day: date, language: str | None) -> str:
    """A day in a few letters: "Thu 26 Aug", "8월 26일 (목)"."""
    from babel.dates import format_skeleton

    return format_skeleton("MMMEd", day, locale=cldr_locale(language))


def days_text(first: date, last: date, language: str | None) -> str:
    """A range of days, as the language writes it: "Tuesday 24 – Thursday 26 March 2026",
    "2026년 3월 24일 화요일~26일 목요일"; one day in full when they are the same."""
    if first == last:
        return day_text(first, language)
    from babel.dates import format_interval

    return _spaced(format_interval(first, last, "yMMMMEEEEd", locale=cldr_locale(language)))


def clock(moment: datetime, language: str | None) -> str:
    """A time of day, 24-hour: "09:00"."""
    from babel.dates import format_skeleton

    return format_skeleton("Hm", moment.replace(tzinfo=None), locale=cldr_locale(language))


def time_span(start: datetime, end: datetime, language: str | None) -> str:
    """From ``start`` to ``end`` (both in the zone they are shown in): "09:00–09:30";
    the end's day is named when it is another: "21:00 – Wed 17 Jun, 02:00"."""

    locale = cldr_locale(language)
    naive_start, naive_end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    if naive_start.date() == naive_end.date():
        return _times_of_day(naive_start.time(), naive_end.time(), locale)
    from babel import Locale
    from babel.dates import format_skeleton

    cldr = Locale.parse(locale)
    fallback = str(cldr.interval_formats.get(None, "{0} – {1}"))
    # A day and a time joined as the language joins them ("{1}, {0}": "Wed 17 Jun, 02:00").
    joined = str(cldr.datetime_formats.get("medium", "{1} {0}"))
    until = joined.format(clock(end, language), format_skeleton("MMMEd", naive_end, locale=locale))
    return _spaced(fallback.format(clock(start, language), until))


@functools.lru_cache(maxsize=4096)
def _times_of_day(start: time, end: time, locale: str) -> str:
    # A schedule repeats its time slots day after day: each pair is formatted once
    # (Babel's interval formatting took a sixth of a large page's time).
    from babel.dates import format_interval

    return _spaced(format_interval(start, end, "Hm", locale=locale))


def _spaced(text: str) -> str:
    """Ordinary spaces for CLDR's thin and narrow ones: Babel places them unevenly in
    some intervals ("24\u2009March –\u2009Thursday"), and a page wraps at ordinary
    spaces the same way in every browser."""
    return text.replace("\u2009", " ").replace("\u202f", " ")


def zone_name(zone: str, moment: datetime, language: str | None) -> str:
    """The zone's name at ``moment``, as people say it: "Korean Standard Time",
    "British Summer Time", "한국 표준시"; "UTC" for UTC."""
    from zoneinfo import ZoneInfo

    from babel.dates import get_timezone_name

    if zone in {"UTC", "Etc/UTC", "Etc/GMT", "GMT"}:
        return "UTC"
    return get_timezone_name(
        moment.astimezone(ZoneInfo(zone)), "long", locale=cldr_locale(language)
    )


def generic_zone_name(zone: str, language: str | None) -> str:
    """The zone's name whatever the date, as CLDR gives it: "Eastern Time", "미 동부 시간"
    (for a line that covers dates on both sides of a clock change); "UTC" for UTC."""
    from zoneinfo import ZoneInfo

    from babel.dates import get_timezone_name

    if zone in {"UTC", "Etc/UTC", "Etc/GMT", "GMT"}:
        return "UTC"
    return get_timezone_name(
        ZoneInfo(zone), "long", locale=cldr_locale(language), zone_variant="generic"
    )


def zone_city(zone: str, language: str | None) -> str:
    """The city that names the zone, in the language: "Seoul", "서울" ('' for UTC)."""
    from zoneinfo import ZoneInfo

    from babel.dates import get_timezone_location

    if "/" not in zone or zone.startswith("Etc/"):
        return ""
    return get_timezone_location(ZoneInfo(zone), locale=cldr_locale(language), return_city=True)


def zone_label(zone: str, moment: datetime | None, language: str | None) -> str:
    """The zone named for a reader: "Korean Standard Time (Seoul)", "한국 표준시(서울)"; with
    no ``moment`` (times on both sides of a clock change), its generic name: "Eastern
    Time (New York)"."""
    name = zone_name(zone, moment, language) if moment else generic_zone_name(zone, language)
    city = zone_city(zone, language)
    if not city:
        return name
    return (
        f"{name}({city})"
        if cldr_locale(language).startswith(("ko", "ja", "zh"))
        else (f"{name} ({city})")
    )


# --- fixed formats ---------------------------------------------------------------


def in_zone(local: datetime, zone: tzinfo | None) -> datetime:
    """The wall time ``local`` in ``zone``: ``local.replace(tzinfo=zone)``."""
    # combine() takes a third of the time of replace(), which parses its eight
    # keywords; a build of 100,000 sessions places a time in its zone millions of times.
    return datetime.combine(local, local.time(), zone)


# %-formatting takes a third of the time of strftime() and half that of an f-string;
# it formats every time of every page and export. The years of a series have four
# digits (limits.LAST_YEAR), which %04d writes as strftime's %Y does.
def iso_utc(moment: datetime) -> str:
    """``2021-08-26T00:00:00Z``: an aware time in UTC, as machines read it (RFC 3339)."""
    utc = moment.astimezone(UTC)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second
    )  # fmt: skip


def basic_utc(moment: datetime) -> str:
    """``20210826T000000Z``: an aware time in UTC in iCalendar's basic format."""
    utc = moment.astimezone(UTC)
    return "%04d%02d%02dT%02d%02d%02dZ" % (  # noqa: UP031
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second
    )  # fmt: skip


def hh_mm(moment: time | datetime) -> str:
    """``09:30``: a time of day, in messages and the frab schedule."""
    return moment.strftime("%H:%M")


def day_and_clock(moment: datetime) -> str:
    """``2021-08-26 09:30``: a local day and time, in messages."""
    return moment.strftime("%Y-%m-%d %H:%M")


def utc_day_and_time(moment: datetime) -> str:
    """``2021-08-26 00:00:00 UTC``: a time in UTC with its seconds (a schedule's version)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
