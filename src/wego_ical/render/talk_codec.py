"""The encoding of the exports' bulk, from plain values to bytes: a room's talks of a day
as ``schedule.json`` (``json.dumps(indent=2)``, as deep as they stand) and
``schedule.xml`` (ElementTree's writing and indenting) have them, and wego-ical's record
of some entries in ``schedule.json``.

Its imports are light on purpose: a large build encodes in a process of its own
(:mod:`wego_ical.render.encoding_process`), which starts with this module alone.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from pydantic_core import to_json

# What a part is: the kinds :func:`encode` knows.
JSON_TALKS, JSON_MEMBERS, XML_TALKS = 1, 2, 3
# How deep a room's talks stand in schedule.xml: schedule, day, room.
XML_LEVEL = 3

Dumps = Callable[[Any], str]  # the text json.dumps(value, indent=2) writes


def json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def fast_dumps(value: Any) -> str:
    # The same text (tests compare both with json.dumps), a third faster; but it leaves
    # a UTF-8 copy on every accented text it writes (the model's, where it is kept): for
    # a process that ends with the file, or values that are copies.
    return to_json(value, indent=2).decode()


def encode(kind: int, level: int, value: Any, dumps: Dumps = json_dumps) -> bytes:
    """``value`` as a part of its kind, ``level`` containers deep: a list of talks
    (:data:`JSON_TALKS`, :data:`XML_TALKS`: always :data:`XML_LEVEL` deep) or the
    members of an object (:data:`JSON_MEMBERS`: ``{guid: record}``, without its braces)."""
    if kind == JSON_TALKS:
        return json_text(value, level, dumps).encode()
    if kind == JSON_MEMBERS:
        text = json_text(value, level, dumps)  # "{", the first indent, "\n…}"
        return text[len(level_indent(level + 1)) + 1 : -len(level_indent(level)) - 1].encode()
    if kind == XML_TALKS:
        return xml_talks(value)
    raise ValueError(f"no such part: {kind}")


def json_text(value: Any, level: int, dumps: Dumps) -> str:
    """``value`` as ``json.dumps(indent=2)`` writes it ``level`` containers deep (JSON
    strings hold no line break: every line break is the layout's)."""
    text = dumps(value)
    return text.replace("\n", "\n" + "  " * level) if level else text


def level_indent(level: int) -> str:
    """A line break and the indent of a member ``level`` containers deep."""
    return "\n" + "  " * level


class LocalEncoder:
    """Encodes each part here, as it is given: nothing is worked out ahead."""

    ahead = 0

    def __init__(self, dumps: Dumps = json_dumps) -> None:
        self.dumps = dumps
        self._done: deque[bytes] = deque()

    def submit(self, kind: int, level: int, value: Any) -> None:
        self._done.append(encode(kind, level, value, self.dumps))

    def take(self) -> bytes:
        return self._done.popleft()

    def __enter__(self) -> LocalEncoder:
        return self

    def __exit__(self, *_: object) -> None:
        pass


def xml_talks(events: list[dict[str, Any]]) -> bytes:
    """A room's talks of a day as they stand in its element, written as ElementTree
    writes and indents them (three containers deep: schedule, day, room), with
    ElementTree's own escaping; its tree took most of the file's time.
    ``tests/render/test_schedule_stream.py`` holds them to ElementTree's bytes."""
    text = _TALK_INDENT.join([_xml_event(event) for event in events])
    return text.encode("utf-8", "xmlcharrefreplace")


# The line break and indent before a talk, one of its fields, and a person or link.
_TALK_INDENT, _FIELD_INDENT, _ITEM_INDENT = (
    level_indent(level) for level in (XML_LEVEL, XML_LEVEL + 1, XML_LEVEL + 2)
)
_cdata, _attribute = ET._escape_cdata, ET._escape_attrib  # type: ignore[attr-defined]


def _xml_event(event: dict[str, Any]) -> str:
    out = [f'<event guid="{_attribute(event["guid"])}" id="{_attribute(str(event["id"]))}">']
    for name in ("room", "title", "subtitle", "type", "date", "start", "duration"):
        if event[name] is not None:
            out.append(_field(name, event[name]))
    out.append(_field("abstract", event["abstract"] or ""))
    out.append(_field("slug", event["slug"]))
    out.append(_field("track", event["track"] or ""))
    if event["language"]:
        out.append(_field("language", event["language"]))
    out.append(_field("description", event["description"]))
    persons = [("person", "guid", person["guid"], person["name"]) for person in event["persons"]]
    out.append(_list("persons", persons))
    links = [("link", "href", link["url"], link["title"]) for link in event["links"]]
    out.append(_list("links", links))
    if event["url"].startswith("http"):
        out.append(_field("url", event["url"]))
    out.append(_TALK_INDENT + "</event>")
    return "".join(out)


def _field(name: str, text: str | None) -> str:
    """A field of a talk, on its own line (an element with no text is written empty)."""
    if not text:
        return f"{_FIELD_INDENT}<{name} />"
    return f"{_FIELD_INDENT}<{name}>{_cdata(text)}</{name}>"


def _list(name: str, items: list[tuple[str, str, str, str | None]]) -> str:
    """A talk's persons or links: each an element with one attribute and a text."""
    if not items:
        return f"{_FIELD_INDENT}<{name} />"
    lines = [
        f'{_ITEM_INDENT}<{tag} {key}="{_attribute(value)}">{_cdata(text)}</{tag}>'
        if text
        else f'{_ITEM_INDENT}<{tag} {key}="{_attribute(value)}" />'
        for tag, key, value, text in items
    ]
    return f"{_FIELD_INDENT}<{name}>{''.join(lines)}{_FIELD_INDENT}</{name}>"
