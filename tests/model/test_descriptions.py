"""text: the plain-text pieces shared by feeds and page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from wego_ical.i18n.dates import iso_utc
from wego_ical.model import Series, calendar_entries
from wego_ical.model.descriptions import (
    describe,
    entry_categories,
    event_summary,
    panelists_label,
    person_line,
    project_line,
    session_title,
    winners,
)


def test_titles_and_summary(wego: Series) -> None:
    entry = calendar_entries(wego)[0]
    assert session_title(wego, entry) == "Mobility"
    assert event_summary(wego, entry) == "WeGO Awards Webinar Part 1 · Mobility"
    assert entry_categories(wego, entry) == ["4th WeGO Awards", "Mobility"]


def test_project_and_person_lines(wego: Series) -> None:
    assert project_line(wego, wego.projects[0].id) == "George Town — Green Connectivity (Gold)"
    entry = calendar_entries(wego)[0]
    assert [person_line(wego, ref) for ref in entry.panelists] == [
        "Javier Vergara-Petrescu — Executive Director, Ciudad Emergente"
    ]


def test_panelists_label_singular_and_plural(wego: Series) -> None:
    assert panelists_label(wego, 1) == "Judge panelist"
    assert panelists_label(wego, 2) == "Judge panelists"


def test_winners_by_category(wego: Series) -> None:
    listed = winners(wego)
    assert [name for name, _ in listed][:2] == ["Mobility", "Open and Inclusive City"]
    assert listed[0][1][0] == "George Town — Green Connectivity (Gold)"


def test_ceremony_description_lists_winners_and_jury(wego: Series) -> None:
    ceremony = next(e for e in calendar_entries(wego) if e.session is None)
    text = describe(wego, ceremony)
    assert "Winners:\nMobility\n- George Town — Green Connectivity (Gold)" in text
    assert "\n\nJury:\n- " in text


def test_iso_utc() -> None:
    seoul = timezone(timedelta(hours=9))
    assert iso_utc(datetime(2021, 8, 26, 9, tzinfo=seoul)) == "2021-08-26T00:00:00Z"
    assert iso_utc(datetime(2021, 8, 26, tzinfo=UTC)) == "2021-08-26T00:00:00Z"
