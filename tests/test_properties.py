"""Property-based tests: random valid series always build, and every feed reads
back in icalendar, ical and vobject as exactly the data's UTC times and texts.

The default run is short; set HYPOTHESIS_PROFILE=long for a thorough one.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from parsers import assert_parsers_agree_with_data
from wego_ical.load.series_file import parse_series
from wego_ical.model import local_time_problem

settings.register_profile(
    "default", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -03:30
    "America/Sao_Paulo",  # irregular DST until 2019
    "Asia/Kolkata",
    "Asia/Seoul",
    "UTC",
]

# Letters from several scripts, combining marks, emoji, and iCalendar's specials.
ALPHABET = st.one_of(
    st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs", "M"]),
    st.sampled_from(list("세계스마트시티São,;\\:\"'<>&🎉👩‍💻é\u0301")),
)
LINE = st.text(ALPHABET, min_size=1, max_size=40).filter(lambda s: s.strip() != "")
TEXT = st.text(st.one_of(ALPHABET, st.just("\n")), max_size=200)


def transitions(zone: ZoneInfo, year: int) -> list[date]:
    """Days on which the zone's UTC offset changes."""
    days = []
    day = date(year, 1, 1)
    while day.year == year:
        today = datetime.combine(day, time(0), zone).utcoffset()
        tomorrow = datetime.combine(day + timedelta(days=1), time(0), zone).utcoffset()
        if today != tomorrow:
            days += [day, day + timedelta(days=1)]
        day += timedelta(days=1)
    return days


@st.composite
def event_days(draw: st.DrawFn, zone_name: str, count: int) -> list[date]:
    zone = ZoneInfo(zone_name)
    year = draw(st.integers(2018, 2027))
    near_changes = transitions(zone, year)
    days = set()
    for _ in range(count):
        if near_changes and draw(st.booleans()):  # type: ignore[arg-type]  # hypothesis stub
            days.add(draw(st.sampled_from(near_changes)))
        else:
            days.add(date(year, 1, 1) + timedelta(days=draw(st.integers(0, 364))))
    return sorted(days)


@st.composite
def series_toml(draw: st.DrawFn) -> str:
    zone = draw(st.sampled_from(ZONES))
    days = draw(event_days(zone, draw(st.integers(1, 3))))
    categories = draw(st.lists(LINE, min_size=1, max_size=3))
    lines = [
        "[series]",
        'id = "random"',
        f"title = {toml(draw(LINE))}",
        f"description = {toml(draw(TEXT))}",
        'url = "https://example.org/"',
        f"timezone = {toml(zone)}",
        'uid_domain = "example.org"',
        "updated = 2024-01-01T00:00:00Z",
        "[series.organiser]",
        f"name = {toml(draw(LINE))}",
    ]
    for index, name in enumerate(categories):
        lines += ["[[categories]]", f'id = "c{index}"', f"name = {toml(name)}"]
        lines += [f"topics = [{toml(draw(LINE))}]"]
    lines += ["[[people]]", 'id = "p"', f"name = {toml(draw(LINE))}"]
    lines += [f"role = {toml(draw(LINE))}"]
    lines += ["[[projects]]", 'id = "x"', f"city = {toml(draw(LINE))}", 'category = "c0"']
    for number, day in enumerate(days):
        lines += ["[[events]]", f'id = "e{number}"', f"title = {toml(draw(LINE))}"]
        lines += [f"date = {day.isoformat()}", f"description = {toml(draw(TEXT))}"]
        lines += [f"location = {toml(draw(LINE))}", 'panelists = ["p"]']
        if number == 0:
            lines += ["all_categories = true"]
        starts = sorted(set(draw(st.lists(st.integers(0, 95), min_size=0, max_size=4))))
        if not starts:
            start, end = draw(slot(zone, day))
            lines += [f"start = {start}", f"end = {end}"]
            continue
        for index, quarter in enumerate(starts):
            limit = starts[index + 1] if index + 1 < len(starts) else 96
            length = draw(st.integers(1, max(1, limit - quarter - (1 if limit == 96 else 0))))
            start = time(quarter // 4, quarter % 4 * 15)
            end_quarter = min(quarter + length, 95)
            assume(end_quarter > quarter)
            end = time(end_quarter // 4, end_quarter % 4 * 15)
            for moment in (start, end):
                assume(not local_time_problem(datetime.combine(day, moment), ZoneInfo(zone)))
            lines += ["[[events.sessions]]", f'id = "s{index}"', f"start = {start}", f"end = {end}"]
            lines += [f'category = "c{draw(st.integers(0, len(categories) - 1))}"']
            lines += [f"title = {toml(draw(LINE))}", f"description = {toml(draw(TEXT))}"]
            lines += ['projects = ["x"]']
    return "\n".join(lines) + "\n"


@st.composite
def slot(draw: st.DrawFn, zone: str, day: date) -> tuple[time, time]:
    first = draw(st.integers(0, 94))
    last = draw(st.integers(first + 1, 95))
    start, end = time(first // 4, first % 4 * 15), time(last // 4, last % 4 * 15)
    for moment in (start, end):
        assume(not local_time_problem(datetime.combine(day, moment), ZoneInfo(zone)))
    return start, end


def toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(value, ensure_ascii=False)


@given(series_toml())
def test_random_series_build_and_read_back_exactly(text: str) -> None:
    series = parse_series(text)
    assert_parsers_agree_with_data(series)


@st.composite
def schedule_toml(draw: st.DrawFn) -> str:
    """Events over several days with whole-day items, sessions after midnight and a
    time zone per event (and per session, where it cannot overlap another)."""
    series_zone = draw(st.sampled_from(ZONES))
    lines = [
        "[series]",
        'id = "schedule"',
        'title = "Schedule"',
        'url = "https://example.org/"',
        f"timezone = {toml(series_zone)}",
        'uid_domain = "example.org"',
        "updated = 2024-01-01T00:00:00Z",
        "[series.organiser]",
        'name = "O"',
    ]
    for number in range(draw(st.integers(1, 3))):
        zone = draw(st.sampled_from(ZONES))
        first = draw(event_days(zone, 1))[0]
        length = draw(st.integers(0, 3))
        last = first + timedelta(days=length)
        lines += ["[[events]]", f'id = "e{number}"', f"title = {toml(draw(LINE))}"]
        lines += [f"date = {first}", f"timezone = {toml(zone)}"]
        if length:
            lines += [f"end_date = {last}"]
        kinds = draw(
            st.lists(
                st.sampled_from(["all_day", "timed", "overnight", "none"]),
                min_size=length + 1,
                max_size=length + 1,
            )
        )
        # An overnight session needs a free next day (it would overlap what is there).
        kinds = [
            "none"
            if kind == "overnight" and (offset == length or kinds[offset + 1] != "none")
            else kind
            for offset, kind in enumerate(kinds)
        ]
        if all(kind == "none" for kind in kinds):
            if draw(st.booleans()):
                lines += ["all_day = true"]
            else:
                start, end = draw(slot(zone, first))
                lines += [f"start = {start}", f"end = {end}"]
            continue
        timed = sum(kind in ("timed", "overnight") for kind in kinds)
        for offset, kind in enumerate(kinds):
            if kind == "none":
                continue
            day = first + timedelta(days=offset)
            lines += ["[[events.sessions]]", f'id = "s{offset}"', f"date = {day}"]
            own_zone = zone
            if timed == 1 and draw(st.booleans()):
                own_zone = draw(st.sampled_from(ZONES))
                lines += [f"timezone = {toml(own_zone)}"]
            if kind == "all_day":
                span = draw(st.integers(0, length - offset))
                lines += ["all_day = true"]
                if span:
                    lines += [f"end_date = {day + timedelta(days=span)}"]
            elif kind == "timed":
                start, end = draw(slot(own_zone, day))
                lines += [f"start = {start}", f"end = {end}"]
            else:
                start = time(draw(st.integers(18, 23)), 15 * draw(st.integers(0, 3)))
                end = time(draw(st.integers(0, 5)), 15 * draw(st.integers(0, 3)))
                following = day + timedelta(days=1)
                for local in (datetime.combine(day, start), datetime.combine(following, end)):
                    assume(not local_time_problem(local, ZoneInfo(own_zone)))
                lines += [f"start = {start}", f"end = {end}", f"end_date = {following}"]
    return "\n".join(lines) + "\n"


@given(schedule_toml())
def test_random_schedules_build_and_read_back_exactly(text: str) -> None:
    series = parse_series(text)
    assert_parsers_agree_with_data(series)


def test_a_backslash_and_an_n_stay_two_characters() -> None:
    """icalendar reads "\\N" in a text as a line break and writes it so: a Windows path
    in a description ("C:\\New folder") must come back as written, in every parser."""
    text = (
        '[series]\nid = "random"\ntitle = "C:\\\\New"\nurl = "https://example.org/"\n'
        'timezone = "Asia/Seoul"\nuid_domain = "example.org"\n'
        '[series.organiser]\nname = "0"\n[[categories]]\nid = "c0"\nname = "a\\\\Nb"\n'
        '[[events]]\nid = "e0"\ntitle = "C:\\\\New"\ndate = 2021-08-26\nstart = 10:00:00\n'
        'end = 10:30:00\ndescription = "C:\\\\New folder\\\\\\\\Next"\nlocation = "\\\\N"\n'
        "all_categories = true\n"
    )
    assert_parsers_agree_with_data(parse_series(text))
