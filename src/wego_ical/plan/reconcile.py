"""Reconciling a build with the publication state: what subscribers have already been sent.

Calendar clients apply an edit only when the event keeps its UID and its
SEQUENCE goes up, and an event that silently disappears from a feed lingers
in some of them. So every build compares what it is about to publish with
the previous publication (stored in ``feeds.json`` beside the feeds):

- an event whose client-visible content (its :class:`Snapshot`) changed gets
  SEQUENCE + 1 and the build time as LAST-MODIFIED and DTSTAMP;
- an unchanged event keeps its previous values, so its bytes do not change;
- an event removed from the data stays published as cancelled until it is
  pruned.

Everything here is pure: the build time is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from wego_ical.catalogue import is_event_feed
from wego_ical.plan.records import EventRecord, Snapshot, State, Tombstone

ChangeKind = Literal["added", "changed", "moved", "cancelled", "restored", "removed", "pruned"]


@dataclass(frozen=True)
class Change:
    """What subscribers will see happen to one event: ``before`` and ``after`` are what
    they were shown and will be shown (None where there is no such side), and
    ``language`` marks a change made only in that language's feeds."""

    kind: ChangeKind
    uid: str
    summary: str
    fields: tuple[str, ...] = ()
    before: Snapshot | None = field(default=None, compare=False, repr=False)
    after: Snapshot | None = field(default=None, compare=False, repr=False)
    language: str | None = None


@dataclass(frozen=True)
class CurrentEvent:
    """An event the data publishes now."""

    uid: str
    snapshot: Snapshot
    feeds: tuple[str, ...]


@dataclass(frozen=True)
class Pruning:
    """``--prune``: events removed from the data go for good once they have been
    published as cancelled for ``grace``."""

    grace: timedelta = timedelta(0)


def reconcile(
    previous: State | None,
    current: Iterable[CurrentEvent],
    *,
    now: datetime,
    first_seen: datetime | None,
    cancelled_label: str,
    pruning: Pruning | None = None,
) -> tuple[list[EventRecord], list[Change]]:
    """Decide SEQUENCE and timestamps of every event to publish.

    ``now`` is the build time; ``first_seen`` the time stamped on the events
    of a first publication (the data's ``updated`` time, else ``now``); events
    added to an existing publication are stamped ``now``. Events of
    ``previous`` that the data no longer has stay as cancelled unless
    ``pruning`` is given; even then, only once they have been cancelled for its
    ``grace`` (subscribed calendars refresh every few hours: one dropped at once
    would never show its cancellation there).
    """
    now = now.astimezone(UTC)
    # What was cancelled before this may be dropped for good.
    cutoff = now - pruning.grace if pruning is not None else None
    # The data's `updated` time stamps the first publication (reproducible
    # builds); an event added later was first published now.
    first_time = (first_seen or now).astimezone(UTC) if previous is None else now
    before = {record.uid: record for record in previous.events} if previous else {}
    records: list[EventRecord] = []
    changes: list[Change] = []
    seen: set[str] = set()
    for event in current:
        seen.add(event.uid)
        record, change = _update(
            before.get(event.uid), event, now, first_time, cutoff, cancelled_label
        )
        records.append(record)
        if change:
            changes.append(change)
    for uid, old in before.items():
        if uid in seen:
            continue
        # When it was (or is now) cancelled: what decides whether it may go for good.
        cancelled_at = old.updated if old.removed else now
        if cutoff is not None and cancelled_at <= cutoff:
            changes.append(Change("pruned", uid, old.snapshot.summary, before=old.snapshot))
            continue
        if old.removed:
            records.append(old)
            continue
        snapshot = old.snapshot.cancelled(cancelled_label)
        records.append(
            replace(
                old,
                sequence=old.sequence + 1,
                updated=now,
                fingerprint=snapshot.fingerprint(),
                removed=True,
                snapshot=snapshot,
            )
        )
        changes.append(Change("removed", uid, old.snapshot.summary, before=old.snapshot))
    return records, changes


def _update(
    old: EventRecord | None,
    event: CurrentEvent,
    now: datetime,
    first_time: datetime,
    cutoff: datetime | None,
    cancelled_label: str,
) -> tuple[EventRecord, Change | None]:
    """The record of an event the data has, and what changed for subscribers.

    ``cutoff``: with pruning, the cancelled copies left in feeds the event no longer
    belongs to are dropped once cancelled at or before it.
    """
    fingerprint = event.snapshot.fingerprint()
    left: list[Tombstone] = []
    if old is not None:
        left = [t for t in old.cancelled_in if t.feed not in event.feeds]
        left += [
            Tombstone(
                feed=feed,
                sequence=old.sequence + 1,
                updated=now,
                snapshot=old.snapshot.cancelled(cancelled_label),
            )
            for feed in old.feeds
            if feed not in event.feeds
        ]
        left = [t for t in left if cutoff is None or t.updated > cutoff]
    unchanged = old is not None and old.fingerprint == fingerprint and not old.removed
    if old is None:
        sequence, updated = 0, first_time
    elif unchanged:
        sequence, updated = old.sequence, old.updated
    else:
        sequence, updated = old.sequence + 1, now
    record = EventRecord(
        uid=event.uid,
        sequence=sequence,
        updated=updated,
        fingerprint=fingerprint,
        feeds=list(event.feeds),
        cancelled_in=left,
        snapshot=event.snapshot,
    )
    if old is None:
        return record, Change("added", event.uid, event.snapshot.summary, after=event.snapshot)
    if unchanged:
        return record, None
    fields = tuple(event.snapshot.changed_fields(old.snapshot))
    if set(old.feeds) != set(event.feeds):
        fields += ("feeds",)
    kind = _kind_of_change(old, event)
    return record, Change(
        kind, event.uid, event.snapshot.summary, fields, before=old.snapshot, after=event.snapshot
    )


def _kind_of_change(old: EventRecord, event: CurrentEvent) -> ChangeKind:
    """What a change to a published event is to its subscribers."""
    if old.removed:
        return "restored"
    if event.snapshot.status == "CANCELLED" and old.snapshot.status != "CANCELLED":
        return "cancelled"
    if _event_feeds(old.feeds) and _event_feeds(event.feeds) != _event_feeds(old.feeds):
        # Its own uid kept it through a move to another event: a change, not a new event.
        return "moved"
    return "changed"


def _event_feeds(feeds: Iterable[str]) -> set[str]:
    return {feed for feed in feeds if is_event_feed(feed)}
