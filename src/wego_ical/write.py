"""Write generated files into the output folder, all or nothing.

A build never edits the output folder in place. It prepares the complete new
folder beside it (same file system): new and changed files are written there,
while unchanged files and everything the tool did not generate are hard-linked
from the old folder, so they keep their content, inode and modification time.
Then the two folders are exchanged in one atomic step (``renameat2`` with
``RENAME_EXCHANGE`` on Linux). Whenever the process is killed, the output
folder is either entirely the old one or entirely the new one, and
``feeds.json`` (the manifest and publication state) always matches the
feeds beside it.

Where an atomic exchange is not available (another operating system, or a
folder whose parent cannot be written), the changed files are moved in one
by one after everything was written, and put back if a move fails: a failure
leaves the old output, but a killed process may leave a mix.

The caller passes the list of files the previous build generated (from its
publication state), so files that the data no longer produces are removed,
and files the tool did not generate are never touched.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal

from wego_ical.errors import OutputError
from wego_ical.pieces import Content

STAGING_PREFIX = ".wego-ical-staging-"

Action = Literal["written", "unchanged", "removed"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file of the output folder."""

    path: str
    action: Action


class _NoExchange(Exception):
    """The file system or platform cannot swap two folders atomically."""


def write_output(
    out_dir: Path, files: Mapping[str, Content], generated_before: Iterable[object]
) -> list[FileResult]:
    """Make ``out_dir`` hold exactly ``files`` (plus anything the tool never generated).

    ``files`` maps relative POSIX paths to contents, or to functions that
    produce them (whole or in pieces): each is produced once, in order,
    compared with the file in place and kept in the staging folder only if it
    differs, so a large build never holds all of its files in memory. Where
    files must be moved in one by one, they are moved in the same order: the
    publication state comes last, so that it never lists a file not yet in
    place. ``generated_before`` lists the files the previous build generated;
    those no longer in ``files`` are removed. Raises :class:`OutputError`
    when the folder cannot be written; the previous output is then left as
    it was.
    """
    for relative in files:
        _check_relative(relative)
    out_dir = _prepare_folder(out_dir)
    previous = _safe_paths(generated_before)
    with _stage(out_dir) as (staging, atomic):
        changed: list[str] = []
        for relative, value in files.items():
            content = value if isinstance(value, bytes) else value()
            if isinstance(content, bytes):
                if _read_or_none(out_dir / relative) != content:
                    _write_file(staging / relative, content)
                    changed.append(relative)
            elif _write_stream(staging / relative, content, out_dir / relative):
                changed.append(relative)
        stale = sorted(rel for rel in set(previous) - set(files) if (out_dir / rel).exists())
        if changed or stale:
            _commit(staging, atomic, out_dir, changed, set(stale))
    written = set(changed)
    results = [
        FileResult(rel, "written" if rel in written else "unchanged") for rel in sorted(files)
    ]
    return results + [FileResult(rel, "removed") for rel in stale]


def read_generated_file(out_dir: Path, relative: str) -> bytes | None:
    """The bytes of a file a previous build generated, or None if it is missing or unsafe."""
    try:
        return (out_dir / _check_relative(relative)).read_bytes()
    except (OSError, OutputError):
        return None


def check_folder(out_dir: Path) -> None:
    """Raise :class:`OutputError` if ``out_dir`` exists and is not a folder."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: is a file, not a folder; pass a folder with --out")


def _safe_paths(generated: Iterable[object]) -> list[str]:
    result = []
    for item in generated:
        try:
            if isinstance(item, str):
                result.append(_check_relative(item))
        except OutputError:
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


def _prepare_folder(out_dir: Path) -> Path:
    check_folder(out_dir)
    if out_dir.is_symlink():
        out_dir = out_dir.resolve()  # exchange the folder the link points to, not the link
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
    writable = out_dir if out_dir.exists() else out_dir.parent
    if not os.access(writable, os.W_OK | os.X_OK):
        raise OutputError(f"{out_dir}: the output folder is not writable; fix its permissions")
    _remove_leftovers(out_dir.parent, _staging_prefix(out_dir.name))
    return out_dir


# --------------------------------------------------------------------------- replacing


@contextmanager
def _stage(out_dir: Path) -> Iterator[tuple[Path, bool]]:
    """A staging folder and whether it can be swapped in atomically.

    It is created beside the output folder (same file system); where the
    parent cannot be written, inside the output folder instead, and the
    files are then moved in one by one.
    """
    try:
        staging, atomic = _make_staging(out_dir.parent, out_dir.name), True
    except PermissionError:
        staging, atomic = _make_staging(out_dir, ""), False
    try:
        yield staging, atomic
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _commit(
    staging: Path, atomic: bool, out_dir: Path, changed: list[str], stale: set[str]
) -> None:
    """Turn ``out_dir`` into its new state, in one atomic step where possible."""
    if not atomic:
        _commit_file_by_file(staging, out_dir, changed, stale)
        return
    _populate(staging, out_dir, changed, stale)
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    try:
        _exchange(staging, out_dir)
    except _NoExchange:
        _commit_file_by_file(staging, out_dir, changed, stale)


def _staging_prefix(name: str) -> str:
    return f".{name}{STAGING_PREFIX}" if name else STAGING_PREFIX


def _remove_leftovers(parent: Path, prefix: str) -> None:
    """Remove staging folders of builds that were killed."""
    for leftover in parent.glob(f"{prefix}*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def _make_staging(parent: Path, name: str) -> Path:
    prefix = _staging_prefix(name)
    _remove_leftovers(parent, prefix)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


def _populate(staging: Path, out_dir: Path, changed: list[str], stale: set[str]) -> None:
    """Complete ``staging`` (which holds the changed files) into the new output folder."""
    replaced = set(changed) | stale
    if not out_dir.exists():
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp's 0700 would hide the site from a web server
    else:
        os.chmod(staging, out_dir.stat().st_mode & 0o7777)
        for folder, subfolders, names in os.walk(out_dir):
            base = Path(folder)
            relative_base = base.relative_to(out_dir)
            # Never carry over a staging folder of an interrupted build.
            subfolders[:] = [sub for sub in subfolders if not sub.startswith(STAGING_PREFIX)]
            for sub in subfolders:
                source = base / sub
                if not source.is_symlink():
                    (staging / relative_base / sub).mkdir(exist_ok=True)
            for name in subfolders + names:
                source = base / name
                relative = (relative_base / name).as_posix()
                if source.is_dir() and not source.is_symlink():
                    continue
                if relative in replaced:
                    continue
                _link(source, staging / relative)
    for relative in stale:
        _remove_empty_parents(staging, staging / relative)
    _fsync_folder(staging)


def _link(source: Path, target: Path) -> None:
    """Carry a file into the new folder unchanged (same inode where possible)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write_file(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        raise OutputError(f"{path.name}: cannot be written: {exc.strerror}") from None


def _write_stream(path: Path, chunks: Iterable[bytes], previous: Path) -> bool:
    """Compare ``chunks`` with ``previous`` and, if they differ, write them to ``path``.

    Returns whether the content differs. Nothing is written while the chunks
    match the old file (a rebuild with no change creates no file); at the
    first difference, the part that matched is copied from the old file.
    """
    try:
        with _open_or_none(previous) as old, ExitStack() as stack:
            target: BinaryIO | None = None
            matched = 0
            for chunk in chunks:
                if target is None and old is not None and old.read(len(chunk)) == chunk:
                    matched += len(chunk)
                    continue
                if target is None:
                    target = stack.enter_context(_start_file(path, previous, matched))
                target.write(chunk)
            if target is None and (old is None or old.read(1) != b""):
                stack.enter_context(_start_file(path, previous, matched))  # a shorter file
                return True
            return target is not None
    except OSError as exc:
        raise OutputError(f"{path.name}: cannot be written: {exc.strerror}") from None


def _start_file(path: Path, previous: Path, length: int) -> BinaryIO:
    """A new file at ``path`` that begins with the first ``length`` bytes of ``previous``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target = open(path, "wb")  # noqa: SIM115 - the caller closes it
    try:
        if length:
            with open(previous, "rb") as old:
                copied = 0
                while copied < length:
                    piece = old.read(min(length - copied, 1 << 16))
                    if not piece:
                        raise OSError(errno.EIO, "the previous file changed during the build")
                    target.write(piece)
                    copied += len(piece)
    except BaseException:
        target.close()
        raise
    return target


@contextmanager
def _open_or_none(path: Path) -> Iterator[BinaryIO | None]:
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError:
        yield None
        return
    with file:
        yield file


def _fsync_folder(folder: Path) -> None:
    """Make the staged files durable before they are swapped in.

    One sync for all files: fsync-ing thousands of files one by one cost
    most of the write time.
    """
    os.sync()
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # not supported for folders everywhere; the exchange is still atomic
    finally:
        os.close(descriptor)


def _remove_empty_parents(root: Path, path: Path) -> None:
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> None:
    """Swap two folders atomically (Linux ``renameat2``), or raise _NoExchange."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise _NoExchange
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.EOPNOTSUPP):
            raise _NoExchange
        raise OutputError(
            f"{second}: cannot replace the output folder: {os.strerror(code)}; "
            "it was left as it was"
        )


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _commit_file_by_file(staging: Path, out_dir: Path, changed: list[str], stale: set[str]) -> None:
    """Move changed files into place one by one, in order; on any failure put the old ones back."""
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
    for relative in sorted(stale):
        target = out_dir / relative
        try:
            target.unlink(missing_ok=True)
        except OSError as exc:
            raise OutputError(f"{target}: cannot remove this stale file: {exc.strerror}") from None
        _remove_empty_parents(out_dir, target)
