"""page: the landing page, rendered from the data, escaped and self-contained."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from conftest import BUILD_TIME, CONFERENCE, DATA, DST_EXAMPLE, ROOT, build_site
from wego_ical import limits
from wego_ical.cli import main
from wego_ical.limits import INDEX_EVENTS, PAGE_SESSIONS
from wego_ical.load.series_file import load_series, parse_series
from wego_ical.model import Series
from wego_ical.publication.assemble import make_publication
from wego_ical.render import calendar_links as links


def page(series: Series, now: datetime = BUILD_TIME) -> str:
    return make_publication(series, None, now).content("index.html").decode("utf-8")


# Before the WeGO series: the hero invites subscriptions (after it, it says it took place).
BEFORE = datetime(2021, 8, 1, tzinfo=UTC)


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


def test_offers_everything_first_then_every_feed_with_counts_and_downloads(
    wego: Series,
) -> None:
    html = page(wego, BEFORE)
    hero = html.split('<section class="hero" id="feed-all"', 1)[1].split("</section>", 1)[0]
    # What each feed holds, by what it is: a category's feed says it holds the
    # ceremony too (it said "2 events" for one session and the ceremony: issue 38 item 7).
    assert (
        'data-feed="all.ics"' in hero and ">6\u00a0sessions and 1\u00a0event. Changes reach" in hero
    )
    assert ">Subscribe to all events</a>" in hero
    assert 'href="all.ics" download' in hero and 'value="all.ics"' in hero
    for name, count, path, anchor in [
        ("WeGO Awards Webinar Part 1", "3 sessions", "part-1.ics", "feed-part-1"),
        (
            "Safe City",
            "1 session and 1 event",
            "categories/safe-city.ics",
            "feed-categories-safe-city",
        ),
        (
            "4th WeGO Awards Ceremony at the 5th WeGO General Assembly",
            "1 event",
            "ceremony.ics",
            "feed-ceremony",
        ),
    ]:
        pick = html.split('<nav class="pick"', 1)[1].split("</nav>", 1)[0]
        assert f'<li><a href="#{anchor}">{name}</a></li>' in pick
        row = html.split(f'<li class="feed" id="{anchor}"', 1)[1].split("</li>", 1)[0]
        shown = count.replace(" ", "\u00a0").replace("\u00a0and\u00a0", " and ")
        assert f"<strong>{name}</strong>" in row and f">{shown}<" in row
        assert f'href="{path}" download' in row and f'value="{path}"' in row
        assert ">Subscribe</a>" in row
    assert html.count('<li class="feed"') == 9
    # The long feed descriptions are in the feeds, not repeated in the rows.
    rows = html.split('<ul class="feeds">', 1)[1].split("</ul>", 1)[0]
    assert "Topics: Security, Emergency Response" not in rows


def test_unpublished_feeds_are_linked_by_the_page_itself(wego: Series) -> None:
    publication = make_publication(wego, None, BUILD_TIME)
    html = publication.content("index.html").decode("utf-8")
    assert "webcal://" not in html and "calendar/render?cid" not in html
    # The subscribe links wait, hidden, for the script to learn the page's address.
    assert html.count('<span class="links" hidden>') == 10
    assert html.count('data-app="webcal" hidden') == 10
    assert html.count('class="qr-slot"') == 10 and "<svg" not in html
    assert '<script src="qrcode.js" defer></script>' in html
    assert publication.content("qrcode.js").startswith(b"//----")
    # Opened from a file, the page says why it cannot subscribe; no organiser notice.
    assert 'id="from-file" hidden' in html and "base_url" not in html


def test_published_feeds_link_to_calendar_apps() -> None:
    publication = make_publication(load_series(DST_EXAMPLE), None, BUILD_TIME)
    html = publication.content("index.html").decode("utf-8")
    assert 'href="webcal://calendar.example.org/civic-tech/all.ics"' in html
    assert (
        'href="https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Fcalendar.example.org'
        "%2Fcivic-tech%2Fall.ics" in html
    )
    assert "https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2F" in html
    assert "https://outlook.office.com/calendar/0/addfromweb?url=https%3A%2F%2F" in html
    assert 'value="https://calendar.example.org/civic-tech/all.ics"' in html
    assert '<span class="links" hidden>' not in html
    # The main feed's QR code is in the HTML; the page draws the others when opened.
    assert html.count('<svg role="img" ') == 1
    assert html.count('class="qr-slot"') == html.count('<li class="feed"')
    assert 'data-address="https://calendar.example.org/civic-tech/#feed-' in html
    assert "qrcode.js" in publication.files


def test_qr_code_leads_to_the_page_at_the_feed() -> None:
    """A phone's camera opens the page at the feed (where it is offered the Subscribe
    button for its platform), not the feed itself (a one-time download or import)."""
    import segno

    html = page(load_series(DST_EXAMPLE))
    svg = html.split('id="feed-all"', 1)[1].split("<svg", 1)[1].split("</svg>", 1)[0]
    expected = segno.make("https://calendar.example.org/civic-tech/#feed-all", error="m")
    assert "<title>QR code to subscribe to " in svg
    modules = re.search(r'class="qrline" stroke="#000" d="([^"]+)"', svg)
    assert modules is not None
    assert f'd="{modules.group(1)}"' in expected.svg_inline(scale=4, border=4, dark="#000")


def test_every_control_has_its_own_accessible_name(wego: Series) -> None:
    for html in (page(wego), page(load_series(DST_EXAMPLE)), page(load_series(CONFERENCE))):
        names = [
            attrs["aria-label"]
            for tag, attrs in parsed(html).tags
            if tag in ("a", "button", "summary") and attrs.get("aria-label")
        ]
        assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
    assert 'aria-label="Subscribe to WeGO Awards Webinar Part 1 in Google Calendar"' in page(wego)


def _add_events(html: str) -> list[links.AddEvent]:
    """What each session's add links carry, read back from the page's data attributes."""
    found = []
    for tag, attrs in parsed(html).tags:
        if tag == "span" and "add-links" in (attrs.get("class") or ""):
            found.append(
                links.AddEvent(
                    title=attrs["data-title"] or "",
                    details=attrs["data-details"] or "",
                    location=attrs.get("data-location"),
                    dates=attrs["data-dates"] or "",
                    zone=attrs.get("data-zone"),
                    start=attrs["data-start"] or "",
                    end=attrs["data-end"] or "",
                    all_day="data-all-day" in attrs,
                )
            )
    return found


def test_ceremony_add_links_are_shortened_between_items_and_keep_the_event_page(
    wego: Series,
) -> None:
    html = page(wego)
    collector = parsed(html)
    (ceremony,) = _add_events(html.split('id="ceremony"', 1)[1])
    found = ceremony.links("x.ics")
    for url in (found.google, found.outlook, found.office365):
        assert len(url) <= limits.MAX_URL
    details = ceremony.details
    assert details.endswith(
        "Event page: https://we-gov.org/general-assembly/wego-5th-general-assembly/"
    )
    assert re.search(r"^- …and \d+ more$", details, re.M), details
    # Every list line is a whole item: a project or a person, never cut.
    for line in details.splitlines():
        if line.startswith("- ") and "more" not in line:
            assert line in collector_text(collector), line


def collector_text(collector: Collector) -> str:
    """The page's text, each list item as "- item" on its own line."""
    return "\n".join(f"- {text}" for text in collector.text)


def test_page_is_self_contained_and_accessible(wego: Series) -> None:
    html = page(wego)
    collector = parsed(html)
    for tag, attrs in collector.tags:
        if tag in ("script", "img", "iframe"):
            assert attrs.get("src") in (None, "qrcode.js"), attrs
            assert attrs.get("src") or attrs.get("type") in (None, "application/ld+json")
        if tag == "link":
            assert attrs.get("rel") != "stylesheet", attrs
    assert "@import" not in html and "url(" not in html
    assert '<html lang="en">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    {attrs["for"] for tag, attrs in collector.tags if tag == "label" and "for" in attrs}
    inputs = {attrs.get("id") or "" for tag, attrs in collector.tags if tag == "input"}
    # The time zone switch's radio buttons are inside their labels.
    assert {i for i in inputs if not i.startswith("address-")} == {""}
    assert len([i for i in inputs if i.startswith("address-")]) == 10
    headings = [tag for tag, _ in collector.tags if re.fullmatch(r"h[1-6]", tag)]
    assert headings[0] == "h1" and headings.count("h1") == 1
    assert 'href="#schedule"' in html


def test_cancelled_session_is_marked_and_only_its_title_struck_through(wego_text: str) -> None:
    text = wego_text.replace(
        'id = "safe-city"\nstart', 'id = "safe-city"\nstatus = "cancelled"\nstart'
    )
    html = page(parse_series(text))
    row = html.split('<li class="session cancelled" id="part-1--safe-city"', 1)[1]
    summary = row.split("</summary>", 1)[0]
    assert '<span class="title">Safe City</span> <span class="badge">Cancelled</span>' in summary
    css = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert ".session.cancelled .title { text-decoration: line-through; }" in css
    assert "text-decoration: none" in css.split(".badge {", 1)[1].split("}", 1)[0]


def test_event_without_sessions_shows_its_panelists(wego_text: str) -> None:
    text = wego_text.replace(
        "all_categories = true", 'all_categories = true\npanelists = ["philip-bane"]'
    )
    row = page(parse_series(text)).split('id="ceremony"', 1)[1].split("</article>", 1)[0]
    assert "Philip Bane — Managing Director, Smart Cities Council" in row


def test_a_cancelled_session_offers_its_file_but_no_add_links(wego_text: str) -> None:
    text = wego_text.replace(
        'id = "mobility"\nstart = 09:00:00',
        'id = "mobility"\nstatus = "cancelled"\nstart = 09:00:00',
    )
    html = page(parse_series(text))
    row = html.split('id="part-1--mobility"')[1].split("</li>\n")[0]
    assert "events/wego-awards-4.part-1.mobility.ics" in row
    assert "add-links" not in row and "data-add" not in row
    other = html.split('id="part-1--safe-city"')[1].split("</li>\n")[0]
    assert "add-links" in other and 'data-add="google"' in other


def test_right_to_left_pages_say_so(tmp_path: Path) -> None:
    """Arabic and Hebrew pages need dir="rtl"; left-to-right pages are as they were."""
    data = CONFERENCE.read_text(encoding="utf-8").replace(
        'languages = ["en", "ko"]', 'languages = ["en", "ar", "he", "ko"]'
    )
    source = tmp_path / "events.toml"
    source.write_text(data, encoding="utf-8")
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", "--data", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    heads = {
        code: (out / code / "index.html" if code != "en" else out / "index.html")
        .read_text(encoding="utf-8")
        .split(">", 2)[1]
        for code in ("en", "ar", "he", "ko")
    }
    assert heads == {
        "en": '\n<html lang="en"',
        "ar": '\n<html lang="ar" dir="rtl"',
        "he": '\n<html lang="he" dir="rtl"',
        "ko": '\n<html lang="ko"',
    }


def test_every_element_id_is_unique_so_each_link_opens_its_own_thing(wego: Series) -> None:
    """An event shown as its own row once shared its article's id: #ceremony opened the
    row, not the event (issue 38 item 8)."""
    from test_page_views import _big_series

    big = parse_series(_big_series(PAGE_SESSIONS + 20, per_event=4))  # by month
    months = parse_series(_big_series(INDEX_EVENTS + 10, per_event=1))  # an index of months
    for series in (wego, load_series(DST_EXAMPLE), load_series(CONFERENCE), big, months):
        publication = make_publication(series, None, BUILD_TIME)
        for path in (p for p in publication.files if p.endswith(".html")):
            ids = re.findall(r'\sid="([^"]+)"', publication.content(path).decode("utf-8"))
            repeated = sorted({name for name in ids if ids.count(name) > 1})
            assert repeated == [], f"{series.series.id} {path}: {repeated}"


def test_accessible_names_are_in_the_page_s_language(tmp_path: Path) -> None:
    """The Korean page named Google's calendar in English inside Korean sentences
    ("Google Calendar: … 구독하기"); it is "Google 캘린더" there (issue 38 item 10)."""
    out = tmp_path / "dist"
    assert (
        CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out)]).exit_code == 0
    )
    korean = (out / "ko" / "index.html").read_text(encoding="utf-8")
    assert 'aria-label="Google 캘린더: ' in korean and "Google Calendar" not in korean
    assert 'aria-label="Subscribe to WeGO Awards Webinar Part 1 in Google Calendar"' in (
        out / "index.html"
    ).read_text(encoding="utf-8")


def test_hreflang_names_every_language_itself_and_a_default(tmp_path: Path) -> None:
    """Search engines want each page to list itself, every other language and x-default,
    by absolute address when it is known (issue 38 item 12)."""
    text = DATA.read_text(encoding="utf-8")
    base = "https://calendar.example.org/wego/"
    data = tmp_path / "events.toml"
    data.write_text(text.replace("\n[publish]\n", f'\n[publish]\nbase_url = "{base}"\n', 1))
    out = tmp_path / "dist"
    built = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out)])
    assert built.exit_code == 0, built.output

    def hreflangs(page: str) -> list[tuple[str, str]]:
        html = (out / page).read_text(encoding="utf-8")
        return re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)

    assert hreflangs("index.html") == [
        ("en", f"{base}index.html"), ("ko", f"{base}ko/index.html"),
        ("x-default", f"{base}index.html"),
    ]  # fmt: skip
    assert hreflangs("ko/index.html") == [
        ("ko", f"{base}ko/index.html"), ("en", f"{base}index.html"),
        ("x-default", f"{base}index.html"),
    ]  # fmt: skip


def test_counts_say_sessions_and_events_in_both_languages() -> None:
    from wego_ical.i18n import ui_text

    english, korean = ui_text.page("en"), ui_text.page("ko")

    def entries(words: dict[str, str], sessions: int, events: int, language: str) -> str:
        return ui_text.entries(words, sessions, events, language).replace("\u00a0", " ")

    assert entries(english, 1, 0, "en") == "1 session"
    assert entries(english, 0, 2, "en") == "2 events"
    assert entries(korean, 3, 0, "ko") == "세션 3개"
    assert entries(korean, 0, 1, "ko") == "행사 1개"
    made = korean["main_count"].format(count=entries(korean, 6, 1, "ko"))
    assert made == "세션 6개와 행사 1개가 담겨 있으며, 일정이 바뀌면 캘린더에 자동으로 반영됩니다."
    # Large numbers as the language writes them ("10000 events": issue 38 item 11).
    assert ui_text.count(english, "count", 10_000, "en") == "10,000 events"
    assert ui_text.count(korean, "sessions", 10_000, "ko") == "세션 10,000개"
    # A number and its word stay together; the phrase may break between the two counts.
    assert ui_text.entries(english, 1, 1, "en") == "1\u00a0session and 1\u00a0event"


def test_an_event_without_sessions_does_not_repeat_its_heading_in_its_row(
    wego: Series,
) -> None:
    """The ceremony's one row said its title again under its heading (issue 38 item 9)."""
    html = page(wego, BEFORE)
    row = html.split('id="ceremony--entry"', 1)[1].split("</summary>", 1)[0]
    assert '<span class="title">The whole event</span>' in row
    assert "4th WeGO Awards Ceremony" not in row


def test_the_days_and_place_come_right_under_the_title(tmp_path: Path) -> None:
    """What and when first (issue 38 item 6), in both languages."""
    dist = build_site(tmp_path).joinpath("dist")
    for path, expected in (
        ("index.html", "Thursday 26 August – Monday 18 October 2021 · Online"),
        ("ko/index.html", "2021년 8월 26일 목요일 ~ 10월 18일 월요일 · 온라인"),
    ):
        html = (dist / path).read_text(encoding="utf-8")
        header = html.split("<header>", 1)[1].split("</header>", 1)[0]
        assert f'<p class="when-where">{expected}</p>' in header


def test_the_series_days_follow_conference_days_and_repeats(tmp_path: Path) -> None:
    """A 01:00 talk of a day that runs to 06:00 is on the day before; a weekly rule runs
    until its last occurrence."""
    text = (ROOT / "examples" / "parallel-rooms.toml").read_text(encoding="utf-8") + (
        '\n[[events]]\nid = "weekly"\ntitle = "Weekly"\ndate = 2027-04-13\n'
        'start = 16:00:00\nend = 17:00:00\nrepeat = "FREQ=WEEKLY;COUNT=3"\n'
    )
    html = (build_site(tmp_path, data_text=text) / "dist" / "index.html").read_text("utf-8")
    header = html.split("<header>", 1)[1].split("</header>", 1)[0]
    assert '<p class="when-where">Friday 9 April – Tuesday 27 April 2027</p>' in header
