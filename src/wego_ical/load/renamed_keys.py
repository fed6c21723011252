"""Keys that were renamed when the schema stopped being WeGO-shaped: the old names
still work, and the organiser is told the new one.

The raw document is edited before it is validated, so everything downstream sees
only the new names; each rename leaves a note with the file's line.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from wego_ical.errors import Problem
from wego_ical.load.messages import KeyLocator, toml_path

# (table path, old key, new key); "*" stands for every item of an array of tables.
RENAMED = (
    (("events", "*"), "awards_ceremony", "all_categories"),
    (("events", "*"), "jury", "judges"),
    (("labels",), "jury", "judges"),
)


def apply_renames(data: dict[str, Any], text: str) -> tuple[list[str], list[Problem]]:
    """Rename old keys in ``data`` in place. Returns a note for each rename made, and a
    problem for each table that has both the old and the new key."""
    notes: list[str] = []
    problems: list[Problem] = []
    locator: KeyLocator | None = None
    for parent, old, new in RENAMED:
        for loc, table in _tables(data, parent):
            if old not in table:
                continue
            locator = locator or KeyLocator(text)
            line, column = locator.find((*loc, old))
            where = toml_path((*loc, old), data)
            if new in table:
                problems.append(
                    Problem(
                        f"both '{old}' (its old name) and '{new}' are set; keep '{new}' only",
                        key=where,
                        line=line,
                        column=column,
                    )
                )
                continue
            table[new] = table.pop(old)
            at = f"line {line}: " if line else ""
            notes.append(f"{at}{where} is now called '{new}'; rename it (the old name still works)")
    return notes, problems


def _tables(
    data: Any, parent: tuple[str, ...], loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], MutableMapping[str, Any]]]:
    """The tables at ``parent`` in ``data`` (every item where it says "*")."""
    if not parent:
        if isinstance(data, MutableMapping):
            yield loc, data
        return
    head, *rest = parent
    if head == "*":
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield from _tables(item, tuple(rest), (*loc, index))
        return
    if isinstance(data, MutableMapping) and head in data:
        yield from _tables(data[head], tuple(rest), (*loc, head))
