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
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA
from wego_ical.cli import main

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


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built output folder to copy and damage."""
    out = tmp_path_factory.mktemp("built") / "dist"
    result = CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


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
def test_mutated_feeds_are_linted_and_rebuilt(built: Path, choice: st.DataObject) -> None:
    name = choice.draw(st.sampled_from(FEEDS))
    damaged = choice.draw(mutated((built / name).read_bytes()))
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "dist"
        shutil.copytree(built, out)
        (out / name).write_bytes(damaged)
        assert_handled(_invoke("lint", str(out / name)))
        assert_handled(_invoke("diff", "--data", str(DATA), "--out", str(out), "--now", NOW))
        result = _invoke("build", "--data", str(DATA), "--out", str(out), "--now", NOW)
        assert_handled(result)
        # A damaged feed or single-event file is repaired: the data did not change.
        assert result.exit_code == 0, result.output
        assert (out / name).read_bytes() == (built / name).read_bytes()


@FUZZ
@given(damaged=mutated((Path(__file__).parent / "golden" / "wego" / "feeds.json").read_bytes()))
def test_a_mutated_publication_state_is_refused_or_used(built: Path, damaged: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "dist"
        shutil.copytree(built, out)
        (out / "feeds.json").write_bytes(damaged)
        assert_handled(_invoke("diff", "--data", str(DATA), "--out", str(out), "--now", NOW))
        assert_handled(_invoke("build", "--data", str(DATA), "--out", str(out), "--now", NOW))
