"""output.spliced: the event files and feeds of a large series written by a process of
their own, compared with the files in place as the build process compares them; what
it could not write, or its end, stops the build with one message."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import files_written_apart, has_ended, wait_for
from wego_ical.errors import OutputError, WorkerError
from wego_ical.output.hidden_files import STAGING_PREFIX
from wego_ical.output.spliced import SplicedWriter
from wego_ical.output.write import write_output
from wego_ical.pieces import CALENDAR_END, Content, Spliced, SplicedGroup

ENVELOPE = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + CALENDAR_END


def event(name: str) -> bytes:
    return f"BEGIN:VEVENT\r\nUID:{name}\r\nEND:VEVENT\r\n".encode()


def whole(*texts: bytes) -> bytes:
    return ENVELOPE[: -len(CALENDAR_END)] + b"".join(texts) + CALENDAR_END


@pytest.fixture
def spill(tmp_path: Path) -> Iterator[tuple[int, list[tuple[int, int]]]]:
    """A file of texts (as EventTexts keeps them) and where each of a, b, c lies."""
    with open(tmp_path / "texts", "w+b", buffering=0) as file:
        ranges, offset = [], 0
        for name in "abc":
            text = event(name)
            file.write(text)
            ranges.append((offset, len(text)))
            offset += len(text)
        yield file.fileno(), ranges


def files_of(spill: tuple[int, list[tuple[int, int]]], feed: list[int]) -> dict[str, Content]:
    fd, ranges = spill
    return {
        "index.html": b"<p>page</p>",
        "events/a.ics": lambda: Spliced(fd, ENVELOPE, [ranges[0]]),
        "events/b.ics": lambda: Spliced(fd, ENVELOPE, [ranges[1]]),
        "all.ics": lambda: Spliced(fd, ENVELOPE, [ranges[i] for i in feed]),
        "feeds.json": b"{}",
    }


def test_the_files_of_the_group_are_written_by_a_process_and_compared_as_here(
    tmp_path: Path, spill: tuple[int, list[tuple[int, int]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    given = files_written_apart(monkeypatch)
    group = SplicedGroup(("events/a.ics", "events/b.ics", "all.ics"), lambda: True)
    first = write_output(out, files_of(spill, [0, 1, 2]), [], apart=[group])
    assert given == [["events/a.ics", "events/b.ics", "all.ics"]]
    assert {f.path: f.action for f in first.files} == dict.fromkeys(
        ["index.html", "events/a.ics", "events/b.ics", "all.ics", "feeds.json"], "written"
    )
    assert (out / "events" / "a.ics").read_bytes() == whole(event("a"))
    assert (out / "all.ics").read_bytes() == whole(event("a"), event("b"), event("c"))
    inode = (out / "events" / "a.ics").stat().st_ino
    # Again, with the feed's events in another order: only the feed differs.
    again = write_output(out, files_of(spill, [2, 1, 0]), first_generated(first), apart=[group])
    actions = {f.path: f.action for f in again.files}
    assert actions["all.ics"] == "written" and actions["events/a.ics"] == "unchanged"
    assert actions["events/b.ics"] == "unchanged" and actions["index.html"] == "unchanged"
    assert (out / "all.ics").read_bytes() == whole(event("c"), event("b"), event("a"))
    assert (out / "events" / "a.ics").stat().st_ino == inode


def first_generated(result: object) -> list[str]:
    return [f.path for f in result.files]  # type: ignore[attr-defined]


def test_the_group_starts_when_ready_or_when_its_first_file_is_due(
    tmp_path: Path, spill: tuple[int, list[tuple[int, int]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ready before the page: its files go to the writer before the page is made; never
    ready, they go when the first of them is due, and are written all the same."""
    order: list[str] = []
    files = files_of(spill, [0, 1, 2])

    def page() -> bytes:
        order.append("page")
        return b"<p>page</p>"

    files["index.html"] = page
    given = files_written_apart(monkeypatch)
    real = SplicedWriter.__init__

    def starting(*args: object) -> None:
        order.append("writer")
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(SplicedWriter, "__init__", starting)
    names = ("events/a.ics", "events/b.ics", "all.ics")
    write_output(tmp_path / "ready", files, [], apart=[SplicedGroup(names, lambda: True)])
    assert order == ["writer", "page"]
    order.clear()
    write_output(tmp_path / "late", files, [], apart=[SplicedGroup(names, lambda: False)])
    assert order == ["page", "writer"]
    assert len(given) == 2
    assert (tmp_path / "late" / "all.ics").read_bytes() == (
        tmp_path / "ready" / "all.ics"
    ).read_bytes()


def test_without_a_process_to_spare_the_files_are_written_here_alike(
    tmp_path: Path, spill: tuple[int, list[tuple[int, int]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    group = SplicedGroup(("events/a.ics", "events/b.ics", "all.ics"), lambda: True)
    write_output(tmp_path / "apart", files_of(spill, [0, 1, 2]), [], apart=[group])

    def no_process(*args: object, **kwargs: object) -> None:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    done: list[tuple[int, int]] = []
    here = tmp_path / "here"
    result = write_output(
        here,
        files_of(spill, [0, 1, 2]),
        [],
        apart=[group],
        progress=lambda made, total: done.append((made, total)),
    )
    assert {f.action for f in result.files} == {"written"}
    assert done[-1] == (5, 5) and len(done) == 5
    for path in (tmp_path / "apart").rglob("*.ics"):
        assert (here / path.relative_to(tmp_path / "apart")).read_bytes() == path.read_bytes()


def test_a_file_the_process_cannot_write_stops_the_build_and_leaves_the_folder(
    tmp_path: Path, spill: tuple[int, list[tuple[int, int]]]
) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "events").write_bytes(b"not a folder")
    fd, ranges = spill
    writer = SplicedWriter(staging, None, [("events/a.ics", Spliced(fd, ENVELOPE, ranges[:1]))])
    with pytest.raises(OutputError, match=r"^a\.ics: cannot be written: File exists"):
        writer.result()
    # Through a build: the text's file is shorter than recorded (damaged meanwhile).
    out = tmp_path / "dist"
    write_output(out, {"old.ics": b"old"}, [])
    files: dict[str, Content] = {"events/a.ics": lambda: Spliced(fd, ENVELOPE, [(0, 10_000)])}
    group = SplicedGroup(("events/a.ics",), lambda: True)
    with pytest.raises(OutputError, match=r"^events/a\.ics: cannot be written: .*shorter"):
        write_output(out, files, ["old.ics"], apart=[group])
    assert sorted(p.name for p in out.iterdir()) == ["old.ics"]


def test_a_process_that_ends_in_its_work_is_told_with_the_one_wording(
    tmp_path: Path, spill: tuple[int, list[tuple[int, int]]]
) -> None:
    fd, ranges = spill
    writer = SplicedWriter(tmp_path, None, [("events/a.ics", Spliced(fd, ENVELOPE, ranges[:1]))])
    os.kill(writer._process.pid, signal.SIGKILL)
    with pytest.raises(WorkerError) as raised:
        writer.result()
    assert str(raised.value).startswith(
        "the process writing the events' files stopped unexpectedly (out of memory, or killed)"
    )


def test_a_build_that_fails_meanwhile_ends_the_process_and_leaves_the_folder(
    tmp_path: Path, spill: tuple[int, list[tuple[int, int]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[SplicedWriter] = []
    real = SplicedWriter.__init__

    def starting(self: SplicedWriter, *args: object) -> None:
        real(self, *args)  # type: ignore[arg-type]
        os.kill(self._process.pid, signal.SIGSTOP)  # still working when the build fails
        started.append(self)

    monkeypatch.setattr(SplicedWriter, "__init__", starting)
    out = tmp_path / "dist"
    write_output(out, {"old.ics": b"old"}, [])

    def failing() -> bytes:
        raise OutputError("feeds.json: cannot be made")

    files = {**files_of(spill, [0, 1, 2]), "feeds.json": failing}
    group = SplicedGroup(("events/a.ics", "events/b.ics", "all.ics"), lambda: True)
    with pytest.raises(OutputError, match=r"feeds\.json"):
        write_output(out, files, ["old.ics"], apart=[group])
    (writer,) = started
    wait_for(lambda: has_ended(writer._process.pid) or writer._process.poll() is not None)
    assert sorted(p.name for p in out.iterdir()) == ["old.ics"]
    assert [p for p in tmp_path.iterdir() if p.name.startswith(STAGING_PREFIX)] == []
