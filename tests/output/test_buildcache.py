"""buildcache: a build that would change nothing is skipped, and only then."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, GOLDEN
from wego_ical.cli import main
from wego_ical.output import buildcache

SKIPPED = "Nothing changed: "


def _build(out: Path, data: Path = DATA, *extra: str) -> str:
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    _build(folder)
    assert buildcache.record_path(folder).exists()
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _untouched(path: Path) -> tuple[int, int, int, int, int]:
    # Not the access time: listing the folders (rglob) moves that of each folder.
    stat = os.lstat(path)
    return stat.st_ino, stat.st_mode, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def test_a_build_with_nothing_changed_is_skipped_and_touches_nothing(out: Path) -> None:
    before = {p: _untouched(p) for p in out.rglob("*")}
    output = _build(out)
    assert output.startswith(SKIPPED) and "its 45 files are as that build left them" in output
    assert {p: _untouched(p) for p in out.rglob("*")} == before


@pytest.mark.parametrize(
    "damage",
    ["append", "same size", "copied over", "touched", "removed", "replaced by a link"],
)
def test_a_file_changed_by_hand_is_noticed_and_repaired(out: Path, damage: str) -> None:
    feed = out / "part-1.ics"
    original = feed.read_bytes()
    if damage == "append":
        feed.write_bytes(original + b"X")
    elif damage == "same size":
        feed.write_bytes(original.replace(b"SUMMARY:", b"SUMMARX:", 1))
    elif damage == "copied over":  # same bytes, another file
        shutil.copyfile(feed, out / "copy")
        os.replace(out / "copy", feed)
    elif damage == "touched":
        os.utime(feed, ns=(1, 1))
    elif damage == "removed":
        feed.unlink()
    else:
        feed.unlink()
        feed.symlink_to(out / "part-2.ics")
    result = CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    assert SKIPPED not in result.output
    if damage == "replaced by a link":
        assert result.exit_code == 1 and "link" in result.output  # refused, as before
        return
    assert result.exit_code == 0, result.output
    assert _tree(out) == _tree(GOLDEN)
    assert _build(out).startswith(SKIPPED)


def test_changed_data_options_or_code_build_again(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "events.toml"
    data.write_text(DATA.read_text(encoding="utf-8").replace("Awards Webinar Part 1", "Part One"))
    assert "changed (en only): " in _build(out, data)
    assert _build(out, data).startswith(SKIPPED)
    # What --prune drops depends on the time: such a build is never skipped.
    assert not _build(out, data, "--prune").startswith(SKIPPED)
    assert not _build(out, data).startswith(SKIPPED)  # a --prune build leaves no record
    assert _build(out, data).startswith(SKIPPED)
    key = buildcache.build_key(data.read_bytes(), {"prune": False})
    assert buildcache.unchanged(out, key, datetime.now(UTC)) == 45
    monkeypatch.setattr(buildcache, "_code_digest", lambda: "another version of wego-ical")
    assert (
        buildcache.unchanged(
            out, buildcache.build_key(data.read_bytes(), {"prune": False}), datetime.now(UTC)
        )
        is None
    )


@pytest.mark.parametrize(
    "record",
    [b"", b"{not json", b"[]", b'{"format": 1, "key": "x"}', b"[" * 100_000, b'{"a":' * 100_000],
)
def test_a_damaged_record_means_a_full_build(out: Path, record: bytes) -> None:
    buildcache.record_path(out).write_bytes(record)
    output = _build(out)
    assert "0 files written, 45 unchanged" in output
    assert _build(out).startswith(SKIPPED)


def test_replace_new_uids_and_the_preview_never_skip(out: Path) -> None:
    assert not _build(out, DATA, "--replace").startswith(SKIPPED)
    assert not _build(out, DATA, "--new-uids").startswith(SKIPPED)


def test_a_failed_build_leaves_no_stale_record(out: Path, tmp_path: Path) -> None:
    data = tmp_path / "events.toml"
    data.write_text("not toml =", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 1
    assert _build(out).startswith(SKIPPED)  # the folder is still what the record says


def test_the_data_is_read_once_so_the_record_describes_what_was_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file changing between the hash and the load must not leave a record that
    claims the other bytes were built (a later build of those would be skipped)."""
    data = tmp_path / "events.toml"
    original = DATA.read_text(encoding="utf-8")
    data.write_text(original, encoding="utf-8")
    edited = original.replace(
        'location = { en = "Online", ko = "온라인" }', 'location = "Online (Zoom)"', 1
    )
    assert edited != original
    real = buildcache.build_key

    def hashed_then_edited(raw: bytes, options: Mapping[str, object]) -> str:
        key = real(raw, options)
        data.write_text(edited, encoding="utf-8")  # an editor saves during the build
        return key

    monkeypatch.setattr(buildcache, "build_key", hashed_then_edited)
    out = tmp_path / "dist"
    _build(out, data)
    monkeypatch.setattr(buildcache, "build_key", real)
    assert b"Online (Zoom)" not in (out / "all.ics").read_bytes()  # the bytes it hashed
    assert SKIPPED not in _build(out, data)  # the file holds the edit: built
    assert b"Online (Zoom)" in (out / "all.ics").read_bytes()
    data.write_text(original, encoding="utf-8")
    assert SKIPPED not in _build(out, data)
    assert b"Online (Zoom)" not in (out / "all.ics").read_bytes()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_build_reads_a_named_pipe_once(tmp_path: Path) -> None:
    """A second read of a pipe would wait for a writer for ever: the build runs in its
    own process, with a time limit."""
    pipe = tmp_path / "events.toml"
    os.mkfifo(pipe)

    def feed() -> None:
        with open(pipe, "wb") as writer:
            writer.write(DATA.read_bytes())

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    out = tmp_path / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "wego_ical", "build", "--data", str(pipe), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _tree(out)["all.ics"] == (GOLDEN / "all.ics").read_bytes()


def test_a_link_in_place_of_the_record_is_never_written_through(out: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    record = buildcache.record_path(out)
    record.unlink()
    record.symlink_to(victim)
    _build(out)
    assert victim.read_text() == "precious"


def test_a_build_after_a_session_starts_or_ends_is_not_skipped(tmp_path: Path) -> None:
    """The page says what is over and on now: the skip holds until the next start or
    end of a session after the build (issue 38 item 5)."""
    out = tmp_path / "dist"
    during = "2021-08-26T00:15:00Z"  # Mobility (09:00–09:30 in Seoul) is on
    _build(out, DATA, "--now", during)
    assert 'id="part-1--mobility" data-from' in (out / "index.html").read_text()
    assert _build(out, DATA, "--now", "2021-08-26T00:20:00Z").startswith(SKIPPED)
    after = _build(out, DATA, "--now", "2021-08-26T00:31:00Z")  # it has ended
    assert not after.startswith(SKIPPED)
    page = (out / "index.html").read_text()
    row = page.split('id="part-1--mobility"', 1)[1].split(">", 1)[0]
    assert 'data-state="past"' in row


def test_a_repeating_event_s_next_occurrence_ends_the_skipping() -> None:
    """The page lists a repeating event's next dates: a build after one of them passes
    is not skipped (only the first occurrence's start and end were looked at)."""
    from wego_ical.load.series_file import parse_series
    from wego_ical.publication.assemble import make_publication

    text = (
        '[series]\nid = "s"\ntitle = "S"\nurl = "https://example.org/"\n'
        'timezone = "UTC"\nuid_domain = "example.org"\n'
        '[series.organiser]\nname = "O"\n[[events]]\nid = "club"\ntitle = "Club"\n'
        'date = 2026-05-01\nstart = 18:00:00\nend = 19:00:00\nrepeat = "FREQ=WEEKLY;COUNT=4"\n'
    )
    now = datetime(2026, 5, 2, tzinfo=UTC)
    (record,) = make_publication(parse_series(text), None, now).state.events
    assert buildcache.next_change([record.snapshot], now) == datetime(2026, 5, 8, 18, tzinfo=UTC)
    assert buildcache.next_change([record.snapshot], datetime(2026, 6, 1, tzinfo=UTC)) is None


@pytest.mark.parametrize("with_extras", [False, True])
def test_the_record_is_written_in_pieces_as_one_compact_json_document(
    tmp_path: Path, with_extras: bool
) -> None:
    """The record is streamed (at 100,000 sessions it was the largest thing held at a
    build's end); its bytes are those of the whole record given to json.dumps."""
    out = tmp_path / "dist"
    paths = [f"events/ä-{index}.ics" for index in range(1203)]  # three pieces of 500
    for path in paths:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(path)
    recipes = {paths[0]: "r0", paths[700]: "r700", "gone.html": "r"} if with_extras else None
    until = datetime(2030, 1, 1, 12, tzinfo=UTC) if with_extras else None
    buildcache.remember(out, "key", paths, until, recipes)

    files = {}
    for path in paths:
        stat = os.lstat(out / path)
        files[path] = [stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns]
    folder = os.lstat(out)
    expected: dict[str, object] = {
        "format": buildcache.FORMAT,
        "key": "key",
        "folder": [folder.st_dev, folder.st_ino],
        "files": files,
    }
    if with_extras:
        expected["code"] = buildcache._code_and_environment()
        expected["recipes"] = {paths[0]: "r0", paths[700]: "r700"}  # in the files' order
        expected["until"] = until.timestamp() if until else None
    written = buildcache.record_path(out).read_bytes()
    assert json.loads(written) == expected
    assert written == json.dumps(expected, separators=(",", ":")).encode()


def test_a_file_gone_before_it_is_recorded_leaves_no_record(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "a.ics").write_text("a")
    buildcache.remember(out, "key", ["a.ics"])
    assert buildcache.record_path(out).exists()
    present = [f"x{index}" for index in range(600)]
    for path in present:
        (out / path).write_text(path)
    buildcache.remember(out, "key", ["a.ics", *present, "missing.ics"])  # in the second piece
    assert not buildcache.record_path(out).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
