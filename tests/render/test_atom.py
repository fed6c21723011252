"""history and change_feed: changes.atom, one entry per published change, newest first,
read back with feedparser (an independent Atom parser)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import feedparser
from click.testing import CliRunner

from conftest import DATA, english_only
from wego_ical.cli import main

FIRST = "2030-01-01T00:00:00Z"


def build(data: Path, out: Path, now: str, *extra: str) -> None:
    result = CliRunner().invoke(
        main, ["build", "--data", str(data), "--out", str(out), "--now", now, *extra]
    )
    assert result.exit_code == 0, result.output


def read(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_every_published_change_is_an_entry_newest_first(tmp_path: Path) -> None:
    data, out = tmp_path / "events.toml", tmp_path / "dist"
    text = DATA.read_text(encoding="utf-8")
    data.write_text(text, encoding="utf-8")
    build(data, out, FIRST)
    first = read(out / "changes.atom")
    assert first.feed.title == "4th WeGO Awards — changes to the schedule"
    assert [e.title for e in first.entries] == ["Schedule published: 7 events"]
    # A no-op rebuild writes the same bytes.
    before = (out / "changes.atom").read_bytes(), (out / "ko" / "changes.atom").read_bytes()
    build(data, out, "2030-01-02T00:00:00Z")
    after = (out / "changes.atom").read_bytes(), (out / "ko" / "changes.atom").read_bytes()
    assert after == before
    # A move, then a cancellation and a removal, in two builds.
    moved = text.replace("start = 09:00:00\nend = 10:30:00", "start = 08:30:00\nend = 10:30:00")
    moved = moved.replace("start = 09:00:00\nend = 09:30:00", "start = 08:30:00\nend = 09:00:00")
    data.write_text(moved, encoding="utf-8")
    build(data, out, "2030-01-03T00:00:00Z")
    cancelled = moved.replace(
        'id = "safe-city"\nstart', 'id = "safe-city"\nstatus = "cancelled"\nstart'
    )
    start = cancelled.index('[[events.sessions]]\nid = "sustainable-city"')
    cancelled = cancelled[:start] + cancelled[cancelled.index("[[events]]", start) :]
    data.write_text(cancelled, encoding="utf-8")
    build(data, out, "2030-01-04T00:00:00Z")
    feed = read(out / "changes.atom")
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        "Cancelled: WeGO Awards Webinar Part 1 · Safe City",
        "Removed: WeGO Awards Webinar Part 2 · Sustainable City",
        "Moved: WeGO Awards Webinar Part 1 · Mobility",
        "Schedule published: 7 events",
    ] or titles == [
        "Removed: WeGO Awards Webinar Part 2 · Sustainable City",
        "Cancelled: WeGO Awards Webinar Part 1 · Safe City",
        "Moved: WeGO Awards Webinar Part 1 · Mobility",
        "Schedule published: 7 events",
    ]
    stamps = [datetime.fromisoformat(entry.updated) for entry in feed.entries]
    assert stamps == sorted(stamps, reverse=True)
    move = next(e for e in feed.entries if e.title.startswith("Moved"))
    assert move.content[0].value == (
        "Time: Thursday 26 August 2021, 09:00–09:30 (Korean Standard Time) → "
        "Thursday 26 August 2021, 08:30–09:00 (Korean Standard Time)"
    )
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("tag:we-gov.org,2000:") for i in ids)
    assert ids[-2:] == [entry.id for entry in read(out / "changes.atom").entries][-2:]
    # The Korean edition tells the same changes in Korean, under its own ids.
    korean = read(out / "ko" / "changes.atom")
    assert korean.feed.title == "제4회 WeGO 어워즈 — 일정 변경 소식"
    assert korean.entries[2].title == "시간 변경: WeGO 어워즈 웨비나 1부 · 이동성"
    assert (
        korean.entries[2].content[0].value.startswith("시간: 2021년 8월 26일 목요일, 09:00 ~ 09:30")
    )
    assert not set(ids) & {entry.id for entry in korean.entries}


def test_the_page_and_the_feeds_link_the_feed_of_changes(tmp_path: Path) -> None:
    data, out = tmp_path / "events.toml", tmp_path / "dist"
    text = english_only(DATA.read_text(encoding="utf-8")).replace(
        "\n[publish]\n", '\n[publish]\nbase_url = "https://calendar.example.org/wego/"\n', 1
    )
    data.write_text(text, encoding="utf-8")
    build(data, out, FIRST)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" href="changes.atom"' in page
    assert 'href="changes.atom" type="application/atom+xml">Changes to the schedule' in page
    feed = (out / "part-1.ics").read_bytes().decode("utf-8").replace("\r\n ", "")
    assert (
        "Changes to the schedule\\, as a news feed: https://calendar.example.org/wego/changes.atom"
        in feed
    )
    parsed = read(out / "changes.atom")
    assert parsed.feed.links[0].href == "https://calendar.example.org/wego/changes.atom"
    assert parsed.entries[0].link == "https://calendar.example.org/wego/"
