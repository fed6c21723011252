"""What a previous build left, read back from its files: each file, as a build reads it
(:func:`read_generated_file`), the VEVENT text of each of its events, which the next
build reuses (:func:`rendered_events`), and which of its files a build would change
(:func:`differing_files`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from wego_ical.errors import OutputError
from wego_ical.files import ReadRefused, read_bounded
from wego_ical.limits import MAX_OUTPUT_FILE_BYTES
from wego_ical.output.folder import open_folder
from wego_ical.output.write import check_relative
from wego_ical.pieces import Content, Kept

if TYPE_CHECKING:
    from wego_ical.plan.records import State


def read_generated_file(out_dir: Path, relative: str) -> bytes | None:
    """The bytes of a file a previous build generated, or None if it is missing or unsafe.

    A file reached through a symbolic link is not the build's: None.
    """
    try:
        parts = check_relative(relative).split("/")
        root = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except (OSError, OutputError):
        return None
    try:
        folder = open_folder(root, parts[:-1], out_dir, create=False)
        try:
            return read_bounded(parts[-1], MAX_OUTPUT_FILE_BYTES, follow_links=False, dir_fd=folder)
        finally:
            os.close(folder)
    except (OSError, OutputError, ReadRefused):
        return None
    finally:
        os.close(root)


def rendered_events(folder: Path, state: State) -> dict[str, bytes]:
    """The VEVENT text of each event of a previous build: the one in the main feed (one
    file holds them all) with the digest its feeds.json records, else the one in
    the event's own file (which make_publication() reuses only if its digest matches).
    """
    from wego_ical.catalogue import MAIN_FEED, event_file
    from wego_ical.plan.records import text_digest
    from wego_ical.render.calendar import vevent_of, vevents_in

    recorded = state.rendered
    main = read_generated_file(folder, MAIN_FEED)
    by_digest = {text_digest(text): text for text in vevents_in(main or b"")}
    del main  # the texts are copies: a large feed is not held twice
    result = {}
    for record in state.events:
        digest = recorded.get(record.uid)
        text = by_digest.get(digest) if digest else None
        if text is None and digest:
            content = read_generated_file(folder, event_file(record.uid))
            text = vevent_of(content) if content is not None else None
        if text is not None:
            result[record.uid] = text
    return result


def differing_files(out_dir: Path, files: Mapping[str, Content]) -> list[str]:
    """The files of ``files`` whose content in ``out_dir`` is not what would be written."""
    differ = []
    for relative, value in files.items():
        content = value if isinstance(value, bytes | Kept) else value()
        if isinstance(content, Kept):
            continue  # the file in place, as the last build left it
        expected = content if isinstance(content, bytes) else b"".join(content)
        if read_generated_file(out_dir, relative) != expected:
            differ.append(relative)
    return differ
