"""The JSON Schema for editors (``wego-ical schema``) and the starter file
(``wego-ical init``): every shipped TOML file passes a real JSON Schema validator,
a mistake fails it, and the starter builds as it is."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import tomli
from click.testing import CliRunner

from conftest import ROOT, TEST_DATA
from wego_ical.cli import main
from wego_ical.load.editor_schema import data_file_schema, schema_text

SCHEMA_FILE = ROOT / "schema" / "events.schema.json"
SHIPPED = [ROOT / "data" / "events.toml", *sorted((ROOT / "examples").glob("*.toml"))]
STARTER = ROOT / "src" / "wego_ical" / "starter.toml"


def as_json(value: Any) -> Any:
    """A TOML document as editors check it: dates and times as ISO strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    return value


def errors(text: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        data_file_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    document = as_json(tomli.loads(text))
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_the_committed_schema_is_the_one_the_models_make() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "schema/events.schema.json is out of date: run "
        "'wego-ical schema --out schema/events.schema.json'"
    )
    jsonschema.Draft202012Validator.check_schema(json.loads(schema_text()))


@pytest.mark.parametrize("path", [*SHIPPED, STARTER], ids=lambda path: path.name)
def test_every_shipped_file_passes_and_names_the_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert errors(text) == []
    first = text.splitlines()[0]
    assert first.startswith("#:schema ")
    named = path.parent / first.removeprefix("#:schema ").strip()
    assert named.resolve() == SCHEMA_FILE.resolve() or path == STARTER


@pytest.mark.parametrize(
    "document",
    [
        ROOT / "README.md",
        ROOT / "docs" / "format.md",
    ],
    ids=lambda path: path.name,
)
def test_the_documented_examples_pass(document: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", document.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks
    assert errors(blocks[0]) == []
    if len(blocks) > 1:  # the schedule fragment completes the first example
        assert errors(blocks[0] + blocks[1]) == []


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        ("start = 09:00:00", "strat = 09:00:00", "Additional properties are not allowed ('strat'"),
        ('timezone = "Asia/Seoul"', 'timezone = "Seoul"', "'Seoul' is not valid under any of"),
        ('id = "part-1"', 'id = "Part 1"', "does not match"),
        ("refresh_hours = 12", 'refresh_hours = "12"', "'12' is not of type 'integer'"),
        ("all_categories = true", "all_categories = 1", "1 is not of type 'boolean'"),
    ],
)
def test_a_mistake_fails_the_schema(old: str, new: str, found: str) -> None:
    text = SHIPPED[0].read_text(encoding="utf-8")
    assert old in text
    problems = errors(text.replace(old, new, 1))
    assert any(found in problem for problem in problems), problems


def test_old_key_names_are_accepted_as_deprecated() -> None:
    text = SHIPPED[0].read_text(encoding="utf-8")
    old = text.replace("all_categories = true", "awards_ceremony = true")
    assert errors(old) == []
    assert data_file_schema()["$defs"]["Event"]["properties"]["awards_ceremony"]["deprecated"]


def test_init_writes_a_starter_that_builds_and_never_overwrites(tmp_path: Path) -> None:
    runner = CliRunner()
    data = tmp_path / "data" / "events.toml"
    made = runner.invoke(main, ["init", str(data)])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "data" / "events.schema.json").read_text() == schema_text()
    assert errors(data.read_text(encoding="utf-8")) == []
    built = runner.invoke(main, ["build", "--data", str(data), "--out", str(tmp_path / "dist")])
    assert built.exit_code == 0, built.output
    calendar = (tmp_path / "dist" / "all.ics").read_text(encoding="utf-8")
    # The whole-day item, two sessions, and the repeating event with its changed occurrence.
    assert calendar.count("BEGIN:VEVENT") == 5
    assert "DTSTART;VALUE=DATE:20270301" in calendar
    data.write_text("mine", encoding="utf-8")
    again = runner.invoke(main, ["init", str(data)])
    assert again.exit_code == 1
    assert "exists already; nothing was written (pass --force" in again.output
    assert data.read_text(encoding="utf-8") == "mine"
    assert runner.invoke(main, ["init", str(data), "--force"]).exit_code == 0


def test_schema_prints_what_it_writes(tmp_path: Path) -> None:
    printed = CliRunner().invoke(main, ["schema"])
    assert printed.exit_code == 0
    assert printed.output == schema_text()
    written = CliRunner().invoke(main, ["schema", "--out", str(tmp_path / "s.json")])
    assert written.exit_code == 0
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == schema_text()


def test_times_are_checked_as_local_times_whatever_formats_a_validator_knows() -> None:
    """JSON Schema's ``time`` format wants an offset (RFC 3339), which a TOML local time
    never has: a validator that checks formats (jsonschema does once rfc3339-validator is
    installed) flagged every time. Times are patterns instead, checked by every validator."""
    schema = json.dumps(data_file_schema())
    assert '"format": "time"' not in schema
    session = data_file_schema()["$defs"]["Session"]["properties"]["start"]
    for good in ["09:00:00", "23:59:59.5", "00:00:00"]:
        assert jsonschema.Draft202012Validator(session).is_valid(good), good
    # 09:00 without seconds is not TOML 1.0 (Taplo refuses it unquoted; quoted, it is a
    # string that check refuses): the schema asks for the seconds too.
    for bad in ["09:00", "9:00", "24:00:00", "09:60:00", "09:00:00Z", "09:00:00+02:00", "nine"]:
        assert not jsonschema.Draft202012Validator(session).is_valid(bad), bad


TAPLO = Path(
    os.environ.get("WEGO_ICAL_TAPLO") or ROOT / ".npm-tools" / "node_modules" / ".bin" / "taplo"
)


def taplo(*files: Path) -> subprocess.CompletedProcess[str]:
    """Taplo (the engine of VS Code's Even Better TOML) checking ``files`` as an editor
    does: TOML 1.0 syntax, then the schema their ``#:schema`` line names."""
    if not TAPLO.is_file():
        message = (
            f"taplo not found at {TAPLO}: npm install --prefix .npm-tools --no-save "
            "--no-package-lock @taplo/cli@0.7.0 (or set WEGO_ICAL_TAPLO)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return subprocess.run(
        [str(TAPLO), "check", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "RUST_LOG": "warn"},
    )


def test_taplo_accepts_every_file_wego_ical_ships_or_writes(tmp_path: Path) -> None:
    """The data, the examples, init's starter (16 errors on a fresh one: `09:00` is TOML
    1.1), and an imported file with and without a schema beside it (its `#:schema` named a
    path that resolved only inside this repository)."""
    started = tmp_path / "started" / "events.toml"
    assert CliRunner().invoke(main, ["init", str(started)]).exit_code == 0
    alone, beside = tmp_path / "alone" / "events.toml", tmp_path / "beside" / "events.toml"
    alone.parent.mkdir()
    beside.parent.mkdir()
    (beside.parent / "events.schema.json").write_text(schema_text(), encoding="utf-8")
    source = TEST_DATA / "import" / "frab-camp2019.json"
    for out in (alone, beside):
        result = CliRunner().invoke(main, ["import", str(source), "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert beside.read_text(encoding="utf-8").startswith("#:schema ./events.schema.json\n")
    assert "#:schema" not in alone.read_text(encoding="utf-8").splitlines()[0][:8]
    checked = taplo(*SHIPPED, started, alone, beside)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("start = 09:00", "expected new line"),  # TOML 1.1's short form
        ('start = "09:00"', "does not match"),  # a quoted time
        ('timezone = "Europe/Berln"', "is not valid under any of"),  # one line, no list
    ],
)
def test_taplo_flags_what_check_refuses(tmp_path: Path, line: str, found: str) -> None:
    text = STARTER.read_text(encoding="utf-8")
    key = line.split(" = ")[0]
    mistaken = re.sub(rf"(?m)^{key} = .*$", line, text, count=1)
    assert mistaken != text
    path = tmp_path / "events.toml"
    path.write_text(mistaken, encoding="utf-8")
    (tmp_path / "events.schema.json").write_text(schema_text(), encoding="utf-8")
    checked = taplo(path)
    output = checked.stdout + checked.stderr
    assert checked.returncode != 0 and found in output, output
    assert output.count("Europe/Berlin") <= 2  # the zones are not listed
