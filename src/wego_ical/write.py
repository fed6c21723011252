"""Write generated files into the output folder, all or nothing.

Everything is first written to a staging folder inside the output folder
(same file system, so renames are atomic). Only when that succeeded are the
files moved into place, one atomic rename each; if a rename fails, the ones
already done are rolled back. Files whose bytes did not change are left
alone (their modification time too). A manifest (``feeds.json``) records what
the tool generated, so feeds that the data no longer produces are removed on
the next build, and files the tool did not generate are never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from wego_ical.errors import OutputError

MANIFEST = "feeds.json"
STAGING_PREFIX = ".wego-ical-staging-"

Action = Literal["written", "unchanged", "removed"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file of the output folder."""

    path: str
    action: Action


def write_output(
    out_dir: Path, files: Mapping[str, bytes], manifest: Mapping[str, object]
) -> list[FileResult]:
    """Make ``out_dir`` hold exactly ``files`` (plus anything the tool never generated).

    ``files`` maps relative POSIX paths to contents; ``manifest`` is extra data
    stored in ``feeds.json`` next to the list of generated files. Raises
    :class:`OutputError` when the folder cannot be written; the previous
    output is then left as it was.
    """
    for relative in files:
        _check_relative(relative)
    _prepare_folder(out_dir)
    previous = read_generated(out_dir)
    contents = dict(files)
    contents[MANIFEST] = render_manifest(manifest, sorted(files))
    with _staging(out_dir) as staging:
        for relative, content in contents.items():
            _write_file(staging / relative, content)
        changed = [rel for rel in contents if _read_or_none(out_dir / rel) != contents[rel]]
        # The manifest goes last, so that it never lists files not yet in place.
        changed.sort(key=lambda rel: rel == MANIFEST)
        _commit(staging, out_dir, changed)
    stale = sorted(set(previous) - set(contents))
    for relative in stale:
        _remove(out_dir, relative)
    results = [
        FileResult(rel, "written" if rel in changed else "unchanged") for rel in sorted(files)
    ]
    return results + [FileResult(rel, "removed") for rel in stale]


def render_manifest(manifest: Mapping[str, object], generated: list[str]) -> bytes:
    """The bytes of ``feeds.json``: stable key order, so that rebuilds are identical."""
    document = {**manifest, "generated": generated}
    return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def read_manifest(out_dir: Path) -> object | None:
    """The parsed ``feeds.json`` of a previous build, or None if there is none.

    Raises :class:`OutputError` when it exists but is not readable JSON: it
    holds what subscribers were sent, so it is never silently discarded.
    """
    path = out_dir / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(
            f"{path}: cannot be read ({exc}); restore it from version control"
        ) from None
    try:
        document: object = json.loads(text)
    except ValueError as exc:
        raise OutputError(
            f"{path}: is not valid JSON ({exc}). It records what subscribers were sent: "
            "restore it from version control (deleting it makes every event look new)."
        ) from None
    return document


def read_generated(out_dir: Path) -> list[str]:
    """Files that a previous build recorded as generated (empty if unknown)."""
    try:
        document = read_manifest(out_dir)
    except OutputError:
        return []
    generated = document.get("generated") if isinstance(document, dict) else None
    if not isinstance(generated, list):
        return []
    result = []
    for item in generated:
        try:
            result.append(_check_relative(item))
        except (OutputError, TypeError):
            continue  # never delete anything a tampered manifest points outside the folder
    return result


def _check_relative(relative: str) -> str:
    path = PurePosixPath(relative)
    if (
        not relative
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in relative.split("/"))
        or "\\" in relative
    ):
        raise OutputError(
            f"refusing to write {relative!r}: not a plain path inside the output folder"
        )
    return relative


def _prepare_folder(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: is a file, not a folder; pass a folder with --out")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(f"{out_dir}: the output folder is not writable; fix its permissions")
    for leftover in out_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)  # from a build that was killed


@contextmanager
def _staging(out_dir: Path) -> Iterator[Path]:
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    except OSError as exc:
        raise OutputError(
            f"{out_dir}: cannot write into the output folder: {exc.strerror}"
        ) from None
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_file(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise OutputError(f"{path.name}: cannot be written: {exc.strerror}") from None


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _commit(staging: Path, out_dir: Path, changed: list[str]) -> None:
    """Move changed files into place; on any failure put the old ones back."""
    backups = staging / ".previous"
    done: list[tuple[Path, Path | None]] = []
    try:
        for relative in changed:
            target = out_dir / relative
            if target.is_dir():
                raise OutputError(f"{target}: is a folder; remove it so the feed can be written")
            backup = None
            if target.exists():
                backup = backups / relative
                backup.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target, backup)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, target)
            done.append((target, backup))
    except (OSError, OutputError) as exc:
        for target, backup in reversed(done):
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        if isinstance(exc, OutputError):
            raise
        raise OutputError(
            f"{out_dir}: writing failed ({exc.strerror or exc}); the previous files were restored"
        ) from None


def _remove(out_dir: Path, relative: str) -> None:
    target = out_dir / relative
    try:
        target.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"{target}: cannot remove this stale feed: {exc.strerror}") from None
    parent = target.parent
    while parent != out_dir and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
