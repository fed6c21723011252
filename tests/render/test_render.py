"""render: VEVENTs and envelopes, and the renderer version that guards reuse of rendered events."""

from __future__ import annotations

import hashlib
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, DST_EXAMPLE, TESTS, render_files
from test_fuzz import FUZZ
from wego_ical.load.series_file import load_series
from wego_ical.render.calendar import (
    RENDERER_VERSION,
    FeedHeader,
    build_envelope,
    envelope_object,
    is_vevent,
    splice,
    vevent_of,
    vevents_in,
)

FINGERPRINT = TESTS / "golden" / "renderer.txt"


def rendered_output_hash() -> str:
    """A hash of every event the renderer produces for the WeGO data and the DST example
    (the single-event files: the VEVENTs a later build reuses, in their envelope)."""
    digest = hashlib.sha256()
    for data in (DATA, DST_EXAMPLE):
        for path, content in sorted(render_files(load_series(data)).items()):
            if path.startswith("events/"):
                digest.update(path.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def test_output_changes_only_with_a_new_renderer_version() -> None:
    """Rendered events are reused by later builds of the same RENDERER_VERSION: output
    that changes without a new version would mix old and new renderings in one feed."""
    recorded_version, recorded_hash = FINGERPRINT.read_text().split()
    current = rendered_output_hash()
    if current != recorded_hash:
        assert int(recorded_version) != RENDERER_VERSION, (
            "the rendered output changed: bump RENDERER_VERSION in wego_ical/render/calendar.py, "
            f"then write '{RENDERER_VERSION + 1} <new hash>' into {FINGERPRINT}"
        )
        raise AssertionError(
            f"record the new output: write '{RENDERER_VERSION} {current}' into {FINGERPRINT}"
        )
    assert int(recorded_version) == RENDERER_VERSION, f"update the version in {FINGERPRINT}"


def test_vevent_of_a_single_event_file() -> None:
    envelope = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    vevent = b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n"
    assert vevent_of(splice(envelope, [vevent])) == vevent
    assert is_vevent(vevent)
    assert vevent_of(envelope) is None
    assert not is_vevent(b"BEGIN:VEVENT\r\nUID:x\r\n")


def test_vevents_in_a_feed_are_found_by_whole_lines() -> None:
    first = b"BEGIN:VEVENT\r\nUID:a\r\nDESCRIPTION:ends with END:VEVENT\r\nEND:VEVENT\r\n"
    second = (
        b"BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:BEGIN:VEVENT\r\n  END:VEVENT\r\nBEGIN:VALARM\r\n"
        b"ACTION:DISPLAY\r\nEND:VALARM\r\nEND:VEVENT\r\n"
    )
    envelope = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    assert list(vevents_in(splice(envelope, [first, second]))) == [first, second]
    assert list(vevents_in(first)) == [first]
    assert list(vevents_in(envelope)) == []
    assert list(vevents_in(b"")) == []
    assert list(vevents_in(first[:-12])) == []  # cut short: not an event


HOSTILE_NAME = "Café, Paulo; a \\ b \\N c (10,000 sessions)"
HOSTILE_DESCRIPTION = HOSTILE_NAME + "\nsecond line, with C:\\New"


def test_a_feeds_name_and_description_come_back_exact_from_other_parsers() -> None:
    """NAME, X-WR-CALNAME, DESCRIPTION and X-WR-CALDESC are TEXT, escaped as such: vobject
    read an unescaped NAME only up to its first comma, allenporter/ical read a backslash
    and an N in it, or in DESCRIPTION, as a line break."""
    from ical.calendar_stream import IcsCalendarStream

    from parsers import vobject_read
    from wego_ical.render.calendar import FeedHeader, build_envelope

    header = FeedHeader(HOSTILE_NAME, HOSTILE_DESCRIPTION, "u@example.org", "Europe/Berlin", 12)
    text = build_envelope(header, ["Europe/Berlin"], (2024, 2024)).decode()
    read = vobject_read(text)
    assert read.contents["name"][0].value == HOSTILE_NAME
    assert read.x_wr_calname.value == HOSTILE_NAME
    assert read.contents["description"][0].value == HOSTILE_DESCRIPTION
    assert read.x_wr_caldesc.value == HOSTILE_DESCRIPTION
    calendar = IcsCalendarStream.calendar_from_ics(text)
    assert calendar.name == [HOSTILE_NAME] and calendar.description == [HOSTILE_DESCRIPTION]
    # Each copy is written exactly as the other, where it stood before.
    unfolded = text.replace("\r\n ", "").splitlines()
    values = dict(line.split(":", 1) for line in unfolded[:14] if not line.startswith("REFRESH"))
    assert values["NAME"] == values["X-WR-CALNAME"]
    assert values["DESCRIPTION"] == values["X-WR-CALDESC"]
    assert [line.split(":")[0] for line in unfolded[5:9]] == [
        "DESCRIPTION",
        "X-WR-CALDESC",
        "NAME",
        "X-WR-CALNAME",
    ]


ZONES = ["UTC", "Asia/Seoul", "America/St_Johns", "Pacific/Chatham", "Europe/Berlin"]
# Texts as the loader lets them through, with what iCalendar escapes and what folding
# must not split (a backslash and an N, kept as the two characters they are).
TEXT = st.lists(
    st.characters(blacklist_categories=("Cs", "Cc"))
    | st.sampled_from([",", ";", ":", "\\", "\\N", '"', "\n", " ", "한", "é", "𝄞"]),
    max_size=120,
).map("".join)


@st.composite
def headers(draw: st.DrawFn) -> FeedHeader:
    url = draw(st.none() | st.just("") | st.sampled_from(URLS))
    name, description = draw(TEXT.map(lambda text: text.replace("\n", " "))), draw(TEXT)
    uid = draw(st.sampled_from(["wego-awards-4.feed.all@we-gov.org", "a,b;c@example.org"]))
    hours = draw(st.integers(1, 24 * 7))
    return FeedHeader(name, description, uid, draw(st.sampled_from(ZONES)), hours, url)


URLS = ["https://example.org/all.ics", "https://example.org/a b,c;d/é.ics"]


@settings(FUZZ, max_examples=int(os.environ.get("WEGO_ICAL_VEVENT_EXAMPLES", "400")))
@given(
    header=headers(),
    zones=st.lists(st.sampled_from(ZONES), unique=True, max_size=3),
    first=st.integers(1990, 2140),
    span=st.integers(0, 3),
)
def test_the_envelope_is_written_as_the_object_model_writes_it(
    header: FeedHeader, zones: list[str], first: int, span: int
) -> None:
    """build_envelope writes its lines itself: the same bytes as icalendar's Calendar,
    for hostile names and descriptions, with or without an address, in any zones."""
    years = (first, first + span)
    assert build_envelope(header, zones, years) == envelope_object(header, zones, years)
