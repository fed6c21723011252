"""The event pages of a large series laid out in a process of their own, while this one
makes the views of the pages that come next.

At 100,000 sessions the build process made 5,000 event pages, alone: their views (what
each page shows, from the series and the records) and their layout (the templates),
each about half of about 20 s. Only the views need the series. So this process makes
each page's views and gives them, pickled, to a fresh interpreter (see
:mod:`~wego_ical.render.piped_process`) that lays them out through the same templates
and gives back the page's bytes, in order; what every page of an edition shares (its
words, the series' texts, labels) is given once.
"""

from __future__ import annotations

import pickle
import struct
import sys
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from wego_ical.errors import WorkerError
from wego_ical.pieces import KEPT, Kept
from wego_ical.render.piped_process import PipedProcess

# What a page is laid out from: its template and what it shows. Those of an edition's
# pages share the values named in EDITION_KEYS (the same objects), given to the process
# once.
Layout = tuple[str, dict[str, Any]]
EDITION_KEYS = ("t", "series", "labels", "run")

# A message: whether it gives the values every page shares (else a page), its length.
_ASKED = struct.Struct("<?I")
# A page given back: whether it could be laid out, the length of its bytes (or message).
_GIVEN = struct.Struct("<?I")
_READY, _WHAT = b"wego-ical layout\n", "the process laying out the pages"


class PageLayout(PipedProcess):
    """Lays out pages in a process of its own; a context manager that ends it."""

    def __init__(self) -> None:
        super().__init__(__name__, [], [], _READY, _WHAT)
        self._asked = 0
        self._done: deque[bytes] = deque()
        self._edition: tuple[object, ...] = ()
        # The process ends when the pages are dropped (a build that fails).
        weakref.finalize(self, self._process.kill)

    def submit(self, template: str, context: dict[str, Any]) -> None:
        """Ask for the page of ``template`` showing ``context``."""
        edition = tuple(context[key] for key in EDITION_KEYS)
        if len(self._edition) != len(edition) or any(
            a is not b for a, b in zip(edition, self._edition, strict=True)
        ):
            self._edition = edition
            shared = pickle.dumps(dict(zip(EDITION_KEYS, edition, strict=True)), protocol=5)
            self._send(_ASKED.pack(True, len(shared)), shared)
        own = {key: value for key, value in context.items() if key not in EDITION_KEYS}
        data = pickle.dumps((template, own), protocol=5)
        self._asked += 1
        self._send(_ASKED.pack(False, len(data)), data)

    def take(self) -> bytes:
        """The bytes of the oldest page asked for and not taken yet."""
        while not self._done:
            self._exchange(wait=True)
        self._asked -= 1
        return self._done.popleft()

    def _unpack(self, incoming: bytearray) -> None:
        while len(incoming) >= _GIVEN.size:
            succeeded, size = _GIVEN.unpack_from(incoming)
            end = _GIVEN.size + size
            if len(incoming) < end:
                return
            data = bytes(incoming[_GIVEN.size : end])
            del incoming[:end]
            if not succeeded:  # the build ends: so does the process, at once
                self._process.kill()
                raise WorkerError(f"the pages could not be laid out: {data.decode()}")
            self._done.append(data)

    def _unfinished(self) -> bool:
        return self._asked > len(self._done)

    def __enter__(self) -> PageLayout:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class LaidOutApart:
    """Pages produced in ``order``, each laid out by a :class:`PageLayout` while the
    next ones' views are made here (up to :attr:`ahead` of them): ``prepare`` gives a
    page's layout, or KEPT. Where no process can be started, pages are laid out here by
    ``lay_out``."""

    ahead = 12

    def __init__(
        self,
        order: Sequence[str],
        prepare: Callable[[str], Layout | Kept],
        lay_out: Callable[[str, dict[str, Any]], Iterator[bytes]],
    ) -> None:
        self._order = deque(order)
        self._prepare, self._lay_out = prepare, lay_out
        self._layout: PageLayout | None = None
        self._started = False
        self._prepared: dict[str, Layout | Kept] = {}  # here, where no process runs
        self._waiting: deque[str] = deque()  # asked for, in order, not taken yet
        self._taken: dict[str, bytes] = {}

    def page(self, path: str) -> Iterator[bytes] | Kept:
        """The page at ``path``: its bytes, or KEPT."""
        self._ask_until(path)
        outcome = self._prepared.pop(path, None)
        if isinstance(outcome, Kept):
            return KEPT
        if outcome is not None:  # no process: laid out here
            return self._lay_out(*outcome)
        assert self._layout is not None
        while path not in self._taken:
            self._taken[self._waiting.popleft()] = self._layout.take()
        if not self._order and not self._waiting:
            self._layout.close()
        return iter((self._taken.pop(path),))

    def _ask_until(self, path: str) -> None:
        """Prepare the pages up to ``path`` and as many as are let ahead of it."""
        while self._order and (
            (path not in self._prepared and path not in self._taken and path not in self._waiting)
            or len(self._waiting) + len(self._prepared) < self.ahead
        ):
            following = self._order.popleft()
            made = self._prepare(following)
            layout = None if isinstance(made, Kept) else self._process()
            if layout is None:
                self._prepared[following] = made
            else:
                assert not isinstance(made, Kept)
                layout.submit(*made)
                self._waiting.append(following)

    def _process(self) -> PageLayout | None:
        if not self._started:
            self._started = True
            try:
                self._layout = PageLayout()
            except OSError:  # no process to spare (EAGAIN, ENOMEM)
                self._layout = None
        return self._layout


def _serve() -> None:
    """The process's loop: each page asked for on stdin, its bytes on stdout, until stdin
    closes."""
    from wego_ical.page.layout import generate_page

    asked, given = sys.stdin.buffer, sys.stdout.buffer
    given.write(_READY)
    given.flush()
    edition: Mapping[str, Any] = {}
    while header := asked.read(_ASKED.size):
        shared, size = _ASKED.unpack(header)
        data = asked.read(size)
        if shared:
            edition = pickle.loads(data)
            continue
        try:
            template, own = pickle.loads(data)
            page, succeeded = b"".join(generate_page(template, {**edition, **own})), True
        except Exception as exc:  # told to the build, which says what failed
            page, succeeded = repr(exc).encode(), False
        given.write(_GIVEN.pack(succeeded, len(page)))
        given.write(page)
        given.flush()


if __name__ == "__main__":
    _serve()
