"""Work in a process of its own, forked from multiprocessing's server (see
:mod:`~wego_ical.render.fork_server`): for a process with threads (``serve``), which
must not fork itself, and whose builds must not keep their memory.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from wego_ical.errors import WorkerError
from wego_ical.render.workers import attempt, pickled_outcome, returned, unpickled_outcome

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

T = TypeVar("T")
R = TypeVar("R")


def in_fresh_process(
    work: Callable[[T], R], argument: T, *, on_start: Callable[[Any], None] | None = None
) -> R:
    """``work(argument)`` in a new process, waited for: its result, or the exception
    it raised.

    For a process with threads (see :func:`~wego_ical.render.workers.fork_is_safe`),
    which must not fork itself: the new process is forked from multiprocessing's
    forkserver, a small single-threaded process (started by
    :func:`~wego_ical.render.fork_server.start_fresh_processes` with the modules the
    work needs imported, or else now), so it may fork workers of its own.
    ``argument`` and the result are pickled; the process ends with the work, and the
    memory the work used goes with it.

    The process leads a process group of its own, with every process it starts,
    so Ctrl+C at a terminal does not reach it: ``on_start`` is given the process
    once it runs in its group, to stop it early with :func:`interrupt` (the work
    then raises :class:`WorkerError`).
    """
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    receiving, sending = context.Pipe(duplex=False)
    # Not daemonic: a daemonic process may not start worker processes.
    process = context.Process(target=_run_and_send, args=(work, argument, sending))
    try:
        process.start()
    except (OSError, EOFError) as exc:  # no process to spare, or the server died
        receiving.close()
        raise WorkerError(f"could not start a process for the work ({exc})") from None
    finally:
        sending.close()
    try:
        started = _received(receiving)  # b"" once the process is in its group
        if started is not None and on_start is not None:
            on_start(process)
        data = _received(receiving) if started is not None else None
    finally:
        receiving.close()
        process.join()
    return returned(unpickled_outcome(data or b""))


def _received(receiving: Connection) -> bytes | None:
    """The next message from the process, or None if it ended before it sent one."""
    try:
        return receiving.recv_bytes()
    except EOFError:
        return None


def interrupt(process: Any) -> None:
    """Ctrl+C for a process :func:`in_fresh_process` started and everything it started
    (its workers, and the children that write files): they stop as at a terminal, each
    cleaning up after itself."""
    _signal_group(process, "SIGINT")


def end_now(process: Any) -> None:
    """End a process :func:`in_fresh_process` started, and everything it started, at
    once (SIGKILL): for one that did not stop when it was interrupted."""
    _signal_group(process, "SIGKILL")


def _signal_group(process: Any, name: str) -> None:
    import signal

    # Only while the process runs: once it has ended, its number may be reused.
    if process.is_alive():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, getattr(signal, name))


def _run_and_send(work: Callable[[T], R], argument: T, sending: Connection) -> None:
    import signal

    # A group of its own before anything else is started, so that one signal reaches
    # all this process starts (see interrupt); the caller is told once it is made.
    os.setpgid(0, 0)
    # A server started by start_fresh_processes passes on its ignoring of Ctrl+C; one
    # started lazily, while Ctrl+C was held back (see ChunkedWork), on its blocking.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        sending.send_bytes(b"")
        outcome = attempt(functools.partial(work, argument))
    except KeyboardInterrupt:
        # Ctrl+C reaches this process too: the caller is stopping, and has its own
        # message for that (multiprocessing would print a traceback).
        sending.close()
        return
    # Let the work's threads end first, as an interpreter does at exit: the thread of
    # a worker pool still has to tell its workers to stop, and multiprocessing closes
    # the queue it does that through as soon as this function returns (the workers
    # would then wait for ever, and this process for them).
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    try:
        sending.send_bytes(pickled_outcome(outcome))
    except (BrokenPipeError, ConnectionResetError):
        # The caller is gone (Ctrl+C ended it first): nobody to tell, nothing to print.
        pass
    finally:
        sending.close()
