"""build, checked from outside: icalendar, ical and vobject must read every feed
the same way, and exactly as the data says."""

from __future__ import annotations

import json

import pytest

from conftest import render_files
from parsers import READERS, assert_parsers_agree_with_data
from wego_ical.load import parse_series
from wego_ical.model import Series, occurrences
from wego_ical.text import describe


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
    text = describe(series, occurrences(series)[0])
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
