"""produce: one file of the output, written through its descriptor alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from wego_ical.errors import OutputError
from wego_ical.output.produce import Folders, write_file


def test_a_new_file_has_the_bytes_and_the_mode_open_would_give(tmp_path: Path) -> None:
    content = bytes(range(256)) * 5000  # over 1 MB
    target = tmp_path / "events" / "one.ics"
    write_file(target, content, Folders())
    reference = tmp_path / "reference.ics"
    reference.write_bytes(content)
    assert target.read_bytes() == content
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(reference.stat().st_mode)


def test_a_file_in_place_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "all.ics"
    target.write_bytes(b"a longer text than the new one")
    write_file(target, b"short", Folders())
    assert target.read_bytes() == b"short"


def test_short_writes_are_continued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.write may write less than it is given (a signal, a full pipe): the rest follows."""
    real = os.write

    def seven_at_a_time(descriptor: int, data: bytes | memoryview) -> int:
        return real(descriptor, bytes(data[:7]))

    monkeypatch.setattr(os, "write", seven_at_a_time)
    target = tmp_path / "day.ics"
    write_file(target, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", Folders())
    assert target.read_bytes() == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


def test_a_file_that_cannot_be_written_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(descriptor: int, data: bytes | memoryview) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    open_before = len(os.listdir("/proc/self/fd"))
    message = r"^one\.ics: cannot be written: No space left on device$"
    with pytest.raises(OutputError, match=message):
        write_file(tmp_path / "one.ics", b"x", Folders())
    # The descriptor was closed: nothing is left open on the half-written file.
    assert len(os.listdir("/proc/self/fd")) == open_before
