"""calendar_sync: the plan of a CalDAV publish (pure), its journal and credentials."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest

from conftest import CONFERENCE_GOLDEN
from wego_ical.errors import PublishError
from wego_ical.publish.caldav.client import PreconditionFailed, Resource
from wego_ical.publish.caldav.credentials import credentials
from wego_ical.publish.caldav.journal import Recorded, journal_path, read_journal
from wego_ical.publish.caldav.sync import (
    MARKER,
    Action,
    LocalEvent,
    SyncResult,
    _AlreadyThere,
    _perform,
    local_events,
    marker_of,
    needs_data,
    plan_sync,
)
from wego_ical.report import sync_report

URL = "https://dav.example.org/cal/"


def _event(name: str, digest: str) -> LocalEvent:
    return LocalEvent(f"{name}@x.org", f"/cal/{name}@x.org.ics", name, b"", digest)


def _data(digest: str | None) -> bytes:
    marker = f"X-WEGO-ICAL-DIGEST:{digest}\r\n" if digest else ""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\n"
        f"DTSTAMP:20240101T000000Z\r\n{marker}END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def ours(href: str) -> bool:
    return href.startswith("/cal/s.")


def _kinds(actions: list[Action]) -> dict[str, str]:
    return {a.href.rsplit("/", 1)[1]: a.kind for a in actions}


def test_the_plan_for_every_case() -> None:
    events = [
        _event("s.new", "d1"),  # not on the server: create
        _event("s.same", "d2"),  # recorded etag and digest: unchanged
        _event("s.changed", "d3-new"),  # recorded etag, new digest: update
        _event("s.edited", "d4-new"),  # etag differs from the record: edited on the server
        _event("s.lost", "d5"),  # our write whose answer was lost: unchanged
        _event("s.foreign", "d6"),  # someone else's object at our name: left alone
        _event("s.gone", "d7"),  # recorded, deleted on the server: created again
    ]
    server = {
        "/cal/s.same@x.org.ics": '"a"',
        "/cal/s.changed@x.org.ics": '"b"',
        "/cal/s.edited@x.org.ics": '"c2"',
        "/cal/s.lost@x.org.ics": '"e2"',
        "/cal/s.foreign@x.org.ics": '"f"',
        "/cal/s.pruned@x.org.ics": '"g"',  # ours, recorded, no longer in the feed: delete
        "/cal/s.pruned2@x.org.ics": '"h"',  # ours by its marker, no record: delete
        "/cal/lunch@y.org.ics": '"i"',  # not ours: never touched
    }
    recorded = {
        "/cal/s.same@x.org.ics": Recorded('"a"', "d2"),
        "/cal/s.changed@x.org.ics": Recorded('"b"', "d3"),
        "/cal/s.edited@x.org.ics": Recorded('"c1"', "d4"),
        "/cal/s.lost@x.org.ics": Recorded('"e1"', "d5-old"),
        "/cal/s.pruned@x.org.ics": Recorded('"g"', "d8"),
        "/cal/s.gone@x.org.ics": Recorded('"z"', "d7"),
    }
    wanted = needs_data(events, server, recorded, ours)
    assert wanted == [
        "/cal/s.edited@x.org.ics",
        "/cal/s.foreign@x.org.ics",
        "/cal/s.lost@x.org.ics",
        "/cal/s.pruned2@x.org.ics",
    ]
    fetched = {
        "/cal/s.edited@x.org.ics": Resource("", '"c2"', _data("d4")),
        "/cal/s.foreign@x.org.ics": Resource("", '"f"', _data(None)),
        "/cal/s.lost@x.org.ics": Resource("", '"e2"', _data("d5")),
        "/cal/s.pruned2@x.org.ics": Resource("", '"h"', _data("d9")),
    }
    assert _kinds(plan_sync(events, server, recorded, fetched, ours)) == {
        "s.new@x.org.ics": "create",
        "s.same@x.org.ics": "unchanged",
        "s.changed@x.org.ics": "update",
        "s.edited@x.org.ics": "conflict",
        "s.lost@x.org.ics": "unchanged",
        "s.foreign@x.org.ics": "foreign",
        "s.gone@x.org.ics": "recreate",
        "s.pruned@x.org.ics": "delete",
        "s.pruned2@x.org.ics": "delete",
    }
    forced = _kinds(plan_sync(events, server, recorded, fetched, ours, force=True))
    assert forced["s.edited@x.org.ics"] == forced["s.foreign@x.org.ics"] == "update"


def test_marker_of() -> None:
    assert marker_of(_data("abc")) == "abc"
    assert marker_of(_data(None)) is None
    assert marker_of(b"not a calendar") is None
    assert marker_of(None) is None


def test_journal_replays_and_survives_a_line_cut_short(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    journal = journal_path(out)
    assert journal == tmp_path / ".dist.wego-ical.caldav.jsonl"
    journal.write_text(
        f'{{"calendar": "{URL}", "href": "/a", "etag": "1", "digest": "x"}}\n'
        f'{{"calendar": "{URL}", "href": "/b", "etag": null, "digest": "y"}}\n'
        f'{{"calendar": "other", "href": "/c", "etag": "3", "digest": "z"}}\n'
        f'{{"calendar": "{URL}", "href": "/a", "deleted": true}}\n'
        f'{{"calendar": "{URL}", "href": "/d", "et'
    )
    assert read_journal(journal, URL) == {"/b": Recorded(None, "y")}


def test_credentials_from_the_environment_first_then_netrc(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine dav.example.org login ann password pw\n")
    netrc.chmod(0o600)
    env = {"WEGO_ICAL_CALDAV_USERNAME": "bob", "WEGO_ICAL_CALDAV_PASSWORD": "x"}
    assert credentials(URL, env, netrc) == ("bob", "x")
    assert credentials(URL, {}, netrc) == ("ann", "pw")
    assert credentials(URL, {"NETRC": str(netrc)}, None) == ("ann", "pw")
    assert credentials("https://other.org/", {}, netrc) == (None, None)
    assert credentials(URL, {"HOME": str(tmp_path / "nohome")}, None) == (None, None)
    with pytest.raises(PublishError, match="no such netrc file"):
        credentials(URL, {}, tmp_path / "missing")
    (tmp_path / "bad").write_text("machine\n")
    with pytest.raises(PublishError, match="near line 2: cannot be read as a netrc file"):
        credentials(URL, {}, tmp_path / "bad")


def test_each_object_is_one_event_with_its_zones_and_no_method() -> None:
    events = local_events(CONFERENCE_GOLDEN, "all.ics", lambda uid: f"/cal/{uid}.ics")
    feed = icalendar.Calendar.from_ical((CONFERENCE_GOLDEN / "all.ics").read_bytes())
    assert [e.uid for e in events] == [str(v["UID"]) for v in feed.walk("VEVENT")]
    for event in events:
        calendar = icalendar.Calendar.from_ical(event.body)
        assert "METHOD" not in calendar  # RFC 4791 4.1
        (vevent,) = calendar.walk("VEVENT")
        assert str(vevent[MARKER]) == event.digest == marker_of(event.body)
        zones = {str(z["TZID"]) for z in calendar.walk("VTIMEZONE")}
        used = {
            str(vevent[key].params["TZID"])
            for key in ("DTSTART", "DTEND")
            if key in vevent and "TZID" in vevent[key].params
        }
        assert zones == used
        assert all("COMMENT" not in z for z in calendar.walk("VTIMEZONE"))


class _RacedClient:
    """A server on which another publish created the object between our plan and our
    PUT: the conditional create fails, and the object holds what we would send."""

    def __init__(self, digest: str) -> None:
        self.digest = digest

    def put(
        self, href: str, body: bytes, *, if_match: str | None = None, create: bool = False
    ) -> str:
        raise PreconditionFailed(href)

    def fetch(self, hrefs: list[str]) -> dict[str, Resource]:
        return {href: Resource(href, '"other"', _data(self.digest)) for href in hrefs}


def test_a_create_another_publish_made_first_counts_as_unchanged() -> None:
    """Two publishers at once each said '400 created'; the second now says unchanged."""
    event = _event("s.a", "d1")
    action = Action("create", event.href, event.summary, event)
    done = _perform(_RacedClient("d1"), action, False)  # type: ignore[arg-type]
    assert done == _AlreadyThere('"other"')
    result = SyncResult(URL, [action], found_done=[action])
    assert sync_report(result)[-1] == (
        f"{URL}: 0 created, 0 updated, 0 deleted, 1 unchanged, 0 conflicts "
        "(0 requests changed data)"
    )
    # Someone else's content under the same name is a conflict, not ours.
    assert _perform(_RacedClient("other"), action, False) is None  # type: ignore[arg-type]


def test_objects_outside_the_calendar_in_an_answer_are_never_touched() -> None:
    """A hostile server listing objects of another calendar (or '..' paths) gets none of
    them written, deleted or even read back."""
    from wego_ical.publish.caldav.client import DavClient

    answer = (
        '<d:multistatus xmlns:d="DAV:">'
        + "".join(
            f"<d:response><d:href>{href}</d:href><d:propstat><d:prop><d:getetag>e</d:getetag>"
            "</d:prop></d:propstat></d:response>"
            for href in (
                "/cal/",
                "/cal/ours.ics",
                "/other/theirs.ics",
                "/cal/../other/x.ics",
                "/cal/%2e%2e/other/y.ics",
                "/cal/sub/z.ics",
                "http://elsewhere.example/cal/w.ics",
            )
        )
        + "</d:multistatus>"
    ).encode()
    client = DavClient("http://127.0.0.1/cal/", None, None)
    client._request = lambda *_: (207, {}, answer)  # type: ignore[method-assign]
    # Only the path counts: every request goes to the configured server.
    assert client.etags() == {"/cal/ours.ics": "e", "/cal/w.ics": "e"}
