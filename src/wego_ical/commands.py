"""The library calls of the commands other than the build: ``lint`` (any iCalendar
file), ``hosting`` (a web server's configuration for the output folder), ``publish``
(a feed's events into a CalDAV calendar, or the folder to object storage), ``schema``
and ``init`` (for organisers starting a file). Like
:mod:`~wego_ical.pipeline` for the build, each is what the CLI calls; the
modules that do the work are imported when the command runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wego_ical.catalogue import MAIN_FEED
from wego_ical.publish.settings import CalDavSettings, S3Settings

if TYPE_CHECKING:
    from wego_ical.lint.checks import Findings
    from wego_ical.publish.caldav.sync import SyncResult
    from wego_ical.publish.s3 import Action, S3Result

__all__ = ["CalDavSettings", "S3Settings"]


def lint_files(paths: Iterable[Path], *, feed: bool) -> list[tuple[Path, Findings | str]]:
    """The findings of each iCalendar file, or why it could not be read."""
    from wego_ical.errors import UnreadableFileError
    from wego_ical.lint.checks import lint
    from wego_ical.lint.physical import read_for_lint

    results: list[tuple[Path, Findings | str]] = []
    for path in paths:
        try:
            results.append((path, lint(read_for_lint(path), feed=feed)))
        except UnreadableFileError as exc:
            results.append((path, str(exc)))
    return results


def nginx_config(out_dir: Path, *, listen: str, server_name: str, cors: str = "*") -> str:
    """The nginx ``server`` block that serves ``out_dir`` (values checked first)."""
    from wego_ical.publish.nginx import nginx_server

    return nginx_server(out_dir, listen=listen, server_name=server_name, cors=cors)


def publish_calendar(
    out_dir: Path,
    url: str,
    settings: CalDavSettings,
    *,
    netrc_file: Path | None,
    environ: Mapping[str, str],
) -> SyncResult:
    """``publish caldav``: bring the CalDAV calendar at ``url`` in line with a feed
    (credentials from ``environ`` or the netrc file)."""
    from wego_ical.publish.caldav.credentials import credentials
    from wego_ical.publish.caldav.sync import publish_to_calendar

    username, password = credentials(url, environ, netrc_file)
    return publish_to_calendar(out_dir, url, settings, username=username, password=password)


def publish_bucket(
    out_dir: Path,
    url: str,
    settings: S3Settings,
    *,
    on_done: Callable[[Action], None] = lambda action: None,
) -> S3Result:
    """``publish s3``: keep ``s3://BUCKET/PREFIX`` identical to ``out_dir`` (see
    :mod:`~wego_ical.publish.s3`)."""
    from wego_ical.publish.s3 import publish_to_s3

    return publish_to_s3(out_dir, url, settings, on_done=on_done)


def publish_folder(
    out_dir: Path,
    *,
    caldav: str | None,
    s3: str | None,
    options: Mapping[str, Any],
    environ: Mapping[str, str],
    progress: Callable[[Action], None] = lambda action: None,
) -> SyncResult | S3Result:
    """The older ``publish --caldav URL`` / ``publish --s3 URL``: ``options`` are the
    command's, and those of the other target must be unset (:class:`PublishError`
    says so)."""
    from wego_ical.errors import PublishError

    if (caldav is None) == (s3 is None):
        raise PublishError(
            "publish: give a target: publish caldav URL, or publish s3 s3://BUCKET/PREFIX"
        )
    caldav_only = {
        "--feed": options["feed"] != MAIN_FEED,
        "--netrc": options["netrc_file"] is not None,
        "--create": options["create"],
        "--allow-http": options["allow_http"],
    }
    s3_only = {
        "--endpoint-url": bool(options["endpoint_url"]),
        "--cors": bool(options["cors"]),
    }
    wrong = [name for name, value in (caldav_only if s3 else s3_only).items() if value]
    if wrong:
        other = "--s3 (which publishes every file)" if s3 else "--caldav"
        raise PublishError(f"publish: {wrong[0]} does not go with {other}")
    shared = {"dry_run": options["dry_run"], "force": options["force"]}
    if s3 is not None:
        settings = S3Settings(endpoint_url=options["endpoint_url"], cors=options["cors"], **shared)
        return publish_bucket(out_dir, s3, settings, on_done=progress)
    assert caldav is not None
    calendar = CalDavSettings(
        feed=options["feed"], create=options["create"], allow_http=options["allow_http"], **shared
    )
    return publish_calendar(
        out_dir, caldav, calendar, netrc_file=options["netrc_file"], environ=environ
    )


def import_series(
    source: Path | None,
    out: Path,
    *,
    kind: str | None,
    force: bool,
    settings: Iterable[str] = (),
    template: str | None = None,
) -> tuple[str, list[str]]:
    """``import``: write the series file ``out`` from ``source`` (its format ``kind``,
    else guessed), or give the spreadsheet ``template``. ``settings`` are ``KEY=VALUE``
    values for what the source lacks (id, title, timezone, uid_domain, url, organiser),
    and how a spreadsheet's dates read (date_order: ``--date-order``).
    Returns what to print, and the notes on what was not carried over."""
    from wego_ical.errors import ImportSourceError
    from wego_ical.files import ReadRefused, read_bounded
    from wego_ical.importing.drafts import SeriesDefaults, write_draft
    from wego_ical.importing.readers import detect_format, read_draft
    from wego_ical.importing.spreadsheets import DATE_ORDERS, csv_template
    from wego_ical.limits import MAX_IMPORT_BYTES
    from wego_ical.words import one_line

    if template is not None:
        return csv_template(), []
    if source is None:
        raise ImportSourceError("import: give a file to import, or --template csv")
    given: dict[str, str] = {}
    for setting in settings:
        key, equals, value = setting.partition("=")
        key = {"id": "series_id"}.get(key.strip(), key.strip())
        if not equals or key not in SeriesDefaults.__dataclass_fields__:
            raise ImportSourceError(
                f"--set {setting!r}: give KEY=VALUE with KEY one of id, title, timezone, "
                "uid_domain, url, organiser"
            )
        given[key] = value.strip()
    if given.get("date_order", DATE_ORDERS[0]) not in DATE_ORDERS:
        raise ImportSourceError(f"--date-order is {' or '.join(DATE_ORDERS)}")
    try:
        raw = read_bounded(source, MAX_IMPORT_BYTES)
    except ReadRefused as exc:
        raise ImportSourceError(
            f"{source}: {exc.reason}; save the schedule as a file of at most "
            f"{MAX_IMPORT_BYTES // 1_000_000} MB and import that"
        ) from None
    except OSError as exc:
        raise ImportSourceError(f"{source}: cannot be read ({exc.strerror})") from None
    kind = kind or detect_format(source, raw)
    draft = read_draft(source, raw, kind, SeriesDefaults(**given))
    notes = write_draft(draft, source.name, out, force=force)
    # A downloaded source's name may hold a line break: the message stays one line.
    written, read = one_line(str(out)), one_line(str(source))
    return (
        f"wrote {written} from {read} ({kind}); check it with: wego-ical check --data {written}",
        notes,
    )


def editor_schema() -> str:
    """The JSON Schema of the data file, as JSON text."""
    from wego_ical.load.editor_schema import schema_text

    return schema_text()


def init_series(path: Path, *, force: bool = False) -> list[Path]:
    """Write a commented starter series at ``path``, and the schema its ``#:schema``
    line names beside it; the files written. Never overwrites without ``force``."""
    from importlib.resources import files

    from wego_ical.files import check_target, write_replacing
    from wego_ical.load.editor_schema import SCHEMA_FILE, schema_text

    schema = path.parent / SCHEMA_FILE
    for target in (path, schema):  # both or neither: the starter names the schema
        check_target(target, force=force)
    starter = files("wego_ical").joinpath("starter.toml").read_text(encoding="utf-8")
    write_replacing(path, starter.encode("utf-8"), force=force)
    write_replacing(schema, schema_text().encode("utf-8"), force=force)
    return [path, schema]


def write_schema(path: Path) -> None:
    """``schema --out``: the JSON Schema at ``path`` (a file there is replaced, never
    written through a link)."""
    from wego_ical.files import write_replacing
    from wego_ical.load.editor_schema import schema_text

    write_replacing(path, schema_text().encode("utf-8"), force=True)
