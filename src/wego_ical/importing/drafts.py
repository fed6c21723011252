"""``wego-ical import``: a series file from where schedules already live — a spreadsheet
(CSV/TSV), a frab/pretalx ``schedule.json`` or ``schedule.xml``, or an ``.ics``.

Each reader makes a :class:`Draft`: the series as the TOML file's tables, and
notes on what could not be carried over. The draft is validated by the normal
load path before anything is written (:func:`write_draft`), and an existing file
is never replaced without ``force``. tomli-w writes the TOML.

The spreadsheet and iCalendar readers are here; the frab/pretalx reader, and the
choice of reader for a file, are in :mod:`~wego_ical.importing.readers`.

UIDs stay stable across re-imports: ids come from what the source keeps stable
(a c3voc ``guid``, the ``wego_ical`` record of wego-ical's own export, a
spreadsheet's id columns), never from row order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from wego_ical.errors import DataError, ImportSourceError, Problem
from wego_ical.files import write_replacing
from wego_ical.limits import MAX_UID_LENGTH
from wego_ical.model.values import load_zone
from wego_ical.words import one_line, slug_words


@dataclass
class Draft:
    """A series made from another format: the TOML tables, and what was left out."""

    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SeriesDefaults:
    """What makes the [series] table, as the command line gives it (what a source may lack)
    or as a source says it; None: not given."""

    series_id: str | None = None
    title: str | None = None
    timezone: str | None = None
    uid_domain: str | None = None
    url: str | None = None
    organiser: str | None = None
    # How a spreadsheet's dates such as 04/05/2026 read (--date-order): not the series'.
    date_order: str | None = None


def zone_name_of(name: object) -> str:
    """The IANA name of a time zone a source names: as it is, or from its Windows name
    (Outlook and Exchange write "W. Europe Standard Time"), by CLDR's mapping as
    icalendar ships it; an ImportSourceError saying what to give instead."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    if isinstance(name, str) and 0 < len(name) <= 100:
        # An IANA name as it is ("UTC" is one, and a Windows name too); the series'
        # own rule (load_zone) decides what a zone name is.
        for candidate in (name.strip(), WINDOWS_TO_OLSON.get(name.strip())):
            if candidate and load_zone(candidate) is not None:
                return candidate
    shown = repr(name)[:80]
    raise ImportSourceError(
        f"the source's time zone {shown} is neither an IANA nor a Windows time zone name; give "
        "the zone its times are in with --set timezone=Area/City (for example Europe/Berlin)"
    )


def zone_of(name: object) -> ZoneInfo:
    """The time zone a source names (see :func:`zone_name_of`)."""
    return ZoneInfo(zone_name_of(name))


def zone_from_times(times: Sequence[datetime]) -> tuple[str, str]:
    """The zone of a source that names none, told by its times' UTC offsets, and the
    note that says how: one offset throughout is that fixed offset (``Etc/GMT-1`` for
    +01:00: right for every time in the source), offsets that change are the one zone
    whose clocks match them all. An ImportSourceError with the ``--set timezone=…`` to
    add where the times tell none (no offsets, or several zones that fit)."""
    offsets = {moment.utcoffset() for moment in times}
    if not times:
        return "UTC", ""
    if None in offsets:
        raise ImportSourceError(
            "the source names no time zone and its times have no UTC offset, so when they "
            "happen depends on a zone it does not say; import again with --set "
            f"timezone=Area/City, the zone of the event's clocks (for example --set "
            f"timezone={_example_zone()})"
        )
    if offsets == {timedelta(0)}:
        return "UTC", (
            "a time zone: the source names none and gives its times in UTC (timezone is "
            "UTC); if the event's clocks showed another zone, import again with --set "
            "timezone=Area/City"
        )
    fitting = _fitting_zones(times)
    (offset, *others) = offsets
    hours, rest = divmod(int(offset.total_seconds()) if offset else 0, 3600)
    if not others and not rest and -12 <= hours <= 14:
        fixed = "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
        return fixed, (
            f"a time zone: the source names none; its times are all at UTC{_hours(offset)}, "
            f"so timezone is {fixed} (that offset all year); if the event was in a city's "
            "zone, import again with --set timezone=Area/City"
            + (f" (such as {' or '.join(fitting[:3])})" if fitting else "")
        )
    if len(fitting) == 1:
        return fitting[0], (
            f"a time zone: the source names none; its times' offsets fit {fitting[0]} only, "
            "so that is its timezone"
        )
    shown = ", ".join(f"--set timezone={name}" for name in fitting[:3])
    raise ImportSourceError(
        "the source names no time zone and its times' UTC offsets ("
        + ", ".join(f"UTC{_hours(o)}" for o in sorted(o for o in offsets if o is not None))
        + ") fit "
        + (f"several zones; import again with one of {shown}" if fitting else "no zone")
        + ("" if fitting else "; import again with --set timezone=Area/City")
    )


def _fitting_zones(times: Sequence[datetime]) -> list[str]:
    """The IANA zones (cities, not fixed offsets) whose clocks match every time's offset,
    checked on a sample of the times (one per day and offset)."""
    sample = list({(moment.date(), moment.utcoffset()): moment for moment in times}.values())
    sample = sample[:: max(1, len(sample) // 200)]

    def fits(name: str) -> bool:
        zone = ZoneInfo(name)
        return all(moment.astimezone(zone).utcoffset() == moment.utcoffset() for moment in sample)

    cities = sorted(name for name in _city_zones() if fits(name))
    # The first of each part of the world first: the first names are a message's examples.
    firsts = {name.split("/", 1)[0]: name for name in reversed(cities)}
    leading = sorted(firsts.values(), key=lambda name: _AREAS.index(name.split("/", 1)[0]))
    return leading + [name for name in cities if name not in leading]


def _city_zones() -> list[str]:
    """The zones tzdata's ``zone.tab`` lists for the countries (no fixed offsets, no old
    spellings such as Asia/Katmandu)."""
    from importlib.resources import files

    table = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in table.splitlines() if not line.startswith("#"))
    return [row[2] for row in rows if len(row) > 2 and row[2].split("/", 1)[0] in _AREAS]


# The parts of the world, in the order a message's examples take them.
_AREAS = ["Europe", "America", "Asia", "Africa", "Australia", "Pacific", "Atlantic", "Indian"]
_AREAS += ["Antarctica", "Arctic"]


def _hours(offset: timedelta | None) -> str:
    seconds = int(offset.total_seconds()) if offset else 0
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _example_zone() -> str:
    """This computer's zone where it is a city's, as an example of what to give."""
    import os

    link = Path("/etc/localtime")
    named = os.environ.get("TZ", "").lstrip(":")
    if not named and link.is_symlink():
        named = str(link.readlink()).split("zoneinfo/", 1)[-1]
    city = "/" in named and not named.startswith("Etc/")
    return named if city and load_zone(named) is not None else "Europe/Berlin"


def kept_uid(value: object) -> str | None:
    """A source's guid or UID as an entry's own uid (one line of at most MAX_UID_LENGTH
    characters), else None."""
    text = str(value or "").strip()
    return text if 0 < len(text) <= MAX_UID_LENGTH and text.isprintable() else None


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… when it is taken; at most 64 characters (the
    ids' limit), and taken from now on."""
    candidate, number = base[:64].rstrip("-"), 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[: 64 - len(suffix)].rstrip("-") + suffix
    taken.add(candidate)
    return candidate


def slug(text: str, fallback: str = "item") -> str:
    """An id made of ``text``: lower-case letters, digits and hyphens."""
    made = slug_words(text, 60)
    return made or fallback


# More events of their own than this (a calendar's, a spreadsheet's whole-day items) get
# no feed each (all.ics holds them all).
MAX_EVENT_FEEDS = 12


def few_event_feeds(draft: Draft, events: int) -> None:
    """Beyond MAX_EVENT_FEEDS events that are each an event of the series, no feed each: a
    feed for each (an Outlook holiday calendar made 160) would bury the one people want."""
    if events > MAX_EVENT_FEEDS:
        draft.data.setdefault("publish", {})["feeds"] = ["categories"]
        draft.notes.append(
            f"a feed per event ({events} events): only all.ics is published; "
            'add "events" to feeds under [publish] for one feed per event'
        )


def joined_lines(text: str) -> str:
    """A multi-line address, joined."""
    lines = (line.strip() for line in text.splitlines())
    return ", ".join(line for line in lines if line)


def person_id(people: dict[str, dict[str, Any]], name: str) -> str:
    """The id of the person ``name``: the same for the same name, another for another name
    that makes the same slug ("Anne Müller", "Anne Muller")."""
    for known in people.values():
        if known["name"] == name:
            return str(known["id"])
    made = unique_id(slug(name, "person"), set(people))
    people[made] = {"id": made, "name": name}
    return made


def framed(event: dict[str, Any]) -> dict[str, Any]:
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


# The keys of a draft whose texts may differ between languages (docs/format.md): texts,
# lists of texts, and tables of texts (every label).
TRANSLATABLE = frozenset(
    {"title", "name", "description", "location", "role", "organisation", "city", "prize"}
    | {"host", "topics", "interpretation", "labels"}
)


def translated(base: Any, other: Any, code: str, default: str, texts: bool = False) -> Any:
    """``base`` (a draft's tables in the ``default`` language) with the texts that
    ``other`` (the same tables from the edition in ``code``) gives otherwise, as
    translations: ``{default: …, code: …}``. Tables and lists are paired item by item,
    and their strings are texts under a TRANSLATABLE key (``texts``); what does not pair
    is kept as ``base`` has it."""
    if texts and isinstance(other, str) and isinstance(base, str | dict):
        own = base.get(default) if isinstance(base, dict) else base
        if own == other or (isinstance(base, dict) and code in base):
            return base
        return {**(base if isinstance(base, dict) else {default: base}), code: other}
    if isinstance(base, dict) and isinstance(other, dict):
        return {
            key: translated(value, other.get(key), code, default, texts or key in TRANSLATABLE)
            for key, value in base.items()
        }
    if isinstance(base, list) and isinstance(other, list) and len(base) == len(other):
        pairs = zip(base, other, strict=True)
        return [translated(mine, theirs, code, default, texts) for mine, theirs in pairs]
    return base


def talk_facts(talk: Mapping[str, Any]) -> list[str]:
    """What a schedule says of a talk that the model has no field for, as lines of its
    description: its kind (Workshop, Lightning talk) and the language it is given in
    (the series' languages are those of its texts)."""
    kind = str(talk.get("type") or "").strip()
    facts = [f"Type: {kind}"] if kind and kind.casefold() != "other" else []  # the hub's none
    if talk.get("language"):
        facts.append(f"Language: {language_name(str(talk['language']))}")
    return facts


def language_name(codes: str) -> str:
    """ "English (en)": a language code with its English name, when Babel knows it;
    "English (en), German (de)" for a talk given in several ("en, de")."""
    from babel import Locale, UnknownLocaleError

    names = []
    for code in (part.strip() for part in re.split(r"[,;/]", codes) if part.strip()):
        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name("en")
        except (UnknownLocaleError, ValueError):
            name = None
        names.append(f"{name} ({code})" if name else code)
    return ", ".join(names) or codes


def left_out(titles: list[str], one: str, many: str) -> str:
    """A note on what was left out: how many, and the first titles."""
    shown = ", ".join(repr(title) for title in titles[:3]) + (", …" if len(titles) > 3 else "")
    return f"{len(titles)} {one if len(titles) == 1 else many} ({shown})"


# ------------------------------------------------------------------ the file


def series_draft(
    defaults: SeriesDefaults,
    source: SeriesDefaults,
    notes: list[str],
    times: Sequence[datetime] = (),
) -> Draft:
    """The [series] table: the command line's values (``defaults``) first, then what the
    source says of its series (``source``), then what its ``times`` tell of its zone;
    ``notes`` gets what none gives."""
    title = defaults.title or source.title or "Imported series"
    timezone = defaults.timezone or source.timezone
    inferred, zone_note = ("", "") if timezone else zone_from_times(times)
    url, uid_domain = defaults.url or source.url, defaults.uid_domain or source.uid_domain
    organiser = defaults.organiser or source.organiser
    info: dict[str, Any] = {
        "id": defaults.series_id or slug(source.series_id or title, "series"),
        "title": title,
        "url": url or "https://example.org/",
        "timezone": defaults.timezone or (zone_name_of(timezone) if timezone else inferred),
        "uid_domain": uid_domain or "example.org",
    }
    if zone_note:
        notes.append(zone_note)
    if not url:
        notes.append("the series' web address (url is https://example.org/: change it)")
    if not uid_domain:
        notes.append("a UID domain (uid_domain is example.org: set yours before publishing)")
    if not organiser:
        notes.append("the organiser (its name is 'Organiser': change it, or --set organiser=…)")
    return Draft({"series": {**info, "organiser": {"name": organiser or "Organiser"}}}, notes)


def draft_toml(draft: Draft, source: str, schema: bool = False) -> str:
    """The series file: a header naming the source and what was not carried over, and
    the editor schema beside it (``#:schema``) where there is one (``schema``)."""
    import tomli_w

    from wego_ical.load.editor_schema import SCHEMA_FILE

    lines = [
        f"#:schema ./{SCHEMA_FILE}"
        if schema
        else f"# Checks as you type: wego-ical schema --out "
        f"{SCHEMA_FILE} beside this file, then make '#:schema ./{SCHEMA_FILE}' its first line.",
        f"# Imported by wego-ical from {one_line(source)}.",
        *(f"# Not carried over: {one_line(note)}." for note in draft.notes),
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
    from wego_ical.load.editor_schema import SCHEMA_FILE
    from wego_ical.load.series_file import parse_editions

    try:
        text = draft_toml(draft, source, schema=(out.parent / SCHEMA_FILE).is_file())
    except (TypeError, ValueError) as exc:  # a value TOML cannot hold
        raise ImportSourceError(f"{source}: cannot be written as TOML ({exc})") from None
    try:
        parse_editions(text, out)  # checked as a build checks it
    except DataError as exc:
        # The problems name lines of the draft: it is kept where they can be read.
        kept = out.with_name(f"{out.stem}.draft{out.suffix or '.toml'}")
        write_replacing(kept, text.encode("utf-8"), force=True)
        advice = Problem(
            f"fix the draft and rename it to {out.name}, or fix {one_line(source)} and import again"
        )
        outcome = f"{out} was not written; the draft is kept here for the lines below"
        raise DataError(kept, [*exc.problems, advice], outcome) from None
    write_replacing(out, text.encode("utf-8"), force=force)
    return draft.notes
