"""page.recipes: a rebuild keeps the pages whose inputs did not change, and every page it
keeps is the page a build from scratch would write (issue 35, the incremental rebuild)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_page_views import _big_series

from wego_ical.cli import main
from wego_ical.limits import PAGE_SESSIONS
from wego_ical.output import buildcache
from wego_ical.page import landing
from wego_ical.pipeline import BuildOptions, build
from wego_ical.render.workers import WorkerSettings

FIRST = "2024-01-15T12:00:00Z"


def _build(data: Path, out: Path, now: str = FIRST) -> str:
    result = CliRunner().invoke(
        main, ["build", "--data", str(data), "--out", str(out), "--now", now]
    )
    assert result.exit_code == 0, result.output
    return result.output


def _pages(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*.html")}


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The event pages made (not kept) from here on, by path within their language."""
    paths: list[str] = []
    real = landing._render_event_page

    def recording(shared: object, path: str, *args: object) -> object:
        paths.append(path)
        return real(shared, path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(landing, "_render_event_page", recording)
    return paths


TWO_LANGUAGES = (
    'title = "Big"',
    'title = { en = "Big", ko = "큰 행사" }\nlanguages = ["en", "ko"]',
)


@pytest.fixture(params=["en", "en+ko"])
def big(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """A split schedule (six days of 20 sessions), in English or in two languages, built
    once."""
    text = _big_series(PAGE_SESSIONS + 20)
    if request.param == "en+ko":
        text = text.replace(*TWO_LANGUAGES, 1)
    data, out = tmp_path / "events.toml", tmp_path / "dist"
    data.write_text(text, encoding="utf-8")
    _build(data, out)
    return data, out


# Each edit, and the event pages (English and Korean) it may change; None: every page.
EDITS = [
    ('title = "Talk 3"', 'title = "Talk three"', {"day-2"}),  # the first match is day-0's
    ('title = "Day 3"', 'title = "Day three"', {"day-2", "day-3", "day-4"}),  # neighbours
    ('name = "Talks"', 'name = "Lectures"', None),  # a category every page names
    ('title = "Talk 0"\nstart = 06:00:00', 'title = "Talk 0"\nstart = 05:50:00', {"day-0"}),
    ('name = "Office"', 'name = "The Office"', None),
    # A session more: the main feed's count, on every page, changes.
    (
        'id = "s19"',
        'id = "s20"\ntitle = "Late"\nstart = 20:00:00\nend = 20:30:00\n'
        '[[events.sessions]]\nid = "s19"',
        None,
    ),
    (
        "[series.organiser]",
        '[publish]\nbase_url = "https://example.org/cal/"\n[series.organiser]',
        None,
    ),
]


@pytest.mark.parametrize(("old", "new", "changed"), EDITS)
def test_a_rebuild_keeps_only_the_pages_an_edit_does_not_touch(
    big: tuple[Path, Path],
    tmp_path: Path,
    made: list[str],
    old: str,
    new: str,
    changed: set[str] | None,
) -> None:
    data, out = big
    text = data.read_text(encoding="utf-8")
    if old == 'title = "Talk 3"':  # day-2's Talk 3, not day-0's
        at = text.index('id = "day-2"')
        text = text[:at] + text[at:].replace(old, new, 1)
    else:
        assert old in text
        text = text.replace(old, new, 1)
    data.write_text(text, encoding="utf-8")
    # The same folder without the record of its last build: nothing is kept there.
    full = tmp_path / "full"
    shutil.copytree(out, full)
    _build(data, out)
    remade = list(made)
    _build(data, full)
    # Every file kept (pages, feeds, single-event files) is what a build that keeps
    # nothing writes.
    assert _tree(out) == _tree(full)
    fresh = tmp_path / "fresh"
    _build(data, fresh)
    assert _pages(out) == _pages(fresh)
    days = {path.rsplit("/", 1)[-1].removesuffix(".html") for path in remade}
    if (out / "ko").exists():
        # The Korean pages mark the English texts they fall back to, so an edit of an
        # English text remakes every Korean page (the set of those texts changed).
        assert changed is None or changed <= days
        return
    if changed is None:
        assert len(remade) == 6  # every page
    else:
        assert days == changed, remade
        assert len(remade) == len(changed)


def test_pages_follow_the_clock_as_a_fresh_build_does(
    big: tuple[Path, Path], tmp_path: Path, made: list[str]
) -> None:
    """The build time says what is over: a later build remakes the pages whose rows
    changed state (a day now over), and keeps the others."""
    data, out = big
    # Day 0 is 1 February 2024; at noon on the 3rd, days 0-2 are over.
    later = "2024-02-03T12:00:00Z"
    _build(data, out, later)
    assert sorted(set(made)) == [f"schedule/day-{n}.html" for n in range(3)]
    assert len(made) == 3 * (2 if (out / "ko").exists() else 1)
    fresh = tmp_path / "fresh"
    _build(data, fresh, later)
    assert _pages(out) == _pages(fresh)


def test_a_page_changed_by_hand_or_other_code_is_made_again(
    big: tuple[Path, Path], made: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, out = big
    page = out / "schedule" / "day-3.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"Day 3", b"Day 3 (edited by hand)"))
    # A feed and a single-event file too, keeping their size and times (the record also
    # holds each file's inode and change time).
    feed, single = out / "day-3.ics", sorted((out / "events").iterdir())[7]
    originals = {path: path.read_bytes() for path in (feed, single)}
    for path, content in originals.items():
        times = path.stat()
        path.write_bytes(content.replace(b"SEQUENCE:0", b"SEQUENCE:9"))
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
    _build(data, out, "2024-01-15T12:30:00Z")
    assert page.read_bytes() == original
    assert {path: path.read_bytes() for path in originals} == originals
    assert made == ["schedule/day-3.html"]
    recorded = buildcache.kept_recipes(out)  # for the next build: pages, feeds, events
    assert {"schedule/day-3.html", "all.ics", "day-3.ics", "categories/talks.ics"} <= set(recorded)
    assert sum(path.startswith("events/") for path in recorded) == PAGE_SESSIONS + 20
    if (out / "ko").exists():
        assert "ko/schedule/day-3.html" in buildcache.kept_recipes(out)
    # A comment in the data changes no page: every page is kept.
    made.clear()
    data.write_text(data.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    _build(data, out, "2024-01-15T13:00:00Z")
    assert made == []
    # Another version of wego-ical (or of a library) keeps nothing.
    monkeypatch.setattr(buildcache, "_code_and_environment", lambda: "other code")
    assert buildcache.kept_recipes(out) == {}
    data.write_text(data.read_text(encoding="utf-8") + "# another\n", encoding="utf-8")
    _build(data, out, "2024-01-15T13:30:00Z")
    assert len(made) == 6 * (2 if (out / "ko").exists() else 1)
    assert page.read_bytes() == original


def test_pages_made_in_a_child_process_record_their_recipes_there(
    big: tuple[Path, Path], tmp_path: Path
) -> None:
    """A large build makes its pages in a child process, which works out their recipes
    too (they are a good part of what the build did alone before it went wide): the
    parent records them all the same, so the next build keeps the pages an edit does
    not touch (the same inode) and makes the one it does."""
    data, _ = big
    out = tmp_path / "apart"
    options = BuildOptions(
        data,
        out,
        datetime(2024, 1, 15, 12, tzinfo=UTC),
        workers=WorkerSettings(parallel_min_items=50),
        skip_unchanged=True,
    )
    assert options.workers.makes_apart(PAGE_SESSIONS + 20)
    build(options)
    pages = {f"schedule/day-{n}.html" for n in range(6)}
    if (out / "ko").exists():
        pages |= {f"ko/{page}" for page in pages}
    assert pages <= set(buildcache.kept_recipes(out))
    before = _inodes(out)
    at = (text := data.read_text(encoding="utf-8")).index('id = "day-2"')
    data.write_text(text[:at] + text[at:].replace('title = "Talk 3"', 'title = "Talk three"', 1))
    build(options)
    after = _inodes(out)
    remade = {path for path in pages if after[path] != before[path]}
    if (out / "ko").exists():
        assert {"schedule/day-2.html", "ko/schedule/day-2.html"} <= remade
    else:
        assert remade == {"schedule/day-2.html"}
    assert pages <= set(buildcache.kept_recipes(out))
    fresh = tmp_path / "fresh"
    _build(data, fresh)
    assert _pages(out) == _pages(fresh)
