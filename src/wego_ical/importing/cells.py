"""A spreadsheet cell's value as people write it: a day (2021-08-26, 26.08.2021,
26/08/2021), a day with its time, a time (09:00, 9h00, 9:00 AM), a length (30, 1h30,
1:30), yes or no (TRUE, ja, x), a web address without its scheme (www.example.org).
Each raises a ValueError naming the row and what to write instead."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

_CLOCK = re.compile(r"(\d{1,2})[:.h](\d{2})(?::(\d{2}))?\s*(?:([AaPp])\.?\s*[Mm]\.?)?")
_DAY = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})")
_LENGTH = re.compile(
    r"(?:(\d{1,2}):(\d{2})(?::00)?|(?:(\d{1,2})\s*h\s*)?(?:(\d{1,4})\s*(?:m|min|mins|minutes)?)?)"
)


def cell_day(text: str, row: int, order: str | None = None) -> date:
    """A day as spreadsheets write it: 2021-08-26, 26.08.2021, 26/08/2021 or 08/26/2021
    (the order told by a part over 12, else by ``order``: --date-order)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    found = _DAY.fullmatch(text.strip())
    if found:
        first, separator, second, year = found.groups()
        day, month = int(first), int(second)
        if separator == "/" and (order == "month-first" or month > 12 >= day):
            day, month = month, day
        elif separator == "/" and order is None and day <= 12 and month <= 12 and day != month:
            raise ValueError(
                f"row {row}: date {text!r} could be day/month or month/day; import again "
                "with --date-order day-first (26/08/2021) or --date-order month-first "
                "(08/26/2021)"
            )
        try:
            return date(int(year), month, day)
        except ValueError:
            pass
    raise ValueError(f"row {row}: date {text!r} is not YYYY-MM-DD (or DD.MM.YYYY)")


# A cell that begins with a date (2015-11-23, 23.11.2015, 11/23/2015), a time after it.
DAY_FIRST = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{4}")
_MOMENT = re.compile(r"(\S+?)(?:(?:\s+|T)(\S.*))?")


def cell_moment(text: str, row: int, order: str | None) -> tuple[date, str | None]:
    """A day, and the time written after it (None: a date alone)."""
    found = _MOMENT.fullmatch(text.strip())
    if not found or not DAY_FIRST.match(found[1]):
        raise ValueError(
            f"row {row}: no date: {text!r}; give a date column, or the days in the start "
            "column (2026-05-04, or 2026-05-04 09:00)"
        )
    return cell_day(found[1], row, order), found[2]


_YES = frozenset({"true", "yes", "y", "1", "x", "ja", "wahr", "oui", "vrai", "sí", "si", "예"})
_NO = frozenset({"", "false", "no", "n", "0", "nein", "falsch", "non", "faux", "아니오"})


def cell_yes(text: str, row: int) -> bool:
    """A yes-or-no cell (TRUE, FALSE, yes, ja, x, empty…)."""
    value = text.strip().casefold()
    if value in _YES or value in _NO:
        return value in _YES
    raise ValueError(f"row {row}: {text!r} is not yes or no (TRUE or FALSE)")


# A web address written without its scheme, as people do: www.example.org/talks.
_BARE_HOST = re.compile(r"[\w-]+(\.[\w-]+)*\.[a-z]{2,}(/\S*)?", re.IGNORECASE)


def with_scheme(url: str) -> str:
    """``url``, with ``https://`` before an address written without it."""
    return f"https://{url}" if _BARE_HOST.fullmatch(url) else url


def cell_clock(text: str, row: int) -> time:
    """A time as spreadsheets write it: 09:00, 9:00, 9.00, 9h00, 09:00:00, 9:00 AM."""
    found = _CLOCK.fullmatch(text.strip())
    if found:
        hour, minute, second = int(found[1]), int(found[2]), int(found[3] or 0)
        twelve_hour = found[4] is not None
        if twelve_hour:
            hour = hour % 12 + (12 if found[4] in "Pp" else 0) if 1 <= hour <= 12 else 99
        try:
            return time(hour, minute, second)
        except ValueError:
            pass
    if not text.strip():
        raise ValueError(
            f"row {row}: no time; give start and end (or duration) columns, or a start "
            "such as 09:00-09:30"
        )
    raise ValueError(f"row {row}: time {text!r} is not HH:MM")


def cell_duration(text: str, row: int) -> timedelta:
    """A length as spreadsheets write it: 30 (minutes), 30 min, 1h30, 1:30, 01:30:00."""
    found = _LENGTH.fullmatch(text.strip().casefold())
    if found and text.strip():
        clock_hours, clock_minutes, hours, minutes = found.groups()
        if clock_hours is not None:
            length = timedelta(hours=int(clock_hours), minutes=int(clock_minutes))
        else:
            length = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
        if timedelta(0) < length < timedelta(hours=24):
            return length
    raise ValueError(f"row {row}: duration {text!r} is not minutes (30) or HH:MM (0:30)")
