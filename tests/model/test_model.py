"""model: entries of a series, their UIDs and local times."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from wego_ical.errors import DataError
from wego_ical.load.series_file import parse_series
from wego_ical.model import (
    Series,
    calendar_entries,
    entry_uid,
    load_zone,
    local_time_problem,
    url_problem,
)


def test_occurrences_are_chronological(wego: Series) -> None:
    entries = calendar_entries(wego)
    assert [entry.key for entry in entries][:3] == [
        "part-1.mobility",
        "part-1.open-and-inclusive-city",
        "part-1.safe-city",
    ]
    assert entries[0].start == datetime(2021, 8, 26, 9)


def test_a_series_entries_are_made_once_and_each_series_has_its_own(wego: Series) -> None:
    entries = calendar_entries(wego)
    assert calendar_entries(wego) is entries
    # Another series, even with the same fields, is asked about on its own.
    moved = wego.model_copy(
        update={"events": [wego.events[0].model_copy(update={"title": "Moved"}), *wego.events[1:]]}
    )
    assert calendar_entries(moved)[0].event.title == "Moved"
    assert calendar_entries(wego) is entries
    assert entries[0].event.title != "Moved"
    others = [wego.model_copy() for _ in range(20)]  # more series than are kept
    assert all(calendar_entries(other) == entries for other in others)
    assert [entry.key for entry in calendar_entries(wego)] == [entry.key for entry in entries]


def test_session_values_fall_back_to_the_event(wego: Series) -> None:
    entry = calendar_entries(wego)[0]
    assert entry.location == "Online"
    assert entry.status == "confirmed"
    assert entry.page_url is not None and entry.page_url.startswith("https://we-gov.org/")


def test_uid_from_ids_only(wego: Series) -> None:
    assert entry_uid(wego, calendar_entries(wego)[0]) == "wego-awards-4.part-1.mobility@we-gov.org"


def test_an_entry_made_apart_from_the_series_list_gets_its_own_uid(wego: Series) -> None:
    """The UIDs made once with the series' entries answer for those entries only: an
    entry made elsewhere with the same key (a copy with an own uid) gets its own."""
    entry = calendar_entries(wego)[0]
    assert entry.session is not None
    own = replace(entry, session=entry.session.model_copy(update={"uid": "own-guid-1"}))
    assert entry_uid(wego, own) == "own-guid-1"
    assert entry_uid(wego, entry) == "wego-awards-4.part-1.mobility@we-gov.org"
    # The same in a series asked about before any stage listed its entries.
    fresh = wego.model_copy()
    assert entry_uid(fresh, own) == "own-guid-1"
    assert entry_uid(fresh, calendar_entries(fresh)[0]) == entry_uid(wego, entry)


def test_load_zone() -> None:
    assert load_zone("Asia/Seoul") == ZoneInfo("Asia/Seoul")
    for bad in ("", "Mars/Olympus", "/etc/passwd", "../x", "Asia/../Asia/Seoul"):
        assert load_zone(bad) is None


def test_local_time_problems() -> None:
    zone = ZoneInfo("America/New_York")
    assert local_time_problem(datetime(2025, 3, 9, 2, 30), zone).startswith("does not exist")
    assert local_time_problem(datetime(2025, 11, 2, 1, 30), zone).startswith("happens twice")
    assert local_time_problem(datetime(2025, 3, 9, 3, 0), zone) == ""


# --------------------------------------------------------------------------- URLs and e-mail


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://x.org/\x00", r"it contains '\x00' at position 15; remove it"),
        ("https://x.org/\x07", r"it contains '\x07' at position 15; remove it"),
        ("https://x.org/\x1b[31m", r"it contains '\x1b' at position 15; remove it"),
        ("https://x.org/\x7f", r"it contains '\x7f' at position 15; remove it"),
        ("https://x.org/\x85", r"it contains '\x85' at position 15; remove it"),
        ("https://x.org/\u2028", r"it contains '\u2028' at position 15; remove it"),
        ("https://x.org/a b", "it contains ' ' at position 16; write it as %20"),
        ("https://x.org/<script>", "it contains '<' at position 15; remove it"),
        ("javascript:alert(1)", "it must start with https:// (or http://)"),
        ("ftp://example.org/", "it must start with https:// (or http://)"),
        ("https://", "it has no host name after the //"),
        ("https://x.org:port/", "it cannot be read as a URL (Port could not be cast"),
        ("https://[::1/", "it cannot be read as a URL (Invalid IPv6 URL)"),
    ],
)
def test_url_problems(url: str, problem: str) -> None:
    assert url_problem(url).startswith(problem)


@pytest.mark.parametrize(
    "url", ["https://we-gov.org/wego-awards/", "http://127.0.0.1:8000/", "https://[::1]:8/x?a=b#c"]
)
def test_good_urls(url: str) -> None:
    assert url_problem(url) == ""


@pytest.mark.parametrize("field", ["url", "conference"])
def test_control_characters_in_urls_are_rejected_with_the_place(wego_text: str, field: str) -> None:
    line = f'{field} = "https://x.org/\\u0000"\n'
    if field == "url":
        text = wego_text.replace(
            'url = "https://we-gov.org/general-assembly/wego-5th-general-assembly/"\n', line
        )
    else:
        text = wego_text.replace('id = "ceremony"\n', 'id = "ceremony"\n' + line, 1)
    with pytest.raises(DataError) as caught:
        parse_series(text)
    message = str(caught.value)
    assert f"events[2].{field} (id \"ceremony\"): 'https://x.org/\\x00' is not an http(s) URL" in (
        message
    )
    assert "\x00" not in message


@pytest.mark.parametrize(
    "email", ["events@example.org\\u0000", "ev\\u001bents@example.org", "a@b", "a b@example.org"]
)
def test_bad_organiser_email(wego_text: str, email: str) -> None:
    text = wego_text.replace("[series.organiser]\n", f'[series.organiser]\nemail = "{email}"\n', 1)
    with pytest.raises(DataError, match=r"series\.organiser\.email: '.*' is not an e-mail address"):
        parse_series(text)


def test_base_url_with_a_control_character(wego_text: str) -> None:
    text = wego_text.replace("[publish]\n", '[publish]\nbase_url = "https://x.org/\\u0085"\n', 1)
    with pytest.raises(DataError, match=r"publish\.base_url: 'https://x.org/\\x85' is not an"):
        parse_series(text)


def test_the_digest_data_of_a_model_is_the_same_in_every_process(wego: Series) -> None:
    """What page recipes and the exports' pieces digest is compared with what another
    build (another process, another hash seed) made of the same data."""
    script = (
        "import sys; from pathlib import Path; from wego_ical.load import load_series\n"
        "s = load_series(Path(sys.argv[1]))\n"
        "for m in (s.series, s.labels, *s.events, *s.categories, *s.people):\n"
        "    sys.stdout.write(m.digest_data().hex() + '\\n')\n"
    )
    mine = [m.digest_data().hex() for m in (wego.series, wego.labels, *wego.events,
            *wego.categories, *wego.people)]  # fmt: skip
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", script, str(DATA)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert run.stdout.split() == mine
    # Equal data, equal bytes; other data, other bytes.
    assert wego.events[0].model_copy().digest_data() == wego.events[0].digest_data()
    assert wego.events[0].digest_data() != wego.events[1].digest_data()


_CHANGING_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]


def _near_changes() -> list[datetime]:
    """Wall times around each change of these zones' clocks in 2024 (a gap, a fold, the
    minutes either side): where a random time almost never falls."""
    found = []
    for name in _CHANGING_ZONES:
        zone = ZoneInfo(name)
        for step in range(366 * 48):
            local = datetime(2024, 1, 1) + timedelta(minutes=30 * step)
            first, second = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
            if first.utcoffset() != second.utcoffset():
                found += [local + timedelta(minutes=m) for m in (-31, -1, 0, 1, 29, 59, 61)]
    return found


_NEAR_CHANGES = _near_changes()


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2037, 12, 31)),
        st.sampled_from(_NEAR_CHANGES),
    ),
    st.sampled_from(_CHANGING_ZONES),
    st.booleans(),
)
def test_a_local_time_problem_is_found_as_by_the_zone_s_offsets(
    local: datetime, zone_name: str, fold: bool
) -> None:
    """The same verdict as the two readings of the wall time (fold 0 and 1) give, for
    any time, in zones with gaps and folds of an hour and of half an hour."""
    zone = ZoneInfo(zone_name)
    local = local.replace(fold=int(fold))
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    problem = local_time_problem(local, zone)
    if first.utcoffset() == second.utcoffset():
        assert problem == ""
    elif first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        assert problem.startswith("does not exist")
    else:
        assert problem.startswith("happens twice")
