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

All of this happens under the output folder's lock (:mod:`wego_ical.output.lock`),
which also records the staging folder: only the holder of the lock removes
a staging folder a killed build left, and only that exact one.

The caller passes the list of files the previous build generated (from its
publication state), so files that the data no longer produces are removed,
and files the tool did not generate are never touched.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from wego_ical.errors import OutputError
from wego_ical.limits import MAX_PATH_BYTES
from wego_ical.output.folder import (
    NoExchange,
    commit_file_by_file,
    exchange,
    exists_unlinked,
    fsync_folder,
    links_among,
    remove_empty_parents,
    write_back_now,
)
from wego_ical.output.hidden_files import STAGING_PREFIX
from wego_ical.output.lock import OutputLock, locked_output, output_folder
from wego_ical.output.produce import (
    Folders,
    Linked,
    check_kept,
    copy_owner_and_mode,
    link,
    link_unchanged,
    produce_file,
    reason,
)
from wego_ical.pieces import (
    Content,
    Kept,
    Recorded,
    Spliced,
    SplicedGroup,
    record_again,
    recorded_apart,
)
from wego_ical.render.workers import Apart

# NoExchange: raised by exchange(), for tests that make it unavailable.
__all__ = [
    "FileResult",
    "NoExchange",
    "WriteResult",
    "check_folder",
    "write_output",
]

FileAction = Literal["written", "unchanged", "removed"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file of the output folder."""

    path: str
    action: FileAction


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
    apart: Collection[str | tuple[str, ...] | SplicedGroup] = (),
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
    others are (see :class:`~wego_ical.render.workers.Apart`): one large file that
    takes long to make, such as the landing page of a large series; the files of a
    tuple in one child process, in order (files that share work); those of a
    :class:`SplicedGroup` that are event texts in an envelope, by a :class:`SplicedWriter`.
    """
    for relative in files:
        check_relative(relative)
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
    apart: Collection[str | tuple[str, ...] | SplicedGroup] = (),
) -> WriteResult:
    try:
        _refuse_links(out_dir, files)
        _check_writable(out_dir)
        previous = _safe_paths(generated_before)
        # A first build has nothing to compare with: no file is looked for.
        first = not out_dir.exists()
        with _stage(out_dir, lock) as (staging, atomic):
            producer = _Producer(out_dir, files, staging, first=first, progress=progress)
            children: list[_Child] = []
            try:
                differs = producer.start_apart(apart, children)
                producer.produce_the_rest(differs, children)
                gone = {rel for rel in previous if rel not in files}  # no set of every file
                stale = sorted(rel for rel in gone if exists_unlinked(out_dir, rel))
                early = None
                if atomic and not first:
                    early = _link_early(staging, out_dir, differs, stale)
                if children:
                    write_back_now()
                producer.finish_apart(differs)
            finally:
                # A child still making files must not outlive the staging folder (a
                # build that failed, or was stopped, has no use for them).
                for child in children:
                    child.cancel()
            changed = [relative for relative in files if differs[relative]]
            swapped = not (changed or stale) or _commit(
                staging, atomic, out_dir, changed, set(stale), early
            )
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the output folder: {reason(exc)}") from None
    return _result(out_dir, files, changed, stale, swapped=swapped)


# Whether each file a child made differs, and the recipes it recorded (pieces.Recipes).
_Outcomes = tuple[tuple[bool, ...], Recorded]


class _Child(Protocol):
    """A process making files (an Apart child, a SplicedWriter)."""

    def result(self) -> _Outcomes: ...

    def cancel(self) -> None: ...


@dataclass(frozen=True)
class MadeApart:
    """A file being made in a child process: the ``index``-th of those it makes."""

    child: _Child
    index: int


class _Producer:
    """Produces each file once, in order, into the staging folder, keeping it only if
    it differs from the file in place; tells ``progress`` as files are done."""

    def __init__(
        self,
        out_dir: Path,
        files: Mapping[str, Content],
        staging: Path,
        *,
        first: bool,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.out_dir, self.files, self.staging = out_dir, files, staging
        self.out_text = str(out_dir)
        self.first, self.progress = first, progress
        self.folders = Folders()
        self.done = 0
        self.spliced: SplicedGroup | None = None

    def produce(self, relative: str) -> bool:
        """Produce one file into the staging folder if it differs; whether it does."""
        value = self.files[relative]
        return self._write(relative, value if isinstance(value, bytes | Kept) else value())

    def _write(self, relative: str, content: bytes | Iterable[bytes] | Kept) -> bool:
        if isinstance(content, Kept):  # most files of a rebuild: no path objects made
            check_kept(None if self.first else os.path.join(self.out_text, relative), relative)
            return False
        in_place = None if self.first else self.out_dir / relative
        return produce_file(content, self.staging / relative, in_place, self.folders)

    def start_apart(
        self, apart: Collection[str | tuple[str, ...] | SplicedGroup], children: list[_Child]
    ) -> dict[str, bool | MadeApart]:
        """Start producing the files named in ``apart``, each group in a child process."""
        differs: dict[str, bool | MadeApart] = {}
        for group in apart:
            if isinstance(group, SplicedGroup):
                self.spliced = group  # started once ready (see produce_the_rest)
                continue
            members = (group,) if isinstance(group, str) else group
            names = [name for name in members if name in self.files]
            if names:
                child = Apart(functools.partial(self._produce_each, names), started=children)
                differs |= {name: MadeApart(child, index) for index, name in enumerate(names)}
        return differs

    def _produce_each(self, names: list[str]) -> _Outcomes:
        with recorded_apart() as recorded:
            differs = tuple(map(self.produce, names))
        return differs, recorded

    def produce_the_rest(
        self, differs: dict[str, bool | MadeApart], children: list[_Child]
    ) -> None:
        group = self.spliced
        due = set(group.names) if group is not None else set()
        for relative in self.files:
            if group is not None and (relative in due or group.ready()):
                self._start_spliced(group, differs, children)
                group = None
            if relative not in differs:
                differs[relative] = self.produce(relative)
                self._count()

    def _start_spliced(
        self, group: SplicedGroup, differs: dict[str, bool | MadeApart], children: list[_Child]
    ) -> None:
        """Produce the files of ``group``: those that are event texts in an envelope by a
        writer process, the others (and all, where no process can be started) here."""
        made: list[tuple[str, Spliced]] = []
        here: list[tuple[str, bytes | Iterable[bytes] | Kept]] = []
        for relative in group.names:
            value = self.files.get(relative)
            if value is None or relative in differs:
                continue
            content = value if isinstance(value, bytes | Kept) else value()
            if isinstance(content, Spliced):
                made.append((relative, content))
            else:
                here.append((relative, content))
        if made:
            from wego_ical.output.spliced import SplicedWriter  # large builds only

            try:
                writer = SplicedWriter(self.staging, None if self.first else self.out_dir, made)
                children.append(writer)
                differs |= {relative: MadeApart(writer, i) for i, (relative, _) in enumerate(made)}
            except OSError:  # no process to spare (EAGAIN, ENOMEM)
                here += made
        for relative, content in here:
            differs[relative] = self._write(relative, content)
            self._count()

    def finish_apart(self, differs: dict[str, bool | MadeApart]) -> None:
        for relative, outcome in differs.items():
            if isinstance(outcome, MadeApart):
                made, recorded = outcome.child.result()
                if outcome.index == 0:  # once per child: its first file
                    record_again(recorded)
                differs[relative] = made[outcome.index]
                self._count()

    def _count(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, len(self.files))


def _link_early(
    staging: Path, out_dir: Path, differs: Mapping[str, bool | MadeApart], stale: list[str]
) -> Linked | None:
    """When something changed, link the unchanged files into the new folder while the
    files made apart are still being made."""
    made_apart = {rel for rel, value in differs.items() if isinstance(value, MadeApart)}
    written = {rel for rel, value in differs.items() if value is True}
    if made_apart and (written or stale):
        return link_unchanged(staging, out_dir, written | made_apart | set(stale))
    return None


def _result(
    out_dir: Path, files: Mapping[str, Content], changed: list[str], stale: list[str], *,
    swapped: bool,
) -> WriteResult:  # fmt: skip
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


def check_folder(out_dir: Path) -> None:
    """Raise :class:`OutputError` if ``out_dir`` exists and is not a folder, or if its
    path leaves no room below the system's limit for the files a build writes in it
    (and in its staging folder beside it): found before the lock is taken."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: is a file, not a folder; pass a folder with --out")
    length = len(os.fsencode(os.path.abspath(out_dir)))
    if length + PATH_ROOM > MAX_PATH_BYTES:
        raise OutputError(
            f"{str(out_dir)[:80]!r}: its full path is {length:,} bytes long; the files a build "
            f"writes in it need about {PATH_ROOM} more, over the system's limit of "
            f"{MAX_PATH_BYTES:,}: build into a folder with a shorter path"
        )


# The longest path a build writes below the output folder: a language, a folder, a
# file named by a UID (ids of up to 64 characters), and the staging folder's name.
PATH_ROOM = 400


def _safe_paths(generated: Iterable[object]) -> list[str]:
    result = []
    for item in generated:
        try:
            if isinstance(item, str):
                result.append(check_relative(item))
        except OutputError:
            continue  # never delete anything a tampered manifest points outside the folder
    return result


def check_relative(relative: str) -> str:
    if (
        not relative
        or relative.startswith("/")
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
    for relative in links_among(out_dir, sorted(folders, key=lambda f: f.count("/")) + names)[:1]:
        what = "files" if relative in folders else "this file"
        raise OutputError(
            f"{out_dir / relative}: is a symbolic link; wego-ical writes {what} there and "
            "never writes through links in the output folder: replace the link by a real "
            f"{'folder' if relative in folders else 'file'}, or build elsewhere with --out"
        )


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
    early: Linked | None = None,
) -> bool:
    """Turn ``out_dir`` into its new state; returns whether that was one atomic step.

    ``early`` is what was linked into ``staging`` already (see :func:`link_unchanged`).
    """
    if not atomic:
        commit_file_by_file(staging, out_dir, changed, stale)
        return False
    _populate(staging, out_dir, changed, stale, early)
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return True
    try:
        exchange(staging, out_dir)
    except NoExchange:
        commit_file_by_file(staging, out_dir, changed, stale)
        return False
    return True


def _make_staging(parent: Path, prefix: str) -> Path:
    # Absolute (mkdtemp returns a relative path for a relative folder before Python
    # 3.12): the lock's record of it must name it wherever the next build runs from.
    return Path(tempfile.mkdtemp(prefix=prefix, dir=os.path.abspath(parent)))


def _populate(
    staging: Path, out_dir: Path, changed: list[str], stale: set[str], early: Linked | None
) -> None:
    """Complete ``staging`` (which holds the changed files) into the new output folder.

    Folders keep their permissions and owner (a private folder stays private).
    """
    folders: list[tuple[Path, os.stat_result]] = []
    if not out_dir.exists():
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp's 0700 would hide the site from a web server
    else:  # only a folder in place has files to keep: no set of every file otherwise
        replaced = set(changed) | stale
        if early is None:
            folders = link_unchanged(staging, out_dir, replaced).folders
        else:
            folders = early.folders
            made = Folders()
            for relative in sorted(early.skipped - replaced):  # unchanged after all
                source = out_dir / relative
                if source.is_symlink() or source.exists():
                    link(source, staging / relative, made)
    for relative in stale:
        remove_empty_parents(staging, staging / relative)
    # Deepest first: a read-only folder must be filled before it is closed.
    for target, status in reversed(folders):
        if target.is_dir():
            copy_owner_and_mode(target, status)
    fsync_folder(staging)
