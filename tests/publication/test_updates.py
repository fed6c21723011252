"""Scenarios: organisers edit the data after people subscribed, then rebuild.

Each test builds the WeGO data, edits a copy, rebuilds with a later --now
and checks what subscribers' clients would see.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from conftest import DATA, aware, english_only
from wego_ical.cli import main

FIRST = "2030-01-01T00:00:00Z"
LATER = "2030-02-01T10:00:00Z"
MOBILITY = "wego-awards-4.part-1.mobility@we-gov.org"
SAFE_CITY = "wego-awards-4.part-1.safe-city@we-gov.org"
CEREMONY = "wego-awards-4.ceremony@we-gov.org"


class Site:
    """A data file and its output folder, built like an organiser would."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.data = root / "events.toml"
        self.out = root / "dist"
        # English only: these tests follow one publication's updates (the Korean
        # edition follows the same rules in its own folder, tested in test_languages).
        self.data.write_text(english_only(DATA.read_text(encoding="utf-8")), encoding="utf-8")
        self.runner = CliRunner()

    def edit(self, old: str, new: str) -> None:
        text = self.data.read_text(encoding="utf-8")
        assert old in text, old
        self.data.write_text(text.replace(old, new, 1), encoding="utf-8")

    def run(self, command: str, now: str, *extra: str) -> str:
        args = [command, "--data", str(self.data), "--out", str(self.out), "--now", now, *extra]
        result = self.runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        return result.output

    def build(self, now: str = FIRST, *extra: str) -> str:
        return self.run("build", now, *extra)

    def events(self, path: str) -> dict[str, icalendar.Event]:
        calendar = icalendar.Calendar.from_ical((self.out / path).read_bytes())
        return {str(event["UID"]): event for event in calendar.events}

    def files(self) -> dict[str, tuple[bytes, int]]:
        return {
            p.relative_to(self.out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in self.out.rglob("*")
            if p.is_file()
        }

    def containing(self, uid: str) -> list[str]:
        return [path for path in self.files() if path.endswith(".ics") and uid in self.events(path)]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    built = Site(tmp_path)
    built.build()
    return built


def _age_files(site: Site) -> None:
    """Move modification times into the past so a rewrite is visible."""
    for path in site.out.rglob("*"):
        os.utime(path, (1_000_000, 1_000_000))


def test_no_edit_rewrites_nothing(site: Site) -> None:
    _age_files(site)
    before = site.files()
    output = site.build(LATER)
    assert site.files() == before
    assert "0 files written" in output


def test_first_publication_takes_timestamps_from_the_data(site: Site) -> None:
    for event in site.events("all.ics").values():
        assert event["SEQUENCE"] == 0
        assert datetime(2026, 11, 27, tzinfo=UTC) == event.DTSTAMP
        assert datetime(2026, 11, 27, tzinfo=UTC) == event.LAST_MODIFIED


def test_first_publication_without_updated_takes_the_build_time(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.edit("updated = 2026-11-27T00:00:00Z\n", "")
    site.build("2030-03-04T05:06:07Z")
    event = site.events("all.ics")[MOBILITY]
    assert datetime(2030, 3, 4, 5, 6, 7, tzinfo=UTC) == event.DTSTAMP


def test_source_date_epoch_is_the_build_time(tmp_path: Path) -> None:
    site = Site(tmp_path)
    site.edit("updated = 2026-11-27T00:00:00Z\n", "")
    result = site.runner.invoke(
        main,
        ["build", "--data", str(site.data), "--out", str(site.out)],
        env={"SOURCE_DATE_EPOCH": "1893456000"},
    )
    assert result.exit_code == 0, result.output
    assert datetime(2030, 1, 1, tzinfo=UTC) == site.events("all.ics")[MOBILITY].DTSTAMP


def test_moved_session_gets_sequence_plus_one_everywhere_others_untouched(site: Site) -> None:
    _age_files(site)
    before = site.files()
    site.edit("start = 09:00:00\nend = 09:30:00", "start = 08:30:00\nend = 09:00:00")
    site.edit("start = 09:00:00\nend = 10:30:00", "start = 08:30:00\nend = 10:30:00")
    output = site.build(LATER)
    assert (
        f"changed: WeGO Awards Webinar Part 1 · Mobility <{MOBILITY}>: "
        "time 2021-08-26 09:00–09:30 KST → 2021-08-26 08:30–09:00 KST"
    ) in output.splitlines()
    paths = site.containing(MOBILITY)
    assert sorted(paths) == [
        "all.ics",
        "categories/mobility.ics",
        "events/wego-awards-4.part-1.mobility.ics",
        "part-1.ics",
    ]
    for path in paths:
        event = site.events(path)[MOBILITY]
        assert event["SEQUENCE"] == 1
        assert event.DTSTAMP == event.LAST_MODIFIED == datetime(2030, 2, 1, 10, tzinfo=UTC)
        assert aware(event.start).astimezone(UTC) == datetime(2021, 8, 25, 23, 30, tzinfo=UTC)
        assert str(event["UID"]) == MOBILITY
    for path in paths:
        for uid, event in site.events(path).items():
            if uid != MOBILITY:
                assert event["SEQUENCE"] == 0
                assert datetime(2026, 11, 27, tzinfo=UTC) == event.DTSTAMP
    after = site.files()
    published = ("feeds.json", "index.html", "changes.atom", "schedule.json", "schedule.xml")
    untouched = [p for p in before if p not in paths and p not in published]
    assert untouched and all(after[p] == before[p] for p in untouched)


def test_fixed_text_gets_sequence_plus_one(site: Site) -> None:
    site.edit('title = "My Safe City"', 'title = "My Safe City!"')
    output = site.build(LATER)
    assert f"<{SAFE_CITY}>: description\n" in output
    assert f"<{CEREMONY}>: description\n" in output  # the ceremony lists all winners
    event = site.events("categories/safe-city.ics")[SAFE_CITY]
    assert event["SEQUENCE"] == 1
    assert "Mexico City — My Safe City! (Gold)" in str(event["DESCRIPTION"])
    assert (
        site.events("part-2.ics")["wego-awards-4.part-2.sustainable-city@we-gov.org"]["SEQUENCE"]
        == 0
    )


def test_sequence_keeps_rising_with_every_change(site: Site) -> None:
    site.edit('location = "Online"', 'location = "Online (Zoom)"')
    site.build(LATER)
    site.edit('location = "Online (Zoom)"', 'location = "Online (YouTube)"')
    site.build("2030-03-01T00:00:00Z")
    assert site.events("part-1.ics")[MOBILITY]["SEQUENCE"] == 2
    site.build("2030-04-01T00:00:00Z")
    assert site.events("part-1.ics")[MOBILITY]["SEQUENCE"] == 2


def test_cancelled_session(site: Site) -> None:
    site.edit(
        'id = "safe-city"\nstart = 10:00:00',
        'id = "safe-city"\nstatus = "cancelled"\nstart = 10:00:00',
    )
    output = site.build(LATER)
    assert f"cancelled: WeGO Awards Webinar Part 1 · Safe City <{SAFE_CITY}>" in output.splitlines()
    for path in ("all.ics", "part-1.ics", "categories/safe-city.ics"):
        event = site.events(path)[SAFE_CITY]
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["SUMMARY"]) == "Cancelled: WeGO Awards Webinar Part 1 · Safe City"
        assert event["SEQUENCE"] == 1
        assert str(event["TRANSP"]) == "TRANSPARENT"


def test_removed_event_stays_cancelled_until_prune(site: Site) -> None:
    text = site.data.read_text(encoding="utf-8")
    site.data.write_text(text.split('[[events]]\nid = "ceremony"')[0], encoding="utf-8")
    output = site.build(LATER)
    assert "kept as cancelled (removed from the data): 4th WeGO Awards Ceremony" in output
    for path in ("all.ics", "ceremony.ics", "categories/mobility.ics"):
        event = site.events(path)[CEREMONY]
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["SUMMARY"]).startswith("Cancelled: 4th WeGO Awards Ceremony")
        assert event["SEQUENCE"] == 1
    _age_files(site)
    before = site.files()
    assert "kept as cancelled" not in site.build("2030-03-01T00:00:00Z")
    assert site.files() == before  # stays cancelled, not cancelled again
    output = site.build("2030-04-01T00:00:00Z", "--prune")
    assert "pruned (dropped for good)" in output
    assert CEREMONY not in site.events("all.ics")
    assert not (site.out / "ceremony.ics").exists()
    state = json.loads((site.out / "feeds.json").read_text())
    assert CEREMONY not in [event["uid"] for event in state["events"]]


def test_restored_event_comes_back_with_a_higher_sequence(site: Site) -> None:
    original = site.data.read_text(encoding="utf-8")
    site.data.write_text(original.split('[[events]]\nid = "ceremony"')[0], encoding="utf-8")
    site.build(LATER)
    site.data.write_text(original, encoding="utf-8")
    output = site.build("2030-03-01T00:00:00Z")
    assert "restored: 4th WeGO Awards Ceremony" in output
    event = site.events("ceremony.ics")[CEREMONY]
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CONFIRMED", 2)


def test_diff_shows_changes_and_writes_nothing(site: Site) -> None:
    _age_files(site)
    before = site.files()
    assert "No changes for subscribers" in site.run("diff", LATER)
    site.edit("end = 17:00:00\nlocation", "end = 17:30:00\nlocation")
    site.edit(
        'id = "safe-city"\nstart = 10:00:00',
        'id = "safe-city"\nstatus = "cancelled"\nstart = 10:00:00',
    )
    output = site.run("diff", LATER)
    lines = output.splitlines()
    assert (
        f"changed: 4th WeGO Awards Ceremony at the 5th WeGO General Assembly <{CEREMONY}>: "
        "time 2021-10-18 15:00–17:00 KST → 2021-10-18 15:00–17:30 KST"
    ) in lines
    # Once, not once per language, and without "Cancelled: " twice.
    assert lines.count(f"cancelled: WeGO Awards Webinar Part 1 · Safe City <{SAFE_CITY}>") == 1
    assert site.files() == before


def test_damaged_state_file_stops_the_build(site: Site) -> None:
    (site.out / "feeds.json").write_text("{broken", encoding="utf-8")
    before = site.files()
    result = site.runner.invoke(main, ["build", "--data", str(site.data), "--out", str(site.out)])
    assert result.exit_code == 1
    assert "feeds.json: is not valid JSON" in result.output
    assert "restore it from version control" in result.output
    assert site.files() == before


def test_state_with_wrong_shape_stops_the_build(site: Site) -> None:
    (site.out / "feeds.json").write_text('{"series": "x", "events": [{"uid": 1}]}')
    result = site.runner.invoke(main, ["build", "--data", str(site.data), "--out", str(site.out)])
    assert result.exit_code == 1
    assert "the publication state is damaged (events.0.uid" in result.output


def test_bad_now(site: Site) -> None:
    for value, message in (
        ("yesterday", "is not an ISO 8601"),
        ("2030-01-01T00:00:00", "needs a UTC offset"),
    ):
        result = site.runner.invoke(main, ["build", "--data", str(site.data), "--now", value])
        assert result.exit_code == 2
        assert message in result.output


def test_state_file_records_sequence_and_feeds(site: Site) -> None:
    state = json.loads((site.out / "feeds.json").read_text())
    record = next(event for event in state["events"] if event["uid"] == MOBILITY)
    assert record["sequence"] == 0
    assert record["updated"] == "2026-11-27T00:00:00Z"
    assert record["feeds"] == ["all.ics", "part-1.ics", "categories/mobility.ics"]
    assert "links" not in record  # computed from the snapshot, not stored
    assert [feed["path"] for feed in state["feeds"]][:4] == [
        "all.ics",
        "part-1.ics",
        "part-2.ics",
        "ceremony.ics",
    ]


def test_state_of_version_0_1_0_with_stored_links_is_still_read(site: Site) -> None:
    manifest = site.out / "feeds.json"
    state = json.loads(manifest.read_text())
    for record in state["events"]:
        record["links"] = {"file": "x.ics", "google": "g", "outlook": "o", "office365": "m"}
    manifest.write_text(json.dumps(state, indent=2))
    before = site.files()
    site.build(LATER)
    after = site.files()
    assert {path for path in after if after[path] != before[path]} == {"feeds.json"}
    assert "links" not in json.loads(manifest.read_text())["events"][0]


def test_event_that_leaves_a_feed_stays_there_as_cancelled(site: Site) -> None:
    site.edit('category = "mobility"\nprojects', 'category = "safe-city"\nprojects')
    output = site.build(LATER)
    assert (
        f'<{MOBILITY}>: title "WeGO Awards Webinar Part 1 · Mobility" → '
        '"WeGO Awards Webinar Part 1 · Safe City"; description, categories, feeds'
    ) in output
    gone = site.events("categories/mobility.ics")[MOBILITY]
    assert (str(gone["STATUS"]), gone["SEQUENCE"]) == ("CANCELLED", 1)
    assert str(gone["SUMMARY"]) == "Cancelled: WeGO Awards Webinar Part 1 · Mobility"
    moved = site.events("categories/safe-city.ics")[MOBILITY]
    assert (str(moved["STATUS"]), moved["SEQUENCE"]) == ("CONFIRMED", 1)
    assert str(moved["SUMMARY"]) == "WeGO Awards Webinar Part 1 · Safe City"
    assert str(site.events("all.ics")[MOBILITY]["STATUS"]) == "CONFIRMED"
    site.build("2030-03-01T00:00:00Z", "--prune")
    assert MOBILITY not in site.events("categories/mobility.ics")


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The UIDs of the events rendered from here on (in this process), in order."""
    from wego_ical.render import calendar as render

    uids: list[str] = []
    real = render.render_checked

    def counting(key: str, record: object) -> object:
        uids.append(record.uid)  # type: ignore[attr-defined]
        return real(key, record)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "render_checked", counting)
    return uids


def test_rebuild_renders_only_changed_events(site: Site, rendered: list[str]) -> None:
    site.build(LATER)
    assert rendered == []
    site.edit('location = "Online"', 'location = "Online (Zoom)"')
    site.build(LATER)
    assert sorted(rendered) == sorted(
        f"wego-awards-4.part-1.{s}@we-gov.org"
        for s in ("mobility", "open-and-inclusive-city", "safe-city")
    )
    # The output is exactly what a build from scratch with the same history gives.
    fresh = Site(site.data.parent / "fresh")
    shutil.copytree(site.out, fresh.out)
    for path in fresh.out.rglob("*.ics"):
        path.unlink()  # nothing to reuse
    fresh.data.write_text(site.data.read_text(encoding="utf-8"), encoding="utf-8")
    fresh.build(LATER)
    assert {p: c for p, (c, _) in fresh.files().items()} == {
        p: c for p, (c, _) in site.files().items()
    }


def test_rendered_events_are_found_by_their_digest_in_the_main_feed_or_their_own_file(
    site: Site, rendered: list[str]
) -> None:
    before = {p: c for p, (c, _) in site.files().items()}
    # Without the single-event files, every text is found in all.ics.
    for path in site.out.rglob("events/*.ics"):
        path.unlink()
    site.build(LATER)
    assert rendered == []
    assert {p: c for p, (c, _) in site.files().items()} == before
    # A text damaged in all.ics is taken from the event's own file instead;
    # damaged in both, the event is rendered anew.
    main = site.out / "all.ics"
    main.write_bytes(main.read_bytes().replace(b"SUMMARY:WeGO", b"SUMMARY:Hacked WeGO", 1))
    site.build(LATER)
    assert rendered == []
    assert {p: c for p, (c, _) in site.files().items()} == before
    damaged = next(iter(sorted(site.out.glob("events/*.ics"))))
    for path in (main, damaged):
        path.write_bytes(path.read_bytes().replace(b"SEQUENCE:", b"X-HACK:1\r\nSEQUENCE:"))
    site.build(LATER)
    assert len(rendered) == 1
    assert {p: c for p, (c, _) in site.files().items()} == before


def test_events_rendered_by_other_code_are_not_reused(site: Site) -> None:
    state = json.loads((site.out / "feeds.json").read_text())
    state["renderer"] = "something-else"
    (site.out / "feeds.json").write_text(json.dumps(state))
    for path in site.out.rglob("events/*.ics"):
        path.write_bytes(path.read_bytes().replace(b"SUMMARY:", b"SUMMARY:stale "))
    site.build(LATER)
    assert b"stale" not in (site.out / "all.ics").read_bytes()


PART_1 = [MOBILITY, "wego-awards-4.part-1.open-and-inclusive-city@we-gov.org", SAFE_CITY]


def test_cancelled_event_cancels_every_session_in_every_feed(site: Site) -> None:
    site.edit('id = "part-1"\n', 'id = "part-1"\nstatus = "cancelled"\n')
    output = site.build(LATER)
    assert output.count("cancelled: WeGO Awards Webinar Part 1 · ") == 3
    for uid in PART_1:
        for path in site.containing(uid):
            event = site.events(path)[uid]
            assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1), (uid, path)
            assert str(event["SUMMARY"]).startswith("Cancelled: WeGO Awards Webinar Part 1 · ")


def test_tentative_event_makes_its_sessions_tentative(site: Site) -> None:
    site.edit('id = "part-1"\n', 'id = "part-1"\nstatus = "tentative"\n')
    site.build(LATER)
    assert {str(site.events("part-1.ics")[uid]["STATUS"]) for uid in PART_1} == {"TENTATIVE"}


def test_event_added_later_is_stamped_with_its_first_publication(site: Site) -> None:
    site.data.write_text(
        site.data.read_text(encoding="utf-8")
        + '\n[[events]]\nid = "social"\ntitle = "Networking"\ndate = 2021-10-19\n'
        "start = 18:00:00\nend = 19:00:00\n",
        encoding="utf-8",
    )
    site.build(LATER)
    social = site.events("all.ics")["wego-awards-4.social@we-gov.org"]
    later = datetime(2030, 2, 1, 10, tzinfo=UTC)
    assert social.DTSTAMP == social.LAST_MODIFIED == later
    assert social["SEQUENCE"] == 0
    # Events of the first publication keep the data's `updated` time.
    assert datetime(2026, 11, 27, tzinfo=UTC) == site.events("all.ics")[MOBILITY].DTSTAMP


def test_removing_a_session_does_not_change_its_siblings(site: Site) -> None:
    site.edit('id = "safe-city"\nstart = 10:00:00', 'id = "safe-city-gone"\nstart = 10:00:00')
    output = site.build(LATER, "--prune")
    assert "changed:" not in output
    assert site.events("part-1.ics")[MOBILITY]["SEQUENCE"] == 0


def test_feeds_say_how_often_to_refresh_as_a_duration(site: Site) -> None:
    content = (site.out / "all.ics").read_bytes()
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in content


APART_BUILD = r"""
import json, sys
from datetime import datetime, timezone
from pathlib import Path
from wego_ical.render import workers
from wego_ical.pipeline import BuildOptions, build

forked = []
real = workers.Apart.__init__
def noting(self, work, **options):
    real(self, work, **options)
    forked.append(self._pid is not None)
workers.Apart.__init__ = noting
settings = workers.WorkerSettings(
    processes=int(sys.argv[3]) or None,
    jobs=int(sys.argv[4]) or None,
    parallel_min_items=5,
    min_chunk=1,
)
now = datetime(2030, 1, 1, tzinfo=timezone.utc)
build(BuildOptions(Path(sys.argv[1]), Path(sys.argv[2]), now, workers=settings))
print(json.dumps(forked))
"""


@pytest.mark.slow
def test_a_rebuild_of_a_large_series_makes_its_pages_in_a_child_byte_for_byte(
    tmp_path: Path,
) -> None:
    """A first build, and a rebuild that renders few events, make the landing pages and
    the exports (schedule.json and schedule.xml together; English, Korean) in child
    processes while the feeds are written, with the same bytes as a build in one
    process. (Fresh interpreters: fork is refused in a process with threads.)"""
    import subprocess
    import sys

    def build(out: Path, processes: int, jobs: int = 0) -> list[bool]:
        run = subprocess.run(
            [sys.executable, "-c", APART_BUILD, str(data), str(out), str(processes), str(jobs)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        forked: list[bool] = json.loads(run.stdout)
        return forked

    data = tmp_path / "events.toml"
    data.write_text(DATA.read_text(encoding="utf-8"), encoding="utf-8")
    apart, alone, one_job = tmp_path / "apart", tmp_path / "alone", tmp_path / "one-job"
    # The children are forked before the workers that render the events start.
    assert build(apart, 0) == [True] * 4
    assert build(alone, 1) == []
    assert build(one_job, 0, 1) == []
    text = data.read_text(encoding="utf-8")
    edited = text.replace(
        'location = { en = "Online", ko = "온라인" }', 'location = "Online (Zoom)"', 1
    )
    assert edited != text
    data.write_text(edited)
    assert build(apart, 0) == [True] * 4
    assert build(alone, 1) == []
    assert build(one_job, 0, 1) == []  # --jobs 1: everything in the build process

    def tree(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file()
        }

    assert tree(apart) == tree(alone) == tree(one_job)
    assert b"Online (Zoom)" in (apart / "index.html").read_bytes()
    assert b"Online (Zoom)" in (apart / "ko" / "index.html").read_bytes()
