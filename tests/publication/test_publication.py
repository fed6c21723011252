"""publication: the WeGO feeds, parsed back and compared with the data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import icalendar
import pytest

from conftest import (
    DIST,
    GOLDEN,
    TESTS,
    aware,
    count_events,
    large_series,
    render_files,
    wait_for,
)
from wego_ical.errors import SelfCheckError, WorkerError
from wego_ical.lint.checks import Finding
from wego_ical.load.series_file import parse_series
from wego_ical.model import Series, calendar_entries, entry_uid
from wego_ical.model.descriptions import describe
from wego_ical.plan.feeds import plan_feeds
from wego_ical.publication.assemble import PublicationSettings, make_publication
from wego_ical.publication.event_texts import EventTexts
from wego_ical.render import calendar as render
from wego_ical.render.workers import WorkerSettings

UTC_TIMES = {
    "wego-awards-4.part-1.mobility@we-gov.org": ("2021-08-26T00:00", "2021-08-26T00:30"),
    "wego-awards-4.part-1.open-and-inclusive-city@we-gov.org": (
        "2021-08-26T00:30",
        "2021-08-26T01:00",
    ),
    "wego-awards-4.part-1.safe-city@we-gov.org": ("2021-08-26T01:00", "2021-08-26T01:30"),
    "wego-awards-4.part-2.efficient-government@we-gov.org": (
        "2021-09-14T07:00",
        "2021-09-14T07:30",
    ),
    "wego-awards-4.part-2.emerging-technology@we-gov.org": ("2021-09-14T07:30", "2021-09-14T08:00"),
    "wego-awards-4.part-2.sustainable-city@we-gov.org": ("2021-09-14T08:00", "2021-09-14T08:30"),
    "wego-awards-4.ceremony@we-gov.org": ("2021-10-18T06:00", "2021-10-18T08:00"),
}


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def feeds(wego: Series) -> dict[str, icalendar.Calendar]:
    return {
        path: icalendar.Calendar.from_ical(content) for path, content in render_files(wego).items()
    }


def test_feed_files_and_event_counts(wego: Series) -> None:
    counts = {path: count_events(content) for path, content in render_files(wego).items()}
    singles = {path: n for path, n in counts.items() if path.startswith("events/")}
    assert len(singles) == 7 and set(singles.values()) == {1}
    assert {path: n for path, n in counts.items() if path not in singles} == {
        "all.ics": 7,
        "part-1.ics": 3,
        "part-2.ics": 3,
        "ceremony.ics": 1,
        "categories/mobility.ics": 2,
        "categories/open-and-inclusive-city.ics": 2,
        "categories/safe-city.ics": 2,
        "categories/efficient-government.ics": 2,
        "categories/emerging-technology.ics": 2,
        "categories/sustainable-city.ics": 2,
    }


def test_utc_start_and_end_of_every_event(feeds: dict[str, icalendar.Calendar]) -> None:
    events = {str(e["UID"]): e for e in feeds["all.ics"].events}
    assert set(events) == set(UTC_TIMES)
    for uid, (start, end) in UTC_TIMES.items():
        assert aware(events[uid].start).astimezone(UTC) == _utc(start), uid
        assert aware(events[uid].end).astimezone(UTC) == _utc(end), uid
        assert events[uid]["DTSTART"].params["TZID"] == "Asia/Seoul"


def test_same_uid_and_bytes_in_every_feed(wego: Series) -> None:
    seen: dict[str, bytes] = {}
    for content in render_files(wego).values():
        for vevent in icalendar.Calendar.from_ical(content).events:
            uid = str(vevent["UID"])
            assert seen.setdefault(uid, vevent.to_ical()) == vevent.to_ical(), uid


def test_category_feed_has_its_sessions_and_the_ceremony(
    feeds: dict[str, icalendar.Calendar],
) -> None:
    uids = [str(e["UID"]) for e in feeds["categories/safe-city.ics"].events]
    assert uids == [
        "wego-awards-4.part-1.safe-city@we-gov.org",
        "wego-awards-4.ceremony@we-gov.org",
    ]


def test_session_summary_and_description(feeds: dict[str, icalendar.Calendar]) -> None:
    event = next(e for e in feeds["part-1.ics"].events if "mobility" in str(e["UID"]))
    assert str(event["SUMMARY"]) == "WeGO Awards Webinar Part 1 · Mobility"
    assert str(event["DESCRIPTION"]) == (
        "Session: WeGO Awards Webinar Part 1\n"
        "Category: Mobility\n"
        "Topics: Efficient Transport, Intelligent Transport Systems, Mixed-Modal Access, "
        "Integrated ICT Infrastructure, Parking\n\n"
        "Winning projects:\n"
        "- George Town — Green Connectivity (Gold)\n"
        "- Belo Horizonte — SIU Mobile – Belo Horizonte’s Mobility App\n\n"
        "Judge panelist:\n"
        "- Javier Vergara-Petrescu — Executive Director, Ciudad Emergente\n\n"
        "Event page: https://we-gov.org/news-2021/"
        "winning-projects-showcased-in-webinar-series-ahead-of-award-ceremony/"
    )
    assert str(event["LOCATION"]) == "Online"
    assert event.categories == ["4th WeGO Awards", "Mobility"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert str(event["TRANSP"]) == "OPAQUE"
    assert datetime(2026, 11, 27, tzinfo=UTC) == event.DTSTAMP


def test_part_2_mentions_interpretation_and_its_panelist(
    feeds: dict[str, icalendar.Calendar],
) -> None:
    for event in feeds["part-2.ics"].events:
        text = str(event["DESCRIPTION"])
        assert "Simultaneous interpretation: English, Korean" in text
        assert "- Donovan Storey — Head of Global Policy and Influence, Reall" in text


def test_ceremony_lists_all_winners_by_category_and_the_jury(
    feeds: dict[str, icalendar.Calendar],
) -> None:
    (event,) = feeds["ceremony.ics"].events
    text = str(event["DESCRIPTION"])
    assert str(event["SUMMARY"]) == "4th WeGO Awards Ceremony at the 5th WeGO General Assembly"
    assert "Hosted by: Seoul, the President City of WeGO" in text
    winners = text.split("Winners:\n", 1)[1].split("\n\n", 1)[0]
    assert winners.splitlines()[:4] == [
        "Mobility",
        "- George Town — Green Connectivity (Gold)",
        "- Belo Horizonte — SIU Mobile – Belo Horizonte’s Mobility App",
        "Open and Inclusive City",
    ]
    assert "- Sejong (Special Mention)" in winners
    assert "- Mashhad — Mashhad SIMAP Application (Silver)" in winners
    jury = text.split("Jury:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(jury) == 6
    assert (
        "- Donovan Storey — Deputy Director & Urban Lead, Green Cities, "
        "Global Green Growth Institute" in jury
    )
    assert "- Javier Vergara-Petrescu — Co-Founder & Executive Director, Ciudad Emergente" in jury


def test_calendar_properties(feeds: dict[str, icalendar.Calendar]) -> None:
    calendar = feeds["categories/mobility.ics"]
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["PRODID"]) == "-//wego-ical//wego-ical//EN"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar.calendar_name == "4th WeGO Awards — Mobility"
    assert str(calendar["X-WR-CALNAME"]) == "4th WeGO Awards — Mobility"
    assert calendar.description.startswith("4th WeGO Awards — Mobility. Topics: Efficient")
    # X- properties are TEXT (RFC 5545 3.8.8.2): escaped exactly like DESCRIPTION.
    # (icalendar parses them back as vUnknown, still escaped.)
    raw = calendar["X-WR-CALDESC"].to_ical()
    assert raw == icalendar.vText(calendar.description).to_ical()
    assert b"Transport\\, Intelligent" in raw
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Seoul"
    assert calendar.refresh_interval is not None
    assert calendar.refresh_interval.total_seconds() == 12 * 3600
    assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT12H"


def test_vtimezone_is_present_and_limited_to_the_feed_years(
    feeds: dict[str, icalendar.Calendar],
) -> None:
    for path, calendar in feeds.items():
        assert calendar.get_missing_tzids() == set(), path
        (zone,) = calendar.timezones
        assert zone.tz_name == "Asia/Seoul"
        starts = [
            sub.decoded("DTSTART") for sub in zone.walk() if sub.name in ("STANDARD", "DAYLIGHT")
        ]
        assert all(s.year == 2021 for s in starts), path


def test_vtimezone_range_follows_the_data_years(wego_text: str) -> None:
    text = wego_text.replace("date = 2021-10-18", "date = 2023-10-18")
    series = parse_series(text)
    files = render_files(series)
    assert b"only works from 2023-01-01 to 2024-01-01" in files["ceremony.ics"]
    assert b"only works from 2021-01-01 to 2024-01-01" in files["all.ics"]


def test_organizer_is_the_organiser(feeds: dict[str, icalendar.Calendar]) -> None:
    for event in feeds["all.ics"].events:
        organizer = event["ORGANIZER"]
        assert organizer.params["CN"].startswith("WeGO – World Smart Sustainable Cities")
        assert str(organizer) == "https://we-gov.org/wego-awards/4th-wego-awards/"


def test_organizer_email_becomes_a_mailto(wego_text: str) -> None:
    text = wego_text.replace(
        "[series.organiser]\n", '[series.organiser]\nemail = "events@example.org"\n'
    )
    (vevent, *_) = icalendar.Calendar.from_ical(render_files(parse_series(text))["all.ics"]).events
    assert str(vevent["ORGANIZER"]) == "mailto:events@example.org"


def test_uids_come_from_ids_only(wego: Series) -> None:
    uids = [entry_uid(wego, entry) for entry in calendar_entries(wego)]
    assert len(set(uids)) == len(uids) == 7
    assert all(uid.startswith("wego-awards-4.") and uid.endswith("@we-gov.org") for uid in uids)


def test_two_builds_are_byte_identical(wego: Series, wego_text: str) -> None:
    first = render_files(wego)
    second = render_files(parse_series(wego_text))
    assert first == second


def test_golden_files_match(wego: Series) -> None:
    files = render_files(wego)
    for path, content in files.items():
        golden = GOLDEN / path
        assert golden.is_file(), f"missing golden file {golden}"
        assert content == golden.read_bytes(), f"{path} differs from {golden}"
    expected = sorted(
        p.relative_to(GOLDEN).as_posix()
        for p in GOLDEN.rglob("*.ics")
        if not p.relative_to(GOLDEN).as_posix().startswith("ko/")  # the Korean edition
    )
    assert expected == sorted(files)


def test_lines_are_crlf_and_folded(wego: Series) -> None:
    for path, content in render_files(wego).items():
        lines = content.split(b"\r\n")
        assert lines[-1] == b""
        for line in lines:
            assert b"\n" not in line and b"\r" not in line
            assert len(line) <= 75, (path, line)
            # Google Calendar drops an event whose fold splits an escape such as \n.
            trailing = len(line) - len(line.rstrip(b"\\"))
            assert trailing % 2 == 0, (path, line)


def test_event_without_category_or_projects(wego_text: str) -> None:
    extra = """
[[events]]
id = "social"
title = "Networking"
date = 2021-10-19
start = 18:00:00
end = 19:00:00
"""
    series = parse_series(wego_text + extra)
    entry = next(e for e in calendar_entries(series) if e.key == "social")
    assert describe(series, entry) == (
        "Event page: https://we-gov.org/wego-awards/4th-wego-awards/"
    )
    paths = [plan.path for plan in plan_feeds(series)]
    assert "social.ics" in paths


def test_no_empty_category_feed(wego_text: str) -> None:
    text = wego_text.replace("all_categories = true", "all_categories = false")
    text += '\n[[categories]]\nid = "unused"\nname = "Unused"\n'
    paths = [plan.path for plan in plan_feeds(parse_series(text))]
    assert "categories/unused.ics" not in paths
    assert "categories/mobility.ics" in paths


def test_dist_matches_golden_but_for_its_publication_history() -> None:
    """dist/ continues the real publication (events that changed since their first
    publication have a higher SEQUENCE and later stamps); otherwise it is the golden build."""
    dist = DIST
    history = re.compile(rb"^(SEQUENCE|DTSTAMP|LAST-MODIFIED):.*$", re.MULTILINE)
    for golden in GOLDEN.rglob("*.ics"):
        published = (dist / golden.relative_to(GOLDEN)).read_bytes()
        assert history.sub(b"", published) == history.sub(b"", golden.read_bytes()), golden
    assert (dist / "index.html").read_bytes() == (GOLDEN / "index.html").read_bytes()


def test_rendering_in_worker_processes_gives_the_same_bytes(
    wego: Series, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = render_files(wego)
    # seven events: seven chunks over two processes
    assert render_files(wego, workers=WorkerSettings(processes=2, min_chunk=1)) == serial


def test_self_check_errors_found_in_worker_processes_stop_the_build(
    wego: Series, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Finding(3, "broken on purpose")
    monkeypatch.setattr(render, "lint_event", lambda text, zones: [broken])
    publication = make_publication(
        wego,
        None,
        datetime(2026, 1, 1, tzinfo=UTC),
        PublicationSettings(workers=WorkerSettings(processes=2, min_chunk=1)),
    )
    with pytest.raises(SelfCheckError, match="broken on purpose") as raised:
        publication.content("all.ics")
    first = publication.state.events[0].uid
    assert f"{first}:3: error: broken on purpose" in str(raised.value)


def test_diff_renders_no_event(wego: Series, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendered")

    monkeypatch.setattr(render, "render_checked", fail)
    publication = make_publication(wego, None, datetime(2026, 1, 1, tzinfo=UTC))
    assert len(publication.changes) == 7  # what diff shows needs no rendering
    with pytest.raises(AssertionError, match="rendered"):
        publication.content("all.ics")


def test_a_worker_process_that_dies_is_reported(
    wego: Series, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()

    def die(key: str, record: object) -> None:
        assert os.getpid() != parent, "rendered in the main process"
        os._exit(9)

    monkeypatch.setattr(render, "render_checked", die)
    publication = make_publication(
        wego,
        None,
        datetime(2026, 1, 1, tzinfo=UTC),
        PublicationSettings(workers=WorkerSettings(processes=2, min_chunk=1)),
    )
    with pytest.raises(WorkerError, match="stopped unexpectedly"):
        publication.content("all.ics")


def test_a_large_feed_is_produced_in_pieces_equal_to_the_whole() -> None:
    texts = {
        f"e{n}": b"BEGIN:VEVENT\r\nUID:%d\r\n" % n + b"X" * 900 + b"\r\nEND:VEVENT\r\n"
        for n in range(300)
    }
    events = EventTexts(texts, [])
    envelope = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    pieces = list(events.stream(envelope, list(texts)))
    assert len(pieces) > 3 and all(len(piece) < 80_000 for piece in pieces)
    assert b"".join(pieces) == render.splice(envelope, list(texts.values()))


def test_texts_kept_in_a_temporary_file_give_the_same_files(wego: Series) -> None:
    in_memory = render_files(wego)
    spilling = WorkerSettings(processes=1, spill_min_items=1)
    assert render_files(wego, workers=spilling) == in_memory
    spilling_in_workers = WorkerSettings(processes=2, min_chunk=1, spill_min_items=1)
    assert render_files(wego, workers=spilling_in_workers) == in_memory
    texts = EventTexts({}, [], WorkerSettings(spill_min_items=0))
    assert texts._spill is not None
    texts.add("a", b"BEGIN:VEVENT\r\nEND:VEVENT\r\n")
    texts.add("b", "é".encode())
    assert (texts["a"], texts["b"]) == (b"BEGIN:VEVENT\r\nEND:VEVENT\r\n", "é".encode())


def test_texts_back_from_the_workers_go_to_the_file_as_files_are_made(wego: Series) -> None:
    """A large series' texts wait in the temporary file, not in the worker pool's
    results: each one that came back is taken when the next file is made (a page, which
    needs no text, included)."""
    publication = make_publication(
        wego,
        None,
        datetime(2026, 1, 1, tzinfo=UTC),
        PublicationSettings(workers=WorkerSettings(processes=2, min_chunk=1, spill_min_items=1)),
    )
    texts = publication.start_rendering.__self__  # type: ignore[attr-defined]
    assert isinstance(texts, EventTexts)
    texts.start()
    assert texts._rendering is not None and len(texts._rendering) > 1
    rendering = texts._rendering
    wait_for(lambda: all(chunk is None or chunk.args[0].done()  # type: ignore[attr-defined]
                         for chunk in rendering._chunks))  # fmt: skip
    publication.content("index.html")  # a page: no text needed, the arrived ones taken
    assert all(chunk is None for chunk in rendering._chunks)
    assert set(texts._spilled) == {record.uid for record in publication.state.events}
    assert render_files(wego) == {
        path: publication.content(path) for path in publication.files if path.endswith(".ics")
    }


def test_output_printed_before_the_workers_start_is_not_repeated_by_them() -> None:
    script = (
        "from datetime import UTC, datetime\n"
        "from conftest import DATA\n"
        "from wego_ical.load.series_file import load_series\n"
        "from wego_ical.publication.assemble import PublicationSettings, make_publication\n"
        "from wego_ical.render.workers import WorkerSettings\n"
        "settings = PublicationSettings(workers=WorkerSettings(processes=2, min_chunk=1))\n"
        "publication = make_publication(load_series(DATA), None, datetime(2026, 1, 1, tzinfo=UTC),"
        " settings)\n"
        "print('before the workers')\n"  # stdout is a pipe: buffered, not yet written
        "publication.content('all.ics')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=TESTS,
    )
    assert done.stdout == "before the workers\n"


def test_self_check_errors_in_a_cancelled_copy_stop_the_build(
    wego: Series, wego_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_publication(wego, None, datetime(2026, 1, 1, tzinfo=UTC)).state
    moved = parse_series(
        wego_text.replace('category = "mobility"\nprojects', 'category = "safe-city"\nprojects', 1)
    )
    broken = Finding(2, "broken on purpose")
    monkeypatch.setattr(render, "lint_event", lambda text, zones: [broken])
    with pytest.raises(SelfCheckError) as raised:
        make_publication(moved, first, datetime(2026, 2, 1, tzinfo=UTC))
    assert (
        "wego-awards-4.part-1.mobility@we-gov.org (cancelled in categories/mobility.ics):2: "
        "error: broken on purpose"
    ) in str(raised.value)


def test_a_large_publication_makes_its_pages_and_its_exports_apart() -> None:
    """Between parallel_min_items and the forkserver size, the pages (the index and each
    event's page) are made in one child process and both exports in another; a
    publication in one process, or a small one, makes nothing apart."""
    big = parse_series(large_series(120))
    now = datetime(2030, 1, 1, tzinfo=UTC)
    apart = WorkerSettings(parallel_min_items=len(calendar_entries(big)))
    publication = make_publication(big, None, now, PublicationSettings(workers=apart))
    pages, exports = publication.made_apart
    assert isinstance(pages, tuple) and isinstance(exports, tuple)
    assert pages[0] == "index.html" and len(pages) > 1
    assert set(pages) == {path for path in publication.files if path.endswith(".html")}
    assert exports == ("schedule.json", "schedule.xml")
    for workers in (WorkerSettings(processes=1), WorkerSettings(jobs=1), WorkerSettings()):
        settings = PublicationSettings(workers=workers)
        assert make_publication(big, None, now, settings).made_apart == ()
