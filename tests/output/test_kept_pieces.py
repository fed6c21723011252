"""A rebuild copies the rooms' talks of a day that the exports in place already have
(output.kept_pieces, render.schedule.Pieces): the same bytes as a build from scratch,
only the edited room and day made again; a record that does not describe the file in
place (tampered, the file edited by hand, a link, another format) is no record."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import large_series
from wego_ical.catalogue import SCHEDULE_JSON, SCHEDULE_XML
from wego_ical.errors import OutputError
from wego_ical.output import kept_pieces
from wego_ical.pipeline import BuildOptions, WorkerSettings, build, diff
from wego_ical.render.encoding_process import ProcessEncoder
from wego_ical.render.talk_codec import JSON_MEMBERS, JSON_TALKS, XML_TALKS, LocalEncoder

NOW = datetime(2030, 1, 1, tzinfo=UTC)
EXPORTS = (SCHEDULE_JSON, SCHEDULE_XML)


def _build(data: Path, out: Path) -> None:
    # In this process; a series this small counts as large (a small one keeps no pieces).
    workers = WorkerSettings(processes=1, parallel_min_items=100)
    build(BuildOptions(data, out, NOW, workers=workers))


def _exports(out: Path) -> dict[str, bytes]:
    return {path: (out / path).read_bytes() for path in EXPORTS}


def _records(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}{kept_pieces.SUFFIX}.*.json"))


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which file made a room's talks of a day (rather than copying them), wherever they
    are encoded."""
    calls: list[str] = []
    for encoder in (LocalEncoder, ProcessEncoder):

        def counted(
            self: Any, kind: int, level: int, value: Any, submit: Any = encoder.submit
        ) -> None:
            if kind != JSON_MEMBERS:
                calls.append(SCHEDULE_XML if kind == XML_TALKS else SCHEDULE_JSON)
            if kind == JSON_TALKS and getattr(self, "_xml", None) is not None:
                calls.append(SCHEDULE_XML)  # made for schedule.xml too (XmlAhead)
            submit(self, kind, level, value)

        monkeypatch.setattr(encoder, "submit", counted)
    return calls


def _series(tmp_path: Path) -> tuple[Path, str]:
    data = tmp_path / "events.toml"
    text = large_series(300)
    data.write_text(text, encoding="utf-8")
    return data, text


def _edited(text: str) -> str:
    first = text.index('title = "', text.index("[[events.sessions]]"))
    return text[:first] + 'title = "Edited <&> \\"talk\\" — 한국어' + text[first + 9 :]


@pytest.mark.parametrize("encoded_apart", [False, True])
def test_a_rebuild_copies_all_but_the_edited_talks_and_writes_the_same_bytes(
    tmp_path: Path, made: list[str], encoded_apart: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also with the talks encoded in a process of their own (render.encoding_process)."""
    monkeypatch.setattr(WorkerSettings, "encodes_apart", lambda *_: encoded_apart)
    data, text = _series(tmp_path)
    out = tmp_path / "dist"
    _build(data, out)
    groups = made.count(SCHEDULE_JSON)
    assert groups > 10 and made.count(SCHEDULE_XML) == groups
    assert [path.name for path in _records(out)] == [
        f".dist{kept_pieces.SUFFIX}.schedule.json.json",
        f".dist{kept_pieces.SUFFIX}.schedule.xml.json",
    ]
    plain = tmp_path / "plain"  # the same folder, without the record of its pieces
    shutil.copytree(out, plain)
    data.write_text(_edited(text), encoding="utf-8")
    made.clear()
    _build(data, out)
    assert made == [SCHEDULE_JSON, SCHEDULE_XML]  # the edited talk's room and day alone
    _build(data, plain)
    assert _exports(out) == _exports(plain)
    assert b"Edited &lt;&amp;&gt;" in (out / SCHEDULE_XML).read_bytes()
    # Nothing changed: every piece copied; the files stay as they were.
    made.clear()
    before = {path: (out / path).stat().st_ino for path in EXPORTS}
    _build(data, out)
    assert made == [] and {path: (out / path).stat().st_ino for path in EXPORTS} == before


def _first_session(text: str, line: str) -> str:
    """``line`` added to the first session."""
    at = text.index("\n", text.index("[[events.sessions]]")) + 1
    return text[:at] + line + "\n" + text[at:]


# Every kind of edit a talk shows: a rebuild copies the talks whose inputs did not change
# (an edit of the series' own settings or tables changes every talk's), and must write
# what a rebuild that copies nothing writes.
EDITS: dict[str, Callable[[str], str]] = {
    "session title": _edited,
    "session description": lambda t: t.replace('description = "open, ', 'description = "Ö ', 1),
    "session category": lambda t: t.replace('category = "track-15"', 'category = "track-3"', 1),
    "session time": lambda t: t.replace("start = 08:00:00", "start = 07:45:00", 1),
    "session room": lambda t: _first_session(t, 'room = "Saal <1>"'),
    "session panelists": lambda t: _first_session(t, 'panelists = ["person-2"]'),
    "category name": lambda t: t.replace('name = "Track 15 · Ünïcode"', 'name = "Track XV"'),
    "person name": lambda t: t.replace('name = "Speaker Nº 0"', 'name = "Speaker Zero"'),
    "person id": lambda t: t.replace('"person-0"', '"person-zero"'),
    "event title": lambda t: t.replace('title = "Festival day 1"', 'title = "Day one"'),
    "event place": lambda t: t.replace('location = "Hall A, Floor 2"', 'location = "Hall B"', 1),
    "series address": lambda t: t.replace(
        'url = "https://festival.example.org/"', 'url = "https://example.net/"'
    ),
    "page address": lambda t: t.replace('base_url = "https://festival', 'base_url = "https://x'),
    "series zone": lambda t: t.replace('timezone = "Europe/Berlin"', 'timezone = "Asia/Seoul"', 1),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A first build of the large series, with the record of its pieces beside it."""
    folder = tmp_path_factory.mktemp("built")
    data, text = _series(folder)
    _build(data, folder / "dist")
    return folder, text


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_rebuild_after_any_edit_writes_what_a_rebuild_copying_nothing_writes(
    tmp_path: Path, built: tuple[Path, str], made: list[str], edit: str
) -> None:
    folder, text = built
    edited = EDITS[edit](text)
    assert edited != text
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    data, out, plain = tmp_path / "events.toml", tmp_path / "dist", tmp_path / "plain"
    shutil.copytree(out, plain)  # the same folder, without the record of its pieces
    data.write_text(edited, encoding="utf-8")
    groups = len(json.loads(_records(out)[0].read_bytes())["pieces"])
    _build(data, out)
    copied = groups - made.count(SCHEDULE_JSON)
    made.clear()
    _build(data, plain)
    assert made.count(SCHEDULE_JSON) >= groups - 1  # all made (a day may come or go)
    assert _exports(out) == _exports(plain)
    if edit.startswith(("session", "event")):
        assert copied > 0  # an entry's edit leaves the other rooms and days as they were


DAMAGES = ("not json", "other code", "other file", "out of range", "edited by hand", "a link")


@pytest.mark.parametrize(
    ("damage", "encoded_apart"),
    [
        *((damage, False) for damage in DAMAGES),
        ("other file", True),  # schedule.json's talks made in the encoding process
    ],
)
def test_a_record_that_does_not_describe_the_file_in_place_is_no_record(
    tmp_path: Path,
    made: list[str],
    damage: str,
    encoded_apart: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(WorkerSettings, "encodes_apart", lambda *_: encoded_apart)
    data, text = _series(tmp_path)
    out = tmp_path / "dist"
    _build(data, out)
    record = _records(out)[0]  # schedule.json's
    content = json.loads(record.read_bytes())
    if damage == "not json":
        record.write_text("{")
    elif damage == "other code":
        record.write_text(json.dumps({**content, "code": "0" * 64}))
    elif damage == "other file":
        record.write_text(json.dumps({**content, "whole": "0" * 64}))
    elif damage == "out of range":
        first = next(iter(content["pieces"]))
        content["pieces"][first] = [10**9, 10]
        record.write_text(json.dumps(content))
    elif damage == "edited by hand":
        old = (out / SCHEDULE_JSON).read_bytes()
        (out / SCHEDULE_JSON).write_bytes(old.replace(b'"title": "', b'"title": "X', 1))
    else:
        target = tmp_path / "elsewhere.json"
        shutil.copy(record, target)
        record.unlink()
        os.symlink(target, record)
    planted = record.read_bytes()
    groups = made.count(SCHEDULE_JSON)
    plain = tmp_path / "plain"
    shutil.copytree(out, plain)
    data.write_text(_edited(text), encoding="utf-8")
    made.clear()
    _build(data, out)
    assert made.count(SCHEDULE_JSON) == groups  # every room's talks made again
    # schedule.xml copies all but one, unless schedule.json's made them for it too.
    assert made.count(SCHEDULE_XML) == (groups if encoded_apart else 1)
    _build(data, plain)
    assert _exports(out) == _exports(plain)
    if damage == "a link":  # read through never, replaced by the build's own record
        assert (tmp_path / "elsewhere.json").read_bytes() == planted
        assert not record.is_symlink()


class _Waited(Exception):
    """The build waited on a pipe (see below)."""


def test_a_pipe_in_place_of_an_export_is_never_read(tmp_path: Path) -> None:
    """Opening a named pipe to read it waits for a writer: the record's check of the file
    in place must not (the build ends with a result or a message, as without pieces)."""
    data, text = _series(tmp_path)
    out = tmp_path / "dist"
    _build(data, out)
    (out / SCHEDULE_JSON).unlink()
    os.mkfifo(out / SCHEDULE_JSON)
    data.write_text(_edited(text), encoding="utf-8")

    def waited(*_: object) -> None:
        raise _Waited  # not an OSError: the build would word that as a message

    previous = signal.signal(signal.SIGALRM, waited)
    signal.alarm(60)
    try:
        _build(data, out)
    except OutputError:
        pass  # refused, with a message: not a hang
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_diff_records_nothing(tmp_path: Path) -> None:
    """diff writes nothing: not even the record of the pieces (it makes the exports to
    compare them when nothing changed)."""
    data, _ = _series(tmp_path)
    out = tmp_path / "dist"
    _build(data, out)
    records = {path: path.read_bytes() for path in _records(out)}
    for path in records:
        os.utime(path, ns=(0, 0))
    (out / SCHEDULE_XML).write_bytes(b"damaged")
    workers = WorkerSettings(processes=1, parallel_min_items=100)
    result = diff(BuildOptions(data, out, NOW, workers=workers))
    assert SCHEDULE_XML in [str(path) for path in result.differing]
    assert {path: path.read_bytes() for path in _records(out)} == records
    assert all(path.stat().st_mtime_ns == 0 for path in records)


def test_a_small_series_keeps_no_record_of_its_pieces(tmp_path: Path) -> None:
    """Below WorkerSettings.parallel_min_items events the exports take milliseconds: no
    record of their pieces clutters the folder beside the output (the WeGO series)."""
    data, _ = _series(tmp_path)
    out = tmp_path / "dist"
    build(BuildOptions(data, out, NOW, workers=WorkerSettings(processes=1)))
    assert (out / SCHEDULE_JSON).exists() and _records(out) == []
