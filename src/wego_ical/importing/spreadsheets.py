"""Spreadsheets (CSV/TSV) as people keep agendas: the template's columns or the usual
headers of agenda exports, in a few languages and any case (``Room``, ``Date``,
``Start``, ``Duration``, ``Title``, ``Abstract``, ``Speakers``…); ``title_ko``-style
columns as translations; one problem per bad row, all rows at once.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from wego_ical.errors import ImportSourceError
from wego_ical.importing.cells import (
    DAY_FIRST,
    cell_clock,
    cell_day,
    cell_duration,
    cell_moment,
    cell_yes,
    with_scheme,
)
from wego_ical.importing.drafts import (
    Draft,
    SeriesDefaults,
    few_event_feeds,
    framed,
    joined_lines,
    person_id,
    series_draft,
    slug,
    talk_facts,
    unique_id,
)
from wego_ical.limits import MAX_ENTRIES

# The template's columns, in its order (docs/commands.md, "import").
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

# Other names of each column, as agenda exports and people write them (English, German,
# French, Spanish, Korean), compared without case, spaces, '_' or '-'.
HEADER_NAMES: Mapping[str, tuple[str, ...]] = {
    "event_id": ("eventid",),
    "event": ("eventname", "veranstaltung", "événement", "evento", "행사"),
    "date": (
        "day", "datum", "tag", "jour", "fecha", "día", "dia", "날짜", "일자", "startdate",
        "begindate", "startdatum", "beginndatum", "datedébut", "fechainicio", "시작일",
    ),
    "start": (
        "starttime", "begin", "begins", "from", "time", "beginn", "von", "uhrzeit", "début",
        "heuredébut", "heurededébut", "inicio", "horainicio", "horadeinicio", "시작", "시작시간",
    ),
    "end": (
        "endtime", "ends", "to", "until", "ende", "bis", "fin", "heurefin", "heuredefin",
        "horafin", "horadefin", "종료", "종료시간",
    ),
    "end_date": (
        "enddate", "enddatum", "datefin", "datedefin", "fechafin", "fechadefin", "종료일",
    ),
    "all_day": ("allday", "alldayevent", "ganztägig", "ganztaegig", "journéeentière", "종일"),
    "duration": ("length", "minutes", "dauer", "länge", "durée", "duración", "길이", "소요시간"),
    "session_id": ("sessionid", "talkid", "id", "guid", "code"),
    "title": ("session", "talk", "name", "subject", "titel", "thema", "titre", "título", "제목"),
    "category": (
        "track", "topic", "type", "kategorie", "catégorie", "thème", "categoría", "분류", "트랙",
    ),
    "speakers": (
        "speaker", "presenters", "presenter", "persons", "people", "sprecher", "referent",
        "referenten", "intervenants", "ponentes", "발표자", "연사",
    ),
    "room": ("raum", "saal", "salle", "sala", "방", "강의실"),
    "location": (
        "venue", "place", "ort", "lieu", "lugar", "장소", "address", "adresse", "anschrift",
        "strasse", "straße", "street", "dirección", "주소", "plz", "plzort", "postleitzahl",
        "postcode", "zip", "zipcode", "codepostal", "códigopostal", "우편번호",
    ),
    "host": (
        "organiser", "organizer", "veranstalter", "organisateur", "organizador", "주최",
    ),
    "abstract": ("summary", "zusammenfassung", "résumé", "resumen", "요약", "초록"),
    "description": (
        "details", "notes", "remarks", "beschreibung", "bemerkungen", "anmerkungen",
        "hinweise", "remarques", "descripción", "notas", "설명", "내용", "비고",
    ),
    "language": ("lang", "sprache", "langue", "idioma", "언어"),
    "url": (
        "link", "website", "webseite", "homepage", "www", "w3", "internet", "lien", "enlace",
        "링크",
    ),
    "hours": (
        "openinghours", "öffnungszeiten", "oeffnungszeiten", "horaires", "horario", "운영시간",
    ),
}  # fmt: skip
_CANONICAL = {
    alias: column for column, aliases in HEADER_NAMES.items() for alias in (column, *aliases)
}
# The columns whose texts may have translations: title_ko, "Title (ko)".
TRANSLATED = ("event", "title", "description", "abstract", "location")
_TRANSLATION = re.compile(r"(.+?)[\s_\-(\[]+([a-z]{2,3})\)?\]?", re.IGNORECASE)
# How a date such as 04/05/2026 reads (--date-order): day first (most of the world) or
# month first (the United States).
DATE_ORDERS = ("day-first", "month-first")


def csv_template() -> str:
    """A spreadsheet to start from: the columns and three example rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(CSV_EXAMPLE)
    return out.getvalue()


def from_rows(text: str, delimiter: str, defaults: SeriesDefaults) -> Draft:
    """A spreadsheet of sessions, one per row, its times in the series' zone. Rows of one
    event (an ``event`` column) make one event; without that column, each date is one
    ("Day 1"). A row without a session title is its event itself."""
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns, notes = _columns(reader.fieldnames or [])
    sheet = _Sheet(columns, defaults.date_order)
    for number, row in enumerate(reader, 2):
        if number > MAX_ENTRIES + 1:
            raise ValueError(f"more than {MAX_ENTRIES:,} rows; split the spreadsheet")
        sheet.add(row, number)
    if sheet.problems:
        raise ImportSourceError(_rows_problem(sheet.problems))
    draft = series_draft(defaults, SeriesDefaults(title="Imported series"), notes, sheet.times)
    if sheet.languages:
        draft.data["series"]["languages"] = ["en", *sheet.languages]
        draft.notes.append(
            f"which language the untranslated columns are in: taken as English (languages = "
            f"{['en', *sheet.languages]}); change the first code if they are not"
        )
    draft.data["categories"] = list(sheet.categories.values())
    draft.data["people"] = list(sheet.people.values())
    draft.data["events"] = [framed(event) for event in sheet.events.values()]
    few_event_feeds(draft, sheet.whole_days)
    return draft


def _columns(names: Sequence[str]) -> tuple[dict[str, tuple[str, str | None]], list[str]]:
    """Each header's column and language (None: untranslated), and the notes on the
    headers; a ValueError naming what is missing."""
    found: dict[str, tuple[str, str | None]] = {}
    unknown = []
    for name in names:
        if not name:
            continue
        column = _CANONICAL.get(_key(name))
        # Several location columns (street, postcode and city) make one address.
        if column is not None and ((column, None) not in found.values() or column == "location"):
            found[name] = (column, None)
            continue
        translated = _TRANSLATION.fullmatch(name.strip())
        base = _CANONICAL.get(_key(translated[1])) if translated else None
        if translated and base in TRANSLATED:
            found[name] = (base, translated[2].lower())
        else:
            unknown.append(name)
    have = {column for column, language in found.values() if language is None}
    # Without a date column, the start column gives the days (2015-11-23, or with a time).
    missing = [c for c in ("date", "start") if c not in have] if "start" not in have else []
    if missing:
        one = len(missing) == 1
        raise ValueError(
            f"the column{'' if one else 's'} {', '.join(missing)} {'is' if one else 'are'} "
            "missing (its columns: "
            f"{', '.join(n for n in names if n)[:200]}); see --template csv"
        )
    return found, [f"the columns {', '.join(unknown)}"] if unknown else []


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.strip().casefold())


class _Sheet:
    """The events, people and categories of a spreadsheet's rows, as they are added."""

    def __init__(self, columns: dict[str, tuple[str, str | None]], date_order: str | None):
        self.columns, self.date_order = columns, date_order
        self.people: dict[str, dict[str, Any]] = {}
        self.categories: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []
        self.times: list[datetime] = []  # naive: a spreadsheet's times are its clocks
        self.languages: list[str] = []
        self.whole_days = 0  # whole-day items, each an event of its own

    def add(self, row: Mapping[str | None, str | None], number: int) -> None:
        """One row: a session of its event (or the event itself, or a whole-day item)."""
        values, translations = self._cells(row)
        if not values and not translations:
            return  # an empty row (spreadsheets keep a few at the end)
        try:
            day, last, whole = self._days(values, number)
            entry: dict[str, Any] = {"all_day": True}
            if not whole:
                entry = self._timed(values, number, (day, last))
        except ValueError as exc:  # every row's problem at once, not one per try
            self.problems.append(str(exc))
            return
        self.times.append(datetime.combine(day, entry.get("start", time())))
        texts = self._texts(values, translations, entry)
        if whole:  # from one day to another: an event of its own
            self._whole_days(entry, values, texts, (day, last), number)
        else:
            self._session(entry, values, texts, day, number)

    def _timed(
        self, values: dict[str, str], number: int, days: tuple[date, date]
    ) -> dict[str, Any]:
        entry = self._entry(values, number)
        if days[1] != days[0]:  # ends after midnight
            entry["end_date"] = days[1]
        return entry

    def _texts(
        self,
        values: dict[str, str],
        translations: dict[str, dict[str, str]],
        entry: dict[str, Any],
    ) -> dict[str, Any]:
        """A row's texts (translated, one line where a line is due); its location,
        description and link go into ``entry``, whatever the row makes."""
        texts = {k: self._text(values.get(k), translations.get(k)) for k in TRANSLATED}
        for key in ("event", "title", "location"):  # cells of several lines, on one
            texts[key] = _one_line_text(texts[key]) if texts[key] else texts[key]
        if texts["location"] is not None:
            entry["location"] = texts["location"]
        description = _description(texts["abstract"], texts["description"], values)
        if values.get("hours"):  # opening hours, under the column's own name
            description = _then(description, f"{self.label('hours')}: {values['hours']}")
        if description is not None:
            entry["description"] = description
        if values.get("url"):
            entry["url"] = with_scheme(values["url"])
        return texts

    def _session(
        self,
        entry: dict[str, Any],
        values: dict[str, str],
        texts: dict[str, Any],
        day: date,
        number: int,
    ) -> None:
        """A timed row: a session of its event, or the event itself (no session title)."""
        event = self._event(values, texts["event"], day)
        if values.get("host"):  # the organiser of the row's event (its first row's)
            event.setdefault("host", joined_lines(values["host"]))
        if not texts["title"] and not values.get("session_id") and "event" in values:
            event.update({"date": day, **entry})
            return
        entry["id"] = values.get("session_id") or slug(
            str(values.get("title") or ""), f"row-{number}"
        )
        entry["title"] = texts["title"] or entry["id"]
        entry["date"] = day
        if values.get("category"):
            entry["category"] = self._category(values["category"])
        event["sessions"].append(entry)

    def _days(self, values: dict[str, str], number: int) -> tuple[date, date, bool]:
        """A row's first and last day, and whether it is a whole-day item. The days are
        its date (and end date) columns' (an "all day" column saying whether it has
        times: Google Calendar's and Outlook's format), else its start's and end's: dates
        alone (2015-11-23) for a whole-day item, else with their times (2015-11-23 09:00),
        taken apart here."""
        if "date" in values or "start" not in values:
            day = cell_day(values.get("date", ""), number, self.date_order)
            end_date = values.get("end_date")
            last = cell_day(end_date, number, self.date_order) if end_date else day
            whole = cell_yes(values.get("all_day", ""), number)
        else:
            day, start = cell_moment(values["start"], number, self.date_order)
            last, end = day, None
            if values.get("end") and DAY_FIRST.match(values["end"].strip()):
                last, end = cell_moment(values["end"], number, self.date_order)
            if start is None and end is not None:
                raise ValueError(
                    f"row {number}: starts on a day alone but ends at a time; give both "
                    "a time, or neither (a whole-day item)"
                )
            whole = start is None
            values |= {"start": start or "", "end": end or values.get("end", "")}
        if last < day:
            raise ValueError(f"row {number}: ends ({last}) before it starts ({day})")
        return day, last, whole

    def _whole_days(
        self,
        entry: dict[str, Any],
        values: dict[str, str],
        texts: dict[str, Any],
        days: tuple[date, date],
        number: int,
    ) -> None:
        """A whole-day item (a market, an exhibition): an event of its own."""
        base = values.get("session_id") or str(values.get("title") or values.get("event") or "")
        event_id = unique_id(slug(base, f"row-{number}"), set(self.events))
        title = texts["title"] or texts["event"] or event_id
        self.whole_days += 1
        self.events[event_id] = {"id": event_id, "title": title, "date": days[0], "sessions": []}
        if days[1] != days[0]:
            self.events[event_id]["end_date"] = days[1]
        if values.get("host"):
            entry["host"] = joined_lines(values["host"])
        self.events[event_id] |= entry

    def label(self, column: str) -> str:
        """The header of ``column`` as the spreadsheet writes it."""
        return next(name for name, (found, _) in self.columns.items() if found == column)

    def _cells(
        self, row: Mapping[str | None, str | None]
    ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """A row's filled cells by column, and its translations by column and language."""
        values: dict[str, str] = {}
        translations: dict[str, dict[str, str]] = {}
        for name, raw in row.items():
            if name not in self.columns or not raw or not raw.strip():
                continue
            column, language = self.columns[name]
            if language is None:
                part = raw.strip()
                values[column] = f"{values[column]}, {part}" if column in values else part
                continue
            translations.setdefault(column, {})[language] = raw.strip()
            if language not in self.languages:
                self.languages.append(language)
        return values, translations

    def _entry(self, values: dict[str, str], number: int) -> dict[str, Any]:
        span = _RANGE.fullmatch(values.get("start", "").strip())
        if span and not values.get("end"):  # "09:00-09:30" in one column
            start, end = cell_clock(span[1], number), cell_clock(span[2], number)
        elif values.get("end") or not values.get("duration"):
            start, end = (
                cell_clock(values.get("start", ""), number),
                cell_clock(values.get("end", ""), number),
            )
        else:
            start = cell_clock(values.get("start", ""), number)
            length = cell_duration(values["duration"], number)
            end = (datetime.combine(date.min, start) + length).time()
        entry: dict[str, Any] = {"start": start, "end": end}
        if values.get("room"):
            entry["room"] = values["room"]
        if values.get("speakers"):
            # "Ada; Ben", one a line, or voctosched's "10:Konrad Meier|11:Dennis Wehrle".
            names = (_SPEAKER_ID.sub("", n).strip() for n in _SPEAKERS.split(values["speakers"]))
            entry["panelists"] = [person_id(self.people, name) for name in names if name]
        return entry

    @staticmethod
    def _text(base: str | None, translated: dict[str, str] | None) -> Any:
        if not translated:
            return base
        return {"en": base or next(iter(translated.values())), **translated}

    def _event(self, values: dict[str, str], title: Any, day: date) -> dict[str, Any]:
        """The event of a row: its ``event`` column's, else its date's ("Day 1")."""
        if "event" in values:
            event_id = values.get("event_id") or slug(values["event"], "event")
            return self.events.setdefault(
                event_id, {"id": event_id, "title": title, "sessions": []}
            )
        event_id = values.get("event_id") or f"day-{day.isoformat()}"
        if event_id not in self.events:
            self.events[event_id] = {
                "id": event_id,
                "title": f"Day {len(self.events) + 1}",
                "sessions": [],
            }
        return self.events[event_id]

    def _category(self, name: str) -> str:
        category_id = slug(name, "category")
        self.categories.setdefault(category_id, {"id": category_id, "name": name})
        return category_id


def _description(abstract: Any, description: Any, values: Mapping[str, str]) -> Any:
    """The abstract and the description (both, when both are given), and the language a
    talk is given in."""
    language = "\n\n".join(talk_facts({"language": values.get("language")}))
    parts = [part for part in (abstract, description) if part]
    if not parts and not language:
        return None
    if any(isinstance(part, dict) for part in parts):
        codes = {code for part in parts if isinstance(part, dict) for code in part}
        return {
            code: "\n\n".join(filter(None, [*(_in(part, code) for part in parts), language]))
            for code in sorted(codes, key=lambda c: c != "en")
        }
    return "\n\n".join(filter(None, [*parts, language]))


def _then(text: Any, more: str) -> Any:
    """``text`` (or each of its translations), then a paragraph ``more``."""
    if isinstance(text, dict):
        return {code: f"{part}\n\n{more}" if part else more for code, part in text.items()}
    return f"{text}\n\n{more}" if text else more


def _in(text: Any, code: str) -> str:
    if isinstance(text, dict):
        return str(text.get(code) or text.get("en") or "")
    return str(text or "")


def _rows_problem(problems: list[str]) -> str:
    """Every row that cannot be read, one a line (the first 20, and a count of the rest)."""
    shown = problems[:20] + ([f"and {len(problems) - 20} more"] if len(problems) > 20 else [])
    rows = "1 row cannot" if len(problems) == 1 else f"{len(problems)} rows cannot"
    return f"{rows} be read; fix them and import again:\n  " + "\n  ".join(shown)


_SPEAKERS = re.compile(r"\s*[;|\n]\s*")
_SPEAKER_ID = re.compile(r"^\d+:")
_RANGE = re.compile(r"(.+?)\s*[-–—~]\s*(.+)")


def _one_line_text(text: Any) -> Any:
    """A text (or its translations) on one line."""
    if isinstance(text, dict):
        return {code: joined_lines(value) for code, value in text.items()}
    return joined_lines(str(text))
