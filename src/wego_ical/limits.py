"""Limits on the input, in a module of their own so that checking them imports nothing."""

from __future__ import annotations

# The largest data file read (a 100,000-session series is about 55 MB).
MAX_FILE_BYTES = 64_000_000
