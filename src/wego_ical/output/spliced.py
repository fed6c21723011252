"""The calendar files of a large series that are only event texts in an envelope (its
single-event files and feeds: see :class:`~wego_ical.pieces.Spliced`), written by a
process of their own once every text is rendered, while this one makes the pages.

At 100,000 sessions the build process wrote them after its pages, alone, with the other
core idle (about 14 s, most of it creating 105,000 files in the kernel). A process forked
from it would copy the memory it reads; this one is a fresh interpreter given plain
values only: each file's path, its envelope, and where its texts lie in the temporary
files of texts, whose descriptors it inherits. It compares each file with the one in
place, as this process would, and says which differ.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import tempfile
from array import array
from pathlib import Path
from typing import BinaryIO

from wego_ical.errors import OutputError, WorkerError
from wego_ical.output.produce import Folders, produce_file, reason
from wego_ical.pieces import Recorded, Spliced


class SplicedWriter:
    """Writes ``files`` into ``staging`` in a process of its own, comparing each with the
    one in ``out_dir`` (None: a first build, nothing to compare with); :meth:`result`
    says which differ, as a child of :class:`~wego_ical.render.workers.Apart` does."""

    def __init__(self, staging: Path, out_dir: Path | None, files: list[tuple[str, Spliced]]):
        # The job goes to the process through a temporary file, one value at a time
        # (each envelope once, before the first file that has it): neither process
        # holds it whole (tens of MB at 100,000 sessions, near the build's peak).
        with tempfile.TemporaryFile() as job:
            marshal.dump((str(staging), None if out_dir is None else str(out_dir)), job)
            envelopes: dict[bytes, int] = {}
            for relative, content in files:
                if content.envelope not in envelopes:
                    envelopes[content.envelope] = len(envelopes)
                    marshal.dump(content.envelope, job)
                texts = array("q", [number for text in content.texts for number in text])
                number = envelopes[content.envelope]
                marshal.dump((relative, content.spill, number, texts.tobytes()), job)
            job.seek(0)
            # The same wego_ical as this process's, wherever that was imported from.
            root = str(Path(__file__).resolve().parents[2])
            paths = [root, *filter(None, [os.environ.get("PYTHONPATH")])]
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=job,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
                pass_fds=sorted({content.spill for _, content in files}),
            )
        self._differs: tuple[bool, ...] | None = None

    def result(self) -> tuple[tuple[bool, ...], Recorded]:
        """Whether each file differs (its recipes were recorded here), or the error that
        stopped the process."""
        if self._differs is None:
            assert self._process.stdout is not None
            data = self._process.stdout.read()
            self._process.wait()
            try:
                written, outcome = marshal.loads(data)
            except (EOFError, ValueError, TypeError):
                raise WorkerError.stopped("the process writing the events' files") from None
            if not written:
                raise OutputError(outcome)
            self._differs = tuple(map(bool, outcome))
        return self._differs, []

    def cancel(self) -> None:
        """End the process at once, if it still runs (its files will not be used)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


def _write(job: BinaryIO) -> bytes:
    """Each file of ``job`` written (where it differs); whether each differs."""
    staging, out_dir = marshal.load(job)
    folders = Folders()
    envelopes: list[bytes] = []
    differs = bytearray()
    while True:
        try:
            value = marshal.load(job)
        except EOFError:
            return bytes(differs)
        if isinstance(value, bytes):
            envelopes.append(value)
            continue
        relative, spill, envelope, texts = value
        numbers = array("q")
        numbers.frombytes(texts)
        content = Spliced(
            spill, envelopes[envelope], list(zip(numbers[::2], numbers[1::2], strict=True))
        )
        old = None if out_dir is None else Path(out_dir, relative)
        try:
            differs.append(produce_file(content, Path(staging, relative), old, folders))
        except OSError as exc:  # reading the texts; writing says which file itself
            raise OutputError(f"{relative}: cannot be written: {reason(exc)}") from None


def _serve() -> None:
    """The process: its job on stdin, whether each file differs (or why it could not be
    written) on stdout."""
    from wego_ical.render.orphans import end_with_parent

    end_with_parent()
    try:
        outcome: tuple[bool, bytes | str] = (True, _write(sys.stdin.buffer))
    except OutputError as exc:
        outcome = (False, str(exc))
    except KeyboardInterrupt:  # the build is stopping, and says so itself
        return
    sys.stdout.buffer.write(marshal.dumps(outcome))


if __name__ == "__main__":
    _serve()
