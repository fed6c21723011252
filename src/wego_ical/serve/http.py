"""The preview's HTTP side: which file a request names (never one outside the
served folder), and a threading server that serves files as a good static host
does (types, ETag, Last-Modified, 304) with a bound on connections, on idle
clients and on the time a request's headers may take.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import posixpath
import socket
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from wego_ical.catalogue import INDEX_PAGE, content_type
from wego_ical.files import ReadRefused, read_bounded
from wego_ical.limits import (
    CONNECTION_TIMEOUT,
    HEADER_DEADLINE,
    MAX_CONNECTIONS,
    MAX_OUTPUT_FILE_BYTES,
    MAX_PATH_BYTES,
    MAX_SEGMENT_BYTES,
    SLOT_WAIT,
)


class PathTooLong(Exception):
    """A request path no file could have."""


def resolve_request_path(root: Path, url_path: str) -> Path | None:
    """The file below ``root`` that ``url_path`` names, or None if it is outside or missing.

    Raises :class:`PathTooLong` for a path or segment longer than any file name.
    """
    path = urllib.parse.unquote(urllib.parse.urlsplit(url_path).path)
    if "\x00" in path or "\\" in path:
        return None
    normalised = posixpath.normpath("/" + path.lstrip("/"))
    segments = [part for part in normalised.split("/") if part]
    if len(normalised.encode()) > MAX_PATH_BYTES or any(
        len(part.encode()) > MAX_SEGMENT_BYTES for part in segments
    ):
        raise PathTooLong
    candidate = root.joinpath(*segments)
    try:
        if candidate.is_dir():
            candidate = candidate / INDEX_PAGE
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        return None
    return resolved


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server with a long listen queue and a bound on connections.

    When every slot is taken, the connection that has waited longest for a
    request (an idle keep-alive, or a client that never sends anything) is
    closed to make room, as web servers do: a few hundred idle connections
    must not keep a real request waiting (each used to block the accept loop
    for seconds).
    """

    request_queue_size = 128
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._idle: dict[Any, float] = {}  # connection → since when it waits for a request
        self._idle_lock = threading.Lock()

    def waiting(self, connection: Any, idle: bool) -> None:
        """Note that ``connection`` waits for its next request (or no longer does)."""
        with self._idle_lock:
            if idle:
                self._idle[connection] = time.monotonic()
            else:
                self._idle.pop(connection, None)

    def _close_longest_idle(self) -> None:
        with self._idle_lock:
            if not self._idle:
                return
            oldest = min(self._idle, key=self._idle.__getitem__)
            del self._idle[oldest]
        with contextlib.suppress(OSError):
            oldest.shutdown(socket.SHUT_RDWR)  # its thread ends and frees the slot

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that leaves in the middle of an answer is no error of ours."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._close_longest_idle()
            if not self._slots.acquire(timeout=SLOT_WAIT):
                self._refuse(request)
                return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def _refuse(self, request: Any) -> None:
        """Every connection is busy with a request: 503, at once."""
        with contextlib.suppress(OSError):
            request.sendall(
                b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
        self.shutdown_request(request)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.waiting(request, False)
            self._slots.release()


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves the files below ``root`` (set by :func:`make_handler`) with validators."""

    root: Path
    server_version = "wego-ical-preview"
    # Seconds a connection may stay silent: an idle client must not keep a
    # thread forever.
    timeout = CONNECTION_TIMEOUT

    def handle_one_request(self) -> None:
        server = self.server
        assert isinstance(server, PreviewServer)
        server.waiting(self.connection, True)
        super().handle_one_request()

    def parse_request(self) -> bool:
        server = self.server
        assert isinstance(server, PreviewServer)
        # Until its headers are complete a connection still counts as waiting (a client
        # sending one header line every few seconds must not hold a slot), and they
        # must arrive within HEADER_DEADLINE.
        timer = threading.Timer(HEADER_DEADLINE, self._cut)
        timer.daemon = True
        timer.start()
        try:
            parsed = super().parse_request()
        finally:
            timer.cancel()
        server.waiting(self.connection, False)  # a request arrived: busy, not idle
        return parsed

    def _cut(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def _serve(self, *, with_body: bool) -> None:
        try:
            path = resolve_request_path(self.root, self.path)
        except PathTooLong:
            self._error(HTTPStatus.REQUEST_URI_TOO_LONG, "URI Too Long")
            return
        if path is None:
            self._error(HTTPStatus.NOT_FOUND, "Not found")
            return
        try:
            body = read_bounded(path, MAX_OUTPUT_FILE_BYTES)
            modified = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
        except (OSError, ReadRefused):
            self._error(HTTPStatus.NOT_FOUND, "Not found")
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        last_modified = email.utils.format_datetime(modified, usegmt=True)
        if self._not_modified(etag, modified):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type(path.name))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _not_modified(self, etag: str, modified: datetime) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = [tag.strip().removeprefix("W/") for tag in match.split(",")]
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                limit = email.utils.parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
            if limit.tzinfo is None:
                limit = limit.replace(tzinfo=UTC)
            return modified <= limit
        return False

    def _error(self, status: HTTPStatus, message: str) -> None:
        body = f"{status.value} {message}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the preview stays quiet; errors reach the user through the CLI


def make_handler(root: Path) -> type[BaseHTTPRequestHandler]:
    """A request handler class serving the files below ``root``."""
    # The timeout is read now, not when this module was imported (tests shorten it).
    return type("PreviewHandler", (PreviewHandler,), {"root": root, "timeout": CONNECTION_TIMEOUT})
