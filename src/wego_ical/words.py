"""Wording shared by every message: plurals and "did you mean" suggestions; and the
words of a text as an id."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable


def plural(count: int, word: str, plural_form: str | None = None) -> str:
    """``1 event``, ``3 events`` (``plural_form`` for irregular words)."""
    return f"{count} {word if count == 1 else plural_form or word + 's'}"


def slug_words(text: str, limit: int) -> str:
    """The Latin letters and digits of ``text`` as an id of at most ``limit`` characters:
    lower case, words joined by hyphens ("" when it has none)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")


def closest(value: str, choices: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The choices most like ``value`` (a likely misspelling), best first."""
    return difflib.get_close_matches(value, sorted(choices), n=n, cutoff=cutoff)


# Characters a terminal acts on rather than shows: C0 and C1 controls and DEL (colours,
# cursor moves, window titles), and the bidirectional overrides that reorder what is
# shown (Trojan Source).
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def for_terminal(text: str) -> str:
    """``text`` with what a terminal would act on written as escapes (its lines and
    tabs kept): messages quote source text, which may hold anything."""
    return _TERMINAL_CONTROLS.sub(lambda match: _escape(match.group()), text)


def one_line(text: str) -> str:
    """``text`` as one printable line: line breaks and other characters that are not
    printable written as escapes (for a note or a comment line quoting source text)."""
    return "".join(char if char.isprintable() or char == " " else _escape(char) for char in text)


def _escape(char: str) -> str:
    """``\\n``, ``\\x1b``, ``\\u202e``: a character as Python writes it in a string."""
    return char.encode("unicode_escape").decode()
