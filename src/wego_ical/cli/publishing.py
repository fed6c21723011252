"""``wego-ical publish``: ``publish caldav URL`` and ``publish s3 URL``, and the older
``publish --caldav`` / ``--s3`` forms."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from wego_ical.catalogue import MAIN_FEED
from wego_ical.cli.options import echo, out_option, say, user_errors

_DRY_RUN = click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")


_FORCE = click.option(
    "--force", is_flag=True, help="Replace what was edited on the server, or is not ours."
)


_FEED = click.option(
    "--feed",
    default=MAIN_FEED,
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


@click.group(invoke_without_command=True)
@out_option("The built output folder to publish.")
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
@user_errors
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
@out_option("The built output folder to publish.")
@_FEED
@_NETRC
@_DRY_RUN
@_FORCE
@_CREATE
@_ALLOW_HTTP
@user_errors
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
@out_option("The built output folder to publish.")
@_ENDPOINT
@_S3_CORS
@_DRY_RUN
@_FORCE
@user_errors
def publish_s3(url: str, out_dir: Path, **flags: Any) -> None:
    """Keep object storage (S3, R2, GCS, B2, MinIO) identical to the output folder.
    Credentials: boto3's usual chain, such as AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, or AWS_PROFILE."""
    from wego_ical.commands import S3Settings, publish_bucket

    settings = S3Settings(**flags)
    _publish_report(publish_bucket(out_dir, url, settings, on_done=_s3_progress))


def _s3_progress(action: Any) -> None:
    from wego_ical.report import s3_line

    say(s3_line(action))


def _publish_report(result: Any) -> None:
    from wego_ical.report import publish_report

    lines, failed = publish_report(result)
    echo(lines)
    if failed:
        raise SystemExit(1)
