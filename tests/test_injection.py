"""Text from the TOML can only ever be text: it cannot add components or
properties to a feed, markup to the page, or files outside the output folder."""

from __future__ import annotations

import json
from collections import Counter

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from conftest import BUILD_TIME
from parsers import vobject_read
from wego_ical.errors import DataError
from wego_ical.lint.checks import lint
from wego_ical.load.series_file import parse_series
from wego_ical.publication.assemble import make_publication

PAYLOAD = (
    "x\r\nBEGIN:VEVENT\r\nUID:evil@example.org\r\nDTSTAMP:20200101T000000Z\r\n"
    "DTSTART:20200101T000000Z\r\nSUMMARY:injected\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    'BEGIN:VCALENDAR\nATTACH:http://evil\n;,\\\\ ORGANIZER;CN="x":mailto:evil@example.org\n'
    "DESCRIPTION:replaced\r\n"
)
ONE_LINE = 'END:VCALENDAR;BEGIN:VEVENT, DTSTART:19700101T000000Z \\\\ ORGANIZER;CN="x":mailto:e'


def series_text() -> str:
    payload, line = json.dumps(PAYLOAD), json.dumps(ONE_LINE)
    return f"""
[series]
id = "inject"
title = {line}
description = {payload}
url = "https://example.org/"
timezone = "Europe/Berlin"
uid_domain = "example.org"
updated = 2024-01-01T00:00:00Z
[series.organiser]
name = {line}

[[categories]]
id = "c"
name = {line}
topics = [{line}, {line}]

[[people]]
id = "p"
name = {line}
role = {line}
organisation = {line}

[[projects]]
id = "x"
city = {line}
title = {line}
category = "c"
prize = {line}

[[events]]
id = "e"
title = {line}
date = 2024-05-01
location = {line}
host = {line}
description = {payload}
interpretation = [{line}]
panelists = ["p"]

[[events.sessions]]
id = "s"
title = {line}
start = 10:00:00
end = 11:00:00
category = "c"
projects = ["x"]
description = {payload}

[[events]]
id = "f"
title = {line}
date = 2024-05-02
start = 10:00:00
end = 11:00:00
all_categories = true
judges = ["p"]
description = {payload}
"""


EXPECTED_PROPERTIES = Counter(
    [
        "SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "UID", "SEQUENCE", "CATEGORIES",
        "DESCRIPTION", "LAST-MODIFIED", "LOCATION", "ORGANIZER", "STATUS", "TRANSP", "URL",
    ]
)  # fmt: skip


def test_text_cannot_add_components_or_properties() -> None:
    publication = make_publication(parse_series(series_text()), None, BUILD_TIME)
    files = {path: publication.content(path) for path in publication.files}
    for path, content in files.items():
        if not path.endswith(".ics"):
            continue
        assert lint(content) == [], path
        calendar = icalendar.Calendar.from_ical(content)
        names = Counter(component.name for component in calendar.walk())
        expected_events = {"all.ics": 2, "categories/c.ics": 2}.get(path, 1)
        assert names["VCALENDAR"] == 1 and names["VTIMEZONE"] == 1, path
        assert names["VEVENT"] == expected_events, path
        assert content.count(b"\r\nBEGIN:VEVENT\r\n") == expected_events
        assert content.count(b"\r\nEND:VCALENDAR\r\n") == 1
        for event in calendar.events:
            properties = Counter(name for name, _ in event.property_items(recursive=False))
            expected = EXPECTED_PROPERTIES - Counter(
                ["LOCATION"] if str(event["UID"]).startswith("inject.f@") else []
            )
            assert properties == expected + Counter(["BEGIN", "END"]), (path, properties)
            assert str(event["UID"]).startswith("inject.")
            assert "evil" not in str(event["ORGANIZER"])
            text = str(event["DESCRIPTION"])
            assert "BEGIN:VEVENT\nUID:evil@example.org" in text  # still there, as text
        parsed_ical = IcsCalendarStream.calendar_from_ics(content.decode())
        assert len(parsed_ical.events) == expected_events
        assert len(vobject_read(content.decode()).vevent_list) == expected_events


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\u2028b", "a\x00b", "a\x1bb"])
def test_line_breaks_and_controls_are_refused_in_one_line_fields(bad: str) -> None:
    text = series_text().replace(f"title = {json.dumps(ONE_LINE)}", f"title = {json.dumps(bad)}", 1)
    with pytest.raises(DataError, match=r"series\.title"):
        parse_series(text)


@pytest.mark.parametrize("bad", ["../../etc", "/etc/passwd", "a/b", "..", "C:\\x", "e.ics"])
def test_ids_cannot_leave_the_output_folder(bad: str) -> None:
    text = series_text().replace('id = "e"', f"id = {json.dumps(bad)}", 1)
    with pytest.raises(DataError, match="is not a valid id"):
        parse_series(text)
