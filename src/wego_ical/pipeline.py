"""The one entry point of a build: data file in, output folder out.

load → plan → reconcile → render → page → write, driven from here only: ``wego-ical build``,
``diff`` and ``serve`` all call :func:`prepare` or :func:`build`. Everything is gathered and
validated before anything is written (a failure leaves the output folder as it was).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wego_ical.errors import OutputError
from wego_ical.limits import MAX_FILE_BYTES, PRUNE_GRACE_HOURS, read_data_file
from wego_ical.output import buildcache, kept_pieces
from wego_ical.output.lock import locked_output, output_folder, shared_lock
from wego_ical.pieces import SplicedGroup
from wego_ical.plan.identity import IdentityChange, identity_change_of
from wego_ical.publication.changes import all_changes, held_back
from wego_ical.render.workers import WorkerSettings, collection_paused

__all__ = [
    "STAGE_CHECKING",
    "STAGE_WRITING",
    "UNPUBLISHED_NOTICE",
    "BuildOptions",
    "BuildResult",
    "Checked",
    "Diff",
    "IdentityChange",
    "Prepared",
    "WorkerSettings",
    "build",
    "check",
    "diff",
    "prepare",
]
from wego_ical.output.previous import differing_files, rendered_events
from wego_ical.output.write import FileResult, check_folder, write_output

# The stages are imported where they are used: a build that is skipped (nothing
# changed) needs none of them, nor pydantic, icalendar or Jinja2.
if TYPE_CHECKING:
    from wego_ical.model import Series
    from wego_ical.pieces import Content
    from wego_ical.plan.feeds import FeedPlan
    from wego_ical.plan.reconcile import Change
    from wego_ical.plan.records import State
    from wego_ical.publication.assemble import LanguageEdition, Publication


# Subscribed calendars refresh every few hours (Google every 12 to 24): a removed
# event stays cancelled this long before --prune drops it, so that they see it go.
PRUNE_GRACE = timedelta(hours=PRUNE_GRACE_HOURS)


@dataclass(frozen=True)
class BuildOptions:
    """What to build, where, and how.

    ``state_dir`` continues the publication state of another folder than
    ``out_dir`` (the preview continues the real output folder's), and
    ``base_url`` overrides the data's ``[publish] base_url`` (the preview's
    links point at the preview server). ``one_shot`` marks a process that
    exits after this build, which may then keep its data out of the garbage
    collector's way. ``wait`` waits for another build of the same folder to
    finish instead of failing. ``replace`` starts a folder that holds another
    series over; ``new_uids`` accepts that the series' id or UID domain
    changed (every event is published anew under a new UID).
    """

    data_path: Path
    out_dir: Path
    now: datetime
    prune: bool = False
    # With prune: how long a removed event stays cancelled before it may go for good.
    prune_grace: timedelta = PRUNE_GRACE
    workers: WorkerSettings = field(default_factory=WorkerSettings)
    base_url: str | None = None
    state_dir: Path | None = None
    one_shot: bool = False
    wait: bool = False
    replace: bool = False
    new_uids: bool = False
    # Skip the build when nothing it depends on changed since the last build of
    # this folder (see :mod:`~wego_ical.output.buildcache`); the CLI's build does.
    skip_unchanged: bool = False
    # Told (stage, done, total) as the build goes: the CLI shows it on a terminal.
    progress: Callable[[str, int, int], None] | None = None
    # Told when the build starts waiting for another build of the folder (``wait``).
    on_wait: Callable[[str], None] | None = None
    # Notes on the data (untranslated texts, titles taken from ids, old key names)
    # are errors: nothing is built.
    strict: bool = False

    @classmethod
    def for_command(
        cls,
        data_path: Path,
        out_dir: Path,
        now: datetime,
        *,
        prune: bool = False,
        prune_grace_hours: float = PRUNE_GRACE_HOURS,
        jobs: int | None = None,
        **given: Any,
    ) -> BuildOptions:
        """The options of a one-shot command (``build``, ``diff``): workers as ``jobs``
        says, the grace period in hours; ``given`` sets any other field."""
        return cls(
            data_path,
            out_dir,
            now,
            prune=prune,
            prune_grace=timedelta(hours=prune_grace_hours),
            workers=WorkerSettings(jobs=jobs),
            one_shot=True,
            **given,
        )


@dataclass(frozen=True)
class Prepared:
    """A publication ready to be written, with the inputs it was made from.

    ``generated_before`` lists the files the output folder's previous build
    generated (they are removed if the publication no longer has them).
    """

    series: Series
    previous: State | None
    publication: Publication
    generated_before: list[str]
    identity_change: IdentityChange | None = None
    # The publications in the series' further languages, each in its own folder.
    translations: list[tuple[str, Publication]] = field(default_factory=list)
    # What the organiser should know about the data (old key names).
    notes: tuple[str, ...] = ()

    @property
    def recipes(self) -> dict[str, str]:
        """Every language's recipes of files, by path (what the next build may keep)."""
        theirs = {f"{c}/{path}": r for c, t in self.translations for path, r in t.recipes.items()}
        return {**self.publication.recipes, **theirs}

    @property
    def made_apart(self) -> list[tuple[str, ...] | SplicedGroup]:
        """The groups of files made apart, in every language (those spliced, as one)."""
        languages = [("", self.publication), *self.translations]
        every = [(code, g) for code, p in languages for g in p.made_apart]
        made: list[tuple[str, ...] | SplicedGroup] = [
            tuple(f"{c}/{n}" if c else n for n in g) for c, g in every if isinstance(g, tuple)
        ]
        spliced = [(c, g) for c, g in every if isinstance(g, SplicedGroup)]
        return [*made, SplicedGroup.joined(spliced)] if spliced else made

    @property
    def files(self) -> dict[str, Content]:
        """Every file to write: the default language's, each further language's in its
        folder, and the default feeds.json last (it must never list a missing file)."""
        from wego_ical.catalogue import STATE_FILE

        files = {p: c for p, c in self.publication.files.items() if p != STATE_FILE}
        for code, translation in self.translations:
            files |= {f"{code}/{path}": content for path, content in translation.files.items()}
        files[STATE_FILE] = self.publication.files[STATE_FILE]
        return files

    @property
    def changes(self) -> list[Change]:
        """What subscribers will see change, in every language."""
        return all_changes(self.publication, self.translations)


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    out_dir: Path
    # None when the build was skipped: nothing changed (then ``unchanged_files``).
    publication: Publication | None
    files: list[FileResult]
    notices: list[str] = field(default_factory=list)
    identity_change: IdentityChange | None = None
    translations: list[tuple[str, Publication]] = field(default_factory=list)
    unchanged_files: int | None = None
    # Things the organiser should know that did not stop the build.
    warnings: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        """What subscribers will see change, in every language."""
        if self.publication is None:
            return []
        return all_changes(self.publication, self.translations)


def prepare(options: BuildOptions) -> Prepared:
    """Load and validate the data and compute every file, without writing anything.

    Holds a shared lock on the folder whose state it reads, so that it never
    reads a folder while a build replaces it. Raises a
    :class:`~wego_ical.errors.WegoIcalError` for bad data, a damaged
    publication state or an output path that is not a folder.
    """
    sharing = shared_lock(options.state_dir or options.out_dir, wait=True)
    with sharing, collection_paused(options.one_shot):
        return _prepare(options, None)


def build(options: BuildOptions) -> BuildResult:
    """Build the data into the output folder, all or nothing.

    The output folder is locked from reading its state to writing it: two
    builds of one folder never interleave (the second fails, or waits with
    ``wait``). Raises :class:`OutputError` when the folder holds another
    series, unless ``replace`` or ``new_uids`` says what to do.
    """
    check_folder(options.out_dir)
    with locked_output(options.out_dir, wait=options.wait, on_wait=options.on_wait) as lock:
        # Read once: the record of this build must describe the bytes it loaded.
        data = _data_bytes(options)
        key = _build_key(options, data)
        if key is not None:
            checked = buildcache.unchanged(options.out_dir, key, options.now)
            if checked is not None:
                return BuildResult(
                    options.out_dir, None, [], unchanged_files=checked, warnings=lock.warnings
                )
        if options.progress is not None:
            options.progress(STAGE_CHECKING, 0, 1)
        state_dir = options.state_dir if _separate_state(options) else None
        sharing = shared_lock(state_dir, wait=True) if state_dir else nullcontext()
        with sharing, collection_paused(options.one_shot):
            prepared = _prepare(options, data, writing=True)
        change = prepared.identity_change
        if change is not None and not options.new_uids:
            raise OutputError(change.refusal())
        buildcache.forget(options.out_dir)
        report = options.progress
        apart = prepared.made_apart
        # With files made apart, the first file that needs an event starts the rendering,
        # after their children are forked: a process running a pool's threads must not.
        if all(isinstance(group, SplicedGroup) for group in apart):
            for publication in [prepared.publication, *(t for _, t in prepared.translations)]:
                publication.start_rendering()
        written = write_output(
            options.out_dir,
            prepared.files,
            prepared.generated_before,
            lock=lock,
            progress=(lambda done, total: report(STAGE_WRITING, done, total)) if report else None,
            apart=apart,
        )
        if key is not None:
            kept = [f.path for f in written.files if f.action != "removed"]
            events = prepared.publication.state.events
            until = buildcache.next_change((r.snapshot for r in events), options.now)
            buildcache.remember(options.out_dir, key, kept, until, prepared.recipes)
    notices = [written.notice] if written.notice else []
    notices += held_back(prepared.publication, options.prune, options.prune_grace)
    if prepared.series.publish.base_url is None:
        notices.append(UNPUBLISHED_NOTICE)
    return BuildResult(
        options.out_dir,
        prepared.publication,
        written.files,
        notices,
        change,
        prepared.translations,
        warnings=[*lock.warnings, *(f"{options.data_path}: {note}" for note in prepared.notes)],
    )


# The stages a build reports to ``BuildOptions.progress``.
STAGE_CHECKING = "Checking the data"
STAGE_WRITING = "Rendering and writing files"


def _data_bytes(options: BuildOptions) -> bytes | None:
    """The data file's bytes, one past the size limit at most (the load says what is
    wrong with them); None if it cannot be read (the load tries, and says why)."""
    try:
        return read_data_file(options.data_path)
    except OSError:
        return None


def _build_key(options: BuildOptions, data: bytes | None) -> str | None:
    """What the build's output depends on, besides the output folder; None when this
    build is not one that may be skipped."""
    # With --prune, what a build writes depends on the time (removed events go once
    # they have been cancelled long enough): never skipped.
    if not options.skip_unchanged or options.replace or options.new_uids or options.prune:
        return None
    if data is None or len(data) > MAX_FILE_BYTES:
        return None
    if options.state_dir is not None or options.base_url is not None:
        return None
    return buildcache.build_key(data, {"prune": False})


def _separate_state(options: BuildOptions) -> bool:
    if options.state_dir is None:
        return False
    return output_folder(options.state_dir).resolve() != output_folder(options.out_dir).resolve()


def _prepare(options: BuildOptions, data: bytes | None, *, writing: bool = False) -> Prepared:
    """Everything a build writes, from the data file (its bytes ``data`` when read already;
    ``writing``: for a build that will write it)."""
    from wego_ical.catalogue import INDEX_PAGE, QR_SCRIPT, STATE_FILE
    from wego_ical.load.series_file import load_editions
    from wego_ical.model.languages import fallback_texts
    from wego_ical.plan.state_file import read_state
    from wego_ical.publication.assemble import LanguageEdition

    default, *further = load_editions(options.data_path, data)
    _refuse_notes(options.data_path, default.notes, options.strict)
    series = _with_base_url(default.series, options.base_url)
    check_folder(options.out_dir)
    state_dir = options.state_dir or options.out_dir
    separate = _separate_state(options)
    previous = read_state(state_dir)
    # The output folder's own state: which files its last build generated.
    own = read_state(options.out_dir) if separate else previous
    generated_before = _listed(own, "")
    change = identity_change_of(previous, series, state_dir, options.data_path)
    # --replace starts over (no cancellations, every old file removed), in every
    # language, but only in a folder that holds another series.
    starting_over = change is not None and options.replace
    if starting_over:
        previous, change = None, None
    codes = [edition.language for edition in further if edition.language]
    kept = (buildcache.kept_recipes(options.out_dir), writing)  # every language's, read once
    publication = _publish_edition(
        options,
        series,
        previous,
        "",
        kept,
        LanguageEdition(
            default.language,
            alternates=tuple((code, f"{code}/{INDEX_PAGE}") for code in codes),
            translations=tuple(codes),
            descriptions=default.descriptions,
        ),
    )
    # Languages the folder has and the data no longer does: their files go.
    for gone in (own.translations or []) if own else []:
        if gone not in codes:
            generated_before += _listed(read_state(options.out_dir / gone), gone)
            generated_before.append(f"{gone}/{STATE_FILE}")
    translations = []
    base = series.publish.base_url
    fallback = fallback_texts(series) if further else frozenset()
    for edition in further:
        code = edition.language
        assert code is not None and default.language is not None
        before = read_state(state_dir / code)
        generated_before += _listed(
            read_state(options.out_dir / code) if separate else before, code
        )
        alternates = [(default.language, f"../{INDEX_PAGE}")] + [
            (other, f"../{other}/{INDEX_PAGE}") for other in codes if other != code
        ]
        translated = _with_base_url(edition.series, f"{base.rstrip('/')}/{code}/" if base else None)
        translations.append(
            (
                code,
                _publish_edition(
                    options,
                    translated,
                    None if starting_over else before,
                    code,
                    kept,
                    LanguageEdition(
                        code,
                        marked=True,
                        alternates=tuple(alternates),
                        # A further language's page uses the default language's QR
                        # code generator.
                        script=f"../{QR_SCRIPT}",
                        fallback_texts=fallback,
                        fallback_language=default.language,
                        descriptions=edition.descriptions,
                    ),
                ),
            )
        )
    return Prepared(
        series, previous, publication, generated_before, change, translations, default.notes
    )


def _publish_edition(
    options: BuildOptions,
    series: Series,
    previous: State | None,
    folder: str,
    kept: tuple[Mapping[str, str], bool],
    edition: LanguageEdition,
) -> Publication:
    """One language's publication, after ``previous`` (``folder``'s): reuses what it
    rendered, keeps the files whose recipes ``kept[0]`` holds (``kept[1]``: it writes)."""
    from wego_ical.plan.reconcile import Pruning
    from wego_ical.publication.assemble import PublicationSettings, make_publication
    from wego_ical.publication.event_texts import render_ahead

    if previous is None and kept[1]:  # a build that will render every event
        render_ahead(options.workers, len(edition.descriptions or ()))
    state_dir = options.state_dir or options.out_dir
    rendered = rendered_events(state_dir / folder, previous) if previous else {}
    settings = PublicationSettings(
        edition,
        rendered,
        options.workers,
        Pruning(options.prune_grace) if options.prune else None,
        buildcache.in_folder(kept[0], folder),
        kept_pieces.FolderPieces(options.out_dir, f"{folder}/" if folder else "", writing=kept[1]),
    )
    return make_publication(series, previous, options.now, settings)


UNPUBLISHED_NOTICE = (
    "no base_url under [publish]: the page finds the feeds' web address itself when it is "
    "served over http(s), with JavaScript (subscribe buttons, QR codes); set base_url to "
    "put them in the HTML and in the feeds (URL, SOURCE)"
)


def _with_base_url(series: Series, base_url: str | None) -> Series:
    if base_url is None:
        return series
    return series.model_copy(
        update={"publish": series.publish.model_copy(update={"base_url": base_url})}
    )


def _listed(state: State | None, folder: str) -> list[str]:
    """The files ``state`` says its build generated, as paths in the output folder."""
    prefix = f"{folder}/" if folder else ""
    return [prefix + path for path in state.generated] if state else []


# --------------------------------------------------------------------------- other commands
# Each command of the CLI is one call here (or to serve); report.py words the result.


@dataclass(frozen=True)
class Diff:
    """What a build would change for subscribers, and the files that differ although
    nothing changed for them (edited by hand, damaged, another version's)."""

    data_path: Path
    out_dir: Path
    changes: list[Change]
    identity_change: IdentityChange | None
    differing: list[str]
    prune: bool
    notes: list[str] = field(default_factory=list)


def diff(options: BuildOptions) -> Diff:
    """What ``build`` with ``options`` would change; writes nothing."""

    prepared = prepare(options)
    changes = prepared.changes
    # Without changes every file should be as built; one that is not was damaged or
    # edited by hand, or built by another version.
    differing = [] if changes else differing_files(options.out_dir, prepared.files)
    return Diff(
        options.data_path,
        options.out_dir,
        changes,
        prepared.identity_change,
        differing,
        options.prune,
        held_back(prepared.publication, options.prune, options.prune_grace),
    )


@dataclass(frozen=True)
class Checked:
    """A valid data file, and what a build of it would produce."""

    data_path: Path
    series: Series
    entries: int
    feeds: list[FeedPlan]
    notes: tuple[str, ...] = ()


def _refuse_notes(data_path: Path, notes: tuple[str, ...], strict: bool) -> None:
    """With ``strict``, the notes on the data are errors."""
    if strict and notes:
        from wego_ical.errors import DataError, Problem

        raise DataError(data_path, [Problem(f"{note} (an error with --strict)") for note in notes])


def check(data_path: Path, *, strict: bool = False) -> Checked:
    """Validate the data file (every problem raised at once) and plan its feeds; with
    ``strict``, its notes are errors too."""
    from wego_ical.load.series_file import load_editions
    from wego_ical.model import calendar_entries
    from wego_ical.plan.feeds import plan_feeds

    default = load_editions(data_path)[0]
    _refuse_notes(data_path, default.notes, strict)
    series = default.series
    return Checked(
        data_path, series, len(calendar_entries(series)), plan_feeds(series), default.notes
    )
