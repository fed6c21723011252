"""Shared fixtures: paths, the WeGO data, and a way to write TOML variants."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wego_ical.load.series_file import load_series
from wego_ical.model import Series
from wego_ical.publication.assemble import LanguageEdition, PublicationSettings, make_publication
from wego_ical.render.workers import WorkerSettings

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = ROOT / "data" / "events.toml"
DIST = ROOT / "dist"
GOLDEN = TESTS / "golden" / "wego"
CONFERENCE_GOLDEN = GOLDEN.parent / "two-city-conference"
DST_EXAMPLE = ROOT / "examples" / "dst-new-york.toml"
# Several days, whole days, after midnight, two time zones.
CONFERENCE = ROOT / "examples" / "two-city-conference.toml"
# Real files from public repositories (each folder's README names sources and licences).
TEST_DATA = TESTS / "data"


def english_only(text: str) -> str:
    """The WeGO data without its Korean texts: one language, as before it had two."""
    text = text.replace('languages = ["en", "ko"]\n', "")
    text = re.sub(r'\n(\w+)\.ko = """.*?"""', "", text, flags=re.S)
    text = re.sub(r"\n(\w+)\.en = ", r"\n\1 = ", text)
    return re.sub(r'\{ en = ("[^"]*"), ko = "[^"]*" \}', r"\1", text)


@pytest.fixture(scope="session")
def wego_text() -> str:
    """The text of data/events.toml."""
    return DATA.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def wego() -> Series:
    """The validated WeGO series."""
    return load_series(DATA)


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[[str], Path]:
    """Write TOML text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "events.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


BUILD_TIME = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def series_head(timezone: str = "Europe/Berlin") -> str:
    """The [series] table of a small test series ("s", its UIDs @example.org)."""
    return (
        '\n[series]\nid = "s"\ntitle = "S"\nurl = "https://example.org/"\n'
        f'timezone = "{timezone}"\nuid_domain = "example.org"\n[series.organiser]\nname = "O"\n'
    )


# Ten Tuesdays across the change to summer time (28 March 2027), the third left out and
# the fourth moved to the afternoon of the next day.
WEEKLY = (
    series_head()
    + """
[[events]]
id = "spring"
title = "Spring course"
date = 2027-03-16
end_date = 2027-05-19

[[events.sessions]]
id = "lesson"
title = "Lesson"
start = 10:00:00
end = 11:00:00
repeat = "FREQ=WEEKLY;BYDAY=TU;COUNT=10"
except = [2027-03-30]

[[events.sessions.occurrences]]
date = 2027-04-06
moved_to = 2027-04-07
start = 14:00:00
end = 15:00:00
title = "Lesson (moved)"
"""
)


def render_files(
    series: Series,
    now: datetime = BUILD_TIME,
    workers: WorkerSettings | None = None,
    language: str | None = None,
) -> dict[str, bytes]:
    """The .ics files of a first publication of ``series``: feeds and single-event files
    (``language``: as the edition of a further language, with LANGUAGE= on its texts)."""
    publication = make_publication(
        series,
        None,
        now,
        PublicationSettings(
            edition=LanguageEdition(language, marked=language is not None), workers=workers
        ),
    )
    return {path: publication.content(path) for path in publication.files if path.endswith(".ics")}


def aware(value: object) -> datetime:
    """A DTSTART/DTEND value that must be a time with a zone (not a date, not floating)."""
    assert isinstance(value, datetime) and value.tzinfo is not None, value
    return value


def count_events(content: bytes) -> int:
    """Number of VEVENTs in an iCalendar file."""
    return content.count(b"\r\nBEGIN:VEVENT\r\n")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Return once ``condition()`` is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def process_state(pid: int) -> str | None:
    """The state letter of process ``pid`` in /proc (``Z``: a zombie), None once gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return None


def has_ended(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie nobody reaped yet has)."""
    return process_state(pid) in {None, "Z", "X"}


def fork_server_pid() -> int | None:
    """The process id of multiprocessing's forkserver, while this process has one running."""
    import multiprocessing.forkserver

    pid: int | None = multiprocessing.forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    return pid


def files_written_apart(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The files each :class:`~wego_ical.output.spliced.SplicedWriter` is given, as the
    writers start (they then run as they would)."""
    from wego_ical.output.spliced import SplicedWriter

    given: list[list[str]] = []
    real = SplicedWriter.__init__

    def recording(self: SplicedWriter, staging: Path, out: Path | None, files: list) -> None:  # type: ignore[type-arg]
        given.append([relative for relative, _ in files])
        real(self, staging, out, files)

    monkeypatch.setattr(SplicedWriter, "__init__", recording)
    return given


def wait_for_port(
    port: int,
    process: subprocess.Popen[bytes],
    name: str,
    *,
    seconds: float,
    log: Path | None = None,
) -> None:
    """Wait until the server ``process`` listens on ``port``; if it exits or takes longer
    than ``seconds``, kill it and fail with what it printed (and its ``log``)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.communicate()
                logged = log.read_text() if log is not None and log.exists() else ""
                raise AssertionError(f"{name} did not start: {output} {logged}") from None
            time.sleep(0.05)


def ctrl_c_to_group(
    command: list[str],
    until_ready: Callable[[subprocess.Popen[str]], None],
    *,
    sigterm_alone: bool = False,
    **popen: Any,
) -> tuple[subprocess.Popen[str], str, str]:
    """Run ``command`` in a process group of its own, call ``until_ready`` with it, then
    send Ctrl+C to the whole group (as a terminal does) and collect the rest of its
    output: the process, its stdout and its stderr. With ``sigterm_alone``, SIGTERM
    is sent to the process alone instead (as a service manager does). Whatever
    fails, the group is not left running."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **popen,
    )
    try:
        until_ready(process)
        if sigterm_alone:
            process.send_signal(signal.SIGTERM)
        else:
            os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process, out, err


# --- built sites: the one family of fixtures for a built output folder ---------------

# The build time of every site the fixtures build.
SITE_NOW = "2026-11-28T12:00:00Z"


def build_site(
    folder: Path, *extra: str, data_text: str | None = None, now: str = SITE_NOW
) -> Path:
    """The WeGO data (or ``data_text``) written to ``folder``/events.toml and built by
    the CLI into ``folder``/dist; returns ``folder``."""
    from click.testing import CliRunner

    from wego_ical.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "events.toml"
    data.write_text(data_text or DATA.read_text(encoding="utf-8"), encoding="utf-8")
    out = folder / "dist"
    result = CliRunner().invoke(
        main, ["build", "--data", str(data), "--out", str(out), "--now", now, *extra]
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="session")
def _site_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("template") / "site")


@pytest.fixture
def site(tmp_path: Path, _site_template: Path) -> Path:
    """A folder of this test's own: the WeGO data (events.toml) built into dist/ (a copy
    of one build per session, hidden files beside it included)."""
    return Path(shutil.copytree(_site_template, tmp_path / "site", symlinks=True))


@pytest.fixture
def built_dist(site: Path) -> Path:
    """The output folder of :func:`site`."""
    return site / "dist"


@pytest.fixture(scope="module")
def shared_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built output folder shared by a module's tests: to read or copy, never to change."""
    return build_site(tmp_path_factory.mktemp("site")) / "dist"


def large_series(sessions: int) -> str:
    """The benchmarks' synthetic series of ``sessions`` sessions (benchmarks/generate.py)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    text: str = generate(sessions)
    return text
