"""Command line: a thin click layer over load → build → write."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from wego_ical import __version__
from wego_ical.build import feeds_index, plan_feeds, render_feeds
from wego_ical.errors import WegoIcalError
from wego_ical.load import load_series
from wego_ical.model import occurrences
from wego_ical.write import write_output

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


def _user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a WegoIcalError into a message on stderr and exit status 1, no traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except WegoIcalError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wego-ical")
def main() -> None:
    """Compile a TOML description of an event series into iCalendar feeds."""


@main.command()
@DATA_OPTION
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Output folder for the feeds.",
)
@_user_errors
def build(data_path: Path, out_dir: Path) -> None:
    """Validate the data and write every feed into the output folder.

    Nothing is written unless the whole build succeeds; files in the output
    folder that wego-ical did not generate are left alone.
    """
    series = load_series(data_path)
    feeds = render_feeds(series)
    results = write_output(
        out_dir,
        {feed.path: feed.content for feed in feeds},
        feeds_index(series, feeds),
    )
    counts = {feed.path: feed.event_count for feed in feeds}
    for result in results:
        shown = out_dir / result.path
        if result.action == "removed":
            click.echo(f"removed    {shown}  (no longer produced by the data)")
        else:
            label = "wrote" if result.action == "written" else "unchanged"
            events = counts[result.path]
            click.echo(f"{label:<10} {shown}  ({events} event{'s' if events != 1 else ''})")
    written = sum(r.action == "written" for r in results)
    click.echo(
        f"{len(feeds)} feeds in {out_dir}: {written} written, "
        f"{sum(r.action == 'unchanged' for r in results)} unchanged, "
        f"{sum(r.action == 'removed' for r in results)} removed."
    )


@main.command()
@DATA_OPTION
@_user_errors
def check(data_path: Path) -> None:
    """Validate the data only and summarise what a build would produce."""
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
        count = len(plan.entries)
        click.echo(f"    {plan.path:<45} {count} event{'s' if count != 1 else ''}  {plan.name}")
