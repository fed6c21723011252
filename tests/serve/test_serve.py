"""serve: the preview server behaves like a good static host, and --watch rebuilds."""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import icalendar
import pytest
from click.testing import CliRunner

from conftest import BUILD_TIME, DATA, ctrl_c_to_group, has_ended, large_series, wait_for
from wego_ical.cli import main
from wego_ical.errors import DataError
from wego_ical.output.hidden_files import STAGING_PREFIX
from wego_ical.render.fresh_process import in_fresh_process
from wego_ical.serve import http as preview_server
from wego_ical.serve import preview as serve_module
from wego_ical.serve.http import resolve_request_path
from wego_ical.serve.preview import Preview, WatchPace, open_preview, watch


def _start(folder: Path) -> Preview:
    data = folder / "events.toml"
    shutil.copy(DATA, data)
    running = open_preview(data, folder / "dist", "127.0.0.1", 0)
    running.rebuild(BUILD_TIME)
    threading.Thread(target=running.serve, daemon=True).start()
    return running


def _stop(running: Preview) -> None:
    running.stop()
    running.close()


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    running = _start(tmp_path_factory.mktemp("preview"))
    yield running
    _stop(running)


@pytest.fixture
def fresh_preview(tmp_path: Path) -> Iterator[Preview]:
    running = _start(tmp_path)
    yield running
    _stop(running)


def request(
    preview: Preview, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    host, port = preview.server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    return response


def body(preview: Preview, path: str) -> bytes:
    host, port = preview.server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    connection.request("GET", path)
    return connection.getresponse().read()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/all.ics", "text/calendar; charset=utf-8"),
        ("/categories/safe-city.ics", "text/calendar; charset=utf-8"),
        ("/events/wego-awards-4.ceremony.ics", "text/calendar; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/feeds.json", "application/json; charset=utf-8"),
        ("/changes.atom", "application/atom+xml; charset=utf-8"),
        ("/schedule.xml", "application/xml; charset=utf-8"),
    ],
)
def test_content_types(preview: Preview, path: str, content_type: str) -> None:
    response = request(preview, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == content_type
    assert response.getheader("ETag", "").startswith('"')
    assert response.getheader("Last-Modified")


def test_feeds_parse_and_link_to_the_local_server(preview: Preview) -> None:
    calendar = icalendar.Calendar.from_ical(body(preview, "/all.ics"))
    assert len(calendar.events) == 7
    assert str(calendar["URL"]) == f"{preview.url}all.ics"
    assert (
        f'href="webcal://{preview.url.removeprefix("http://")}all.ics"'
        in body(preview, "/").decode()
    )


def test_conditional_requests(preview: Preview) -> None:
    first = request(preview, "/all.ics")
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert etag and modified
    assert request(preview, "/all.ics", headers={"If-None-Match": etag}).status == 304
    assert request(preview, "/all.ics", headers={"If-None-Match": f'"x", {etag}'}).status == 304
    assert request(preview, "/all.ics", headers={"If-None-Match": '"other"'}).status == 200
    assert request(preview, "/all.ics", headers={"If-Modified-Since": modified}).status == 304
    earlier = email.utils.format_datetime(
        email.utils.parsedate_to_datetime(modified).replace(year=2000), usegmt=True
    )
    assert request(preview, "/all.ics", headers={"If-Modified-Since": earlier}).status == 200
    assert request(preview, "/all.ics", headers={"If-Modified-Since": "garbage"}).status == 200


def test_head(preview: Preview) -> None:
    response = request(preview, "/all.ics", method="HEAD")
    assert response.status == 200
    assert int(response.getheader("Content-Length", "0")) > 1000


@pytest.mark.parametrize(
    "path",
    [
        "/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/categories/../../secret",
        "/..%2f..%2fetc%2fpasswd",
        "/%5c..%5cetc",
        "/nothing.ics",
        "/all.ics%00.html",
    ],
)
def test_nothing_outside_the_folder(preview: Preview, path: str) -> None:
    (preview.folder.parent / "secret").write_text("do not serve")
    response = request(preview, path)
    assert response.status == 404


def test_symlink_out_of_the_folder_is_not_followed(fresh_preview: Preview, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    (fresh_preview.folder / "link.txt").symlink_to(secret)
    assert request(fresh_preview, "/link.txt").status == 404


def test_resolve_request_path(tmp_path: Path) -> None:
    (tmp_path / "a.ics").write_text("x")
    assert resolve_request_path(tmp_path, "/a.ics?x=1#y") == (tmp_path / "a.ics").resolve()
    assert resolve_request_path(tmp_path, "/../a.ics") == (tmp_path / "a.ics").resolve()
    assert resolve_request_path(tmp_path, "/missing") is None


def test_output_folder_is_not_changed(fresh_preview: Preview, tmp_path: Path) -> None:
    assert fresh_preview.state_dir == tmp_path / "dist"
    assert not (tmp_path / "dist").exists()


def test_preview_removes_what_the_previous_preview_generated(
    fresh_preview: Preview, tmp_path: Path
) -> None:
    # The real output folder exists (its state is what the preview continues
    # from), but what to remove from the preview comes from the preview itself.
    data, real = str(fresh_preview.data_path), str(fresh_preview.state_dir)
    assert CliRunner().invoke(main, ["build", "--data", data, "--out", real]).exit_code == 0
    manifest = fresh_preview.folder / "feeds.json"
    state = json.loads(manifest.read_text())
    state["generated"].append("old.ics")
    manifest.write_text(json.dumps(state))
    (fresh_preview.folder / "old.ics").write_bytes(b"stale")
    fresh_preview.rebuild(BUILD_TIME)
    assert not (fresh_preview.folder / "old.ics").exists()
    assert (fresh_preview.folder / "all.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_watch_rebuilds_and_keeps_last_good_build(
    fresh_preview: Preview, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = fresh_preview
    apart: list[str] = []

    def spy(work: Any, argument: Any, **options: Any) -> Any:
        apart.append(work.__name__)
        return in_fresh_process(work, argument, **options)

    monkeypatch.setattr(serve_module, "in_fresh_process", spy)
    stop = threading.Event()
    events: list[str] = []

    def rebuild() -> None:
        try:
            preview.rebuild(BUILD_TIME)
            events.append("ok")
        except DataError as exc:
            events.append(str(exc))

    ready = threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(preview.data_path, rebuild, stop, WatchPace(interval=0.05)),
        kwargs={"ready": ready},
    )
    thread.start()
    assert ready.wait(10)
    try:
        text = preview.data_path.read_text(encoding="utf-8")
        preview.data_path.write_text(
            text.replace(
                'title = { en = "WeGO Awards Webinar Part 1", ko = "WeGO 어워즈 웨비나 1부" }',
                'title = "Webinar One"',
            ),
            encoding="utf-8",
        )
        wait_for(lambda: events == ["ok"])
        assert b"SUMMARY:Webinar One \xc2\xb7 Mobility" in body(preview, "/part-1.ics")
        preview.data_path.write_text(text.replace("[series]", "[series"), encoding="utf-8")
        wait_for(lambda: len(events) == 2)
        assert "TOML syntax error" in events[1]
        assert request(preview, "/part-1.ics").status == 200
        assert b"SUMMARY:Webinar One \xc2\xb7 Mobility" in body(preview, "/part-1.ics")
        # The server runs in threads, so this process must not fork: each rebuild was
        # made in a process of its own (and its DataError arrived whole, above).
        assert apart == ["_changes", "_changes"]
    finally:
        stop.set()
        thread.join()


class _Watching:
    """``watch`` on ``path`` in a thread, counting the calls of ``on_change``."""

    def __init__(self, path: Path, **options: float) -> None:
        self.changes = 0
        self._stop = threading.Event()
        ready = threading.Event()
        self._thread = threading.Thread(
            target=watch,
            args=(path, self._changed, self._stop, WatchPace(**options)),
            kwargs={"ready": ready},
        )
        self._thread.start()
        assert ready.wait(10)

    def _changed(self) -> None:
        self.changes += 1

    def end(self) -> None:
        self._stop.set()
        self._thread.join()


def _looks_at(monkeypatch: pytest.MonkeyPatch, path: Path) -> Callable[[int], None]:
    """A function that waits until the watcher has looked at ``path`` ``n`` more times
    (its os.stat calls): a signal that it has seen what was done before, instead of
    a guessed sleep."""
    looks = [0]
    real_stat = os.stat

    def stat(target: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if Path(target) == path:
            looks[0] += 1
        return real_stat(target, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)

    def more(n: int) -> None:
        seen = looks[0]
        wait_for(lambda: looks[0] >= seen + n, timeout=5.0)

    return more


def test_watch_sees_an_edit_at_the_next_glance_and_ignores_the_same_content_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "events.toml"
    data.write_text("a = 1\n", encoding="utf-8")
    looks = _looks_at(monkeypatch, data)
    # The content is compared long before the interval: the file's status changed.
    watching = _Watching(data, interval=60.0, glance=0.02)
    try:
        data.write_text("a = 2\n", encoding="utf-8")
        wait_for(lambda: watching.changes == 1, timeout=5.0)
        data.write_text("a = 2\n", encoding="utf-8")  # the same content, saved again
        os.utime(data)
        looks(3)
        assert watching.changes == 1
    finally:
        watching.end()


def test_watch_compares_the_content_every_interval_even_when_the_status_looks_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "events.toml"
    data.write_text("a = 1\n", encoding="utf-8")
    # A write within one tick of the file system's clock can leave the times as they were.
    frozen, real_stat = os.stat(data), os.stat

    looks = [0]

    def stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if Path(path) != data:
            return real_stat(path, *args, **kwargs)
        looks[0] += 1
        return frozen

    monkeypatch.setattr(os, "stat", stat)
    slow = _Watching(data, interval=60.0, glance=0.02)
    try:
        data.write_text("a = 2\n", encoding="utf-8")
        seen = looks[0]
        wait_for(lambda: looks[0] >= seen + 3, timeout=5.0)  # it looked, three times
        assert slow.changes == 0  # the status looks the same, and the interval is long
    finally:
        slow.end()
    data.write_text("a = 1\n", encoding="utf-8")
    watching = _Watching(data, interval=0.2, glance=0.02)
    try:
        data.write_text("a = 3\n", encoding="utf-8")
        wait_for(lambda: watching.changes == 1, timeout=5.0)
    finally:
        watching.end()


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("path", ["/" + "a" * 256 + ".ics", "/xy" * 1400, "/" + "%41" * 300])
def test_paths_no_file_could_have_get_414(preview: Preview, path: str) -> None:
    assert request(preview, path).status == 414
    assert request(preview, "/all.ics").status == 200  # and the server goes on


def test_many_concurrent_requests_are_all_served(preview: Preview) -> None:
    statuses: list[int] = []
    lock = threading.Lock()

    def get() -> None:
        status = request(preview, "/all.ics").status
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=get) for _ in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 200


def test_idle_connections_time_out_and_cannot_exhaust_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview_server, "CONNECTION_TIMEOUT", 1.0)
    monkeypatch.setattr(preview_server, "MAX_CONNECTIONS", 8)
    running = _start(tmp_path)
    try:
        host, port = running.server.server_address[:2]
        before = threading.active_count()
        idle = [socket.create_connection((str(host), int(port))) for _ in range(16)]
        # The server takes connections up to its limit (a thread each), and no more.
        wait_for(lambda: threading.active_count() >= before + 8)
        assert threading.active_count() <= before + 8
        # The server closes a silent connection after its timeout.
        idle[0].settimeout(5)
        assert idle[0].recv(1) == b""
        # Once they time out, requests are served again.
        assert request(running, "/all.ics").status == 200
        for connection in idle:
            connection.close()
    finally:
        _stop(running)


def test_hundreds_of_idle_connections_do_not_delay_a_request(tmp_path: Path) -> None:
    """195 silent connections made a normal GET wait 56 s: each one past the limit held
    the accept loop for 5 s. The longest idle connection is now closed to make room."""
    running = _start(tmp_path)
    try:
        host, port = running.server.server_address[:2]
        idle = [socket.create_connection((str(host), int(port))) for _ in range(195)]
        started = time.monotonic()
        assert request(running, "/all.ics").status == 200
        assert time.monotonic() - started < 5
        for connection in idle:
            connection.close()
    finally:
        _stop(running)


def test_a_client_that_leaves_during_an_answer_prints_nothing(
    fresh_preview: Preview, capfd: pytest.CaptureFixture[str]
) -> None:
    (fresh_preview.folder / "big.ics").write_bytes(b"x" * 50_000_000)
    host, port = fresh_preview.server.server_address[:2]
    before = threading.active_count()
    for _ in range(3):
        client = socket.create_connection((str(host), int(port)))
        client.sendall(b"GET /big.ics HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b" 200 OK" in client.recv(100)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        client.close()  # a reset: the server's write fails
    assert request(fresh_preview, "/all.ics").status == 200
    # Every connection's thread has ended (whatever it printed, it has printed).
    wait_for(lambda: threading.active_count() <= before)
    assert "Traceback" not in capfd.readouterr().err


def test_the_watcher_survives_an_unexpected_error(tmp_path: Path) -> None:
    data = tmp_path / "events.toml"
    data.write_text("a")
    stop = threading.Event()
    calls: list[str] = []
    errors: list[Exception] = []

    def on_change() -> None:
        calls.append(data.read_text())
        if len(calls) == 1:
            raise RecursionError("maximum recursion depth exceeded")

    ready = threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(data, on_change, stop, WatchPace(interval=0.02)),
        kwargs={"on_error": errors.append, "ready": ready},
    )
    thread.start()
    assert ready.wait(10)
    try:
        data.write_text("b")
        wait_for(lambda: len(calls) == 1)
        data.write_text("c")
        wait_for(lambda: calls == ["b", "c"])
        assert [type(error) for error in errors] == [RecursionError]
    finally:
        stop.set()
        thread.join()


def _serve_process(data: Path, tmp: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "wego_ical", "serve", "--data", str(data), "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
        cwd=tmp,
    )


def test_sigterm_stops_the_preview_and_removes_its_folder(tmp_path: Path) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    process = _serve_process(DATA, temp)
    assert process.stdout is not None
    assert process.stdout.readline().startswith("Serving a preview")
    assert [p.name for p in temp.iterdir() if p.name.startswith("wego-ical-preview-")]
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Stopped." in out and "Traceback" not in err
    # The folder, and the lock file a build put beside it (it was left in $TMPDIR).
    assert not [p.name for p in temp.iterdir() if "wego-ical" in p.name]


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_stopping_during_a_rebuild_stops_it_at_once_quietly_leaving_nothing(
    tmp_path: Path, how: str
) -> None:
    data = tmp_path / "events.toml"
    text = large_series(3000)
    data.write_text(text, encoding="utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    command = [sys.executable, "-m", "wego_ical", "serve", "--data", str(data), "--watch"]

    def rebuilding(process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        _read_until(process.stdout, "Watching", timeout=60)
        data.write_text(text.replace('description = "open, ', 'description = "New. open, ', 1))
        _read_until(process.stdout, "rebuilding", timeout=30)  # the rebuild has started
        # Stopped as it writes: the children making the pages run by then.
        wait_for(lambda: any(temp.glob(f"wego-ical-preview-*/.site{STAGING_PREFIX}*")), 30)

    # Ctrl+C signals the whole process group: the preview and the server its rebuilds
    # are forked from (a rebuild, in a group of its own, is interrupted by the
    # preview); a service manager signals the preview alone.
    process, out, err = ctrl_c_to_group(
        [*command, "--out", str(tmp_path / "dist"), "--port", "0"],
        rebuilding,
        sigterm_alone=how == "sigterm",
        env={**os.environ, "TMPDIR": str(temp)},
        cwd=temp,
    )
    assert process.returncode == 0, err
    assert out.rstrip().endswith("Stopped.") and "Rebuilt" not in out
    assert err == ""  # no traceback, and no "the build failed": the user stopped it
    assert not [p for p in temp.iterdir() if p.name.startswith("wego-ical-preview-")]
    wait_for(lambda: not _group_alive(process.pid))
    # Nothing the rebuild started goes on working (they all run in the preview's
    # working folder): no worker, no child still writing the page.
    wait_for(lambda: not _processes_working_in(temp), timeout=20)


def _processes_working_in(folder: Path) -> list[int]:
    """The processes, zombies aside, whose working folder is ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) != folder:
                continue
        except OSError:
            continue
        if not has_ended(int(entry.name)):
            found.append(int(entry.name))
    return found


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_watch_survives_an_edit_nested_too_deeply(tmp_path: Path) -> None:
    data = tmp_path / "events.toml"
    shutil.copy(DATA, data)
    good = data.read_text(encoding="utf-8")
    process = _serve_process(data, tmp_path, "--watch")
    assert process.stdout is not None and process.stderr is not None
    try:
        assert process.stdout.readline().startswith("Serving a preview")
        assert process.stdout.readline().startswith("Press Ctrl+C")
        assert process.stdout.readline().startswith("Watching")
        data.write_text(good + "\nx = " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
        assert "nested hundreds of levels deep" in _read_until(process.stderr, "nested")
        data.write_text(good.replace("Webinar Part 1", "Webinar One"), encoding="utf-8")
        assert "Rebuilt from" in _read_until(process.stdout, "Rebuilt from")
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert "Traceback" not in err


def _read_until(stream: IO[str], text: str, timeout: float = 20.0) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} not printed; got {seen!r}")


def test_clients_that_send_their_headers_slowly_never_hold_every_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Connections that send one header line every half second (each within the idle
    timeout) still count as waiting, and are cut once HEADER_DEADLINE has passed."""
    monkeypatch.setattr(preview_server, "MAX_CONNECTIONS", 4)
    monkeypatch.setattr(preview_server, "HEADER_DEADLINE", 1.0)
    running = _start(tmp_path)
    stop = threading.Event()
    cut: list[bool] = []
    sent: list[bool] = []

    def slow_client() -> None:
        host, port = running.server.server_address[:2]
        with socket.create_connection((str(host), int(port))) as client:
            try:
                client.sendall(b"GET /all.ics HTTP/1.1\r\n")
                sent.append(True)
                while not stop.is_set():
                    client.sendall(b"X-Slow: 1\r\n")
                    time.sleep(0.5)
            except OSError:
                cut.append(True)

    clients = [threading.Thread(target=slow_client, daemon=True) for _ in range(8)]
    try:
        for client in clients:
            client.start()
        wait_for(lambda: len(sent) == 8)  # every slow client holds a connection
        started = time.monotonic()
        assert request(running, "/all.ics").status == 200
        assert time.monotonic() - started < 5
        wait_for(lambda: len(cut) == 8, timeout=15)
    finally:
        stop.set()
        _stop(running)


def build_importing(paths: tuple[Path, Path]) -> list[str]:
    """A build, in a process forked from the server; the modules it imported."""
    from wego_ical.pipeline import BuildOptions, build

    before = set(sys.modules)
    build(BuildOptions(paths[0], paths[1], BUILD_TIME))
    return sorted(set(sys.modules) - before)


def test_a_rebuild_imports_nothing_the_server_has_not(tmp_path: Path) -> None:
    """serve's rebuilds start from a server that imported what a build needs, also what
    it imports only when it first needs it: a rebuild stopped with Ctrl+C must never be
    in the middle of an import (Python then prints "Exception ignored ...")."""
    from wego_ical.render import fork_server

    data = tmp_path / "events.toml"
    data.write_text(large_series(1200))  # worker processes, pages, QR codes, state file
    fork_server._stop()  # a server an earlier test started, without these modules
    fork_server.start_fresh_processes((serve_module.__name__, *serve_module._BUILD_MODULES))
    try:
        imported = in_fresh_process(build_importing, (data, tmp_path / "dist"))
    finally:
        fork_server._stop()
    # Zone data is read as the series names zones (tzdata's folders are packages).
    assert [name for name in imported if not name.startswith("tzdata")] == []
