"""``wego-ical import``: a series file from where schedules already live — a spreadsheet
(CSV/TSV), a frab/pretalx ``schedule.json`` or ``schedule.xml``, or an ``.ics``.

Each reader makes a :class:`Draft`: the series as the TOML file's tables, and
notes on what could not be carried over. The draft is validated by the normal
load path before anything is written (:func:`write_draft`), and an existing file
is never replaced without ``force``. tomli-w writes the TOML.

UIDs stay stable across re-imports: ids come from what the source keeps stable
(a c3voc ``guid``, the ``wego_ical`` record of wego-ical's own export, a
spreadsheet's id columns), never from row order.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from wego_ical.errors import ImportSourceError, OutputError

# The spreadsheet's columns, in the template's order (docs/format.md, "Import").
CSV_COLUMNS = [
    "event_id", "event", "date", "start", "end", "session_id", "title", "category",
    "speakers", "location", "description", "url",
]  # fmt: skip
CSV_EXAMPLE = [
    ["opening", "Opening day", "2026-05-04", "09:00", "12:00", "", "", "", "", "Main hall",
     "Doors open at 08:30.", "https://example.org/opening"],
    ["talks", "Talks", "2026-05-05", "10:00", "10:45", "keynote", "Keynote: open data",
     "Open Data", "Ada Example; Ben Example", "Room A", "", ""],
    ["talks", "Talks", "2026-05-05", "11:00", "11:30", "mobility", "Buses on time", "Mobility",
     "Ben Example", "Room A", "A case study.", ""],
]  # fmt: skip


@dataclass
class Draft:
    """A series made from another format: the TOML tables, and what was left out."""

    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SeriesDefaults:
    """What a source may lack, given on the command line (None: taken from the source)."""

    series_id: str | None = None
    title: str | None = None
    timezone: str | None = None
    uid_domain: str | None = None
    url: str | None = None
    organiser: str | None = None


def slug(text: str, fallback: str = "item") -> str:
    """An id made of ``text``: lower-case letters, digits and hyphens."""
    made = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")
    return made or fallback


def csv_template() -> str:
    """A spreadsheet to start from: the columns and three example rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(CSV_EXAMPLE)
    return out.getvalue()


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
            return from_rows(_decoded(path, raw), "\t" if kind == "tsv" else ",", defaults)
        if kind == "json":
            return from_schedule(json.loads(_decoded(path, raw)), defaults)
        if kind == "xml":
            return from_schedule(_xml_schedule(raw), defaults)
        return from_ics(raw, defaults)
    except (ValueError, KeyError, TypeError, ET.ParseError) as exc:
        raise ImportSourceError(f"{path}: cannot be read as {kind} ({_why(exc)})") from None


def _decoded(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportSourceError(
            f"{path}: is not UTF-8 (byte {exc.start}); save it as UTF-8"
        ) from None


def _why(exc: Exception) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0][:200]


# ------------------------------------------------------------------ spreadsheets


def from_rows(text: str, delimiter: str, defaults: SeriesDefaults) -> Draft:
    """A spreadsheet of sessions, one per row (columns: :data:`CSV_COLUMNS`; times in the
    series' zone). A row without a session title is its event itself."""
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [c for c in ("event", "date", "start", "end") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"the columns {', '.join(missing)} are missing; see --template csv")
    unknown = [c for c in reader.fieldnames or [] if c not in CSV_COLUMNS]
    notes = [f"the columns {', '.join(unknown)}"] if unknown else []
    draft = _series(defaults, notes, title="Imported series")
    people: dict[str, dict[str, Any]] = {}
    categories: dict[str, dict[str, Any]] = {}
    events: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(reader, 2):
        values = {key: (value or "").strip() for key, value in row.items() if key}
        event_id = values.get("event_id") or slug(values["event"], "event")
        event = events.setdefault(
            event_id, {"id": event_id, "title": values["event"], "sessions": []}
        )
        day, start, end = (
            _day(values["date"], number),
            _clock(values["start"], number),
            _clock(values["end"], number),
        )
        entry: dict[str, Any] = {"start": start, "end": end}
        if values.get("location"):
            entry["location"] = values["location"]
        if values.get("description"):
            entry["description"] = values["description"]
        if values.get("url"):
            entry["url"] = values["url"]
        if values.get("speakers"):
            entry["panelists"] = [
                _person(people, name) for name in re.split(r"\s*;\s*", values["speakers"]) if name
            ]
        if not values.get("title") and not values.get("session_id"):
            event.update({"date": day, **entry})
            continue
        entry["id"] = values.get("session_id") or slug(values["title"], f"row-{number}")
        entry["title"] = values.get("title") or entry["id"]
        entry["date"] = day
        if values.get("category"):
            entry["category"] = _category(categories, values["category"])
        event["sessions"].append(entry)
    draft.data["categories"] = list(categories.values())
    draft.data["people"] = list(people.values())
    draft.data["events"] = [_framed(event) for event in events.values()]
    return draft


def _day(text: str, row: int) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"row {row}: date {text!r} is not YYYY-MM-DD") from None


def _clock(text: str, row: int) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"row {row}: time {text!r} is not HH:MM") from None


def _person(people: dict[str, dict[str, Any]], name: str) -> str:
    person_id = slug(name, "person")
    people.setdefault(person_id, {"id": person_id, "name": name})
    return person_id


def _category(categories: dict[str, dict[str, Any]], name: str) -> str:
    category_id = slug(name, "category")
    categories.setdefault(category_id, {"id": category_id, "name": name})
    return category_id


def _framed(event: dict[str, Any]) -> dict[str, Any]:
    """An event around its sessions: from their first day to their last, and from the
    first start to the last end when every session is timed in the event's zone."""
    sessions = event["sessions"]
    if not sessions:
        event.pop("sessions")
        return event
    days = sorted({s["date"] for s in sessions} | {s.get("end_date", s["date"]) for s in sessions})
    event.setdefault("date", days[0])
    if days[-1] != event["date"]:
        event["end_date"] = days[-1]
    if all("start" in s and "timezone" not in s for s in sessions):
        first = [s for s in sessions if s["date"] == days[0]]
        last = [s for s in sessions if s.get("end_date", s["date"]) == days[-1]]
        event.setdefault("start", min(s["start"] for s in first))
        if last:
            event.setdefault("end", max(s["end"] for s in last))
    for session in sessions:
        if session["date"] == event["date"]:
            del session["date"]
    return event


# ------------------------------------------------------------------ frab / pretalx


def from_schedule(document: Mapping[str, Any], defaults: SeriesDefaults) -> Draft:
    """A c3voc ``schedule.json`` (pretalx, frab, wego-ical). wego-ical's own export
    comes back with its ids (the same UIDs); another's becomes one event per room and
    day, each talk a session whose id comes from its guid."""
    schedule = document["schedule"]
    conference = schedule["conference"]
    own = schedule.get("wego_ical") if isinstance(schedule.get("wego_ical"), dict) else None
    zone_name = (own or {}).get("timezone") or conference.get("time_zone_name") or "UTC"
    url = conference.get("url") or schedule.get("base_url")
    notes: list[str] = []
    series_id = (own or {}).get("series") or conference["acronym"].replace("_", "-")
    host = urlsplit(url).hostname if url else None
    domain = (own or {}).get("uid_domain") or (host if host and "." in host else None)
    draft = _series(
        defaults, notes, title=conference["title"], series_id=series_id, timezone=zone_name,
        uid_domain=domain, url=url, organiser_name=(own or {}).get("organiser"),
    )  # fmt: skip
    if conference.get("description"):
        draft.data["series"]["description"] = conference["description"]
    if own is not None and schedule.get("base_url"):
        # wego-ical's own base_url: where its feeds are published (a pretalx base_url is
        # pretalx's, not a place for these feeds).
        draft.data["publish"] = {"base_url": schedule["base_url"]}
    zone = ZoneInfo(draft.data["series"]["timezone"])
    tracks = {t["name"]: t.get("slug") or slug(t["name"]) for t in conference.get("tracks", [])}
    categories: dict[str, dict[str, Any]] = {}
    people: dict[str, dict[str, Any]] = {}
    events: dict[str, dict[str, Any]] = {}
    entries = (own or {}).get("entries", {})
    for day in conference.get("days", []):
        for room, talks in day.get("rooms", {}).items():
            for talk in talks:
                meta = entries.get(talk["guid"])
                start = datetime.fromisoformat(talk["date"])
                hours, minutes = (int(x) for x in talk["duration"].split(":")[:2])
                end = start + timedelta(hours=hours, minutes=minutes)
                placed = _place(events, talk, meta, room, start, zone)
                entry = _timed(start, end, meta, zone)
                if room and room != placed.get("title"):
                    entry["location"] = room
                description = talk.get("abstract") or ""
                if talk.get("language") and own is None:
                    # The language a talk is given in: the series' languages are those of
                    # its texts, so it goes into the session's description.
                    spoken = _language_name(talk["language"])
                    description = f"{description}\n\nLanguage: {spoken}".strip()
                if description:
                    entry["description"] = description
                names = [p.get("name") or p.get("public_name") for p in talk.get("persons", [])]
                if names:
                    entry["panelists"] = [_person(people, n) for n in names if n]
                if meta is not None and meta.get("session") is None:
                    placed.update(entry)
                    continue
                entry["id"] = meta["session"] if meta else _talk_id(talk)
                entry["title"] = talk["title"]
                if talk.get("track"):
                    category_id = tracks.get(talk["track"]) or slug(talk["track"])
                    categories.setdefault(category_id, {"id": category_id, "name": talk["track"]})
                    entry["category"] = category_id
                placed["sessions"].append(entry)
    notes.append("links, recordings and logos")
    draft.data["categories"] = list(categories.values())
    draft.data["people"] = list(people.values())
    draft.data["events"] = [_framed(event) for event in events.values()]
    return draft


def _place(
    events: dict[str, dict[str, Any]],
    talk: Mapping[str, Any],
    meta: Mapping[str, Any] | None,
    room: str,
    start: datetime,
    zone: ZoneInfo,
) -> dict[str, Any]:
    """The event a talk belongs to: its own (wego-ical's record), else its room's day."""
    if meta is not None:
        event_id = meta["event"]
        title = talk.get("subtitle") if meta.get("session") else talk["title"]
        event = events.setdefault(event_id, {"id": event_id, "title": title, "sessions": []})
        if meta.get("event_zone") and meta["event_zone"] != str(zone):
            event["timezone"] = meta["event_zone"]
        return event
    day = start.astimezone(zone).date()
    event_id = f"{slug(room, 'room')}-{day.isoformat()}"
    return events.setdefault(
        event_id, {"id": event_id, "title": room or "Sessions", "location": room, "sessions": []}
    )


def _timed(
    start: datetime, end: datetime, meta: Mapping[str, Any] | None, zone: ZoneInfo
) -> dict[str, Any]:
    """A session's or event's date and times in its zone (its own, when recorded)."""
    own = ZoneInfo(meta["zone"]) if meta and meta.get("zone") else zone
    event_zone = ZoneInfo(meta["event_zone"]) if meta and meta.get("event_zone") else zone
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


def _language_name(code: str) -> str:
    """ "English (en)": a language code with its English name, when Babel knows it."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name("en")
    except (UnknownLocaleError, ValueError):
        return code
    return f"{name} ({code})" if name else code


def _talk_id(talk: Mapping[str, Any]) -> str:
    return "talk-" + str(talk["guid"]).replace("-", "")[:10].lower()


def _xml_schedule(raw: bytes) -> dict[str, Any]:
    """A ``schedule.xml`` as the JSON structure of ``schedule.json``."""
    root = ET.fromstring(raw)
    conference = root.find("conference")
    if root.tag != "schedule" or conference is None:
        raise ValueError("not a frab schedule.xml (no <schedule><conference>)")
    info = {child.tag: (child.text or "") for child in conference if child.tag != "track"}
    days = []
    for day in root.findall("day"):
        rooms: dict[str, list[dict[str, Any]]] = {}
        for room in day.findall("room"):
            rooms[room.get("name", "")] = [_xml_event(event) for event in room.findall("event")]
        days.append({"date": day.get("date"), "rooms": rooms})
    conference_data = {
        "acronym": info.get("acronym", "imported"),
        "title": info.get("title", "Imported series"),
        "time_zone_name": info.get("time_zone_name"),
        "url": info.get("url") or None,
        "tracks": [{"name": t.get("name", "")} for t in conference.findall("track")],
        "days": days,
    }
    return {"schedule": {"conference": conference_data}}


def _xml_event(event: ET.Element) -> dict[str, Any]:
    text = {child.tag: (child.text or "").strip() for child in event}
    return {
        "guid": event.get("guid", ""),
        "date": text["date"],
        "duration": text.get("duration", "00:00"),
        "title": text.get("title", ""),
        "subtitle": text.get("subtitle") or None,
        "track": text.get("track") or None,
        "abstract": text.get("abstract") or None,
        "language": text.get("language") or None,
        "persons": [{"name": (p.text or "").strip()} for p in event.iterfind("persons/person")],
    }


# ------------------------------------------------------------------ iCalendar


def from_ics(raw: bytes, defaults: SeriesDefaults) -> Draft:
    """An ``.ics`` someone keeps: each event becomes an event of the series, in its own
    zone, with its description, place and link. UIDs are wego-ical's own afterwards."""
    import icalendar

    calendar = icalendar.Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    name = str(calendar.get("X-WR-CALNAME") or calendar.get("NAME") or "Imported calendar")
    zones = [str(e["DTSTART"].params.get("TZID")) for e in events if "TZID" in e["DTSTART"].params]
    zone = str(calendar.get("X-WR-TIMEZONE") or (zones[0] if zones else "UTC"))
    uids = [str(e.get("UID", "")) for e in events]
    domain = next((uid.rpartition("@")[2] for uid in uids if "@" in uid), None)
    notes = [
        "the calendar's UIDs (wego-ical gives the events its own; subscribers of the old "
        "calendar get new events)"
    ]
    draft = _series(defaults, notes, title=name, timezone=zone, uid_domain=domain)
    imported: list[dict[str, Any]] = []
    taken: set[str] = set()
    for number, event in enumerate(events, 1):
        if "RRULE" in event or "RDATE" in event:
            notes.append(
                f"{event.get('SUMMARY', 'an event')}: repeats; only its first time is kept"
            )
        start, end = event.decoded("DTSTART"), event.decoded("DTEND", None)
        item_id = slug(str(event.get("UID", "")).partition("@")[0], f"event-{number}")
        while item_id in taken:
            item_id += "-x"
        taken.add(item_id)
        item: dict[str, Any] = {"id": item_id, "title": str(event.get("SUMMARY") or item_id)}
        if isinstance(start, datetime):
            own = start.tzinfo if start.tzinfo is not None else ZoneInfo(zone)
            end = end or start + event.decoded("DURATION", timedelta(hours=1))
            start, end = start.astimezone(own), end.astimezone(own)
            item |= {"date": start.date(), "start": start.time(), "end": end.time()}
            key = getattr(own, "key", None)
            if key and key != zone:
                item["timezone"] = key
            if end.date() != start.date():
                item["end_date"] = end.date()
        else:
            last = (end or start + timedelta(days=1)) - timedelta(days=1)
            item |= {"date": start, "all_day": True}
            if last != start:
                item["end_date"] = last
        for prop, key in (("DESCRIPTION", "description"), ("LOCATION", "location"), ("URL", "url")):
            if event.get(prop):
                item[key] = str(event[prop])
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            item["status"] = "cancelled"
        imported.append(item)
    draft.data["events"] = imported
    return draft


# ------------------------------------------------------------------ the file


def _series(
    defaults: SeriesDefaults,
    notes: list[str],
    *,
    title: str,
    series_id: str | None = None,
    timezone: str | None = None,
    uid_domain: str | None = None,
    url: str | None = None,
    organiser_name: str | None = None,
) -> Draft:
    """The [series] table: the command line's values first, then the source's."""
    chosen_title = defaults.title or title
    info: dict[str, Any] = {
        "id": defaults.series_id or series_id or slug(chosen_title, "series"),
        "title": chosen_title,
        "url": defaults.url or url or "https://example.org/",
        "timezone": defaults.timezone or timezone or "UTC",
        "uid_domain": defaults.uid_domain or uid_domain or "example.org",
    }
    if not (defaults.url or url):
        notes.append("the series' web address (url is https://example.org/: change it)")
    if not (defaults.uid_domain or uid_domain):
        notes.append("a UID domain (uid_domain is example.org: set yours before publishing)")
    organiser = {"name": defaults.organiser or organiser_name or "Organiser"}
    if not (defaults.organiser or organiser_name):
        notes.append("the organiser (its name is 'Organiser': change it, or --set organiser=…)")
    return Draft({"series": {**info, "organiser": organiser}}, notes)


def draft_toml(draft: Draft, source: str) -> str:
    """The series file: a header naming the source and what was not carried over."""
    import tomli_w

    lines = [
        "#:schema ../schema/events.schema.json",
        f"# Imported by wego-ical from {source}.",
        *(f"# Not carried over: {note}." for note in draft.notes),
        "# Check it with: wego-ical check --data <this file>",
        "",
    ]
    data = {key: value for key, value in draft.data.items() if value not in ([], {}, None)}
    return "\n".join(lines) + tomli_w.dumps(_clean(data))


def _clean(value: Any) -> Any:
    """Values tomli-w writes as the format expects: times to the minute, no empty lists."""
    if isinstance(value, dict):
        # id and title first, as a person writes them.
        order = sorted(value, key=lambda key: {"id": 0, "title": 1}.get(key, 2))
        return {k: _clean(value[k]) for k in order if value[k] not in ([], None, "")}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, time):
        return value.replace(microsecond=0, tzinfo=None)
    return value


def write_draft(draft: Draft, source: str, out: Path, *, force: bool) -> list[str]:
    """Validate the draft as a build would, then write it at ``out`` (never over an
    existing file without ``force``). The notes: what the draft left out."""
    from wego_ical.load import parse_editions

    text = draft_toml(draft, source)
    # Checked as a build checks it (DataError: every problem, by line of the draft).
    parse_editions(text, f"{out} (as imported from {source})")
    if out.exists() and not force:
        raise OutputError(
            f"{out}: exists already; nothing was written (pass --force to replace it)"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{out}: cannot be written ({exc.strerror})") from None
    return draft.notes
