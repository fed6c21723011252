"""Reading any file, and writing a file outside the output folder, within bounds.

Every file wego-ical reads goes through :func:`read_bounded`: only a plain file
(a pipe would never end, ``/dev/zero`` never stops, a sparse file of gigabytes
would fill the memory), at most ``limit`` bytes, and — for the files wego-ical
owns, such as ``feeds.json`` and the outputs — never through a symbolic link
(git stores links, so a cloned repository can hold one at any name).

Every file it writes outside the output folder (``import``, ``init``,
``schema --out``, the files beside the output folder) goes through
:func:`write_replacing`: written to a new file beside the name, then renamed
over it in one step. A link at the name is replaced, never written through;
without ``force`` an existing name (a dangling link included) is left alone.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from wego_ical.errors import OutputError


class ReadRefused(Exception):
    """The file is not one to read: ``reason`` says why, as a sentence's end; ``kind``
    is ``link``, ``special`` (not a plain file) or ``large``."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def open_plain(
    path: Path | str, *, follow_links: bool = True, dir_fd: int | None = None
) -> BinaryIO:
    """The plain file ``path`` (relative to ``dir_fd`` when given), open for reading.

    Raises :class:`ReadRefused` when it is a link (with ``follow_links`` off) or not a
    plain file; ``OSError`` when it cannot be opened (``FileNotFoundError`` when it
    is missing). O_NONBLOCK: opening a pipe nobody writes to would wait for ever.
    """
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW)
    try:
        descriptor = os.open(path, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_links:
            raise ReadRefused(
                "is a symbolic link, which wego-ical does not follow here", "link"
            ) from None
        raise
    file = os.fdopen(descriptor, "rb")
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        file.close()
        raise ReadRefused("is not a plain file (a folder, a pipe, a socket or a device)", "special")
    return file


def write_all(descriptor: int, data: bytes) -> None:
    """Write all of ``data`` to the open ``descriptor`` (a write may take only a part)."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def read_bounded(
    path: Path | str, limit: int, *, follow_links: bool = True, dir_fd: int | None = None
) -> bytes:
    """The bytes of the plain file ``path`` (see :func:`open_plain`).

    Raises :class:`ReadRefused` when it is a link (with ``follow_links`` off), not a
    plain file, or longer than ``limit`` bytes; ``OSError`` when it cannot be opened
    or read (``FileNotFoundError`` when it is missing).
    """
    with open_plain(path, follow_links=follow_links, dir_fd=dir_fd) as file:
        if os.fstat(file.fileno()).st_size > limit:
            raise ReadRefused(f"is larger than {limit:,} bytes", "large")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ReadRefused(f"is larger than {limit:,} bytes", "large")
    return data


def write_replacing(
    path: Path, data: bytes | Iterable[bytes], *, force: bool, mode: int = 0o644
) -> None:
    """Make ``path`` hold ``data`` (bytes, or pieces written as they come) in one step,
    never writing through a link.

    Without ``force`` a name that exists already (a file, a link, even a dangling
    one) is refused with an :class:`OutputError` and left as it was; with it, the
    name itself is replaced (a link by a file: its target is not touched). A
    folder, a pipe or a device at the name is always refused. Missing parent
    folders are made.
    """
    check_target(path, force=force)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    temporary = f".{path.name[:200]}.{secrets.token_hex(6)}.tmp"
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        descriptor = os.open(temporary, flags, mode, dir_fd=folder)
        with os.fdopen(descriptor, "wb") as file:
            if isinstance(data, bytes):
                file.write(data)
            else:
                file.writelines(data)
            file.flush()
            os.fsync(file.fileno())
        if force:
            os.replace(temporary, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        else:
            # A hard link fails if the name exists (as a dangling link, too): no
            # file that appeared meanwhile is replaced.
            os.link(temporary, path.name, src_dir_fd=folder, dst_dir_fd=folder)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    finally:
        with suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        os.close(folder)


def check_target(path: Path, *, force: bool) -> None:
    """Raise the :class:`OutputError` :func:`write_replacing` would raise for what is at
    ``path`` now (nothing: it may be written)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        if not force:
            raise OutputError(
                f"{path}: is a symbolic link; nothing was written (wego-ical never writes "
                "through a link: remove it, give another path, or pass --force to replace "
                "the link itself by a file)"
            )
        return
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(
            f"{path}: is not a plain file (a folder, a pipe or a device); nothing was "
            "written: give the path of a file"
        )
    if not force:
        raise _exists(path)


def _exists(path: Path) -> OutputError:
    return OutputError(
        f"{path}: exists already; nothing was written (pass --force to replace it, or give "
        "another path)"
    )
