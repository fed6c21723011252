"""Large files are produced and written in pieces of about 64 KB.

A feed of 100,000 events is over 100 MB: it is never held as one string.
Generators yield many small pieces (one VEVENT, one template fragment);
:func:`regroup` joins them into pieces large enough to write efficiently.
"""

from __future__ import annotations

import errno
import itertools
import os
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import AnyStr, Protocol

PIECE_SIZE = 1 << 16


class Kept:
    """A file the last build wrote and this one would write the same: the file in place
    is kept, not made again (a page whose inputs did not change)."""

    def __repr__(self) -> str:
        return "KEPT"


KEPT = Kept()


class Recipes:
    """The recipes of a build's files (a digest of all a file is made of, recorded for
    the next build) and those the last build recorded for the files in place: a file
    whose recipe is the same again is KEPT.

    A file made in a child process records its recipe there: :func:`recorded_apart`
    collects what the child recorded, and :func:`record_again` gives it to the same
    Recipes in the parent."""

    def __init__(self, kept: Mapping[str, str]) -> None:
        self.kept = kept
        self.made: dict[str, str] = {}
        self._number = next(_numbers)
        _every[self._number] = self

    def same(self, path: str, recipe: str) -> bool:
        """Record the recipe of ``path``; whether the file in place has it already."""
        self.made[path] = recipe
        if _recording is not None:
            _recording.append((self._number, path, recipe))
        return self.kept.get(path) == recipe


# What the recipes of a process recorded while it made files for its parent:
# (which Recipes, path, recipe).
Recorded = list[tuple[int, str, str]]
_numbers = itertools.count()
# Every Recipes alive, by number: a child forked from this process has the same ones.
_every: weakref.WeakValueDictionary[int, Recipes] = weakref.WeakValueDictionary()
_recording: Recorded | None = None


@contextmanager
def recorded_apart() -> Iterator[Recorded]:
    """What every Recipes records meanwhile, for :func:`record_again` in the parent."""
    global _recording
    outer, _recording = _recording, []
    try:
        yield _recording
    finally:
        _recording = outer


def record_again(recorded: Recorded) -> None:
    """Record in this process what a child recorded (see :func:`recorded_apart`)."""
    for number, path, recipe in recorded:
        recipes = _every.get(number)
        if recipes is not None:
            recipes.made[path] = recipe


class KeptPieces(Protocol):
    """Pieces of the files the last build wrote, each found by the digest of what it was
    made from (a schedule's talks of one room and day): a rebuild copies a piece whose
    digest is the same instead of making it again; and the record of the pieces of the
    file written now, for the next build."""

    def piece(self, path: str, digest: str) -> bytes | None:
        """The bytes the file in place at ``path`` has for ``digest``; None if none."""

    def remember(self, path: str, made: Sequence[tuple[str, int, int]], whole: str) -> None:
        """Record the pieces (digest, offset, length) of the file written at ``path``,
        whose bytes have the SHA-256 digest ``whole``."""


# What a calendar's envelope has after its last VTIMEZONE: the events go before it.
CALENDAR_END = b"END:VCALENDAR\r\n"


def splice_pieces(envelope: bytes, vevents: Iterable[bytes]) -> Iterator[bytes]:
    """A calendar file, the ``envelope`` (header and VTIMEZONEs) with the VEVENTs added,
    in pieces of about 64 KB (a feed can hold every event)."""
    assert envelope.endswith(CALENDAR_END)
    yield from regroup(itertools.chain([envelope[: -len(CALENDAR_END)]], vevents, [CALENDAR_END]))


class Spliced:
    """A calendar file that is only an envelope with event texts in it, each read from
    a file of texts (by its descriptor ``spill``) where it lies: ``texts`` holds each
    text's offset and length, in order. Its bytes, in pieces, come from iterating it; it
    is described by plain values, so that another process can write it (see
    :mod:`~wego_ical.output.spliced`)."""

    # Texts lying one after another are read at once, up to this many bytes.
    READ_SIZE = PIECE_SIZE

    def __init__(self, spill: int, envelope: bytes, texts: Sequence[tuple[int, int]]) -> None:
        self.spill, self.envelope, self.texts = spill, envelope, texts

    def __iter__(self) -> Iterator[bytes]:
        return splice_pieces(self.envelope, self._read())

    def _read(self) -> Iterator[bytes]:
        """Each text, read with as few reads as the file allows."""
        texts = self.texts
        index = 0
        while index < len(texts):
            start, length = texts[index]
            end = index + 1
            while (
                end < len(texts)
                and texts[end][0] == start + length
                and length + texts[end][1] <= self.READ_SIZE
            ):
                length += texts[end][1]
                end += 1
            data = os.pread(self.spill, length, start)
            if len(data) != length:
                raise OSError(errno.EIO, "the file of event texts is shorter than recorded")
            if end == index + 1:
                yield data
            else:
                with memoryview(data) as view:
                    at = 0
                    for _, size in texts[index:end]:
                        yield bytes(view[at : at + size])
                        at += size
            index = end


@dataclass(frozen=True)
class SplicedGroup:
    """Files a build may have written by a process of their own (``names``, in order:
    those that turn out :class:`Spliced`; see :mod:`~wego_ical.output.spliced`), once
    ``ready()`` says no file waits for the rendering any more (or the first is due)."""

    names: tuple[str, ...]
    ready: Callable[[], bool]

    @classmethod
    def joined(cls, groups: Sequence[tuple[str, SplicedGroup]]) -> SplicedGroup:
        """One group of the groups of several folders (by their path, "" for the top)."""
        names = tuple(
            f"{at}/{name}" if at else name for at, group in groups for name in group.names
        )
        return cls(names, lambda: all(group.ready() for _, group in groups))


# A file's bytes, a function that produces them (whole, or in pieces for a file too
# large to hold in memory; KEPT when it finds the file in place is what it would make),
# or KEPT.
Content = bytes | Kept | Callable[[], bytes | Iterable[bytes] | Kept]


def regroup(pieces: Iterable[AnyStr], size: int = PIECE_SIZE) -> Iterator[AnyStr]:
    """The same text or bytes in pieces of at least ``size`` (the last may be shorter)."""
    buffer: list[AnyStr] = []
    total = 0
    for piece in pieces:
        buffer.append(piece)
        total += len(piece)
        if total >= size:
            yield _join(buffer)
            buffer, total = [], 0
    if buffer:
        yield _join(buffer)


def _join(buffer: list[AnyStr]) -> AnyStr:
    # A plain empty separator: joining with a piece's own type would make a
    # Jinja2 Markup piece escape the text after it.
    if isinstance(buffer[0], bytes):
        return b"".join(buffer)
    return "".join(buffer)
