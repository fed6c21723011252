"""encoding_process: a large build's exports encoded in a process of their own, given plain
values and giving back bytes in order — the same bytes as encoded here; a process that
fails or dies is a clear error, and ends with the file either way."""

from __future__ import annotations

import marshal
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, ctrl_c_to_group, has_ended, large_series
from wego_ical.catalogue import SCHEDULE_JSON, SCHEDULE_XML
from wego_ical.errors import WorkerError
from wego_ical.load.series_file import parse_editions
from wego_ical.pipeline import BuildOptions, build
from wego_ical.publication.assemble import PublicationSettings, make_publication
from wego_ical.render import encoding_process
from wego_ical.render.encoding_process import ProcessEncoder, XmlAhead, encoder_apart
from wego_ical.render.frab_json import schedule_json
from wego_ical.render.frab_xml import schedule_xml
from wego_ical.render.schedule import schedule_data
from wego_ical.render.talk_codec import JSON_MEMBERS, JSON_TALKS, XML_TALKS, LocalEncoder, encode
from wego_ical.render.workers import WorkerSettings

NOW = datetime(2030, 1, 1, tzinfo=UTC)
TALK = {
    "guid": "g", "id": 7, "date": "2030-01-01T10:00:00+01:00", "start": "10:00",
    "duration": "00:30", "room": "Saal <1> & \"2\"", "slug": "s", "url": "https://x.org/",
    "title": "한국어 — \u2028 \x01 𝄞", "subtitle": None, "track": None, "type": "talk",
    "language": "ko", "abstract": None, "description": "a\nb", "persons": [], "links": [],
}  # fmt: skip


@pytest.mark.parametrize("series", ["wego", "large"])
@pytest.mark.parametrize("page_url", [None, "https://example.org/p/"])
def test_the_exports_encoded_apart_are_the_bytes_encoded_here(
    series: str, page_url: str | None
) -> None:
    text = DATA.read_text(encoding="utf-8") if series == "wego" else large_series(300)
    for edition in parse_editions(text):
        records = make_publication(
            edition.series, None, NOW, PublicationSettings(workers=WorkerSettings(processes=1))
        ).state.events
        made = [schedule_data(edition.series, records, edition.language, page_url) for _ in "ab"]
        assert b"".join(schedule_json(made[0], encoding=ProcessEncoder)) == b"".join(
            schedule_json(made[1])
        )
        assert b"".join(schedule_xml(made[0], encoding=ProcessEncoder)) == b"".join(
            schedule_xml(made[1])
        )


@pytest.mark.parametrize(("count", "size"), [(ProcessEncoder.ahead + 8, 30_000), (6, 2_500_000)])
def test_parts_larger_than_the_pipes_hold_come_back_whole_and_in_order(
    count: int, size: int
) -> None:
    """Neither process waits for the other to read while the other waits too: more parts
    asked for than are worked on ahead; parts each larger than both pipes hold (1 MB
    each), more of them than may wait to be written (8 MB)."""
    parts = [[{**TALK, "description": chr(0x61 + n % 26) * size}] for n in range(count)]
    with ProcessEncoder() as encoder:
        for part in parts:
            encoder.submit(JSON_TALKS, 2, part)
        assert [encoder.take() for _ in parts] == [encode(JSON_TALKS, 2, p) for p in parts]


def test_every_kind_of_part_is_encoded_as_here() -> None:
    members = {"guid-1": {"uid": "u", "fields": {"title": "é"}}, "guid-2": {"uid": "v"}}
    asked = [(JSON_TALKS, 4, [TALK, TALK]), (JSON_MEMBERS, 3, members), (XML_TALKS, 3, [TALK])]
    with ProcessEncoder() as encoder, LocalEncoder() as here:
        for kind, level, value in asked:
            encoder.submit(kind, level, value)
            here.submit(kind, level, value)
        assert [encoder.take() for _ in asked] == [here.take() for _ in asked]


def test_the_texts_given_are_left_without_a_utf8_copy() -> None:
    """The talks' texts are the model's, kept until the build ends: marshal leaves no
    UTF-8 copy on them (pickle would, and pydantic_core's encoder does)."""
    text = "".join(["Zürich · 서울 "] * 500)  # made here, not interned
    size = sys.getsizeof(text)
    with ProcessEncoder() as encoder:
        encoder.submit(JSON_TALKS, 0, [{"description": text}])
        assert encoder.take() == encode(JSON_TALKS, 0, [{"description": text}])
    assert sys.getsizeof(text) == size
    marshal.dumps(text)
    assert sys.getsizeof(text) == size


def test_a_part_that_cannot_be_encoded_is_a_clear_error() -> None:
    with ProcessEncoder() as encoder:
        encoder.submit(99, 0, [])
        with pytest.raises(WorkerError, match="could not be encoded: no such part: 99"):
            encoder.take()


def test_a_process_that_dies_is_a_clear_error_and_is_waited_for() -> None:
    encoder = ProcessEncoder()
    encoder._process.kill()
    encoder._process.wait()
    with pytest.raises(
        WorkerError, match=r"^the process encoding the exports stopped unexpectedly"
    ):
        encoder.submit(JSON_TALKS, 0, [TALK] * 2000)
        encoder.take()
    encoder.close()


def test_a_file_given_up_ends_its_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that fails while an export is being written (or Ctrl+C) leaves no process."""
    started: list[ProcessEncoder] = []

    class Recorded(ProcessEncoder):
        def __init__(self) -> None:
            super().__init__()
            started.append(self)

    edition = parse_editions(large_series(300))[0]
    records = make_publication(
        edition.series, None, NOW, PublicationSettings(workers=WorkerSettings(processes=1))
    ).state.events
    pieces = schedule_json(schedule_data(edition.series, records, None, None), encoding=Recorded)
    next(pieces)
    pid = started[0]._process.pid
    assert not has_ended(pid)
    pieces.close()  # type: ignore[attr-defined]
    assert has_ended(pid) and started[0]._process.returncode is not None


def test_where_no_process_can_be_started_the_parts_are_encoded_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*args: object, **kwargs: object) -> Any:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", refused)
    assert isinstance(encoder_apart(), LocalEncoder)


@pytest.mark.parametrize("interpreter", ["exits", "another program"])
def test_a_process_that_does_not_start_leaves_the_parts_to_encode_here(
    interpreter: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interpreter that cannot run the module (a frozen program, another Python
    without wego_ical): nothing is given to it, and no process is left behind."""
    program = tmp_path / "python"
    body = "exit 3" if interpreter == "exits" else "echo usage: not python; sleep 1"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(program))
    started: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def recorded(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", recorded)
    encoder = encoder_apart()
    assert isinstance(encoder, LocalEncoder)
    assert started and started[0].returncode is not None
    with encoder:
        encoder.submit(XML_TALKS, 3, [TALK])
        assert encoder.take() == encode(XML_TALKS, 3, [TALK])


def test_which_builds_encode_their_exports_apart() -> None:
    settings = WorkerSettings(processes=2)
    assert settings.encodes_apart(20_000) and not settings.encodes_apart(19_999)
    assert not WorkerSettings(processes=1).encodes_apart(100_000)
    assert not WorkerSettings(jobs=1).encodes_apart(100_000)
    # Made apart below that size: in the exports' child, which has no core to spare.
    assert not settings.encodes_apart(10_000) and settings.makes_apart(10_000)


def test_a_large_build_writes_the_same_exports_encoded_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole build from the size on where it encodes apart (its workers forked from the
    server too): the same files as a build in one process."""
    started: list[XmlAhead | None] = []
    asked: list[int] = []
    encoder = encoding_process.ProcessEncoder

    class Counted(encoder):  # type: ignore[valid-type,misc]
        def __init__(self, xml: XmlAhead | None = None) -> None:
            started.append(xml)
            super().__init__(xml)

        def submit(self, kind: int, level: int, value: Any) -> None:
            asked.append(kind)
            super().submit(kind, level, value)

    monkeypatch.setattr(encoding_process, "ProcessEncoder", Counted)
    data = tmp_path / "events.toml"
    data.write_text(large_series(300), encoding="utf-8")
    apart = WorkerSettings(processes=2, min_chunk=20, forkserver_min_items=100)
    build(BuildOptions(data, tmp_path / "apart", NOW, workers=apart))
    # One, for schedule.json; schedule.xml's talks were encoded with schedule.json's.
    assert len(started) == 1 and started[0] is not None
    assert XML_TALKS not in asked and asked.count(JSON_TALKS) > 10
    build(BuildOptions(data, tmp_path / "here", NOW, workers=WorkerSettings(processes=1)))
    for path in (SCHEDULE_JSON, SCHEDULE_XML):
        assert (tmp_path / "apart" / path).read_bytes() == (tmp_path / "here" / path).read_bytes()


def test_talks_schedule_json_copied_are_made_for_schedule_xml_if_it_has_them_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild encoding apart whose schedule.json copies its talks while schedule.xml's
    record describes nothing: schedule.xml makes them itself (none were made ahead)."""
    monkeypatch.setattr(WorkerSettings, "encodes_apart", lambda *_: True)
    text = large_series(300)
    data = tmp_path / "events.toml"
    data.write_text(text, encoding="utf-8")
    workers = WorkerSettings(processes=1, parallel_min_items=100)
    build(BuildOptions(data, tmp_path / "dist", NOW, workers=workers))
    (tmp_path / "dist" / SCHEDULE_XML).write_bytes(b"<schedule/>")  # its record: no longer
    shutil.copytree(tmp_path / "dist", tmp_path / "plain")
    edited = text.replace('description = "open, ', 'description = "Edited, ', 1)
    data.write_text(edited, encoding="utf-8")
    build(BuildOptions(data, tmp_path / "dist", NOW, workers=workers))
    monkeypatch.setattr(WorkerSettings, "encodes_apart", lambda *_: False)
    build(BuildOptions(data, tmp_path / "plain", NOW, workers=workers))
    for path in (SCHEDULE_JSON, SCHEDULE_XML):
        assert (tmp_path / "dist" / path).read_bytes() == (tmp_path / "plain" / path).read_bytes()


def test_parts_that_come_back_at_once_go_where_they_belong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part may come back while it is being given (a fast process, a slow build): its
    schedule.xml bytes still go to its room and day."""
    encoder = encoding_process.ProcessEncoder

    class AtOnce(encoder):  # type: ignore[valid-type,misc]
        def submit(self, kind: int, level: int, value: Any) -> None:
            super().submit(kind, level, value)
            while self._kinds:  # every part given is back before this returns
                self._exchange(wait=True)

    monkeypatch.setattr(encoding_process, "ProcessEncoder", AtOnce)
    monkeypatch.setattr(WorkerSettings, "encodes_apart", lambda *_: True)
    data = tmp_path / "events.toml"
    data.write_text(large_series(300), encoding="utf-8")
    workers = WorkerSettings(processes=1, parallel_min_items=100)
    build(BuildOptions(data, tmp_path / "apart", NOW, workers=workers))
    monkeypatch.setattr(WorkerSettings, "encodes_apart", lambda *_: False)
    build(BuildOptions(data, tmp_path / "here", NOW, workers=workers))
    for path in (SCHEDULE_JSON, SCHEDULE_XML):
        assert (tmp_path / "apart" / path).read_bytes() == (tmp_path / "here" / path).read_bytes()


@pytest.mark.slow
def test_ctrl_c_while_the_talks_are_encoded_apart_leaves_nothing_behind(tmp_path: Path) -> None:
    """Ctrl+C to the group reaches the encoding process too: the build stops with its
    message alone, no process is left, and the output folder is as it was."""
    script = tmp_path / "interrupted.py"
    script.write_text(
        "import sys, time\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "from wego_ical.pipeline import BuildOptions, WorkerSettings, build\n"
        "from wego_ical.render import encoding_process, schedule\n"
        "WorkerSettings.encodes_apart = lambda self, items: True\n"
        "start = schedule.Pieces._start\n"
        "def slow(self, part, encoder):\n"
        "    if isinstance(encoder, encoding_process.ProcessEncoder) and not slow.told:\n"
        "        slow.told = True\n"
        "        print('encoding', encoder._process.pid, flush=True)\n"
        "        time.sleep(30)\n"
        "    return start(self, part, encoder)\n"
        "slow.told = False\n"
        "schedule.Pieces._start = slow\n"
        "workers = WorkerSettings(processes=1, parallel_min_items=100)\n"
        "now = datetime(2030, 1, 1, tzinfo=UTC)\n"
        "try:\n"
        "    build(BuildOptions(Path(sys.argv[1]), Path(sys.argv[2]), now, workers=workers))\n"
        "except KeyboardInterrupt:\n"
        "    print('stopped', flush=True)\n"
    )
    text = large_series(300)
    data, out = tmp_path / "events.toml", tmp_path / "dist"
    data.write_text(text, encoding="utf-8")
    build(BuildOptions(data, out, NOW, workers=WorkerSettings(processes=1)))
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    data.write_text(text.replace('description = "open, ', 'description = "Edited, ', 1))
    encoder: list[int] = []

    def encoding(process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("encoding "), line
        encoder.append(int(line.split()[1]))

    _, output, errors = ctrl_c_to_group(
        [sys.executable, str(script), str(data), str(out)], encoding
    )
    assert output == "stopped\n" and errors == ""
    assert has_ended(encoder[0])
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before
