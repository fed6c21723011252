"""Command line: a thin click layer over load → build → write.

The stages are imported inside the commands that need them, so that
``--help`` and ``check`` do not pay for icalendar, Jinja2 or the server.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from wego_ical import __version__
from wego_ical.errors import OutputError, WegoIcalError

if TYPE_CHECKING:
    from wego_ical.build import Publication
    from wego_ical.state import Change

P = ParamSpec("P")
R = TypeVar("R")

DATA_OPTION = click.option(
    "--data",
    "data_path",
    type=click.Path(path_type=Path, dir_okay=True),
    default=Path("data/events.toml"),
    show_default=True,
    help="The event-series TOML file.",
)


def _out_option(help_text: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path("dist"),
        show_default=True,
        help=help_text,
    )


OUT_OPTION = _out_option("Output folder for the feeds (and its feeds.json, the publication state).")


def _parse_now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime:
    """--now, else SOURCE_DATE_EPOCH, else the clock: the time stamped on changed events."""
    if value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(
                f"{value!r} is not an ISO 8601 date-time such as 2021-09-01T12:00:00Z"
            ) from None
        if moment.tzinfo is None:
            raise click.BadParameter(f"{value!r} needs a UTC offset, for example a trailing Z")
        return moment.astimezone(UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except ValueError:
            raise click.BadParameter(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds", param_hint="environment"
            ) from None
    return datetime.now(UTC).replace(microsecond=0)


NOW_OPTION = click.option(
    "--now",
    callback=_parse_now,
    metavar="DATETIME",
    help="Build time stamped on changed events (ISO 8601 with offset). "
    "Default: $SOURCE_DATE_EPOCH, else the current time.",
)


def _user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a WegoIcalError into a message on stderr and exit status 1, no traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except WegoIcalError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def _publication(
    data_path: Path, out_dir: Path, now: datetime, prune: bool, jobs: int | None = None
) -> Publication:
    from wego_ical.build import publish
    from wego_ical.load import load_series
    from wego_ical.plan import event_file
    from wego_ical.state import parse_state
    from wego_ical.write import MANIFEST, read_manifest, read_rendered_events

    series = load_series(data_path)
    _keep_for_good()
    if out_dir.exists() and not out_dir.is_dir():
        # write checks this too; checked here so that diff says it as well.
        raise OutputError(f"{out_dir}: is a file, not a folder; pass a folder with --out")
    previous = parse_state(read_manifest(out_dir), str(out_dir / MANIFEST))
    rendered = (
        read_rendered_events(out_dir, {e.uid: event_file(e.uid) for e in previous.events})
        if previous
        else {}
    )
    publication = publish(series, previous, now, prune=prune, rendered=rendered, jobs=jobs)
    _keep_for_good()
    return publication


def _keep_for_good() -> None:
    """Exempt everything built so far from garbage collection.

    A one-shot command keeps its data until it exits, and it makes almost no
    reference cycles; without this, Python's collector keeps re-scanning
    the millions of objects of a large series (about 10 % of a build).
    """
    import gc

    gc.freeze()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wego-ical")
def main() -> None:
    """Compile a TOML description of an event series into iCalendar feeds."""


@main.command()
@DATA_OPTION
@OUT_OPTION
@NOW_OPTION
@click.option(
    "--prune",
    is_flag=True,
    help="Drop events that were removed from the data instead of keeping them as cancelled.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    envvar="WEGO_ICAL_JOBS",
    help="Processes that render events, for a series of 1,000 or more new events "
    "[env: WEGO_ICAL_JOBS; default: one per CPU core].",
)
@_user_errors
def build(data_path: Path, out_dir: Path, now: datetime, prune: bool, jobs: int | None) -> None:
    """Validate the data and write every feed into the output folder.

    Nothing is written unless the whole build succeeds; files in the output
    folder that wego-ical did not generate are left alone. Events that changed
    since the last build get SEQUENCE + 1, so subscribers see them change.
    """
    from wego_ical.build import INDEX_PAGE
    from wego_ical.write import write_output

    publication = _publication(data_path, out_dir, now, prune, jobs)
    results = write_output(
        out_dir, publication.files, publication.state.json_chunks, publication.generated_before
    )
    counts = {feed.path: _events(feed.events) for feed in publication.feeds}
    counts[INDEX_PAGE] = "landing page"
    # Single-event files are summarised below, not listed.
    listed = [r for r in results if r.path in counts or r.action == "removed"]
    for result in listed[:BUILD_FILES_SHOWN]:
        shown = out_dir / result.path
        if result.action == "removed":
            click.echo(f"removed    {shown}  (no longer produced)")
        else:
            label = "wrote" if result.action == "written" else "unchanged"
            click.echo(f"{label:<10} {shown}  ({counts[result.path]})")
    if len(listed) > BUILD_FILES_SHOWN:
        more, by_action = _counted(result.action for result in listed[BUILD_FILES_SHOWN:])
        click.echo(f"… and {more} more files ({by_action})")
    singles = [r for r in results if r.path not in counts and r.action != "removed"]
    click.echo(
        f"{len(singles)} single-event files in {out_dir / 'events'}: "
        f"{sum(r.action == 'written' for r in singles)} written"
    )
    _echo_changes(publication.changes, prune_hint=True, limit=BUILD_CHANGES_SHOWN)
    click.echo(
        f"{len(publication.feeds)} feeds in {out_dir}: "
        f"{sum(r.action == 'written' for r in results)} files written, "
        f"{sum(r.action == 'unchanged' for r in results)} unchanged, "
        f"{sum(r.action == 'removed' for r in results)} removed."
    )


@main.command()
@DATA_OPTION
@OUT_OPTION
@NOW_OPTION
@click.option("--prune", is_flag=True, help="Show what 'build --prune' would do.")
@_user_errors
def diff(data_path: Path, out_dir: Path, now: datetime, prune: bool) -> None:
    """Show what a build would change for subscribers, without writing anything."""
    publication = _publication(data_path, out_dir, now, prune)
    if not publication.changes:
        click.echo(f"No changes for subscribers: {out_dir} is up to date with {data_path}.")
        return
    _echo_changes(publication.changes, prune_hint=not prune)


# A build lists this many changes and feeds at most (a first build of a large
# series adds thousands of events in thousands of feeds); 'wego-ical diff'
# lists every change, feeds.json every feed.
BUILD_CHANGES_SHOWN = 50
BUILD_FILES_SHOWN = 50


def _echo_changes(changes: list[Change], *, prune_hint: bool, limit: int | None = None) -> None:
    words = {
        "added": "added",
        "changed": "changed",
        "cancelled": "cancelled",
        "restored": "restored",
        "removed": "kept as cancelled (removed from the data)",
        "pruned": "pruned (dropped for good)",
    }
    for change in changes[:limit]:
        fields = f" [{', '.join(change.fields)}]" if change.fields else ""
        click.echo(f"{words[change.kind]}: {change.summary} <{change.uid}>{fields}")
    if limit is not None and len(changes) > limit:
        more, by_kind = _counted(change.kind for change in changes[limit:])
        click.echo(
            f"… and {more} more ({by_kind}); 'wego-ical diff' before a build lists every change."
        )
    if prune_hint and any(change.kind == "removed" for change in changes):
        click.echo(
            "Removed events stay in the feeds as cancelled so that subscribers see them go; "
            "'wego-ical build --prune' drops them for good."
        )


def _counted(kinds: Iterable[str]) -> tuple[int, str]:
    """How many, and "3 added, 1 changed": the rest of a list cut short, by kind."""
    counts = Counter(kinds)
    return counts.total(), ", ".join(f"{count} {kind}" for kind, count in counts.items())


def _events(count: int) -> str:
    return f"{count} event{'s' if count != 1 else ''}"


@main.command()
@DATA_OPTION
@_user_errors
def check(data_path: Path) -> None:
    """Validate the data only and summarise what a build would produce."""
    from wego_ical.load import load_series
    from wego_ical.model import occurrences
    from wego_ical.plan import plan_feeds

    series = load_series(data_path)
    entries = occurrences(series)
    info = series.series
    click.echo(f"{data_path}: OK — {info.title} ({info.timezone})")
    click.echo(
        f"  {len(series.events)} events, {len(entries)} calendar entries, "
        f"{len(series.categories)} categories, {len(series.projects)} projects, "
        f"{len(series.people)} people"
    )
    click.echo("  would build:")
    for plan in plan_feeds(series):
        click.echo(f"    {plan.path:<45} {_events(len(plan.entries)):<10} {plan.name}")


@main.command()
@DATA_OPTION
@_out_option("Output folder whose publication state the preview continues (it is not changed).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    type=click.IntRange(0, 65535),
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option("--watch", "watch_data", is_flag=True, help="Rebuild when the data file changes.")
@NOW_OPTION
@_user_errors
def serve(
    data_path: Path, out_dir: Path, host: str, port: int, watch_data: bool, now: datetime
) -> None:
    """Build a preview of the site and serve it locally.

    The preview's subscribe links point at this server, so subscriptions can be
    tried in a calendar app on this machine. The output folder is not changed.
    """
    from wego_ical.serve import open_preview, watch

    preview = open_preview(data_path, out_dir, host, port)
    stop = threading.Event()
    try:
        preview.rebuild(now)
        _say(f"Serving a preview of {data_path} at {preview.url}")
        _say(
            "Press Ctrl+C to stop." + (f" Watching {data_path} for changes." if watch_data else "")
        )
        if watch_data:

            def rebuild() -> None:
                try:
                    changes = preview.rebuild(now).changes
                except WegoIcalError as exc:
                    click.echo(str(exc), err=True)
                    _say("The preview still shows the last good build.")
                    return
                _say(f"Rebuilt from {data_path}: {len(changes)} change(s) for subscribers.")

            threading.Thread(target=watch, args=(data_path, rebuild, stop), daemon=True).start()
        preview.server.serve_forever()
    except KeyboardInterrupt:
        _say("Stopped.")
    finally:
        stop.set()
        preview.close()


def _say(message: str) -> None:
    """Print and flush at once, so that a process reading our output sees it."""
    click.echo(message)
    sys.stdout.flush()


@main.command(name="lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--not-a-feed",
    is_flag=True,
    help="The files are one-off invitations or exports, not published feeds "
    "(allows METHOD other than PUBLISH and floating times).",
)
def lint_command(files: tuple[Path, ...], not_a_feed: bool) -> None:
    """Check iCalendar files for problems that break real calendar clients.

    Prints each finding as FILE:LINE: severity: explanation; exits with
    status 1 if any file has an error.
    """
    from wego_ical.lint import lint

    errors = warnings = 0
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            click.echo(f"{path}: error: cannot be read: {exc.strerror}")
            errors += 1
            continue
        for finding in lint(data, feed=not not_a_feed):
            click.echo(finding.render(str(path)))
            errors += finding.severity == "error"
            warnings += finding.severity == "warning"
    click.echo(
        f"{len(files)} file{'s' if len(files) != 1 else ''} checked: "
        f"{errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}."
    )
    if errors:
        raise SystemExit(1)
