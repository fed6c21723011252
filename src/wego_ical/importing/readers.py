"""The readers of ``wego-ical import`` that need more than one step: the frab/pretalx
schedule (``schedule.json``, ``schedule.xml``; the hub's second format through
:mod:`~wego_ical.importing.schedule_v2`), and the choice of reader for a file.

See :mod:`~wego_ical.importing.drafts` for the drafts they make and how they are written.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from wego_ical.catalogue import SCHEDULE_JSON
from wego_ical.errors import ImportSourceError
from wego_ical.files import ReadRefused, read_bounded
from wego_ical.i18n.locales import language_problem
from wego_ical.importing.calendars import from_ics
from wego_ical.importing.drafts import (
    Draft,
    SeriesDefaults,
    framed,
    kept_uid,
    left_out,
    person_id,
    series_draft,
    slug,
    talk_facts,
    translated,
    unique_id,
    zone_of,
)
from wego_ical.importing.schedule_v2 import as_days, is_schedule_v2
from wego_ical.importing.schedule_xml import xml_schedule
from wego_ical.importing.sheet_text import sheet_text
from wego_ical.importing.spreadsheets import from_rows
from wego_ical.limits import MAX_IMPORT_BYTES
from wego_ical.model.uids import derived_uid


def detect_format(path: Path, raw: bytes) -> str:
    """csv, tsv, json, xml or ics, from the file name, else from its first bytes."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "tsv", "json", "xml", "ics"):
        return suffix
    head = raw.lstrip()[:200]
    if head.startswith(b"{"):
        return "json"
    if head.startswith(b"<"):
        return "xml"
    if head.upper().startswith(b"BEGIN:VCALENDAR"):
        return "ics"
    return "tsv" if b"\t" in head.split(b"\n", 1)[0] else "csv"


def read_draft(path: Path, raw: bytes, kind: str, defaults: SeriesDefaults) -> Draft:
    """The draft of the file ``path`` (its bytes ``raw``) read as ``kind``."""
    try:
        if kind in ("csv", "tsv"):
            text, delimiter, note = sheet_text(raw, kind)
            draft = from_rows(text, delimiter, defaults)
            draft.notes += [note] if note else []
            return draft
        if kind == "json":
            document = json.loads(_decoded(raw))
            if is_schedule_v2(document):
                return from_schedule(as_days(document), defaults)
            return _with_editions(path, document, from_schedule(document, defaults), defaults)
        if kind == "xml":
            return from_schedule(xml_schedule(raw), defaults)
        return from_ics(raw, defaults)
    except ImportSourceError as exc:  # worded by a reader, about this file
        raise ImportSourceError(f"{path}: {exc}") from None
    except RecursionError:
        raise ImportSourceError(
            f"{path}: cannot be read as {kind} (nested hundreds of levels deep)"
        ) from None
    except Exception as exc:
        # A source is anyone's file: a value of the wrong type, a year out of range,
        # a duration of centuries, a broken CSV line or an unknown XML encoding is
        # a message about the file, never a traceback.
        raise ImportSourceError(f"{path}: cannot be read as {kind} ({_why(exc)})") from None


def _with_editions(
    path: Path, document: Mapping[str, Any], draft: Draft, defaults: SeriesDefaults
) -> Draft:
    """wego-ical's own export of its default language, with the texts of its other
    editions (``<code>/schedule.json`` beside it) as translations."""
    record = document["schedule"].get("wego_ical")
    languages = record.get("languages") if isinstance(record, Mapping) else None
    if not isinstance(languages, list) or len(languages) < 2:
        return draft
    default, others = str(languages[0]), [str(code) for code in languages[1:]]
    # The codes come from the source and name folders: only language codes, never paths.
    if any(language_problem(code) for code in (default, *others)):
        draft.notes.append("the other languages (the record names codes that are not languages)")
        return draft
    if record.get("language") != default:
        draft.notes.append(
            f"the texts in {', '.join([default, *others])} but '{record.get('language')}': "
            f"import the '{default}' edition's schedule.json to bring every language"
        )
        return draft
    kept = [default]
    for code in others:
        edition = path.parent / code / SCHEDULE_JSON
        try:
            other = json.loads(_decoded(read_bounded(edition, MAX_IMPORT_BYTES)))
            draft.data = translated(draft.data, from_schedule(other, defaults).data, code, default)
        except (ReadRefused, OSError, ValueError, KeyError, TypeError, ImportSourceError):
            draft.notes.append(f"the '{code}' texts ({edition} cannot be read)")
            continue
        kept.append(code)
    draft.data["series"] |= {"languages": kept} if len(kept) > 1 else {}
    return draft


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportSourceError(f"is not UTF-8 (byte {exc.start}); save it as UTF-8") from None


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc}"
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


# ------------------------------------------------------------------ frab / pretalx


def from_schedule(document: Mapping[str, Any], defaults: SeriesDefaults) -> Draft:
    """A c3voc ``schedule.json`` (pretalx, frab, wego-ical). wego-ical's own export
    comes back with its ids (the same UIDs); another's becomes one event per room and
    day, each talk a session whose id comes from its guid."""
    schedule = document["schedule"]
    own = schedule.get("wego_ical") if isinstance(schedule.get("wego_ical"), dict) else None
    notes: list[str] = []
    draft = _schedule_series(schedule, own, defaults, notes)
    conference = schedule["conference"]
    talks = _Talks(zone_of(draft.data["series"]["timezone"]), own, conference.get("tracks", []))
    for room in conference.get("rooms", []):
        if isinstance(room, Mapping) and room.get("name"):
            talks.room_id(str(room["name"]))
    for day in conference.get("days", []):
        for room, in_room in day.get("rooms", {}).items():
            for talk in in_room:
                talks.add(talk, room, day)
    if own is None:
        notes += talks.shared_rooms()
        day_change = talks.day_change(_clock(conference.get("day_change")))
        if day_change is not None:
            draft.data["series"]["day_change"] = day_change
    notes.append("links, recordings and logos")
    if talks.without_duration:
        notes.append(
            left_out(
                talks.without_duration,
                "talk without a duration, or of none",
                "talks without a duration, or of none",
            )
            + ": add them by hand with their end times"
        )
    if not _recorded_tables(draft, own or {}, defaults):
        draft.data["categories"] = list(talks.categories.values())
        draft.data["people"] = list(talks.people.values())
    recorded_rooms = (own or {}).get("rooms")
    rooms = recorded_rooms if isinstance(recorded_rooms, list) else list(talks.rooms.values())
    if rooms and (own is None or recorded_rooms):
        draft.data["rooms"] = rooms
    draft.data["events"] = [framed(event) for event in talks.events.values()]
    return draft


def _recorded_tables(draft: Draft, own: Mapping[str, Any], defaults: SeriesDefaults) -> bool:
    """wego-ical's own export: the [series] table's texts and organiser, and the tables,
    as the data file had them (what --set gives wins). False: the source records none."""
    fields = own.get("series_fields")
    if isinstance(fields, Mapping):
        given = {"title": defaults.title, "url": defaults.url, "organiser": defaults.organiser}
        draft.data["series"].update(
            {key: value for key, value in fields.items() if given.get(key) is None}
        )
    tables = own.get("tables")
    if not isinstance(tables, Mapping):
        return False
    for key in ("categories", "people", "projects"):
        draft.data[key] = list(tables.get(key) or [])
    if tables.get("labels"):
        draft.data["labels"] = dict(tables["labels"])
    return True


def _schedule_series(
    schedule: Mapping[str, Any],
    own: Mapping[str, Any] | None,
    defaults: SeriesDefaults,
    notes: list[str],
) -> Draft:
    """The series of a schedule: its title, zone, address and (wego-ical's own export)
    where its feeds were published."""
    conference = schedule["conference"]
    recorded = own or {}
    url = conference.get("url") or schedule.get("base_url")
    host = urlsplit(url).hostname if url else None
    source = SeriesDefaults(
        title=conference["title"],
        series_id=recorded.get("series") or conference["acronym"],
        timezone=recorded.get("timezone") or conference.get("time_zone_name") or None,
        uid_domain=recorded.get("uid_domain") or (host if host and "." in host else None),
        url=url,
        organiser=recorded.get("organiser"),
    )
    draft = series_draft(defaults, source, notes, _talk_times(conference))
    if conference.get("description"):
        draft.data["series"]["description"] = conference["description"]
    if own is not None and schedule.get("base_url"):
        # wego-ical's own base_url: where its feeds are published (a pretalx base_url is
        # pretalx's, not a place for these feeds).
        draft.data["publish"] = {"base_url": schedule["base_url"]}
    return draft


def _talk_times(conference: Mapping[str, Any]) -> list[datetime]:
    """The talks' start times as the schedule writes them (with their offsets, if any),
    for the zone of a schedule that names none; those that do not read are left to the
    talks' own reading, which says what is wrong with them."""
    times = []
    for day in conference.get("days") or []:
        rooms = day.get("rooms") if isinstance(day, Mapping) else None
        for talks in rooms.values() if isinstance(rooms, Mapping) else ():
            for talk in talks if isinstance(talks, list) else ():
                try:
                    times.append(datetime.fromisoformat(talk["date"]))
                except (KeyError, TypeError, ValueError):
                    continue
    return times


class _Talks:
    """The events, categories and people of a schedule's talks, as they are added."""

    def __init__(
        self, zone: ZoneInfo, own: Mapping[str, Any] | None, tracks: list[Mapping[str, Any]]
    ) -> None:
        self.zone, self.own = zone, own
        self.entries = (own or {}).get("entries", {})
        self.tracks = {t["name"]: t.get("slug") or slug(t["name"]) for t in tracks}
        self.categories: dict[str, dict[str, Any]] = {}
        self.people: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        # The session ids made so far: two talks never share one.
        self.taken: set[str] = set()
        # Talks left out: no duration, or one of none (a calendar entry needs an end).
        self.without_duration: list[str] = []
        # Another's schedule: its rooms by name (declared in the draft, in order), and
        # each talk's start and end in its room, for the rooms that hold talks at once.
        self.rooms: dict[str, dict[str, Any]] = {}
        self.room_ids: set[str] = set()
        self.slots: list[tuple[str, datetime, datetime]] = []
        # Talks listed under a schedule day that start after it (after midnight).
        self.late: list[tuple[datetime, datetime]] = []
        self.first_starts: list[datetime] = []

    def room_id(self, name: str) -> str:
        """The id of a room of another's schedule, declared when first seen."""
        if name not in self.rooms:
            room_id = unique_id(slug(name, "room"), self.room_ids)
            self.rooms[name] = {"id": room_id, "name": name}
        return str(self.rooms[name]["id"])

    def add(self, talk: Mapping[str, Any], room: str, day: Mapping[str, Any]) -> None:
        """Place one talk: as a session of its event, or (wego-ical's record of an event
        without sessions) as the event itself."""
        meta = self.entries.get(talk["guid"])
        span = self._span(talk)
        if span is None:
            return
        if meta is not None:
            placed, entry = self._recorded(talk, meta, room, *span)
            if self._as_recorded(meta, placed, entry):
                return
        else:
            placed, entry = self._theirs(talk, room, day, *span)
        if description := self._description(talk):
            entry["description"] = description
        link = talk.get("url")
        if self.own is None and isinstance(link, str) and link.startswith(("https://", "http://")):
            entry["url"] = link
        names = [p.get("name") or p.get("public_name") for p in talk.get("persons", [])]
        if names:
            entry["panelists"] = [person_id(self.people, n) for n in names if n]
        if meta is not None and meta.get("session") is None:
            placed.update(entry)
            return
        entry["id"] = meta["session"] if meta else unique_id(_talk_id(talk), self.taken)
        entry["title"] = talk["title"]
        if talk.get("track"):
            entry["category"] = self._category(talk["track"])
        placed["sessions"].append(entry)

    def _span(self, talk: Mapping[str, Any]) -> tuple[datetime, datetime] | None:
        """A talk's start and end (None, and noted, when it has no duration)."""
        start = datetime.fromisoformat(talk["date"])
        if start.tzinfo is None:  # pentabarf's times: local to the conference
            start = start.replace(tzinfo=self.zone)
        length = _duration(talk.get("duration"))
        if not length:
            self.without_duration.append(str(talk.get("title") or talk.get("guid")))
            return None
        return start, start + length

    def _as_recorded(
        self, meta: Mapping[str, Any], placed: dict[str, Any], entry: dict[str, Any]
    ) -> bool:
        """A session of wego-ical's own export with the data file's fields, taken as they
        are (False: the export records none, its talk is read as another's)."""
        if "fields" not in meta or not self.own or "tables" not in self.own:
            return False
        entry |= meta["fields"]
        entry["id"], entry["title"] = meta["session"], meta["fields"].get("title")
        placed["sessions"].append({k: v for k, v in entry.items() if v is not None})
        return True

    def _recorded(
        self,
        talk: Mapping[str, Any],
        meta: Mapping[str, Any],
        room: str,
        start: datetime,
        end: datetime,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A talk of wego-ical's own export: its event and entry as its record says."""
        placed = _place(self.events, talk, meta, start, self.zone)
        recorded = (self.own or {}).get("events", {}).get(meta["event"])
        if isinstance(recorded, Mapping):  # the event's fields as the data file has them
            placed.update({**recorded, "id": placed["id"], "sessions": placed["sessions"]})
        entry = _timed(start, end, meta, self.zone)
        if meta.get("room"):
            entry["room"] = meta["room"]
        elif room and room != placed.get("title"):
            entry["location"] = room
        if meta.get("uid") and meta["uid"] != _derived_uid(self.own or {}, meta):
            entry["uid"] = meta["uid"]
        return placed, entry

    def _theirs(
        self,
        talk: Mapping[str, Any],
        room: str,
        day: Mapping[str, Any],
        start: datetime,
        end: datetime,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A talk of another's schedule: a session of its day, in its room, its guid its
        uid."""
        placed = self._day(day, start)
        entry = _timed(start, end, None, self.zone)
        if room:
            entry["room"] = self.room_id(room)
            self.slots.append((entry["room"], start, end))
        if (uid := kept_uid(talk.get("guid"))) is not None:
            entry["uid"] = uid
        return placed, entry

    def _day(self, day: Mapping[str, Any], start: datetime) -> dict[str, Any]:
        """The event of a schedule day (its date: the conference day, which may run past
        midnight)."""
        local = start.astimezone(self.zone)
        date_text = str(day.get("date") or local.date().isoformat())
        listed = datetime.fromisoformat(date_text).date() if day.get("date") else local.date()
        if local.date() > listed:
            self.late.append((local, datetime.combine(listed, local.time())))
        else:
            self.first_starts.append(local)
        event_id = f"day-{listed.isoformat()}"
        if event_id not in self.events:
            number = day.get("index") or len(self.events) + 1
            self.events[event_id] = {"id": event_id, "title": f"Day {number}", "sessions": []}
        return self.events[event_id]

    def shared_rooms(self) -> list[str]:
        """Rooms where the schedule has talks at the same time: declared as rooms that
        hold overlapping sessions, with a note."""
        by_room: dict[str, list[tuple[datetime, datetime]]] = {}
        for room_id, start, end in self.slots:
            by_room.setdefault(room_id, []).append((start, end))
        shared = []
        for room in self.rooms.values():
            times = sorted(by_room.get(room["id"], []))
            if any(later[0] < earlier[1] for earlier, later in itertools.pairwise(times)):
                room["overlap"] = True
                shared.append(room["name"])
        if not shared:
            return []
        return [
            f"{left_out(shared, 'room', 'rooms')} with talks at the same time: declared with "
            "overlap = true (check whether they are really one room)"
        ]

    def day_change(self, given: time | None) -> time | None:
        """When the schedule's days end, if talks run past midnight: the source's own
        (``given``: frab's <day_change>, the hub's day spans) where its talks keep it,
        else the first start of any day (a talk before it belongs to the day before);
        None when no talk runs past midnight, or the days do not say."""
        if not self.late or not self.first_starts:
            return None
        latest = max(local.time() for local, _ in self.late)
        earliest = min(local.time() for local in self.first_starts)
        if given is not None and latest < given <= earliest:
            return given
        return earliest if latest < earliest else None

    def _description(self, talk: Mapping[str, Any]) -> str:
        abstract = str(talk.get("abstract") or "").strip()
        if self.own is not None:
            # wego-ical's own export: its abstract is the session's description (its
            # "description" the generated text, made again from the data).
            return abstract
        # Another's: every text it has, none dropped (the abstract was kept alone,
        # losing the description of most talks).
        description = str(talk.get("description") or "").strip()
        # One text when one holds the other (a generated description often holds the
        # abstract), else both.
        texts = [abstract, description]
        if abstract in description or description in abstract:
            texts = [max(texts, key=len)]
        parts = [str(talk.get("subtitle") or "").strip(), *texts, *talk_facts(talk)]
        return "\n\n".join(part for part in parts if part)

    def _category(self, track: str) -> str:
        category_id = self.tracks.get(track) or slug(track)
        self.categories.setdefault(category_id, {"id": category_id, "name": track})
        return category_id


def _place(
    events: dict[str, dict[str, Any]],
    talk: Mapping[str, Any],
    meta: Mapping[str, Any],
    start: datetime,
    zone: ZoneInfo,
) -> dict[str, Any]:
    """The event a talk of wego-ical's own export belongs to, as its record says."""
    event_id = meta["event"]
    title = talk.get("subtitle") if meta.get("session") else talk["title"]
    event = events.setdefault(event_id, {"id": event_id, "title": title, "sessions": []})
    if meta.get("event_zone") and meta["event_zone"] != str(zone):
        event["timezone"] = meta["event_zone"]
    return event


def _derived_uid(own: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
    """The UID wego-ical derives for a recorded entry (one set by the file differs)."""
    key = ".".join(part for part in (meta["event"], meta.get("session")) if part)
    return derived_uid(str(own.get("series")), key, str(own.get("uid_domain")))


def _timed(
    start: datetime, end: datetime, meta: Mapping[str, Any] | None, zone: ZoneInfo
) -> dict[str, Any]:
    """A session's or event's date and times in its zone (its own, when recorded)."""
    own = zone_of(meta["zone"]) if meta and meta.get("zone") else zone
    event_zone = zone_of(meta["event_zone"]) if meta and meta.get("event_zone") else zone
    local_start, local_end = start.astimezone(own), end.astimezone(own)
    entry: dict[str, Any] = {"date": local_start.date()}
    if own != event_zone:
        entry["timezone"] = str(own)
    if meta and meta.get("all_day"):
        entry["all_day"] = True
        last = (local_end - timedelta(days=1)).date()
        if last != local_start.date():
            entry["end_date"] = last
        return entry
    entry["start"], entry["end"] = local_start.time(), local_end.time()
    if local_end.date() != local_start.date():
        entry["end_date"] = local_end.date()
    return entry


def _duration(text: object) -> timedelta | None:
    """A talk's duration, "HH:MM" or "HH:MM:SS"; None when it has none."""
    if not isinstance(text, str) or not text.strip():
        return None
    parts = [int(part) for part in text.strip().split(":")]
    if len(parts) not in (2, 3):
        raise ValueError(f"duration {text!r} is not HH:MM")
    return timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2] if len(parts) == 3 else 0)


def _clock(value: object) -> time | None:
    """A time of day as a schedule writes it (``06:00``, ``06:00:00``), else None."""
    try:
        return time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _talk_id(talk: Mapping[str, Any]) -> str:
    """A talk's id from its whole guid (the first characters of two guids may be the
    same), else from its title."""
    guid = slug(str(talk.get("guid") or "").replace("-", ""), "")
    return f"talk-{guid}" if guid else slug(str(talk.get("title") or ""), "talk")
