"""A fresh interpreter given work through a pipe while this process goes on: what the
exports' encoder (:mod:`~wego_ical.render.encoding_process`) and the pages' layout
(:mod:`~wego_ical.page.layout_process`) share.

A process forked from a large build would copy the memory it reads, so the process runs
one module (``python -m``) and is given plain values. Neither side ever blocks on a full
pipe while the other waits for it to read: this one writes what the pipe takes and reads
what has come whenever it waits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from wego_ical.errors import WorkerError

PIPE_SIZE = 1 << 20
# What may wait to be written to the process before this one waits for it.
_MAX_OUTGOING = 8 << 20
# How long the process may take to say it runs.
_START_SECONDS = 60


class PipedProcess:
    """The process running ``module`` with ``arguments`` (and the descriptors
    ``shared``); it says ``ready`` once it runs. ``what`` names it in the message when it
    stops. A context manager that ends the process (at once, if work is left).

    Subclasses say how the bytes that come back are cut into results (:meth:`_unpack`)
    and whether work is left (:meth:`_unfinished`).
    """

    def __init__(
        self, module: str, arguments: Sequence[str], shared: Sequence[int], ready: bytes, what: str
    ) -> None:
        # The same wego_ical as this process's, wherever that was imported from.
        root = str(Path(__file__).resolve().parents[2])
        paths = [root, *filter(None, [os.environ.get("PYTHONPATH")])]
        self._what = what
        self._process = subprocess.Popen(
            [sys.executable, "-m", module, *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
            pass_fds=tuple(shared),
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._to, self._from = self._process.stdin.fileno(), self._process.stdout.fileno()
        # Nothing is given to a process that could not start (an interpreter that cannot
        # import its module): the caller works here instead.
        if not select.select([self._from], [], [], _START_SECONDS)[0] or (
            os.read(self._from, len(ready)) != ready
        ):
            self._process.kill()
            self._release()
            raise OSError(f"{what} did not start")
        os.set_blocking(self._to, False)
        for pipe in (self._to, self._from):  # fewer, larger writes (Linux's limit: 1 MB)
            with contextlib.suppress(OSError, AttributeError):
                fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        self._outgoing = bytearray()
        self._incoming = bytearray()

    def _send(self, *parts: bytes) -> None:
        """Give the process ``parts``, waiting for it only while too much waits for it."""
        for part in parts:
            self._outgoing += part
        self._exchange(wait=False)
        while len(self._outgoing) > _MAX_OUTGOING:  # a process slower than this one
            self._exchange(wait=True)

    def _exchange(self, *, wait: bool) -> None:
        """Write what the pipe to the process takes, read what it has written."""
        writing = [self._to] if self._outgoing else []
        readable, writable, _ = select.select([self._from], writing, [], None if wait else 0)
        try:
            if writable:
                sent = 0
                with memoryview(self._outgoing) as outgoing, contextlib.suppress(BlockingIOError):
                    sent = os.write(self._to, outgoing[:PIPE_SIZE])
                del self._outgoing[:sent]
            if readable:
                data = os.read(self._from, PIPE_SIZE)
                if not data:
                    raise self.stopped()
                self._incoming += data
        except (BrokenPipeError, ConnectionResetError):
            raise self.stopped() from None
        self._unpack(self._incoming)

    def _unpack(self, incoming: bytearray) -> None:
        """Take the results that have fully come from the front of ``incoming``."""
        raise NotImplementedError

    def _unfinished(self) -> bool:
        """Whether the process was given work it has not given back."""
        raise NotImplementedError

    def stopped(self) -> WorkerError:
        return WorkerError.stopped(self._what)

    def close(self) -> None:
        if self._unfinished() and self._process.poll() is None:  # given up: work left
            self._process.kill()
        self._release()

    def _release(self) -> None:
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()
        self._process.wait()
