"""cli: build, check, help, version and error handling through click's CliRunner."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import BUILD_TIME, CONFERENCE, DATA, GOLDEN
from wego_ical import __version__
from wego_ical.cli import main
from wego_ical.output import buildcache
from wego_ical.pipeline import UNPUBLISHED_NOTICE, BuildOptions, build
from wego_ical.report import build_report


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_build_writes_the_golden_feeds(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote      {out / 'all.ics'}  (7 events)" in result.output
    assert f"wrote      {out / 'ceremony.ics'}  (1 event)" in result.output
    assert f"wrote      {out / 'categories' / 'mobility.ics'}  (2 events)" in result.output
    assert (
        f"14 single-event files in {out / 'events'} and {out / 'ko' / 'events'}: 14 written"
        in result.output
    )
    assert (
        "added: WeGO Awards Webinar Part 1 · Mobility <wego-awards-4.part-1.mobility@we-gov.org>"
        in (result.output)
    )
    assert f"20 feeds in {out}: 45 files written, 0 unchanged, 0 removed.\n" in result.output
    assert f"wrote      {out / 'qrcode.js'}  (the page's QR code generator)" in result.output
    # Without base_url, the organiser (not the attendee) reads what that means.
    assert result.output.endswith(f"note: {UNPUBLISHED_NOTICE}\n")
    assert tree(out) == tree(GOLDEN)


def test_second_build_changes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.ics")}
    result = runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    assert result.exit_code == 0
    assert result.output.startswith("Nothing changed: ")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.ics")} == mtimes
    # Without the record of the last build, the full build finds the same.
    buildcache.forget(out)
    result = runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    assert "0 files written, 45 unchanged, 0 removed" in result.output
    assert "added:" not in result.output
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.ics")} == mtimes


def test_build_lists_at_most_a_screenful_of_files_and_changes_diff_lists_all(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    diff = runner.invoke(main, ["diff", "--data", str(DATA), "--out", str(out)])
    assert diff.output.count("added: ") == 7  # each once, not once per language
    result = build(BuildOptions(DATA, out, datetime(2030, 1, 1, tzinfo=UTC)))
    lines = build_report(result, files_shown=2, changes_shown=3)
    assert sum(line.startswith("added: ") for line in lines) == 3
    assert "… and 4 more (4 added); 'wego-ical diff' before a build lists every change." in lines
    assert sum(line.startswith("wrote      ") for line in lines) == 2
    assert "… and 29 more files (29 written)" in lines
    assert lines[-2] == f"20 feeds in {out}: 45 files written, 0 unchanged, 0 removed."


def test_build_defaults_to_data_events_toml_and_dist(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(DATA, tmp_path / "data" / "events.toml")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "dist") == tree(GOLDEN)


def test_removed_event_kept_as_cancelled_until_prune(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    (out / "README.txt").write_text("not ours")
    text = DATA.read_text(encoding="utf-8").replace('id = "ceremony"', 'id = "awards"')
    data = tmp_path / "events.toml"
    data.write_text(text, encoding="utf-8")
    args = ["--data", str(data), "--out", str(out), "--now", "2030-01-01T00:00:00Z"]
    result = runner.invoke(main, ["build", *args])
    assert result.exit_code == 0, result.output
    assert (
        "kept as cancelled (removed from the data): 4th WeGO Awards Ceremony at the 5th WeGO "
        "General Assembly <wego-awards-4.ceremony@we-gov.org>" in result.output
    )
    assert "'wego-ical build --prune' drops them for good" in result.output
    assert b"STATUS:CANCELLED" in (out / "ceremony.ics").read_bytes()
    assert (out / "awards.ics").exists()
    # Right after the removal, --prune keeps it: subscribers have not seen it go yet.
    result = runner.invoke(main, ["build", "--prune", *args])
    assert result.exit_code == 0, result.output
    assert "pruned" not in result.output
    assert (
        "note: 1 removed event stays cancelled until at least 2030-01-04 00:00 UTC: --prune "
        "drops an event 72 hours after its cancellation was published"
    ) in result.output
    assert (out / "ceremony.ics").exists()
    later = [*args[:-1], "2030-01-04T00:00:00Z"]
    result = runner.invoke(main, ["build", "--prune", *later])
    assert result.exit_code == 0, result.output
    assert "pruned (dropped for good): Cancelled: 4th WeGO Awards Ceremony" in result.output
    assert f"removed    {out / 'ceremony.ics'}  (no longer produced)" in result.output
    assert not (out / "ceremony.ics").exists()
    assert not (out / "events" / "wego-awards-4.ceremony.ics").exists()
    assert (out / "README.txt").read_text() == "not ours"


def test_check_summarises(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "--data", str(DATA)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{DATA}: OK — 4th WeGO Awards (Asia/Seoul)"
    assert lines[1] == "  3 events, 7 calendar entries, 6 categories, 13 projects, 6 people"
    assert lines[2] == "  languages: en, ko (the feeds below, and the same set in ko/)"
    assert "all.ics" in lines[4] and "7 events" in lines[4]
    assert len(lines) == 4 + 10


def test_invalid_data_exit_1_with_message_and_nothing_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    before = tree(out)
    bad = tmp_path / "bad.toml"
    bad.write_text(
        DATA.read_text(encoding="utf-8").replace('timezone = "Asia/Seoul"', 'timezone = "Seoul"'),
        encoding="utf-8",
    )
    for command in (
        ["build", "--data", str(bad), "--out", str(out)],
        ["check", "--data", str(bad)],
    ):
        result = runner.invoke(main, command)
        assert result.exit_code == 1
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        assert result.output.startswith(f"Error: {bad}: 1 problem found; nothing was written.\n")
        assert (
            f"{bad}:16:1: series.timezone: 'Seoul' is not an IANA time zone name" in result.output
        )
    assert tree(out) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--data", "missing.toml"], "missing.toml: file not found"),
        (["build", "--data", "missing.toml"], "missing.toml: file not found"),
    ],
)
def test_missing_data_file(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert message in result.output


def test_out_is_a_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = runner.invoke(main, ["build", "--data", str(DATA), "--out", str(target)])
    assert result.exit_code == 1
    assert result.output == f"Error: {target}: is a file, not a folder; pass a folder with --out\n"


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"wego-ical, version {__version__}\n"


@pytest.mark.parametrize("command", [[], ["build"], ["check"]])
def test_help_everywhere(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wego_ical", "check", "--data", str(DATA)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "OK — 4th WeGO Awards" in result.stdout


def test_jobs_option_and_environment_variable(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert tree(out) == tree(GOLDEN)
    again = tmp_path / "again"  # a new folder: nothing to reuse, every event is rendered
    result = runner.invoke(
        main, ["build", "--data", str(DATA), "--out", str(again)], env={"WEGO_ICAL_JOBS": "1"}
    )
    assert result.exit_code == 0, result.output
    assert tree(again) == tree(GOLDEN)
    bad = runner.invoke(main, ["build", "--data", str(DATA)], env={"WEGO_ICAL_JOBS": "x"})
    assert bad.exit_code == 2
    assert "'x' is not a valid integer" in bad.output


def test_jobs_must_be_at_least_1(runner: CliRunner) -> None:
    result = runner.invoke(main, ["build", "--jobs", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--jobs' / '-j': 0 is not in the range x>=1." in result.output


# --------------------------------------------------------------------------- series identity

OTHER_SERIES = """
[series]
id = "civic-tech-days"
title = "London Civic Tech Days"
url = "https://example.org/"
timezone = "Europe/London"
uid_domain = "example.org"
[series.organiser]
name = "Civic Tech London"
[[events]]
id = "day-1"
title = "Day 1"
date = 2030-05-01
start = 09:00:00
end = 17:00:00
"""


def _build(runner: CliRunner, data: Path, out: Path, *flags: str) -> tuple[int, str]:
    result = runner.invoke(
        main, ["build", "--data", str(data), "--out", str(out), "--now", NOW, *flags]
    )
    return result.exit_code, result.output


NOW = "2030-06-01T00:00:00Z"


def test_another_series_is_not_built_into_a_folder_holding_one(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    assert _build(runner, DATA, out)[0] == 0
    before = tree(out)
    other = tmp_path / "conf.toml"
    other.write_text(OTHER_SERIES, encoding="utf-8")
    code, output = _build(runner, other, out)
    assert code == 1
    assert output == (
        f"Error: {out} holds the feeds of series 'wego-awards-4' (UIDs …@we-gov.org), but "
        f"{other} is series 'civic-tech-days' (UIDs …@example.org). Building it here would "
        "cancel every published event and publish them all again under new UIDs: subscribers "
        "would see duplicates. Build this series into another folder with --out; pass "
        "--replace to start this folder over with it; or, if you renamed this series on "
        "purpose, pass --new-uids.\n"
    )
    assert tree(out) == before


def test_replace_starts_the_folder_over(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert _build(runner, DATA, out)[0] == 0
    (out / "CNAME").write_text("mine")
    other = tmp_path / "conf.toml"
    other.write_text(OTHER_SERIES, encoding="utf-8")
    code, output = _build(runner, other, out, "--replace")
    assert code == 0, output
    assert "added: Day 1" in output and "cancelled" not in output
    assert sorted(p.name for p in out.iterdir()) == [
        "CNAME",
        "all.ics",
        "changes.atom",
        "day-1.ics",
        "events",
        "feeds.json",
        "index.html",
        "qrcode.js",
        "schedule.json",
        "schedule.xml",
    ]
    assert b"WeGO" not in (out / "all.ics").read_bytes()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('id = "wego-awards-4"', 'id = "wego-awards-four"'),
        ('uid_domain = "we-gov.org"', 'uid_domain = "awards.we-gov.org"'),
    ],
)
def test_a_renamed_series_needs_new_uids_and_diff_warns(
    runner: CliRunner, tmp_path: Path, old: str, new: str
) -> None:
    out = tmp_path / "dist"
    assert _build(runner, DATA, out)[0] == 0
    renamed = tmp_path / "events.toml"
    renamed.write_text(DATA.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    diff = runner.invoke(main, ["diff", "--data", str(renamed), "--out", str(out), "--now", NOW])
    assert diff.exit_code == 0
    assert diff.output.startswith(
        "warning: every event gets a new UID: subscribers will see duplicates"
    )
    assert "kept as cancelled (removed from the data): " in diff.output
    assert "added: " in diff.output
    assert _build(runner, renamed, out)[0] == 1
    code, output = _build(runner, renamed, out, "--new-uids")
    assert code == 0
    assert output.startswith("warning: every event gets a new UID")
    # Subscribers see the old events cancelled, not vanished.
    assert (out / "all.ics").read_bytes().count(b"STATUS:CANCELLED") == 7


def test_diff_reports_a_feed_damaged_by_hand(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert _build(runner, DATA, out)[0] == 0
    feed = out / "part-1.ics"
    feed.write_bytes(feed.read_bytes().replace(b"SUMMARY:", b"SUMMARY:x", 1))
    (out / "events" / "wego-awards-4.ceremony.ics").unlink()
    diff = runner.invoke(main, ["diff", "--data", str(DATA), "--out", str(out), "--now", NOW])
    assert diff.exit_code == 0
    assert diff.output == (
        f"2 files in {out} differ from what {DATA} builds (missing, edited by hand, damaged, or "
        f"built by another version): {out / 'events/wego-awards-4.ceremony.ics'}, "
        f"{out / 'part-1.ics'}; 'wego-ical build' rewrites them.\n"
        "No changes for subscribers.\n"
    )
    assert _build(runner, DATA, out)[0] == 0
    diff = runner.invoke(main, ["diff", "--data", str(DATA), "--out", str(out), "--now", NOW])
    assert diff.output == f"No changes for subscribers: {out} is up to date with {DATA}.\n"


def test_the_conference_example_builds_to_its_golden_files(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Several days, whole days, after midnight, two zones (examples/two-city-conference.toml);
    regenerate with: wego-ical build --data examples/two-city-conference.toml
    --out tests/golden/two-city-conference (its `updated` time makes it reproducible)."""
    out = tmp_path / "dist"
    result = runner.invoke(main, ["build", "--data", str(CONFERENCE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert tree(out) == tree(GOLDEN.parent / "two-city-conference")
    lint = runner.invoke(main, ["lint", *(str(p) for p in sorted(out.rglob("*.ics")))])
    assert lint.exit_code == 0, lint.output


def test_a_build_reports_its_progress_by_stage_and_count(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    options = BuildOptions(
        DATA,
        tmp_path / "dist",
        BUILD_TIME,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    build(options)
    assert seen[0] == ("Checking the data", 0, 1)
    writing = [entry for entry in seen if entry[0] == "Rendering and writing files"]
    assert [done for _, done, _ in writing] == list(range(1, 46))
    assert {total for _, _, total in writing} == {45}  # with both feeds.json


def test_progress_is_shown_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from wego_ical.cli.options import Progress as _Progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.delenv("CI", raising=False)
    assert _Progress.wanted()
    monkeypatch.setenv("CI", "1")
    assert not _Progress.wanted()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    monkeypatch.delenv("CI")
    assert not _Progress.wanted()


def test_prune_grace_zero_drops_a_removed_event_at_once(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    data = tmp_path / "events.toml"
    data.write_text(DATA.read_text(encoding="utf-8").split('[[events]]\nid = "ceremony"')[0])
    args = ["--data", str(data), "--out", str(out), "--now", "2030-01-01T00:00:00Z"]
    preview = runner.invoke(main, ["diff", "--prune", "--prune-grace", "0", *args])
    assert "pruned (dropped for good): 4th WeGO Awards Ceremony" in preview.output
    result = runner.invoke(main, ["build", "--prune", "--prune-grace", "0", *args])
    assert result.exit_code == 0, result.output
    assert "pruned (dropped for good): 4th WeGO Awards Ceremony" in result.output
    assert not (out / "ceremony.ics").exists()
