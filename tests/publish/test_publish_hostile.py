"""publish --caldav against servers that misbehave, and addresses and files that could
leak a password or write where they should not: fake servers on loopback (garbage,
endless and dripping answers), and the feed and journal tampered with."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wego_ical.cli import main
from wego_ical.errors import WegoIcalError
from wego_ical.publish import http_limits
from wego_ical.publish.caldav import client as dav

SECRET = "horse-battery-staple"


def publish(site: Path, url: str, *extra: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(
        main,
        ["publish", "caldav", url, "--out", str(site / "dist"), *extra],
        env={
            "WEGO_ICAL_CALDAV_USERNAME": "organiser",
            "WEGO_ICAL_CALDAV_PASSWORD": SECRET,
            "NETRC": "",
            **(env or {}),
        },
    )


def everything_written(site: Path) -> bytes:
    """Every file under the site folder, the journal and dist/ included."""
    return b"".join(p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file())


class FakeServer:
    """A TCP server on loopback that answers every connection with ``answer``."""

    def __init__(self, answer: Callable[[socket.socket], None], *, read_first: bool = True) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/calendars/wego/"
        self.connections = 0
        self._answer = answer
        self._read_first = read_first
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client:
            client.settimeout(5)
            try:
                if self._read_first:
                    _read_request(client)
                self._answer(client)
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self.listener.close()


def _read_request(client: socket.socket) -> None:
    """Read the whole request: closing with part of it unread sends a reset, and the client
    then sees a lost connection instead of the answer under test."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    missing = int(length.group(1)) - len(body) if length else 0
    while missing > 0:
        chunk = client.recv(min(missing, 65536))
        if not chunk:
            return
        missing -= len(chunk)


@pytest.fixture
def fake() -> Iterator[Callable[[Callable[[socket.socket], None]], FakeServer]]:
    servers: list[FakeServer] = []

    def start(answer: Callable[[socket.socket], None]) -> FakeServer:
        servers.append(FakeServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def endless_chunks(client: socket.socket) -> None:
    client.sendall(b"HTTP/1.1 207 Multi-Status\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"<" * 65536
    for _ in range(10_000):  # 640 MB at most; the client stops long before
        client.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def drip(client: socket.socket) -> None:
    for byte in b"HTTP/1.1 207 Multi-Status\r\nContent-Length: 10\r\n\r\n<a/>":
        client.sendall(bytes([byte]))
        time.sleep(0.3)


def garbage(client: socket.socket) -> None:
    client.sendall(b"\x00\xffSSH-2.0-OpenSSH_9.2\r\n\r\n")


def not_xml(client: socket.socket) -> None:
    body = b"<html><body>Welcome to nginx!"
    client.sendall(b"HTTP/1.1 207 Multi-Status\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def too_many_headers(client: socket.socket) -> None:
    client.sendall(b"HTTP/1.1 207 Multi-Status\r\n" + b"X-A: b\r\n" * 200 + b"\r\n")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (endless_chunks, "the answer is larger than 1,000,000 bytes; this is not a CalDAV server"),
        (drip, "was not answered within 2 s"),
        (garbage, "the answer is not valid HTTP"),
        (too_many_headers, "the answer is not valid HTTP"),
        (not_xml, "the server's answer is not XML"),
    ],
    ids=["endless", "drip", "garbage", "headers", "not-xml"],
)
def test_a_hostile_server_ends_the_publish_in_bounded_time_with_a_message(
    site: Path,
    fake: Callable[[Callable[[socket.socket], None]], FakeServer],
    monkeypatch: pytest.MonkeyPatch,
    answer: Callable[[socket.socket], None],
    message: str,
) -> None:
    monkeypatch.setattr(dav, "MAX_ANSWER_BYTES", 1_000_000)
    monkeypatch.setattr(http_limits, "DEADLINE", 2)
    server = fake(answer)
    started = time.monotonic()
    result = publish(site, server.url)
    assert time.monotonic() - started < 15
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith(f"Error: {server.url}")


# --- the password never shown ----------------------------------------------


def test_a_password_in_the_address_is_refused_and_never_shown(
    site: Path, fake: Callable[[Callable[[socket.socket], None]], FakeServer]
) -> None:
    server = fake(garbage)
    url = server.url.replace("http://", f"http://organiser:{SECRET}@")
    result = publish(site, url, env={"WEGO_ICAL_CALDAV_USERNAME": None})
    assert result.exit_code == 1
    assert "the address holds a user name or password; remove it" in result.output
    assert "http://…@127.0.0.1" in result.output
    assert SECRET not in result.output
    assert SECRET.encode() not in everything_written(site)
    assert server.connections == 0  # nothing was sent anywhere


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:99999/cal/", "not a usable address (Port out of range"),
        ("http://127.0.0.1:abc/cal/", "not a usable address (Port could not be cast"),
        ("http://[::1/cal/", "not a usable address (Invalid IPv6 URL)"),
        ("http://[fe80::1::2]/cal/", "does not appear to be an IPv4 or IPv6 address"),
        (f"http://{'a' * 70}.example.org/cal/", "is not a valid host name"),
        ("http://host_with spaces/cal/", "the address holds a space or control character"),
        ("ftp://example.org/cal/", "not an http(s) address of a CalDAV calendar"),
        (f"http://organiser:{SECRET}@127.0.0.1:abc/", "not a usable address"),
    ],
)
def test_an_address_that_cannot_be_used_is_a_message(site: Path, url: str, message: str) -> None:
    result = publish(site, url)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert SECRET not in result.output


def test_credentials_are_not_sent_in_the_clear_to_another_machine(site: Path) -> None:
    result = publish(site, "http://calendar.example.org/cal/")
    assert result.exit_code == 1
    assert "the credentials would cross the network unencrypted" in result.output
    assert "--allow-http" in result.output


def test_a_netrc_error_names_the_file_and_line_never_a_token(site: Path, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1\n  login organiser\n  password {SECRET} {SECRET}\n")
    netrc.chmod(0o600)
    result = publish(
        site,
        "http://127.0.0.1:9/cal/",
        "--netrc",
        str(netrc),
        env={"WEGO_ICAL_CALDAV_USERNAME": None, "WEGO_ICAL_CALDAV_PASSWORD": None},
    )
    assert result.exit_code == 1
    assert f"{netrc}, near line 4: cannot be read as a netrc file" in result.output
    assert SECRET not in result.output


# --- files that are not what they should be --------------------------------


def test_the_journal_is_never_written_through_a_link(
    site: Path, tmp_path: Path, fake: Callable[[Callable[[socket.socket], None]], FakeServer]
) -> None:
    """`ln -s /tmp/victim .dist.wego-ical.caldav.jsonl` got JSON lines appended to the
    victim; a link at its .tmp overwrote it."""
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    server = fake(not_xml)
    for name in (".dist.wego-ical.caldav.jsonl", ".dist.wego-ical.caldav.jsonl.tmp"):
        link = site / name
        link.symlink_to(victim)
        result = publish(site, server.url)
        assert result.exit_code == 1
        link.unlink()
    assert victim.read_text() == "precious\n"


def test_a_journal_link_is_refused_with_a_message(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wego_ical.publish.caldav import journal as caldav_journal

    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    journal = site / ".dist.wego-ical.caldav.jsonl"
    journal.symlink_to(victim)
    with pytest.raises(WegoIcalError, match="is a symbolic link; remove it"):
        caldav_journal.read_journal(journal, "http://127.0.0.1/cal/")
    with pytest.raises(WegoIcalError, match="is a symbolic link; remove it"):
        caldav_journal.append(journal, {"calendar": "x"})
    assert victim.read_text() == "precious\n"


def test_a_journal_nested_deeply_is_read_as_damaged_lines(site: Path) -> None:
    from wego_ical.publish.caldav.journal import read_journal

    journal = site / ".dist.wego-ical.caldav.jsonl"
    line = {"calendar": "http://127.0.0.1/cal/", "href": "/cal/a.ics", "digest": "d", "etag": "e"}
    journal.write_text("[" * 100_000 + "\n" + json.dumps(line) + "\n")
    assert list(read_journal(journal, "http://127.0.0.1/cal/")) == ["/cal/a.ics"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: text.replace("UID:wego-awards-4.part-1", "UID:../../x/", 1), "is not one"),
        (lambda text: text.replace("UID:wego-awards-4.part-1", "UID:a/b", 1), "is not one"),
        (lambda text: text.replace("PRODID:", "X-PRODID:", 1), "no VCALENDAR with a PRODID"),
        (lambda text: "garbage\r\n" + text[:100], "is not an iCalendar feed wego-ical built"),
        (lambda text: "", "is not an iCalendar feed wego-ical built"),
    ],
    ids=["dotdot-uid", "slash-uid", "no-prodid", "garbage", "empty"],
)
def test_a_tampered_feed_is_refused_before_anything_is_sent(
    site: Path,
    fake: Callable[[Callable[[socket.socket], None]], FakeServer],
    change: Callable[[str], str],
    message: str,
) -> None:
    feed = site / "dist" / "all.ics"
    feed.write_text(change(feed.read_text(encoding="utf-8")), encoding="utf-8")
    server = fake(garbage)
    result = publish(site, server.url)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert server.connections == 0


# --- fuzz: whatever the server answers --------------------------------------

MULTISTATUS = (
    b'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
    b"<d:response><d:href>%s</d:href><d:propstat><d:prop><d:resourcetype><d:collection/>"
    b"<c:calendar/></d:resourcetype><d:getetag>%s</d:getetag><c:calendar-data>%s"
    b"</c:calendar-data></d:prop></d:propstat></d:response></d:multistatus>"
)
BODIES = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda href, etag, data: MULTISTATUS % (href, etag, data),
        st.sampled_from([b"/calendars/wego/", b"../../x.ics", b"/other/", b"", b"%00", b"\xff"]),
        st.binary(max_size=20).filter(lambda b: b"<" not in b and b"&" not in b),
        st.sampled_from([b"", b"BEGIN:VCALENDAR", b"X-WEGO-ICAL-DIGEST:abc", b"\x00"]),
    ),
)


@st.composite
def answers(draw: st.DrawFn) -> bytes:
    """An HTTP answer of any kind: a plausible status, odd headers, any body, or noise."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=200))
    status = draw(st.sampled_from([200, 201, 204, 207, 301, 400, 401, 403, 404, 409, 412, 500]))
    body = draw(BODIES)
    headers = draw(
        st.lists(
            st.sampled_from(
                [
                    b'ETag: "x"',
                    b"ETag: ",
                    b"Content-Type: application/xml",
                    b"Transfer-Encoding: chunked",
                    b"Content-Length: 99999999",
                    b"Location: http://127.0.0.1:1/",
                    b"Connection: close",
                ]
            ),
            max_size=4,
        )
    )
    length = (
        []
        if any(h.startswith((b"Content-Length", b"Transfer")) for h in headers)
        else [b"Content-Length: %d" % len(body)]
    )
    head = b"\r\n".join([b"HTTP/1.1 %d X" % status, *headers, *length])
    return head + b"\r\n\r\n" + body


@settings(
    max_examples=int(os.environ.get("WEGO_ICAL_FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)
@given(answer=answers())
def test_any_server_answer_ends_in_a_message_or_success(
    site: Path, monkeypatch: pytest.MonkeyPatch, answer: bytes
) -> None:
    monkeypatch.setattr(http_limits, "DEADLINE", 2)
    server = FakeServer(lambda client: client.sendall(answer))
    try:
        started = time.monotonic()
        result = publish(site, server.url, "--dry-run")
        assert time.monotonic() - started < 20
    finally:
        server.close()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"unhandled {result.exception!r}\n{result.output}") from (
            result.exception
        )
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


def test_an_untrusted_certificate_says_so_and_not_run_again(site: Path, tmp_path: Path) -> None:
    """A TLS failure said 'run the same publish again to finish', which fails the same way."""
    openssl = shutil.which("openssl")
    assert openssl, "openssl is part of every Debian system"
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def tls(client: socket.socket) -> None:
        with contextlib.suppress(OSError, ssl.SSLError):
            context.wrap_socket(client, server_side=True).recv(1)

    server = FakeServer(tls, read_first=False)
    try:
        result = publish(site, server.url.replace("http://", "https://"))
    finally:
        server.close()
    assert result.exit_code == 1
    assert "the server's certificate cannot be trusted" in result.output
    assert "nothing was sent" in result.output
    assert "run the same publish again" not in result.output


# --- issue 33: bounds shared by CalDAV and S3 ------------------------------


def many_elements(client: socket.socket) -> None:
    body = b"<a>" + b"<a/>" * 300_000 + b"</a>"
    client.sendall(b"HTTP/1.1 207 Multi-Status\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def test_an_answer_of_many_small_elements_is_refused_before_it_fills_the_memory(
    site: Path,
    fake: Callable[[Callable[[socket.socket], None]], FakeServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """127 MB of <a/> took 3 GB once parsed: the elements are counted as they come."""
    monkeypatch.setattr(dav, "MAX_ANSWER_ELEMENTS", 100_000)
    result = publish(site, fake(many_elements).url)
    assert result.exit_code == 1
    assert "the server's answer has more than 100,000 XML elements" in result.output
    assert "Traceback" not in result.output


def slow_but_valid(client: socket.socket) -> None:
    time.sleep(1.2)
    body = b'<d:multistatus xmlns:d="DAV:"/>'
    client.sendall(b"HTTP/1.1 207 Multi-Status\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def test_slow_answers_each_within_their_deadline_stop_at_the_publishs_own(
    fake: Callable[[Callable[[socket.socket], None]], FakeServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each answer in time, but a publish as a whole has a deadline too."""
    monkeypatch.setattr(http_limits, "PUBLISH_DEADLINE", 2)
    client = dav.DavClient(fake(slow_but_valid).url, None, None)
    started = time.monotonic()
    with pytest.raises(WegoIcalError, match="publishing took longer than 2 s, and stopped"):
        for _ in range(10):
            client.etags()
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "url",
    [
        f"//organiser:{SECRET}@127.0.0.1/cal/",
        f"http:/organiser:{SECRET}@127.0.0.1/cal/",
        f"http:///organiser:{SECRET}@127.0.0.1/cal/",
        f"http://organiser:{SECRET}@[::1/cal/",
    ],
)
def test_a_malformed_address_never_shows_its_password(site: Path, url: str) -> None:
    result = publish(site, url)
    assert result.exit_code == 1
    assert SECRET not in result.output
    assert "Traceback" not in result.output


S3_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_CONFIG_FILE": "/x"}


def publish_s3(site: Path, *extra: str) -> Result:
    pytest.importorskip("boto3")
    return CliRunner().invoke(
        main, ["publish", "s3", "s3://bucket/p/", "--out", str(site / "dist"), *extra], env=S3_ENV
    )


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("abc", "not an http(s) address"),
        ("http://[::1", "not a usable address"),
        ("file:///x", "not an http(s) address"),
        ("", "not an http(s) address"),
        (f"http://user:{SECRET}@127.0.0.1:9/", "holds a user name or password"),
    ],
)
def test_an_endpoint_that_cannot_be_used_is_a_message(
    site: Path, endpoint: str, message: str
) -> None:
    result = publish_s3(site, "--endpoint-url", endpoint)
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert SECRET not in result.output
    assert "Traceback" not in result.output


def endless_listing(client: socket.socket) -> None:
    client.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"<ListBucketResult>" + b"<Contents><Key>p/x</Key></Contents>" * 2000
    for _ in range(100_000):
        client.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def drip_s3(client: socket.socket) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<ListBucketResult>":
        client.sendall(bytes([byte]))
        time.sleep(0.3)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (endless_listing, "the answer is larger than 1,000,000 bytes"),
        (drip_s3, "no answer within 2 s"),
    ],
    ids=["endless", "drip"],
)
def test_a_hostile_s3_server_ends_the_publish_in_bounded_time_with_a_message(
    site: Path,
    fake: Callable[[Callable[[socket.socket], None]], FakeServer],
    monkeypatch: pytest.MonkeyPatch,
    answer: Callable[[socket.socket], None],
    message: str,
) -> None:
    monkeypatch.setattr(http_limits, "MAX_S3_ANSWER_BYTES", 1_000_000)
    monkeypatch.setattr(http_limits, "DEADLINE", 2)
    server = fake(answer)
    started = time.monotonic()
    result = publish_s3(site, "--endpoint-url", f"http://127.0.0.1:{server.port}")
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "Traceback" not in result.output
