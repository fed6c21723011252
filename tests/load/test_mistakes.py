"""The catalogue of bad inputs: for each, the exact message (file, place, what is
wrong, how to fix it), exit status 1, no traceback, and the previously built
output folder byte-for-byte and timestamp-for-timestamp as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from bad_inputs import BAD_INPUTS, BASE, bad_text
from conftest import DATA
from wego_ical.cli import main
from wego_ical.errors import DataError, OutputError
from wego_ical.load import series_file as load_module
from wego_ical.load.series_file import load_series
from wego_ical.output import produce as produce_module


@pytest.fixture
def site(site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """conftest's built site, as the current folder; returns its output folder (with a
    file of the organiser's in it), with modification times aged."""
    monkeypatch.chdir(site)
    (site / "dist" / "CNAME").write_text("calendar.example.org\n")
    for path in (site / "dist").rglob("*"):
        os.utime(path, (1_000_000, 1_000_000))
    return site / "dist"


def state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def assert_refused(args: list[str], expected: list[str], site: Path, path: str) -> None:
    before = state(site)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    count = len(expected)
    head = f"Error: {path}: {count} problem{'s' if count != 1 else ''} found; nothing was written."
    assert result.output.splitlines() == [head, *(f"  {line}" for line in expected)]
    assert "Traceback" not in result.output
    assert state(site) == before


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_through_the_cli(site: Path, name: str) -> None:
    path = "events.toml"
    if BAD_INPUTS[name].change is None:
        path, expected = "missing.toml", BAD_INPUTS[name].messages
    else:
        content, expected = bad_text(name)
        if isinstance(content, bytes):
            Path(path).write_bytes(content)
        else:
            Path(path).write_text(content, encoding="utf-8")
    for command in ("build", "check"):
        args = [command, "--data", path] + (["--out", "dist"] if command == "build" else [])
        assert_refused(args, expected, site, path)


@pytest.mark.parametrize("name", [name for name, case in BAD_INPUTS.items() if case.change])
def test_bad_input_through_the_library(tmp_path: Path, name: str) -> None:
    """The same problems, raised at once by the library's loader."""
    content, expected = bad_text(name)
    path = tmp_path / "events.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(DataError) as caught:
        load_series(path)
    assert [problem_line.strip() for problem_line in str(caught.value).splitlines()[1:]] == [
        message.replace("events.toml", str(path), 1) for message in expected
    ]


def test_all_independent_errors_at_once(site: Path) -> None:
    text = DATA.read_text(encoding="utf-8")
    for name in (
        "unknown key",
        "overlapping sessions",
        "unknown category",
        "unsafe id '../x'",
    ):
        change = BAD_INPUTS[name].change
        assert change is not None
        result = change(text)
        assert isinstance(result, str)
        text = result
    Path("events.toml").write_text(text, encoding="utf-8")
    before = state(site)
    built = CliRunner().invoke(main, ["build", "--data", "events.toml"])
    assert built.exit_code == 1
    assert built.output.startswith("Error: events.toml: 4 problems found; nothing was written.")
    assert state(site) == before


def test_too_many_sessions(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_module, "MAX_ENTRIES", 5)
    assert_refused(
        ["build", "--data", "events.toml"],
        [
            "events.toml: events: has 7 sessions and events; the limit is 5. Split the series into "
            "several files"
        ],
        site,
        "events.toml",
    )


def test_file_too_large(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_module, "MAX_FILE_BYTES", 1_000)
    size = Path("events.toml").stat().st_size / 1e6
    assert_refused(
        ["build", "--data", "events.toml"],
        [f"events.toml: is {size:,.1f} MB; the limit is 0 MB. Split the series into several files"],
        site,
        "events.toml",
    )


def _output_error(args: list[str], message: str, site: Path) -> None:
    before = state(site)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"
    assert state(site) == before


def test_out_is_a_file(site: Path) -> None:
    Path("file").write_text("x")
    _output_error(
        ["build", "--data", "events.toml", "--out", "file"],
        "file: is a file, not a folder; pass a folder with --out",
        site,
    )


def test_out_not_writable(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Path("events.toml").write_text(BASE.replace("Online", "Online (Zoom)"), encoding="utf-8")
    real_access = os.access

    def access(path: object, mode: int, **options: object) -> bool:
        if mode & os.W_OK and Path(str(path)).resolve() == site.resolve():
            return False  # root ignores permission bits, so simulate a read-only folder
        return real_access(path, mode, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    _output_error(
        ["build", "--data", "events.toml"],
        "dist: the output folder is not writable; fix its permissions",
        site,
    )


def test_write_failure_in_the_middle_of_a_build(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("events.toml").write_text(BASE.replace("Online", "Online (Zoom)"), encoding="utf-8")
    real = produce_module.write_file
    calls = {"n": 0}

    def failing(path: Path, content: bytes, folders: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OutputError(f"{path.name}: cannot be written: No space left on device")
        real(path, content, folders)  # type: ignore[arg-type]

    monkeypatch.setattr(produce_module, "write_file", failing)
    before = state(site)
    result = CliRunner().invoke(main, ["build", "--data", "events.toml"])
    assert result.exit_code == 1
    assert "cannot be written: No space left on device" in result.output
    assert state(site) == before
    assert sorted(p.name for p in site.parent.iterdir() if "staging" in p.name) == []


def test_damaged_state_file(site: Path) -> None:
    (site / "feeds.json").write_text("{", encoding="utf-8")
    os.utime(site / "feeds.json", (1_000_000, 1_000_000))
    before = state(site)
    result = CliRunner().invoke(main, ["build", "--data", "events.toml"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: dist/feeds.json: is not valid JSON")
    assert state(site) == before


def _seven_mistakes() -> str:
    """Seven typical mistakes in three events: schema, references, duplicates and the
    schedule rules. Before, they took five runs to find (6 → 4 → 2 → 1 → 1)."""
    text = BASE

    def edit_after(marker: str, old: str, new: str) -> None:
        nonlocal text
        start = text.index(old, text.index(marker))
        text = text[:start] + new + text[start + len(old) :]

    part_1, part_2 = 'id = "part-1"', 'id = "part-2"'
    edit_after(part_1, "start = 09:00:00\nend = 09:30:00", "strat = 09:00:00\nend = 09:30:00")
    edit_after(part_1, "start = 10:00:00\nend = 10:30:00", "start = 10:00:00\nend = 09:50:00")
    edit_after(part_2, 'id = "emerging-technology"', 'id = "efficient-government"')
    edit_after(part_2, "end = 16:30:00", "end = 16:45:00")
    edit_after(part_2, 'category = "sustainable-city"', 'category = "sustainable-cty"')
    edit_after('id = "ceremony"', 'id = "ceremony"', 'id = "ceremony"\ntimezone = "Seoul"')
    edit_after('id = "ceremony"', 'title = { en = "4th WeGO', 'titel = { en = "4th WeGO')
    return text


SEVEN = [
    "unknown key 'strat' (did you mean 'start'?)",
    "end 09:50 is not after start 10:00",
    "duplicate session id 'efficient-government'",
    "session 'efficient-government' starts at 16:30 before session 'efficient-government' ends",
    "unknown category 'sustainable-cty'",
    "'Seoul' is not an IANA time zone name",
    "unknown key 'titel' (did you mean 'title'?)",
]


def test_seven_mistakes_are_all_reported_in_one_run(site: Path) -> None:
    Path("events.toml").write_text(_seven_mistakes(), encoding="utf-8")
    before = state(site)
    for command in (["check"], ["build", "--out", "dist"]):
        result = CliRunner().invoke(main, [*command, "--data", "events.toml"])
        assert result.exit_code == 1
        lines = result.output.splitlines()
        assert lines[0] == "Error: events.toml: 7 problems found; nothing was written."
        for expected, line in zip(SEVEN, lines[1:], strict=True):
            assert expected in line, (expected, line)
    assert state(site) == before
    with pytest.raises(DataError) as caught:
        load_series(Path("events.toml"))
    assert len(caught.value.problems) == 7
