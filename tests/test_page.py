"""page: the landing page, rendered from the data, escaped and self-contained."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from conftest import BUILD_TIME, DST_EXAMPLE
from wego_ical.load import load_series, parse_series
from wego_ical.model import Series
from wego_ical.publication import publish


def page(series: Series) -> str:
    return publish(series, None, BUILD_TIME).content("index.html").decode("utf-8")


class Collector(HTMLParser):
    """Collects tags and attributes, and fails on unbalanced structure."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


def test_lists_every_feed_with_counts_and_downloads(wego: Series) -> None:
    html = page(wego)
    for name, count, path in [
        ("4th WeGO Awards — All events", 7, "all.ics"),
        ("WeGO Awards Webinar Part 1", 3, "part-1.ics"),
        ("4th WeGO Awards — Safe City", 2, "categories/safe-city.ics"),
    ]:
        card = html.split(f"<h3>{name}</h3>", 1)[1].split("</li>", 1)[0]
        assert f">{count} events<" in card
        assert f'href="{path}" download' in card
        assert f'value="{path}"' in html
    assert html.count('class="card feed"') == 10


def test_unpublished_feeds_explain_instead_of_linking(wego: Series) -> None:
    html = page(wego)
    assert "webcal://" not in html
    assert 'id="unpublished"' in html
    assert html.count('aria-disabled="true" aria-describedby="unpublished"') == 30


def test_published_feeds_link_to_calendar_apps() -> None:
    html = page(load_series(DST_EXAMPLE))
    assert 'href="webcal://calendar.example.org/civic-tech/all.ics"' in html
    assert (
        'href="https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Fcalendar.example.org'
        "%2Fcivic-tech%2Fall.ics" in html
    )
    assert "https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2F" in html
    assert 'value="https://calendar.example.org/civic-tech/all.ics"' in html
    assert 'id="unpublished"' not in html


def test_schedule_has_sessions_projects_panelists_and_times(wego: Series) -> None:
    html = page(wego)
    section = html.split('id="part-1--mobility"', 1)[1].split("</section>", 1)[0]
    assert (
        '<time datetime="2021-08-26T00:00:00Z">09:00–09:30 KST (Asia/Seoul, UTC+09:00)</time>'
        in (section)
    )
    assert 'data-start="2021-08-26T00:00:00Z" data-end="2021-08-26T00:30:00Z"' in section
    assert "<li>George Town — Green Connectivity (Gold)</li>" in section
    assert "<li>Javier Vergara-Petrescu — Executive Director, Ciudad Emergente</li>" in section
    assert 'href="events/wego-awards-4.part-1.mobility.ics" download' in section
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE&amp;text=" in section
    assert "&amp;dates=20210826T000000Z%2F20210826T003000Z&amp;" in section
    assert "https://outlook.live.com/calendar/0/deeplink/compose?path=" in section
    assert "https://outlook.office.com/calendar/0/deeplink/compose?path=" in section
    assert "&amp;startdt=2021-08-26T00%3A00%3A00Z&amp;enddt=2021-08-26T00%3A30%3A00Z" in section
    order = [m.group(1) for m in re.finditer(r'<article class="event" id="([^"]+)"', html)]
    assert order == ["part-1", "part-2", "ceremony"]
    ceremony = html.split('id="ceremony"', 1)[1]
    assert "<li>Sejong (Special Mention)</li>" in ceremony
    assert "Renata Avila — Executive Director, Fundación Ciudadanía Inteligente" in ceremony


def test_text_from_the_data_is_escaped(wego_text: str) -> None:
    text = wego_text.replace(
        'title = "WeGO Awards Webinar Part 1"',
        'title = "Part 1 <script>alert(1)</script> & \\"friends\\""',
    ).replace('title = "Green Connectivity"', 'title = "<img src=x onerror=alert(1)>"')
    html = page(parse_series(text))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;friends&#34;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert [tag for tag, _ in parsed(html).tags].count("script") == 1


def test_page_is_self_contained_and_accessible(wego: Series) -> None:
    html = page(wego)
    collector = parsed(html)
    for tag, attrs in collector.tags:
        if tag in ("script", "img", "iframe"):
            assert "src" not in attrs, attrs
        if tag == "link":
            assert attrs.get("rel") != "stylesheet", attrs
    assert "@import" not in html and "url(" not in html
    assert '<html lang="en">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    labels = {attrs["for"] for tag, attrs in collector.tags if tag == "label"}
    inputs = {attrs["id"] for tag, attrs in collector.tags if tag == "input"}
    assert labels == inputs and len(inputs) == 10
    headings = [tag for tag, _ in collector.tags if re.fullmatch(r"h[1-6]", tag)]
    assert headings[0] == "h1" and headings.count("h1") == 1
    assert 'href="#schedule"' in html


def test_cancelled_session_is_marked(wego_text: str) -> None:
    text = wego_text.replace(
        'id = "safe-city"\nstart', 'id = "safe-city"\nstatus = "cancelled"\nstart'
    )
    section = page(parse_series(text)).split('id="part-1--safe-city"', 1)[1].split("</h4>")[0]
    assert '<span class="badge">Cancelled</span>' in section


def test_event_without_sessions_shows_its_panelists_as_the_feed_does(wego_text: str) -> None:
    text = wego_text.replace(
        "awards_ceremony = true", 'awards_ceremony = true\npanelists = ["philip-bane"]'
    )
    section = page(parse_series(text)).split('id="ceremony"', 1)[1].split("</section>", 1)[0]
    assert "<li>Philip Bane — Managing Director, Smart Cities Council</li>" in section


def test_a_cancelled_session_offers_its_file_but_no_add_links(wego_text: str) -> None:
    text = wego_text.replace(
        'id = "mobility"\nstart = 09:00:00',
        'id = "mobility"\nstatus = "cancelled"\nstart = 09:00:00',
    )
    html = page(parse_series(text))
    section = html.split('id="part-1--mobility"')[1].split("</section>")[0]
    assert "events/wego-awards-4.part-1.mobility.ics" in section
    assert "calendar.google.com" not in section and "outlook" not in section
    other = html.split('id="part-1--safe-city"')[1].split("</section>")[0]
    assert "calendar.google.com" in other
