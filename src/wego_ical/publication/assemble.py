"""Assemble every file of a publication from a series and the previous state.

Pure: the build time, the previous publication state and the previously
rendered VEVENTs are passed in; nothing here reads the clock or touches the
file system, so the same inputs always give the same bytes.

The flow: :mod:`~wego_ical.plan.feeds` says which feeds there are and what every
event shows, :func:`~wego_ical.plan.reconcile.reconcile` decides SEQUENCE and
timestamps against the previous publication, :mod:`~wego_ical.render.calendar` turns
each resulting record into one VEVENT (identical in every file that contains
it) and :mod:`~wego_ical.page.landing` renders the landing page. Files are returned
as functions that produce them, called one at a time when they are written,
so a large build never holds every file at once.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from wego_ical.catalogue import (
    CHANGES_FEED,
    EVENTS_FOLDER,
    QR_SCRIPT,
    SCHEDULE_JSON,
    SCHEDULE_XML,
    STATE_FILE,
    event_file,
)
from wego_ical.model import Series
from wego_ical.page.edition import PageSite
from wego_ical.page.landing import page_files, qr_script
from wego_ical.pieces import KEPT, Content, Kept, KeptPieces, Recipes, Spliced, SplicedGroup
from wego_ical.plan.feeds import FeedPlan, current_events, plan_feeds
from wego_ical.plan.history import updated_history
from wego_ical.plan.reconcile import Change, Pruning, reconcile
from wego_ical.plan.records import (
    EventRecord,
    FeedRecord,
    HistoryEntry,
    State,
    Tombstone,
    last_occurrence,
)
from wego_ical.publication.event_texts import EventTexts, reusable_texts
from wego_ical.render import calendar_links as links
from wego_ical.render.atom import atom_bytes
from wego_ical.render.calendar import (
    RENDERER,
    FeedHeader,
    build_envelope,
    check_output,
    render_checked,
    single_event_envelope,
)
from wego_ical.render.encoding_process import ApartExports
from wego_ical.render.frab_json import schedule_json
from wego_ical.render.frab_xml import schedule_xml
from wego_ical.render.schedule import Pieces, schedule_data
from wego_ical.render.workers import WorkerSettings


@dataclass(frozen=True)
class Publication:
    """Everything one build produces.

    ``files`` are in the order they should be produced and committed: the
    page, the single-event files, the feeds, and ``feeds.json`` last (it must
    never list a file that is not in place yet).
    """

    files: dict[str, Content]
    state: State
    changes: list[Change]
    # Begins rendering the events that need it (in worker processes when there are
    # many); producing the files starts it otherwise.
    start_rendering: Callable[[], None] = lambda: None
    # The language of its texts (None: the series declares none).
    language: str | None = None
    # The recipe of each file that has one (pages, feeds, single-event files), by path,
    # filled in as files are produced: the next build keeps a file whose recipe is the same.
    recipes: Mapping[str, str] = field(default_factory=dict)
    # Files worth making in a child process, each group in its own (its pages; both
    # exports, which share their talks: see WorkerSettings.makes_apart), or its event
    # files and feeds written by a process of their own (WorkerSettings.writes_apart).
    made_apart: tuple[tuple[str, ...] | SplicedGroup, ...] = ()

    def content(self, path: str) -> bytes:
        """The bytes of one file of the publication."""
        value = self.files[path]
        content = value if isinstance(value, bytes | Kept) else value()
        if isinstance(content, Kept):
            raise ValueError(f"{path} is kept from the last build: it is not made again")
        return content if isinstance(content, bytes) else b"".join(content)

    @property
    def feeds(self) -> list[FeedRecord]:
        """The feeds, in publication order."""
        return list(self.state.feeds)


@dataclass(frozen=True)
class LanguageEdition:
    """Which language a publication is in, and how it links to the others.

    ``language`` is the language of the series' texts (None: not declared);
    ``marked`` adds it to the events' texts (LANGUAGE=), as the feeds of a
    further language do; ``alternates`` are the pages of the other languages
    (language, relative address), for the page's language links;
    ``translations`` the further languages published in subfolders;
    ``script`` is where the page finds the QR code generator: written with
    this publication when it is beside the page (the default), shared with
    another publication's otherwise.
    """

    language: str | None = None
    marked: bool = False
    alternates: tuple[tuple[str, str], ...] = ()
    translations: tuple[str, ...] = ()
    script: str = QR_SCRIPT
    # The default language's texts (page.fallback_texts) and its code: in this
    # language's pages, a text that is one of them is marked as being in it.
    fallback_texts: frozenset[str] = frozenset()
    fallback_language: str | None = None
    # The entries' descriptions in this language by key, when the loader made them.
    descriptions: Mapping[str, str] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PublicationSettings:
    """How a publication is made besides its data.

    ``edition`` says which language it is (see :class:`LanguageEdition`);
    ``rendered`` may hold the VEVENT text of the previous publication by UID: an
    event that did not change is then not rendered again (what makes rebuilds
    fast), provided the previous state was written by this same renderer;
    ``workers`` says how the events that need rendering are split over processes;
    ``pruning`` drops removed events for good (``--prune``); ``kept`` (see below)
    lets the files whose inputs did not change stay as they are.
    """

    edition: LanguageEdition = LanguageEdition()
    rendered: Mapping[str, bytes] | None = field(default=None, compare=False)
    workers: WorkerSettings | None = None
    pruning: Pruning | None = None
    # The recipes of the files in place (Publication.recipes of the last build, for the
    # files still as it left them): a file with the same recipe is kept, not made again.
    kept: Mapping[str, str] = field(default_factory=dict, compare=False)
    # Pieces of the exports in place, to copy rather than make again (see
    # render.schedule.Pieces); where a build writes, it records those it makes.
    pieces: KeptPieces | None = field(default=None, compare=False)


def make_publication(
    series: Series,
    previous: State | None,
    now: datetime,
    settings: PublicationSettings = PublicationSettings(),
) -> Publication:
    """Build every file of a publication, continuing from the ``previous`` one.

    ``now`` is the build time, used only for events that changed (and for new
    events when the data has no ``updated`` time).
    """
    edition, workers, rendered = settings.edition, settings.workers, settings.rendered
    language, script, descriptions = edition.language, edition.script, edition.descriptions
    plans = plan_feeds(series)
    records, changes = reconcile(
        previous,
        current_events(series, plans, language if edition.marked else None, descriptions),
        now=now,
        first_seen=series.series.updated,
        cancelled_label=series.labels.cancelled,
        pruning=settings.pruning,
    )
    # Each record's place in time, worked out once: every feed lists its events by it.
    when = {record.uid: _chronological(record) for record in records}
    records.sort(key=lambda record: when[record.uid])
    reusable = reusable_texts(previous, rendered or {}, records)
    # Each reused text was checked against the digest previous.rendered records.
    texts = EventTexts(reusable, records, workers, previous.rendered if previous else {})
    problems: list[str] = []
    by_feed = _events_by_feed(records, when, texts, problems)
    described = _with_changes_note(series, _feed_descriptions(plans, previous), language)
    made = Recipes(settings.kept)
    feed_files, feeds = _feed_files(series, described, by_feed, (texts, made))
    single_envelopes: dict[str, bytes] = {}
    # The page needs no VEVENT, so it is written while they are rendered;
    # then single-event files in the order their events are rendered; the
    # feeds after them.
    site = PageSite(
        series,
        feeds,
        {record.uid: record for record in records},
        language,
        edition.alternates,
        script,
        edition.fallback_texts,
        edition.fallback_language,
        now,
        made,
    )
    files: dict[str, Content] = {
        path: functools.partial(_page, texts, produce) for path, produce in page_files(site).items()
    }
    pages = tuple(files)
    if script == QR_SCRIPT:
        files[QR_SCRIPT] = qr_script()
    single_files = [event_file(record.uid) for record in records]
    for record, path in zip(records, single_files, strict=True):
        zones, years = _zones([record]), _years([record])
        envelope = single_event_envelope(zones, years, series.series.timezone)
        single_envelopes[f"{EVENTS_FOLDER}/ ({', '.join(zones)}, {years})"] = envelope
        files[path] = functools.partial(_single_file, texts, made, path, envelope, record.uid)
    files |= feed_files
    check_output(single_envelopes, problems)
    history = updated_history(previous, changes, records, now, series.series.updated)
    base_url = series.publish.base_url
    page_url = links.folder_url(base_url) if base_url else None
    apart = workers is not None and workers.makes_apart(len(records))
    # A small series' exports take milliseconds: no record of their pieces beside it.
    large = workers is not None and len(records) >= workers.parallel_min_items
    schedule = _Schedule(series, records, language, page_url, apart)
    encoded_apart = workers is not None and workers.encodes_apart(len(records))
    schedule.keeping(settings.pieces if large else None, ApartExports() if encoded_apart else None)
    files[SCHEDULE_JSON] = schedule.json
    files[SCHEDULE_XML] = schedule.xml
    files[CHANGES_FEED] = functools.partial(
        _atom,
        series,
        history,
        language,
        page_url + CHANGES_FEED if page_url else None,
        page_url,
    )
    state = State(
        renderer=RENDERER,
        series=series.series.id,
        uid_domain=series.series.uid_domain,
        feeds=feeds,
        events=records,
        translations=list(edition.translations) or None,
        generated=sorted(files),
        history=history,
    )
    files[STATE_FILE] = functools.partial(_state_chunks, state, texts, records)
    spliced = SplicedGroup((*single_files, *feed_files), texts.ready)
    made_apart = _made_apart(workers, len(records), pages, spliced)
    return Publication(files, state, changes, texts.start, edition.language, made.made, made_apart)


def _made_apart(
    workers: WorkerSettings | None, count: int, pages: tuple[str, ...], spliced: SplicedGroup
) -> tuple[tuple[str, ...] | SplicedGroup, ...]:
    """The files made apart (see Publication.made_apart) by a publication of ``count``
    events: its pages and its exports, or its event files and feeds, or none."""
    if workers is None:
        return ()
    if workers.makes_apart(count):
        return (pages, (SCHEDULE_JSON, SCHEDULE_XML))
    return (spliced,) if workers.writes_apart(count) else ()


class _Schedule:
    """schedule.json and schedule.xml: the same schedule, its frame made once for both
    (their talks are made as each file is written)."""

    def __init__(
        self,
        series: Series,
        records: list[EventRecord],
        language: str | None,
        page_url: str | None,
        apart: bool,
    ) -> None:
        # Made apart, both files are made in one child process (Publication.made_apart).
        self._made = functools.partial(
            schedule_data, series, records, language, page_url, shared=apart
        )
        self._apart = apart
        self._kept: KeptPieces | None = None
        self._encoding: ApartExports | None = None

    def keeping(self, kept: KeptPieces | None, encoding: ApartExports | None) -> _Schedule:
        """Copy the pieces the files in place have (see render.schedule.Pieces); encode
        the talks here, or apart (see WorkerSettings.encodes_apart)."""
        self._kept, self._encoding = kept, encoding
        return self

    @functools.cached_property
    def data(self) -> dict[str, Any]:
        return self._made()

    def json(self) -> Iterator[bytes]:
        encoding, ahead = self._encoding.json() if self._encoding else (None, None)
        pieces = Pieces(self._kept, SCHEDULE_JSON, ahead)
        return schedule_json(self.data, apart=self._apart, pieces=pieces, encoding=encoding)

    def xml(self) -> Iterator[bytes]:
        encoding, ahead = self._encoding.xml() if self._encoding else (None, None)
        return schedule_xml(self.data, Pieces(self._kept, SCHEDULE_XML, ahead), encoding)


def _atom(
    series: Series,
    history: list[HistoryEntry],
    language: str | None,
    feed_url: str | None,
    page_url: str | None,
) -> bytes:
    return atom_bytes(series, history, language, feed_url=feed_url, page_url=page_url)


def _state_chunks(state: State, texts: EventTexts, records: list[EventRecord]) -> Iterator[bytes]:
    """``feeds.json``, with the digest of every event's text (all rendered by now:
    the single-event files come first)."""
    digests = {record.uid: texts.digest(record.uid) for record in records}
    return replace(state, rendered=digests).json_chunks()


def _page(
    texts: EventTexts, produce: Callable[[], Iterator[bytes] | Kept]
) -> Iterator[bytes] | Kept:
    """A page (KEPT when the page in place is what it would be); rendering the events
    starts first, so that it runs meanwhile (and what it rendered is put aside as each
    page is made)."""
    texts.start()
    made = produce()
    return made if isinstance(made, Kept) else _taking_arrived(texts, made)


def _taking_arrived(texts: EventTexts, pieces: Iterator[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        texts.take_arrived()
        yield piece


def _events_by_feed(
    records: list[EventRecord],
    when: Mapping[str, tuple[datetime, str]],
    texts: EventTexts,
    problems: list[str],
) -> dict[str, list[tuple[EventRecord, str]]]:
    """The events of every feed in chronological order (``when``: each record's place in
    time, by UID), with the key of their text; a feed that an event has left keeps it as
    cancelled (rendered and checked here: its self-check errors are added to
    ``problems``)."""
    by_feed: dict[str, list[tuple[tuple[datetime, str], EventRecord, str]]] = {}
    for record in records:
        at = when[record.uid]
        for path in record.feeds:
            by_feed.setdefault(path, []).append((at, record, record.uid))
        for tombstone in record.cancelled_in:
            departed = _tombstone_record(record, tombstone)
            key = f"{record.uid} (cancelled in {tombstone.feed})"
            vevent, errors = render_checked(key, departed)
            problems += errors
            texts.add(key, vevent)
            by_feed.setdefault(tombstone.feed, []).append((_chronological(departed), departed, key))
    return {
        path: [(record, key) for _, record, key in sorted(listed, key=itemgetter(0))]
        for path, listed in by_feed.items()
    }


def _feed_files(
    series: Series,
    descriptions: dict[str, tuple[str, str]],
    by_feed: dict[str, list[tuple[EventRecord, str]]],
    making: tuple[EventTexts, Recipes],
) -> tuple[dict[str, Content], list[FeedRecord]]:
    """The feed files (produced when written, from ``making``: the events' texts and the
    files' recipes) and their records."""
    info = series.series
    files: dict[str, Content] = {}
    feeds: list[FeedRecord] = []
    base_url = series.publish.base_url
    for path, (name, description) in descriptions.items():
        shown = by_feed.get(path, [])
        if not shown:
            continue
        members = [record for record, _ in shown]
        key = path.removesuffix(".ics").replace("/", ".")
        header = FeedHeader(
            name,
            description,
            uid=f"{info.id}.feed.{key}@{info.uid_domain}",
            default_zone=info.timezone,
            refresh_hours=series.publish.refresh_hours,
            url=links.feed_url(base_url, path) if base_url else None,
        )
        envelope = functools.partial(build_envelope, header, _zones(members), _years(members))
        files[path] = functools.partial(
            _feed_content, making, path, envelope, [key for _, key in shown]
        )
        feeds.append(_feed_record(base_url, path, name, description, len(members)))
    return files, feeds


def _feed_content(
    making: tuple[EventTexts, Recipes],
    path: str,
    envelope: functools.partial[bytes],
    keys: list[str],
) -> Iterator[bytes] | Spliced | Kept:
    """A feed's file, in pieces (KEPT when the file in place has its recipe: its
    envelope's inputs and its events' texts, in order). Its envelope is made and
    checked only now, when the file is produced: a rebuild then makes them while the
    page is made beside it, instead of before. A finding still stops the build before
    the output changes."""
    texts, recipes = making
    recipe = hashlib.sha256(repr(envelope.args).encode())
    for key in keys:
        recipe.update(f"{key}\0{texts.digest(key)}\0".encode())
    if recipes.same(path, recipe.hexdigest()):
        return KEPT
    made = envelope()
    check_output({path: made})
    return texts.stream(made, keys)


def _single_file(
    texts: EventTexts, recipes: Recipes, path: str, envelope: bytes, key: str
) -> bytes | Spliced | Kept:
    """A single-event file: KEPT when the file in place has its recipe (its envelope and
    its event's text)."""
    recipe = f"{_envelope_digest(envelope)}\0{texts.digest(key)}"
    if recipes.same(path, recipe):
        return KEPT
    return texts.splice(envelope, [key])


@functools.lru_cache(maxsize=64)
def _envelope_digest(envelope: bytes) -> str:
    return hashlib.sha256(envelope).hexdigest()


def _tombstone_record(record: EventRecord, tombstone: Tombstone) -> EventRecord:
    """The cancelled copy that a feed keeps of an event that has left it."""
    return replace(
        record, sequence=tombstone.sequence, updated=tombstone.updated, snapshot=tombstone.snapshot
    )


def _chronological(record: EventRecord) -> tuple[datetime, str]:
    return record.snapshot.aware_start.astimezone(UTC), record.uid


def _zones(records: Sequence[EventRecord]) -> tuple[str, ...]:
    """The time zones the timed events among ``records`` need a VTIMEZONE for."""
    return tuple(sorted({r.snapshot.timezone for r in records if not r.snapshot.all_day}))


def _years(records: Sequence[EventRecord]) -> tuple[int, int]:
    """The years the VTIMEZONEs must cover: every event's, to the last of its repeats."""
    years = [r.snapshot.start.year for r in records] + [r.snapshot.end.year for r in records]
    years += [last_occurrence(r.snapshot).year for r in records if r.snapshot.repeat]
    return min(years), max(years)


def _feed_descriptions(plans: list[FeedPlan], previous: State | None) -> dict[str, tuple[str, str]]:
    """Name and description of every feed: the planned ones, then feeds that only
    events removed from the data (kept as cancelled) still belong to."""
    result = {plan.path: (plan.name, plan.description) for plan in plans}
    for feed in previous.feeds if previous else []:
        result.setdefault(feed.path, (feed.name, feed.description))
    return result


def _with_changes_note(
    series: Series, described: dict[str, tuple[str, str]], language: str | None
) -> dict[str, tuple[str, str]]:
    """Each feed's description ends with the address of the feed of changes, when the
    address is known (base_url): calendars refresh late; a news reader does not."""
    base_url = series.publish.base_url
    if base_url is None:
        return described
    from wego_ical.i18n import ui_text as strings

    url = links.feed_url(base_url, CHANGES_FEED)
    note = strings.changes(language)["feed_note"].format(url=url)
    return {
        path: (name, text if text.endswith(note) else f"{text}\n\n{note}")
        for path, (name, text) in described.items()
    }


def _feed_record(
    base_url: str | None, path: str, name: str, description: str, count: int
) -> FeedRecord:
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
        office365=links.office365_subscribe_url(url, name),
    )
