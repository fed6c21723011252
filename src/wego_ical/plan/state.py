"""Publication state: what subscribers have already been sent.

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

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, ConfigDict, TypeAdapter, ValidationError, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from wego_ical.catalogue import STATE_FILE
from wego_ical.errors import StateError
from wego_ical.files import ReadRefused, read_bounded
from wego_ical.limits import MAX_OUTPUT_FILE_BYTES

STATE_FORMAT = 1
# The publication state is stored beside the feeds, as this file of the output folder.


# Records are slotted pydantic dataclasses rather than models: a build holds
# one record and one snapshot per event, and a model instance costs several
# times the memory (its __dict__ and set of fields) at 100,000 events.
_FORBID = ConfigDict(extra="forbid")


@pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=_FORBID)
class Snapshot:
    """Everything a calendar client shows of one event; its hash is the fingerprint."""

    summary: str
    start: datetime  # naive, local to ``timezone``
    end: datetime
    timezone: str
    description: str
    location: str | None = None
    url: str | None = None
    categories: list[str] = field(default_factory=list)
    status: Literal["CONFIRMED", "TENTATIVE", "CANCELLED"] = "CONFIRMED"
    organizer_name: str
    organizer_address: str
    conference: str | None = None
    conference_label: str | None = None
    reminder_minutes: int | None = None
    # A whole-day item: ``start`` and ``end`` are midnights, the end exclusive.
    # (None, not False, for a timed one: feeds.json leaves it out.)
    all_day: bool | None = None
    # The language of the texts, in a feed of a further language (LANGUAGE=).
    language: str | None = None

    @property
    def aware_start(self) -> datetime:
        """The start in its time zone."""
        return self.start.replace(tzinfo=ZoneInfo(self.timezone))

    @property
    def aware_end(self) -> datetime:
        """The end in its time zone."""
        return self.end.replace(tzinfo=ZoneInfo(self.timezone))

    def fingerprint(self) -> str:
        """A stable hash of the content: equal exactly when a client would see no change."""
        # Fields added after the first format count only when set, so that an
        # unchanged event keeps its fingerprint (and SEQUENCE) as the format grows.
        added = {name for name in _ADDED_FIELDS if getattr(self, name) == _ADDED_FIELDS[name]}
        return "sha256:" + hashlib.sha256(_SNAPSHOT.dump_json(self, exclude=added)).hexdigest()

    def changed_fields(self, other: Snapshot) -> list[str]:
        """Names of the fields that differ from ``other``."""
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]

    def cancelled(self, label: str) -> Snapshot:
        """This event as cancelled, its summary saying so."""
        prefix = f"{label}: "
        summary = self.summary if self.summary.startswith(prefix) else prefix + self.summary
        return replace(self, status="CANCELLED", summary=summary)


@pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=_FORBID)
class Tombstone:
    """How an event was last shown in a feed it has since left: there it stays cancelled."""

    feed: str
    sequence: int
    updated: AwareDatetime
    snapshot: Snapshot


@pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=_FORBID)
class EventRecord:
    """One published event, as the previous build left it."""

    uid: str
    sequence: int
    updated: AwareDatetime  # LAST-MODIFIED and DTSTAMP
    fingerprint: str
    removed: bool = False
    feeds: list[str]
    # Feeds the event was published in and has left: it stays there as
    # cancelled, so that subscribers of those feeds see it go.
    cancelled_in: list[Tombstone] = field(default_factory=list)
    snapshot: Snapshot

    @model_validator(mode="before")
    @classmethod
    def _drop_links(cls, data: Any) -> Any:
        # wego-ical 0.1.0 stored each event's links here; they are computed
        # from the snapshot now, so an older feeds.json is still readable.
        if isinstance(data, dict) and "links" in data:
            data = {key: value for key, value in data.items() if key != "links"}
        return data


@pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=_FORBID)
class FeedRecord:
    """One published feed."""

    path: str
    name: str
    description: str
    events: int
    url: str | None = None
    webcal: str | None = None
    google: str | None = None
    outlook: str | None = None
    office365: str | None = None


@pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=_FORBID)
class HistoryEntry:
    """One published change, kept for the feed of changes (``changes.atom``).

    ``before`` and ``after`` are what subscribers were shown and are shown (the
    snapshot's title, place and times), None where there is no such side; ``at``
    is the build that published it."""

    kind: Literal["published", "added", "changed", "cancelled", "restored", "removed", "pruned"]
    uid: str
    at: AwareDatetime
    summary: str
    fields: list[str] = field(default_factory=list)
    before: Snapshot | None = None
    after: Snapshot | None = None
    count: int | None = None  # events published, for "published"


@pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=ConfigDict(extra="ignore"))
class State:
    """The document stored in ``feeds.json``."""

    generator: str = "wego-ical"
    format: int = STATE_FORMAT
    # Identifies the code that rendered the events; rendered events are only
    # reused by a later build of the very same renderer.
    renderer: str = ""
    series: str
    # The domain every UID ends in; with ``series`` it identifies whose
    # events these are (absent in files of wego-ical 0.1: see uid_domain_of).
    uid_domain: str | None = None
    feeds: list[FeedRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    # The SHA-256 of each event's rendered VEVENT, by UID: a later build reuses
    # the text in a single-event file only if it is still exactly this (a file
    # edited or damaged by hand is rendered anew).
    rendered: dict[str, str] = field(default_factory=dict)
    # The further languages published in subfolders (each with its own feeds.json).
    translations: list[str] | None = None
    # Every file the build generated, so that the next build can remove the
    # ones it no longer produces (and never touches anything else).
    generated: list[str] = field(default_factory=list)
    # The published changes, newest first (at most MAX_HISTORY): changes.atom.
    history: list[HistoryEntry] | None = None

    def recorded_uid_domain(self) -> str | None:
        """The UID domain of this publication: recorded, else read off its first event's UID."""
        if self.uid_domain is not None:
            return self.uid_domain
        for record in self.events:
            return record.uid.rpartition("@")[2] or None
        return None

    def to_json(self) -> bytes:
        """The bytes of ``feeds.json`` (pydantic's serializer: fast, and in field order)."""
        return b"".join(self.json_chunks())

    def json_chunks(self, batch: int = 2000) -> Iterator[bytes]:
        """The bytes of ``feeds.json`` in pieces: the events ``batch`` at a time, so that
        a large state is never one string (100,000 events are ~150 MB of JSON)."""
        whole = _STATE.dump_json(replace(self, events=[]), indent=2, exclude_none=True)
        before, marker, after = whole.partition(b'\n  "events": []')
        if not self.events or not marker:
            yield _STATE.dump_json(self, indent=2, exclude_none=True)
            yield b"\n"
            return
        yield before + b'\n  "events": [\n'
        for start in range(0, len(self.events), batch):
            # A list dumped on its own has its items at depth 1; in the state they are at 2.
            items = _EVENTS.dump_json(
                self.events[start : start + batch], indent=2, exclude_none=True
            )[2:-2]
            yield (b",\n" if start else b"") + b"  " + items.replace(b"\n", b"\n  ")
        yield b"\n  ]" + after + b"\n"


def text_digest(text: bytes) -> str:
    """The digest of a rendered text, as recorded in :attr:`State.rendered`."""
    return hashlib.sha256(text).hexdigest()


_SNAPSHOT = TypeAdapter(Snapshot)
# Snapshot fields added since format 1, with the value that means "as before".
_ADDED_FIELDS: dict[str, object] = {"all_day": None, "language": None}
_STATE = TypeAdapter(State)
_EVENTS = TypeAdapter(list[EventRecord])


def read_state(folder: Path) -> State | None:
    """The publication state stored in ``folder`` (None when there is none).

    Raises :class:`StateError` when ``feeds.json`` exists but cannot be read,
    is not JSON or is not a publication state: it records what subscribers
    were sent, so it is never silently discarded.
    """
    path = folder / STATE_FILE
    try:
        data = read_bounded(path, MAX_OUTPUT_FILE_BYTES, follow_links=False)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except ReadRefused as exc:
        raise StateError(f"{path}: {exc.reason}; {_RESTORE}.") from None
    except OSError as exc:
        raise StateError(f"{path}: cannot be read ({exc.strerror}); {_RESTORE}.") from None
    return parse_state(data, str(path))


_RESTORE = (
    "it records what subscribers were sent: restore it from version control "
    "(deleting it makes every event look new to subscribers)"
)


def parse_state(data: bytes | str, where: str) -> State:
    """A publication state from the text of a ``feeds.json``; ``where`` names it in messages."""
    try:
        return _STATE.validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        if first["type"] == "json_invalid":
            reason = f"is not valid JSON ({first['msg'].removeprefix('Invalid JSON: ')})"
        elif not path:
            reason = "is not a publication state (it must be a JSON object)"
        else:
            reason = f"the publication state is damaged ({path}: {first['msg']})"
        raise StateError(f"{where}: {reason}; {_RESTORE}.") from None


ChangeKind = Literal["added", "changed", "cancelled", "restored", "removed", "pruned"]


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


def reconcile(
    previous: State | None,
    current: Iterable[CurrentEvent],
    *,
    now: datetime,
    first_seen: datetime | None,
    cancelled_label: str,
    prune: bool = False,
    prune_grace: timedelta = timedelta(0),
) -> tuple[list[EventRecord], list[Change]]:
    """Decide SEQUENCE and timestamps of every event to publish.

    ``now`` is the build time; ``first_seen`` the time stamped on the events
    of a first publication (the data's ``updated`` time, else ``now``); events
    added to an existing publication are stamped ``now``. Events of
    ``previous`` that the data no longer has stay as cancelled unless
    ``prune`` is set; even then, only once they have been cancelled for
    ``prune_grace`` (subscribed calendars refresh every few hours: one dropped
    at once would never show its cancellation there).
    """
    now = now.astimezone(UTC)
    # What was cancelled before this may be dropped for good.
    cutoff = now - prune_grace if prune else None
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
    if old.removed:
        kind: ChangeKind = "restored"
    elif event.snapshot.status == "CANCELLED" and old.snapshot.status != "CANCELLED":
        kind = "cancelled"
    else:
        kind = "changed"
    return record, Change(
        kind, event.uid, event.snapshot.summary, fields, before=old.snapshot, after=event.snapshot
    )
