"""lint: each problem that breaks real clients is found, with its line and reason."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BUILD_TIME, DATA, DIST
from wego_ical.cli import main
from wego_ical.errors import SelfCheckError
from wego_ical.lint import physical as lint_bytes
from wego_ical.lint.checks import MAX_DEPTH, MAX_FINDINGS, Finding, lint
from wego_ical.model import Series
from wego_ical.pipeline import BuildOptions, build
from wego_ical.publication import assemble as publication
from wego_ical.publication.assemble import make_publication
from wego_ical.render import calendar as render
from wego_ical.render.workers import WorkerSettings

GOOD = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//test//test//EN",
    "METHOD:PUBLISH",
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:STANDARD",
    "DTSTART:20240101T000000",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
    "END:VTIMEZONE",
    "BEGIN:VEVENT",
    "UID:a@example.org",
    "DTSTAMP:20240101T000000Z",
    "DTSTART;TZID=Europe/Berlin:20240105T100000",
    "DTEND;TZID=Europe/Berlin:20240105T110000",
    "SUMMARY:Fine",
    "END:VEVENT",
    "END:VCALENDAR",
]


def ics(lines: list[str], ending: str = "\r\n") -> bytes:
    return (ending.join(lines) + ending).encode("utf-8")


def replace(old: str, new: str | list[str]) -> list[str]:
    index = GOOD.index(old)
    return GOOD[:index] + ([new] if isinstance(new, str) else new) + GOOD[index + 1 :]


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def test_a_good_file_and_every_generated_file_are_clean() -> None:
    assert lint(ics(GOOD)) == []
    for path in DIST.rglob("*.ics"):
        assert lint(path.read_bytes()) == [], path


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        (
            replace(
                "DTSTART;TZID=Europe/Berlin:20240105T100000",
                "DTSTART;TZID=Asia/Seoul:20240105T100000",
            ),
            16,
            "TZID=Asia/Seoul has no VTIMEZONE in this file",
        ),
        (
            replace("DTSTART;TZID=Europe/Berlin:20240105T100000", "DTSTART:20240105T100000"),
            16,
            "floating DTSTART (no TZID, no Z)",
        ),
        (replace("METHOD:PUBLISH", "METHOD:REQUEST"), 4, "METHOD:REQUEST in a published feed"),
        (
            replace("DTSTAMP:20240101T000000Z", "DTSTAMP:20240101T000000"),
            15,
            "DTSTAMP must be a UTC",
        ),
        (
            replace(
                "DTEND;TZID=Europe/Berlin:20240105T110000",
                "DTEND;TZID=Europe/Berlin:20240105T100000",
            ),
            17,
            "DTEND is not after DTSTART",
        ),
        (replace("UID:a@example.org", []), 13, "VEVENT without UID"),
        (replace("DTSTAMP:20240101T000000Z", []), 13, "VEVENT without DTSTAMP"),
        (
            replace(
                "END:VEVENT",
                [
                    "END:VEVENT",
                    "BEGIN:VEVENT",
                    "UID:a@example.org",
                    "DTSTAMP:20240101T000000Z",
                    "DTSTART:20240105T100000Z",
                    "END:VEVENT",
                ],
            ),
            21,
            "duplicate UID 'a@example.org' (first on line 14)",
        ),
        (replace("SUMMARY:Fine", "SUMMARY:" + "x" * 80), 18, "line is 88 octets long"),
        (replace("END:VCALENDAR", []), 1, "BEGIN:VCALENDAR is never closed"),
        (replace("END:VEVENT", "END:VTODO"), 19, "END:VTODO does not close an open BEGIN"),
    ],
)
def test_each_problem(lines: list[str], line: int, message: str) -> None:
    findings = lint(ics(lines))
    assert any(f.line == line and message in f.message for f in findings), findings


def test_bare_lf_line_endings_are_reported_once() -> None:
    finding = only(lint(ics(GOOD, "\n")))
    assert finding.line == 1
    assert finding.message.startswith("bare LF line endings on 20 lines (first here)")


def test_fold_that_splits_a_utf8_character() -> None:
    summary = "SUMMARY:" + "a" * 65 + "세계"  # '세' takes bytes 74-76 of the line
    raw = summary.encode()
    folded = raw[:75] + b"\r\n " + raw[75:]
    data = ics(GOOD).replace(b"SUMMARY:Fine", folded)
    finding = only(lint(data))
    assert finding.line == 18
    assert "a fold splits a UTF-8 character" in finding.message


def test_correct_fold_is_fine() -> None:
    raw = ("SUMMARY:" + "a" * 65 + "세계").encode()
    data = ics(GOOD).replace(b"SUMMARY:Fine", raw[:73] + b"\r\n " + raw[73:])
    assert lint(data) == []


def test_not_a_feed_allows_invitations_and_floating_times() -> None:
    lines = replace("METHOD:PUBLISH", "METHOD:REQUEST")
    lines = [line.replace("DTSTART;TZID=Europe/Berlin", "DTSTART") for line in lines]
    lines = [line.replace("DTEND;TZID=Europe/Berlin", "DTEND") for line in lines]
    assert lint(ics(lines), feed=False) == []
    assert len(lint(ics(lines))) == 3


def test_not_utf8_and_garbage() -> None:
    data = ics(GOOD).replace(b"SUMMARY:Fine", b"SUMMARY:caf\xe9")
    assert any("not valid UTF-8" in f.message and f.line == 18 for f in lint(data))
    assert any("no VCALENDAR" in f.message for f in lint(b"hello\r\n"))


def test_cli_lint(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.ics", tmp_path / "bad.ics"
    good.write_bytes(ics(GOOD))
    bad.write_bytes(ics(replace("METHOD:PUBLISH", "METHOD:REQUEST")))
    runner = CliRunner()
    result = runner.invoke(main, ["lint", str(good)])
    assert (result.exit_code, result.output) == (0, "1 file checked: 0 errors.\n")
    result = runner.invoke(main, ["lint", str(good), str(bad)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{bad}:4: error: METHOD:REQUEST in a published feed; clients treat it as an "
        "invitation to answer (use METHOD:PUBLISH or none)",
        "2 files checked: 1 error.",
    ]
    assert runner.invoke(main, ["lint", "--not-a-feed", str(bad)]).exit_code == 0
    missing = runner.invoke(main, ["lint", str(tmp_path / "missing.ics")])
    assert missing.exit_code == 1
    assert "missing.ics: error: cannot be read" in missing.output


def test_build_checks_its_own_output_before_writing(
    wego: Series, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = render.build_envelope

    def broken_envelope(*args: object, **kwargs: object) -> bytes:
        envelope = real(*args, **kwargs)  # type: ignore[arg-type]
        return envelope.replace(b"METHOD:PUBLISH", b"METHOD:REQUEST")

    out = tmp_path / "dist"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out)]).exit_code == 0
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(publication, "build_envelope", broken_envelope)
    # A feed's envelope is made and checked when its file is produced.
    published = make_publication(wego, None, BUILD_TIME)
    with pytest.raises(SelfCheckError, match="failed their own checks, so nothing was written"):
        published.content("all.ics")
    fresh = tmp_path / "fresh"
    result = runner.invoke(main, ["build", "--data", str(DATA), "--out", str(fresh)])
    assert result.exit_code == 1
    assert "  all.ics:5: error: METHOD:REQUEST in a published feed" in result.output
    assert "This is a bug in wego-ical" in result.output
    assert not fresh.exists()
    # An edit over a previous output: the output is left as it was.
    edited = tmp_path / "events.toml"
    edited.write_text(DATA.read_text().replace("Green Connectivity", "Green Connectivity 2"))
    result = runner.invoke(main, ["build", "--data", str(edited), "--out", str(out)])
    assert result.exit_code == 1
    assert "METHOD:REQUEST in a published feed" in result.output
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize("processes", [1, 2])
def test_an_event_failing_the_self_check_leaves_the_output_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    out = tmp_path / "dist"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out)]).exit_code == 0
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    data = tmp_path / "events.toml"
    data.write_text(DATA.read_text().replace("Green Connectivity", "Green Connectivity 2"))
    monkeypatch.setattr(render, "lint_event", lambda text, zones: [Finding(4, "broken on purpose")])
    options = BuildOptions(
        data, out, BUILD_TIME, workers=WorkerSettings(processes=processes, min_chunk=1)
    )
    with pytest.raises(
        SelfCheckError, match="failed their own checks, so nothing was written"
    ) as raised:
        build(options)
    assert "wego-awards-4.part-1.mobility@we-gov.org:4: error: broken on purpose" in str(
        raised.value
    )
    result = runner.invoke(main, ["build", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "broken on purpose" in result.output
    assert "Traceback" not in result.output
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if ".wego-ical-staging-" in p.name]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (b"\x00", "0000"),
        (b"\x07", "0007"),
        (b"\x1b", "001B"),
        (b"\x7f", "007F"),
        (b"\xc2\x85", "0085"),
    ],
)
def test_control_characters_are_errors(value: bytes, code: str) -> None:
    data = ics(GOOD).replace(b"SUMMARY:Fine", b"SUMMARY:Fi" + value + b"ne")
    findings = lint(data)
    assert [f.message.split(";")[0] for f in findings] == [
        f"control character U+{code} in the text"
    ]
    assert findings[0].line == GOOD.index("SUMMARY:Fine") + 1


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, 20_000])
def test_deeply_nested_components_are_checked_without_recursion(depth: int) -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        + b"BEGIN:X-A\r\n" * depth
        + b"DTSTART;TZID=Nowhere:20210101T100000\r\n"
        + b"END:X-A\r\n" * depth
        + b"END:VCALENDAR\r\n"
    )
    findings = lint(data)
    if depth < MAX_DEPTH:
        assert [f.line for f in findings] == [depth + 4]
        assert "TZID=Nowhere has no VTIMEZONE" in findings[0].message
    else:  # reported once; the deeper part is only counted
        assert [f.message for f in findings] == [
            f"components nested more than {MAX_DEPTH} deep; not checked"
        ]


_EVENT = (
    b"BEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20240101T000000Z\r\n"
    b"DTSTART;TZID=Europe/Berlin:20240105T100000\r\nEND:VEVENT\r\n"
)
_ZONE = b"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nEND:VTIMEZONE\r\n"


def test_components_are_checked_as_they_end_with_what_the_whole_calendar_defines() -> None:
    """A zone defined after the events that name it still counts; a UID repeated in
    another calendar of the file is not a duplicate; each calendar's zones are its own."""
    calendar = b"BEGIN:VCALENDAR\r\n%sEND:VCALENDAR\r\n"
    assert lint(calendar % (_EVENT + _ZONE)) == []
    assert lint(calendar % (_EVENT + _ZONE) + calendar % (_ZONE + _EVENT)) == []
    findings = lint(calendar % (_EVENT + _EVENT + _ZONE) + calendar % _EVENT)
    assert [(f.line, f.message.split(";")[0]) for f in findings] == [
        (8, "duplicate UID 'x' (first on line 3)"),
        (20, "TZID=Europe/Berlin has no VTIMEZONE in this file"),
    ]


_PIECES_OF_LINES = [
    b"\r\n",
    b"\n",
    b"\r",
    b"\r\n ",
    b"BEGIN:VEVENT",
    b"END:VEVENT",
    b"UID:x",
    b"DTSTART;TZID=Nowhere:20240105T100000",
    b"DTEND:20240105T090000",
    b"SUMMARY:\xc3\xa9",
    b"\xc3",
    b"\xa9",
]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
@given(pieces=st.lists(st.sampled_from(_PIECES_OF_LINES), max_size=40))
@settings(max_examples=300, deadline=None)
def test_reading_a_chunk_at_a_time_changes_no_finding(chunk: int, pieces: list[bytes]) -> None:
    """Lines are split a chunk of bytes at a time; where a chunk ends (inside a CRLF,
    a fold, a character) never changes a line number or a finding."""
    data = b"BEGIN:VCALENDAR\r\n" + b"".join(pieces) + b"END:VCALENDAR\r\n"
    whole = lint(data)
    saved = lint_bytes.CHUNK
    lint_bytes.CHUNK = chunk
    try:
        assert lint(data) == whole
        assert list(lint_bytes.physical_lines(data)) == data.splitlines()
    finally:
        lint_bytes.CHUNK = saved


@pytest.mark.slow
@pytest.mark.parametrize(
    "body",
    [
        b"X:\r" * 800_000,  # the case (24 MB of it took 3.5 GB before)
        b"BEGIN:X\r\n" * 250_000,
        b"BEGIN:VCALENDAR\r\n"
        + b"BEGIN:X\r\nEND:X\r\n" * 150_000
        + b"X\r\n"
        + b"END:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + b"UID:x\r\n" * 300_000,
        b"\x01\r\n" * 100_000,
        # The case: events sharing one UID (120 MB of it took 3.6 GB, 30 times
        # the file); and TZIDs named before their VTIMEZONE, which are held until it.
        b"BEGIN:VCALENDAR\r\n" + _EVENT * 12_000 + b"END:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\n" + _EVENT * 12_000 + _ZONE + b"END:VCALENDAR\r\n",
    ],
    ids=["bare-cr", "nested", "siblings", "repeated", "controls", "one-uid", "zone-last"],
)
def test_memory_stays_bounded_on_hostile_files(body: bytes) -> None:
    """About 2.4 MB of a pathological pattern: findings are capped and only what the
    checks need is kept (each component is checked as it ends, then forgotten; lines
    are split a chunk at a time), so memory stays a small multiple of the file."""
    tracemalloc.start()
    try:
        findings = lint(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert findings
    assert len(findings) <= MAX_FINDINGS
    assert peak < 5 * len(body), f"peak {peak:,} bytes for {len(body):,}"


def test_many_findings_get_the_right_line_numbers() -> None:
    lines = [b"BEGIN:VCALENDAR"] + [b"X-LONG:" + b"a" * 100] * 3000 + [b"END:VCALENDAR"]
    findings = lint(b"\r\n".join(lines) + b"\r\n")
    # The first MAX_FINDINGS are kept, the rest counted.
    assert [f.line for f in findings if "octets long" in f.message] == list(range(2, 1002))
    assert findings.total >= 3000


def test_a_line_folded_many_times_is_one_content_line() -> None:
    data = ics(GOOD).replace(b"SUMMARY:Fine", b"SUMMARY:F" + b"\r\n a" * 50_000)
    assert lint(data) == []


def test_cli_shows_the_first_findings_and_counts_the_rest(tmp_path: Path) -> None:
    lines = [b"BEGIN:VCALENDAR"] + [b"X-LONG:" + b"a" * 100] * 250 + [b"END:VCALENDAR"]
    path = tmp_path / "long.ics"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exit_code == 1
    output = result.output.splitlines()
    assert len([line for line in output if ": error: " in line]) == 100
    assert output[-2:] == [
        f"{path}: … and 150 more errors not shown",
        "1 file checked: 250 errors.",
    ]


# Pieces from which byte strings with every physical problem (and none) are made.
_PIECES = [
    b"\r\n",
    b"\n",
    b"\r",
    b"\r\n ",
    b"\r\n\t",
    b"SUMMARY:x",
    b"A" * 70,
    b"\xc3\xa9",  # é
    b"\xc3",  # half of it
    b"\xa9",
    b"\xc2\x85",  # a C1 control
    b"\xc2\xba",  # º, not a control
    b"\x00",
    b"\x7f",
    b"\t",
    b"\xef\xbb\xbf",
    "세계".encode(),
]


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
@settings(max_examples=2000, deadline=None)
def test_the_quick_physical_check_never_hides_a_finding(pieces: list[bytes]) -> None:
    """A file the quick check passes has no physical finding at all (the build relies
    on it for every event it renders)."""
    data = b"".join(pieces)
    if lint_bytes.physically_clean(data):
        assert list(lint_bytes._physical_findings(data)) == []
    assert list(lint_bytes.physical_findings_of(data)) == list(lint_bytes._physical_findings(data))


def test_the_quick_physical_check_passes_every_generated_file() -> None:
    for path in sorted(DIST.rglob("*.ics")):
        assert lint_bytes.physically_clean(path.read_bytes()), path


@pytest.mark.parametrize(
    ("start", "end", "found"),
    [
        ("20240105T100000Z", "20240105T090000Z", True),
        ("20240105", "20240105", True),
        ("20240105T100000Z", "20240105T110000Z", False),
        # Not a day: nothing to compare (strptime would have read 2024-1-30 here).
        ("20241301T000000Z", "20240101T000000Z", False),
        ("20240105T250000Z", "20240105T090000Z", False),
    ],
)
def test_dtend_not_after_dtstart_reads_fixed_width_fields(
    start: str, end: str, found: bool
) -> None:
    lines = [
        line.replace("DTSTART;TZID=Europe/Berlin:20240105T100000", f"DTSTART:{start}").replace(
            "DTEND;TZID=Europe/Berlin:20240105T110000", f"DTEND:{end}"
        )
        for line in GOOD
    ]
    messages = [f.message for f in lint(("\r\n".join(lines) + "\r\n").encode())]
    assert ("DTEND is not after DTSTART" in messages) is found, messages


def test_cli_refuses_pipes_devices_and_huge_files_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO nobody writes to used to hang lint, /dev/zero to fill the memory."""
    fifo = tmp_path / "pipe.ics"
    os.mkfifo(fifo)
    big = tmp_path / "big.ics"
    big.write_bytes(b"X" * 2_000)
    monkeypatch.setattr(lint_bytes, "MAX_LINT_BYTES", 1_000)
    result = CliRunner().invoke(
        main, ["lint", str(fifo), "/dev/zero", str(big), str(tmp_path / "missing.ics")]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        f"{fifo}: error: is not a plain file (a device, a pipe or a socket); "
        "save the calendar to a file and check that"
    )
    assert lines[1].startswith("/dev/zero: error: is not a plain file")
    assert lines[2] == (
        f"{big}: error: is larger than 0 MB; no calendar client reads a file that large: split it"
    )
    assert (
        lines[3] == f"{tmp_path / 'missing.ics'}: error: cannot be read: No such file or directory"
    )
    assert lines[4] == "4 files checked: 4 errors."
