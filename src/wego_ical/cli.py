"""Command line: a thin click layer. Each command turns its options into one call of
the library (:mod:`~wego_ical.pipeline` for builds, :mod:`~wego_ical.commands` for
what works on built files, :mod:`~wego_ical.serve.preview` for the preview)
and prints the lines :mod:`~wego_ical.report` makes of the result.

The library is imported inside the commands that need it, so that ``--help`` and
``check`` do not pay for icalendar, Jinja2 or the server.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from wego_ical import __version__
from wego_ical.errors import WegoIcalError
from wego_ical.limits import build_time, prune_grace_problem
from wego_ical.words import for_terminal, one_line

if TYPE_CHECKING:
    pass

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
    moment, problem = build_time(value, os.environ.get("SOURCE_DATE_EPOCH"))
    if problem:
        raise click.BadParameter(problem, param_hint=None if value else "environment")
    return moment


def _check_grace(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    problem = prune_grace_problem(value)
    if problem:
        raise click.BadParameter(problem)
    return value


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
            raise click.ClickException(for_terminal(str(exc))) from None

    return wrapper


class _Progress:
    """The stage and count of a build on stderr, once it has taken about a second;
    only on a terminal (never in CI logs or pipes)."""

    DELAY = 1.0

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.stage = ""
        self.shown = 0
        self.bar: Any = None

    @staticmethod
    def wanted() -> bool:
        return sys.stderr.isatty() and not os.environ.get("CI")

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None and time.monotonic() - self.started < self.DELAY:
            return
        if self.bar is None or stage != self.stage:
            self.close()
            self.stage, self.shown = stage, 0
            self.bar = click.progressbar(
                length=total,
                label=stage,
                file=sys.stderr,
                show_pos=True,
                update_min_steps=max(1, total // 200),
            )
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _prune_grace_option(help_text: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    return click.option(
        "--prune-grace",
        "prune_grace",
        type=float,
        callback=_check_grace,
        default=72.0,
        show_default=True,
        metavar="HOURS",
        help=help_text,
    )


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
@_prune_grace_option(
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
@click.option(
    "--strict",
    is_flag=True,
    help="Treat notes on the data (untranslated texts, titles taken from ids, old key "
    "names) as errors.",
)
@_user_errors
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
        progress=_Progress() if _Progress.wanted() else None,
        strict=strict,
    )
    try:
        result = run_build(options)
    finally:
        if isinstance(options.progress, _Progress):
            options.progress.close()
    _echo(build_report(result))


@main.command()
@DATA_OPTION
@OUT_OPTION
@NOW_OPTION
@click.option("--prune", is_flag=True, help="Show what 'build --prune' would do.")
@_prune_grace_option("As for build --prune.")
@_user_errors
def diff(data_path: Path, out_dir: Path, now: datetime, prune: bool, prune_grace: float) -> None:
    """Show what a build would change for subscribers, without writing anything."""
    from wego_ical.pipeline import BuildOptions
    from wego_ical.pipeline import diff as run_diff
    from wego_ical.report import diff_report

    options = BuildOptions.for_command(
        data_path, out_dir, now, prune=prune, prune_grace_hours=prune_grace
    )
    _echo(diff_report(run_diff(options)))


@main.command()
@DATA_OPTION
@click.option(
    "--strict",
    is_flag=True,
    help="Treat notes on the data (untranslated texts, titles taken from ids, old key "
    "names) as errors.",
)
@_user_errors
def check(data_path: Path, strict: bool) -> None:
    """Validate the data only and summarise what a build would produce."""
    from wego_ical.pipeline import check as run_check
    from wego_ical.report import check_report

    _echo(check_report(run_check(data_path, strict=strict)))


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
    from wego_ical.serve.preview import run_preview

    run_preview(
        data_path,
        out_dir,
        host=host,
        port=port,
        watch_data=watch_data,
        now=now,
        say=_say,
        complain=lambda message: click.echo(for_terminal(message), err=True),
    )


def _say(message: str) -> None:
    """Print and flush at once, so that a process reading our output sees it."""
    click.echo(for_terminal(message))
    sys.stdout.flush()


@main.command()
@click.argument("server", type=click.Choice(["nginx"]))
@_out_option("The output folder the server publishes.")
@click.option(
    "--listen", default="80", show_default=True, help="nginx 'listen': a port or address:port."
)
@click.option("--server-name", default="_", show_default=True, help="nginx 'server_name'.")
@click.option("--cors", default="*", show_default=True, help="Who may read: '*', an origin, none.")
@_user_errors
def hosting(server: str, out_dir: Path, listen: str, server_name: str, cors: str) -> None:
    """Print a web server configuration that serves the output folder as
    calendar apps need it (types, ETag, caching, gzip, CORS). Tested with nginx."""
    from wego_ical.commands import nginx_config

    click.echo(nginx_config(out_dir, listen=listen, server_name=server_name, cors=cors), nl=False)


_DRY_RUN = click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
_FORCE = click.option(
    "--force", is_flag=True, help="Replace what was edited on the server, or is not ours."
)
_FEED = click.option(
    "--feed",
    default="all.ics",
    show_default=True,
    help="Which feed's events the calendar holds (a path in the output folder).",
)
_NETRC = click.option(
    "--netrc",
    "netrc_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="netrc file with the login for the server's host (default: $NETRC, ~/.netrc).",
)
_CREATE = click.option("--create", is_flag=True, help="Create the calendar if it does not exist.")
_ALLOW_HTTP = click.option(
    "--allow-http", is_flag=True, help="Send credentials over plain http (trusted LAN)."
)
_ENDPOINT = click.option("--endpoint-url", metavar="URL", help="The storage, if not Amazon S3.")
_S3_CORS = click.option("--cors", metavar="ORIGIN", help="Let pages of ORIGIN ('*': any) read.")


@main.group(invoke_without_command=True)
@_out_option("The built output folder to publish.")
@click.option("--caldav", "url", metavar="URL", help="Older form of: publish caldav URL.")
@click.option("--s3", "bucket", metavar="s3://BUCKET/PREFIX", help="Older form of: publish s3 URL.")
@_ENDPOINT
@_S3_CORS
@_FEED
@_NETRC
@_DRY_RUN
@_FORCE
@_CREATE
@_ALLOW_HTTP
@click.pass_context
@_user_errors
def publish(ctx: click.Context, /, out_dir: Path, url: str | None, bucket: str | None,
            **options: Any) -> None:  # fmt: skip
    """Publish the output folder: a feed's events into a CalDAV calendar (publish
    caldav URL), or every file to object storage (publish s3 s3://BUCKET/PREFIX).
    Sends only what changed, never touches what it did not put there, and takes
    credentials from the environment, never the command line.
    """
    from wego_ical.commands import publish_folder

    given = [f"--{name}" for name in ("caldav", "s3") if {"caldav": url, "s3": bucket}[name]]
    if ctx.invoked_subcommand is not None:
        typed = [
            param.opts[0]
            for param in ctx.command.params
            if param.name is not None
            and ctx.get_parameter_source(param.name) is click.core.ParameterSource.COMMANDLINE
        ]
        target = f"publish {ctx.invoked_subcommand}"
        if given:
            raise click.UsageError(f"{given[0]} does not go with {target}")
        if typed:
            raise click.UsageError(f"{typed[0]} goes after the target: {target} URL {typed[0]} …")
        return
    if given:
        click.echo(
            f"note: publish {given[0]} URL is now publish {given[0][2:]} URL; the older form "
            "still works",
            err=True,
        )
    result = publish_folder(
        out_dir, caldav=url, s3=bucket, options=options, environ=os.environ, progress=_s3_progress
    )
    _publish_report(result)


@publish.command(name="caldav")
@click.argument("url")
@_out_option("The built output folder to publish.")
@_FEED
@_NETRC
@_DRY_RUN
@_FORCE
@_CREATE
@_ALLOW_HTTP
@_user_errors
def publish_caldav(url: str, out_dir: Path, netrc_file: Path | None, **flags: Any) -> None:
    """Fill the CalDAV calendar at URL with a feed's events, and keep it in line with
    it. Credentials: WEGO_ICAL_CALDAV_USERNAME and WEGO_ICAL_CALDAV_PASSWORD, or the
    netrc file's login for the host."""
    from wego_ical.commands import CalDavSettings, publish_calendar

    settings = CalDavSettings(**flags)
    _publish_report(
        publish_calendar(out_dir, url, settings, netrc_file=netrc_file, environ=os.environ)
    )


@publish.command(name="s3")
@click.argument("url", metavar="s3://BUCKET/PREFIX")
@_out_option("The built output folder to publish.")
@_ENDPOINT
@_S3_CORS
@_DRY_RUN
@_FORCE
@_user_errors
def publish_s3(url: str, out_dir: Path, **flags: Any) -> None:
    """Keep object storage (S3, R2, GCS, B2, MinIO) identical to the output folder.
    Credentials: boto3's usual chain, such as AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, or AWS_PROFILE."""
    from wego_ical.commands import S3Settings, publish_bucket

    settings = S3Settings(**flags)
    _publish_report(publish_bucket(out_dir, url, settings, on_done=_s3_progress))


def _s3_progress(action: Any) -> None:
    from wego_ical.report import s3_line

    _say(s3_line(action))


def _publish_report(result: Any) -> None:
    from wego_ical.report import publish_report

    lines, failed = publish_report(result)
    _echo(lines)
    if failed:
        raise SystemExit(1)


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
@click.option("--force", is_flag=True, help="Replace the series file if it exists.")
@click.option("--template", type=click.Choice(["csv"]), help="Print a spreadsheet to start from.")
@_user_errors
def import_command(
    source: Path | None,
    out_file: Path,
    kind: str | None,
    settings: tuple[str, ...],
    force: bool,
    template: str | None,
) -> None:
    """Write a series file from a spreadsheet (CSV/TSV), a frab or pretalx schedule.json /
    schedule.xml, or an .ics; it is checked as a build checks it first."""  # fmt: skip
    from wego_ical.commands import import_series

    text, notes = import_series(source, out_file, kind=kind, force=force, settings=settings,
                                template=template)  # fmt: skip
    click.echo(text, nl=template is None)
    _echo([f"note: not carried over: {one_line(note)}" for note in notes])


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
    _echo(lines)
    if errors:
        raise SystemExit(1)


def _echo(lines: list[str]) -> None:
    for line in lines:
        click.echo(for_terminal(line))


@main.command()
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schema to this file instead of printing it.",
)
@_user_errors
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
@_user_errors
def init(path: Path, force: bool) -> None:
    """Start a series: write a commented starter file (default data/events.toml) that
    builds as it is, and the schema its first line names."""
    from wego_ical.commands import init_series

    for written in init_series(path, force=force):
        click.echo(f"wrote {written}")
    build = "wego-ical build" + ("" if path == Path("data/events.toml") else f" --data {path}")
    click.echo(f"Edit {path}, then run: {build}")
