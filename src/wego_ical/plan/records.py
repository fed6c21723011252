"""The records of the publication state (``feeds.json``): what each event looked like
to subscribers (:class:`Snapshot`), what each was sent (:class:`EventRecord`), and the
whole document (:class:`State`), which writes itself as JSON in pieces.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import field, fields, replace
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, ConfigDict, TypeAdapter, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from wego_ical.i18n.dates import in_zone

STATE_FORMAT = 1


# Records are slotted pydantic dataclasses rather than models: a build holds
# one record and one snapshot per event, and a model instance costs several
# times the memory (its __dict__ and set of fields) at 100,000 events.
_FORBID = ConfigDict(extra="forbid")


@pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=_FORBID)
class Override:
    """One occurrence of a repeating event that differs from the rule (a VEVENT with
    RECURRENCE-ID): where the rule puts it, where and what it is."""

    recurrence_id: datetime  # naive, local to the event's zone (a midnight: whole day)
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str | None = None
    status: Literal["CONFIRMED", "TENTATIVE", "CANCELLED"] = "CONFIRMED"

    def applied_to(self, snapshot: Snapshot) -> Snapshot:
        """The occurrence as an event of its own: ``snapshot`` (its entry's, without its
        rule) with this occurrence's times and changes."""
        return replace(
            snapshot,
            start=self.start,
            end=self.end,
            summary=self.summary,
            description=self.description,
            location=self.location,
            status=self.status,
            repeat=None,
            exdates=None,
            overrides=None,
        )


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
    # A repeating event: its rule (RRULE, as the file gives it), the starts it leaves
    # out (EXDATE; naive local) and its changed occurrences.
    repeat: str | None = None
    exdates: list[datetime] | None = None
    overrides: list[Override] | None = None

    @property
    def aware_start(self) -> datetime:
        """The start in its time zone."""
        return in_zone(self.start, ZoneInfo(self.timezone))

    @property
    def aware_end(self) -> datetime:
        """The end in its time zone."""
        return in_zone(self.end, ZoneInfo(self.timezone))

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
        summary = cancelled_summary(self.summary, label)
        # Its changed occurrences go with it: a client keeps each apart from the rule.
        overrides = (
            [
                replace(
                    override, status="CANCELLED", summary=cancelled_summary(override.summary, label)
                )
                for override in self.overrides
            ]
            if self.overrides
            else self.overrides
        )
        return replace(self, status="CANCELLED", summary=summary, overrides=overrides)


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

    kind: Literal[
        "published", "added", "changed", "moved", "cancelled", "restored", "removed", "pruned"
    ]
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

    def json_chunks(self, batch: int = 200) -> Iterator[bytes]:
        """The bytes of ``feeds.json`` in pieces: the events ``batch`` at a time, and the
        digests and generated files in larger runs, so that a large state is never one
        string (100,000 events are ~150 MB of JSON; the digests and the file list, which
        the build writes last, another ~40 MB)."""
        rest = STATE_ADAPTER.dump_json(
            replace(self, events=[], rendered={}, generated=[]), indent=2, exclude_none=True
        )
        parts = []
        for name, empty, _ in _STREAMED:
            before, marker, rest = rest.partition(_member(name) + empty)
            if not marker:  # not where it is expected: no pieces
                yield STATE_ADAPTER.dump_json(self, indent=2, exclude_none=True) + b"\n"
                return
            parts.append(before)
        for before, (name, empty, adapter) in zip(parts, _STREAMED, strict=True):
            yield before
            value = getattr(self, name)
            if not value:
                yield _member(name) + empty
                continue
            yield _member(name) + empty[:1] + b"\n"
            step = batch if name == "events" else batch * 25
            for number, run in enumerate(_runs(value, step)):
                # Dumped on its own, a run has its items at depth 1; in the state at 2.
                dumped = adapter.dump_json(run, indent=2, exclude_none=True)[2:-2]
                yield (b",\n" if number else b"") + b"  " + dumped.replace(b"\n", b"\n  ")
            yield b"\n  " + empty[1:]
        yield rest + b"\n"


def _member(name: str) -> bytes:
    """The start of a member of the state as ``feeds.json`` lays it out."""
    return f'\n  "{name}": '.encode()


def _runs(value: list[Any] | dict[str, str], step: int) -> Iterator[list[Any] | dict[str, str]]:
    """``value`` in consecutive runs of ``step`` items (a dict's as dicts)."""
    if isinstance(value, list):
        for start in range(0, len(value), step):
            yield value[start : start + step]
        return
    items = iter(value.items())
    while run := dict(itertools.islice(items, step)):
        yield run


def text_digest(text: bytes) -> str:
    """The digest of a rendered text, as recorded in :attr:`State.rendered`."""
    return hashlib.sha256(text).hexdigest()


_SNAPSHOT = TypeAdapter(Snapshot)


# Snapshot fields added since format 1, with the value that means "as before".
_ADDED_FIELDS: dict[str, object] = {
    "all_day": None,
    "language": None,
    "repeat": None,
    "exdates": None,
    "overrides": None,
}


STATE_ADAPTER = TypeAdapter(State)
_EVENTS = TypeAdapter(list[EventRecord])
# The state's fields written in runs (see State.json_chunks), in their order, each
# with how it looks when empty.
_STREAMED: tuple[tuple[str, bytes, TypeAdapter[Any]], ...] = (
    ("events", b"[]", _EVENTS),
    ("rendered", b"{}", TypeAdapter(dict[str, str])),
    ("generated", b"[]", TypeAdapter(list[str])),
)


def cancelled_summary(summary: str, label: str) -> str:
    """The title of a cancelled event: ``Cancelled: …``, once."""
    prefix = f"{label}: "
    return summary if summary.startswith(prefix) else prefix + summary


def last_occurrence(snapshot: Snapshot) -> datetime:
    """The end of the last occurrence of a snapshot (its own end, unless it repeats)."""
    if snapshot.repeat is None:
        return snapshot.end
    from wego_ical.model.repeats import expand

    starts = expand(snapshot.repeat, snapshot.start, ZoneInfo(snapshot.timezone))
    ends = [start + (snapshot.end - snapshot.start) for start in starts]
    ends += [override.end for override in snapshot.overrides or ()]
    return max(ends)


def occurrence_snapshots(snapshot: Snapshot) -> list[tuple[datetime, Snapshot]]:
    """Each occurrence of a repeating snapshot as an event of its own (its own start and
    end, its changes applied; none left out by EXDATE), in order, with where the rule
    puts it (its RECURRENCE-ID); itself otherwise."""
    if snapshot.repeat is None:
        return [(snapshot.start, snapshot)]
    from wego_ical.model.repeats import expand

    length = snapshot.end - snapshot.start
    skipped = set(snapshot.exdates or ())
    changed = {override.recurrence_id: override for override in snapshot.overrides or ()}
    found = []
    plain = replace(snapshot, repeat=None, exdates=None, overrides=None)
    for start in expand(snapshot.repeat, snapshot.start, ZoneInfo(snapshot.timezone)):
        if start in skipped:
            continue
        override = changed.get(start)
        if override is None:
            found.append((start, replace(plain, start=start, end=start + length)))
            continue
        found.append((start, override.applied_to(plain)))
    return sorted(found, key=lambda item: item[1].aware_start)
