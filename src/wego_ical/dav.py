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
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit

from wego_ical.errors import PublishError

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
TIMEOUT = 60
# Resources asked for in one calendar-multiget.
MULTIGET_BATCH = 200


class ConnectionLost(PublishError):
    """The server closed the connection or stopped answering in the middle of a request."""


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
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PublishError(f"{url}: not an http(s) address of a CalDAV calendar")
        self.url = url if url.endswith("/") else url + "/"
        self.collection = urlsplit(self.url).path
        self._parts = parts
        self._headers = {"User-Agent": "wego-ical"}
        if username is not None:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode("ascii")
            self._headers["Authorization"] = f"Basic {token}"
        self.username = username
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def href_of(self, name: str) -> str:
        """The path of the resource ``name`` (a UID) in the collection (not percent-encoded)."""
        return self.collection + name + ".ics"

    def check_calendar(self) -> None:
        """Fail with a clear message unless the URL is a calendar collection we may read."""
        body = (
            f'<d:propfind xmlns:d="{DAV}"><d:prop><d:resourcetype/></d:prop></d:propfind>'
        ).encode()
        status, _, data = self._request("PROPFIND", self.collection, body, _xml_headers("0"))
        if status == 404:
            raise PublishError(f"{self.url}: no such calendar on the server (404)")
        self._expect(status, (207,), "PROPFIND", self.collection)
        root = _xml(data, self.url)
        if root.find(f".//{{{CALDAV}}}calendar") is None:
            raise PublishError(
                f"{self.url}: this is not a calendar collection; give the address of a "
                "calendar (create one in your calendar app or server first)"
            )

    def etags(self) -> dict[str, str | None]:
        """The path and ETag of every calendar object in the collection."""
        body = (
            f'<d:propfind xmlns:d="{DAV}"><d:prop><d:getetag/><d:resourcetype/>'
            "</d:prop></d:propfind>"
        ).encode()
        status, _, data = self._request("PROPFIND", self.collection, body, _xml_headers("1"))
        self._expect(status, (207,), "PROPFIND", self.collection)
        found: dict[str, str | None] = {}
        for response in _xml(data, self.url).iter(f"{{{DAV}}}response"):
            href = self._path(response.findtext(f"{{{DAV}}}href") or "")
            if not href or href.rstrip("/") == self.collection.rstrip("/"):
                continue
            if response.find(f".//{{{DAV}}}collection") is not None:
                continue
            found[href] = response.findtext(f".//{{{DAV}}}getetag")
        return found

    def fetch(self, hrefs: Iterable[str]) -> dict[str, Resource]:
        """The data and ETag of the given objects (calendar-multiget, in batches)."""
        wanted = list(hrefs)
        result: dict[str, Resource] = {}
        for start in range(0, len(wanted), MULTIGET_BATCH):
            batch = wanted[start : start + MULTIGET_BATCH]
            refs = "".join(f"<d:href>{_escape(href)}</d:href>" for href in batch)
            body = (
                f'<c:calendar-multiget xmlns:d="{DAV}" xmlns:c="{CALDAV}">'
                f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{refs}</c:calendar-multiget>"
            ).encode()
            status, _, data = self._request("REPORT", self.collection, body, _xml_headers("1"))
            self._expect(status, (207,), "REPORT", self.collection)
            for response in _xml(data, self.url).iter(f"{{{DAV}}}response"):
                href = self._path(response.findtext(f"{{{DAV}}}href") or "")
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
        status, response_headers, _ = self._request("PUT", href, body, headers)
        if status == 412:
            raise PreconditionFailed(href)
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
            connection = self._connect()
            try:
                connection.request(method, wire_path, body, {**self._headers, **headers})
                response = connection.getresponse()
                data = response.read()
            except (TimeoutError, http.client.HTTPException, ConnectionError, OSError) as exc:
                self.close()
                if attempt == 1 and method in ("PROPFIND", "REPORT"):
                    continue
                raise ConnectionLost(
                    f"{self.url}: the connection was lost during {method} {path} ({_reason(exc)})"
                ) from None
            if response.status == 401:
                who = f" for user {self.username!r}" if self.username else ""
                raise PublishError(
                    f"{self.url}: the server refused the credentials{who} (401 Unauthorized); "
                    "set WEGO_ICAL_CALDAV_USERNAME and WEGO_ICAL_CALDAV_PASSWORD, or add the "
                    "host to your netrc file"
                )
            if response.status == 403:
                raise PublishError(f"{self.url}: the server forbids {method} {path} (403)")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        raise AssertionError("unreachable")

    def _expect(self, status: int, ok: tuple[int, ...], method: str, path: str) -> None:
        if status not in ok:
            raise PublishError(f"{self.url}: {method} {path} was answered with status {status}")


def _xml_headers(depth: str) -> dict[str, str]:
    # Xandikos answers a request body without its type with 415.
    return {"Depth": depth, "Content-Type": "application/xml; charset=utf-8"}


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml(data: bytes, url: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise PublishError(f"{url}: the server's answer is not XML ({exc})") from None
