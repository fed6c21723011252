"""links: subscribe and add-to-calendar URLs are well formed and fully encoded."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from wego_ical import limits
from wego_ical.plan.records import Snapshot
from wego_ical.render import calendar_links as links

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2021, 8, 26, 9, 0, tzinfo=SEOUL)
END = datetime(2021, 8, 26, 9, 30, tzinfo=SEOUL)


def happening(title: str, details: str, location: str | None, zone: str = "Asia/Seoul") -> Snapshot:
    """A session from START to END in ``zone``, as its snapshot publishes it."""
    local = ZoneInfo(zone)
    return Snapshot(
        summary=title,
        start=START.astimezone(local).replace(tzinfo=None),
        end=END.astimezone(local).replace(tzinfo=None),
        timezone=zone,
        description=details,
        location=location,
        organizer_name="O",
        organizer_address="https://example.org/",
    )


TEXT = "São Paulo & Jakarta #1; 50% done?\nnext=line"


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_feed_and_webcal_urls() -> None:
    url = links.feed_url("https://example.org/cal/", "categories/safe city.ics")
    assert url == "https://example.org/cal/categories/safe%20city.ics"
    assert links.webcal_url(url) == "webcal://example.org/cal/categories/safe%20city.ics"


def test_subscribe_links_round_trip() -> None:
    url = "https://example.org/cal/all.ics?x=1&y=2"
    google = links.google_subscribe_url(url)
    assert google.startswith("https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2F")
    assert _query(google) == {"cid": ["webcal://example.org/cal/all.ics?x=1&y=2"]}
    outlook = links.outlook_subscribe_url(url, TEXT)
    assert _query(outlook) == {"url": [url], "name": [TEXT]}


def test_google_event_link() -> None:
    url = links.add_event(happening(TEXT, TEXT, "Online, Room 1")).links("x.ics").google
    assert " " not in url and "\n" not in url
    assert _query(url) == {
        "action": ["TEMPLATE"],
        "text": [TEXT],
        "dates": ["20210826T000000Z/20210826T003000Z"],
        "details": [TEXT],
        "ctz": ["Asia/Seoul"],
        "location": ["Online, Room 1"],
    }


def test_outlook_event_links() -> None:
    found = links.add_event(happening(TEXT, TEXT, None)).links("x.ics")
    assert found.file == "x.ics"
    for url, host in ((found.outlook, "outlook.live.com"), (found.office365, "outlook.office.com")):
        assert urlsplit(url).netloc == host
        assert _query(url) == {
            "path": ["/calendar/action/compose"],
            "rru": ["addevent"],
            "subject": [TEXT],
            "startdt": ["2021-08-26T00:00:00Z"],
            "enddt": ["2021-08-26T00:30:00Z"],
            "body": [TEXT],
        }


def test_long_details_are_cut_to_keep_links_usable() -> None:
    text = "word " * 1000
    found = links.add_event(happening("t", text, None)).links("x.ics")
    for url in (found.google, found.outlook, found.office365):
        query = _query(url)
        details = query.get("details", query.get("body"))
        assert details is not None
        assert details[0].endswith("word…")
        assert len(url) <= limits.MAX_URL
    assert len(found.office365) > limits.MAX_URL - 20  # the longest: as much text as fits


DESCRIPTION = "\n\n".join(
    [
        "Session: Part 1\nCategory: Mobility",
        "A long introduction. " * 40,
        "Projects:\n" + "\n".join(f"- City {i} — Project number {i}" for i in range(30)),
        "Panelists:\n- Ana — Director\n- Bo — Mayor",
        "Event page: https://example.org/event",
    ]
)


def test_shortening_cuts_the_longest_list_between_items_first() -> None:
    short = links.shorten_details(DESCRIPTION, 1500)
    assert len(links.percent_encode(short)) <= 1500
    assert short.startswith("Session: Part 1\nCategory: Mobility\n\n")
    assert short.endswith("\n\nEvent page: https://example.org/event")
    assert "- City 0 — Project number 0\n- City 1 — Project number 1\n" in short
    assert "- …and 27 more" in short or "- …and 2" in short
    assert "- Ana — Director\n- Bo — Mayor" in short  # the short list is whole
    assert links.shorten_details(DESCRIPTION, 10_000) == DESCRIPTION


def test_shortening_keeps_the_event_page_when_little_fits() -> None:
    short = links.shorten_details(DESCRIPTION, 200, more="…외 {}개")
    assert short.endswith("Event page: https://example.org/event")
    assert len(links.percent_encode(short)) <= 200
    middle = links.shorten_details(DESCRIPTION, 700, more="…외 {}개")
    assert "- …외 30개" in middle and middle.endswith("Event page: https://example.org/event")


@given(
    st.lists(
        st.lists(
            st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=60),
            max_size=8,
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=150, max_value=3000),
)
def test_shortened_details_fit_and_never_cut_an_item(
    paragraphs: list[list[str]], budget: int
) -> None:
    text = (
        "\n\n".join(
            "\n".join([f"Heading {k}:", *(f"- {item}" for item in items)])
            for k, items in enumerate(paragraphs)
        )
        + "\n\nEvent page: https://example.org/e"
    )
    short = links.shorten_details(text, budget)
    assert len(links.percent_encode(short)) <= budget
    assert short.endswith("Event page: https://example.org/e")
    lines = set(text.split("\n"))
    for line in short.split("\n"):
        assert line in lines or re.fullmatch(r"- …and \d+ more", line), line


@given(st.text())
def test_percent_encode_is_quote(text: str) -> None:
    assert links.percent_encode(text) == quote(text, safe="")


@given(st.text())
def test_the_cost_of_a_text_is_its_encoded_length(text: str) -> None:
    assert links._cost(text) == len(quote(text, safe=""))


@given(
    st.builds(
        links.AddEvent,
        title=st.text(),
        details=st.text(),
        location=st.none() | st.text(),
        dates=st.text(),
        zone=st.none() | st.text(),
        start=st.text(),
        end=st.text(),
        all_day=st.booleans(),
    )
)
def test_the_longest_link_is_counted_without_making_it(event: links.AddEvent) -> None:
    made = event.links("x.ics")
    assert event.longest_link() == max(len(made.google), len(made.outlook), len(made.office365))


def test_event_links_are_their_parameters_in_order() -> None:
    times = ("2021-08-26T00:00:00Z", "2021-08-26T00:30:00Z")
    event = links.AddEvent("T&t", "D é", "P", "20210826T000000Z/20210826T003000Z", "Asia/Seoul",
                           *times, False)  # fmt: skip
    made = event.links("x.ics")
    assert made.google == (
        f"{links.GOOGLE_RENDER}?action=TEMPLATE&text=T%26t&dates=20210826T000000Z%2F"
        "20210826T003000Z&details=D%20%C3%A9&ctz=Asia%2FSeoul&location=P"
    )
    compose = (
        "?path=%2Fcalendar%2Faction%2Fcompose&rru=addevent&subject=T%26t"
        "&startdt=2021-08-26T00%3A00%3A00Z&enddt=2021-08-26T00%3A30%3A00Z&body=D%20%C3%A9"
        "&location=P"
    )
    assert (made.outlook, made.office365) == (
        links.OUTLOOK_LIVE + compose,
        links.OUTLOOK_OFFICE + compose,
    )
    days = ("2021-08-26", "2021-08-26")
    whole_day = links.AddEvent("T", "", None, "20210826/20210827", None, *days, True).links("x.ics")
    assert whole_day.outlook.endswith("&enddt=2021-08-26&allday=true&body=")
    assert "&ctz=" not in whole_day.google and "&location=" not in whole_day.google
