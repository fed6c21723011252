"""Languages: texts per language, validation, and an edition per further language."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from conftest import DATA, render_files
from parsers import READERS, assert_parsers_agree_with_data
from wego_ical.cli import main
from wego_ical.errors import DataError
from wego_ical.i18n.locales import og_locale
from wego_ical.i18n.ui_text import count
from wego_ical.load.series_file import load_editions, parse_editions

HEAD = """
[series]
id = "s"
title = { en = "Forum", ko = "포럼" }
url = "https://example.org/"
timezone = "Asia/Seoul"
uid_domain = "example.org"
languages = ["en", "ko"]
[series.organiser]
name = "O"
[[events]]
id = "e"
title = { en = "Opening", ko = "개막식" }
location = "Online"
date = 2026-05-01
start = 10:00:00
end = 11:00:00
"""


def problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(DataError) as caught:
        parse_editions(text)
    return [(p.key, p.message) for p in caught.value.problems]


def test_each_language_gets_its_texts_and_falls_back_to_the_default() -> None:
    english, korean = parse_editions(HEAD)
    assert (english.language, korean.language) == ("en", "ko")
    assert (english.series.series.title, korean.series.series.title) == ("Forum", "포럼")
    assert korean.series.events[0].title == "개막식"
    assert korean.series.events[0].location == "Online"  # one text for every language
    assert korean.series.labels.all_events == "전체 일정"  # the tool's own words in Korean
    assert english.series.labels.all_events == "All events"


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        (
            'languages = ["en", "ko"]',
            'languages = ["en", "kr"]',
            "series.languages[1]",
            "unknown language code 'kr'; did you mean 'ko'?",
        ),
        (
            'languages = ["en", "ko"]',
            'languages = ["en", "ko", "en"]',
            "series.languages",
            "'en' listed more than once",
        ),
        (
            'title = { en = "Opening", ko = "개막식" }',
            'title = { en = "Opening", fr = "Ouverture" }',
            'events[0].title.fr (id "e")',
            "a translation into 'fr', but the series declares 'en', 'ko'; add 'fr' to languages",
        ),
        (
            'title = { en = "Opening", ko = "개막식" }',
            'title = { ko = "개막식" }',
            'events[0].title (id "e")',
            "no text in the default language 'en' (the first of languages); add it",
        ),
        (
            'languages = ["en", "ko"]\n',
            "",
            "series.title",
            "a text per language needs the languages declared under [series]",
        ),
        (
            'title = { en = "Opening", ko = "개막식" }',
            'title = { en = "Opening", ko = "개막\\n식" }',
            'events[0].title (id "e")',
            "contains a line break or control character; keep this text on one line",
        ),
    ],
)
def test_language_problems(old: str, new: str, key: str, message: str) -> None:
    found = problems(HEAD.replace(old, new, 1))
    assert any(k == key and m.startswith(message) for k, m in found), found


def test_the_korean_wego_feeds_read_the_same_in_three_parsers() -> None:
    _, korean = load_editions(DATA)
    assert_parsers_agree_with_data(korean.series, language="ko")


def test_the_korean_edition_marks_its_texts_and_keeps_the_uids() -> None:
    english, korean = load_editions(DATA)
    ko = render_files(korean.series, language="ko")
    en = render_files(english.series)
    assert set(ko) == set(en)
    for name, read in READERS.items():
        assert set(read(ko["all.ics"])) == set(read(en["all.ics"])), name
    (event, *_) = icalendar.Calendar.from_ical(ko["part-1.ics"]).events
    assert event["SUMMARY"].params["LANGUAGE"] == "ko"
    assert event["DESCRIPTION"].params["LANGUAGE"] == "ko"
    assert str(event["SUMMARY"]) == "WeGO 어워즈 웨비나 1부 · 이동성"
    assert "분야: 이동성" in str(event["DESCRIPTION"])
    assert "수상 프로젝트:" in str(event["DESCRIPTION"])
    assert "(금상)" in str(event["DESCRIPTION"])
    assert b"LANGUAGE" not in en["part-1.ics"]


def test_the_build_writes_a_korean_site(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", "--data", str(DATA), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "ko" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in page
    assert "2021년 8월 26일 목요일" in page
    assert "모든 일정이 끝났습니다" in page  # built after the series: the hero says so
    assert '<a href="../index.html" hreflang="en" lang="en">English</a>' in page
    english = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="ko/index.html" hreflang="ko" lang="ko">한국어</a>' in english
    assert (out / "ko" / "feeds.json").is_file()
    lint = CliRunner().invoke(main, ["lint", *(str(p) for p in (out / "ko").rglob("*.ics"))])
    assert lint.exit_code == 0, lint.output


def test_dropping_a_language_removes_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    data = tmp_path / "events.toml"
    data.write_text(HEAD, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--data", str(data), "--out", str(out)]).exit_code == 0
    assert (out / "ko" / "all.ics").is_file()
    data.write_text(HEAD.replace('languages = ["en", "ko"]', 'languages = ["en"]'), "utf-8")
    data.write_text(
        data.read_text("utf-8").replace(', ko = "포럼"', "").replace(', ko = "개막식"', ""),
        "utf-8",
    )
    result = runner.invoke(main, ["build", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / "ko").exists()


def test_replace_on_the_same_series_changes_nothing_in_any_language(tmp_path: Path) -> None:
    """--replace starts a folder over only when it holds another series."""
    out = tmp_path / "dist"
    runner = CliRunner()
    args = ["build", "--data", str(DATA), "--out", str(out), "--now", "2030-01-01T00:00:00Z"]
    assert runner.invoke(main, args).exit_code == 0
    result = runner.invoke(main, [*args, "--replace"])
    assert result.exit_code == 0, result.output
    assert "added: " not in result.output


def test_replace_removes_the_old_series_files_in_every_language(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--data", str(DATA), "--out", str(out)]).exit_code == 0
    assert (out / "ko" / "part-1.ics").is_file()
    other = tmp_path / "forum.toml"
    other.write_text(HEAD, encoding="utf-8")
    result = runner.invoke(main, ["build", "--data", str(other), "--out", str(out), "--replace"])
    assert result.exit_code == 0, result.output
    assert not (out / "ko" / "part-1.ics").exists()
    assert (out / "ko" / "e.ics").is_file()
    assert "cancelled" not in result.output.lower()


def test_counts_take_the_cldr_plural_form_of_the_language() -> None:
    words = {"x_one": "{count} one", "x_few": "{count} few", "x_other": "{count} other"}
    assert count(words, "x", 1, "en") == "1 one"
    assert count(words, "x", 3, "ru") == "3 few"  # Russian: 3 is "few"
    assert count(words, "x", 21, "ru") == "21 one"  # … and 21 is "one"
    assert count(words, "x", 1, "ko") == "1 other"  # Korean has no singular
    assert count(words, "x", 1, "xx-unknown") == "1 one"  # English rules otherwise
    assert count({"x_other": "{count}"}, "x", 1, "en") == "1"


def test_link_previews_name_language_and_territory() -> None:
    """og:locale was "en" and "ko"; Open Graph wants language_TERRITORY (issue 38 item 12)."""
    assert [og_locale(code) for code in (None, "en", "en-US", "ko", "de", "pt-BR")] == [
        "en_GB", "en_GB", "en_US", "ko_KR", "de_DE", "pt_BR"
    ]  # fmt: skip


def test_a_language_without_the_tools_own_words_is_a_note(tmp_path: Path) -> None:
    """A French edition shows English headings and page words (issue 38, item 14): check
    says so, and --strict refuses it."""
    text = HEAD.replace('languages = ["en", "ko"]', 'languages = ["fr", "en"]').replace(
        'ko = "', 'fr = "'
    )
    editions = parse_editions(text)
    (note,) = editions[0].notes
    assert note == (
        "the page's own words and the descriptions' headings are in English in the 'fr' "
        "edition: wego-ical has its own words in de, en, ja, ko only; give [labels] in that "
        'language (category = { en = "Category", fr = "…" }) for the headings'
    )
    assert parse_editions(HEAD)[0].notes == ()
    data = tmp_path / "events.toml"
    data.write_text(text, encoding="utf-8")
    strict = CliRunner().invoke(main, ["check", "--data", str(data), "--strict"])
    assert strict.exit_code == 1
    assert "in the 'fr' edition" in strict.output and "(an error with --strict)" in strict.output


def test_a_person_is_written_in_the_languages_order() -> None:
    """Korean writes the organisation before the role, in brackets: "이름 (기관 대표)", not
    "이름 — 대표, 기관" (issue 38, item 10); the feeds and the page say the same."""
    from wego_ical.model.descriptions import person_parts

    english, korean = (edition.series.labels for edition in parse_editions(HEAD))

    def line(labels: object, role: str | None, organisation: str | None) -> str:
        return "".join(text for text, _ in person_parts(labels, "Kim", role, organisation))  # type: ignore[arg-type]

    assert line(english, "Director", "Seoul") == "Kim — Director, Seoul"
    assert line(korean, "대표", "서울시") == "Kim (서울시 대표)"
    assert line(korean, "대표", None) == "Kim (대표)"
    assert line(korean, None, "서울시") == "Kim (서울시)"
    assert line(korean, None, None) == "Kim"
    # Which pieces are the person's own (the page marks their language), which the
    # labels' punctuation.
    assert person_parts(korean, "Kim", "대표", "서울시") == [
        ("Kim", True), (" (", False), ("서울시", True), (" ", False), ("대표", True), (")", False)
    ]  # fmt: skip


def test_the_korean_feeds_write_judges_as_korean_does() -> None:
    english_edition, korean_edition = load_editions(DATA)
    files = render_files(korean_edition.series, language="ko")
    korean = icalendar.Calendar.from_ical(files["part-1.ics"])
    (session, *_) = korean.walk("VEVENT")
    assert "심사위원:\n- Javier Vergara-Petrescu (Ciudad Emergente 대표)" in str(
        session["DESCRIPTION"]
    )
    english = icalendar.Calendar.from_ical(render_files(english_edition.series)["part-1.ics"])
    assert "- Javier Vergara-Petrescu — Executive Director, Ciudad Emergente" in str(
        english.walk("VEVENT")[0]["DESCRIPTION"]
    )


@pytest.mark.parametrize(
    ("label", "value", "message"),
    [
        ("person", "{name}", "must name {name} and {details} once each, and nothing else"),
        ("role_at", "{role} at {org}", "must name {role} and {organisation} once each"),
        ("person", "{name} {details", "is not a text with {placeholders}"),
    ],
)
def test_a_person_format_must_name_its_parts(label: str, value: str, message: str) -> None:
    text = HEAD.replace("[[events]]", f"[labels]\n{label} = {value!r}\n[[events]]", 1)
    ((key, said),) = problems(text)
    assert key == f"labels.{label}"
    assert message in said
