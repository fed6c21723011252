"""Command line: a thin click layer. Each command turns its options into one call of
the library (:mod:`~wego_ical.pipeline` for builds, :mod:`~wego_ical.commands` for
what works on built files, :mod:`~wego_ical.serve.preview` for the preview)
and prints the lines :mod:`~wego_ical.report` makes of the result.

The library is imported inside the commands that need it, so that ``--help`` and
``check`` do not pay for icalendar, Jinja2 or the server. The only part of wego-ical
that imports click.

May import: the entry points (``pipeline``, ``commands``, ``serve``), ``report``, and the
base modules (errors, words, limits, the catalogue of outputs).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from wego_ical import __version__
from wego_ical.cli.options import (
    DATA_OPTION,
    NOW_OPTION,
    OUT_OPTION,
    STRICT_OPTION,
    Progress,
    echo,
    out_option,
    prune_grace_option,
    say,
    user_errors,
)
from wego_ical.cli.publishing import publish
from wego_ical.words import for_terminal, one_line


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
    help="Drop events that were removed from the data instead of keeping them as cancelled "
    "(once they have been cancelled for --prune-grace).",
)
@prune_grace_option(
    "With --prune: how long a removed event stays cancelled first, so that subscribed "
    "calendars see it go (0: drop it now)."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    metavar="N",
    envvar="WEGO_ICAL_JOBS",
    help="Processes that render events, for a series of 1,000 or more new events "
    "[env: WEGO_ICAL_JOBS; default: one per CPU core].",
)
@click.option(
    "--wait", is_flag=True, help="If another build is writing the output folder, wait for it."
)
@click.option(
    "--replace",
    is_flag=True,
    help="The output folder holds another series: start it over with this one.",
)
@click.option(
    "--new-uids",
    is_flag=True,
    help="Accept that this series' id or uid_domain changed: every event is published "
    "again under a new UID (subscribers see duplicates).",
)
@STRICT_OPTION
@user_errors
def build(
    data_path: Path,
    out_dir: Path,
    now: datetime,
    prune: bool,
    jobs: int | None,
    wait: bool,
    replace: bool,
    new_uids: bool,
    strict: bool,
    prune_grace: float,
) -> None:
    """Validate the data and write every feed into the output folder.

    Nothing is written unless the whole build succeeds; files in the output
    folder that wego-ical did not generate are left alone. Events that changed
    since the last build get SEQUENCE + 1, so subscribers see them change.
    """
    from wego_ical.pipeline import BuildOptions
    from wego_ical.pipeline import build as run_build
    from wego_ical.report import build_report

    options = BuildOptions.for_command(
        data_path,
        out_dir,
        now,
        prune=prune,
        prune_grace_hours=prune_grace,
        jobs=jobs,
        wait=wait,
        replace=replace,
        new_uids=new_uids,
        skip_unchanged=True,
        progress=Progress() if Progress.wanted() else None,
        on_wait=lambda message: click.echo(f"note: {message}", err=True),
        strict=strict,
    )
    try:
        result = run_build(options)
    finally:
        if isinstance(options.progress, Progress):
            options.progress.close()
    echo(build_report(result))


@main.command()
@DATA_OPTION
@OUT_OPTION
@NOW_OPTION
@click.option("--prune", is_flag=True, help="Show what 'build --prune' would do.")
@prune_grace_option("As for build --prune.")
@user_errors
def diff(data_path: Path, out_dir: Path, now: datetime, prune: bool, prune_grace: float) -> None:
    """Show what a build would change for subscribers, without writing anything."""
    from wego_ical.pipeline import BuildOptions
    from wego_ical.pipeline import diff as run_diff
    from wego_ical.report import diff_report

    options = BuildOptions.for_command(
        data_path, out_dir, now, prune=prune, prune_grace_hours=prune_grace
    )
    echo(diff_report(run_diff(options)))


@main.command()
@DATA_OPTION
@STRICT_OPTION
@user_errors
def check(data_path: Path, strict: bool) -> None:
    """Validate the data only and summarise what a build would produce."""
    from wego_ical.pipeline import check as run_check
    from wego_ical.report import check_report

    echo(check_report(run_check(data_path, strict=strict)))


@main.command()
@DATA_OPTION
@out_option("Output folder whose publication state the preview continues (it is not changed).")
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
@user_errors
def serve(
    data_path: Path, out_dir: Path, host: str, port: int, watch_data: bool, now: datetime
) -> None:
    """Build a preview of the site and serve it locally.

    The preview's subscribe links point at this server, so subscriptions can be
    tried in a calendar app on this machine. The output folder is not changed.
    """
    from wego_ical.serve.preview import PreviewSettings, run_preview

    run_preview(
        data_path,
        out_dir,
        PreviewSettings(now, host=host, port=port, watch_data=watch_data),
        say=say,
        complain=lambda message: click.echo(for_terminal(message), err=True),
    )


@main.command()
@click.argument("server", type=click.Choice(["nginx"]))
@out_option("The output folder the server publishes.")
@click.option(
    "--listen", default="80", show_default=True, help="nginx 'listen': a port or address:port."
)
@click.option("--server-name", default="_", show_default=True, help="nginx 'server_name'.")
@click.option("--cors", default="*", show_default=True, help="Who may read: '*', an origin, none.")
@user_errors
def hosting(server: str, out_dir: Path, listen: str, server_name: str, cors: str) -> None:
    """Print a web server configuration that serves the output folder as
    calendar apps need it (types, ETag, caching, gzip, CORS). Tested with nginx."""
    from wego_ical.commands import nginx_config

    click.echo(nginx_config(out_dir, listen=listen, server_name=server_name, cors=cors), nl=False)


main.add_command(publish)


@main.command(name="import")
@click.argument("source", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("data/events.toml"),
    show_default=True,
    help="The series file.",
)
@click.option("--format", "kind", type=click.Choice(["csv", "tsv", "json", "xml", "ics"]))
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="What the source lacks: id, title, timezone, uid_domain, url, organiser.",
)
@click.option(
    "--date-order",
    type=click.Choice(["day-first", "month-first"]),
    help="How a spreadsheet's dates such as 04/05/2026 read: day first (4 May) or month "
    "first (April 5).",
)
@click.option("--force", is_flag=True, help="Replace the series file if it exists.")
@click.option("--template", type=click.Choice(["csv"]), help="Print a spreadsheet to start from.")
@user_errors
def import_command(
    source: Path | None,
    out_file: Path,
    kind: str | None,
    settings: tuple[str, ...],
    date_order: str | None,
    force: bool,
    template: str | None,
) -> None:
    """Write a series file from a spreadsheet (CSV/TSV), a frab or pretalx schedule.json /
    schedule.xml, or an .ics; it is checked as a build checks it first."""  # fmt: skip
    from wego_ical.commands import import_series

    settings += (f"date_order={date_order}",) if date_order else ()
    text, notes = import_series(source, out_file, kind=kind, force=force, settings=settings,
                                template=template)  # fmt: skip
    click.echo(text, nl=template is None)
    echo([f"note: not carried over: {one_line(note)}" for note in notes])


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
    from wego_ical.commands import lint_files
    from wego_ical.report import lint_report

    lines, errors = lint_report(lint_files(files, feed=not not_a_feed))
    echo(lines)
    if errors:
        raise SystemExit(1)


@main.command()
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schema to this file instead of printing it.",
)
@user_errors
def schema(out_file: Path | None) -> None:
    """Print the JSON Schema of the data file, for editors that check TOML as you type
    (name it on the file's first line: #:schema ./events.schema.json)."""
    from wego_ical.commands import editor_schema, write_schema

    if out_file is None:
        click.echo(editor_schema(), nl=False)
        return
    write_schema(out_file)
    click.echo(f"wrote {out_file}")


@main.command()
@click.argument(
    "path", type=click.Path(path_type=Path, dir_okay=False), default=Path("data/events.toml")
)
@click.option("--force", is_flag=True, help="Replace the files if they exist.")
@user_errors
def init(path: Path, force: bool) -> None:
    """Start a series: write a commented starter file (default data/events.toml) that
    builds as it is, and the schema its first line names."""
    from wego_ical.commands import init_series

    for written in init_series(path, force=force):
        click.echo(f"wrote {written}")
    build = "wego-ical build" + ("" if path == Path("data/events.toml") else f" --data {path}")
    click.echo(f"Edit {path}, then run: {build}")
