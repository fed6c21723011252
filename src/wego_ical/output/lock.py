"""The output folder's lock: one build at a time, and who owns which staging folder.

A build holds an exclusive advisory lock (``fcntl.flock``) on a lock file for
as long as it reads the publication state and writes the folder; readers
(``diff``, the preview reading the real folder's state) hold a shared one.
The kernel releases the lock when the process ends in any way, kill -9
included, so a stale lock never needs clearing by hand.

The lock file lies beside the output folder (``.dist.wego-ical.lock`` for
``dist``), because the folder itself is swapped for a new one by every
build; where the parent folder cannot be written, inside it. It is never
replaced or deleted (another process may be waiting on it), only rewritten
in place. It records the holder's pid, and the staging folder the holder is
writing: a build that was killed leaves that record behind, and the next
holder of the lock removes exactly that folder. Folders that merely look
like staging folders are never touched, and a record that names anything
but a staging folder of this output folder (the file may have been written
by someone else) is ignored with a warning.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from wego_ical.errors import OutputError
from wego_ical.output import hidden_files as sidecar

LOCK_SUFFIX = ".wego-ical.lock"


def lock_candidates(out_dir: Path) -> tuple[Path, Path]:
    """Where the lock file of ``out_dir`` may be: beside it, or inside it."""
    return sidecar.candidates(out_dir, LOCK_SUFFIX)


def output_folder(out_dir: Path) -> Path:
    """The folder a build really writes: a link to a folder means the folder linked to."""
    return out_dir.resolve() if out_dir.is_symlink() else out_dir


# Descriptors of the locks this process holds. A forked child (a render
# worker) shares them, and a child that outlives its parent would hold the
# lock: children close them at once.
_HELD: set[int] = set()


def _close_inherited() -> None:
    for descriptor in _HELD:
        with suppress(OSError):
            os.close(descriptor)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_inherited)


class OutputLock:
    """An exclusive lock on an output folder, held by this process."""

    def __init__(self, out_dir: Path, path: Path, descriptor: int) -> None:
        self.out_dir = out_dir
        self.path = path
        self._descriptor = descriptor
        # What the holder should be told (a record that was not followed).
        self.warnings: list[str] = []
        _HELD.add(descriptor)

    def record_staging(self, staging: Path | None) -> None:
        """Note the staging folder being written (None once it is gone)."""
        record: dict[str, object] = {"pid": os.getpid(), "started": int(time.time())}
        if staging is not None:
            record["staging"] = os.path.abspath(staging)
        data = json.dumps(record).encode() + b"\n"
        os.ftruncate(self._descriptor, 0)
        os.pwrite(self._descriptor, data, 0)

    def remove_leftover_staging(self) -> None:
        """Remove the staging folder a killed build recorded, if it is still there."""
        recorded = _read_record(self._descriptor).get("staging")
        if recorded is not None:
            staging = sidecar.staging_folder(self.out_dir, recorded)
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            elif not isinstance(recorded, str) or "\0" in recorded or os.path.lexists(recorded):
                self.warnings.append(
                    f"{self.path}: its record names {_shown(recorded)}, which is not a "
                    "staging folder of this output folder; it was left alone"
                )
        self.record_staging(None)

    def release(self) -> None:
        """Give the lock up (closing the file releases it)."""
        _HELD.discard(self._descriptor)
        os.close(self._descriptor)


@contextmanager
def locked_output(
    out_dir: Path, *, wait: bool = False, on_wait: Callable[[str], None] | None = None
) -> Iterator[OutputLock]:
    """Hold the exclusive lock on ``out_dir`` for a build.

    Raises :class:`OutputError` naming the process that holds it, unless
    ``wait`` is set; then it waits for that process to finish, and ``on_wait``
    is told so (a sentence naming the process) when it starts waiting.
    """
    out_dir = output_folder(out_dir)
    path, descriptor = _open_for_writing(out_dir)
    try:
        _flock(descriptor, fcntl.LOCK_EX, wait, out_dir, on_wait)
        lock = OutputLock(out_dir, path, descriptor)
        lock.remove_leftover_staging()
    except BaseException:
        os.close(descriptor)
        raise
    try:
        yield lock
    finally:
        with suppress(OSError):  # the lock is released below all the same
            lock.record_staging(None)
        lock.release()


@contextmanager
def shared_lock(out_dir: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold a shared lock on ``out_dir`` while reading it, so no build swaps it meanwhile.

    Where no lock file exists (no build with a lock has run there) there is
    nothing to wait for.
    """
    out_dir = output_folder(out_dir)
    descriptor = None
    for candidate in lock_candidates(out_dir):
        try:
            descriptor = os.open(
                candidate, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
            )
            break
        except OSError:
            continue
    if descriptor is None:
        yield
        return
    _checked(candidate, descriptor, sidecar.must_be_plain)  # others may share a read lock
    _HELD.add(descriptor)
    try:
        _flock(descriptor, fcntl.LOCK_SH, wait, out_dir)
        yield
    finally:
        _HELD.discard(descriptor)
        os.close(descriptor)


def _open_for_writing(out_dir: Path) -> tuple[Path, int]:
    beside, inside = lock_candidates(out_dir)
    flags = os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW
    for candidate in (beside, inside):
        try:
            descriptor = os.open(candidate, flags | os.O_NONBLOCK)
            return candidate, _checked(candidate, descriptor, sidecar.must_be_own)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise _cannot_lock(out_dir, candidate, exc) from None
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder: {exc.strerror}") from None
    try:
        return beside, os.open(beside, flags | os.O_CREAT, 0o644)
    except PermissionError:
        pass  # the parent is not ours to write: lock inside the folder
    except OSError as exc:
        raise _cannot_lock(out_dir, beside, exc) from None
    try:
        return inside, os.open(inside, flags | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _cannot_lock(out_dir, inside, exc) from None


def _checked(path: Path, descriptor: int, check: Callable[[Path, os.stat_result], None]) -> int:
    """``descriptor`` (of the lock file ``path``, opened without blocking: a pipe
    there would wait for a writer) if ``check`` lets it be; else closed, and
    ``check``'s error raised. The build's lock must be a plain file of one name (its
    record is rewritten in place: a hard link's other file must not be)."""
    try:
        check(path, os.fstat(descriptor))
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _cannot_lock(out_dir: Path, path: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ELOOP:
        return OutputError(f"{path}: is a symbolic link; remove it (it is wego-ical's lock file)")
    return OutputError(
        f"{out_dir}: cannot use the output folder ({path}: {exc.strerror}); "
        "check that the folder and its parent exist and can be written"
    )


def _flock(
    descriptor: int,
    mode: int,
    wait: bool,
    out_dir: Path,
    on_wait: Callable[[str], None] | None = None,
) -> None:
    try:
        fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        holder = _read_record(descriptor).get("pid")
        who = f" (pid {holder})" if isinstance(holder, int) else ""
    if not wait:
        raise OutputError(
            f"{out_dir}: another wego-ical build is writing this folder{who}; "
            "wait for it to finish, or pass --wait to wait for it"
        )
    if on_wait is not None:
        on_wait(f"{out_dir}: waiting for another wego-ical build{who} to finish")
    fcntl.flock(descriptor, mode)


def _read_record(descriptor: int) -> dict[str, object]:
    try:
        data = os.pread(descriptor, 4096, 0)
    except OSError:
        return {}
    record = sidecar.parse_json(data) if data.strip() else {}
    return record if isinstance(record, dict) else {}


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value)[:200]
    return repr(text[:200])
