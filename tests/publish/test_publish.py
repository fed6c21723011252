"""publish --caldav against a real CalDAV server (Radicale, started on a free loopback
port with its own storage and htpasswd logins), read back with an independent
client (the ``caldav`` package). Requests pass through a small proxy that counts
the ones that change data and can drop the connection mid-sync."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner, Result

from conftest import free_port, wait_for_port
from wego_ical.cli import main

pytestmark = pytest.mark.servers

caldav = pytest.importorskip("caldav", reason="the caldav package is not installed: '.[test]'")
if find_spec("radicale") is None or find_spec("xandikos") is None:
    if os.environ.get("WEGO_ICAL_REQUIRE_SERVERS"):
        pytest.fail(
            "WEGO_ICAL_REQUIRE_SERVERS is set but Radicale or Xandikos is missing", pytrace=False
        )
    pytest.skip(
        "Radicale or Xandikos is not installed: pip install '.[test]'", allow_module_level=True
    )

USER, PASSWORD = "organiser", "s3cret pass"
NOW = "2026-11-28T12:00:00Z"


@dataclass(frozen=True)
class DavServer:
    """A CalDAV server the tests started: its address, login and calendar home."""

    url: str
    username: str | None
    password: str | None
    home: str  # where new calendars go

    def client(self, path: str = "") -> Any:
        return caldav.DAVClient(url=self.url + path, username=self.username, password=self.password)

    def new_calendar(self) -> str:
        """A new, empty calendar collection (its path on the server)."""
        name = f"wego-{next(_calendars)}"
        self.client(self.home).principal().make_calendar(name="WeGO", cal_id=name)
        return f"{self.home}{name}/"


def _server(command: list[str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_port(port, process, command[2], seconds=20)
    return process


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DavServer]:
    """Radicale with one htpasswd user, on a free port."""
    folder = tmp_path_factory.mktemp("radicale")
    users = folder / "users"
    users.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    port = free_port()
    process = _server(
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(folder / "storage"),
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(users),
            "--auth-htpasswd-encryption",
            "plain",
            "--logging-level",
            "warning",
        ],
        port,
    )
    yield DavServer(f"http://127.0.0.1:{port}", USER, PASSWORD, f"/{USER}/")
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def xandikos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DavServer]:
    """Xandikos (a second CalDAV server, git-backed, no logins of its own), on a free port."""
    folder = tmp_path_factory.mktemp("xandikos")
    port = free_port()
    process = _server(
        [
            sys.executable,
            "-m",
            "xandikos.web",
            "--defaults",
            "-d",
            str(folder / "data"),
            "--state-dir",
            str(folder / "state"),
            "-l",
            "127.0.0.1",
            "-p",
            str(port),
            "--no-detect-systemd",
        ],
        port,
    )
    yield DavServer(f"http://127.0.0.1:{port}", None, None, "/user/calendars/")
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(params=["radicale", "xandikos"])
def dav(request: pytest.FixtureRequest) -> DavServer:
    """Each CalDAV server in turn, to catch assumptions that hold for one only."""
    server: DavServer = request.getfixturevalue(request.param)
    return server


class Proxy:
    """Forwards HTTP requests to the server; counts them by method; on demand,
    forwards the n-th PUT and then drops the connection without an answer and
    refuses every later request (a server that went away mid-sync)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.methods: list[str] = []
        self.drop_after_puts: int | None = None
        self.down = False
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                if proxy.down:
                    self.close_connection = True
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                upstream = http.client.HTTPConnection(proxy.upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream.request(self.command, self.path, body, headers)
                response = upstream.getresponse()
                data = response.read()
                upstream.close()
                proxy.methods.append(self.command)
                puts = proxy.methods.count("PUT")
                if self.command == "PUT" and proxy.drop_after_puts == puts:
                    proxy.down = True  # applied by the server, the answer never arrives
                    self.close_connection = True
                    return
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_MKCALENDAR = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def writes(self) -> list[str]:
        """The requests that changed data."""
        return [m for m in self.methods if m in ("PUT", "DELETE", "MKCALENDAR")]

    def reset(self) -> None:
        self.methods.clear()
        self.drop_after_puts = None
        self.down = False

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(dav: DavServer) -> Iterator[Proxy]:
    running = Proxy(dav.url)
    yield running
    running.close()


_calendars = iter(range(1_000_000))


@pytest.fixture
def calendar_url(dav: DavServer) -> str:
    """A new, empty calendar collection on the server (its path)."""
    return dav.new_calendar()


def _build(site: Path, *extra: str) -> None:
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--data",
            str(site / "events.toml"),
            "--out",
            str(site / "dist"),
            "--now",
            NOW,
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output


def _edit(site: Path, old: str, new: str) -> None:
    data = site / "events.toml"
    text = data.read_text(encoding="utf-8")
    assert old in text, old
    data.write_text(text.replace(old, new, 1), encoding="utf-8")


def _publish(site: Path, url: str, *extra: str, password: str = PASSWORD) -> Result:
    return CliRunner().invoke(
        main,
        ["publish", "caldav", url, "--out", str(site / "dist"), *extra],
        env={
            "WEGO_ICAL_CALDAV_USERNAME": USER,
            "WEGO_ICAL_CALDAV_PASSWORD": password,
            "NETRC": "",
        },
    )


def _events_on_server(dav: DavServer, path: str) -> dict[str, icalendar.Component]:
    """Every event in the calendar, read with the caldav package, by UID."""
    calendar = dav.client(path).calendar(url=dav.url + path)
    found: dict[str, icalendar.Component] = {}
    for item in calendar.events():
        for event in icalendar.Calendar.from_ical(item.data).walk("VEVENT"):
            assert str(event["UID"]) not in found, "two objects hold the same event"
            found[str(event["UID"])] = event
    return found


def _feed_events(site: Path, feed: str = "all.ics") -> dict[str, icalendar.Component]:
    calendar = icalendar.Calendar.from_ical((site / "dist" / feed).read_bytes())
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def _utc(event: icalendar.Component, key: str) -> datetime:
    value = event.decoded(key)
    assert isinstance(value, datetime) and value.tzinfo is not None
    return value.astimezone(UTC)


def _assert_same(site: Path, dav: DavServer, path: str, feed: str = "all.ics") -> None:
    """The calendar holds exactly the feed's events: UID, SEQUENCE, times, status, texts."""
    expected, actual = _feed_events(site, feed), _events_on_server(dav, path)
    assert sorted(actual) == sorted(expected)
    for uid, event in expected.items():
        stored = actual[uid]
        assert stored.decoded("SEQUENCE") == event.decoded("SEQUENCE"), uid
        assert _utc(stored, "DTSTART") == _utc(event, "DTSTART"), uid
        assert _utc(stored, "DTEND") == _utc(event, "DTEND"), uid
        assert str(stored.get("STATUS")) == str(event.get("STATUS")), uid
        assert str(stored["SUMMARY"]) == str(event["SUMMARY"]), uid
        assert str(stored["DESCRIPTION"]) == str(event["DESCRIPTION"]), uid


def test_publish_the_series_then_nothing_to_send(
    site: Path, proxy: Proxy, dav: DavServer, calendar_url: str
) -> None:
    result = _publish(site, proxy.url + calendar_url)
    assert result.exit_code == 0, result.output
    assert "7 created, 0 updated, 0 deleted, 0 unchanged, 0 conflicts" in result.output
    assert result.output.count("created: ") == 7
    assert proxy.writes() == ["PUT"] * 7
    _assert_same(site, dav, calendar_url)
    proxy.reset()
    again = _publish(site, proxy.url + calendar_url)
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 0 deleted, 7 unchanged, 0 conflicts" in again.output
    assert proxy.writes() == []


def test_one_edited_event_is_one_request_that_changes_data(
    site: Path, proxy: Proxy, dav: DavServer, calendar_url: str
) -> None:
    assert _publish(site, proxy.url + calendar_url).exit_code == 0
    _edit(site, 'id = "mobility"\nstart', 'id = "mobility"\ndescription = "Moved online."\nstart')
    _build(site)
    proxy.reset()
    result = _publish(site, proxy.url + calendar_url)
    assert result.exit_code == 0, result.output
    assert proxy.writes() == ["PUT"]
    assert "updated: WeGO Awards Webinar Part 1 · Mobility" in result.output
    stored = _events_on_server(dav, calendar_url)["wego-awards-4.part-1.mobility@we-gov.org"]
    assert "Moved online." in str(stored["DESCRIPTION"]) and stored.decoded("SEQUENCE") == 1
    _assert_same(site, dav, calendar_url)


def test_cancel_remove_and_prune(
    site: Path, proxy: Proxy, dav: DavServer, calendar_url: str
) -> None:
    url = proxy.url + calendar_url
    assert _publish(site, url).exit_code == 0
    uid = "wego-awards-4.part-1.safe-city@we-gov.org"
    _edit(site, 'id = "safe-city"\nstart', 'id = "safe-city"\nstatus = "cancelled"\nstart')
    _build(site)
    assert _publish(site, url).exit_code == 0
    assert str(_events_on_server(dav, calendar_url)[uid]["STATUS"]) == "CANCELLED"
    _assert_same(site, dav, calendar_url)
    # Removed from the data: the feeds keep it cancelled, and so does the calendar.
    text = (site / "events.toml").read_text(encoding="utf-8")
    start = text.index('id = "safe-city"\nstatus = "cancelled"')
    block_start = text.rindex("[[events.sessions]]", 0, start)
    block_end = text.index("[[events", start)
    (site / "events.toml").write_text(text[:block_start] + text[block_end:], encoding="utf-8")
    _build(site)
    assert _publish(site, url).exit_code == 0
    _assert_same(site, dav, calendar_url)
    _build(site, "--prune", "--prune-grace", "0")
    proxy.reset()
    pruned = _publish(site, url)
    assert pruned.exit_code == 0, pruned.output
    assert proxy.writes() == ["DELETE"]
    assert uid not in _events_on_server(dav, calendar_url)
    _assert_same(site, dav, calendar_url)


def test_an_edit_on_the_server_is_reported_not_overwritten(
    site: Path, proxy: Proxy, dav: DavServer, calendar_url: str
) -> None:
    url = proxy.url + calendar_url
    assert _publish(site, url).exit_code == 0
    uid = "wego-awards-4.part-1.mobility@we-gov.org"
    stored = dav.client(calendar_url).calendar(url=dav.url + calendar_url).event_by_uid(uid)
    stored.icalendar_component["SUMMARY"] = "Edited in a calendar app"
    stored.save()
    _edit(site, 'id = "mobility"\nstart', 'id = "mobility"\ndescription = "New text."\nstart')
    _build(site)
    proxy.reset()
    result = _publish(site, url)
    assert result.exit_code == 1
    assert "conflict: WeGO Awards Webinar Part 1 · Mobility" in result.output
    assert "edited on the server since the last publish" in result.output
    assert proxy.writes() == []
    assert str(_events_on_server(dav, calendar_url)[uid]["SUMMARY"]) == ("Edited in a calendar app")
    forced = _publish(site, url, "--force")
    assert forced.exit_code == 0, forced.output
    _assert_same(site, dav, calendar_url)


def test_objects_it_did_not_create_are_never_touched(
    site: Path, proxy: Proxy, dav: DavServer, calendar_url: str
) -> None:
    calendar = dav.client(calendar_url).calendar(url=dav.url + calendar_url)
    calendar.save_event(
        dtstart=datetime(2021, 8, 26, 1, tzinfo=UTC),
        dtend=datetime(2021, 8, 26, 2, tzinfo=UTC),
        summary="Team lunch",
        uid="lunch@example.org",
    )
    url = proxy.url + calendar_url
    assert _publish(site, url).exit_code == 0
    _build(site, "--prune", "--prune-grace", "0")
    assert _publish(site, url).exit_code == 0
    assert "lunch@example.org" in _events_on_server(dav, calendar_url)


def test_a_dropped_connection_leaves_a_state_the_next_publish_completes(
    site: Path, proxy: Proxy, dav: DavServer, calendar_url: str
) -> None:
    url = proxy.url + calendar_url
    proxy.drop_after_puts = 3
    failed = _publish(site, url)
    assert failed.exit_code == 1
    assert "the connection was lost during PUT" in failed.output
    assert "run the same publish again to finish" in failed.output
    assert "Traceback" not in failed.output
    assert len(_events_on_server(dav, calendar_url)) == 3
    proxy.reset()
    finished = _publish(site, url)
    assert finished.exit_code == 0, finished.output
    # The third PUT reached the server; its answer did not: recognised, not sent again.
    assert "4 created, 0 updated, 0 deleted, 3 unchanged, 0 conflicts" in finished.output
    assert proxy.writes() == ["PUT"] * 4
    _assert_same(site, dav, calendar_url)


def test_dry_run_sends_nothing_and_one_feed_can_be_chosen(
    site: Path, proxy: Proxy, dav: DavServer, calendar_url: str
) -> None:
    url = proxy.url + calendar_url
    dry = _publish(site, url, "--feed", "part-1.ics", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output.count("would create: ") == 3
    assert "dry run, nothing sent" in dry.output
    assert proxy.writes() == []
    assert _publish(site, url, "--feed", "part-1.ics").exit_code == 0
    _assert_same(site, dav, calendar_url, "part-1.ics")
    wrong = _publish(site, url, "--feed", "part-9.ics")
    assert wrong.exit_code == 1 and "no feed 'part-9.ics'; the feeds are: all.ics" in wrong.output


def test_a_wrong_password_is_a_clear_message(site: Path, radicale: DavServer) -> None:
    proxy = Proxy(radicale.url)
    try:
        result = _publish(site, proxy.url + radicale.new_calendar(), password="wrong")
        assert result.exit_code == 1
        assert "refused the credentials for user 'organiser' (401 Unauthorized)" in result.output
        assert "Traceback" not in result.output and proxy.writes() == []
    finally:
        proxy.close()


def test_credentials_from_a_netrc_file(site: Path, radicale: DavServer, tmp_path: Path) -> None:
    calendar_url = radicale.new_calendar()
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password s3cret\\ pass\n")
    netrc.chmod(0o600)
    result = CliRunner().invoke(
        main,
        [
            "publish",
            "--out",
            str(site / "dist"),
            "--caldav",
            radicale.url + calendar_url,
            "--netrc",
            str(netrc),
        ],
        env={"WEGO_ICAL_CALDAV_USERNAME": None, "WEGO_ICAL_CALDAV_PASSWORD": None},
    )
    assert result.exit_code == 0, result.output
    assert len(_events_on_server(radicale, calendar_url)) == 7
    # The older form (publish --caldav URL) still works, and says what replaced it.
    assert "note: publish --caldav URL is now publish caldav URL" in result.output


def test_not_a_calendar_is_a_clear_message(site: Path, dav: DavServer) -> None:
    result = _publish(site, dav.url + dav.home)
    assert result.exit_code == 1
    assert "this is not a calendar collection" in result.output


def test_a_refused_object_is_reported_and_the_others_are_still_sent(
    site: Path, radicale: DavServer
) -> None:
    """An object under another name holding one of our UIDs: Radicale answers 409 to our
    PUT. That one is reported with what to do, the six others are sent, exit 1."""
    calendar_url = radicale.new_calendar()
    feed = _feed_events(site)
    uid = sorted(feed)[0]
    squatter = icalendar.Calendar()
    squatter.add("prodid", "-//someone else//EN")
    squatter.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("summary", "Someone else's copy")
    event.add("dtstart", datetime(2021, 8, 26, 8, 0, tzinfo=UTC))
    event.add("dtstamp", datetime(2021, 8, 1, tzinfo=UTC))
    squatter.add_component(event)
    client = radicale.client(calendar_url)
    client.put(radicale.url + calendar_url + "squatter.ics", squatter.to_ical().decode(), {})
    result = _publish(site, radicale.url + calendar_url)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    refused = [line for line in result.output.splitlines() if line.startswith("not sent: ")]
    assert len(refused) == 1, result.output
    assert f"<{calendar_url}{uid}.ics>: refused by the server (409 Conflict)" in refused[0]
    assert "holds the same UID" in refused[0]
    assert "6 created, 0 updated, 0 deleted, 0 unchanged, 0 conflicts, 1 refused by the " in (
        result.output
    )
    stored = _events_on_server(radicale, calendar_url)
    assert sorted(stored) == sorted(feed)
    assert str(stored[uid]["SUMMARY"]) == "Someone else's copy"


def test_a_missing_calendar_says_how_to_create_it_and_create_makes_it(
    site: Path, proxy: Proxy, dav: DavServer
) -> None:
    path = f"{dav.home}wego-new-{next(_calendars)}/"
    url = proxy.url + path
    missing = _publish(site, url)
    assert missing.exit_code == 1
    assert "no such calendar on the server (404); pass --create to make it" in missing.output
    dry = _publish(site, url, "--create", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would create the calendar {url}" in dry.output
    assert dry.output.count("would create: ") == 7
    assert proxy.writes() == []
    made = _publish(site, url, "--create")
    assert made.exit_code == 0, made.output
    assert made.output.startswith(f"created the calendar {url}\n")
    assert proxy.writes() == ["MKCALENDAR"] + ["PUT"] * 7
    calendar = dav.client(path).calendar(url=dav.url + path)
    assert calendar.get_display_name() == "4th WeGO Awards — All events"
    _assert_same(site, dav, path)
    again = _publish(site, url, "--create")  # it exists now: nothing to create
    assert again.exit_code == 0 and "created the calendar" not in again.output
