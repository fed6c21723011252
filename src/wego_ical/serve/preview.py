"""A local preview server for the built site, with optional rebuild on change.

The preview is a copy of the output folder built with ``base_url`` pointing
at the local server, so every subscribe link on the page can be tried
against it; the real output folder is not changed. Files are served the way
a good static host serves them: ``.ics`` as ``text/calendar; charset=utf-8``,
with ETag and Last-Modified, answering conditional requests with 304, and
never anything outside the served folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wego_ical.errors import WegoIcalError
from wego_ical.limits import STOP_GRACE, read_data_file
from wego_ical.pipeline import BuildOptions, build
from wego_ical.render.fork_server import start_fresh_processes
from wego_ical.render.fresh_process import end_now, in_fresh_process, interrupt
from wego_ical.render.workers import fork_is_safe
from wego_ical.serve.http import (
    PreviewServer,
    make_handler,
)
from wego_ical.words import plural

if TYPE_CHECKING:
    from wego_ical.plan.reconcile import Change


@dataclass
class Preview:
    """A running preview: a server, the folder it serves and how to rebuild it."""

    server: PreviewServer
    folder: Path
    data_path: Path
    state_dir: Path
    # Held while a build writes the preview folder.
    _building: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    # The process of the rebuild under way, and whether the preview is closing: a
    # rebuild is interrupted when the user stops the preview, and cleans up after itself.
    _rebuilding: Any = field(default=None, init=False, repr=False)
    _closing: bool = field(default=False, init=False, repr=False)

    @property
    def url(self) -> str:
        """The address of the preview's landing page."""
        host, port = self.server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"

    def rebuild(self, now: datetime) -> list[Change]:
        """Build the data into the preview folder with links to this server; what
        subscribers of the real feeds would see change.

        The previous publication state (and the events it rendered) come from
        the real output folder, so the preview shows what the next real build
        would publish. Once the server and the watcher run in their threads, the
        build runs in a process of its own, where it may fork its workers and make
        the page beside the feeds, as ``wego-ical build`` does (this process must
        not fork); its memory is returned when it ends.
        """
        options = BuildOptions(
            self.data_path, self.folder, now, base_url=self.url, state_dir=self.state_dir
        )
        with self._building:
            if self._closing:  # asked for as the preview stopped: its folder is gone
                raise WegoIcalError("the preview was stopped")
            if fork_is_safe():
                return build(options).changes
            try:
                return in_fresh_process(
                    _changes, dataclasses.replace(options, one_shot=True), on_start=self._started
                )
            finally:
                self._rebuilding = None

    def _started(self, process: Any) -> None:
        self._rebuilding = process
        if self._closing:
            interrupt(process)

    def serve(self) -> None:
        """Serve requests until :meth:`stop` is called (from another thread)."""
        # A short poll makes stop() return at once instead of after up to 0.5 s.
        self.server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        """Make :meth:`serve` return."""
        self.server.shutdown()

    def close(self) -> None:
        """Stop serving and remove the preview folder and what lies beside it (after a
        build under way)."""
        self.server.server_close()
        self._closing = True
        rebuilding = self._rebuilding
        if rebuilding is not None:
            interrupt(rebuilding)
        if not self._building.acquire(timeout=STOP_GRACE):
            rebuilding = self._rebuilding
            if rebuilding is not None:
                end_now(rebuilding)
            self._building.acquire()
        try:
            shutil.rmtree(self.folder.parent, ignore_errors=True)
        finally:
            self._building.release()


# What a build imports, also when it first needs it (the pages' dates and QR codes, the
# worker pool, the state file): the process builds start from has them imported already,
# so a rebuild imports nothing as it writes (stopped in the middle of an import, Python
# prints "Exception ignored ... KeyboardInterrupt" instead of stopping quietly).
_BUILD_MODULES = (
    "wego_ical.load.series_file", "wego_ical.publication.assemble", "wego_ical.plan.state_file",
    "jinja2", "babel.dates", "segno", "concurrent.futures.process", "multiprocessing.synchronize",
    "encodings.utf_8_sig", "importlib.readers", "wego_ical.output.spliced",
)  # fmt: skip


def _changes(options: BuildOptions) -> list[Change]:
    """Build, in the process :meth:`Preview.rebuild` started; what changed."""
    return build(options).changes


def open_preview(data_path: Path, state_dir: Path, host: str, port: int) -> Preview:
    """Bind the server (port 0 picks a free one) and prepare an empty preview folder."""
    # The site lies in a private folder of its own, with the lock file and staging
    # folders a build puts beside it: removing that folder leaves nothing behind.
    root = Path(tempfile.mkdtemp(prefix="wego-ical-preview-"))
    folder = root / "site"
    folder.mkdir()
    try:
        server = PreviewServer((host, port), make_handler(folder))
    except OSError as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise WegoIcalError(f"cannot serve on {host}:{port}: {exc.strerror}") from None
    except (UnicodeError, ValueError) as exc:  # e.g. a host name that cannot be encoded
        shutil.rmtree(root, ignore_errors=True)
        raise WegoIcalError(f"cannot serve on {host}:{port}: {exc}") from None
    # Rebuilds run in processes forked from a server (see Preview.rebuild): it starts
    # now, importing what a build needs while the first build runs here.
    start_fresh_processes((__name__, *_BUILD_MODULES))
    return Preview(server, folder, data_path, state_dir)


@dataclass(frozen=True)
class WatchPace:
    """How often ``watch`` looks: the file's status every ``glance`` seconds, its content
    at least every ``interval`` seconds."""

    interval: float = 0.5
    glance: float = 0.05


def watch(
    path: Path,
    on_change: Callable[[], None],
    stop: threading.Event,
    pace: WatchPace = WatchPace(),
    on_error: Callable[[Exception], None] | None = None,
    ready: threading.Event | None = None,
) -> None:
    """Call ``on_change`` whenever the content of ``path`` changes, until ``stop`` is set.

    The file's status (size, inode, modification and change times) is looked at
    every glance (see :class:`WatchPace`), and its content compared as soon as the
    status changed and then held for one glance (a save being written is not taken
    for an edit), so an edit is rebuilt at once; the content is compared at least
    every interval all the same (a write within one tick of the file system's clock
    may leave the times as they were). Saving the same content
    again rebuilds nothing. The watcher survives anything ``on_change`` raises
    (it is passed to ``on_error``): one bad edit must not end the rebuilds of the
    next ones. ``ready`` is set once the content it compares with has been read.
    """

    def status() -> tuple[int, int, int, int] | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns

    def fingerprint() -> bytes | None:
        try:
            return hashlib.sha256(read_data_file(path)).digest()
        except OSError:
            return None

    last_status = status()
    last = fingerprint()
    compared = time.monotonic()
    if ready is not None:
        ready.set()
    seen = last_status  # the status at the glance before
    interval = pace.interval
    while not stop.wait(min(pace.glance, interval)):
        current_status = status()
        # A save may still be writing (truncated, half written): the content is
        # compared once the status is the same at two glances in a row.
        settling, seen = current_status != seen, current_status
        if settling:
            continue
        if current_status == last_status and time.monotonic() - compared < interval:
            continue
        # The status first: a write after it is seen by the next glance.
        last_status, compared = current_status, time.monotonic()
        current = fingerprint()
        if current != last:
            last = current
            try:
                on_change()
            except Exception as exc:
                if on_error is not None:
                    on_error(exc)


@dataclass(frozen=True)
class PreviewSettings:
    """How ``serve`` serves: the build time, where it listens, and whether it rebuilds
    on every change of the data file."""

    now: datetime
    host: str = "127.0.0.1"
    port: int = 8000
    watch_data: bool = False


def run_preview(
    data_path: Path,
    out_dir: Path,
    settings: PreviewSettings,
    *,
    say: Callable[[str], None],
    complain: Callable[[str], None],
) -> None:
    """Build the preview, serve it until Ctrl+C or SIGTERM, and rebuild it on every
    change of the data file when ``settings.watch_data`` is set.

    ``say`` tells the user what happens (it must flush: other programs wait for
    "Serving a preview"); ``complain`` reports a failed rebuild on stderr. A
    rebuild that fails leaves the last good build served.
    """
    stop = threading.Event()
    # A service manager stops the preview with SIGTERM: clean up as for Ctrl+C.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous_handler = signal.signal(signal.SIGTERM, _interrupt) if in_main_thread else None
    try:
        try:
            preview = open_preview(data_path, out_dir, settings.host, settings.port)
        except KeyboardInterrupt:
            return
        try:
            preview.rebuild(settings.now)
            say(f"Serving a preview of {data_path} at {preview.url}")
            say("Press Ctrl+C to stop.")
            if settings.watch_data:
                _start_watching(preview, data_path, settings.now, stop, say, complain)
            preview.serve()
        except KeyboardInterrupt:
            stop.set()
            say("Stopped.")
        finally:
            stop.set()
            preview.close()
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)


def _start_watching(
    preview: Preview,
    data_path: Path,
    now: datetime,
    stop: threading.Event,
    say: Callable[[str], None],
    complain: Callable[[str], None],
) -> None:
    """Rebuild the preview in a thread of its own whenever the data file changes."""

    def rebuild() -> None:
        say(f"{data_path} changed: rebuilding…")
        try:
            changes = preview.rebuild(now)
        except WegoIcalError as exc:
            if stop.is_set():  # Ctrl+C ended the build too: "Stopped." says it all
                return
            complain(str(exc))
            say("The preview still shows the last good build.")
            return
        if stop.is_set():  # finished as the preview stopped: nobody will look at it
            return
        say(f"Rebuilt from {data_path}: {plural(len(changes), 'change')} for subscribers.")

    def unexpected(exc: Exception) -> None:
        complain(
            f"Unexpected error while rebuilding ({type(exc).__name__}: {exc}); this is "
            "a bug in wego-ical, please report it. The preview still shows the last "
            "good build, and the next change is rebuilt as usual."
        )

    watching = threading.Event()
    threading.Thread(
        target=watch,
        args=(data_path, rebuild, stop),
        kwargs={"on_error": unexpected, "ready": watching},
        daemon=True,
    ).start()
    watching.wait(10)
    say(f"Watching {data_path} for changes.")


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt
