"""The library calls of the commands that work on files already built: ``lint`` (any
iCalendar file), ``hosting`` (a web server's configuration for the output folder)
and ``publish`` (a feed's events into a CalDAV calendar). Like
:mod:`~wego_ical.pipeline` for the build, each is what the CLI calls; the
modules that do the work are imported when the command runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wego_ical.calendar_sync import SyncResult
    from wego_ical.lint import Findings


def lint_files(paths: Iterable[Path], *, feed: bool) -> list[tuple[Path, Findings | str]]:
    """The findings of each iCalendar file, or why it could not be read."""
    from wego_ical.errors import UnreadableFileError
    from wego_ical.lint import lint
    from wego_ical.lint_bytes import read_for_lint

    results: list[tuple[Path, Findings | str]] = []
    for path in paths:
        try:
            results.append((path, lint(read_for_lint(path), feed=feed)))
        except UnreadableFileError as exc:
            results.append((path, str(exc)))
    return results


def nginx_config(out_dir: Path, *, listen: str, server_name: str) -> str:
    """The nginx ``server`` block that serves ``out_dir`` (values checked first)."""
    from wego_ical.hosting import nginx_server

    return nginx_server(out_dir, listen=listen, server_name=server_name)


def publish_calendar(
    out_dir: Path,
    url: str,
    *,
    feed: str,
    netrc_file: Path | None,
    environ: Mapping[str, str],
    dry_run: bool,
    force: bool,
    allow_http: bool,
) -> SyncResult:
    """Bring the CalDAV calendar at ``url`` in line with ``feed`` (credentials from
    ``environ`` or the netrc file)."""
    from wego_ical.caldav_credentials import credentials
    from wego_ical.calendar_sync import publish_to_calendar

    username, password = credentials(url, environ, netrc_file)
    return publish_to_calendar(
        out_dir,
        url,
        feed=feed,
        username=username,
        password=password,
        dry_run=dry_run,
        force=force,
        allow_http=allow_http,
    )
