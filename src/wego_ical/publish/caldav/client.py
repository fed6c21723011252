"""A small CalDAV client: the five requests ``publish --caldav`` needs, over one
kept-alive connection (the standard library's ``http.client``).

Why not the ``caldav`` package: publishing must never overwrite an edit made
on the server, which takes ``If-Match`` with the ETag we last saw on every
update and delete, and ``If-None-Match: *`` on every create. The ``caldav``
package's ``save()`` does not send ``If-Match`` (python-caldav/caldav#152,
open), so an update there can silently replace someone's edit. The requests
are few (PROPFIND, REPORT calendar-multiget, PUT, DELETE) and plain HTTP
shows exactly what is sent. The tests read the calendar back with the
``caldav`` package, as an independent client.
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit

from wego_ical.errors import PublishError
from wego_ical.limits import MAX_ANSWER_BYTES, MAX_ANSWER_ELEMENTS, TIMEOUT
from wego_ical.publish.hostnames import server_url_problem, shown_address
from wego_ical.publish.http_limits import AnswerRefused, Deadline, read_answer

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
# Resources asked for in one calendar-multiget.
MULTIGET_BATCH = 200


class ConnectionLost(PublishError):
    """The server closed the connection or stopped answering in the middle of a request."""


class Refused(Exception):
    """The server refused one object (409 Conflict, or 403 with a CalDAV precondition);
    the others may still be sent."""

    def __init__(self, href: str, reason: str) -> None:
        super().__init__(reason)
        self.href = href
        self.reason = reason


class PreconditionFailed(Exception):
    """412: the resource is not in the state the request assumed (If-Match / If-None-Match)."""


@dataclass(frozen=True)
class Resource:
    """A calendar object on the server: its path, ETag and (when fetched) its data."""

    href: str
    etag: str | None
    data: bytes | None = None


class DavClient:
    """Requests to one CalDAV calendar collection (``url``, ending in ``/``)."""

    def __init__(self, url: str, username: str | None, password: str | None) -> None:
        url = calendar_url(url)
        parts = urlsplit(url)
        self.url = url if url.endswith("/") else url + "/"
        self.collection = urlsplit(self.url).path
        self._parts = parts
        self._headers = {"User-Agent": "wego-ical"}
        if username is not None:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode("ascii")
            self._headers["Authorization"] = f"Basic {token}"
        self.username = username
        self._connection: http.client.HTTPConnection | None = None
        # One deadline for the whole publish, besides each request's.
        self.deadline = Deadline()

    def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def href_of(self, name: str) -> str:
        """The path of the resource ``name`` (a UID) in the collection (not percent-encoded)."""
        return self.collection + name + ".ics"

    def calendar_exists(self) -> bool:
        """Whether the URL is a calendar collection we may read (False: nothing is
        there); a PublishError saying why when it is something else."""
        body = _request_body(_d("propfind", _d("prop", _d("resourcetype"))))
        status, _, data = self._request("PROPFIND", self.collection, body, _xml_headers("0"))
        if status == 404:
            return False
        self._expect(status, (207,), "PROPFIND", self.collection)
        root = _xml(data, self.url)
        # Xandikos answers 207 with the 404 inside the one response.
        statuses = [(text or "").split()[1:2] for text in _texts(root, f"{{{DAV}}}status")]
        if statuses == [["404"]] and root.find(f".//{{{DAV}}}propstat") is None:
            return False
        if root.find(f".//{{{CALDAV}}}calendar") is None:
            raise PublishError(
                f"{self.url}: this is not a calendar collection; give the address of a "
                "calendar (create one in your calendar app or server first)"
            )
        return True

    def make_calendar(self, name: str, description: str, timezone: str) -> None:
        """Create the calendar collection (MKCALENDAR) with a display name, a description
        and the time zone (a VCALENDAR holding one VTIMEZONE) its events use."""
        properties = _d(
            "prop",
            _d("displayname", text=name),
            _c("calendar-description", text=description),
            _c("supported-calendar-component-set", _c("comp", name="VEVENT")),
            _c("calendar-timezone", text=timezone),
        )
        body = _request_body(_c("mkcalendar", _d("set", properties)))
        headers = {"Content-Type": "application/xml; charset=utf-8"}
        status, _, _ = self._request("MKCALENDAR", self.collection, body, headers)
        if status in (403, 405, 409):
            raise PublishError(
                f"{self.url}: the server would not create this calendar ({status}); create it "
                "in your calendar app or on the server, then publish again"
            )
        self._expect(status, (200, 201), "MKCALENDAR", self.collection)

    def etags(self) -> dict[str, str | None]:
        """The path and ETag of every calendar object in the collection."""
        body = _request_body(_d("propfind", _d("prop", _d("getetag"), _d("resourcetype"))))
        status, _, data = self._request("PROPFIND", self.collection, body, _xml_headers("1"))
        self._expect(status, (207,), "PROPFIND", self.collection)
        found: dict[str, str | None] = {}
        for response in _xml(data, self.url).iter(f"{{{DAV}}}response"):
            href = self._member(response.findtext(f"{{{DAV}}}href") or "")
            if not href or response.find(f".//{{{DAV}}}collection") is not None:
                continue
            found[href] = response.findtext(f".//{{{DAV}}}getetag")
        return found

    def fetch(self, hrefs: Iterable[str]) -> dict[str, Resource]:
        """The data and ETag of the given objects (calendar-multiget, in batches)."""
        wanted = list(hrefs)
        result: dict[str, Resource] = {}
        for start in range(0, len(wanted), MULTIGET_BATCH):
            batch = wanted[start : start + MULTIGET_BATCH]
            wanted_data = _d("prop", _d("getetag"), _c("calendar-data"))
            refs = [_d("href", text=href) for href in batch]
            body = _request_body(_c("calendar-multiget", wanted_data, *refs))
            status, _, data = self._request("REPORT", self.collection, body, _xml_headers("1"))
            self._expect(status, (207,), "REPORT", self.collection)
            for response in _xml(data, self.url).iter(f"{{{DAV}}}response"):
                href = self._member(response.findtext(f"{{{DAV}}}href") or "")
                text = response.findtext(f".//{{{CALDAV}}}calendar-data")
                if href and text is not None:
                    etag = response.findtext(f".//{{{DAV}}}getetag")
                    result[href] = Resource(href, etag, text.encode("utf-8"))
        return result

    def put(
        self, href: str, body: bytes, *, if_match: str | None = None, create: bool = False
    ) -> str | None:
        """Store ``body`` at ``href``: only if it does not exist (``create``), or only if
        its ETag is still ``if_match``. Returns the new ETag when the server gives one.
        Raises :class:`PreconditionFailed` when the condition does not hold."""
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if create:
            headers["If-None-Match"] = "*"
        elif if_match is not None:
            headers["If-Match"] = if_match
        status, response_headers, data = self._request("PUT", href, body, headers)
        if status == 412:
            raise PreconditionFailed(href)
        if status in (403, 409):
            raise Refused(href, _refusal(status, data, self._path))
        self._expect(status, (200, 201, 204), "PUT", href)
        return response_headers.get("etag")

    def delete(self, href: str, *, if_match: str | None) -> None:
        """Delete ``href`` if its ETag is still ``if_match``; gone already is fine."""
        headers = {"If-Match": if_match} if if_match else {}
        status, _, _ = self._request("DELETE", href, b"", headers)
        if status == 412:
            raise PreconditionFailed(href)
        if status != 404:
            self._expect(status, (200, 204), "DELETE", href)

    def _member(self, href: str) -> str:
        """The path of ``href`` if it names an object directly in this collection, else ""
        (a hostile answer could name an object elsewhere: it is never touched)."""
        path = self._path(href)
        name = path.removeprefix(self.collection) if path.startswith(self.collection) else ""
        return path if name and "/" not in name and name not in (".", "..") else ""

    def _path(self, href: str) -> str:
        return unquote(urlsplit(urljoin(self.url, href)).path)

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            host, port = self._parts.hostname or "", self._parts.port
            if self._parts.scheme == "https":
                self._connection = http.client.HTTPSConnection(host, port, timeout=TIMEOUT)
            else:
                self._connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        return self._connection

    def _request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        """One request; a kept-alive connection the server had closed is opened again once
        (for reads only: a write whose answer was lost is resolved by the caller)."""
        wire_path = quote(path, safe="/@:%")
        for attempt in (1, 2):
            try:
                seconds = self.deadline.request_seconds()
            except AnswerRefused as exc:
                raise ConnectionLost(f"{self.url}: {exc.reason}") from None
            connection = self._connect()
            watchdog = _Watchdog(connection, seconds)
            try:
                connection.request(method, wire_path, body, {**self._headers, **headers})
                response = connection.getresponse()
                data = read_answer(response, MAX_ANSWER_BYTES)
            except (AnswerRefused, TimeoutError, http.client.HTTPException, OSError) as exc:
                self.close()
                failure = self._failure(exc, method, path, watchdog.fired, seconds)
                if failure is None and attempt == 1 and method in ("PROPFIND", "REPORT"):
                    continue  # a kept-alive connection the server had closed
                raise failure or ConnectionLost(
                    f"{self.url}: the connection was lost during {method} {path} ({_reason(exc)})"
                ) from None
            finally:
                watchdog.cancel()
            if response.status == 401:
                who = f" for user {self.username!r}" if self.username else ""
                raise PublishError(
                    f"{self.url}: the server refused the credentials{who} (401 Unauthorized); "
                    "set WEGO_ICAL_CALDAV_USERNAME and WEGO_ICAL_CALDAV_PASSWORD, or add the "
                    "host to your netrc file"
                )
            if response.status == 403 and method not in ("PUT", "MKCALENDAR"):
                raise PublishError(f"{self.url}: the server forbids {method} {path} (403)")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        raise AssertionError("unreachable")

    def _failure(
        self, exc: BaseException, method: str, path: str, timed_out: bool, seconds: float
    ) -> PublishError | None:
        """What to tell of a request that failed; None: the connection was lost."""
        asked = f"{self.url}: {method} {path}"
        if timed_out and self.deadline.cut_short:
            return ConnectionLost(f"{self.url}: {self.deadline.passed()}")
        if timed_out:
            return ConnectionLost(f"{asked} was not answered within {seconds:,.0f} s")
        if isinstance(exc, AnswerRefused):
            return PublishError(
                f"{asked}: the answer is larger than {MAX_ANSWER_BYTES:,} bytes; this is not a "
                "CalDAV server wego-ical can use"
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            # Not "run again": the next run fails the same way.
            return PublishError(
                f"{self.url}: the server's certificate cannot be trusted "
                f"({exc.verify_message or _reason(exc)}); nothing was sent"
            )
        if isinstance(exc, http.client.HTTPException) and not isinstance(exc, _LOST):
            return PublishError(
                f"{asked}: the answer is not valid HTTP ({_reason(exc)[:200]}); is this the "
                "address of a CalDAV server?"
            )
        return None

    def _expect(self, status: int, ok: tuple[int, ...], method: str, path: str) -> None:
        if status not in ok:
            raise PublishError(f"{self.url}: {method} {path} was answered with status {status}")


def calendar_url(url: str) -> str:
    """``url`` if it is a usable http(s) address of a calendar; else a PublishError that
    says why, and never repeats a user name or password the address holds."""
    problem = server_url_problem(
        url,
        of="a CalDAV calendar",
        credentials="in WEGO_ICAL_CALDAV_USERNAME and WEGO_ICAL_CALDAV_PASSWORD, or in a "
        "netrc file (--netrc)",
    )
    if problem:
        raise PublishError(f"{shown_address(url)}: {problem}")
    return url


# What http.client raises when a connection ends early; anything else it raises
# means the answer is not HTTP.
_LOST = (http.client.RemoteDisconnected, http.client.IncompleteRead)


class _Watchdog:
    """Cuts a request's connection once ``seconds`` have passed: the one bound on a
    request as a whole (socket timeouts bound each read, not the sum of them)."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = False
        self._connection = connection
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = self._connection.sock
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        """The request is over: no need to cut it."""
        self._timer.cancel()


def _refusal(status: int, data: bytes, path_of: Callable[[str], str]) -> str:
    """Why the server refused an object, with the conflicting object when it names one
    (RFC 4791's CALDAV:no-uid-conflict precondition)."""
    name = "409 Conflict" if status == 409 else "403 Forbidden"
    try:
        root = _bounded_xml(data) if data.strip() else None
    except (ET.ParseError, _TooManyElements):
        root = None
    conflict = root.find(f".//{{{CALDAV}}}no-uid-conflict") if root is not None else None
    if conflict is not None:
        other = path_of(conflict.findtext(f"{{{DAV}}}href") or "")
        where = f" <{other}>" if other else ""
        return (
            f"refused by the server ({name}): another object{where} in the calendar holds "
            "the same UID; delete that object on the server, then publish again"
        )
    if status == 409:
        return (
            f"refused by the server ({name}); often another object in the calendar holds "
            "the same UID: delete it on the server, then publish again"
        )
    return f"refused by the server ({name})"


def _texts(root: ET.Element, tag: str) -> list[str | None]:
    return [element.text for element in root.iter(tag)]


def _xml_headers(depth: str) -> dict[str, str]:
    # Xandikos answers a request body without its type with 415.
    return {"Depth": depth, "Content-Type": "application/xml; charset=utf-8"}


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


ET.register_namespace("d", DAV)
ET.register_namespace("c", CALDAV)


def _d(tag: str, *children: ET.Element, text: str | None = None, **attributes: str) -> ET.Element:
    """An element of the WebDAV namespace."""
    return _element(DAV, tag, children, text, attributes)


def _c(tag: str, *children: ET.Element, text: str | None = None, **attributes: str) -> ET.Element:
    """An element of the CalDAV namespace."""
    return _element(CALDAV, tag, children, text, attributes)


def _element(
    namespace: str,
    tag: str,
    children: Iterable[ET.Element],
    text: str | None,
    attributes: dict[str, str],
) -> ET.Element:
    element = ET.Element(f"{{{namespace}}}{tag}", attributes)
    element.text = text
    element.extend(children)
    return element


def _request_body(root: ET.Element) -> bytes:
    """A request's XML, written by ElementTree (which escapes every text)."""
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text


def _xml(data: bytes, url: str) -> ET.Element:
    """The answer's XML (see :func:`_bounded_xml`), or a PublishError."""
    try:
        return _bounded_xml(data)
    except _TooManyElements:
        raise PublishError(
            f"{url}: the server's answer has more than {MAX_ANSWER_ELEMENTS:,} XML elements; "
            "this is not a CalDAV server wego-ical can use"
        ) from None
    except ET.ParseError as exc:
        raise PublishError(f"{url}: the server's answer is not XML ({exc})") from None


class _TooManyElements(Exception):
    pass


def _bounded_xml(data: bytes) -> ET.Element:
    """``data`` parsed, refused past MAX_ANSWER_ELEMENTS elements: each parsed element
    takes memory (127 MB of ``<a/>`` would take gigabytes)."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start",))
    root: ET.Element | None = None
    elements = 0
    for offset in range(0, len(data), 1 << 20):
        parser.feed(data[offset : offset + (1 << 20)])
        for _event, element in parser.read_events():  # type: ignore[misc]
            if root is None and isinstance(element, ET.Element):
                root = element
            elements += 1
        if elements > MAX_ANSWER_ELEMENTS:
            raise _TooManyElements
    parser.close()
    if root is None:
        raise ET.ParseError("no element found")
    return root
