"""pipeline: the library entry points of build, diff and check, called as a program
would (sqlite-utils style), without the CLI."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA
from wego_ical.errors import DataError, OutputError
from wego_ical.pipeline import BuildOptions, build, check, diff, prepare
from wego_ical.report import diff_report

NOW = datetime(2030, 6, 1, tzinfo=UTC)


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
