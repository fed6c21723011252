"""state: reconcile as plain data in, records and changes out; feeds.json read and checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import BUILD_TIME
from wego_ical.catalogue import STATE_FILE
from wego_ical.errors import StateError
from wego_ical.model import Series
from wego_ical.plan.reconcile import CurrentEvent, Pruning, reconcile
from wego_ical.plan.records import STATE_ADAPTER, EventRecord, Snapshot, State
from wego_ical.plan.state_file import parse_state, read_state

FIRST = datetime(2030, 1, 1, tzinfo=UTC)
LATER = datetime(2030, 2, 1, tzinfo=UTC)


def snapshot(summary: str = "Talk", **changes: object) -> Snapshot:
    base = Snapshot(
        summary=summary,
        start=datetime(2031, 5, 1, 9),
        end=datetime(2031, 5, 1, 10),
        timezone="Europe/London",
        description="About it",
        organizer_name="Org",
        organizer_address="mailto:org@example.org",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def event(uid: str, feeds: tuple[str, ...] = ("all.ics",), **changes: object) -> CurrentEvent:
    return CurrentEvent(uid, snapshot(uid, **changes), feeds)


def published(*events: CurrentEvent) -> State:
    records, _ = reconcile(None, events, now=FIRST, first_seen=None, cancelled_label="Cancelled")
    return State(series="s", events=records)


def run(
    previous: State | None, *events: CurrentEvent, prune: bool = False
) -> tuple[dict[str, EventRecord], list[tuple[str, str, tuple[str, ...]]]]:
    records, changes = reconcile(
        previous,
        events,
        now=LATER,
        first_seen=None,
        cancelled_label="Cancelled",
        pruning=Pruning() if prune else None,
    )
    return {r.uid: r for r in records}, [(c.kind, c.uid, c.fields) for c in changes]


def test_new_events_start_at_sequence_0_stamped_first_seen() -> None:
    records, changes = run(None, event("a"), event("b"))
    assert [(r.sequence, r.updated) for r in records.values()] == [(0, LATER), (0, LATER)]
    assert changes == [("added", "a", ()), ("added", "b", ())]


def test_unchanged_event_keeps_sequence_and_timestamp() -> None:
    records, changes = run(published(event("a")), event("a"))
    assert (records["a"].sequence, records["a"].updated) == (0, FIRST)
    assert changes == []


def test_changed_event_gets_sequence_plus_1_and_the_fields() -> None:
    records, changes = run(published(event("a")), event("a", location="Room 2"))
    assert (records["a"].sequence, records["a"].updated) == (1, LATER)
    assert changes == [("changed", "a", ("location",))]


def test_cancelled_event() -> None:
    records, changes = run(published(event("a")), event("a", status="CANCELLED"))
    assert records["a"].sequence == 1
    assert changes == [("cancelled", "a", ("status",))]


def test_removed_event_stays_cancelled_then_is_pruned() -> None:
    before = published(event("a"), event("b"))
    records, changes = run(before, event("a"))
    assert records["b"].removed and records["b"].snapshot.status == "CANCELLED"
    assert records["b"].snapshot.summary == "Cancelled: b"
    assert records["b"].sequence == 1
    assert changes == [("removed", "b", ())]
    records, changes = run(before, event("a"), prune=True)
    assert "b" not in records
    assert changes == [("pruned", "b", ())]


def test_event_that_leaves_a_feed_is_kept_there_as_cancelled() -> None:
    before = published(event("a", ("all.ics", "x.ics")))
    records, changes = run(before, event("a", ("all.ics",)))
    (tombstone,) = records["a"].cancelled_in
    assert (tombstone.feed, tombstone.sequence, tombstone.snapshot.status) == (
        "x.ics",
        1,
        "CANCELLED",
    )
    # The event itself is unchanged where it stays; the feed it left gets the cancelled copy.
    assert (records["a"].sequence, changes) == (0, [])


def test_restored_event() -> None:
    removed = State(series="s", events=list(run(published(event("a")))[0].values()))
    records, changes = run(removed, event("a"))
    assert records["a"].sequence == 2
    assert changes[0][0] == "restored"


def test_read_state_none_when_absent(tmp_path: Path) -> None:
    assert read_state(tmp_path) is None


def test_state_round_trip(tmp_path: Path) -> None:
    state = published(event("a"))
    (tmp_path / STATE_FILE).write_bytes(state.to_json())
    assert read_state(tmp_path) == state


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "feeds.json: is not valid JSON"),
        (b"[]", "feeds.json: is not a publication state"),
        (b'{"series": "s", "events": [{"uid": 3}]}', "the publication state is damaged (events.0"),
        (b"[" * 100_000, "feeds.json: is not valid JSON"),
    ],
)
def test_damaged_state_is_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / STATE_FILE).write_bytes(content)
    with pytest.raises(StateError, match="restore it from version control") as raised:
        read_state(tmp_path)
    assert message in str(raised.value)


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_a_state_nested_absurdly_deep_is_refused_with_a_message(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    with pytest.raises(StateError, match=r"feeds.json: is not valid JSON \(recursion limit"):
        parse_state(opener * 100_000 + closer * 100_000, "feeds.json")


@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
def test_feeds_json_in_pieces_is_the_whole_dump(wego: Series, batch: int) -> None:
    from wego_ical.publication.assemble import make_publication

    state = make_publication(wego, None, BUILD_TIME).state
    whole = STATE_ADAPTER.dump_json(state, indent=2, exclude_none=True) + b"\n"
    assert b"".join(state.json_chunks(batch)) == whole
    empty = replace(state, events=[])
    assert (
        b"".join(empty.json_chunks(batch))
        == STATE_ADAPTER.dump_json(empty, indent=2, exclude_none=True) + b"\n"
    )
    # The digests and the generated files, also in runs (25 times the events' batch).
    hostile = ['a"b\\c', "\u2028\u0000\t", "서울 ☕ 🎉", "</script>", ""]
    rendered = {
        f"{record.uid}{index}{text}": f"{index:064x}"
        for index, (record, text) in enumerate(zip(state.events * 20, hostile * 28, strict=False))
    }
    generated = [f"events/{text}{index}.ics" for index, text in enumerate(hostile * 23)]
    for full in (
        replace(state, rendered=rendered, generated=generated),
        replace(state, events=[], rendered=rendered),
        replace(state, generated=[], rendered={}),
    ):
        expected = STATE_ADAPTER.dump_json(full, indent=2, exclude_none=True) + b"\n"
        assert b"".join(full.json_chunks(batch)) == expected
