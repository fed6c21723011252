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
leaves the old output, but a killed process may leave a mix; the result
says so. In that mode every file is moved or removed relative to a
descriptor of its folder opened without following links, and a build whose
files would go through a symbolic link in the output folder is refused, so
nothing outside the folder is ever written or deleted.

All of this happens under the output folder's lock (:mod:`wego_ical.lock`),
which also records the staging folder: only the holder of the lock removes
a staging folder a killed build left, and only that exact one.

The caller passes the list of files the previous build generated (from its
publication state), so files that the data no longer produces are removed,
and files the tool did not generate are never touched.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal

from wego_ical.errors import OutputError
from wego_ical.lock import OutputLock, locked_output, output_folder
from wego_ical.pieces import Content
from wego_ical.sidecar import STAGING_PREFIX
from wego_ical.workers import Apart

Action = Literal["written", "unchanged", "removed"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file of the output folder."""

    path: str
    action: Action


class _NoExchange(Exception):
    """The file system or platform cannot swap two folders atomically."""


@dataclass(frozen=True)
class WriteResult:
    """What a write did to each file, and how the folder was replaced."""

    files: list[FileResult]
    # Set when the files had to be moved in one by one instead of swapped in
    # at once: the organiser should know that a killed build may leave a mix.
    notice: str | None = None


def write_output(
    out_dir: Path,
    files: Mapping[str, Content],
    generated_before: Iterable[object],
    *,
    lock: OutputLock | None = None,
    progress: Callable[[int, int], None] | None = None,
    apart: Collection[str] = (),
) -> WriteResult:
    """Make ``out_dir`` hold exactly ``files`` (plus anything the tool never generated).

    ``files`` maps relative POSIX paths to contents, or to functions that
    produce them (whole or in pieces): each is produced once, in order,
    compared with the file in place and kept in the staging folder only if it
    differs, so a large build never holds all of its files in memory. Where
    files must be moved in one by one, they are moved in the same order: the
    publication state comes last, so that it never lists a file not yet in
    place. ``generated_before`` lists the files the previous build generated;
    those no longer in ``files`` are removed. Nothing is written or removed
    through a symbolic link. ``lock`` is the output folder's lock, if the
    caller already holds it (a build holds it from reading the state to
    here); otherwise it is taken for the write. Raises :class:`OutputError`
    when the folder cannot be written; the previous output is then left as
    it was. ``progress`` is told (files done, files in all) as files are produced.
    The files named in ``apart`` are produced in a child process while the
    others are (see :class:`~wego_ical.workers.Apart`): one large file that
    takes long to make, such as the landing page of a large series.
    """
    for relative in files:
        _check_relative(relative)
    out_dir = output_folder(out_dir)
    check_folder(out_dir)
    if lock is None:
        with locked_output(out_dir) as own_lock:
            return _write_locked(out_dir, files, generated_before, own_lock, progress, apart)
    return _write_locked(out_dir, files, generated_before, lock, progress, apart)


def _write_locked(
    out_dir: Path,
    files: Mapping[str, Content],
    generated_before: Iterable[object],
    lock: OutputLock,
    progress: Callable[[int, int], None] | None = None,
    apart: Collection[str] = (),
) -> WriteResult:
    try:
        _refuse_links(out_dir, files)
        _check_writable(out_dir)
        previous = _safe_paths(generated_before)
        # A first build has nothing to compare with: no file is looked for.
        first = not out_dir.exists()
        with _stage(out_dir, lock) as (staging, atomic):
            total = len(files)
            folders = _Folders()

            def produce(relative: str) -> bool:
                """Produce one file into the staging folder if it differs; whether it does."""
                return _produce(
                    files[relative],
                    staging / relative,
                    None if first else out_dir / relative,
                    folders,
                )

            differs: dict[str, bool | Apart[bool]] = {
                relative: Apart(functools.partial(produce, relative))
                for relative in files
                if relative in apart
            }
            early: _Linked | None = None
            try:
                done = 0
                for relative in files:
                    if relative not in differs:
                        differs[relative] = produce(relative)
                        done += 1
                        if progress is not None:
                            progress(done, total)
                stale = sorted(
                    rel for rel in set(previous) - set(files) if _exists_unlinked(out_dir, rel)
                )
                made_apart = {rel for rel, value in differs.items() if isinstance(value, Apart)}
                written = {rel for rel, value in differs.items() if value is True}
                if atomic and not first and made_apart and (written or stale):
                    # Something changed: the unchanged files are linked into the new
                    # folder while the files made apart are still being made.
                    early = _link_unchanged(staging, out_dir, written | made_apart | set(stale))
                for relative, outcome in differs.items():
                    if isinstance(outcome, Apart):
                        differs[relative] = outcome.result()
                        done += 1
                        if progress is not None:
                            progress(done, total)
            finally:
                # Never leave the staging folder while a child still writes into it.
                for outcome in differs.values():
                    if isinstance(outcome, Apart):
                        with suppress(Exception):
                            outcome.result()
            changed = [relative for relative in files if differs[relative]]
            swapped = True
            if changed or stale:
                swapped = _commit(staging, atomic, out_dir, changed, set(stale), early)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the output folder: {_reason(exc)}") from None
    written = set(changed)
    results = [
        FileResult(rel, "written" if rel in written else "unchanged") for rel in sorted(files)
    ]
    notice = None
    if not swapped:
        notice = (
            f"{out_dir} could not be swapped in one step (its parent folder cannot be written, "
            "or the file system cannot exchange folders), so the changed files were moved in "
            "one by one: a build killed midway could leave old and new files mixed until the "
            "next build"
        )
    return WriteResult(results + [FileResult(rel, "removed") for rel in stale], notice)


def _produce(value: Content, target: Path, old: Path | None, folders: _Folders) -> bool:
    """Produce a file and write it to ``target`` if it differs from ``old`` (None: there
    is none); whether it differs."""
    content = value if isinstance(value, bytes) else value()
    if isinstance(content, bytes):
        if old is None or _read_or_none(old) != content:
            _write_file(target, content, folders)
            return True
        return False
    return _write_stream(target, content, old, folders)


def read_generated_file(out_dir: Path, relative: str) -> bytes | None:
    """The bytes of a file a previous build generated, or None if it is missing or unsafe.

    A file reached through a symbolic link is not the build's: None.
    """
    try:
        parts = _check_relative(relative).split("/")
        root = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except (OSError, OutputError):
        return None
    try:
        folder = _open_folder(root, parts[:-1], out_dir, create=False)
        try:
            descriptor = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW, dir_fd=folder)
        finally:
            os.close(folder)
        with open(descriptor, "rb") as file:
            return file.read()
    except (OSError, OutputError):
        return None
    finally:
        os.close(root)


def differing_files(out_dir: Path, files: Mapping[str, Content]) -> list[str]:
    """The files of ``files`` whose content in ``out_dir`` is not what would be written."""
    differ = []
    for relative, value in files.items():
        content = value if isinstance(value, bytes) else value()
        expected = content if isinstance(content, bytes) else b"".join(content)
        if read_generated_file(out_dir, relative) != expected:
            differ.append(relative)
    return differ


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
        or "\x00" in relative
    ):
        raise OutputError(
            f"refusing to write {relative!r}: not a plain path inside the output folder"
        )
    return relative


def _check_writable(out_dir: Path) -> None:
    writable = out_dir if out_dir.exists() else out_dir.parent
    if not os.access(writable, os.W_OK | os.X_OK):
        raise OutputError(f"{out_dir}: the output folder is not writable; fix its permissions")


def _refuse_links(out_dir: Path, files: Iterable[str]) -> None:
    """Refuse to build where a file or folder the build writes is a symbolic link.

    Writing through it would change files outside the output folder; replacing
    it silently would break whatever the organiser made it for.
    """
    folders: set[str] = set()
    names = list(files)
    for relative in names:
        parts = relative.split("/")
        folders.update("/".join(parts[:depth]) for depth in range(1, len(parts)))
    for relative in sorted(folders, key=lambda f: f.count("/")) + names:
        path = out_dir / relative
        if path.is_symlink():
            what = "files" if relative in folders else "this file"
            raise OutputError(
                f"{path}: is a symbolic link; wego-ical writes {what} there and never writes "
                "through links in the output folder: replace the link by a real "
                f"{'folder' if relative in folders else 'file'}, or build elsewhere with --out"
            )


def _exists_unlinked(out_dir: Path, relative: str) -> bool:
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


def _open_folder(root: int, parts: list[str], shown: Path, *, create: bool) -> int:
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


# --------------------------------------------------------------------------- replacing


@contextmanager
def _stage(out_dir: Path, lock: OutputLock) -> Iterator[tuple[Path, bool]]:
    """A staging folder and whether it can be swapped in atomically.

    It is created beside the output folder (same file system); where the
    parent cannot be written, inside the output folder instead, and the
    files are then moved in one by one. The lock records it, so that if
    this process is killed the next build removes it, and nothing else.
    """
    try:
        staging, atomic = _make_staging(out_dir.parent, f".{out_dir.name}{STAGING_PREFIX}"), True
    except PermissionError:
        out_dir.mkdir(exist_ok=True)
        staging, atomic = _make_staging(out_dir, STAGING_PREFIX), False
    try:
        lock.record_staging(staging)
        yield staging, atomic
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        lock.record_staging(None)


def _commit(
    staging: Path,
    atomic: bool,
    out_dir: Path,
    changed: list[str],
    stale: set[str],
    early: _Linked | None = None,
) -> bool:
    """Turn ``out_dir`` into its new state; returns whether that was one atomic step.

    ``early`` is what was linked into ``staging`` already (see :func:`_link_unchanged`).
    """
    if not atomic:
        _commit_file_by_file(staging, out_dir, changed, stale)
        return False
    _populate(staging, out_dir, changed, stale, early)
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return True
    try:
        _exchange(staging, out_dir)
    except _NoExchange:
        _commit_file_by_file(staging, out_dir, changed, stale)
        return False
    return True


def _make_staging(parent: Path, prefix: str) -> Path:
    # Absolute (mkdtemp returns a relative path for a relative folder before Python
    # 3.12): the lock's record of it must name it wherever the next build runs from.
    return Path(tempfile.mkdtemp(prefix=prefix, dir=os.path.abspath(parent)))


@dataclass(frozen=True)
class _Linked:
    """Unchanged files linked into the staging folder before every file was known."""

    # The files left out then (changed, stale, or not made yet).
    skipped: set[str]
    # Each folder of the new output with the status of the old one it copies.
    folders: list[tuple[Path, os.stat_result]]


def _link_unchanged(staging: Path, out_dir: Path, skipped: set[str]) -> _Linked:
    """Link every file of ``out_dir`` but ``skipped`` into ``staging``, making its folders
    (their permissions are copied last, when the folder is complete)."""
    folders: list[tuple[Path, os.stat_result]] = [(staging, os.stat(out_dir))]
    made = _Folders()
    for folder, subfolders, names in os.walk(out_dir):
        base = Path(folder)
        relative_base = base.relative_to(out_dir)
        for sub in subfolders:
            source = base / sub
            if not source.is_symlink():
                target = staging / relative_base / sub
                made.make(target)
                folders.append((target, os.lstat(source)))
        for name in subfolders + names:
            source = base / name
            relative = (relative_base / name).as_posix()
            if source.is_dir() and not source.is_symlink():
                continue
            if relative in skipped:
                continue
            _link(source, staging / relative, made)
    return _Linked(skipped, folders)


def _populate(
    staging: Path, out_dir: Path, changed: list[str], stale: set[str], early: _Linked | None
) -> None:
    """Complete ``staging`` (which holds the changed files) into the new output folder.

    Folders keep their permissions and owner (a private folder stays private).
    """
    replaced = set(changed) | stale
    folders: list[tuple[Path, os.stat_result]] = []
    if not out_dir.exists():
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp's 0700 would hide the site from a web server
    elif early is None:
        folders = _link_unchanged(staging, out_dir, replaced).folders
    else:
        folders = early.folders
        made = _Folders()
        for relative in sorted(early.skipped - replaced):  # unchanged after all
            source = out_dir / relative
            if source.is_symlink() or source.exists():
                _link(source, staging / relative, made)
    for relative in stale:
        _remove_empty_parents(staging, staging / relative)
    # Deepest first: a read-only folder must be filled before it is closed.
    for target, status in reversed(folders):
        if target.is_dir():
            _copy_owner_and_mode(target, status)
    _fsync_folder(staging)


def _copy_owner_and_mode(target: Path, status: os.stat_result) -> None:
    # Only the superuser may give a folder away; the mode is copied all the same.
    with suppress(PermissionError):
        os.chown(target, status.st_uid, status.st_gid)
    os.chmod(target, stat.S_IMODE(status.st_mode))


def _link(source: Path, target: Path, folders: _Folders) -> None:
    """Carry a file into the new folder unchanged (same inode where possible)."""
    folders.make(target.parent)
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class _Folders:
    """Makes the folders files are staged in, each once (not once per file)."""

    def __init__(self) -> None:
        self._made: set[Path] = set()

    def make(self, folder: Path) -> None:
        if folder not in self._made:
            folder.mkdir(parents=True, exist_ok=True)
            self._made.add(folder)


def _reason(exc: BaseException) -> str:
    """Why an OS call failed, with the path it failed on ("Permission denied" alone
    does not say which folder to fix)."""
    if not isinstance(exc, OSError) or exc.strerror is None:
        return str(exc)
    where = exc.filename2 or exc.filename
    return f"{exc.strerror}: {where}" if where else exc.strerror


def _write_file(path: Path, content: bytes, folders: _Folders) -> None:
    try:
        folders.make(path.parent)
        path.write_bytes(content)
    except OSError as exc:
        raise OutputError(f"{path.name}: cannot be written: {exc.strerror}") from None


def _write_stream(
    path: Path, chunks: Iterable[bytes], previous: Path | None, folders: _Folders
) -> bool:
    """Compare ``chunks`` with ``previous`` (None: there is none) and, if they differ,
    write them to ``path``.

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
                    target = stack.enter_context(_start_file(path, previous, matched, folders))
                target.write(chunk)
            if target is None and (old is None or old.read(1) != b""):
                stack.enter_context(_start_file(path, previous, matched, folders))  # shorter
                return True
            return target is not None
    except OSError as exc:
        raise OutputError(f"{path.name}: cannot be written: {exc.strerror}") from None


def _start_file(path: Path, previous: Path | None, length: int, folders: _Folders) -> BinaryIO:
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
def _open_or_none(path: Path | None) -> Iterator[BinaryIO | None]:
    if path is None:
        yield None
        return
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
                folder = _open_folder(root, parts, out_dir, create=True)
                try:
                    backup = _back_up(folder, name, backups / relative, out_dir / relative)
                    os.replace(staging / relative, name, dst_dir_fd=folder)
                finally:
                    os.close(folder)
                done.append((relative, backup))
        except (OSError, OutputError) as exc:
            _restore(root, out_dir, done)
            if isinstance(exc, OutputError):
                raise
            # The calls name files relative to a folder's descriptor: say which file.
            raise OutputError(
                f"{out_dir}: writing failed ({exc.strerror or exc}: {out_dir / relative}); "
                "the previous files were restored"
            ) from None
        for relative in sorted(stale):
            _remove_unlinked(root, out_dir, relative)
    finally:
        os.close(root)


def _back_up(folder: int, name: str, backup: Path, shown: Path) -> Path | None:
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


def _restore(root: int, out_dir: Path, done: list[tuple[str, Path | None]]) -> None:
    for relative, backup in reversed(done):
        *parts, name = relative.split("/")
        folder = _open_folder(root, parts, out_dir, create=False)
        try:
            if backup is None:
                os.unlink(name, dir_fd=folder)
            else:
                os.replace(backup, name, dst_dir_fd=folder)
        finally:
            os.close(folder)


def _remove_unlinked(root: int, out_dir: Path, relative: str) -> None:
    """Remove a stale file, then the folders it leaves empty; never through a link."""
    *parts, name = relative.split("/")
    try:
        folder = _open_folder(root, parts, out_dir, create=False)
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
            parent = _open_folder(root, parts[: depth - 1], out_dir, create=False)
        except (OSError, OutputError):
            return
        try:
            os.rmdir(parts[depth - 1], dir_fd=parent)
        except OSError:
            return  # not empty (or not a folder): it stays
        finally:
            os.close(parent)
