"""The VEVENT text of every event of a publication (:class:`EventTexts`): reused from the
previous build where the event did not change, else rendered in worker processes when a
file first needs it; kept in a temporary file rather than in memory for a large series."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence

from wego_ical.files import write_all
from wego_ical.pieces import Spliced, splice_pieces
from wego_ical.plan.records import EventRecord, State, text_digest
from wego_ical.render.calendar import (
    RENDERER,
    Rendered,
    check_output,
    is_vevent,
    render_all,
    splice,
)
from wego_ical.render.workers import ChunkedWork, WorkerSettings, start_server_ahead


def render_ahead(workers: WorkerSettings | None, events: int) -> None:
    """Get ready to render ``events`` events: where their workers come from a server
    process, it is started now, and imports what they run while the build plans (at
    100,000 sessions the build had waited 1.0 s between its plan and its first file for
    the server and its workers; 0.6-0.8 s so)."""
    start_server_ahead(workers, events, render_all)


def reusable_texts(
    previous: State | None, rendered: Mapping[str, bytes], records: list[EventRecord]
) -> dict[str, bytes]:
    """Previously rendered VEVENTs that are exactly what this build would render."""
    if previous is None or previous.renderer != RENDERER or not rendered:
        return {}
    before = {record.uid: record for record in previous.events}
    result = {}
    for record in records:
        old, text = before.get(record.uid), rendered.get(record.uid)
        if (
            old is not None
            and text is not None
            and (old.fingerprint, old.sequence, old.updated)
            == (record.fingerprint, record.sequence, record.updated)
            and previous.rendered.get(record.uid) == text_digest(text)
            and is_vevent(text)
        ):
            result[record.uid] = text
    return result


class EventTexts:
    """The VEVENT text of every event of a publication, by key (the UID).

    Events that were not reused from the previous publication are rendered
    in chunks (see :mod:`~wego_ical.render.workers`), started at the first use, so
    ``wego-ical diff`` renders nothing. A text is waited for only when a
    file needs it; a self-check error then raises
    :class:`~wego_ical.errors.SelfCheckError`, before anything is written.
    """

    def __init__(
        self,
        reusable: Mapping[str, bytes],
        records: Sequence[EventRecord],
        workers: WorkerSettings | None = None,
        digests: Mapping[str, str] | None = None,
    ) -> None:
        """``digests`` may give the digests of the ``reusable`` texts, known already."""
        self._workers = workers
        self._texts: dict[str, bytes] = {}
        # A large publication keeps its texts in a temporary file, not in memory
        # (WorkerSettings.spills); it lives as long as the texts: closed, and gone,
        # when they are collected.
        self._spill = (
            tempfile.TemporaryFile(buffering=0)  # noqa: SIM115
            if (workers or WorkerSettings()).spills(len(records))
            else None
        )
        self._spilled: dict[str, tuple[int, int]] = {}
        self._spill_size = 0
        # Taken as each text is kept, so that feeds.json need not read them all again.
        self._digests: dict[str, str] = {}
        known = digests or {}
        for key, text in reusable.items():
            self._keep(key, text, known.get(key))
        self._fresh = [record for record in records if record.uid not in reusable]
        self._position = {record.uid: index for index, record in enumerate(self._fresh)}
        self._rendering: ChunkedWork[EventRecord, Rendered] | None = None

    def start(self) -> None:
        """Begin rendering the events that need it (once)."""
        if self._rendering is None:
            self._rendering = ChunkedWork(self._fresh, render_all, self._workers)

    def add(self, key: str, text: bytes) -> None:
        """Add a text rendered elsewhere (a cancelled copy kept in a feed)."""
        self._keep(key, text)

    def digest(self, key: str) -> str:
        """The digest of the text of ``key`` (as recorded in feeds.json), rendering it if needed."""
        if key not in self._digests:
            self[key]  # renders the chunk that holds it
        return self._digests[key]

    def _keep(self, key: str, text: bytes, digest: str | None = None) -> None:
        self._keep_all([key], [text], [digest or text_digest(text)])

    def _keep_all(
        self, keys: Sequence[str], texts: Sequence[bytes], digests: Sequence[str]
    ) -> None:
        self._digests.update(zip(keys, digests, strict=True))
        if self._spill is None:
            self._texts.update(zip(keys, texts, strict=True))
            return
        at = self._spill_size
        for key, text in zip(keys, texts, strict=True):
            self._spilled[key] = (at, len(text))
            at += len(text)
        # A rendered chunk's texts in one write, not one system call each.
        write_all(self._spill.fileno(), b"".join(texts))
        self._spill_size = at

    def _known(self, key: str) -> bytes | None:
        text = self._texts.get(key)
        if text is None and self._spill is not None and key in self._spilled:
            offset, length = self._spilled[key]
            text = os.pread(self._spill.fileno(), length, offset)
        return text

    def take_arrived(self) -> None:
        """Texts that came back from the workers go to the temporary file now, rather
        than wait in the pool's results until a file needs them, while the workers run
        ahead (120 MB at 100,000 events); called as each file is made."""
        if self._spill is not None and self._rendering is not None:
            for number in self._rendering.arrived():
                self._take(number)

    def __getitem__(self, key: str) -> bytes:
        self.take_arrived()
        text = self._known(key)
        if text is None:
            self.start()
            assert self._rendering is not None
            self._take(self._rendering.chunk_of(self._position[key]))
            text = self._known(key)
            assert text is not None
        return text

    def _take(self, number: int) -> None:
        """Keep the texts of rendered chunk ``number`` (waiting for it)."""
        assert self._rendering is not None
        rendered = self._rendering.take(number)
        check_output({}, rendered.problems)
        first = number * self._rendering.step
        keys = [record.uid for record in self._fresh[first : first + len(rendered.texts)]]
        self._keep_all(keys, rendered.texts, rendered.digests)

    def splice(self, envelope: bytes, keys: Sequence[str]) -> bytes | Spliced:
        """A calendar file: ``envelope`` with the VEVENTs of ``keys`` added (where the texts
        wait in a temporary file, the file as :meth:`spliced` describes it)."""
        if self._spill is not None:
            return self.spliced(envelope, keys)
        return splice(envelope, [self[key] for key in keys])

    def stream(self, envelope: bytes, keys: Sequence[str]) -> Iterator[bytes] | Spliced:
        """The same file in pieces of about 64 KB, each text waited for when it is needed
        (or as :meth:`spliced` describes it)."""
        if self._spill is not None:
            return self.spliced(envelope, keys)
        return splice_pieces(envelope, (self[key] for key in keys))

    def spliced(self, envelope: bytes, keys: Sequence[str]) -> Spliced:
        """The file of ``envelope`` with the texts of ``keys`` as where they lie in the
        temporary file (each waited for now): a process of its own may write it."""
        assert self._spill is not None
        ranges = []
        for key in keys:
            if key not in self._spilled:
                self[key]  # rendered (or waited for) and kept there
            ranges.append(self._spilled[key])
        return Spliced(self._spill.fileno(), envelope, ranges)

    def ready(self) -> bool:
        """Whether every text is kept already (no file waits for the workers any more)."""
        self.take_arrived()
        return not self._fresh or (self._rendering is not None and self._rendering.done())
