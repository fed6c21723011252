"""pipeline: the library entry points of build, diff and check, called as a program
would (sqlite-utils style), without the CLI."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, files_written_apart, fork_server_pid
from wego_ical.errors import DataError, OutputError
from wego_ical.pipeline import BuildOptions, build, check, diff, prepare
from wego_ical.report import diff_report

NOW = datetime(2030, 6, 1, tzinfo=UTC)
LATER = datetime(2030, 6, 2, tzinfo=UTC)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    copy = tmp_path / "events.toml"
    shutil.copy(DATA, copy)
    return copy


def _options(data: Path, out: Path, **extra: object) -> BuildOptions:
    return BuildOptions(data, out, NOW, **extra)  # type: ignore[arg-type]


def test_build_returns_what_it_wrote_and_what_subscribers_see(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = build(_options(data, out))
    assert result.publication is not None
    assert {change.kind for change in result.changes} == {"added"}
    assert len(result.changes) == 7  # each entry once, though published in two languages
    written = {f.path for f in result.files if f.action == "written"}
    assert {"all.ics", "feeds.json", "index.html", "ko/all.ics"} <= written
    assert all((out / path).is_file() for path in written)
    assert result.warnings == []


def test_prepare_and_diff_write_nothing(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    prepared = prepare(_options(data, out))
    assert "all.ics" in prepared.files
    assert not out.exists()
    build(_options(data, out))
    data.write_text(data.read_text().replace("start = 09:30:00", "start = 09:35:00", 1))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    found = diff(_options(data, out))
    assert [change.kind for change in found.changes] == ["changed"]  # alike in both languages
    assert found.differing == []
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_diff_names_files_edited_by_hand_when_nothing_changed(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(_options(data, out))
    (out / "part-1.ics").write_bytes(b"edited")
    found = diff(_options(data, out))
    assert found.changes == []
    assert found.differing == ["part-1.ics"]


def test_check_plans_the_feeds(data: Path) -> None:
    checked = check(data)
    assert checked.entries == 7
    assert [plan.path for plan in checked.feeds][:2] == ["all.ics", "part-1.ics"]


def test_bad_data_raises_every_problem_and_writes_nothing(data: Path, tmp_path: Path) -> None:
    data.write_text(data.read_text().replace('timezone = "Asia/Seoul"', 'timezone = "Seoul"'))
    with pytest.raises(DataError) as caught:
        build(_options(data, tmp_path / "dist"))
    assert "Did you mean 'Asia/Seoul'?" in str(caught.value)
    assert not (tmp_path / "dist").exists()


def test_another_series_in_the_folder_is_refused(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(_options(data, out))
    data.write_text(data.read_text().replace('id = "wego-awards-4"', 'id = "other"', 1))
    with pytest.raises(OutputError, match="pass --replace"):
        build(_options(data, out))
    assert build(_options(data, out, replace=True, new_uids=True)).publication is not None


def test_a_change_in_one_language_only_says_so(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(_options(data, out))
    data.write_text(data.read_text().replace('ko = "이동성"', 'ko = "모빌리티"', 1))
    found = diff(_options(data, out))
    assert {change.language for change in found.changes} == {"ko"}
    lines = diff_report(found)
    assert any(line.startswith("changed (ko only): ") for line in lines), lines
    assert not any(line.startswith("changed: ") for line in lines)


def test_a_one_shot_build_collects_nothing_while_it_loads_and_plans(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-shot build loads and plans with the garbage collector off (workers.
    collection_paused), writes with it on; a build that is not one-shot never turns it off."""
    import gc

    from wego_ical.load import series_file
    from wego_ical.output.write import write_output

    seen: dict[str, bool] = {}
    load = series_file.load_editions

    def loading(*args: Any, **kwargs: Any) -> Any:
        seen["load"] = gc.isenabled()
        return load(*args, **kwargs)

    def writing(*args: Any, **kwargs: Any) -> Any:
        seen["write"] = gc.isenabled()
        return write_output(*args, **kwargs)

    monkeypatch.setattr(series_file, "load_editions", loading)
    monkeypatch.setattr("wego_ical.pipeline.write_output", writing)
    try:
        for one_shot in (True, False):
            build(_options(data, tmp_path / str(one_shot), one_shot=one_shot))
            assert seen == {"load": not one_shot, "write": True}
    finally:
        gc.unfreeze()  # what a one-shot build made is frozen for good (collection_paused)
    assert gc.isenabled()


def test_only_a_first_build_gets_the_rendering_ready_ahead(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build with no previous state renders every event: it starts what renders them
    (event_texts.render_ahead) before it plans each language; a rebuild, diff, prepare
    and check do not."""
    from wego_ical.publication import event_texts

    calls: list[int] = []
    monkeypatch.setattr(event_texts, "render_ahead", lambda workers, events: calls.append(events))
    out = tmp_path / "dist"
    diff(_options(data, out))
    prepare(_options(data, out))
    check(data)
    assert calls == []
    build(_options(data, out))
    assert calls == [7, 7]  # the data's calendar entries, in each of its two languages
    data.write_text(data.read_text().replace("start = 09:30:00", "start = 09:35:00", 1))
    build(_options(data, out))
    assert calls == [7, 7]


def test_a_first_build_whose_workers_fork_from_a_server_leaves_none_running(
    data: Path, tmp_path: Path
) -> None:
    """The server started ahead of the rendering (event_texts.render_ahead) is the one
    the workers fork from, and it ends with them: same files as a build without workers."""
    from wego_ical.render import fork_server
    from wego_ical.render.workers import WorkerSettings

    fork_server._stop()  # whatever an earlier test left running
    started: list[int | None] = []
    start = fork_server.start_for_workers

    def starting(module: str) -> None:
        start(module)
        started.append(fork_server_pid())

    wide = WorkerSettings(
        processes=2, parallel_min_items=2, min_chunk=1, max_chunk=2, forkserver_min_items=5
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fork_server, "start_for_workers", starting)
        build(_options(data, tmp_path / "wide", workers=wide))
    # Started for the first language; the second's finds it running.
    assert len(started) == 2 and started[0] is not None and started[1] == started[0]
    assert fork_server_pid() is None
    build(_options(data, tmp_path / "alone", workers=WorkerSettings(processes=1)))
    for path in (tmp_path / "alone").rglob("*"):
        if path.is_file():
            assert (tmp_path / "wide" / path.relative_to(tmp_path / "alone")).read_bytes() == (
                path.read_bytes()
            ), path


def test_a_large_builds_event_files_and_feeds_are_written_apart_alike(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the texts wait in a temporary file (WorkerSettings.writes_apart), the event
    files and feeds of every language are written by one process of their own: the same
    files as a build in one process, first and after an edit (only what changed is
    written again)."""
    from wego_ical.render.workers import WorkerSettings

    given = files_written_apart(monkeypatch)
    wide = WorkerSettings(
        processes=2, parallel_min_items=2, min_chunk=1, forkserver_min_items=5, spill_min_items=5
    )
    alone = WorkerSettings(processes=1)
    results = {}
    for name, workers in (("wide", wide), ("alone", alone)):
        data.write_text(DATA.read_text(encoding="utf-8"), encoding="utf-8")
        # As the command builds: the files a rebuild keeps are not made again.
        build(_options(data, tmp_path / name, workers=workers, skip_unchanged=True))
        edited = data.read_text(encoding="utf-8").replace("YouTube channel", "channel", 1)
        data.write_text(edited, encoding="utf-8")
        later = BuildOptions(data, tmp_path / name, LATER, workers=workers, skip_unchanged=True)
        results[name] = build(later)
    first, again = given
    assert "all.ics" in first and "ko/all.ics" in first
    assert any(path.startswith("events/") for path in first)
    assert any(path.startswith("ko/events/") for path in first)
    assert set(again) < set(first)  # a rebuild: the files it keeps are not given
    actions = [{f.path: f.action for f in results[name].files} for name in ("wide", "alone")]
    assert actions[0] == actions[1]
    assert sorted(p for p, a in actions[0].items() if a == "written") != sorted(actions[0])
    for path in (tmp_path / "alone").rglob("*"):
        if path.is_file():
            twin = tmp_path / "wide" / path.relative_to(tmp_path / "alone")
            assert twin.read_bytes() == path.read_bytes(), path
