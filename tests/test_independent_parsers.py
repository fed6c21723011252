"""build, checked from outside: icalendar, ical and vobject must read every feed
the same way, and exactly as the data says."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from conftest import CONFERENCE, render_files
from parsers import READERS, assert_parsers_agree_with_data
from wego_ical.load.series_file import load_series, parse_series
from wego_ical.model import Series, calendar_entries
from wego_ical.model.descriptions import describe


def test_wego_feeds_read_identically_by_three_parsers(wego: Series) -> None:
    assert_parsers_agree_with_data(wego)


def test_known_utc_times_through_every_parser(wego: Series) -> None:
    feeds = render_files(wego)
    for name, read in READERS.items():
        part_1 = read(feeds["part-1.ics"])["wego-awards-4.part-1.mobility@we-gov.org"]
        assert part_1.start.isoformat() == "2021-08-26T00:00:00+00:00", name
        ceremony = read(feeds["ceremony.ics"])["wego-awards-4.ceremony@we-gov.org"]
        assert (ceremony.start.isoformat(), ceremony.end.isoformat()) == (
            "2021-10-18T06:00:00+00:00",
            "2021-10-18T08:00:00+00:00",
        ), name


TRICKY = 'São Paulo, 세계스마트시티기구; a\\\\b — "quoted" ’apostrophe’ 🎉 e\u0301'


def toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(value, ensure_ascii=False)


TRICKY_SERIES = f'''
[series]
id = "tricky"
title = "Tricky; text, series"
description = """Line one, with a comma; and a semicolon.
Line two: back\\\\slash \\\\n (not a newline)"""
url = "https://example.org/a?b=c&d=e"
timezone = "Asia/Seoul"
uid_domain = "example.org"
updated = 2021-01-01T00:00:00Z

[series.organiser]
name = "Org, Inc.; \\"Events\\""

[[categories]]
id = "c"
name = {toml(TRICKY)}
topics = ["one, two", "three; four", "five\\\\six"]

[[people]]
id = "p"
name = "세계스마트시티기구"
role = "Role, with; punctuation"

[[projects]]
id = "x"
city = "São Paulo"
title = "Free Fab Lab, SP Network; \\\\ \\"and\\" more"
category = "c"

[[events]]
id = "e"
title = {toml(TRICKY)}
date = 2021-08-26
location = "Room 1, Floor 2; Building \\\\3"
description = """First line
second line, with comma

after a blank line; BEGIN:VEVENT
END:VCALENDAR"""

[[events.sessions]]
id = "s"
start = 09:00:00
end = 09:30:00
category = "c"
projects = ["x"]
panelists = ["p"]
description = "Multi\\nline\\r\\nwith CRLF"
'''


def test_special_characters_survive_the_round_trip_in_all_parsers() -> None:
    series = parse_series(TRICKY_SERIES)
    assert_parsers_agree_with_data(series)
    text = describe(series, calendar_entries(series)[0])
    for piece in (
        "São Paulo",
        "세계스마트시티기구",
        "one, two",
        "three; four",
        "five\\six",
        "Multi\nline\nwith CRLF",
        'SP Network; \\ "and" more',
    ):
        assert piece in text


@pytest.mark.parametrize("reader", sorted(READERS))
def test_injected_component_lines_stay_text(reader: str) -> None:
    series = parse_series(TRICKY_SERIES)
    for content in render_files(series).values():
        parsed = READERS[reader](content)
        assert len(parsed) == 1
        assert content.count(b"\r\nBEGIN:VEVENT\r\n") == 1
        assert content.count(b"\r\nEND:VCALENDAR\r\n") == 1


def test_the_two_city_conference_reads_identically_by_three_parsers() -> None:
    assert_parsers_agree_with_data(load_series(CONFERENCE))


def test_conference_times_through_every_parser() -> None:
    """Known instants: London is on GMT until 29 March 2026, New York on EDT from 8 March."""
    feeds = render_files(load_series(CONFERENCE))
    uid = "open-cities-2026.{}@example.org".format
    for name, read in READERS.items():
        events = read(feeds["all.ics"])
        night = events[uid("london.night-session")]
        assert (night.start, night.end) == (
            datetime(2026, 3, 25, 22, tzinfo=UTC),
            datetime(2026, 3, 26, 1, tzinfo=UTC),
        ), name
        panel = events[uid("new-york.mobility-panel")]
        assert panel.start == datetime(2026, 3, 27, 14, tzinfo=UTC), name
        closing = events[uid("new-york.closing")]
        assert closing.start == datetime(2026, 3, 27, 17, tzinfo=UTC), name
        days = events[uid("london.conference-days")]
        assert (days.start, days.end) == (date(2026, 3, 24), date(2026, 3, 27)), name
        deadline = events[uid("call-for-talks-closes")]
        assert (deadline.start, deadline.end) == (date(2026, 3, 1), date(2026, 3, 2)), name
