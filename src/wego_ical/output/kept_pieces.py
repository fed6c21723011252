"""The pieces of the exports in place that a rebuild may copy (see
:class:`~wego_ical.pieces.KeptPieces` and :class:`~wego_ical.render.schedule.Pieces`).

Whichever process writes ``schedule.json`` or ``schedule.xml`` of a large series (from
``WorkerSettings.parallel_min_items`` events; a small one's take milliseconds) records,
beside the output folder (``.dist.wego-ical.pieces.schedule.json.json``), where each
room's talks of a day lie in it, by the digest of what the talks are made of (see
``render.schedule._Talk.digest``), with the digest of the whole file and of the code.
The next build trusts that record only for the file in place whose bytes have that digest
(a build that failed after writing it, or a file changed by hand, leaves a record that
matches nothing), made by the same code: it then copies those bytes instead of encoding
the talks again. It is a cache: a record that cannot be read or written is no record.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, cast

from wego_ical.errors import OutputError
from wego_ical.files import ReadRefused, open_plain
from wego_ical.output import buildcache
from wego_ical.output import hidden_files as sidecar

SUFFIX = ".wego-ical.pieces"
FORMAT = 1


class FolderPieces:
    """The pieces of the files in the language ``folder`` ("" or "ko/") of ``out_dir``;
    ``writing``: records those of the files it writes (a build; never ``diff``)."""

    def __init__(self, out_dir: Path, folder: str, *, writing: bool) -> None:
        self.out_dir, self.folder, self.writing = out_dir, folder, writing
        # By path: the pieces' (offset, length) by digest, and the open file in place.
        self._tables: dict[str, tuple[dict[str, tuple[int, int]], BinaryIO] | None] = {}

    def piece(self, path: str, digest: str) -> bytes | None:
        if path not in self._tables:
            self._tables[path] = self._table(path)
        table = self._tables[path]
        if table is None or digest not in table[0]:
            return None
        (offset, length), file = table[0][digest], table[1]
        try:
            data = os.pread(file.fileno(), length, offset)
        except OSError:
            return None
        return data if len(data) == length else None

    def remember(self, path: str, made: Sequence[tuple[str, int, int]], whole: str) -> None:
        if not self.writing:
            return
        record = {
            "format": FORMAT,
            "code": buildcache.code_key(),
            "whole": whole,
            "pieces": {digest: [offset, length] for digest, offset, length in made},
        }
        with contextlib.suppress(OSError, OutputError):
            sidecar.replace(self._record(path), json.dumps(record).encode())

    def _record(self, path: str) -> Path:
        name = (self.folder + path).replace("/", ".")
        return sidecar.location(self.out_dir, f"{SUFFIX}.{name}.json")

    def _table(self, path: str) -> tuple[dict[str, tuple[int, int]], BinaryIO] | None:
        """The record of the file in place at ``path``, if it describes these very bytes
        (and this code); with the file, open for reading."""
        try:
            raw = sidecar.read_bytes(self._record(path))
        except (OSError, OutputError):
            return None
        record = sidecar.parse_json(raw) if raw is not None else None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            return None
        pieces = record.get("pieces")
        if record.get("code") != buildcache.code_key() or not isinstance(pieces, dict):
            return None
        try:  # never a link, a pipe or a device put in its place (it could block)
            file = open_plain(self.out_dir / self.folder / path, follow_links=False)
        except (OSError, ReadRefused):
            return None
        try:
            # open_plain's file is buffered (readinto), which BinaryIO does not say.
            whole = hashlib.file_digest(cast("io.BufferedReader", file), "sha256").hexdigest()
        except OSError:
            file.close()
            return None
        size = file.tell()
        table = {
            str(digest): (place[0], place[1])
            for digest, place in pieces.items()
            if _place(place, size)
        }
        if whole != record.get("whole") or len(table) != len(pieces):
            file.close()
            return None
        return table, file

    def close(self) -> None:
        for table in self._tables.values():
            if table is not None:
                table[1].close()
        self._tables.clear()

    def __del__(self) -> None:
        self.close()


def _place(place: object, size: int) -> bool:
    """Whether ``place`` is an [offset, length] within a file of ``size`` bytes."""
    return (
        isinstance(place, list)
        and len(place) == 2
        and all(type(number) is int and number >= 0 for number in place)
        and place[0] + place[1] <= size
    )
