"""page.layout_process: a large series' event pages laid out by a process of their own,
given each page's views pickled; the same pages as laid out in the build process."""

from __future__ import annotations

import gc
import os
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from test_page_views import _big_series
from test_recipes import TWO_LANGUAGES

from conftest import fork_server_pid, has_ended, wait_for
from wego_ical.errors import WorkerError
from wego_ical.limits import PAGE_SESSIONS
from wego_ical.page import landing, layout_process
from wego_ical.page import layout as layout_module
from wego_ical.page.layout_process import PageLayout
from wego_ical.pipeline import BuildOptions, BuildResult, build
from wego_ical.render import fork_server
from wego_ical.render.workers import WorkerSettings

FIRST = datetime(2024, 1, 15, 12, tzinfo=UTC)
LATER = datetime(2024, 1, 16, 12, tzinfo=UTC)
# Thresholds that make a small series as large as one of 20,000 events and more.
WIDE = WorkerSettings(
    processes=2, parallel_min_items=2, min_chunk=1, forkserver_min_items=5, spill_min_items=5
)
ALONE = WorkerSettings(processes=1)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Six events of 20 sessions each (six event pages), in English and Korean."""
    path = tmp_path / "events.toml"
    text = _big_series(PAGE_SESSIONS + 20).replace(*TWO_LANGUAGES, 1)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def laid_out(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """Each page given to a layout process: the process's id, and the page's language and
    event."""
    given: list[tuple[int, str]] = []
    real = PageLayout.submit

    def recording(self: PageLayout, template: str, context: dict[str, Any]) -> None:
        given.append((self._process.pid, f"{context['lang']} {context['event'].anchor}"))
        real(self, template, context)

    monkeypatch.setattr(PageLayout, "submit", recording)
    return given


def _build(data: Path, out: Path, workers: WorkerSettings, now: datetime = FIRST) -> BuildResult:
    return build(BuildOptions(data, out, now, workers=workers, skip_unchanged=True))


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_the_pages_laid_out_apart_are_the_pages_laid_out_here(
    data: Path, tmp_path: Path, laid_out: list[tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """First and after an edit: the same files and actions, and the same pages made; the
    process is given each page made (every one first, then those the edit changed),
    and ends."""
    made: list[str] = []
    real = landing._event_page_layout

    def recording(*args: Any) -> tuple[str, dict[str, Any]]:
        template, context = real(*args)
        made.append(f"{context['lang']} {context['event'].anchor}")
        return template, context

    monkeypatch.setattr(landing, "_event_page_layout", recording)
    results, pages = {}, {}
    for name, workers in (("wide", WIDE), ("alone", ALONE)):
        data.write_text(data.read_text().replace('title = "Talk three"', 'title = "Talk 3"', 1))
        _build(data, tmp_path / name, workers)
        data.write_text(data.read_text().replace('title = "Talk 3"', 'title = "Talk three"', 1))
        results[name] = _build(data, tmp_path / name, workers, LATER)
        pages[name], made[:] = list(made), []
    first = [f"{language} day-{n}" for language in ("en", "ko") for n in range(6)]
    # English: the edited event's page; Korean: every page (the edited title is one that
    # fell back to English, which every page's recipe holds).
    again = ["en day-0", *(f"ko day-{n}" for n in range(6))]
    assert pages["wide"] == pages["alone"] == [*first, *again]
    assert [page for _, page in laid_out] == pages["wide"]
    assert all(has_ended(pid) for pid, _ in laid_out)
    assert _files(tmp_path / "wide") == _files(tmp_path / "alone")
    actions = [{f.path: f.action for f in results[name].files} for name in ("wide", "alone")]
    assert actions[0] == actions[1]


def test_where_no_process_can_be_started_the_pages_are_laid_out_here(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(self: PageLayout) -> None:
        raise OSError("no process to spare")

    _build(data, tmp_path / "alone", ALONE)
    monkeypatch.setattr(PageLayout, "__init__", refused)
    _build(data, tmp_path / "wide", WIDE)
    assert _files(tmp_path / "wide") == _files(tmp_path / "alone")


def test_a_layout_process_that_dies_ends_the_build_leaving_the_folder_as_it_was(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    _build(data, out, ALONE)
    before = _files(out)
    data.write_text(data.read_text().replace('title = "Day', 'title = "Day number'))
    killed: list[int] = []
    real = PageLayout.submit

    def killing(self: PageLayout, template: str, context: dict[str, Any]) -> None:
        if not killed:
            killed.append(self._process.pid)
            os.kill(self._process.pid, signal.SIGKILL)
        real(self, template, context)

    monkeypatch.setattr(PageLayout, "submit", killing)
    with pytest.raises(WorkerError) as raised:
        _build(data, out, WIDE, LATER)
    assert str(raised.value) == (
        "the process laying out the pages stopped unexpectedly (out of memory, or killed), "
        "so nothing was written; run the build again"
    )
    assert _files(out) == before and has_ended(killed[0])
    # The build's rendering, dropped, lets go of its workers and of their server.
    del raised
    gc.collect()
    assert fork_server._users == 0
    wait_for(lambda: fork_server_pid() is None)


def test_a_page_the_process_cannot_lay_out_ends_the_build_with_why(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, laid_out: list[tuple[int, str]]
) -> None:
    real = landing._event_page_layout

    def unknown_template(*args: Any) -> tuple[str, dict[str, Any]]:
        _, context = real(*args)
        return "missing.html.j2", context

    monkeypatch.setattr(landing, "_event_page_layout", unknown_template)
    with pytest.raises(WorkerError, match=r"^the pages could not be laid out: TemplateNotFound\("):
        _build(data, tmp_path / "dist", WIDE)
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())
    # Killed as the message came (SIGKILL takes effect within moments).
    wait_for(lambda: laid_out and all(has_ended(pid) for pid, _ in laid_out))


def test_what_every_page_shares_is_given_to_the_process_once_per_language(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[bool] = []
    real = layout_process._ASKED.pack

    class Counting:
        size = layout_process._ASKED.size

        @staticmethod
        def pack(shared: bool, length: int) -> bytes:
            sent.append(shared)
            return real(shared, length)

    monkeypatch.setattr(layout_process, "_ASKED", Counting)
    _build(data, tmp_path / "dist", WIDE)
    # One process per language: the shared values, then its six pages.
    assert sent == [True, *[False] * 6, True, *[False] * 6]


def test_one_process_lays_out_pages_of_editions_in_any_order(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What every page of an edition shares is given again whenever it changes: pages of
    two languages, alternating, come back as laid out here."""
    layouts: list[tuple[str, dict[str, Any]]] = []
    real = landing._event_page_layout

    def keeping(*args: Any) -> tuple[str, dict[str, Any]]:
        layouts.append(real(*args))
        return layouts[-1]

    monkeypatch.setattr(landing, "_event_page_layout", keeping)
    _build(data, tmp_path / "dist", ALONE)
    english, korean = layouts[:6], layouts[6:]
    assert {c["lang"] for _, c in english} == {"en"} and {c["lang"] for _, c in korean} == {"ko"}
    alternating = [page for pair in zip(english, korean, strict=True) for page in pair]
    with PageLayout() as layout:
        for template, context in alternating:
            layout.submit(template, context)
        for template, context in alternating:
            assert layout.take() == b"".join(layout_module.generate_page(template, context))
