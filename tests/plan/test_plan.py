"""plan: which feeds a series produces, what each holds, and what each event shows."""

from __future__ import annotations

from datetime import datetime

from wego_ical.catalogue import event_file
from wego_ical.model import CalendarEntry, Series
from wego_ical.plan.feeds import build_snapshot, current_events, plan_feeds


def test_feeds_of_the_wego_series(wego: Series) -> None:
    plans = {plan.path: [entry.key for entry in plan.entries] for plan in plan_feeds(wego)}
    assert list(plans)[:4] == ["all.ics", "part-1.ics", "part-2.ics", "ceremony.ics"]
    assert len(plans["all.ics"]) == 7
    assert plans["categories/safe-city.ics"] == ["part-1.safe-city", "ceremony"]


def test_every_event_knows_its_feeds(wego: Series) -> None:
    current = {event.uid: event for event in current_events(wego, plan_feeds(wego))}
    assert current["wego-awards-4.part-1.mobility@we-gov.org"].feeds == (
        "all.ics",
        "part-1.ics",
        "categories/mobility.ics",
    )
    assert len(current["wego-awards-4.ceremony@we-gov.org"].feeds) == 2 + 6


def test_snapshot_of_a_session(wego: Series) -> None:
    entry = next(e for e in current_events(wego, plan_feeds(wego)) if "safe-city" in e.uid)
    snapshot = entry.snapshot
    assert snapshot.summary == "WeGO Awards Webinar Part 1 · Safe City"
    assert (snapshot.start, snapshot.end) == (
        datetime(2021, 8, 26, 10),
        datetime(2021, 8, 26, 10, 30),
    )
    assert snapshot.timezone == "Asia/Seoul"
    assert snapshot.status == "CONFIRMED"
    assert snapshot.organizer_address == "https://we-gov.org/wego-awards/4th-wego-awards/"


def test_cancelled_entry_says_so(wego: Series) -> None:
    ceremony = next(event for event in wego.events if event.all_categories)
    cancelled = CalendarEntry(ceremony.model_copy(update={"status": "cancelled"}), None, key="x")
    snapshot = build_snapshot(wego, cancelled)
    assert snapshot.summary == f"Cancelled: {ceremony.title}"
    assert snapshot.status == "CANCELLED"


def test_event_file_is_named_by_uid() -> None:
    assert event_file("s.part-1.x@example.org") == "events/s.part-1.x.ics"
