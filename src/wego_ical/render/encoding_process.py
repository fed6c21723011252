"""The exports of a large series encoded in a process of their own, while this one makes
the talks that come next.

At 100,000 sessions the build process wrote ``schedule.json`` and ``schedule.xml`` last,
alone, with the other cores idle (about 13 s). A process forked from it would copy the
memory it reads (every talk reads the model: 1.4 GB at the peak, measured), so the new
process is a fresh interpreter that imports :mod:`~wego_ical.render.talk_codec` only: it
is given each part as plain values (``marshal``, which leaves no UTF-8 copy on the texts
it reads, unlike ``pickle``) and gives back its bytes, in order. This process never
blocks on a full pipe while the other waits for it to read: it writes what the pipe
takes and reads what has come whenever it waits. The talks made for ``schedule.json``
are encoded as ``schedule.xml`` has them at the same time (:class:`XmlAhead`): making
them again was most of that file's time.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import marshal
import os
import select
import struct
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wego_ical.errors import WorkerError
from wego_ical.files import write_all
from wego_ical.render.talk_codec import (
    JSON_TALKS,
    XML_LEVEL,
    XML_TALKS,
    LocalEncoder,
    encode,
    fast_dumps,
)

# A part asked for: its kind, how deep it stands, the length of its values (marshal).
_ASKED = struct.Struct("<BBI")
# A part given back: whether it could be encoded, the length of its bytes (or message),
# and where the same talks as schedule.xml has them lie in the file of XmlAhead.
_GIVEN = struct.Struct("<?IQI")
_PIPE_SIZE = 1 << 20
# Without the references to repeated values of later versions: a third of the time.
_MARSHAL_VERSION = 2
# What may wait to be written to the process before this one waits for it.
_MAX_OUTGOING = 8 << 20
# What the process says once it runs, and how long it may take to say it.
_READY, _START_SECONDS = b"wego-ical encoder\n", 60


class ProcessEncoder:
    """Encodes parts in a process of its own, up to :attr:`ahead` of them ahead of the
    one taken; a context manager that ends the process (at once, if parts are left)."""

    ahead = 32

    def __init__(self, xml: XmlAhead | None = None) -> None:
        # The same wego_ical as this process's, wherever that was imported from.
        root = str(Path(__file__).resolve().parents[2])
        paths = [root, *filter(None, [os.environ.get("PYTHONPATH")])]
        spill = [] if xml is None else [xml.spill.fileno()]
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__, *map(str, spill)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
            pass_fds=spill,
        )
        self._xml = xml
        self._kinds: deque[int] = deque()  # of the parts asked for, not given back yet
        assert self._process.stdin is not None and self._process.stdout is not None
        self._to, self._from = self._process.stdin.fileno(), self._process.stdout.fileno()
        # Nothing is given to a process that could not start (an interpreter that cannot
        # import this module): the caller encodes here instead.
        if not select.select([self._from], [], [], _START_SECONDS)[0] or (
            os.read(self._from, len(_READY)) != _READY
        ):
            self._process.kill()
            self.close()
            raise OSError("the process encoding the exports did not start")
        os.set_blocking(self._to, False)
        for pipe in (self._to, self._from):  # fewer, larger writes (Linux's limit: 1 MB)
            with contextlib.suppress(OSError, AttributeError):
                fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
        self._outgoing = bytearray()
        self._incoming = bytearray()
        self._done: deque[bytes] = deque()

    def submit(self, kind: int, level: int, value: Any) -> None:
        """Ask for ``value`` encoded as a part of ``kind`` (see talk_codec.encode)."""
        data = marshal.dumps(value, _MARSHAL_VERSION)
        self._outgoing += _ASKED.pack(kind, level, len(data))
        self._outgoing += data
        self._kinds.append(kind)
        self._exchange(wait=False)
        while len(self._outgoing) > _MAX_OUTGOING:  # a process slower than this one
            self._exchange(wait=True)

    def take(self) -> bytes:
        """The bytes of the oldest part asked for and not taken yet."""
        while not self._done:
            self._exchange(wait=True)
        return self._done.popleft()

    def _exchange(self, *, wait: bool) -> None:
        """Write what the pipe to the process takes, read what it has written."""
        writing = [self._to] if self._outgoing else []
        readable, writable, _ = select.select([self._from], writing, [], None if wait else 0)
        try:
            if writable:
                sent = 0
                with memoryview(self._outgoing) as outgoing, contextlib.suppress(BlockingIOError):
                    sent = os.write(self._to, outgoing[:_PIPE_SIZE])
                del self._outgoing[:sent]
            if readable:
                data = os.read(self._from, _PIPE_SIZE)
                if not data:
                    raise _ended()
                self._incoming += data
        except (BrokenPipeError, ConnectionResetError):
            raise _ended() from None
        self._unpack()

    def _unpack(self) -> None:
        incoming = self._incoming
        while len(incoming) >= _GIVEN.size:
            succeeded, size, offset, length = _GIVEN.unpack_from(incoming)
            end = _GIVEN.size + size
            if len(incoming) < end:
                return
            data = bytes(incoming[_GIVEN.size : end])
            del incoming[:end]
            if not succeeded:
                raise WorkerError(f"the exports could not be encoded: {data.decode()}")
            if self._kinds.popleft() == JSON_TALKS and self._xml is not None:
                self._xml.placed(offset, length)
            self._done.append(data)

    def close(self) -> None:
        if self._kinds and self._process.poll() is None:  # given up: parts still asked for
            self._process.kill()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()
        self._process.wait()

    def __enter__(self) -> ProcessEncoder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class XmlAhead:
    """schedule.xml's talks encoded while schedule.json is written, from the talks made
    for it (making them took most of schedule.xml's time, and the cores had nothing
    else to do), kept in a temporary file until schedule.xml takes them.

    ``schedule.json``'s encoder (``ProcessEncoder(xml)``) encodes each room's talks of a
    day as both: its process tells where each lies in the file (:meth:`placed`), in the
    order :meth:`made` was told which talks were given to it.
    """

    def __init__(self) -> None:
        # Closed, and gone, when schedule.xml is written and lets go of it.
        self.spill = tempfile.TemporaryFile()  # noqa: SIM115
        self._made: deque[object] = deque()  # whose places are still to come
        self._places: dict[object, tuple[int, int]] = {}

    def made(self, events: object) -> None:
        """A room's talks of a day (:class:`~wego_ical.render.schedule.Events`), given
        to schedule.json's encoder after the others."""
        self._made.append(events)

    def placed(self, offset: int, length: int) -> None:
        self._places[self._made.popleft()] = (offset, length)

    def taken(self, events: object) -> bytes | None:
        """schedule.xml's bytes for ``events``, if they were encoded ahead."""
        place = self._places.pop(events, None)
        if place is None:
            return None
        offset, length = place
        data = os.pread(self.spill.fileno(), length, offset)
        return data if len(data) == length else None


class ApartExports:
    """What encodes one publication's exports apart (see WorkerSettings.encodes_apart):
    for each file, its encoding and the talks encoded ahead for schedule.xml."""

    def __init__(self) -> None:
        self._ahead: XmlAhead | None = None

    def json(self) -> tuple[Callable[[], ProcessEncoder | LocalEncoder], XmlAhead]:
        self._ahead = XmlAhead()
        return functools.partial(encoder_apart, self._ahead), self._ahead

    def xml(self) -> tuple[Callable[[], ProcessEncoder | LocalEncoder], XmlAhead | None]:
        ahead, self._ahead = self._ahead, None
        # After schedule.json, schedule.xml makes only the talks schedule.json copied from
        # its file in place and it cannot copy from its own (none, unless its record
        # describes nothing): not worth starting a process, 0.06-0.08 s each.
        return (encoder_apart if ahead is None else LocalEncoder), ahead


def encoder_apart(xml: XmlAhead | None = None) -> ProcessEncoder | LocalEncoder:
    """A :class:`ProcessEncoder`; where no process can be started, one that encodes here."""
    try:
        return ProcessEncoder(xml)
    except OSError:  # no process to spare (EAGAIN, ENOMEM)
        return LocalEncoder()


def _ended() -> WorkerError:
    return WorkerError.stopped("the process encoding the exports")


def _serve(spill: int | None) -> None:
    """The process's loop: each part asked for on stdin, its bytes on stdout, until
    stdin closes; with a ``spill`` file, schedule.json's talks as schedule.xml has them
    there too."""
    asked, given = sys.stdin.buffer, sys.stdout.buffer
    given.write(_READY)
    given.flush()
    written = 0
    while header := asked.read(_ASKED.size):
        kind, level, size = _ASKED.unpack(header)
        value = marshal.loads(asked.read(size))
        offset = length = 0
        try:
            data, succeeded = encode(kind, level, value, fast_dumps), True
            if kind == JSON_TALKS and spill is not None:
                xml = encode(XML_TALKS, XML_LEVEL, value)
                offset, length = written, len(xml)
                write_all(spill, xml)
                written += length
        except Exception as exc:  # told to the build, which says what failed
            data, succeeded = str(exc).encode(), False
        given.write(_GIVEN.pack(succeeded, len(data), offset, length))
        given.write(data)
        given.flush()


if __name__ == "__main__":
    _serve(int(sys.argv[1]) if len(sys.argv) > 1 else None)
