"""output.previous: what a previous build left, read back as a build reads it."""

from __future__ import annotations

from pathlib import Path

from wego_ical.output.previous import differing_files, read_generated_file
from wego_ical.output.write import write_output
from wego_ical.pieces import Content

FILES = {"all.ics": b"A", "events/x.ics": b"X"}


def test_a_previous_file_behind_a_link_is_not_read(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write_output(out, {"all.ics": b"A"}, [])
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "x.ics").write_bytes(b"secret")
    (out / "events").symlink_to(secret)
    assert read_generated_file(out, "events/x.ics") is None
    assert read_generated_file(out, "all.ics") == b"A"
    assert read_generated_file(out, "../secret/x.ics") is None


def test_differing_files_are_those_a_build_would_change(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write_output(out, FILES, [])
    assert differing_files(out, FILES) == []
    changed: dict[str, Content] = {**FILES, "events/x.ics": lambda: iter([b"Y"]), "new.ics": b"N"}
    assert differing_files(out, changed) == ["events/x.ics", "new.ics"]
