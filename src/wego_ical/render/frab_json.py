"""``schedule.json``: the schedule of :func:`wego_ical.render.schedule.schedule_data` as
``json.dumps(indent=2)`` writes it, each room's talks of a day encoded as they are made
(see :mod:`wego_ical.render.schedule` for the mapping; :mod:`wego_ical.render.frab_xml`
writes the same schedule as XML)."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic_core import to_json

from wego_ical.pieces import regroup
from wego_ical.render.schedule import Entries, Events, Pieces

Dumps = Callable[[Any], str]  # the text json.dumps(value, indent=2) writes


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _rust_dumps(value: Any) -> str:
    # The same text (tests compare both with json.dumps), a third faster; but it leaves
    # a UTF-8 copy on every accented text it writes (the model's, where it is kept).
    return to_json(value, indent=2).decode()


def schedule_json(
    data: dict[str, Any], *, apart: bool = False, pieces: Pieces | None = None
) -> Iterator[bytes]:
    """``schedule.json`` in pieces of about 64 KB: the bytes ``json.dumps(data, indent=2)``
    would give, each talk encoded as it is made (neither the whole text nor the whole
    structure in memory). ``apart``: made in a process that ends with it, which may use
    the faster encoder (see :func:`_rust_dumps`); ``pieces``: rooms' talks of a day the
    file in place has may be copied from it (see :class:`Pieces`)."""
    dumps = _rust_dumps if apart else _json_dumps
    made = pieces or Pieces(None, "")

    def encoded() -> Iterator[bytes]:
        for piece in _json_pieces(data, 0, dumps):
            if isinstance(piece, tuple):
                events, level = piece
                yield made.talks(events, functools.partial(_json_bytes, level=level, dumps=dumps))
            else:
                yield made.frame(piece.encode())
        yield made.frame(b"\n")
        made.finish()

    return regroup(encoded())


def _json_bytes(value: Any, level: int, dumps: Dumps) -> bytes:
    return _json_text(value, level, dumps).encode()


def _json_text(value: Any, level: int, dumps: Dumps) -> str:
    """``value`` as ``json.dumps(indent=2)`` writes it ``level`` containers deep (JSON
    strings hold no line break: every line break is the layout's)."""
    text = dumps(value)
    return text.replace("\n", "\n" + "  " * level) if level else text


# A piece of schedule.json: text, or a room's talks of a day and how deep they stand.
_JsonPiece = str | tuple[Events, int]


def _json_pieces(value: Any, level: int, dumps: Dumps) -> Iterator[_JsonPiece]:
    if isinstance(value, Events):
        # A room's talks of a day at once: one encoder run, bounded by the day.
        yield value, level
    elif isinstance(value, Entries):
        yield from _json_container(
            ([members] for members in _entries_members(value, level, dumps)), "{}", level
        )
    elif isinstance(value, dict) and _made_later(value):
        members = (
            itertools.chain(
                (f"{json.dumps(key, ensure_ascii=False)}: ",),
                _json_pieces(item, level + 1, dumps),
            )
            for key, item in value.items()
        )
        yield from _json_container(members, "{}", level)
    elif isinstance(value, list) and _made_later(value):
        yield from _json_container(
            (_json_pieces(item, level + 1, dumps) for item in value), "[]", level
        )
    else:
        yield _json_text(value, level, dumps)


def _json_container(
    members: Iterable[Iterable[_JsonPiece]], brackets: str, level: int
) -> Iterator[_JsonPiece]:
    """An object or array whose members are written as they are made, laid out as
    ``json.dumps(indent=2)`` lays it out."""
    inner, outer = level_indent(level + 1), level_indent(level)
    first = separator = brackets[0] + inner
    for member in members:
        yield separator
        yield from member
        separator = "," + inner
    yield brackets if separator is first else outer + brackets[1]


def level_indent(level: int) -> str:
    """A line break and the indent of a member ``level`` containers deep."""
    return "\n" + "  " * level


def _made_later(value: Any) -> bool:
    """Whether ``value`` holds talks made as the file is written."""
    if isinstance(value, Events | Entries):
        return True
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(_made_later(item) for item in items)


def _entries_members(entries: Entries, level: int, dumps: Dumps) -> Iterator[str]:
    """The members of wego-ical's record ``level`` containers deep, a few hundred to a
    piece (one encoder run each, not one per entry)."""
    for part in entries.parts(256):
        text = _json_text(part, level, dumps)  # "{", the first indent, "\n…}"
        yield text[len(level_indent(level + 1)) + 1 : -len(level_indent(level)) - 1]
