"""i18n.ui_text: the tool's own words in each language it speaks (catalogues/*.toml)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel import Locale

from conftest import BUILD_TIME, DATA
from wego_ical.i18n import ui_text
from wego_ical.model.tables import Labels
from wego_ical.pipeline import BuildOptions, build

PARTS = ("page", "changes")
ENGLISH = {part: ui_text._catalogues()["en"][part] for part in PARTS}
PLURAL_KEYS = {key.rsplit("_", 1)[0] for key in ENGLISH["page"] if key.endswith("_other")}
OTHERS = [code for code in ui_text.spoken() if code != "en"]


def _placeholders(text: str) -> list[str]:
    return sorted(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def test_the_tool_speaks_english_korean_german_and_japanese() -> None:
    assert ui_text.spoken() == ["de", "en", "ja", "ko"]
    assert ui_text.speaks("de-AT") and ui_text.speaks("ja_JP") and not ui_text.speaks("fr")


@pytest.mark.parametrize("language", OTHERS)
def test_a_catalogue_says_everything_english_says_with_the_same_placeholders(
    language: str,
) -> None:
    own = ui_text._catalogues()[language]
    forms = Locale.parse(language).plural_form.tags | {"other"}
    for part in PARTS:
        words = own[part]
        assert set(words) <= set(ENGLISH[part]), f"{language} {part}: keys English has not"
        for key, english in ENGLISH[part].items():
            stem, _, form = key.rpartition("_")
            if stem in PLURAL_KEYS and form in {"one", "other"}:
                continue  # the language's own plural forms, checked below
            assert key in words, f"{language} {part}.{key} is missing (it would show in English)"
            assert _placeholders(words[key]) == _placeholders(english), f"{language} {key}"
    for stem in PLURAL_KEYS:
        for form in forms:
            key = f"{stem}_{form}"
            assert key in own["page"], f"{language} has no {key} (CLDR form {form!r})"
            assert _placeholders(own["page"][key]) == ["count"]


@pytest.mark.parametrize("language", OTHERS)
def test_a_catalogues_labels_are_valid_labels(language: str) -> None:
    labels = ui_text.labels(language)
    assert set(labels) == set(Labels.model_fields) - {"of"} | ({"of"} & set(labels))
    Labels.model_validate(labels)


@pytest.mark.parametrize(
    ("language", "words", "english"),
    [
        ("de", ["Programm", "Abonnieren", "Zeitangaben: Koreanische Normalzeit (Seoul)."],
         ["Schedule", "Subscribe", "Times are in"]),
        ("ja", ["プログラム", "購読", "時刻はすべて韓国標準時(ソウル)です。"],
         ["Schedule", "Subscribe", "Times are in"]),
    ],
)  # fmt: skip
def test_a_page_in_german_or_japanese_has_no_english_words_of_the_tools(
    tmp_path: Path, language: str, words: list[str], english: list[str]
) -> None:
    """A German or Japanese edition of the WeGO data (its English texts given as that
    language's): the page's own words are that language's, and check has no note
    about English headings (issue 38, item 14)."""
    text = DATA.read_text(encoding="utf-8").replace(
        'languages = ["en", "ko"]', f'languages = ["{language}", "ko"]'
    )
    data = tmp_path / "events.toml"
    data.write_text(re.sub(r"\ben = ", f"{language} = ", text), encoding="utf-8")
    result = build(BuildOptions(data_path=data, out_dir=tmp_path / "out", now=BUILD_TIME))
    assert not [warning for warning in result.warnings if "in English" in warning]
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}"' in page
    # What is read (texts and attributes), not the schema.org data's fixed vocabulary.
    page = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    for word in words:
        assert word in page
    for word in english:
        assert word not in page
