"""The library calls of the commands other than the build: ``lint`` (any iCalendar
file), ``hosting`` (a web server's configuration for the output folder), ``publish``
(a feed's events into a CalDAV calendar), ``schema`` and ``init`` (for organisers
starting a file). Like
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
    create: bool = False,
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
        create=create,
    )


def editor_schema() -> str:
    """The JSON Schema of the data file, as JSON text."""
    from wego_ical.editor_schema import schema_text

    return schema_text()


def init_series(path: Path, *, force: bool = False) -> list[Path]:
    """Write a commented starter series at ``path``, and the schema its ``#:schema``
    line names beside it; the files written. Never overwrites without ``force``."""
    from importlib.resources import files

    from wego_ical.editor_schema import SCHEMA_FILE, schema_text
    from wego_ical.errors import OutputError

    schema = path.parent / SCHEMA_FILE
    existing = [p for p in (path, schema) if p.exists()]
    if existing and not force:
        raise OutputError(
            f"{existing[0]}: exists already; nothing was written (pass --force to replace "
            "it, or give another path)"
        )
    starter = files("wego_ical").joinpath("starter.toml").read_text(encoding="utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starter, encoding="utf-8")
        schema.write_text(schema_text(), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{exc.filename or path}: cannot be written ({exc.strerror})") from None
    return [path, schema]
