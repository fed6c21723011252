"""The journal of ``publish --caldav``: per calendar and object, the ETag the server
gave and the digest of what was sent, appended as each request completes (a
publish cut off mid-way is finished by running it again) and compacted at the end.
It lies beside the output folder (``.dist.wego-ical.caldav.jsonl``), or inside it
where the parent cannot be written, and is never written through a link.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wego_ical.errors import PublishError
from wego_ical.output import hidden_files as sidecar

JOURNAL_SUFFIX = ".wego-ical.caldav.jsonl"


@dataclass(frozen=True)
class Recorded:
    """What the journal says we last stored at one path."""

    etag: str | None
    digest: str


def journal_path(out_dir: Path) -> Path:
    """Where publishes to calendars are recorded: beside the output folder (like its
    lock), or inside it, hidden, when the parent cannot be written."""
    return sidecar.location(out_dir, JOURNAL_SUFFIX)


def read_journal(path: Path, url: str) -> dict[str, Recorded]:
    """What was stored in calendar ``url``, by path, as the journal recorded it."""
    recorded: dict[str, Recorded] = {}
    for entry in journal_entries(path):
        href, digest, etag = entry.get("href"), entry.get("digest"), entry.get("etag")
        if entry.get("calendar") != url or not isinstance(href, str):
            continue
        if entry.get("deleted"):
            recorded.pop(href, None)
        elif isinstance(digest, str):
            recorded[href] = Recorded(etag if isinstance(etag, str) else None, digest)
    return recorded


def journal_entries(path: Path) -> Iterator[dict[str, object]]:
    try:
        data = sidecar.read_bytes(path)
    except OSError as exc:
        raise PublishError(f"{path}: cannot be read ({exc.strerror})") from None
    for line in data.splitlines() if data is not None else []:
        # None: a line cut short when a publish was killed.
        entry = sidecar.parse_json(line)
        if isinstance(entry, dict):
            yield entry


def append(path: Path, entry: dict[str, object]) -> None:
    sidecar.append(path, (json.dumps(entry, ensure_ascii=False) + "\n").encode())


def compact(path: Path) -> None:
    """Rewrite the journal with only what is current, for every calendar."""
    current: dict[tuple[str, str], dict[str, object]] = {}
    for entry in journal_entries(path):
        key = (str(entry.get("calendar")), str(entry.get("href")))
        if entry.get("deleted"):
            current.pop(key, None)
        else:
            current[key] = entry
    lines = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in current.values())
    sidecar.replace(path, lines.encode())


def record(journal: Path, url: str, href: str, etag: str | None, digest: str) -> None:
    append(journal, {"calendar": url, "href": href, "etag": etag, "digest": digest})
