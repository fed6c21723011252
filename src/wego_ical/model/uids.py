"""The UID of a calendar entry: its own ``uid`` where the file gives one, else one
derived from the series', event's and session's ids.

A UID is what a calendar matches an update against. Derived UIDs follow the
file's structure (moving a session to another event changes its UID); an own
``uid`` stays whatever moves, which is how a source's guid is kept on import.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from typing import Protocol

from pydantic_core import InitErrorDetails

from wego_ical.catalogue import event_file
from wego_ical.model.context import error_at
from wego_ical.words import slug_words

# Kept as it is: one word of visible ASCII (what calendars and frab guids use).
# Anything else (spaces, other scripts) becomes the key of a derived UID.
_VERBATIM = re.compile(r"[!-~]{1,255}")


def derived_uid(series_id: str, key: str, uid_domain: str) -> str:
    """The UID of the entry ``key`` (``event`` or ``event.session``)."""
    return f"{series_id}.{key}@{uid_domain}"


def uid_of(series_id: str, key: str, own: str | None, uid_domain: str) -> str:
    """The UID of the entry ``key``: made of its ``own`` uid if it sets one, else of ids."""
    if own is not None:
        return own_uid(series_id, own, uid_domain)
    return derived_uid(series_id, key, uid_domain)


def own_uid(series_id: str, uid: str, uid_domain: str) -> str:
    """The UID of an entry that sets ``uid``: itself, or a key made of it."""
    if _VERBATIM.fullmatch(uid):
        return uid
    words = slug_words(uid, 40)
    digest = hashlib.sha256(uid.encode()).hexdigest()[:12]
    return derived_uid(series_id, f"{words}-{digest}" if words else digest, uid_domain)


class _Identified(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def uid(self) -> str | None: ...


class _Event(_Identified, Protocol):
    @property
    def sessions(self) -> Sequence[_Identified]: ...


def uid_errors(
    series_id: str, uid_domain: str, events: Sequence[_Event]
) -> Iterator[InitErrorDetails]:
    """An own ``uid`` on an event with sessions (which is no calendar entry itself), and
    two entries with one UID (a subscriber's calendar would keep only one of them)."""
    if not any(event.uid is not None or _own_uids(event) for event in events):
        return  # UIDs made of unique ids are unique, and so are their files' names
    seen: dict[str, tuple[str | int, ...]] = {}
    files: dict[str, tuple[str | int, ...]] = {}
    for index, event in enumerate(events):
        if event.sessions and event.uid is not None:
            yield error_at(
                ("events", index, "uid"),
                event.uid,
                "uid_with_sessions",
                "an event with sessions is not itself a calendar entry, so it has no uid; "
                "set uid on its sessions",
            )
        items: list[tuple[tuple[str | int, ...], str, str | None]]
        if event.sessions:
            items = [
                (("events", index, "sessions", number), f"{event.id}.{session.id}", session.uid)
                for number, session in enumerate(event.sessions)
            ]
        else:
            items = [(("events", index), event.id, event.uid)]
        for loc, key, own in items:
            uid = uid_of(series_id, key, own, uid_domain)
            first = seen.setdefault(uid, loc)
            sharing = files.setdefault(event_file(uid), loc)
            if first == loc and sharing != loc:
                yield error_at(
                    (*loc, "uid"),
                    own,
                    "uid_file_taken",
                    "uid '{uid}' would have the same single-event file ({file}) as "
                    "{first}; change one of the two uids",
                    uid=uid,
                    file=event_file(uid),
                    first=_path(sharing),
                )
            if first != loc:
                yield error_at(
                    (*loc, "uid"),
                    own,
                    "duplicate_uid",
                    "uid '{uid}' is already the UID of {first}; give every session its own "
                    "uid, or remove this one",
                    uid=uid,
                    first=_path(first),
                )


def _own_uids(event: _Event) -> bool:
    return any(session.uid is not None for session in event.sessions)


def _path(loc: tuple[str | int, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
