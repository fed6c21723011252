"""Writing one file of the output: its content is compared with the file in place
while it is produced, and kept only if it differs (so an unchanged file keeps its
inode and modification time); folders are made once, with the output folder's
owner and mode.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from wego_ical.errors import OutputError
from wego_ical.files import ReadRefused, open_plain, write_all
from wego_ical.output.folder import read_or_none
from wego_ical.pieces import Spliced


def produce_file(
    content: bytes | Iterable[bytes], target: Path, old: Path | None, folders: Folders
) -> bool:
    """Write a file's ``content`` to ``target`` if it differs from ``old`` (None: there
    is none); whether it differs."""
    if isinstance(content, Spliced) and len(content.texts) == 1:  # one event's file: small
        content = b"".join(content)
    if isinstance(content, bytes):
        if old is None or read_or_none(old) != content:
            write_file(target, content, folders)
            return True
        return False
    return write_stream(target, content, old, folders)


def check_kept(old: str | Path | None, name: str) -> None:
    """A file kept from the last build must be in place, a plain file (one ``lstat``:
    a build keeps thousands of them)."""
    try:
        plain = old is not None and stat.S_ISREG(os.lstat(old).st_mode)
    except OSError:
        plain = False
    if not plain:
        raise OutputError(f"{name}: kept from the last build, but it is not in place")


def copy_owner_and_mode(target: Path, status: os.stat_result) -> None:
    # Only the superuser may give a folder away; the mode is copied all the same.
    with suppress(PermissionError):
        os.chown(target, status.st_uid, status.st_gid)
    os.chmod(target, stat.S_IMODE(status.st_mode))


def link(source: Path, target: Path, folders: Folders) -> None:
    """Carry a file into the new folder unchanged (same inode where possible)."""
    folders.make(target.parent)
    link_into(source, target, symlink=source.is_symlink())


def link_into(source: str | Path, target: str | Path, *, symlink: bool) -> None:
    """Carry ``source`` to ``target``, whose folder exists: a symbolic link as a link,
    a file as the same inode where possible, else as a copy."""
    if symlink:
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class Folders:
    """Makes the folders files are staged in, each once (not once per file)."""

    def __init__(self) -> None:
        self._made: set[Path] = set()

    def make(self, folder: Path) -> None:
        if folder not in self._made:
            folder.mkdir(parents=True, exist_ok=True)
            self._made.add(folder)


def reason(exc: BaseException) -> str:
    """Why an OS call failed, with the path it failed on ("Permission denied" alone
    does not say which folder to fix)."""
    if not isinstance(exc, OSError) or exc.strerror is None:
        return str(exc)
    where = exc.filename2 or exc.filename
    return f"{exc.strerror}: {where}" if where else exc.strerror


def write_file(path: Path, content: bytes, folders: Folders) -> None:
    try:
        folders.make(path.parent)
        _write_new(path, content)
    except OSError as exc:
        raise OutputError(f"{path.name}: cannot be written: {exc.strerror}") from None


# A build writes thousands of small files: open(), write(), close() on the descriptor
# alone; a file object would add three system calls per file (fstat, ioctl, lseek),
# which the first build of a large series pays ten thousand times.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC


def _write_new(path: Path, content: bytes) -> None:
    descriptor = os.open(path, _NEW_FILE, 0o666)
    try:
        write_all(descriptor, content)
    finally:
        os.close(descriptor)


def write_stream(
    path: Path, chunks: Iterable[bytes], previous: Path | None, folders: Folders
) -> bool:
    """Compare ``chunks`` with ``previous`` (None: there is none) and, if they differ,
    write them to ``path``.

    Returns whether the content differs. Nothing is written while the chunks
    match the old file (a rebuild with no change creates no file); at the
    first difference, the part that matched is copied from the old file.
    """
    try:
        with open_or_none(previous) as old, ExitStack() as stack:
            target: BinaryIO | None = None
            matched = 0
            for chunk in chunks:
                if target is None and old is not None and old.read(len(chunk)) == chunk:
                    matched += len(chunk)
                    continue
                if target is None:
                    target = stack.enter_context(start_file(path, previous, matched, folders))
                target.write(chunk)
            if target is None and (old is None or old.read(1) != b""):
                stack.enter_context(start_file(path, previous, matched, folders))  # shorter
                return True
            return target is not None
    except OSError as exc:
        raise OutputError(f"{path.name}: cannot be written: {exc.strerror}") from None


def start_file(path: Path, previous: Path | None, length: int, folders: Folders) -> BinaryIO:
    """A new file at ``path`` that begins with the first ``length`` bytes of ``previous``."""
    folders.make(path.parent)
    target = open(path, "wb")  # noqa: SIM115 - the caller closes it
    try:
        if length:
            assert previous is not None  # only a previous file can have matched
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
def open_or_none(path: Path | None) -> Iterator[BinaryIO | None]:
    if path is None:
        yield None
        return
    try:
        # A link, a pipe or a device put in place of an output is never read (it could
        # block or never end): the file is written anew.
        file = open_plain(path, follow_links=False)
    except (OSError, ReadRefused):
        yield None
        return
    with file:
        yield file


@dataclass(frozen=True)
class Linked:
    """Unchanged files linked into the staging folder before every file was known."""

    # The files left out then (changed, stale, or not made yet).
    skipped: set[str]
    # Each folder of the new output with the status of the old one it copies.
    folders: list[tuple[Path, os.stat_result]]


def link_unchanged(staging: Path, out_dir: Path, skipped: set[str]) -> Linked:
    """Link every file of ``out_dir`` but ``skipped`` into ``staging``, making its folders
    (their permissions are copied last, when the folder is complete)."""
    folders: list[tuple[Path, os.stat_result]] = [(staging, os.stat(out_dir))]
    # Directory entries and plain strings: a rebuild links tens of thousands of files,
    # and a path object or a second stat per file was most of the time it took.
    pending = [(str(out_dir), str(staging), "")]
    while pending:
        source_dir, target_dir, prefix = pending.pop()
        with os.scandir(source_dir) as entries:
            for entry in entries:
                target = os.path.join(target_dir, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    os.makedirs(target, exist_ok=True)
                    folders.append((Path(target), entry.stat(follow_symlinks=False)))
                    pending.append((entry.path, target, f"{prefix}{entry.name}/"))
                elif prefix + entry.name not in skipped:
                    link_into(entry.path, target, symlink=entry.is_symlink())
    return Linked(skipped, folders)
