"""The direct VEVENT writer (render.vevent_text) against icalendar's object model
(render.calendar.build_vevents), the reference: the same bytes for every field, hostile
texts (escapes, line breaks, long UTF-8 runs folded mid-character, control characters
the loader refuses aside), whole days, zones with odd offsets, cancellations, reminders,
languages; and no bytes at all (the object model's turn) where it does not write."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DIST
from test_fuzz import FUZZ
from wego_ical.plan.records import EventRecord, Snapshot
from wego_ical.plan.state_file import read_state
from wego_ical.render.calendar import build_vevents
from wego_ical.render.vevent_text import fold, vevent_text

ZONES = ["UTC", "Asia/Seoul", "America/St_Johns", "Pacific/Chatham", "Europe/Berlin"]
# Texts as the loader lets them through (no control characters but line breaks in
# descriptions), with what iCalendar escapes and what folding must not split.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(",;:\\\"'\n 한é€𝄞"),
    max_size=300,
)
LINE = TEXT.map(lambda text: text.replace("\n", " "))
# A line with something in it (not filtered: a filter can fail the health check).
FILLED = st.builds(lambda first, rest: first + rest, st.sampled_from("a한,\\"), LINE)
# What folding meets: escapes, multi-byte characters, any character but a line break.
FOLDED = st.text(
    st.sampled_from("a\\^é한𝄞 ,;") | st.characters(blacklist_categories=("Cs", "Cc")),
    max_size=400,
)


def reference(record: EventRecord) -> bytes:
    return b"".join(vevent.to_ical() for vevent in build_vevents(record))


@st.composite
def records(draw: st.DrawFn) -> EventRecord:
    zone = draw(st.sampled_from(ZONES))
    start = draw(st.datetimes(datetime(1990, 1, 1), datetime(2150, 12, 31)))
    all_day = draw(st.booleans())
    if all_day:
        start = start.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + timedelta(days=draw(st.integers(1, 5)))
    else:
        start = start.replace(microsecond=0)
        end = start + timedelta(minutes=draw(st.integers(1, 24 * 60)))
    snapshot = Snapshot(
        summary=draw(FILLED),
        start=start,
        end=end,
        timezone=zone,
        description=draw(TEXT),
        location=draw(st.none() | LINE),
        url=draw(st.none() | st.sampled_from(["https://example.org/a?b=1&c=2;d", "http://x"])),
        categories=draw(st.lists(FILLED, max_size=3)),
        status=draw(st.sampled_from(["CONFIRMED", "TENTATIVE", "CANCELLED"])),
        organizer_name=draw(FILLED),
        organizer_address=draw(st.sampled_from(["https://example.org/", "mailto:a@b.org"])),
        reminder_minutes=draw(st.none() | st.integers(0, 10_000)),
        all_day=all_day or None,
        language=draw(st.none() | st.sampled_from(["en", "ko", "de-CH"])),
    )
    updated = draw(st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)))
    return EventRecord(
        uid=draw(st.from_regex(r"[a-z0-9.\-]{1,80}@[a-z]{1,20}\.org", fullmatch=True)),
        sequence=draw(st.integers(0, 10_000)),
        updated=updated.replace(microsecond=0),
        fingerprint="sha256:x",
        feeds=["all.ics"],
        snapshot=snapshot,
    )


@settings(FUZZ, max_examples=int(os.environ.get("WEGO_ICAL_VEVENT_EXAMPLES", "400")))
@given(record=records())
def test_the_direct_writer_gives_the_object_models_bytes(record: EventRecord) -> None:
    written = vevent_text(record)
    snapshot = record.snapshot
    texts = [snapshot.summary, snapshot.description, snapshot.location or "", *snapshot.categories]
    if any("\\N" in text for text in texts):  # the object model's ExactText
        assert written is None
    else:
        assert written == reference(record)


def test_every_event_of_the_wego_series_is_written_alike() -> None:
    state = read_state(DIST)
    assert state is not None
    for record in state.events:
        assert vevent_text(record) == reference(record)


def test_what_it_does_not_write_is_left_to_the_object_model() -> None:
    state = read_state(DIST)
    assert state is not None
    record = state.events[0]
    snapshot = record.snapshot
    for changed in (
        replace(snapshot, repeat="FREQ=WEEKLY;COUNT=3"),
        replace(snapshot, conference="https://meet.example.org/x"),
        replace(snapshot, description="a \\N that is not a line break"),
    ):
        assert vevent_text(replace(record, snapshot=changed)) is None


def test_a_time_in_another_zone_keeps_its_tzid() -> None:
    state = read_state(DIST)
    assert state is not None
    record = state.events[0]
    start = datetime(2027, 3, 28, 1, 30)  # Berlin's clocks go forward at 02:00
    snapshot = replace(
        record.snapshot, start=start, end=start + timedelta(hours=2), timezone="Europe/Berlin"
    )
    text = vevent_text(replace(record, snapshot=snapshot))
    assert text is not None and b"DTSTART;TZID=Europe/Berlin:20270328T013000" in text
    assert text == reference(replace(record, snapshot=snapshot))
    assert snapshot.aware_start.tzinfo == ZoneInfo("Europe/Berlin")


@settings(FUZZ, max_examples=int(os.environ.get("WEGO_ICAL_VEVENT_EXAMPLES", "400")))
@given(line=FOLDED)
def test_folding_is_icalendars(line: str) -> None:
    """render.vevent_text.fold against icalendar's own folding, the reference: escapes
    (\\, ^) never end a piece, multi-byte characters are never split."""
    from icalendar.parser.string import _foldline

    assert fold(line) == _foldline(line).encode("utf-8")


def test_lines_shared_between_events_are_never_mixed_up() -> None:
    """The lines many events share are made once (render.vevent_text._shared); times of
    one instant in two zones, or of one wall time in two zones, are not the same line."""
    state = read_state(DIST)
    assert state is not None
    record = state.events[0]
    berlin = datetime(2027, 6, 1, 9, 0)
    cases = [
        ("Europe/Berlin", berlin),
        ("UTC", berlin - timedelta(hours=2)),  # the same instant
        ("Asia/Seoul", berlin),  # the same wall time
        ("UTC", berlin),
        ("Europe/Berlin", berlin - timedelta(hours=2)),
    ]
    written = []
    for zone, start in cases * 2:
        snapshot = replace(
            record.snapshot, start=start, end=start + timedelta(hours=1), timezone=zone
        )
        changed = replace(record, snapshot=snapshot)
        text = vevent_text(changed)
        assert text == reference(changed)
        written.append(text)
    assert len(set(written)) == len(cases)
    assert b"DTSTART:20270601T070000Z" in written[1]
    assert b"DTSTART;TZID=Asia/Seoul:20270601T090000" in written[2]
