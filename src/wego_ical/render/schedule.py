"""``schedule.json`` and ``schedule.xml``: the series in the frab/c3voc schedule format,
which pretalx and frab publish and offline conference apps (Giggity, EventFahrplan,
ConfClerk) and video tooling read.

Mapping: days are the series' zone's (conference) days, each talk listed under the
day before when it starts before the ``day_change``; rooms are the entries' rooms,
else their locations (the event title where there is none); tracks are the
categories; persons are the panelists; each published entry is one event whose
``guid`` is its iCalendar UID when that is a UUID (a source's guid kept), else
derived from it (``uuid5(NAMESPACE_URL, UID)``: the same session in the feeds and
here) and whose numeric ``id`` is derived from it too (stable across builds).
Cancelled entries are left out, as pretalx does. The version is the time of the
publication's latest change, so a rebuild that changes nothing changes nothing
here. ``wego_ical`` (allowed by the schema at the top level) keeps what the
format has no place for — the series' ids, each entry's event and session, its
zone — so that ``wego-ical import`` gives back the same UIDs. This module makes
the schedule's data, its talks as they are written and the pieces a rebuild may
copy; :mod:`wego_ical.render.frab_json` writes ``schedule.json`` and
:mod:`wego_ical.render.frab_xml` ``schedule.xml``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from wego_ical.i18n.dates import hh_mm, utc_day_and_time
from wego_ical.model import CalendarEntry, Series, calendar_entries, conference_day, entry_uid
from wego_ical.model.descriptions import room_name, session_title
from wego_ical.pieces import KeptPieces
from wego_ical.plan.records import EventRecord, occurrence_snapshots
from wego_ical.render.talk_codec import JSON_TALKS, XML_TALKS

if TYPE_CHECKING:
    from wego_ical.render.encoding_process import XmlAhead

C3VOC_SCHEMA = "https://c3voc.de/schedule/schema.json"


def event_guid(uid: str) -> str:
    """The c3voc ``guid`` of the entry with iCalendar ``uid``: the UID itself when it is
    a UUID (a source's guid kept on import), else derived from it."""
    if len(uid) == 36:
        try:
            return str(uuid.UUID(uid))
        except ValueError:
            pass
    return url_guid(uid)


_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes


def url_guid(name: str) -> str:
    """``str(uuid.uuid5(uuid.NAMESPACE_URL, name))``, written from its SHA-1 directly."""
    # RFC 9562 5.5: the version and variant bits set in the first 16 bytes of the hash.
    # uuid.UUID's constructor and str() took two thirds of the time; the exports make
    # a guid for every talk (twice) and every panelist of it.
    digest = bytearray(
        hashlib.sha1(_URL_NAMESPACE + name.encode(), usedforsecurity=False).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def acronym(series_id: str) -> str:
    """The conference acronym c3voc accepts (letters, digits, ``_``): ``wego_awards_4``."""
    text = re.sub(r"[^a-z0-9_]", "_", series_id.lower())
    return text if len(text) >= 4 else (text + "____")[:4]


def schedule_data(
    series: Series,
    records: Iterable[EventRecord],
    language: str | None,
    page_url: str | None,
    *,
    shared: bool = False,
) -> dict[str, Any]:
    """The schedule as c3voc's JSON structure, its talks made as they are written: each
    room's list of a day is an :class:`Events`, the record of every entry an
    :class:`Entries` (at 100,000 sessions the whole structure took 600 MB). ``shared``:
    both files are written from it in one process, which has the memory to keep each
    room's talks from the first file to the second (see :class:`Events`)."""
    info = series.series
    zone = ZoneInfo(info.timezone)
    by_uid = {record.uid: record for record in records}
    days = _by_day(series, by_uid, zone)
    ids = _numeric_ids({*by_uid, *(key for listed in days.values() for _, _, key in listed)})
    talk = _Talk(series, ids, language, page_url, zone)
    talk.shared = shared
    extension = _own_record(series, language)
    by_date = sorted(days.items())
    extension["entries"] = Entries(talk, [item for _, on_day in by_date for item in on_day])
    day_list: list[dict[str, Any]] = []
    for index, (day, on_day) in enumerate(by_date, 1):
        rooms: dict[str, list[_Listed]] = {}
        for item in on_day:
            rooms.setdefault(talk.room(item[0], item[1]), []).append(item)
        starts = [record.snapshot.aware_start for _, record, _ in on_day]
        ends = [record.snapshot.aware_end for _, record, _ in on_day]
        day_list.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": min(starts).astimezone(zone).isoformat(),
                "day_end": max(ends).astimezone(zone).isoformat(),
                "rooms": {room: Events(talk, items) for room, items in rooms.items()},
            }
        )
    first = min(days) if days else info.updated.date() if info.updated else date(2000, 1, 1)
    last = max(days) if days else first
    conference: dict[str, Any] = {
        "acronym": acronym(info.id),
        "title": info.title,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "daysCount": (last - first).days + 1,
        "timeslot_duration": "00:05",
        "time_zone_name": info.timezone,
        "url": info.url,
        "tracks": [
            {"name": category.name, "slug": _slug(category.id)} for category in series.categories
        ],
        "rooms": _rooms(series, {room for day in day_list for room in day["rooms"]}),
        "days": day_list,
    }
    if info.description:
        conference["description"] = info.description
    schedule: dict[str, Any] = {
        "version": _version(by_uid.values()),
        "conference": conference,
        "wego_ical": extension,
    }
    if series.publish.base_url:
        schedule["base_url"] = series.publish.base_url
    return {
        "$schema": C3VOC_SCHEMA,
        "generator": {"name": "wego-ical"},
        "schedule": schedule,
    }


def _rooms(series: Series, names: set[str]) -> list[dict[str, str]]:
    """The schedule's rooms: the series' rooms in their order (each guid made of its id,
    the same in every language), then the other places by name."""
    info = series.series
    rooms = []
    for room in series.all_rooms():
        if room.name in names:
            names.discard(room.name)
            guid = url_guid(f"{info.url}#room-id={room.id}")
            rooms.append({"name": room.name, "guid": guid})
    for name in sorted(names):
        guid = url_guid(f"{info.url}#room={name}")
        rooms.append({"name": name, "guid": guid})
    return rooms


# An entry, its record (one occurrence's, for a repeating entry) and the key of its
# guid and numeric id (its UID, and the occurrence's RECURRENCE-ID if it repeats).
_Listed = tuple[CalendarEntry, EventRecord, str]


def _by_day(
    series: Series, by_uid: dict[str, EventRecord], zone: ZoneInfo
) -> dict[date, list[_Listed]]:
    """What each (conference) day lists: every published entry that is not cancelled,
    each occurrence of a repeating one."""
    days: dict[date, list[_Listed]] = {}
    for entry in calendar_entries(series):
        uid = entry_uid(series, entry)
        if uid not in by_uid or entry.status == "cancelled":
            continue
        for item in _occurrences(entry, by_uid[uid]):
            start = item[1].snapshot.aware_start.astimezone(zone)
            day = conference_day(start, series.day_change_of(entry.event))
            days.setdefault(day, []).append(item)
    return days


def _occurrences(entry: CalendarEntry, record: EventRecord) -> Iterator[_Listed]:
    """The entry as the schedule lists it: once, or each occurrence that takes place."""
    if record.snapshot.repeat is None:
        yield entry, record, record.uid
        return
    for original, snapshot in occurrence_snapshots(record.snapshot):
        if snapshot.status != "CANCELLED":
            key = f"{record.uid}#{original:%Y%m%dT%H%M%S}"
            yield entry, replace(record, snapshot=snapshot), key


class _Talk:
    """What the schedule says of one listed entry: its room, its event, its record."""

    def __init__(
        self,
        series: Series,
        ids: dict[str, int],
        language: str | None,
        page_url: str | None,
        zone: ZoneInfo,
    ) -> None:
        self.series, self.ids, self.language = series, ids, language
        self.page_url, self.zone = page_url, zone
        self.acronym = acronym(series.series.id)
        self.shared = False

    def room(self, entry: CalendarEntry, record: EventRecord) -> str:
        return room_name(self.series, entry) or record.snapshot.location or entry.event.title

    def digest(self, items: list[_Listed]) -> str:
        """The digest of all that the talks of ``items`` are made of: every input of
        :meth:`event` is in it (tests/output/test_kept_pieces.py edits each), so equal
        digests mean equal talks; and cheap, as a rebuild compares it with the file in
        place's for every room and day, so that only what changed is made."""
        digest = hashlib.sha256(self._context)
        for entry, record, key in items:
            session = entry.session
            own = (session.title, session.category, session.description) if session else None
            panelists = [ref.person for ref in entry.panelists]
            ids = (key, self.ids[key], record.uid, record.fingerprint, entry.key, entry.room)
            digest.update(repr((*ids, entry.event.title, own, panelists)).encode())
        return digest.hexdigest()

    @functools.cached_property
    def _context(self) -> bytes:
        """What any talk may show of the series: its settings and tables (their names), the
        language, the page's address, the zone and the acronym."""
        series = self.series
        tables = [series.series, *series.categories, *series.people, *series.rooms]
        context = [self.language, self.page_url, self.zone.key, self.acronym]
        return b"\0".join([*(item.digest_data() for item in tables), json.dumps(context).encode()])

    def event(self, listed: _Listed) -> dict[str, Any]:
        # What this reads must be in digest(): a rebuild copies the talks it finds by it.
        series, page_url = self.series, self.page_url
        entry, record, key = listed
        snapshot = record.snapshot
        start, end = snapshot.aware_start, snapshot.aware_end
        minutes = int((end - start).total_seconds() // 60)
        session = entry.session
        category = series.category(session.category) if session and session.category else None
        return {
            "guid": event_guid(key),
            "id": self.ids[key],
            "date": start.isoformat(),
            "start": hh_mm(start.astimezone(self.zone)),
            "duration": f"{minutes // 60:02}:{minutes % 60:02}",
            "room": self.room(entry, record),
            "slug": _slug(f"{self.acronym}-{entry.key.replace('.', '-')}"),
            # The session on the page when its address is known, else its own page.
            "url": (
                f"{page_url}#{entry.key.replace('.', '--')}"
                if page_url
                else snapshot.url or series.series.url
            ),
            "title": session_title(series, entry),
            "subtitle": entry.event.title if session is not None else None,
            "track": category.name if category else None,
            "type": "other" if snapshot.all_day else "talk",
            "language": self.language,
            "abstract": session.description if session and session.description else None,
            "description": snapshot.description,
            "persons": [
                {
                    "name": series.person(ref.person).name,
                    "guid": url_guid(f"{record.uid}#person={ref.person}"),
                }
                for ref in entry.panelists
            ],
            "links": [{"url": snapshot.url, "title": "Event page"}] if snapshot.url else [],
        }

    def meta(self, listed: _Listed) -> dict[str, Any]:
        series = self.series
        entry, record, key = listed
        session, snapshot = entry.session, record.snapshot
        return {
            **(
                {"fields": session.model_dump(**_AS_WRITTEN, exclude=_NOT_FIELDS)}
                if session
                else {}
            ),
            "uid": record.uid,
            **({"room": entry.room} if entry.room else {}),
            **({"occurrence": key.rpartition("#")[2]} if key != record.uid else {}),
            "event": entry.event.id,
            "session": session.id if session else None,
            "zone": snapshot.timezone,
            "event_zone": entry.event.zone_name(series.series.timezone),
            "all_day": bool(snapshot.all_day),
        }


class Events:
    """A room's talks of one day, made one at a time as the file is written; where the
    schedule is ``shared``, made once for both files: kept from the first file that
    writes them to the second (making them took a third of each file's time)."""

    def __init__(self, talk: _Talk, items: list[_Listed]) -> None:
        self.talk, self.items = talk, items
        self._kept: list[dict[str, Any]] | None = None
        # The talks' digest, once made (see Pieces): the same for both files.
        self.digest: str | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        kept, self._kept = self._kept, None
        if kept is not None:
            return iter(kept)
        if not self.talk.shared:
            return map(self.talk.event, self.items)
        self._kept = list(map(self.talk.event, self.items))
        return iter(self._kept)

    def release(self) -> None:
        """Let go of the talks kept for the second file (it copies them instead)."""
        self._kept = None


class Encoder(Protocol):
    """Encodes the parts of a file it is given (see :mod:`wego_ical.render.talk_codec`),
    in order; up to ``ahead`` of them may be given before the first is taken."""

    ahead: int

    def submit(self, kind: int, level: int, value: Any) -> None: ...

    def take(self) -> bytes: ...


# What makes the encoder of one file, and ends it once the file is written.
Encoding = Callable[[], AbstractContextManager[Encoder]]


@dataclass(frozen=True)
class Encoded:
    """A part of a file encoded from values by the :class:`Encoder`: a room's talks of a
    day (``events``, made when needed), or ``values`` made already."""

    kind: int
    level: int
    events: Events | None = None
    values: Any = None


class Pieces:
    """A file's bytes as they are written: where each room's talks of a day come from
    (the last build's bytes for talks made of the same, from ``kept``, else made), and the record
    of where each lies in this file, for the next build (see :class:`KeptPieces`). In a
    rebuild after one edit, the others are copied, not encoded again."""

    def __init__(self, kept: KeptPieces | None, path: str, ahead: XmlAhead | None = None) -> None:
        self.kept, self.path = kept, path
        # schedule.xml's talks encoded from schedule.json's: given to it, or taken here.
        self.ahead = ahead
        self.offset = 0
        self.made: list[tuple[str, int, int]] = []
        self.whole = hashlib.sha256()

    def written(self, parts: Iterable[bytes | Encoded], encoding: Encoding) -> Iterator[bytes]:
        """The file's bytes: the frame's as they are, each :class:`Encoded` part copied
        or encoded, by an encoder that may work ahead on the next parts meanwhile."""
        with encoding() as encoder:
            # Each part in order: a room's talks by their digest; bytes, or None while
            # the encoder has them.
            queue: deque[tuple[str | None, bytes | None]] = deque()
            waiting = 0
            for part in parts:
                started = (None, part) if isinstance(part, bytes) else self._start(part, encoder)
                queue.append(started)
                waiting += started[1] is None
                while queue and (queue[0][1] is not None or waiting > encoder.ahead):
                    waiting -= queue[0][1] is None
                    yield self._place(queue.popleft(), encoder)
            while queue:
                yield self._place(queue.popleft(), encoder)
        if self.kept is not None:
            self.kept.remember(self.path, self.made, self.whole.hexdigest())

    def _start(self, part: Encoded, encoder: Encoder) -> tuple[str | None, bytes | None]:
        """A part's bytes, copied when the file in place has them (found by the digest of
        what they are made of) or encoded ahead, else None: given to the encoder."""
        events = part.events
        if events is None:
            encoder.submit(part.kind, part.level, part.values)
            return None, None
        digest = data = None
        second = events.digest is not None  # the same digest for both files
        if self.kept is not None:
            digest = events.digest = events.digest or events.talk.digest(events.items)
            data = self.kept.piece(self.path, digest)
        if data is None and self.ahead is not None and part.kind == XML_TALKS:
            data = self.ahead.taken(events)
        if data is None:
            if self.ahead is not None and part.kind == JSON_TALKS:
                self.ahead.made(events)  # first: what is given may come back at once
            encoder.submit(part.kind, part.level, list(events))
        if self.kept is not None and second:
            events.release()  # talks one file made for the other, which needs them no more
        return digest, data

    def _place(self, part: tuple[str | None, bytes | None], encoder: Encoder) -> bytes:
        """A part's bytes (taken from the encoder if it has them), and where they lie in
        the file (a room's talks by their digest)."""
        digest, data = part
        if data is None:
            data = encoder.take()
        if self.kept is not None:
            if digest is not None:
                self.made.append((digest, self.offset, len(data)))
            self.offset += len(data)
            self.whole.update(data)
        return data


class Entries:
    """wego-ical's record of each listed entry (by guid), made as the file is written."""

    def __init__(self, talk: _Talk, items: list[_Listed]) -> None:
        self.talk, self.items = talk, items

    def parts(self, size: int) -> Iterator[dict[str, Any]]:
        """The records by guid, ``size`` entries at a time."""
        for start in range(0, len(self.items), size):
            yield {
                event_guid(item[2]): self.talk.meta(item)
                for item in self.items[start : start + size]
            }


# A table as the data file writes it (JSON types: no dates are left in it).
_AS_WRITTEN: dict[str, Any] = {"mode": "json", "by_alias": True, "exclude_defaults": True}
# What the record has elsewhere (ids, times, rooms, zones, UIDs, repeats).
_NOT_FIELDS = {
    "id", "uid", "date", "end_date", "start", "end", "all_day", "timezone", "day_change",
    "room", "repeat", "except_", "occurrences",
}  # fmt: skip


def _own_record(series: Series, language: str | None) -> dict[str, Any]:
    """wego-ical's record beside the c3voc schedule (``wego_ical``, which the schema
    allows): the series' identity, and the tables and each entry's own fields as the data
    file has them, so that an import of this export gives the same file back."""
    info = series.series
    record: dict[str, Any] = {
        "series": info.id,
        "uid_domain": info.uid_domain,
        "timezone": info.timezone,
        "organiser": info.organiser.name,
        "entries": {},
        "series_fields": info.model_dump(
            **_AS_WRITTEN,
            exclude={"id", "timezone", "uid_domain", "day_change", "updated", "languages"},
        ),
        "tables": {
            "categories": [item.model_dump(**_AS_WRITTEN) for item in series.categories],
            "people": [item.model_dump(**_AS_WRITTEN) for item in series.people],
            "projects": [item.model_dump(**_AS_WRITTEN) for item in series.projects],
            "labels": series.labels.model_dump(**_AS_WRITTEN),
        },
        "events": {
            event.id: event.model_dump(**_AS_WRITTEN, exclude=_NOT_FIELDS | {"sessions"})
            for event in series.events
        },
    }
    if len(info.languages) > 1 and language:
        # Which edition this is, so that an import of the default one finds the others
        # (<code>/schedule.json beside it) and brings their texts back as translations.
        record["languages"] = list(info.languages)
        record["language"] = language
    if series.rooms:
        record["rooms"] = [room.model_dump(exclude_defaults=True) for room in series.rooms]
    return record


def _numeric_ids(uids: Iterable[str]) -> dict[str, int]:
    """A positive integer per UID, from its hash (stable as other entries come and go),
    made unique by taking the next free number on a collision."""
    taken: set[int] = set()
    result = {}
    for uid in sorted(uids):
        number = int(hashlib.sha256(uid.encode()).hexdigest()[:7], 16) + 1
        while number in taken:
            number += 1
        taken.add(number)
        result[uid] = number
    return result


def _version(records: Iterable[EventRecord]) -> str:
    latest = max((record.updated for record in records), default=None)
    return utc_day_and_time(latest) if latest else "0"


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")
    return slug if len(slug) >= 2 else slug + "-x"
