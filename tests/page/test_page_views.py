"""page_views and page_meta: what the page shows of each event and session, its
schema.org data and link-preview metadata, and the schedule split for big series."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BUILD_TIME, CONFERENCE, DATA, DST_EXAMPLE, ROOT, WEEKLY
from test_properties import schedule_toml, series_toml
from wego_ical.cli import main
from wego_ical.errors import DataError
from wego_ical.i18n import ui_text
from wego_ical.limits import INDEX_EVENTS, PAGE_SESSIONS
from wego_ical.load.series_file import load_editions, load_series, parse_series
from wego_ical.model import CalendarEntry, Series, calendar_entries
from wego_ical.model.languages import fallback_texts
from wego_ical.page.views import ViewSettings, event_frame, event_views
from wego_ical.plan.records import Snapshot
from wego_ical.publication.assemble import LanguageEdition, PublicationSettings, make_publication


def page(series: Series, path: str = "index.html") -> str:
    return make_publication(series, None, BUILD_TIME).content(path).decode("utf-8")


def rows(html: str) -> list[tuple[str, str]]:
    """(time, title) of each session row, in page order."""
    return re.findall(
        r'<time datetime="[^"]*"[^>]*>([^<]*)</time>\s*<span class="what"><span>'
        r'<span class="title">(?:<span lang="en">)?([^<]*)',
        html,
    )


def json_ld(html: str) -> dict[str, object]:
    (text,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data: dict[str, object] = json.loads(text)
    return data


def test_a_session_is_one_compact_row_and_the_shared_panelist_is_shown_once(
    wego: Series,
) -> None:
    html = page(wego)
    assert rows(html)[:3] == [
        ("09:00–09:30", "Mobility"),
        ("09:30–10:00", "Open and Inclusive City"),
        ("10:00–10:30", "Safe City"),
    ]
    part_1 = html.split('<article class="event" id="part-1"', 1)[1].split("</article>", 1)[0]
    visible = re.sub(r"<[^>]+>", "", part_1)
    assert visible.count("Javier Vergara-Petrescu") == 1
    assert "<strong>Judge panelist:</strong> Javier Vergara-Petrescu" in part_1
    row = part_1.split('id="part-1--mobility"', 1)[1].split("</summary>", 1)[0]
    assert '<span class="who">George Town · Belo Horizonte</span>' in row
    # The category is the title: not repeated; nor is the date in every row.
    details = part_1.split('id="part-1--mobility"', 1)[1].split(">", 1)[1].split("</li>", 1)[0]
    shown = re.sub(r"<[^>]+>", " ", details)
    assert "Category" not in shown and "2021" not in shown and "Topics" in shown
    assert "Korean Standard Time (Seoul)" in html and "KST (Asia/Seoul" not in html


def test_a_session_in_another_zone_is_placed_by_its_instant_with_both_times() -> None:
    """Like a Lisbon-evening link-up held from Seoul: listed by the instant it happens."""
    text = CONFERENCE.read_text(encoding="utf-8").replace(
        'title = "Closing remarks (from London)"\ntimezone = "Europe/London"\nstart = 17:00:00'
        "\nend = 17:30:00",
        'title = "Closing remarks (from London)"\ntimezone = "Europe/London"\n'
        "start = 03:00:00\nend = 03:30:00",
    )
    html = page(parse_series(text))
    new_york = html.split('id="new-york"', 1)[1].split("</article>", 1)[0]
    # 03:00 GMT on the 27th is 23:00 EDT on the 26th: the New York evening before the
    # panel of the 27th; the event's dates cover it.
    assert rows(new_york) == [
        ("23:00–23:30", "Closing remarks (from London)"),
        ("10:00–11:30", "Mobility"),
    ]
    assert "Thursday 26 March – Friday 27 March 2026" in new_york
    assert "03:00–03:30 Greenwich Mean Time (London)" in new_york
    assert '<h4 class="day" id="new-york--2026-03-26">Thursday 26 March 2026</h4>' in new_york
    assert "Times in Eastern Daylight Time (New York)" in new_york


def test_the_conference_reads_like_a_programme() -> None:
    html = page(load_series(CONFERENCE))
    assert ("All day, until Thu 26 Mar", "Conference days") in rows(html)
    assert ("22:00 – Thu 26 Mar, 01:00", "Night session with New York") in rows(html)
    assert "Tuesday 24 March – Thursday 26 March 2026" in html
    # Speakers' pages and addresses are links.
    assert '<a href="https://example.org/people/ada">example.org/people/ada</a>' in html
    assert '<a href="mailto:ada@example.org">ada@example.org</a>' in html


def test_korean_page_is_written_korean_and_marks_english_fallbacks() -> None:
    english, korean = load_editions(DATA)
    edition = LanguageEdition(
        "ko", True, fallback_texts=fallback_texts(english.series), fallback_language="en"
    )
    html = (
        make_publication(korean.series, None, BUILD_TIME, PublicationSettings(edition))
        .content("index.html")
        .decode("utf-8")
    )
    # Built after the series (BUILD_TIME is 2030): the hero says when it took place.
    assert "2021년 8월 26일 목요일부터 2021년 10월 18일 월요일까지 열렸습니다." in html
    assert "모든 시간은 한국 표준시(서울) 기준입니다." in html
    assert "2021년 8월 26일 목요일" in html and ("09:00 ~ 09:30", "이동성") in rows(html)
    for broken in ("및 내 시간대", "개 일정", "종료:", "Asia/Seoul,"):
        assert broken not in html
    # Untranslated texts (the projects' titles, people's names) say they are English.
    assert '<span lang="en">Green Connectivity</span>' in html
    assert '<span lang="en">Javier Vergara-Petrescu</span>' in html
    assert '<span lang="en">이동성</span>' not in html
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", html, flags=re.S)
    hangul = sum("가" <= c <= "힣" for c in text)
    latin = sum(c.isascii() and c.isalpha() for c in text)
    assert hangul > latin, (hangul, latin)
    css = html.split("<style>", 1)[1]
    assert ":lang(ko) { word-break: keep-all; }" in css and '"Noto Sans KR"' in css


def test_json_ld_lists_every_session_with_its_instants_and_status(wego_text: str) -> None:
    text = wego_text.replace(
        'id = "safe-city"\nstart', 'id = "safe-city"\nstatus = "cancelled"\nstart'
    )
    series = parse_series(text)
    publication = make_publication(series, None, BUILD_TIME)
    data = json_ld(publication.content("index.html").decode("utf-8"))
    assert data["@context"] == "https://schema.org" and data["@type"] == "EventSeries"
    assert data["name"] == "4th WeGO Awards"
    sub_events = data["subEvent"]
    assert isinstance(sub_events, list) and len(sub_events) == 7
    starts = {e["name"]: datetime.fromisoformat(e["startDate"]).astimezone(UTC) for e in sub_events}
    expected = {r.snapshot.summary: r.snapshot.aware_start.astimezone(UTC)
                for r in publication.state.events}  # fmt: skip
    assert starts == {name.removeprefix("Cancelled: "): at for name, at in expected.items()}
    assert starts["WeGO Awards Webinar Part 1 · Mobility"] == datetime(2021, 8, 26, 0, tzinfo=UTC)
    status = {e["name"]: e["eventStatus"] for e in sub_events}
    assert status["WeGO Awards Webinar Part 1 · Safe City"] == "https://schema.org/EventCancelled"
    assert status["WeGO Awards Webinar Part 1 · Mobility"] == "https://schema.org/EventScheduled"
    online = sub_events[0]
    assert online["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert online["location"]["@type"] == "VirtualLocation"
    assert online["performer"][0]["name"] == "Javier Vergara-Petrescu"
    # Issue 38 item 12: each session says what it is; the organiser is its own site.
    assert online["description"] == (
        "George Town — Green Connectivity (Gold); "
        "Belo Horizonte — SIU Mobile – Belo Horizonte’s Mobility App"
    )
    assert data["organizer"] == {
        "@type": "Organization",
        "name": "WeGO – World Smart Sustainable Cities Organization (세계스마트시티기구)",
        "url": "https://we-gov.org/",
    }


def test_json_ld_cannot_be_closed_by_the_data(wego_text: str) -> None:
    html = page(parse_series(wego_text.replace("Green Connectivity", "</script><b>x</b>")))
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script
    assert json_ld(html)["@type"] == "EventSeries"


def test_link_previews_and_print(wego: Series) -> None:
    html = page(wego)
    assert '<meta property="og:title" content="4th WeGO Awards">' in html
    assert '<meta property="og:type" content="website">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta property="og:description" content="The 4th WeGO Awards recognised' in html
    print_css = html.split("@media print {", 1)[1].split("\n}\n", 1)[0]
    assert ".hero" in print_css and "display: none" in print_css
    assert "beforeprint" in html
    assert "og:image" not in html


def test_a_series_picture_is_shown_in_link_previews_and_search_results(wego_text: str) -> None:
    """Issue 38 item 12: `[series] image` (a web address) becomes og:image, a large
    Twitter card and the schema.org image of the series and of each session."""
    picture = "https://we-gov.org/wp-content/awards-4.png"
    text = wego_text.replace("[series.organiser]", f'image = "{picture}"\n[series.organiser]', 1)
    html = page(parse_series(text))
    assert f'<meta property="og:image" content="{picture}">' in html
    assert f'<meta name="twitter:image" content="{picture}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = json_ld(html)
    assert data["image"] == picture
    assert {event["image"] for event in data["subEvent"]} == {picture}  # type: ignore[attr-defined]
    bad = wego_text.replace("[series.organiser]", 'image = "awards.png"\n[series.organiser]', 1)
    with pytest.raises(DataError) as caught:
        parse_series(bad)
    assert [problem.key for problem in caught.value.problems] == ["series.image"]


def _big_series(sessions: int, per_event: int = 20) -> str:
    lines = [
        "[series]", 'id = "big"', 'title = "Big"', 'url = "https://example.org/"',
        'timezone = "Europe/Berlin"', 'uid_domain = "example.org"',
        "updated = 2024-01-01T00:00:00Z", "[series.organiser]", 'name = "Office"',
        "[[categories]]", 'id = "talks"', 'name = "Talks"',
    ]  # fmt: skip
    for day in range(sessions // per_event + (sessions % per_event > 0)):
        count = min(per_event, sessions - day * per_event)
        lines += ["[[events]]", f'id = "day-{day}"', f'title = "Day {day}"']
        lines += [f"date = {date(2024, 2, 1) + timedelta(days=day)}"]
        for number in range(count):
            hour, minute = divmod(6 * 60 + number * 5, 60)
            lines += ["[[events.sessions]]", f'id = "s{number}"', f'title = "Talk {number}"']
            lines += [f"start = {hour:02}:{minute:02}:00", f"end = {hour:02}:{minute + 4:02}:00"]
            lines += ['category = "talks"']
    return "\n".join(lines) + "\n"


def test_a_big_series_gets_a_light_index_and_one_page_per_event(tmp_path: Path) -> None:
    sessions = PAGE_SESSIONS + 20
    events = sessions // 20
    publication = make_publication(parse_series(_big_series(sessions)), None, BUILD_TIME)
    pages = sorted(p for p in publication.files if p.endswith(".html"))
    assert pages == ["index.html", *sorted(f"schedule/day-{n}.html" for n in range(events))]
    index = publication.content("index.html").decode("utf-8")
    assert rows(index) == [] and 'id="feed-all"' in index
    assert "\nNone\n" not in index.split("</head>", 1)[0]
    # The index still offers every feed (an event's with its page), once.
    assert index.count('<li class="feed"') == len(publication.feeds) - 1
    for n in range(events):
        assert (
            f'<a class="page-link" href="schedule/day-{n}.html"><strong>Day {n}</strong>' in index
        )
        assert index.count(f'data-feed="day-{n}.ics"') == 1
    assert "Thursday 1 February 2024 · 20\u00a0sessions" in index
    day = publication.content("schedule/day-3.html").decode("utf-8")
    assert len(rows(day)) == 20 and ("06:00–06:04", "Talk 0") in rows(day)
    # Back home at its row (issue 38 item 11: it led to the top of a long index).
    assert '<a href="../index.html#feed-day-3" data-home>' in day and 'src="../qrcode.js"' in day
    assert 'id="feed-day-3"' in index
    assert 'href="../day-3.ics" download' in day and 'href="../all.ics" download' in day
    assert len(json_ld(day)["subEvent"]) == 20  # type: ignore[arg-type]
    # Issue 38 item 11: the events before and after it, and Subscribe before the programme.
    assert '<a href="day-2.html" rel="prev">← Day 2</a>' in day
    assert '<a href="day-4.html" rel="next">Day 4 →</a>' in day
    assert day.index('data-feed="../day-3.ics"') < day.index('<ol class="sessions">')
    first = publication.content("schedule/day-0.html").decode("utf-8")
    assert 'rel="prev"' not in first and '<a href="day-1.html" rel="next">' in first
    # A smaller series keeps one page.
    small = make_publication(parse_series(_big_series(PAGE_SESSIONS)), None, BUILD_TIME)
    assert [p for p in small.files if p.endswith(".html")] == ["index.html"]


def test_a_big_series_index_lists_its_events_by_month_with_their_categories() -> None:
    """Issue 38 item 11: the light index groups its events by month, each month a heading
    that opens and closes (closed when all its events were over at the build), and the
    rows say their categories for the page's filter."""
    text = _big_series(PAGE_SESSIONS + 20, per_event=4).replace(
        "[[events]]", '[[categories]]\nid = "workshops"\nname = "Workshops"\n[[events]]', 1
    )
    # Every event's second session is a workshop.
    first = r'(id = "s1"\ntitle = "Talk 1"\n[^\[]*)category = "talks"'
    text = re.sub(first, r'\1category = "workshops"', text)
    series = parse_series(text)
    built = datetime(2024, 3, 1, 4, tzinfo=UTC)  # 05:00 in Berlin, before its last day
    index = make_publication(series, None, built).content("index.html").decode("utf-8")
    assert re.findall(r'<details class="month" id="([^"]+)"( open)?>', index) == [
        ("month-2024-02", ""), ("month-2024-03", " open")
    ]  # fmt: skip
    assert (
        "<summary><h3>February 2024</h3> "
        '<span class="muted">29\u00a0events · 116\u00a0sessions</span></summary>'
    ) in index
    assert (
        '<select id="event-category"><option value="">All</option>'
        '<option value="talks">Talks</option><option value="workshops">Workshops</option>'
        "</select>"
    ) in index
    assert '<label for="event-category">Category</label>' in index
    assert index.count('data-categories="talks workshops"') == 30
    # Built before it all, every month is open; a series of one category has no choice.
    early = make_publication(series, None, datetime(2024, 1, 1, tzinfo=UTC))
    assert early.content("index.html").decode("utf-8").count('class="month" id') == 2
    assert " open>" in early.content("index.html").decode("utf-8")
    one = make_publication(parse_series(_big_series(PAGE_SESSIONS + 20)), None, BUILD_TIME)
    assert 'id="event-category"' not in one.content("index.html").decode("utf-8")


def test_a_large_event_is_split_into_parts() -> None:
    sessions = 2 * PAGE_SESSIONS + 10
    series = parse_series(_big_series(sessions, per_event=sessions))
    publication = make_publication(series, None, BUILD_TIME)
    parts = ["schedule/day-0.html", "schedule/day-0-2.html", "schedule/day-0-3.html"]
    assert sorted(p for p in publication.files if p.startswith("schedule/")) == sorted(parts)
    found = [rows(publication.content(part).decode("utf-8")) for part in parts]
    assert [len(r) for r in found] == [PAGE_SESSIONS, PAGE_SESSIONS, 10]
    assert found[1][0] == ("14:20–14:24", f"Talk {PAGE_SESSIONS}")
    second = publication.content(parts[1]).decode("utf-8")
    assert "Part 2 of 3:" in second
    assert '<a href="day-0.html">1</a> <strong>2</strong> <a href="day-0-3.html">3</a>' in second


def test_pages_of_a_series_that_shrinks_are_removed(tmp_path: Path) -> None:
    data, out = tmp_path / "events.toml", tmp_path / "dist"
    runner = CliRunner()
    for sessions, expected in ((PAGE_SESSIONS + 20, (PAGE_SESSIONS + 20) // 20), (40, 0)):
        data.write_text(_big_series(sessions), encoding="utf-8")
        result = runner.invoke(main, ["build", "--data", str(data), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert len(list((out / "schedule").glob("*.html")) if expected else []) == expected
    assert not (out / "schedule").exists()


def test_every_language_gets_its_pages_and_they_link_to_each_other(tmp_path: Path) -> None:
    text = _big_series(PAGE_SESSIONS + 20).replace(
        'title = "Big"', 'title = { en = "Big", ko = "큰 행사" }\nlanguages = ["en", "ko"]', 1
    )
    data, out = tmp_path / "events.toml", tmp_path / "dist"
    data.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for page_path in (out / "schedule" / "day-2.html", out / "ko" / "schedule" / "day-2.html"):
        html = page_path.read_text(encoding="utf-8")
        links = re.findall(r'<link rel="alternate" hreflang="\w+" href="([^"]+)">', html)
        links += re.findall(r'href="([^"#:]+\.(?:html|js|ics))"', html)
        assert links
        for link in links:
            assert (page_path.parent / link).resolve().is_file(), (page_path, link)
    assert '<html lang="ko">' in (out / "ko" / "schedule" / "day-2.html").read_text("utf-8")


def test_a_very_large_series_gets_an_index_of_months(tmp_path: Path) -> None:
    """Above INDEX_EVENTS events the index lists months; each month's page its events."""
    events = INDEX_EVENTS + 10
    publication = make_publication(parse_series(_big_series(events, per_event=1)), None, BUILD_TIME)
    months = sorted(p for p in publication.files if p.endswith(".month.html"))
    assert months[:2] == ["schedule/2024-02.month.html", "schedule/2024-03.month.html"]
    index = publication.content("index.html").decode("utf-8")
    assert '<a href="schedule/2024-02.month.html"><strong>February 2024</strong></a>' in index
    assert "29 events · 29 sessions" in index
    assert 'data-feed="day-0.ics"' not in index and 'id="feed-all"' in index
    assert index.count('<li class="feed"') == 1  # the category's feed
    february = publication.content("schedule/2024-02.month.html").decode("utf-8")
    assert february.count('<li class="feed"') == 29  # its events' feeds
    assert '<a class="page-link" href="day-0.html"><strong>Day 0</strong></a>' in february
    assert 'href="../day-0.ics" download' in february or "../day-0.ics" in february
    assert '<a href="../index.html" data-home>' in february
    # A page without schema.org data has none, not the word "None" in its head.
    for page in (index, february):
        assert "\nNone\n" not in page.split("</head>", 1)[0]
    # An event's page leads home to its month's row on the index of months.
    day = publication.content("schedule/day-0.html").decode("utf-8")
    assert '<a href="../index.html#month-2024-02" data-home>' in day
    assert '<li id="month-2024-02"><a href="schedule/2024-02.month.html">' in index
    # Its neighbours (issue 38 item 11), and no month groups on a month's own page.
    assert '<a href="2024-01.month.html" rel="prev">' not in february
    assert '<a href="2024-03.month.html" rel="next">March 2024 →</a>' in february
    march = publication.content("schedule/2024-03.month.html").decode("utf-8")
    assert '<a href="2024-02.month.html" rel="prev">← February 2024</a>' in march
    assert 'class="month"' not in february
    # Every page a month lists exists.
    linked = re.findall(r'class="page-link" href="(day-\d+\.html)"', february)
    assert len(linked) == 29 and all(f"schedule/{link}" in publication.files for link in linked)


def test_the_page_names_its_zone_as_it_is_at_every_time_shown() -> None:
    """A series on both sides of a clock change is in "Eastern Time", not "Eastern
    Standard Time" for sessions on daylight time (issue 38 item 2); one that stays on one
    side keeps the name valid then."""
    html = make_publication(load_series(DST_EXAMPLE), None, BUILD_TIME).content("index.html")
    assert "Times are in Eastern Time (New York)." in html.decode("utf-8")
    summer = (
        '[series]\nid = "s"\ntitle = "S"\nurl = "https://example.org/"\n'
        'timezone = "Europe/Berlin"\nuid_domain = "example.org"\n'
        '[series.organiser]\nname = "O"\n[[events]]\nid = "a"\ntitle = "A"\n'
        "date = 2026-04-10\nstart = 10:00:00\nend = 11:00:00\n"
    )
    page = make_publication(parse_series(summer), None, BUILD_TIME).content("index.html")
    assert "Times are in Central European Summer Time (Berlin)." in page.decode("utf-8")


def _states(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li class="session[^"]*" id="([^"]+)"[^>]*data-state="(\w+)"', html))


@pytest.mark.parametrize(
    ("now", "mobility", "ceremony", "over"),
    [
        ("2021-08-01T00:00:00Z", "upcoming", "upcoming", False),
        ("2021-08-26T00:15:00Z", "now", "upcoming", False),  # 09:15 in Seoul
        ("2021-10-18T07:00:00Z", "past", "now", False),
        ("2026-12-06T00:00:00Z", "past", "past", True),
    ],
)
def test_the_page_says_what_is_over_on_now_or_to_come(
    wego: Series, now: str, mobility: str, ceremony: str, over: bool
) -> None:
    """Issue 38 item 5: rows and events carry their state at the build time; built after
    the series, the hero says it took place instead of inviting subscriptions."""
    moment = datetime.fromisoformat(now)
    html = make_publication(wego, None, moment).content("index.html").decode("utf-8")
    states = _states(html)
    assert states["part-1--mobility"] == mobility
    assert states["ceremony--entry"] == ceremony
    assert ("This series is over" in html) is over
    assert ("Add the schedule to your calendar" in html) is not over
    if over:
        assert "It took place from Thursday 26 August 2021 to Monday 18 October 2021;" in html
        assert set(states.values()) == {"past"}


def test_a_repeating_event_is_over_only_after_its_last_occurrence() -> None:
    """The hero said a series was over once the first occurrence of a weekly event had
    passed (it looked at each entry's first time only); it says so after the last."""
    text = (
        '[series]\nid = "s"\ntitle = "S"\nurl = "https://example.org/"\n'
        'timezone = "Europe/Berlin"\nuid_domain = "example.org"\n'
        '[series.organiser]\nname = "O"\n[[events]]\nid = "club"\ntitle = "Club"\n'
        'date = 2026-05-01\nstart = 18:00:00\nend = 19:00:00\nrepeat = "FREQ=WEEKLY;COUNT=4"\n'
    )
    series = parse_series(text)

    def hero(now: datetime) -> str:
        html = make_publication(series, None, now).content("index.html").decode("utf-8")
        return html.split('id="subscribe-heading">', 1)[1].split("</p>", 1)[0]

    assert "This series is over" not in hero(datetime(2026, 5, 9, tzinfo=UTC))
    after = hero(datetime(2026, 6, 1, tzinfo=UTC))
    assert "This series is over" in after
    assert "It took place from Friday 1 May 2026 to Friday 22 May 2026" in after


# --------------------------------------------------------------------------- row state

_ZONES = [
    "Europe/Berlin", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC",
    "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns",
]  # fmt: skip


def _row_snapshot(start: datetime, minutes: int, zone: str, all_day: bool) -> Snapshot:
    if all_day:
        first = datetime.combine(start.date(), datetime.min.time())
        start, end = first, first + timedelta(days=1 + minutes % 3)
    else:
        end = start + timedelta(minutes=minutes)
    return Snapshot(
        summary="Talk",
        start=start,
        end=end,
        timezone=zone,
        description="",
        organizer_name="Org",
        organizer_address="mailto:org@example.org",
        all_day=True if all_day else None,
    )


def _written_state(snapshot: Snapshot, now: datetime) -> str:
    """The state as the page's script compares it: the rows' machine times as written."""
    from wego_ical.i18n.dates import iso_utc
    from wego_ical.page.views import machine_time, row_state

    start = machine_time(snapshot, snapshot.aware_start)
    end = machine_time(snapshot, snapshot.aware_end)
    return row_state(start, end, iso_utc(now))


@given(
    start=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30)),
    minutes=st.integers(min_value=0, max_value=3000),
    zone=st.sampled_from(_ZONES),
    all_day=st.booleans(),
    fold=st.sampled_from([0, 1]),
    offset=st.integers(min_value=-4000, max_value=4000),
    jitter=st.sampled_from([0, 1, 499_999, 999_999]),
)
@settings(max_examples=3000, deadline=None)
def test_the_state_of_a_row_is_the_state_its_written_times_give(
    start: datetime, minutes: int, zone: str, all_day: bool, fold: int, offset: int, jitter: int
) -> None:
    """page.recipes puts each row's state in the page's recipe without writing the row's
    times (views.state_at): the same state as the times the page writes, at any build time,
    around the row's start and end, in every kind of zone, fold and fraction of a second."""
    from wego_ical.page.views import state_at

    snapshot = _row_snapshot(start.replace(fold=fold), minutes, zone, all_day)
    midnight = datetime.combine(snapshot.end.date(), datetime.min.time(), tzinfo=UTC)
    nows = [
        moment + timedelta(seconds=offset, microseconds=jitter)
        for moment in (snapshot.aware_start, snapshot.aware_end)
    ]
    nows += [midnight, midnight - timedelta(microseconds=1), midnight + timedelta(seconds=1)]
    for now in nows:
        if 1970 <= now.astimezone(UTC).year <= 2199:
            # A build time given in any zone (--now takes an offset).
            for given_as in (now.astimezone(UTC), now.astimezone(ZoneInfo("Asia/Seoul"))):
                assert state_at(snapshot, given_as) == _written_state(snapshot, given_as)


def _linked_series(events: int, per_event: int) -> str:
    """_big_series with people's feeds, each session's panelist and each event's own
    (shared by its sessions, so listed once with the event)."""
    text = _big_series(events * per_event, per_event=per_event)
    people = "".join(
        f'[[people]]\nid = "{who}"\nname = "{who.title()}"\n' for who in ("ada", "grace", "hedy")
    )
    text = text.replace(
        "[[categories]]", f'[publish]\nfeeds = ["events", "people"]\n{people}[[categories]]', 1
    )
    lines = []
    for line in text.splitlines():
        lines.append(line)
        if line.startswith('id = "s'):
            number = int(line.removeprefix('id = "s').rstrip('"'))
            lines.append(f'panelists = ["{("ada", "grace")[number % 2]}", "hedy"]')
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("events", "per_event"),
    [(1, 5), (PAGE_SESSIONS // 20 + 1, 20), (INDEX_EVENTS + 10, 1)],
    ids=["one page", "a page per event", "by month"],
)
def test_every_link_within_the_site_finds_its_target(events: int, per_event: int) -> None:
    """Every link of every page to a place on a page of the site (a row, a feed, a day)
    leads to an element with that id: one fragment, on a page the build writes. A
    person's "Subscribe" on an event's page once led to "../index.html#<the event's
    row>#<the person's feed>", which no browser finds."""
    publication = make_publication(
        parse_series(_linked_series(events, per_event)), None, BUILD_TIME
    )
    pages = {
        path: publication.content(path).decode("utf-8")
        for path in publication.files
        if path.endswith(".html")
    }
    checked = 0
    for path, html in pages.items():
        for href in re.findall(r'href="([^"]*#[^"]*)"', html):
            if re.match(r"[a-z][a-z0-9+.-]*:", href):
                continue  # another site's address
            target, _, fragment = href.partition("#")
            assert "#" not in fragment, f"{path}: {href}"
            folder = path.rpartition("/")[0]
            resolved = os.path.normpath(os.path.join(folder, target)) if target else path
            assert resolved in pages, f"{path}: {href}"
            assert f'id="{fragment}"' in pages[resolved], f"{path}: {href}"
            checked += 1
    people_links = sum(html.count("#feed-people-") for html in pages.values())
    assert people_links and checked > people_links


def _frames_and_views(series: Series, now: datetime | None) -> Iterator[tuple[object, object]]:
    """Each event's view without its rows (event_frame) and its whole view, rows left out,
    for all its entries and for its first and last (as a light list asks for them)."""
    published = make_publication(series, None, now or BUILD_TIME).state.events
    records = {record.uid: record for record in published}
    settings = ViewSettings(None, ui_text.page(None), None, now)
    grouped: dict[str, list[CalendarEntry]] = {}
    for entry in calendar_entries(series):
        grouped.setdefault(entry.event.id, []).append(entry)
    for event_id, entries in grouped.items():
        for chosen in (entries, [entries[0], entries[-1]]):
            (view,) = event_views(series, {event_id: chosen}, records, settings)
            frame = event_frame(series, chosen, records, settings)
            yield frame, replace(view, days=[], sessions=0)


@pytest.mark.parametrize(
    "source", [DATA, CONFERENCE, DST_EXAMPLE, ROOT / "examples" / "parallel-rooms.toml"]
)
@pytest.mark.parametrize("now", [None, BUILD_TIME, datetime(2021, 9, 1, tzinfo=UTC)])
def test_an_events_frame_is_its_view_without_its_rows(source: Path, now: datetime | None) -> None:
    """The light lists show an event's frame, made without its rows: the same as its
    whole view's, for every kind of event (zones, day changes, whole days, repeats)."""
    pairs = list(_frames_and_views(load_series(source), now))
    assert pairs and all(frame == view for frame, view in pairs)


@settings(max_examples=25, deadline=None)
@given(st.one_of(schedule_toml(), series_toml()))
def test_a_random_events_frame_is_its_view_without_its_rows(text: str) -> None:
    for frame, view in _frames_and_views(parse_series(text), BUILD_TIME):
        assert frame == view


def test_a_repeating_events_frame_is_its_view_without_its_rows() -> None:
    for now in (None, datetime(2027, 4, 1, tzinfo=UTC), BUILD_TIME):
        for frame, view in _frames_and_views(parse_series(WEEKLY), now):
            assert frame == view
