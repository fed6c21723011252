"""Wording shared by every message: plurals and "did you mean" suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def plural(count: int, word: str, plural_form: str | None = None) -> str:
    """``1 event``, ``3 events`` (``plural_form`` for irregular words)."""
    return f"{count} {word if count == 1 else plural_form or word + 's'}"


def closest(value: str, choices: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The choices most like ``value`` (a likely misspelling), best first."""
    return difflib.get_close_matches(value, sorted(choices), n=n, cutoff=cutoff)
