"""Skipping a build that would change nothing.

A build's output depends only on the data file's bytes, the build options,
the code (wego-ical and the libraries that render), the time zone data, and
the output folder's own files (``feeds.json`` above all). After each build,
a record beside the output folder holds a digest of the first four and, for
every file the build left, its size, inode, and modification and change
times (the change time cannot be set back by any tool: editing, copying over,
``touch`` or ``chmod`` all move it). When all of it is still the same, the
build would write nothing, so it is skipped; a file damaged or replaced by
hand no longer matches, and the full build repairs it.

This module imports nothing heavy: the skip costs a hash of the data and a
``stat`` per file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from wego_ical.errors import WegoIcalError
from wego_ical.output import hidden_files as sidecar

if TYPE_CHECKING:
    from wego_ical.plan.records import Snapshot

RECORD_SUFFIX = ".wego-ical.build.json"
FORMAT = 1
# The libraries whose version can change what a build writes (import names).
_LIBRARIES = (
    "icalendar",
    "pydantic",
    "pydantic_core",
    "tzdata",
    "babel",
    "jinja2",
    "markupsafe",
    "segno",
)


def record_path(out_dir: Path) -> Path:
    """Where the record of the last build of ``out_dir`` is kept: beside it, like its lock."""
    return sidecar.beside(out_dir, RECORD_SUFFIX)


def build_key(data: bytes, options: Mapping[str, object]) -> str:
    """A digest of everything but the output folder that a build's output depends on."""
    digest = hashlib.sha256()
    digest.update(hashlib.sha256(data).digest())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    digest.update(_code_digest().encode())
    digest.update(_environment().encode())
    return digest.hexdigest()


def code_key() -> str:
    """A digest of the code and the environment a build's bytes depend on."""
    return hashlib.sha256(f"{_code_digest()}\n{_environment()}".encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """wego-ical's own files: its code, templates and scripts."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _environment() -> str:
    """Python's version, where the libraries are installed and when (an upgrade rewrites
    them; asking importlib.metadata for versions would cost more than a skipped
    build), and the system's time zone data."""
    from importlib.util import find_spec
    from zoneinfo import TZPATH

    parts = [sys.version]
    for name in _LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            stat = os.stat(origin) if origin else None
        except OSError:
            stat = None
        parts.append(
            f"{name} {origin} {stat.st_size if stat else '-'} {stat.st_mtime_ns if stat else '-'}"
        )
    # zoneinfo reads the system's zone files before the tzdata package; an update
    # of Debian's tzdata rewrites tzdata.zi along with them.
    for folder in TZPATH:
        try:
            stat = os.stat(Path(folder) / "tzdata.zi")
        except OSError:
            continue
        parts.append(f"{folder} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(parts)


def _identity(path: Path | str) -> list[int] | None:
    """What a file's metadata says about its content; None for anything but a plain file."""
    try:
        stat = os.lstat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    return [stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns]


def remember(
    out_dir: Path,
    key: str,
    paths: Iterable[str],
    until: datetime | None = None,
    recipes: Mapping[str, str] | None = None,
) -> None:
    """Record that the files ``paths`` of ``out_dir`` are what a build with ``key`` left,
    until ``until`` (the next time a session starts or ends: the page says what is over
    and on now, so a build after it changes the page; None: never), and the recipes of
    its files (:func:`kept_recipes` gives them to the next build).

    Best effort: without a record (parent folder not writable), the next build
    is simply not skipped.
    """
    paths = list(paths)
    record = _record_pieces(out_dir, key, paths, until, recipes)
    try:
        with suppress(OSError, WegoIcalError):
            sidecar.replace(record_path(out_dir), record)
    except _FileGone:
        forget(out_dir)


class _FileGone(Exception):
    """A file the build left is no longer a plain file: nothing is recorded."""


def _record_pieces(
    out_dir: Path,
    key: str,
    paths: list[str],
    until: datetime | None,
    recipes: Mapping[str, str] | None,
) -> Iterator[bytes]:
    """The record's JSON (compact, keys in this order), in pieces of a few hundred
    files: at 100,000 sessions the whole record would be the largest thing a build
    holds at its end."""
    compact = functools.partial(json.dumps, separators=(",", ":"))
    head = {"format": FORMAT, "key": key, "folder": _identity_of_folder(out_dir)}
    yield compact(head)[:-1].encode() + b',"files":{'
    folder = os.fspath(out_dir)
    for start in range(0, len(paths), 500):
        run = {}
        for path in paths[start : start + 500]:
            identity = _identity(os.path.join(folder, path))
            if identity is None:
                raise _FileGone(path)
            run[path] = identity
        yield (("," if start else "") + compact(run)[1:-1]).encode()
    tail: dict[str, object] = {}
    if recipes:
        tail["code"] = _code_and_environment()
        tail["recipes"] = {path: recipes[path] for path in paths if path in recipes}
    if until is not None:
        tail["until"] = until.astimezone(UTC).timestamp()
    yield b"}" + (b"," + compact(tail)[1:].encode() if tail else b"}")


def next_change(snapshots: Iterable[Snapshot], now: datetime) -> datetime | None:
    """The next time after ``now`` an event (an occurrence of a repeating one) starts or
    ends: the page (what is over, on now, to come, a repeating event's next dates)
    changes then, so a build after it is not skipped."""
    from wego_ical.plan.records import occurrence_snapshots

    moments = (
        moment
        for snapshot in snapshots
        for _, occurrence in occurrence_snapshots(snapshot)
        for moment in (occurrence.aware_start, occurrence.aware_end)
        if moment > now
    )
    return min(moments, default=None)


def forget(out_dir: Path) -> None:
    """Remove the record, so that the next build is a full one."""
    with suppress(OSError):
        record_path(out_dir).unlink(missing_ok=True)


def unchanged(out_dir: Path, key: str, now: datetime) -> int | None:
    """The number of files checked when the last build of ``out_dir`` had ``key``, left
    every file as it still is, and ``now`` is before the time its record holds until (a
    build now would change nothing); else None."""
    record = _record(out_dir)
    if record is None:
        return None
    files = record.get("files")
    if record.get("key") != key or not isinstance(files, dict) or not files:
        return None
    if record.get("folder") != _identity_of_folder(out_dir):
        return None
    until = record.get("until")
    if isinstance(until, int | float) and now.timestamp() >= until:
        return None
    folder = os.fspath(out_dir)
    for path, identity in files.items():
        if _identity(os.path.join(folder, path)) != identity:
            return None
    return len(files)


def kept_recipes(out_dir: Path) -> dict[str, str]:
    """The recipes the last build of ``out_dir`` recorded for its files, by path: only for
    the same code and libraries, and for files still as that build left them. A file
    whose recipe is the same again is kept (see page.recipes and publication.assemble)."""
    record = _record(out_dir)
    if record is None or record.get("code") != _code_and_environment():
        return {}
    if record.get("folder") != _identity_of_folder(out_dir):
        return {}
    recipes, files = record.get("recipes"), record.get("files")
    if not isinstance(recipes, dict) or not isinstance(files, dict):
        return {}
    root = os.fspath(out_dir)
    return {
        path: recipe
        for path, recipe in recipes.items()
        if isinstance(path, str)
        and isinstance(recipe, str)
        and files.get(path) == _identity(os.path.join(root, path))
    }


def in_folder(recipes: Mapping[str, str], folder: str) -> Mapping[str, str]:
    """The ``recipes`` of the files in a language's ``folder``, by path within it ("": the
    default language's, whose paths never begin with a language's folder)."""
    if not folder:
        return recipes
    prefix = f"{folder}/"
    return {path.removeprefix(prefix): r for path, r in recipes.items() if path.startswith(prefix)}


def _record(out_dir: Path) -> dict[str, object] | None:
    """The record of the last build of ``out_dir``, if there is a readable one."""
    try:
        data = sidecar.read_bytes(record_path(out_dir))
    except (OSError, WegoIcalError):
        return None
    record = sidecar.parse_json(data) if data is not None else None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return None
    return record


def _code_and_environment() -> str:
    return hashlib.sha256((_code_digest() + _environment()).encode()).hexdigest()


def _identity_of_folder(out_dir: Path) -> list[int] | None:
    try:
        stat = os.lstat(out_dir)
    except OSError:
        return None
    return [stat.st_dev, stat.st_ino]
