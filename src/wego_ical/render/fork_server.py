"""The server process (multiprocessing's forkserver) that fresh processes are forked
from: ``serve``'s builds, and the workers of a large build.

A one-off build's server was kept until the build ended, although its workers had
finished long before: 28 MB at 100,000 sessions, counted in the build's peak.
Here a server that the chunked work started itself is stopped once every piece of
work that used it is done; one already running (started by ``serve`` with
:func:`start_fresh_processes`) is left running. A first build of a large series starts
the server for its workers ahead of them (:func:`start_for_workers`): the server imports
their module on another core while the build plans, instead of while it waits for them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

# Reentrant: work dropped may be let go of (workers_done) by the garbage collector, which
# can run in any thread at any moment, this one's locked sections too.
_lock = threading.RLock()
_users = 0  # chunked work forking from the server, not yet done
_started_here = False  # whether the server was started by that work (then it is stopped)
_ahead = False  # started by start_for_workers, for work still to come


def start_fresh_processes(preload: Sequence[str]) -> None:
    """Start the server :func:`~wego_ical.render.fresh_process.in_fresh_process` forks
    from, having imported ``preload``.

    Meant for the main thread, before a first ``in_fresh_process``: Ctrl+C is
    ignored while the server starts, which it would not survive while it imports (it
    ignores Ctrl+C itself once it runs; the processes it starts heed it again).
    Elsewhere, nothing is done here: the server starts when it is first needed.
    """
    _start(preload)


def start_for_workers(module: str) -> None:
    """Start the server that the workers of :func:`for_workers` with ``module`` will be
    forked from, before they are needed; stopped like a server their work started
    (nothing is done where a server runs already, or outside the main thread)."""
    global _ahead
    with _lock:
        if _users or _running():
            return
    if _start([module]):
        _ahead = True


def _start(preload: Sequence[str]) -> bool:
    """Start the server with ``preload`` imported, from the main thread; whether it did."""
    import multiprocessing
    import multiprocessing.forkserver
    import signal

    if threading.current_thread() is not threading.main_thread():
        return False
    multiprocessing.set_forkserver_preload(list(preload))
    # A signal ignored here stays ignored in the process started (Python too leaves it so).
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
    return True


def for_workers(module: str) -> BaseContext:
    """The server's context for worker processes that run ``module``'s work; pair each
    call with one :func:`workers_done`."""
    import multiprocessing

    global _users, _started_here, _ahead
    with _lock:
        if _users == 0:
            _started_here = _ahead or not _running()
            _ahead = False
        _users += 1
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([module])
    return context


def workers_done() -> None:
    """The workers of one :func:`for_workers` have all ended: once none are left, a
    server started for them is stopped (the next work starts another)."""
    global _users
    with _lock:
        _users -= 1
        if _users or not _started_here:
            return
        _stop()


def _server() -> object:
    import multiprocessing.forkserver

    return multiprocessing.forkserver._forkserver


def _running() -> bool:
    # multiprocessing has no public way to ask whether its server runs, or to stop it.
    return getattr(_server(), "_forkserver_pid", None) is not None


def _stop() -> None:
    stop = getattr(_server(), "_stop", None)
    if stop is not None:
        stop()  # the server exits when its last client lets go; this waits for it
