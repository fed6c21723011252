"""Fuzz for ``wego-ical import``: mutated spreadsheets, frab/pretalx schedules and
calendars, and the hostile cases a probe aimed at it, end in a series file or in
one message — never a traceback, never a file written on failure.

Examples per format: WEGO_ICAL_IMPORT_EXAMPLES (default 420: 3,360 over the eight
sources); derandomized in CI like tests/test_fuzz.py.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from test_fuzz import FUZZ as fuzz_settings
from test_fuzz import mutated
from wego_ical.commands import import_series
from wego_ical.errors import WegoIcalError

EXAMPLES = int(os.environ.get("WEGO_ICAL_IMPORT_EXAMPLES", "420"))
FUZZ = settings(fuzz_settings, max_examples=EXAMPLES)
CSV = (
    b"event_id,event,date,start,end,session_id,title,category,speakers,location,description,url\n"
    b"talks,Talks,2026-05-05,10:00,10:45,keynote,Keynote,Open Data,Ada; Ben,Room A,Hi,\n"
    b"talks,Talks,2026-05-05,11:00,11:30,bus,Buses,Mobility,Ben,Room A,A case.,\n"
)
SOURCES = {
    "csv": CSV,
    "tsv": CSV.replace(b",", b"\t"),
    "json": (ROOT / "tests/data/c3voc/pretalx-democon.json").read_bytes(),
    "xml": (ROOT / "dist/schedule.xml").read_bytes(),
    "ics": (ROOT / "dist/all.ics").read_bytes(),
    # Real exports (tests/data/import): the hub's second format, Exchange's Windows zones
    # and repeats, a spreadsheet with an agenda tool's headers.
    "json-hub": (ROOT / "tests/data/import/hub-schedule2.json").read_bytes(),
    "ics-exchange": (ROOT / "tests/data/import/outlook-exchange-2010.ics").read_bytes(),
    "csv-agenda": (ROOT / "tests/data/import/gpn11.csv").read_bytes(),
}

# A spreadsheet's times have no offset: without a zone it is refused before its rows are
# read (tests/importing/test_import.py), so the fuzz gives one to reach them.
ZONE = {"csv": ("timezone=Europe/Berlin",), "tsv": ("timezone=Europe/Berlin",)}


def imported(source: bytes, kind: str, *settings_: str) -> None:
    """Import ``source`` as ``kind``: a file, or a WegoIcalError and no file."""
    with tempfile.TemporaryDirectory() as folder:
        path, out = Path(folder, f"source.{kind}"), Path(folder, "events.toml")
        path.write_bytes(source)
        try:
            import_series(path, out, kind=kind, force=False, settings=settings_)
        except WegoIcalError as exc:
            assert str(exc).strip()
            assert not out.exists()
            return
        assert out.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_every_source_imports_as_it_is(kind: str) -> None:
    imported(SOURCES[kind], kind.partition("-")[0], "timezone=Europe/Berlin")


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_mutated_sources_import_or_are_refused_with_a_message(kind: str) -> None:
    @FUZZ
    @given(source=mutated(SOURCES[kind]))
    def check(source: bytes) -> None:
        imported(source, kind.partition("-")[0], *ZONE.get(kind.partition("-")[0], ()))

    check()


def _json_values() -> st.SearchStrategy[object]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=False),
        st.text(max_size=20),
        st.sampled_from(["Asia", "Etc", "x" * 300, "00:00", "99999:00", "0001-01-01T00:00:00"]),
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=8,
    )


@FUZZ
@given(data=st.data())
def test_a_schedule_with_values_of_any_type_is_imported_or_refused(data: st.DataObject) -> None:
    """A value anywhere in a pretalx schedule replaced by one of another type."""
    document = json.loads(SOURCES["json"])
    node: object = document
    while True:
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))  # type: ignore[arg-type]
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        child = node[key]  # type: ignore[index]
        if not isinstance(child, dict | list) or data.draw(st.booleans()):
            node[key] = data.draw(_json_values())  # type: ignore[index]
            break
        node = child
    imported(json.dumps(document).encode(), "json")


TALK = (
    '{"schedule": {"conference": {"acronym": "c", "title": "C", "time_zone_name": %s, '
    '"days": [{"rooms": {"R": [{"guid": "g", "date": %s, "duration": %s, "title": "T"}]}}]}}}'
)
AIMED = [
    ("json", TALK % ('"Asia"', '"2026-05-05T10:00:00+02:00"', '"00:30"')),
    ("json", TALK % ('"Etc"', '"2026-05-05T10:00:00+02:00"', '"00:30"')),
    ("json", TALK % (json.dumps("A" * 300), '"2026-05-05T10:00:00+02:00"', '"00:30"')),
    ("json", TALK % ('"UTC"', '"2026-05-05T10:00:00+02:00"', '"99999999999:00"')),
    ("json", TALK % ('"UTC"', '"0001-01-01T00:00:00+14:00"', '"00:30"')),
    ("json", TALK % ('"UTC"', '"9999-12-31T23:59:00-12:00"', '"01:00"')),
    ("json", TALK % ('"UTC"', "12", '"00:30"')),
    ("json", TALK % ('"UTC"', '"2026-05-05T10:00:00"', '""')),
    ("json", TALK % ("[]", '"2026-05-05T10:00:00"', "null")),
    ("json", "[" * 100_000),
    ("json", '{"schedule": []}'),
    ("json", '{"schedule": {"conference": {"days": {}}}}'),
    ("json", '{"schedule": {"conference": {"acronym": 7, "title": [], "days": [1]}}}'),
    ("xml", "<?xml version='1.0' encoding='uf-8'?><schedule/>"),
    ("xml", "<schedule><conference><time_zone_name>Asia</time_zone_name></conference></schedule>"),
    (
        "xml",
        "<schedule><conference/><day><room name='R'><event guid='g'><date>x</date>"
        "<duration></duration></event></room></day></schedule>",
    ),
    ("xml", "<!DOCTYPE a [<!ENTITY a 'aaaa'>]><schedule>&a;</schedule>"),
    (
        "ics",
        "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Asia\r\nBEGIN:VEVENT\r\nUID:a\r\n"
        "DTSTART:20260505T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ),
    (
        "ics",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260505T100000Z\r\n"
        "DTSTART:20260506T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ),
    (
        "ics",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:00010101T000000Z\r\n"
        "DURATION:P99999999W\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ),
    ("ics", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
    ("csv", "event,date,start,end\n" + "x" * 200_000 + ",2026-05-05,10:00,11:00\n"),
    ("csv", "event,date,start,end\rE,2026-05-05,10:00,11:00\rE2,2026-05-05,1\r0:00,11:00\r"),
    ("csv", "event,date,start,end\nE,0001-01-01,10:00,11:00\nE,9999-12-31,23:00,23:59\n"),
    ("csv", "event,date,start,end,session_id,title\nE,2026-05-05,10:00,11:00,,\n" * 3),
    ("csv", ""),
]


@pytest.mark.parametrize(
    ("kind", "source"), AIMED, ids=[f"{k}-{i}" for i, (k, _) in enumerate(AIMED)]
)
def test_aimed_sources_import_or_are_refused_with_a_message(kind: str, source: str) -> None:
    imported(source.encode(), kind, *ZONE.get(kind, ()))


@pytest.mark.parametrize("zone", ["Asia", "Etc", "A" * 300, "../../etc/passwd", ""])
def test_a_zone_given_on_the_command_line_is_checked(zone: str) -> None:
    imported(SOURCES["csv"], "csv", f"timezone={zone}")
