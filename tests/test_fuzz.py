"""Fuzz: mutated bytes of the real data, feeds and publication state never make a
command print a traceback. Each command either succeeds or prints a message and
exits with status 1.

Examples per test: WEGO_ICAL_FUZZ_EXAMPLES (default 40). In CI the examples are
derandomized, so that a run is reproducible; run locally with a large number to
search further, e.g. WEGO_ICAL_FUZZ_EXAMPLES=3000 pytest tests/test_fuzz.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date, time, timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA
from wego_ical.cli import main
from wego_ical.model import zone_names

EXAMPLES = int(os.environ.get("WEGO_ICAL_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
NOW = "2030-06-01T00:00:00Z"
# Bytes that matter to TOML, iCalendar and JSON, and some that must never get through.
TOKENS = [
    b'"',
    b"'",
    b"[",
    b"]",
    b"{",
    b"}",
    b"=",
    b"\n",
    b"\r\n",
    b"\r\n ",
    b":",
    b";",
    b",",
    b"\\",
    b"\x00",
    b"\x1b",
    b"\xc2\x85",
    b"\xff",
    b"#",
    b"9:00",
    b"2021-9-14",
    b"[[events]]",
    b"[[events.sessions]]",
    b"BEGIN:VEVENT\r\n",
    b"END:VCALENDAR\r\n",
    b"TZID=",
    b"Z",
    b"99999999",
    b"-",
    b"null",
    b"{}",
    b"[]",
]


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` with a few random edits: flips, insertions, deletions, copies, tokens."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "copy", "token", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif kind == "copy":
            length = draw(st.integers(1, 400))
            data[at:at] = data[at : at + length] * draw(st.integers(1, 3))
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "truncate":
            del data[at:]
    return bytes(data)


def assert_handled(result: Result) -> None:
    """Success, or a message and exit status 1: never an unhandled exception."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"unhandled {result.exception!r}\n{result.output}") from (
            result.exception
        )
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert result.output.strip(), "exit status 1 without a message"


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, [*args])


@FUZZ
@given(data=mutated(DATA.read_bytes()))
def test_mutated_data_is_checked_and_built_or_refused(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.toml"
        path.write_bytes(data)
        assert_handled(_invoke("check", "--data", str(path)))
        result = _invoke("build", "--data", str(path), "--out", f"{folder}/dist", "--now", NOW)
        assert_handled(result)
        if result.exit_code == 1:
            assert not Path(folder, "dist").exists()


FEEDS = ["all.ics", "part-1.ics", "categories/safe-city.ics", "events/wego-awards-4.ceremony.ics"]


@FUZZ
@given(choice=st.data())
def test_mutated_feeds_are_linted_and_rebuilt(shared_dist: Path, choice: st.DataObject) -> None:
    name = choice.draw(st.sampled_from(FEEDS))
    damaged = choice.draw(mutated((shared_dist / name).read_bytes()))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "dist"
        shutil.copytree(shared_dist, out)
        (out / name).write_bytes(damaged)
        assert_handled(_invoke("lint", str(out / name)))
        assert_handled(_invoke("diff", "--data", str(DATA), "--out", str(out), "--now", NOW))
        result = _invoke("build", "--data", str(DATA), "--out", str(out), "--now", NOW)
        assert_handled(result)
        # A damaged feed or single-event file is repaired: the data did not change.
        assert result.exit_code == 0, result.output
        assert (out / name).read_bytes() == (shared_dist / name).read_bytes()


@FUZZ
@given(damaged=mutated((Path(__file__).parent / "golden" / "wego" / "feeds.json").read_bytes()))
def test_a_mutated_publication_state_is_refused_or_used(shared_dist: Path, damaged: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "dist"
        shutil.copytree(shared_dist, out)
        (out / "feeds.json").write_bytes(damaged)
        assert_handled(_invoke("diff", "--data", str(DATA), "--out", str(out), "--now", NOW))
        assert_handled(_invoke("build", "--data", str(DATA), "--out", str(out), "--now", NOW))


# --- aimed at the date and time-zone fields ---------------------------------
# A quick aimed fuzz found 21 tracebacks in 300 cases here (zone names that are
# folders or too long, years at the ends of the calendar, DST edges).

REAL_ZONES = st.sampled_from(sorted(zone_names()))
ODD_ZONES = st.sampled_from(
    [
        "Asia",
        "Etc",
        "localtime",
        "posixrules",
        "Factory",
        "right/UTC",
        "../../etc/passwd",
        "/etc/localtime",
        "Asia/" + "x" * 300,
        "",
        " ",
        "Lisbon",
    ]
)
# Mostly real zones (the DST edges of every zone), some odd names, some noise.
ZONE_NAMES = st.one_of(REAL_ZONES, REAL_ZONES, REAL_ZONES, ODD_ZONES, st.text(max_size=40))
NEAR = st.dates(min_value=date(1895, 1, 1), max_value=date(2205, 12, 31))
DATES = st.one_of(
    NEAR, NEAR, NEAR, st.dates(), st.sampled_from([date(1, 1, 1), date(9999, 12, 31)])
)


def _shifted(day: date, days: int | None) -> date | None:
    """``day`` moved by ``days`` (None: no such field), or None past the calendar's ends."""
    if days is None:
        return None
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def _toml_string(value: str) -> str:
    return (
        '"'
        + "".join(c if c.isalnum() or c in " /_-+.:" else f"\\u{ord(c):04x}" for c in value)
        + '"'
    )


@FUZZ
@given(
    series_zone=ZONE_NAMES,
    session_zone=st.one_of(st.none(), ZONE_NAMES),
    day=DATES,
    last_offset=st.one_of(st.none(), st.integers(-1, 3)),
    session_offset=st.one_of(st.none(), st.integers(-2, 3)),
    start=st.times().map(lambda t: t.replace(microsecond=0)),
    end=st.times().map(lambda t: t.replace(microsecond=0)),
    end_offset=st.one_of(st.none(), st.integers(-1, 2)),
    all_day=st.booleans(),
)
def test_dates_times_and_zones_are_built_or_refused(
    series_zone: str,
    session_zone: str | None,
    day: date,
    last_offset: int | None,
    session_offset: int | None,
    start: time,
    end: time,
    end_offset: int | None,
    all_day: bool,
) -> None:
    last_day = _shifted(day, last_offset)
    session_day = _shifted(day, session_offset)
    session_end_date = _shifted(session_day or day, end_offset)
    session = [
        "[[events.sessions]]",
        'id = "s"',
        f"start = {start.isoformat()}",
        f"end = {end.isoformat()}",
    ]
    if session_zone is not None:
        session.append(f"timezone = {_toml_string(session_zone)}")
    if session_day is not None:
        session.append(f"date = {session_day.isoformat()}")
    if session_end_date is not None:
        session.append(f"end_date = {session_end_date.isoformat()}")
    event = ["[[events]]", 'id = "e"', 'title = "E"', f"date = {day.isoformat()}"]
    if last_day is not None:
        event.append(f"end_date = {last_day.isoformat()}")
    if all_day:
        session = ["[[events.sessions]]", 'id = "s"', "all_day = true"]
    text = "\n".join(
        [
            "[series]",
            'id = "s"',
            'title = "S"',
            'url = "https://example.org/"',
            f"timezone = {_toml_string(series_zone)}",
            'uid_domain = "example.org"',
            "[series.organiser]",
            'name = "O"',
            *event,
            *session,
        ]
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.toml"
        path.write_text(text, encoding="utf-8")
        assert_handled(_invoke("check", "--data", str(path)))
        result = _invoke("build", "--data", str(path), "--out", f"{folder}/dist", "--now", NOW)
        assert_handled(result)
