"""wego-ical's own files beside the output folder: where they lie, and how they are
read and written without ever following a link.

The lock, the record of the last build, the CalDAV journal and the staging
folder of a build all live beside the output folder (``.dist.wego-ical.lock``
for ``dist``), because the folder itself is swapped for a new one by every
build; where the parent folder cannot be written, inside it. Those names lie
in folders other people may write (a shared checkout, ``/tmp``), so every
file here is opened with ``O_NOFOLLOW``: a symbolic link planted at one of
them is refused, never written through. Replacing goes through a temporary
file created with ``O_EXCL`` beside it, renamed over the name.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from wego_ical.errors import OutputError
from wego_ical.files import ReadRefused, read_bounded, write_replacing
from wego_ical.limits import MAX_SIDECAR_BYTES

STAGING_PREFIX = ".wego-ical-staging-"
# tempfile.mkdtemp's random part: eight of these characters.
_STAGING_RANDOM = re.compile(r"[a-z0-9_]{8}")


def beside(out_dir: Path, suffix: str) -> Path:
    """The hidden file beside ``out_dir`` that ends in ``suffix``."""
    return out_dir.parent / f".{out_dir.name}{suffix}"


def inside(out_dir: Path, suffix: str) -> Path:
    """The hidden file inside ``out_dir`` used when its parent cannot be written."""
    return out_dir / suffix


def candidates(out_dir: Path, suffix: str) -> tuple[Path, Path]:
    """Where the sidecar file ``suffix`` of ``out_dir`` may lie: beside it, or inside it."""
    return beside(out_dir, suffix), inside(out_dir, suffix)


def location(out_dir: Path, suffix: str) -> Path:
    """Where the sidecar file lies, or is to be made: whichever of the two exists
    (beside first), else beside when the parent can be written, else inside."""
    for candidate in candidates(out_dir, suffix):
        if os.path.lexists(candidate):
            return candidate
    if os.access(out_dir.parent, os.W_OK):
        return beside(out_dir, suffix)
    return inside(out_dir, suffix)


def staging_folder(out_dir: Path, recorded: object) -> Path | None:
    """The staging folder named by a lock's record, if it is exactly one a build of
    ``out_dir`` makes: an absolute path, directly beside or inside the output folder,
    named as wego-ical names them, a real folder (not a link). Anything else: None."""
    if not isinstance(recorded, str) or "\0" in recorded:
        return None
    path = Path(recorded)
    if not path.is_absolute() or any(part in (".", "..") for part in recorded.split("/")):
        return None
    folder = Path(os.path.abspath(out_dir))
    expected = {
        folder.parent: f".{folder.name}{STAGING_PREFIX}",
        folder: STAGING_PREFIX,
    }
    prefix = expected.get(path.parent)
    if prefix is None or not path.name.startswith(prefix):
        return None
    if not _STAGING_RANDOM.fullmatch(path.name.removeprefix(prefix)):
        return None
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return path if stat.S_ISDIR(info.st_mode) else None


def read_bytes(path: Path, limit: int = MAX_SIDECAR_BYTES) -> bytes | None:
    """The bytes of a sidecar file (None when there is none).

    Raises :class:`OutputError` when it is a link or not a plain file, or longer
    than ``limit``; OSError when it cannot be read.
    """
    try:
        return read_bounded(path, limit, follow_links=False)
    except FileNotFoundError:
        return None
    except ReadRefused as exc:
        if exc.kind == "link":
            raise _is_link(path) from None
        raise OutputError(
            f"{path}: {exc.reason}; this is not a file wego-ical wrote: remove it"
        ) from None
    except OSError as exc:
        raise _refused(path, exc) from None


def replace(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Make ``path`` hold ``data`` (bytes, or pieces), all at once: written to a new
    file beside it, then renamed over it (a link at ``path`` is replaced, not
    followed; a hard link's other names keep their content)."""
    write_replacing(path, data, force=True)


def append(path: Path, data: bytes) -> None:
    """Add ``data`` at the end of ``path`` (made if missing), and flush it to disk.

    Raises :class:`OutputError` when the name is a link or not a plain file.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as exc:
        raise _refused(path, exc) from None
    with os.fdopen(descriptor, "ab") as file:
        must_be_own(path, os.fstat(descriptor))
        file.write(data)
        file.flush()
        os.fsync(descriptor)


def parse_json(data: bytes) -> object | None:
    """JSON from a sidecar file, or None when it is not JSON (or absurdly nested)."""
    try:
        value: object = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value


def must_be_plain(path: Path, info: os.stat_result) -> None:
    """Refuse ``path`` (its status ``info``) unless it is a plain file."""
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(
            f"{path}: is not a plain file; remove it (wego-ical keeps its own file there)"
        )


def must_be_own(path: Path, info: os.stat_result) -> None:
    """Refuse to write into ``path`` in place unless it is a plain file with no other
    name: through a hard link, the write would change another file too."""
    must_be_plain(path, info)
    if info.st_nlink > 1:
        raise OutputError(
            f"{path}: has other names (hard links); remove it (wego-ical keeps its own file "
            "there, and never writes into a file other names share)"
        )


def _is_link(path: Path) -> OutputError:
    return OutputError(
        f"{path}: is a symbolic link; remove it (wego-ical keeps its own file there, "
        "and never writes through a link)"
    )


def _refused(path: Path, exc: OSError) -> OSError | OutputError:
    if exc.errno == errno.ELOOP:
        return _is_link(path)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return OutputError(f"{path}: permission denied; make it writable, or remove it")
    return exc
