"""files: one bounded reader and one link-safe writer — and, through the real CLI,
every place that reads or writes a file a repository or another user could have
replaced by a link, a pipe, a device or something huge (issue 33)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import DATA, DIST
from wego_ical.cli import main
from wego_ical.errors import OutputError
from wego_ical.files import ReadRefused, read_bounded, write_replacing
from wego_ical.words import for_terminal, one_line

NOW = "2030-06-01T00:00:00Z"


# A spreadsheet names no zone: without one its import stops before what is tested here.
ZONE = ("--set", "timezone=Europe/Berlin")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def assert_message(result: Result, text: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert text in result.output, result.output
    assert "Traceback" not in result.output


# --- the reader ----------------------------------------------------------------


def test_the_reader_refuses_links_pipes_devices_and_large_files(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(b"12345")
    assert read_bounded(plain, 5) == b"12345"
    with pytest.raises(ReadRefused, match="larger than 4 bytes"):
        read_bounded(plain, 4)
    link = tmp_path / "link"
    link.symlink_to(plain)
    assert read_bounded(link, 5) == b"12345"
    with pytest.raises(ReadRefused, match="symbolic link"):
        read_bounded(link, 5, follow_links=False)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ReadRefused, match="not a plain file"):
        read_bounded(fifo, 5)  # at once: nobody writes to it
    with pytest.raises(ReadRefused, match="not a plain file"):
        read_bounded("/dev/zero", 5)
    sparse = tmp_path / "sparse"
    with open(sparse, "wb") as file:
        file.truncate(5_000_000_000)
    with pytest.raises(ReadRefused, match="larger than"):
        read_bounded(sparse, 1000)


# --- the writer ------------------------------------------------------------------


def test_the_writer_never_writes_through_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere" / ".bash_aliases")
    with pytest.raises(OutputError, match="is a symbolic link; nothing was written"):
        write_replacing(dangling, b"x", force=False)
    assert not (tmp_path / "nowhere").exists()
    link = tmp_path / "link"
    link.symlink_to(victim)
    write_replacing(link, b"new", force=True)
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_bytes() == b"new"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a plain file"):
        write_replacing(fifo, b"x", force=True)
    hard = tmp_path / "hard"
    os.link(victim, hard)
    write_replacing(hard, b"replaced", force=True)
    assert victim.read_text() == "precious"
    # No temporary file is left behind.
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --- import, init, schema --out --------------------------------------------------

# A terminal would act on the escape sequence (a colour, or a window title) and
# the bidirectional override.
HOSTILE_HEADER = 'room\nlabels = { event_page = "$(touch PWNED)" }\n#\x1b]0;pwned\x07\u202e'


def _spreadsheet(tmp_path: Path, name: str = "schedule.csv") -> Path:
    source = tmp_path / name
    column = '"' + HOSTILE_HEADER.replace('"', '""') + '"'
    source.write_text(
        f"event,date,start,end,title,{column}\n"
        "Talks,2026-05-05,10:00,10:45,Keynote,x\n"
        'Talks,2026-05-05,11:00,11:30,"publish = { base_url = ""https://evil.example/"" }",y\n',
        encoding="utf-8",
    )
    return source


def test_import_never_writes_through_a_dangling_link(tmp_path: Path) -> None:
    """The repository ships data/events.toml as a link to ../../../.bash_aliases."""
    out = tmp_path / "data" / "events.toml"
    out.parent.mkdir()
    target = tmp_path / "home" / ".bash_aliases"
    out.symlink_to(target)
    result = run("import", str(_spreadsheet(tmp_path)), "--out", str(out), *ZONE)
    assert_message(result, "is a symbolic link; nothing was written")
    assert not target.exists() and not target.parent.exists()
    # --force replaces the link itself; its target is never created or written.
    result = run("import", str(_spreadsheet(tmp_path)), "--out", str(out), "--force", *ZONE)
    assert result.exit_code == 0, result.output
    assert not out.is_symlink() and not target.exists()


def test_source_text_never_becomes_a_line_of_the_series_file(tmp_path: Path) -> None:
    """A column name (and a source file name) with line breaks stay inside a comment:
    no key is injected, and a shell that sources the file runs nothing."""
    source = _spreadsheet(tmp_path, "a\npublish = { base_url = 'evil' }\n#.csv")
    out = tmp_path / "events.toml"
    result = run("import", str(source), "--out", str(out), "--format", "csv", *ZONE)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert "labels" not in data and "publish" not in data
    for line in text.splitlines():
        assert not line.startswith(("labels", "publish", "$(")), line
    header = [line for line in text.splitlines() if "touch PWNED" in line]
    assert header and all(line.startswith("# Not carried over") for line in header)
    assert run("check", "--data", str(out)).exit_code == 0
    # What is printed quotes the column name on one line, with nothing a terminal acts on.
    assert all(line.startswith(("wrote ", "note: ")) for line in result.output.splitlines())
    assert "\\x1b]0;pwned\\x07\\u202e" in result.output
    assert not {"\x1b", "\x07", "\u202e"} & set(result.output)
    subprocess.run(["sh", "-c", f". '{out}' 2>/dev/null; true"], cwd=tmp_path, check=False)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("command", [["init"], ["schema", "--out"]])
def test_init_and_schema_never_write_through_a_link(tmp_path: Path, command: list[str]) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    path = tmp_path / "file"
    path.symlink_to(victim)
    result = run(*command, str(path), *(["--force"] if command == ["init"] else []))
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious"
    assert not path.is_symlink()
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    if command == ["init"]:
        assert_message(run("init", str(dangling)), "is a symbolic link; nothing was written")
        assert not (tmp_path / "nowhere").exists()


def test_the_import_source_is_read_within_bounds(tmp_path: Path) -> None:
    assert_message(run("import", "/dev/zero", "--format", "csv"), "is not a plain file")
    fifo = tmp_path / "schedule.csv"
    os.mkfifo(fifo)
    assert_message(run("import", str(fifo), "--out", str(tmp_path / "x.toml")), "not a plain file")


# --- the output folder's own files ------------------------------------------------


def test_a_state_file_linked_to_a_device_or_huge_is_a_message(built_dist: Path) -> None:
    state = built_dist / "feeds.json"
    state.unlink()
    state.symlink_to("/dev/zero")
    for command in (["build", "--data", str(DATA)], ["diff", "--data", str(DATA)]):
        assert_message(run(*command, "--out", str(built_dist), "--now", NOW), "symbolic link")
    state.unlink()
    with open(state, "wb") as file:
        file.truncate(5_000_000_000)
    assert_message(run("diff", "--data", str(DATA), "--out", str(built_dist)), "is larger than")


@pytest.mark.parametrize(
    "name", ["all.ics", "feeds.json", "index.html", "schedule.json", "qrcode.js"]
)
def test_a_pipe_in_place_of_an_output_never_hangs_a_command(built_dist: Path, name: str) -> None:
    """build, diff and publish --s3 --dry-run end (in a process of their own, bounded
    by a timeout) with a result or a message."""
    (built_dist / name).unlink()
    os.mkfifo(built_dist / name)
    for args in (
        ["build", "--data", str(DATA), "--out", str(built_dist), "--now", NOW],
        ["diff", "--data", str(DATA), "--out", str(built_dist), "--now", NOW],
        ["publish", "--out", str(built_dist), "--s3", "s3://bucket/p/", "--dry-run"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "wego_ical", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"},
            stdin=subprocess.DEVNULL,
        )
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode in (0, 1), done.stderr


def test_a_lock_file_that_is_a_pipe_or_has_other_names_is_refused(built_dist: Path) -> None:
    lock = built_dist.parent / ".dist.wego-ical.lock"
    lock.unlink(missing_ok=True)
    os.mkfifo(lock)
    assert_message(run("build", "--data", str(DATA), "--out", str(built_dist)), "not a plain file")
    lock.unlink()
    other = built_dist.parent / "other"
    other.write_text("precious")
    os.link(other, lock)
    assert_message(run("build", "--data", str(DATA), "--out", str(built_dist)), "hard links")
    assert other.read_text() == "precious"


def test_a_journal_with_other_names_is_never_appended_to(built_dist: Path) -> None:
    from wego_ical.publish.caldav import journal as caldav_journal

    other = built_dist.parent / "other"
    other.write_text("precious\n")
    journal = built_dist.parent / ".dist.wego-ical.caldav.jsonl"
    os.link(other, journal)
    with pytest.raises(OutputError, match="hard links"):
        caldav_journal.append(journal, {"calendar": "x"})
    assert other.read_text() == "precious\n"


def test_publish_caldav_never_reads_a_feed_through_a_link(built_dist: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.ics"
    secret.write_bytes((DIST / "all.ics").read_bytes())
    (built_dist / "all.ics").unlink()
    (built_dist / "all.ics").symlink_to(secret)
    result = run(
        "publish", "--out", str(built_dist), "--caldav", "http://127.0.0.1:9/cal/", "--dry-run",
        env={"WEGO_ICAL_CALDAV_USERNAME": "u", "WEGO_ICAL_CALDAV_PASSWORD": "p"},
    )  # fmt: skip
    assert_message(result, "reached through a link")


def test_an_output_folder_with_a_path_near_the_systems_limit_is_refused(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["x" * 200] * ((3900 - len(str(tmp_path))) // 201))
    deep.mkdir(parents=True)
    result = run("build", "--data", str(DATA), "--out", str(deep / "dist"))
    assert_message(result, "build into a folder with a shorter path")
    assert not [p for p in deep.iterdir()]  # no lock, no staging folder


# --- command-line values ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--now", "9999-12-31T23:59:59-14:00"], {}, "a build time must lie between"),
        (["--now", "0001-01-01T00:00:00+14:00"], {}, "a build time must lie between"),
        ([], {"SOURCE_DATE_EPOCH": "99999999999999999"}, "a build time must lie between"),
        ([], {"SOURCE_DATE_EPOCH": "-99999999999999999"}, "a build time must lie between"),
        (["--prune", "--prune-grace", "1e300"], {}, "is not a number of hours"),
        (["--prune", "--prune-grace", "nan"], {}, "is not a number of hours"),
        (["--prune", "--prune-grace", "inf"], {}, "is not a number of hours"),
        (["--prune", "--prune-grace", "99999999999"], {}, "is not a number of hours"),
    ],
)
def test_command_line_values_out_of_range_are_messages(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    result = run("diff", "--data", str(DATA), "--out", str(tmp_path / "d"), *args, env=env)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_title_with_characters_xml_cannot_hold_is_refused(tmp_path: Path) -> None:
    text = DATA.read_text(encoding="utf-8").replace(
        'title = { en = "4th WeGO Awards"', 'title = { en = "4th \\uFFFE WeGO Awards"', 1
    )
    data = tmp_path / "events.toml"
    data.write_text(text, encoding="utf-8")
    assert_message(run("check", "--data", str(data)), "control character")


@pytest.mark.parametrize("netrc", ["/dev/zero", "fifo", "latin1"])
def test_a_netrc_that_is_no_netrc_file_is_a_message(built_dist: Path, netrc: str) -> None:
    path = Path(netrc)
    if netrc == "fifo":
        path = built_dist.parent / "fifo"
        os.mkfifo(path)
    elif netrc == "latin1":
        path = built_dist.parent / "netrc"
        path.write_bytes(b"machine 127.0.0.1 login u password caf\xe9\n")
    result = run(
        "publish", "--out", str(built_dist), "--caldav", "http://127.0.0.1:9/cal/", "--netrc",
        str(path), "--dry-run", env={"NETRC": ""},
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "caf" not in result.output


def test_what_is_printed_keeps_its_lines_but_nothing_a_terminal_acts_on() -> None:
    shown = for_terminal("a\tb\nc\x1b[2J\x9b\x7f\u202ed é 세")
    assert shown == "a\tb\nc\\x1b[2J\\x9b\\x7f\\u202ed é 세"
    assert one_line("a\nb\r\x00 é") == "a\\nb\\r\\x00 é"
