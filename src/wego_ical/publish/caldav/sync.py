"""``publish --caldav``: bring a CalDAV calendar in line with one published feed.

The feed file in the output folder is the truth: each of its events becomes
one calendar object named after its UID, with its time zones, exactly as
subscribers of the feed see it (cancelled ones stay, cancelled; pruned ones
are deleted). Only what changed is sent:

- a journal beside the output folder records, per calendar and object, the
  ETag the server gave and the digest of what was sent. An object whose ETag
  is still the recorded one and whose digest is unchanged is left alone;
- every object carries ``X-WEGO-ICAL-DIGEST``, the digest of its event as
  sent: it marks the objects wego-ical created (nothing else is ever
  touched) and recognises a write whose answer was lost;
- every write is conditional: ``If-None-Match: *`` to create, ``If-Match``
  with the recorded ETag to update or delete, so an edit made on the server
  in the meantime is reported, not overwritten.

The plan is pure (:func:`plan_sync`); :func:`publish_to_calendar` reads,
plans and writes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wego_ical.catalogue import STATE_FILE
from wego_ical.errors import PublishError
from wego_ical.output.lock import shared_lock
from wego_ical.plan.state_file import read_state
from wego_ical.publish.caldav.client import (
    ConnectionLost,
    DavClient,
    PreconditionFailed,
    Refused,
    Resource,
    calendar_url,
)
from wego_ical.publish.caldav.credentials import safe_for_credentials
from wego_ical.publish.caldav.journal import (
    Recorded,
    append,
    compact,
    journal_path,
    read_journal,
    record,
)
from wego_ical.publish.settings import CalDavSettings

if TYPE_CHECKING:
    from icalendar import Component

    from wego_ical.plan.records import FeedRecord, State

MARKER = "X-WEGO-ICAL-DIGEST"
# Part of every object's digest: changing how objects are made (as when the
# VTIMEZONE comment was dropped) sends each one again, once.
OBJECT_FORMAT = b"wego-ical caldav object 2\n"


@dataclass(frozen=True)
class LocalEvent:
    """One event of the feed, as the calendar object to store."""

    uid: str
    href: str
    summary: str
    body: bytes
    digest: str


@dataclass(frozen=True)
class Action:
    """One step of a sync: create, update, delete, keep, or a conflict to report."""

    # create | recreate | update | delete | unchanged | conflict | foreign | refused
    kind: str
    href: str
    summary: str
    event: LocalEvent | None = None
    etag: str | None = None  # the ETag the write is conditional on
    note: str = ""

    @property
    def writes(self) -> bool:
        """Whether this step changes data on the server."""
        return self.kind in ("create", "recreate", "update", "delete")


@dataclass
class SyncResult:
    """What a publish did (or, with ``dry_run``, would do)."""

    url: str
    actions: list[Action]
    done: list[Action] = field(default_factory=list)
    conflicts: list[Action] = field(default_factory=list)
    dry_run: bool = False
    # Writes found already made (by another publish running at the same time).
    found_done: list[Action] = field(default_factory=list)
    # Whether the calendar was created (publish --create).
    created_calendar: bool = False


# --- the feed ---------------------------------------------------------------


def local_events(out_dir: Path, feed: str, href_of: Callable[[str], str]) -> list[LocalEvent]:
    """The events of ``feed`` (a path in ``out_dir``), each as a calendar object."""
    return _read_feed(out_dir, feed, href_of)[0]


def _read_feed(
    out_dir: Path, feed: str, href_of: Callable[[str], str]
) -> tuple[list[LocalEvent], State, tuple[str, str, str]]:
    """The feed's events and the publication state, read together under the folder's lock,
    and what a calendar created for the feed is given (see :func:`_new_calendar`)."""
    from icalendar import Calendar

    from wego_ical.output.previous import read_generated_file

    with shared_lock(out_dir):
        state = read_state(out_dir)
        if state is None:
            raise PublishError(f"{out_dir}: no {STATE_FILE} here: build the feeds first")
        paths = [f.path for f in state.feeds]
        if feed not in paths:
            raise PublishError(
                f"{out_dir}: no feed {feed!r}; the feeds are: {', '.join(paths)} (--feed)"
            )
        # As a build reads its files: a plain path inside the folder, never a link.
        data = read_generated_file(out_dir, feed)
        if data is None:
            raise PublishError(
                f"{out_dir / feed}: is missing, not a plain file, or reached through a link; "
                f"rebuild the folder (wego-ical build --out {out_dir})"
            )
    calendar = _parse_feed(out_dir / feed, data)
    zones = {str(zone["TZID"]): zone for zone in calendar.walk("VTIMEZONE")}
    for zone in zones.values():
        # "This timezone only works from …": RFC 5546's table for PUBLISH, which
        # libical applies to objects without METHOD (as CalDAV objects must be),
        # allows no COMMENT in a VTIMEZONE.
        zone.pop("COMMENT", None)
    events = []
    for event in calendar.walk("VEVENT"):
        uid = _object_name(out_dir / feed, event.get("UID"))
        digest = hashlib.sha256(OBJECT_FORMAT + event.to_ical()).hexdigest()
        single = Calendar()
        single.add("prodid", calendar["PRODID"])
        single.add("version", "2.0")
        for name in sorted(_zones_of(event)):
            if name in zones:
                single.add_component(zones[name])
        event.add(MARKER, digest)
        single.add_component(event)
        events.append(
            LocalEvent(uid, href_of(uid), str(event.get("SUMMARY", uid)), single.to_ical(), digest)
        )
    feed_record = next(f for f in state.feeds if f.path == feed)
    return events, state, _new_calendar(feed_record, calendar)


def _new_calendar(record: FeedRecord, calendar: Component) -> tuple[str, str, str]:
    """The display name, description and time zone (a VCALENDAR with the feed's first
    VTIMEZONE) of a calendar created for the feed ``record``, whose ``calendar`` it is."""
    from icalendar import Calendar

    zones = Calendar()
    zones.add("prodid", calendar["PRODID"])
    zones.add("version", "2.0")
    for zone in calendar.walk("VTIMEZONE")[:1]:
        zones.add_component(zone)
    return record.name, record.description, zones.to_ical().decode("utf-8")


def _parse_feed(path: Path, data: bytes) -> Component:
    """The feed's calendar; a PublishError when it is not one wego-ical built."""
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, RecursionError) as exc:
        raise PublishError(
            f"{path}: is not an iCalendar feed wego-ical built ({str(exc)[:200]}); "
            "run 'wego-ical build' to make it again"
        ) from None
    if not isinstance(calendar, Calendar) or "PRODID" not in calendar:
        raise PublishError(
            f"{path}: is not an iCalendar feed wego-ical built (no VCALENDAR with a PRODID); "
            "run 'wego-ical build' to make it again"
        )
    return calendar


# A UID that can be a calendar object's name as it is: no '/', '%', '\' or
# control characters, no '..' (every UID wego-ical makes is of this kind).
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+=~-]{0,254}")


def _object_name(path: Path, uid: object) -> str:
    """The event's UID, refused unless it is safe as the name of a calendar object (a
    UID with '../' would otherwise name an object in another calendar)."""
    text = str(uid) if uid is not None else ""
    if not _SAFE_NAME.fullmatch(text) or ".." in text:
        raise PublishError(
            f"{path}: an event's UID {text[:80]!r} is not one wego-ical makes, and cannot "
            "safely name a calendar object; run 'wego-ical build' to make the feed again"
        )
    return text


def _zones_of(event: Component) -> set[str]:
    """The TZIDs the event's times refer to."""
    names = set()
    for key in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        value = event.get(key)
        tzid = value.params.get("TZID") if value is not None else None
        if tzid:
            names.add(str(tzid))
    return names


def marker_of(data: bytes | None) -> str | None:
    """The digest wego-ical marked a stored object with (None: not one of ours)."""
    if not data:
        return None
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(data)
    except ValueError:
        return None
    for event in calendar.walk("VEVENT"):
        value = event.get(MARKER)
        if value is not None:
            return str(value)
    return None


# --- the plan ---------------------------------------------------------------


def needs_data(
    events: list[LocalEvent],
    server: Mapping[str, str | None],
    recorded: Mapping[str, Recorded],
    looks_ours: Callable[[str], bool],
) -> list[str]:
    """The objects whose content must be read to decide: ours or not, changed or not."""
    ours = {event.href for event in events}
    wanted = []
    for href, etag in server.items():
        known = recorded.get(href)
        if known is not None and known.etag is not None and known.etag == etag:
            continue
        if href in ours or looks_ours(href):
            wanted.append(href)
    return sorted(wanted)


def plan_sync(
    events: list[LocalEvent],
    server: Mapping[str, str | None],
    recorded: Mapping[str, Recorded],
    fetched: Mapping[str, Resource],
    looks_ours: Callable[[str], bool],
    *,
    force: bool = False,
) -> list[Action]:
    """What to do to each object so that the calendar holds exactly ``events``."""
    actions = [_event_action(e, server, recorded, fetched, force=force) for e in events]
    local = {event.href for event in events}
    for href, etag in sorted(server.items()):
        if href not in local:
            action = _leftover_action(href, etag, recorded, fetched, looks_ours, force=force)
            if action is not None:
                actions.append(action)
    return actions


def _event_action(
    event: LocalEvent,
    server: Mapping[str, str | None],
    recorded: Mapping[str, Recorded],
    fetched: Mapping[str, Resource],
    *,
    force: bool,
) -> Action:
    """What to do so that the server holds ``event``."""
    href = event.href
    if href not in server:
        kind = "recreate" if href in recorded else "create"
        note = "deleted on the server since the last publish" if href in recorded else ""
        return Action(kind, href, event.summary, event, note=note)
    etag, known = server[href], recorded.get(href)
    if known is not None and known.etag is not None and known.etag == etag:
        kind = "unchanged" if known.digest == event.digest else "update"
        return Action(kind, href, event.summary, event, etag)
    marker = marker_of(fetched[href].data if href in fetched else None)
    if marker == event.digest:
        # What we would send is there: our own write whose answer was lost, or a
        # journal from another machine. Recorded as it is.
        return Action("unchanged", href, event.summary, event, etag)
    if marker is None and not force:
        return Action("foreign", href, event.summary, event, etag, "not created by wego-ical")
    if known is not None and not force:
        note = "edited on the server since the last publish"
        return Action("conflict", href, event.summary, event, etag, note)
    return Action("update", href, event.summary, event, etag)


def _leftover_action(
    href: str,
    etag: str | None,
    recorded: Mapping[str, Recorded],
    fetched: Mapping[str, Resource],
    looks_ours: Callable[[str], bool],
    *,
    force: bool,
) -> Action | None:
    """What to do with an object the feed no longer holds; None: not ours, left alone."""
    known = recorded.get(href)
    if known is not None and known.etag is not None and known.etag == etag:
        return Action("delete", href, _name(href), etag=etag)
    if not looks_ours(href) or marker_of(fetched.get(href, Resource(href, etag)).data) is None:
        return None  # not ours: never touched
    if known is not None and not force:
        note = "edited on the server since the last publish; not deleted"
        return Action("conflict", href, _name(href), etag=etag, note=note)
    return Action("delete", href, _name(href), etag=etag)


def _name(href: str) -> str:
    return href.rsplit("/", 1)[-1].removesuffix(".ics")


# --- publishing -------------------------------------------------------------


def publish_to_calendar(
    out_dir: Path,
    url: str,
    settings: CalDavSettings = CalDavSettings(),  # noqa: B008 (frozen: never changed)
    *,
    username: str | None = None,
    password: str | None = None,
) -> SyncResult:
    """Make the calendar at ``url`` hold the events of ``settings.feed`` (see the
    module). Credentials are sent over plain http only to this machine, or with
    ``settings.allow_http``.
    """
    feed, dry_run, force = settings.feed, settings.dry_run, settings.force
    allow_http, create = settings.allow_http, settings.create
    url = calendar_url(url)
    if username is not None and not allow_http and not safe_for_credentials(url):
        raise PublishError(
            f"{url}: the credentials would cross the network unencrypted (plain http to "
            "another machine); use the server's https address, or pass --allow-http if "
            "this network is trusted"
        )
    client = DavClient(url, username, password)
    url = client.url
    events, state, new_calendar = _read_feed(out_dir, feed, client.href_of)
    domain = state.recorded_uid_domain() or ""
    prefix = f"{state.series}."

    def looks_ours(href: str) -> bool:
        name = _name(href)
        return name.startswith(prefix) and name.endswith(f"@{domain}")

    journal = journal_path(out_dir)
    try:
        made = _ensure_calendar(client, new_calendar, create=create, dry_run=dry_run)
        server = {} if made else client.etags()
        recorded = read_journal(journal, url)
        fetched = client.fetch(needs_data(events, server, recorded, looks_ours))
        actions = plan_sync(events, server, recorded, fetched, looks_ours, force=force)
        result = SyncResult(url, actions, dry_run=dry_run, created_calendar=made)
        result.conflicts = [a for a in actions if a.kind in ("conflict", "foreign")]
        if dry_run:
            return result
        for action in actions:
            if action.kind == "unchanged" and action.event is not None:
                known = recorded.get(action.href)
                if known is None or known.etag != action.etag:
                    record(journal, url, action.href, action.etag, action.event.digest)
        for action in [a for a in actions if a.writes]:
            _write(client, journal, action, result, force)
        compact(journal)
        return result
    except ConnectionLost as exc:
        raise PublishError(
            f"{exc}. What was sent before is recorded in {journal}; "
            "run the same publish again to finish."
        ) from None
    finally:
        client.close()


def _ensure_calendar(
    client: DavClient, new_calendar: tuple[str, str, str], *, create: bool, dry_run: bool
) -> bool:
    """Whether the calendar is new: made now (``create``), or to be made (a dry run)."""
    if client.calendar_exists():
        return False
    if not create:
        raise PublishError(
            f"{client.url}: no such calendar on the server (404); pass --create to make it "
            "(with the feed's name and time zone), or create it in your calendar app"
        )
    if not dry_run:
        client.make_calendar(*new_calendar)
    return True


def _write(
    client: DavClient, journal: Path, action: Action, result: SyncResult, force: bool
) -> None:
    """Do one write of the plan, record it, and note in ``result`` how it went."""
    url = result.url
    try:
        done = _perform(client, action, force)
    except Refused as refused:
        result.conflicts.append(
            Action("refused", action.href, action.summary, action.event, note=refused.reason)
        )
        return
    if isinstance(done, _AlreadyThere):
        result.found_done.append(action)
        assert action.event is not None
        record(journal, url, action.href, done.etag, action.event.digest)
        return
    if done is None:
        note = "changed on the server during this publish; not overwritten"
        result.conflicts.append(
            Action("conflict", action.href, action.summary, action.event, note=note)
        )
        return
    result.done.append(action)
    if action.kind == "delete":
        append(journal, {"calendar": url, "href": action.href, "deleted": True})
    elif action.event is not None:
        record(journal, url, action.href, done, action.event.digest)


@dataclass(frozen=True)
class _AlreadyThere:
    """A write not made, because the server holds what it would send (with this ETag)."""

    etag: str


def _perform(client: DavClient, action: Action, force: bool) -> str | _AlreadyThere | None:
    """Do one write. Returns the object's new ETag ("" when the server gave none);
    :class:`_AlreadyThere` when what it would write is there already (our own write
    whose answer was lost, or another publish's); None when the object changed on the
    server in the meantime (then nothing was done). Raises :class:`Refused`."""
    event = action.event
    try:
        if action.kind == "delete":
            client.delete(action.href, if_match=action.etag)
            return ""
        assert event is not None
        create = action.kind in ("create", "recreate")
        etag = client.put(
            action.href, event.body, if_match=None if create else action.etag, create=create
        )
    except PreconditionFailed:
        if event is None:
            return None
        # Our own earlier write whose answer was lost looks like this too.
        current = client.fetch([action.href]).get(action.href)
        if current is not None and marker_of(current.data) == event.digest:
            return _AlreadyThere(current.etag or "")
        if force and current is not None:
            return client.put(action.href, event.body, if_match=current.etag) or ""
        return None
    if etag is None:
        current = client.fetch([action.href]).get(action.href)
        etag = current.etag if current is not None else None
    return etag or ""
