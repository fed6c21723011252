"""Turn a validated :class:`~wego_ical.model.Series` into iCalendar files.

Pure functions only: the build time and the previous publication state are
passed in, nothing here reads the clock or touches the file system, so the
same inputs always give the same bytes. (A large batch of events is rendered
in worker processes, see :class:`Rendering`; the bytes are the same.)

The flow: every calendar entry becomes a :class:`~wego_ical.state.Snapshot`
(what a client sees), :func:`~wego_ical.state.reconcile` decides its SEQUENCE
and timestamps against the previous publication, and each resulting record
becomes one VEVENT, identical in every file that contains it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration, vText
from icalendar.enums import STATUS, TRANSP
from icalendar.prop.conference import Conference

from wego_ical import links
from wego_ical.errors import WegoIcalError
from wego_ical.lint import lint, lint_event
from wego_ical.model import Occurrence, Series, entry_uid, occurrences
from wego_ical.page import index_chunks
from wego_ical.plan import EVENTS_FOLDER, FeedPlan, event_file, plan_feeds
from wego_ical.state import (
    Change,
    CurrentEvent,
    EventRecord,
    FeedRecord,
    Snapshot,
    State,
    Tombstone,
    reconcile,
)
from wego_ical.text import describe, entry_categories, event_summary
from wego_ical.timezones import build_vtimezone

if TYPE_CHECKING:
    from concurrent.futures import Future

    from wego_ical.write import Content

PRODID = "-//wego-ical//wego-ical//EN"
INDEX_PAGE = "index.html"


@dataclass(frozen=True)
class Publication:
    """Everything one build produces."""

    files: dict[str, Content]
    state: State
    changes: list[Change]
    # What the previous publication generated (its feeds.json, already read).
    generated_before: list[str] | None = None

    def content(self, path: str) -> bytes:
        """The bytes of one file of the publication."""
        value = self.files[path]
        content = value if isinstance(value, bytes) else value()
        return content if isinstance(content, bytes) else b"".join(content)

    @property
    def feeds(self) -> list[FeedRecord]:
        """The feeds, in publication order."""
        return list(self.state.feeds)


# --------------------------------------------------------------------------- publishing


def publish(
    series: Series,
    previous: State | None,
    now: datetime,
    *,
    prune: bool = False,
    rendered: Mapping[str, bytes] | None = None,
    jobs: int | None = None,
) -> Publication:
    """Build every file of a publication, continuing from the ``previous`` one.

    ``now`` is the build time, used only for events that changed (and for new
    events when the data has no ``updated`` time). ``rendered`` may hold the
    VEVENT text of the previous publication by UID: an event that did not
    change is then not rendered again (what makes rebuilds fast), provided
    the previous state was written by this same renderer. ``jobs`` limits
    the processes that render events (default: one per core).
    """
    plans = plan_feeds(series)
    records, changes = reconcile(
        previous,
        _current_events(series, plans),
        now=now,
        first_seen=series.series.updated,
        cancelled_label=series.labels.cancelled,
        prune=prune,
    )
    records.sort(key=_chronological)
    # Every VEVENT is serialized once and the same bytes go into every file
    # that contains it (a file is its envelope with the events spliced in).
    texts = EventTexts(_reusable(previous, rendered or {}, records), records, jobs=jobs)
    problems: list[str] = []
    by_feed = _events_by_feed(records, texts, problems)
    feed_files, feeds, envelopes = _feed_files(
        series, _feed_descriptions(series, plans, previous), by_feed, texts
    )
    # The order in which files are produced (and written): the page needs no
    # VEVENT, so it is written while they are rendered; then single-event
    # files in the order their events are rendered; the feeds last.
    files: dict[str, Content] = {
        INDEX_PAGE: functools.partial(_page, texts, series, feeds, records)
    }
    for record in records:
        zones, years = tuple(sorted(_zones([record]))), _years([record])
        envelope = single_event_envelope(zones, years, series.series.timezone)
        envelopes[f"{EVENTS_FOLDER}/ ({', '.join(zones)}, {years})"] = envelope
        files[event_file(record.uid)] = functools.partial(texts.splice, envelope, [record.uid])
    files |= feed_files
    check_output(envelopes, problems)
    state = State(
        renderer=RENDERER,
        series=series.series.id,
        feeds=feeds,
        events=records,
        generated=sorted(files),
    )
    return Publication(files, state, changes, previous.generated if previous else None)


def _page(
    texts: EventTexts, series: Series, feeds: list[FeedRecord], records: list[EventRecord]
) -> Iterator[bytes]:
    texts.start()
    yield from index_chunks(series, feeds, records)


class EventTexts:
    """The VEVENT text of every event of a publication, by UID.

    Events that were not reused from the previous publication are rendered
    by a :class:`Rendering`, started at the first use (so ``wego-ical diff``
    renders nothing). A text is waited for only when a file needs it; a
    self-check error then raises :class:`SelfCheckError`, before anything
    is written.
    """

    def __init__(
        self,
        reusable: Mapping[str, bytes],
        records: Sequence[EventRecord],
        *,
        jobs: int | None = None,
    ) -> None:
        self._jobs = jobs
        self._texts = dict(reusable)
        self._fresh = [record for record in records if record.uid not in reusable]
        self._position = {record.uid: index for index, record in enumerate(self._fresh)}
        self._rendering: Rendering | None = None

    def start(self) -> None:
        """Begin rendering the events that need it (once)."""
        if self._rendering is None:
            self._rendering = Rendering(self._fresh, jobs=self._jobs)

    def add(self, key: str, text: bytes) -> None:
        """Add a text rendered elsewhere (a cancelled copy kept in a feed)."""
        self._texts[key] = text

    def __getitem__(self, key: str) -> bytes:
        text = self._texts.get(key)
        if text is None:
            self.start()
            assert self._rendering is not None
            first, rendered, problems = self._rendering.chunk_containing(self._position[key])
            check_output({}, problems)
            for offset, value in enumerate(rendered):
                self._texts[self._fresh[first + offset].uid] = value
            text = self._texts[key]
        return text

    def splice(self, envelope: bytes, keys: Sequence[str]) -> bytes:
        """A calendar file: ``envelope`` with the VEVENTs of ``keys`` added."""
        return splice(envelope, [self[key] for key in keys])

    def stream(self, envelope: bytes, keys: Sequence[str]) -> Iterator[bytes]:
        """The same file in pieces of about 64 KB (a feed can hold every event)."""
        assert envelope.endswith(_END)
        piece = [envelope[: -len(_END)]]
        size = 0
        for key in keys:
            text = self[key]
            piece.append(text)
            size += len(text)
            if size >= _PIECE:
                yield b"".join(piece)
                piece, size = [], 0
        piece.append(_END)
        yield b"".join(piece)


def _current_events(series: Series, plans: list[FeedPlan]) -> list[CurrentEvent]:
    """What the data publishes now: every entry with its snapshot and feeds."""
    membership: dict[str, list[str]] = {}
    for plan in plans:
        for entry in plan.entries:
            membership.setdefault(entry_uid(series, entry), []).append(plan.path)
    current = []
    for entry in occurrences(series):
        uid = entry_uid(series, entry)
        snapshot = build_snapshot(series, entry)
        current.append(CurrentEvent(uid, snapshot, tuple(membership[uid])))
    return current


def _events_by_feed(
    records: list[EventRecord], texts: EventTexts, problems: list[str]
) -> dict[str, list[tuple[EventRecord, str]]]:
    """The events of every feed, with the key of their text; a feed that an event
    has left keeps it as cancelled (rendered and checked here: its self-check
    errors are added to ``problems``)."""
    by_feed: dict[str, list[tuple[EventRecord, str]]] = {}
    for record in records:
        for path in record.feeds:
            by_feed.setdefault(path, []).append((record, record.uid))
        for tombstone in record.cancelled_in:
            departed = _tombstone_record(record, tombstone)
            key = f"{record.uid} (cancelled in {tombstone.feed})"
            vevent, errors = _render_checked_one(key, departed)
            problems += errors
            texts.add(key, vevent)
            by_feed.setdefault(tombstone.feed, []).append((departed, key))
    return by_feed


def _feed_files(
    series: Series,
    descriptions: dict[str, tuple[str, str]],
    by_feed: dict[str, list[tuple[EventRecord, str]]],
    texts: EventTexts,
) -> tuple[dict[str, Content], list[FeedRecord], dict[str, bytes]]:
    """The feed files (produced when written), their records and their envelopes."""
    info = series.series
    # Files are produced one at a time when they are written: the VEVENT texts
    # are shared, so a large build never holds every file at once.
    files: dict[str, Content] = {}
    feeds: list[FeedRecord] = []
    envelopes: dict[str, bytes] = {}
    for path, (name, description) in descriptions.items():
        shown = sorted(by_feed.get(path, []), key=lambda pair: _chronological(pair[0]))
        if not shown:
            continue
        members = [record for record, _ in shown]
        key = path.removesuffix(".ics").replace("/", ".")
        envelopes[path] = build_envelope(
            series,
            name,
            description,
            _zones(members),
            _years(members),
            uid=f"{info.id}.feed.{key}@{info.uid_domain}",
            feed_path=path,
        )
        files[path] = functools.partial(texts.stream, envelopes[path], [key for _, key in shown])
        feeds.append(_feed_record(series, path, name, description, len(members)))
    return files, feeds, envelopes


def _reusable(
    previous: State | None, rendered: Mapping[str, bytes], records: list[EventRecord]
) -> dict[str, bytes]:
    """Previously rendered VEVENTs that are exactly what this build would render."""
    if previous is None or previous.renderer != RENDERER or not rendered:
        return {}
    before = {record.uid: record for record in previous.events}
    result = {}
    for record in records:
        old, text = before.get(record.uid), rendered.get(record.uid)
        if (
            old is not None
            and text is not None
            and (old.fingerprint, old.sequence, old.updated)
            == (record.fingerprint, record.sequence, record.updated)
            and text.startswith(b"BEGIN:VEVENT\r\n")
            and text.endswith(b"END:VEVENT\r\n")
        ):
            result[record.uid] = text
    return result


def _renderer_id() -> str:
    """A fingerprint of the code that turns records into VEVENT text."""
    import icalendar

    source = Path(__file__).read_bytes() + icalendar.__version__.encode()
    return hashlib.sha256(source).hexdigest()[:16]


RENDERER = _renderer_id()
_END = b"END:VCALENDAR\r\n"
_PIECE = 1 << 16


def splice(envelope: bytes, vevents: list[bytes]) -> bytes:
    """A calendar file: the envelope (header and VTIMEZONEs) with the VEVENTs added."""
    assert envelope.endswith(_END)
    return envelope[: -len(_END)] + b"".join(vevents) + _END


def _zones(records: Sequence[EventRecord]) -> set[str]:
    return {record.snapshot.timezone for record in records}


def _tombstone_record(record: EventRecord, tombstone: Tombstone) -> EventRecord:
    """The cancelled copy that a feed keeps of an event that has left it."""
    return replace(
        record, sequence=tombstone.sequence, updated=tombstone.updated, snapshot=tombstone.snapshot
    )


def check_output(envelopes: Mapping[str, bytes], problems: Sequence[str] = ()) -> None:
    """Run the lint checks on everything generated; any error stops the build.

    Each envelope and each VEVENT is checked once (the files are made of
    exactly these pieces): the envelopes here, the VEVENTs as they are
    rendered (their errors are ``problems``). The output must never break a
    client, so this is a last line of defence against bugs in wego-ical
    itself, before anything is written.
    """
    found = [
        finding.render(path)
        for path, envelope in envelopes.items()
        for finding in lint(envelope)
        if finding.severity == "error"
    ]
    found += problems
    if found:
        raise SelfCheckError(
            "the generated calendars failed their own checks, so nothing was written. "
            "This is a bug in wego-ical; please report it with your data file:\n  "
            + "\n  ".join(found[:20])
        )


# --------------------------------------------------------------------------- rendering

# Below this many events, starting worker processes costs more than it saves.
PARALLEL_MIN_EVENTS = 1000
# Events per unit of work: small enough that files are written while later
# chunks are rendered, large enough that handing them over costs little.
_MIN_CHUNK, _MAX_CHUNK = 50, 250


class Rendering:
    """The VEVENTs of some records being rendered and self-checked.

    This is where icalendar spends most of a large build, so a large batch
    is split into chunks over worker processes, one per available core,
    which start at once and work while the caller goes on (it waits only
    for the chunk it needs). A small batch is rendered in this process,
    chunk by chunk, when first needed. ``jobs`` caps the number of
    processes; ``workers`` sets it, skipping the checks of when worker
    processes are safe (1: this process only).
    """

    def __init__(
        self,
        records: Sequence[EventRecord],
        *,
        jobs: int | None = None,
        workers: int | None = None,
    ) -> None:
        count = min(_worker_count(len(records)), jobs or 64) if workers is None else workers
        self._step = max(_MIN_CHUNK, min(_MAX_CHUNK, -(-len(records) // (count * 4))))
        starts = range(0, len(records), self._step)
        self._chunks: list[Callable[[], tuple[list[bytes], list[str]]]]
        if count <= 1 or len(starts) <= 1:
            self._chunks = [
                functools.partial(_render_range, records, start, start + self._step)
                for start in starts
            ]
            return
        import concurrent.futures
        import multiprocessing
        from concurrent.futures.process import BrokenProcessPool

        # Forked workers start at once (nothing to import), and each chunk is
        # sent to them as a copy: a worker reading the records it inherited
        # would copy every memory page it touches (reference counts), which
        # cost ~150 MB per worker at 100,000 events.
        pool = concurrent.futures.ProcessPoolExecutor(
            count, mp_context=multiprocessing.get_context("fork")
        )
        try:
            futures = [
                pool.submit(_render_range, records[start : start + self._step], 0, self._step)
                for start in starts
            ]
        except BrokenProcessPool:
            raise _worker_died() from None
        finally:
            pool.shutdown(wait=False)  # the workers finish the queued work, then exit
        self._chunks = [functools.partial(_outcome, future) for future in futures]

    def chunk_containing(self, index: int) -> tuple[int, list[bytes], list[str]]:
        """The chunk with the record at ``index`` (waiting for it): the index of
        its first record, its texts and the errors in them."""
        number = index // self._step
        texts, problems = self._chunks[number]()
        return number * self._step, texts, problems

    def result(self) -> tuple[list[bytes], list[str]]:
        """Every text, in the order of the records, and every error."""
        parts = [chunk() for chunk in self._chunks]
        return [text for part, _ in parts for text in part], [
            p for _, found in parts for p in found
        ]


def render_checked(
    records: Sequence[EventRecord], *, workers: int | None = None
) -> tuple[list[bytes], list[str]]:
    """The VEVENT text of each record, in order, and the self-check's errors in them."""
    return Rendering(records, workers=workers).result()


def _worker_count(events: int) -> int:
    """How many processes should render ``events`` events."""
    # fork is only safe in a process without other threads (wego-ical serve
    # has some) and is only reliable on Linux.
    if events < PARALLEL_MIN_EVENTS or sys.platform != "linux" or threading.active_count() > 1:
        return 1
    return min(len(os.sched_getaffinity(0)), 8)


def _outcome(future: Future[tuple[list[bytes], list[str]]]) -> tuple[list[bytes], list[str]]:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise _worker_died() from None


def _worker_died() -> RenderingError:
    return RenderingError(
        "a worker process rendering the events stopped unexpectedly (out of memory?), "
        "so nothing was written; run the build again"
    )


class RenderingError(WegoIcalError):
    """A worker process died while rendering events."""


def _render_range(
    records: Sequence[EventRecord], start: int, stop: int
) -> tuple[list[bytes], list[str]]:
    texts, problems = [], []
    for record in records[start:stop]:
        text, errors = _render_checked_one(record.uid, record)
        texts.append(text)
        problems += errors
    return texts, problems


def _render_checked_one(key: str, record: EventRecord) -> tuple[bytes, list[str]]:
    """The VEVENT text of ``record`` and the self-check's errors in it, named by ``key``."""
    text = build_vevent(record).to_ical()
    errors = [
        finding.render(key)
        for finding in lint_event(text, {record.snapshot.timezone})
        if finding.severity == "error"
    ]
    return text, errors


class SelfCheckError(WegoIcalError):
    """A generated file failed the lint checks (a bug in wego-ical, not in the data)."""


def _chronological(record: EventRecord) -> tuple[datetime, str]:
    snapshot = record.snapshot
    return snapshot.start.replace(tzinfo=ZoneInfo(snapshot.timezone)).astimezone(UTC), record.uid


def _years(records: Sequence[EventRecord]) -> tuple[int, int]:
    years = [r.snapshot.start.year for r in records] + [r.snapshot.end.year for r in records]
    return min(years), max(years)


def _feed_descriptions(
    series: Series, plans: list[FeedPlan], previous: State | None
) -> dict[str, tuple[str, str]]:
    """Name and description of every feed: the planned ones, then feeds that only
    events removed from the data (kept as cancelled) still belong to."""
    result = {plan.path: (plan.name, plan.description) for plan in plans}
    for feed in previous.feeds if previous else []:
        result.setdefault(feed.path, (feed.name, feed.description))
    return result


def _feed_record(series: Series, path: str, name: str, description: str, count: int) -> FeedRecord:
    base_url = series.publish.base_url
    if base_url is None:
        return FeedRecord(path=path, name=name, description=description, events=count)
    url = links.feed_url(base_url, path)
    return FeedRecord(
        path=path,
        name=name,
        description=description,
        events=count,
        url=url,
        webcal=links.webcal_url(url),
        google=links.google_subscribe_url(url),
        outlook=links.outlook_subscribe_url(url, name),
    )


# --------------------------------------------------------------------------- snapshots


def build_snapshot(series: Series, entry: Occurrence) -> Snapshot:
    """What a client shows of one entry, computed from the data."""
    info = series.series
    conference = entry.conference
    snapshot = Snapshot(
        summary=event_summary(series, entry),
        start=entry.start,
        end=entry.end,
        timezone=info.timezone,
        description=describe(series, entry),
        location=entry.location,
        url=conference or entry.page_url or info.url,
        categories=entry_categories(series, entry),
        organizer_name=info.organiser.name,
        organizer_address=(f"mailto:{info.organiser.email}" if info.organiser.email else info.url),
        conference=conference,
        conference_label=series.labels.conference if conference else None,
        reminder_minutes=series.publish.reminder_minutes,
        status="TENTATIVE" if entry.status == "tentative" else "CONFIRMED",
    )
    return snapshot.cancelled(series.labels.cancelled) if entry.status == "cancelled" else snapshot


# --------------------------------------------------------------------------- iCalendar


def build_vevent(record: EventRecord) -> Event:
    """The VEVENT of one published event."""
    snapshot = record.snapshot
    zone = ZoneInfo(snapshot.timezone)
    vevent = Event.new(
        uid=record.uid,
        summary=snapshot.summary,
        start=snapshot.start.replace(tzinfo=zone),
        end=snapshot.end.replace(tzinfo=zone),
        stamp=record.updated,
        last_modified=record.updated,
        description=snapshot.description,
        location=snapshot.location,
        url=snapshot.url,
        categories=snapshot.categories,
        status=STATUS(snapshot.status),
        sequence=record.sequence,
        transparency=TRANSP.TRANSPARENT if snapshot.status == "CANCELLED" else TRANSP.OPAQUE,
        organizer=_organizer(snapshot),
    )
    if snapshot.conference:
        vevent.conferences = [
            Conference(snapshot.conference, feature="VIDEO", label=snapshot.conference_label)
        ]
    if snapshot.reminder_minutes is not None and snapshot.status != "CANCELLED":
        vevent.add_component(
            Alarm.new_display(snapshot.summary, timedelta(minutes=-snapshot.reminder_minutes))
        )
    return vevent


def _organizer(snapshot: Snapshot) -> vCalAddress:
    # RFC 5546 requires ORGANIZER in a METHOD:PUBLISH feed; without an email
    # address the series web page is the organiser's URI.
    value = vCalAddress(snapshot.organizer_address)
    value.params["CN"] = snapshot.organizer_name
    return value


def build_envelope(
    series: Series,
    name: str,
    description: str,
    zones: set[str],
    years: tuple[int, int],
    *,
    uid: str,
    feed_path: str | None = None,
) -> bytes:
    """A VCALENDAR without events: header and VTIMEZONEs limited to ``years``.

    ``feed_path`` is set for subscribable feeds: they get refresh hints and,
    with a base URL, their own address; single-event files get neither.
    """
    info = series.series
    calendar = Calendar.new(
        prodid=PRODID,
        calscale="GREGORIAN",
        method="PUBLISH",
        name=name,
        description=description,
        uid=uid,
    )
    if feed_path is not None:
        refresh = timedelta(hours=series.publish.refresh_hours)
        calendar.refresh_interval = refresh
        calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
        if series.publish.base_url:
            address = links.feed_url(series.publish.base_url, feed_path)
            calendar.url = address
            calendar.source = address
    # icalendar 7.3 types X- properties as vUnknown and writes them unescaped
    # (a comma or newline in the description would corrupt the line), so the
    # compatibility copies are set as TEXT explicitly.
    calendar["X-WR-CALNAME"] = vText(name)
    calendar["X-WR-CALDESC"] = vText(description)
    calendar["X-WR-TIMEZONE"] = vText(info.timezone)
    return _with_timezones(calendar, zones, years)


@functools.lru_cache(maxsize=64)
def single_event_envelope(
    zones: tuple[str, ...], years: tuple[int, int], default_zone: str
) -> bytes:
    """The envelope of an "add this session" file.

    It has no calendar name, description or UID on purpose: importing a file
    with a calendar name makes Outlook create a separate calendar for it,
    while the event should simply join the calendar the user picks.
    """
    calendar = Calendar()
    calendar.prodid = PRODID
    calendar.version = "2.0"
    calendar.calscale = "GREGORIAN"
    calendar.method = "PUBLISH"
    calendar["X-WR-TIMEZONE"] = vText(default_zone)
    return _with_timezones(calendar, zones, years)


def _with_timezones(calendar: Calendar, zones: Iterable[str], years: tuple[int, int]) -> bytes:
    """The calendar's text with a VTIMEZONE for each zone, valid over ``years``."""
    first, last = years
    timezones = b"".join(vtimezone_bytes(tzid, first, last) for tzid in sorted(zones))
    return splice(calendar.to_ical(), [timezones])


@functools.lru_cache(maxsize=64)
def vtimezone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    """The serialized VTIMEZONE (computing one from tzdata takes milliseconds)."""
    return bytes(build_vtimezone(tzid, first_year, last_year).to_ical())
