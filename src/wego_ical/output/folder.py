"""Operations in the output folder that never follow a link: folders opened by
descriptor, files moved in one by one (and put back if a move fails), stale files
removed, and the atomic exchange of two folders (Linux ``renameat2``).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
from pathlib import Path

from wego_ical.errors import OutputError
from wego_ical.files import ReadRefused, read_bounded
from wego_ical.limits import MAX_OUTPUT_FILE_BYTES

# renameat2(2): swap two paths in one step.
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class NoExchange(Exception):
    """The file system or platform cannot swap two folders atomically."""


def exists_unlinked(out_dir: Path, relative: str) -> bool:
    """Whether ``relative`` exists in ``out_dir`` without passing through a symbolic link."""
    path = out_dir
    parts = relative.split("/")
    for index, part in enumerate(parts):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return False
        if index < len(parts) - 1 and not stat.S_ISDIR(mode):
            return False  # a link (or a file) where a folder should be: not the build's
    return True


def links_among(out_dir: Path, paths: list[str]) -> list[str]:
    """Those of ``paths`` (relative to ``out_dir``; a file's folders among them) that are
    symbolic links there, in their order."""
    # Each folder is read once (a directory entry tells a link from a file) rather than
    # each path looked up: a large build writes a hundred thousand files.
    wanted, found = set(paths), set()
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            entries = os.scandir(os.path.join(out_dir, folder))
        except OSError:  # nothing there (a first build), or not a folder
            continue
        with entries:
            for entry in entries:
                relative = f"{folder}/{entry.name}" if folder else entry.name
                if relative not in wanted:
                    continue
                if entry.is_symlink():
                    found.add(relative)
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(relative)
    return [path for path in paths if path in found]


def open_folder(root: int, parts: list[str], shown: Path, *, create: bool) -> int:
    """A descriptor of the folder ``parts`` below ``root``, never following a link.

    Missing folders are made when ``create`` is set. Raises
    :class:`OutputError` naming a link found on the way.
    """
    descriptor = os.dup(root)
    try:
        for depth, part in enumerate(parts):
            try:
                following = os.open(
                    part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=descriptor
                )
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(part, dir_fd=descriptor)
                following = os.open(
                    part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=descriptor
                )
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    where = shown.joinpath(*parts[: depth + 1])
                    raise OutputError(
                        f"{where}: is a symbolic link or a file, not a folder; wego-ical never "
                        "writes through links in the output folder: replace it by a folder"
                    ) from None
                raise
            os.close(descriptor)
            descriptor = following
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def fsync_folder(folder: Path) -> None:
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


def write_back_now() -> None:
    """Have the disk write what was made so far, while this process waits anyway (for the
    children still making files): the sync before the swap (:func:`fsync_folder`) then
    finds little left to wait for. A first build of 10,000 sessions, four interleaved
    pairs: that sync took 0.15-0.17 s after the children, 0.01-0.02 s with this."""
    os.sync()


def remove_empty_parents(root: Path, path: Path) -> None:
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def exchange(first: Path, second: Path) -> None:
    """Swap two folders atomically (Linux ``renameat2``), or raise NoExchange."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise NoExchange
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.EOPNOTSUPP):
            raise NoExchange
        raise OutputError(
            f"{second}: cannot replace the output folder: {os.strerror(code)}; "
            "it was left as it was"
        )


def read_or_none(path: Path) -> bytes | None:
    """The bytes of a previous output file; None for a link, a pipe, a device or
    anything larger than an output file may be (it is written anew)."""
    try:
        return read_bounded(path, MAX_OUTPUT_FILE_BYTES, follow_links=False)
    except (OSError, ReadRefused):
        return None


def commit_file_by_file(staging: Path, out_dir: Path, changed: list[str], stale: set[str]) -> None:
    """Move changed files into place one by one, in order; on any failure put the old ones back.

    Every step goes through descriptors of the folders opened without
    following links, so nothing outside the output folder is written or
    removed even if a link appears during the build.
    """
    backups = staging / ".previous"
    done: list[tuple[str, Path | None]] = []
    root = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    relative = ""
    try:
        try:
            for relative in changed:
                *parts, name = relative.split("/")
                folder = open_folder(root, parts, out_dir, create=True)
                try:
                    backup = back_up(folder, name, backups / relative, out_dir / relative)
                    os.replace(staging / relative, name, dst_dir_fd=folder)
                finally:
                    os.close(folder)
                done.append((relative, backup))
        except (OSError, OutputError) as exc:
            restore(root, out_dir, done)
            if isinstance(exc, OutputError):
                raise
            # The calls name files relative to a folder's descriptor: say which file.
            raise OutputError(
                f"{out_dir}: writing failed ({exc.strerror or exc}: {out_dir / relative}); "
                "the previous files were restored"
            ) from None
        for relative in sorted(stale):
            remove_unlinked(root, out_dir, relative)
    finally:
        os.close(root)


def back_up(folder: int, name: str, backup: Path, shown: Path) -> Path | None:
    """Keep the file ``name`` of ``folder`` at ``backup`` (None if there is none)."""
    try:
        mode = os.lstat(name, dir_fd=folder).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{shown}: is a folder; remove it so the feed can be written")
    backup.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(name, backup, src_dir_fd=folder, follow_symlinks=False)
    except OSError:
        source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=folder)
        with open(source, "rb") as old, open(backup, "wb") as copy:
            shutil.copyfileobj(old, copy)
    return backup


def restore(root: int, out_dir: Path, done: list[tuple[str, Path | None]]) -> None:
    for relative, backup in reversed(done):
        *parts, name = relative.split("/")
        folder = open_folder(root, parts, out_dir, create=False)
        try:
            if backup is None:
                os.unlink(name, dir_fd=folder)
            else:
                os.replace(backup, name, dst_dir_fd=folder)
        finally:
            os.close(folder)


def remove_unlinked(root: int, out_dir: Path, relative: str) -> None:
    """Remove a stale file, then the folders it leaves empty; never through a link."""
    *parts, name = relative.split("/")
    try:
        folder = open_folder(root, parts, out_dir, create=False)
    except (OSError, OutputError):
        return  # gone, or behind a link: not the build's to remove
    try:
        os.unlink(name, dir_fd=folder)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise OutputError(
            f"{out_dir / relative}: cannot remove this stale file: {exc.strerror}"
        ) from None
    finally:
        os.close(folder)
    for depth in range(len(parts), 0, -1):
        try:
            parent = open_folder(root, parts[: depth - 1], out_dir, create=False)
        except (OSError, OutputError):
            return
        try:
            os.rmdir(parts[depth - 1], dir_fd=parent)
        except OSError:
            return  # not empty (or not a folder): it stays
        finally:
            os.close(parent)
