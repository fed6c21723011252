"""Limits on the input, in a module of their own so that checking them imports nothing."""

from __future__ import annotations

from pathlib import Path

# The largest data file read (a 100,000-session series is about 55 MB).
MAX_FILE_BYTES = 64_000_000


def read_data_file(path: Path) -> bytes:
    """The bytes of the data file, one past MAX_FILE_BYTES at most: enough to tell that
    it is too large without reading all of it. A pipe or a device (/dev/zero)
    reports no size, so the bytes are counted, not the size trusted. Raises OSError.
    """
    with open(path, "rb") as file:
        return file.read(MAX_FILE_BYTES + 1)
