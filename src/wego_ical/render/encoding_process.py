"""The exports of a large series encoded in a process of their own, while this one makes
the talks that come next.

At 100,000 sessions the build process wrote ``schedule.json`` and ``schedule.xml`` last,
alone, with the other cores idle (about 13 s). A process forked from it would copy the
memory it reads (every talk reads the model: 1.4 GB at the peak, measured), so the new
process is a fresh interpreter that imports :mod:`~wego_ical.render.talk_codec` only: it
is given each part as plain values (``marshal``, which leaves no UTF-8 copy on the texts
it reads, unlike ``pickle``) and gives back its bytes, in order (see
:mod:`~wego_ical.render.piped_process`). The talks made for ``schedule.json``
are encoded as ``schedule.xml`` has them at the same time (:class:`XmlAhead`): making
them again was most of that file's time.
"""

from __future__ import annotations

import functools
import marshal
import os
import struct
import sys
import tempfile
from collections import deque
from collections.abc import Callable
from typing import Any

from wego_ical.errors import WorkerError
from wego_ical.render.piped_process import PipedProcess
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
# Without the references to repeated values of later versions: a third of the time.
_MARSHAL_VERSION = 2
# What the process says once it runs, and what it is called when it stops.
_READY, _WHAT = b"wego-ical encoder\n", "the process encoding the exports"


class ProcessEncoder(PipedProcess):
    """Encodes parts in a process of its own, up to :attr:`ahead` of them ahead of the
    one taken; a context manager that ends the process (at once, if parts are left)."""

    ahead = 32

    def __init__(self, xml: XmlAhead | None = None) -> None:
        spill = [] if xml is None else [xml.spill.fileno()]
        super().__init__(__name__, [str(fd) for fd in spill], spill, _READY, _WHAT)
        self._xml = xml
        self._kinds: deque[int] = deque()  # of the parts asked for, not given back yet
        self._done: deque[bytes] = deque()

    def submit(self, kind: int, level: int, value: Any) -> None:
        """Ask for ``value`` encoded as a part of ``kind`` (see talk_codec.encode)."""
        data = marshal.dumps(value, _MARSHAL_VERSION)
        self._kinds.append(kind)
        self._send(_ASKED.pack(kind, level, len(data)), data)

    def take(self) -> bytes:
        """The bytes of the oldest part asked for and not taken yet."""
        while not self._done:
            self._exchange(wait=True)
        return self._done.popleft()

    def _unpack(self, incoming: bytearray) -> None:
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

    def _unfinished(self) -> bool:
        return bool(self._kinds)

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
                with memoryview(xml) as rest:
                    while rest:
                        rest = rest[os.write(spill, rest) :]
                written += length
        except Exception as exc:  # told to the build, which says what failed
            data, succeeded = str(exc).encode(), False
        given.write(_GIVEN.pack(succeeded, len(data), offset, length))
        given.write(data)
        given.flush()


if __name__ == "__main__":
    _serve(int(sys.argv[1]) if len(sys.argv) > 1 else None)
