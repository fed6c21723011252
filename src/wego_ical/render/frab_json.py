"""``schedule.json``: the schedule of :func:`wego_ical.render.schedule.schedule_data` as
``json.dumps(indent=2)`` writes it, each room's talks of a day encoded as they are made
(see :mod:`wego_ical.render.schedule` for the mapping; :mod:`wego_ical.render.frab_xml`
writes the same schedule as XML)."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from wego_ical.pieces import regroup
from wego_ical.render.schedule import Encoded, Encoding, Entries, Events, Pieces
from wego_ical.render.talk_codec import (
    JSON_MEMBERS,
    JSON_TALKS,
    Dumps,
    LocalEncoder,
    fast_dumps,
    json_dumps,
    json_text,
    level_indent,
)


def schedule_json(
    data: dict[str, Any],
    *,
    apart: bool = False,
    pieces: Pieces | None = None,
    encoding: Encoding | None = None,
) -> Iterator[bytes]:
    """``schedule.json`` in pieces of about 64 KB: the bytes ``json.dumps(data, indent=2)``
    would give, each talk encoded as it is made (neither the whole text nor the whole
    structure in memory). ``apart``: made in a process that ends with it, which may use
    the faster encoder (see :func:`~wego_ical.render.talk_codec.fast_dumps`); ``pieces``:
    rooms' talks of a day the file in place has may be copied from it (see
    :class:`Pieces`); ``encoding``: what encodes the talks (here, by default)."""
    dumps = fast_dumps if apart else json_dumps
    made = pieces or Pieces(None, "")
    frame = (
        piece.encode() if isinstance(piece, str) else piece
        for piece in itertools.chain(_json_pieces(data, 0, dumps), ["\n"])
    )
    return regroup(made.written(frame, encoding or functools.partial(LocalEncoder, dumps)))


# A piece of schedule.json: text, or a part encoded from values (talks, records).
_JsonPiece = str | Encoded


def _json_pieces(value: Any, level: int, dumps: Dumps) -> Iterator[_JsonPiece]:
    if isinstance(value, Events):
        # A room's talks of a day at once: one encoder run, bounded by the day.
        yield Encoded(JSON_TALKS, level, events=value)
    elif isinstance(value, Entries):
        # wego-ical's record, a few hundred entries to a part (one encoder run each).
        parts = value.parts(256)
        yield from _json_container(
            ([Encoded(JSON_MEMBERS, level, values=part)] for part in parts), "{}", level
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
        yield json_text(value, level, dumps)


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


def _made_later(value: Any) -> bool:
    """Whether ``value`` holds talks made as the file is written."""
    if isinstance(value, Events | Entries):
        return True
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(_made_later(item) for item in items)
