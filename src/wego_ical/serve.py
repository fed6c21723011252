"""A local preview server for the built site, with optional rebuild on change.

The preview is a copy of the output folder built with ``base_url`` pointing
at the local server, so every subscribe link on the page can be tried
against it; the real output folder is not changed. Files are served the way
a good static host serves them: ``.ics`` as ``text/calendar; charset=utf-8``,
with ETag and Last-Modified, answering conditional requests with 304, and
never anything outside the served folder.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import posixpath
import shutil
import tempfile
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from wego_ical.errors import WegoIcalError
from wego_ical.pipeline import BuildOptions, BuildResult, build

CONTENT_TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def content_type(path: Path) -> str:
    """The Content-Type a static host should send for ``path``."""
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def resolve_request_path(root: Path, url_path: str) -> Path | None:
    """The file below ``root`` that ``url_path`` names, or None if it is outside or missing."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(url_path).path)
    if "\x00" in path or "\\" in path:
        return None
    normalised = posixpath.normpath("/" + path.lstrip("/"))
    candidate = root.joinpath(*[part for part in normalised.split("/") if part])
    if candidate.is_dir():
        candidate = candidate / "index.html"
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        return None
    return resolved


def make_handler(root: Path) -> type[BaseHTTPRequestHandler]:
    """A request handler class serving the files below ``root``."""

    class PreviewHandler(BaseHTTPRequestHandler):
        server_version = "wego-ical-preview"

        def do_GET(self) -> None:
            self._serve(with_body=True)

        def do_HEAD(self) -> None:
            self._serve(with_body=False)

        def _serve(self, *, with_body: bool) -> None:
            path = resolve_request_path(root, self.path)
            if path is None:
                self._error(HTTPStatus.NOT_FOUND, "Not found")
                return
            try:
                body = path.read_bytes()
                modified = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
            except OSError:
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
            self.send_header("Content-Type", content_type(path))
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

    return PreviewHandler


@dataclass
class Preview:
    """A running preview: a server, the folder it serves and how to rebuild it."""

    server: ThreadingHTTPServer
    folder: Path
    data_path: Path
    state_dir: Path

    @property
    def url(self) -> str:
        """The address of the preview's landing page."""
        host, port = self.server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"

    def rebuild(self, now: datetime) -> BuildResult:
        """Build the data into the preview folder with links to this server.

        The previous publication state (and the events it rendered) come from
        the real output folder, so the preview shows what the next real build
        would publish.
        """
        return build(
            BuildOptions(
                self.data_path, self.folder, now, base_url=self.url, state_dir=self.state_dir
            )
        )

    def serve(self) -> None:
        """Serve requests until :meth:`stop` is called (from another thread)."""
        # A short poll makes stop() return at once instead of after up to 0.5 s.
        self.server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        """Make :meth:`serve` return."""
        self.server.shutdown()

    def close(self) -> None:
        """Stop serving and remove the preview folder."""
        self.server.server_close()
        shutil.rmtree(self.folder, ignore_errors=True)


def open_preview(data_path: Path, state_dir: Path, host: str, port: int) -> Preview:
    """Bind the server (port 0 picks a free one) and prepare an empty preview folder."""
    folder = Path(tempfile.mkdtemp(prefix="wego-ical-preview-"))
    try:
        server = ThreadingHTTPServer((host, port), make_handler(folder))
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise WegoIcalError(f"cannot serve on {host}:{port}: {exc.strerror}") from None
    server.daemon_threads = True
    return Preview(server, folder, data_path, state_dir)


def watch(
    path: Path,
    on_change: Callable[[], None],
    stop: threading.Event,
    interval: float = 0.5,
) -> None:
    """Call ``on_change`` whenever the content of ``path`` changes, until ``stop`` is set."""

    def fingerprint() -> bytes | None:
        try:
            return hashlib.sha256(path.read_bytes()).digest()
        except OSError:
            return None

    last = fingerprint()
    while not stop.wait(interval):
        current = fingerprint()
        if current != last:
            last = current
            on_change()
