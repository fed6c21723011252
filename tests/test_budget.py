"""budget: the output a build would write, estimated before rendering; a file or a build
that would be absurd is refused with its biggest contributor named."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from wego_ical import budget
from wego_ical.budget import EntrySize, copy_bytes, over_budget
from wego_ical.cli import main

TOPIC = "t" * 476  # a hundred of these: 48,000 characters of topics, each under the limit


def series_text(sessions: int, languages: list[str]) -> str:
    """One category with 48,000 characters of topics, repeated in every session: the
    issue's 80 KB file that made 117 MB of output."""
    topics = ", ".join(f'"{TOPIC}"' for _ in range(100))
    lines = [
        '[series]\nid = "s"\ntitle = "S"\nurl = "https://example.org/"\n'
        f'timezone = "Asia/Seoul"\nuid_domain = "example.org"\nlanguages = {languages}\n'
        '[series.organiser]\nname = "O"\n'
        f'[[categories]]\nid = "c"\nname = "C"\ntopics = [{topics}]\n'
        '[[events]]\nid = "e"\ntitle = "E"\ndate = 2021-08-25\nend_date = 2021-12-31\n'
    ]
    for index in range(sessions):
        day = date(2021, 8, 25) + timedelta(days=index // 10)
        hour = 8 + index % 10
        lines.append(
            f'[[events.sessions]]\nid = "s{index}"\ncategory = "c"\ndate = {day}\n'
            f"start = {hour:02d}:00:00\nend = {hour:02d}:30:00\n"
        )
    return "\n".join(lines).replace("'", '"')


def run(tmp_path: Path, text: str, *command: str) -> tuple[int, str]:
    data = tmp_path / "events.toml"
    data.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, [*command, "--data", str(data)])
    return result.exit_code, result.output


def test_twenty_languages_of_a_repeated_text_are_refused_by_check_and_build(
    tmp_path: Path,
) -> None:
    languages = [
        "en",
        "ko",
        "ja",
        "zh",
        "fr",
        "de",
        "es",
        "it",
        "pt",
        "ru",
        "ar",
        "he",
        "nl",
        "sv",
        "pl",
        "tr",
        "vi",
        "th",
        "id",
        "hi",
    ]
    text = series_text(400, languages)
    assert len(text) < 100_000
    for command in (["check"], ["build", "--out", str(tmp_path / "dist")]):
        code, output = run(tmp_path, text, *command)
        assert code == 1
        assert "events: the build would write about 2,859 MB" in output
        assert "(20 languages of about 143 MB each); the limit is 2,000 MB" in output
        assert "The largest contributor is session 's0' of event 'e'" in output
        assert "about 51 KB written into 7 files" in output
        assert "Traceback" not in output
    assert not (tmp_path / "dist").exists()


def test_one_file_over_its_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budget, "MAX_OUTPUT_FILE_BYTES", 10_000_000)
    code, output = run(tmp_path, series_text(400, ["en", "ko"]), "check")
    assert code == 1
    assert "all.ics (ko) would be about 20 MB; the limit for one file is 10 MB" in output
    assert "The largest entry is session 's0' of event 'e' (51 KB)" in output


def test_the_estimate_is_close_to_what_a_build_writes(tmp_path: Path) -> None:
    """Within 25 % of the real output (the page is estimated like a feed)."""
    text = series_text(40, ["en"])
    sizes: list[EntrySize] = []

    def spy(found: list[EntrySize]) -> list[str]:
        sizes.extend(found)
        return []

    monkeypatch = pytest.MonkeyPatch()
    from wego_ical import load

    monkeypatch.setattr(load, "over_budget", spy)
    try:
        code, output = run(tmp_path, text, "build", "--out", str(tmp_path / "dist"))
    finally:
        monkeypatch.undo()
    assert code == 0, output
    written = sum(p.stat().st_size for p in (tmp_path / "dist").rglob("*") if p.is_file())
    estimated = sum(size.total for size in sizes)
    assert 0.75 * written < estimated < 1.25 * written
    all_ics = (tmp_path / "dist" / "all.ics").stat().st_size
    assert 0.9 * all_ics < sum(size.copy_bytes for size in sizes) < 1.1 * all_ics


def test_a_small_series_is_far_from_the_limits() -> None:
    sizes = [EntrySize(f"event '{i}'", None, 5, copy_bytes("x" * 2000)) for i in range(10_000)]
    assert over_budget(sizes) == []
