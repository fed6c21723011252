"""The history of published changes: what ``changes.atom`` tells attendees and the press.

Subscribed calendars refresh late (Google every 12–24 hours), so each build's
changes are also kept, newest first, in the publication state. Pure: the
previous history, this build's changes and its time go in.
"""

from __future__ import annotations

from datetime import datetime

from wego_ical.limits import MAX_HISTORY
from wego_ical.plan.reconcile import Change
from wego_ical.plan.records import EventRecord, HistoryEntry, State


def updated_history(
    previous: State | None,
    changes: list[Change],
    records: list[EventRecord],
    now: datetime,
    first_published: datetime | None,
) -> list[HistoryEntry]:
    """The history after this build: its changes first (one entry each), then the
    previous ones. A first publication is one "published" entry, not one per event;
    a state written before histories were kept starts with one too."""
    before = list(previous.history or []) if previous else []
    if previous is None or previous.history is None:
        live = [r for r in (previous.events if previous else records) if not r.removed]
        moments = [r.updated for r in live]
        at = max(moments) if previous is not None and moments else (first_published or now)
        seed = HistoryEntry(kind="published", uid="", at=at, summary="", count=len(live))
        if previous is None:
            return [seed]
        before = [seed]
    entries = [
        HistoryEntry(
            kind=change.kind,
            uid=change.uid,
            at=now,
            summary=change.summary,
            fields=list(change.fields),
            before=change.before,
            after=change.after,
        )
        for change in changes
    ]
    return (entries + before)[:MAX_HISTORY]
