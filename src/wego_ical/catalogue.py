"""Every kind of file a build writes into the output folder, in one place (as pretalx's
exporters declare theirs): where it lies, what it is, its Content-Type and Cache-Control,
its place in the upload order, and which stage makes it. The stages take the names
from here; the hosts (the preview, nginx, S3), CalDAV and the report take the rest, so
that a feed looks the same to a calendar app wherever it is served.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from wego_ical.words import slug_words

# --- where the files lie --------------------------------------------------------

# The feed that holds every event: the page offers it first.
MAIN_FEED = "all.ics"
# The publication state: what subscribers have been sent. Uploaded last.
STATE_FILE = "feeds.json"
# The landing page, and the folder of the schedule's pages when it is split.
INDEX_PAGE = "index.html"
SCHEDULE_FOLDER = "schedule"
# The QR code library the page draws QR codes with, beside the default language's page.
QR_SCRIPT = "qrcode.js"
# The frab/c3voc schedule, for conference apps.
SCHEDULE_JSON = "schedule.json"
SCHEDULE_XML = "schedule.xml"
# The Atom feed of published changes.
CHANGES_FEED = "changes.atom"
# One file per event or session, and one feed per category, room and person.
EVENTS_FOLDER = "events"
CATEGORIES_FOLDER = "categories"
ROOMS_FOLDER = "rooms"
PEOPLE_FOLDER = "people"


def event_file(uid: str) -> str:
    """Path of the single-event file of ``uid``: the part before ``@`` of a UID made of
    ids (``series.event.session``, slugs: a safe name); for any other UID (an entry's
    own, which may hold ``/``, ``..`` or capitals that a case-blind disk merges), a
    name made of it and a hash of the whole UID."""
    local = uid.split("@", 1)[0]
    if _DERIVED.fullmatch(local):
        return f"{EVENTS_FOLDER}/{local}.ics"
    words = slug_words(local, 40)
    digest = hashlib.sha256(uid.encode()).hexdigest()[:16]
    return f"{EVENTS_FOLDER}/{words + '-' if words else ''}{digest}.ics"


# The part before "@" of a UID made of ids: two or three slugs joined by dots.
_DERIVED = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*){1,2}")


def event_feed(event_id: str) -> str:
    """Path of an event's feed."""
    return f"{event_id}.ics"


def feed_kind(path: str | PurePosixPath) -> str:
    """Which feed ``path`` is (in any language's folder): "main", "event", "category",
    "room" or "person" ("other": not a feed's path)."""
    _, inner = language_and_path(path)
    if len(inner.parts) == 1:
        return "main" if inner.name == MAIN_FEED else "event"
    return _FEED_FOLDERS.get(inner.parts[0], "other")


def is_event_feed(path: str) -> bool:
    """Whether ``path`` is an event's feed (in any language's folder)."""
    return PurePosixPath(path).suffix == ".ics" and feed_kind(path) == "event"


def category_feed(category_id: str) -> str:
    """Path of a category's feed."""
    return f"{CATEGORIES_FOLDER}/{category_id}.ics"


def room_feed(room_id: str) -> str:
    """Path of a room's feed."""
    return f"{ROOMS_FOLDER}/{room_id}.ics"


def person_feed(person_id: str) -> str:
    """Path of a person's feed (the sessions they are named in)."""
    return f"{PEOPLE_FOLDER}/{person_id}.ics"


# --- what each kind of file is --------------------------------------------------


@dataclass(frozen=True)
class OutputKind:
    """One kind of output file."""

    name: str
    # Which stage makes it (for the docs and the report).
    made_by: str
    # Uploads go in rank order: what others link to first, feeds.json last, so that a
    # host never lists a file not yet in place.
    upload_rank: int


SINGLE_EVENT = OutputKind("single-event file", "render/calendar.py", 0)
SCRIPT = OutputKind("page script", "page/landing.py", 0)
FEED = OutputKind("feed", "render/calendar.py", 1)
PAGE = OutputKind("page", "page/landing.py", 2)
SCHEDULE = OutputKind("frab schedule", "render/schedule.py", 2)
CHANGES = OutputKind("change feed", "render/atom.py", 2)
STATE = OutputKind("publication state", "plan/records.py", 3)
KINDS = (SINGLE_EVENT, SCRIPT, FEED, PAGE, SCHEDULE, CHANGES, STATE)

# Top-level folders of the default language that are not another language's folder.
_OWN_FOLDERS = (EVENTS_FOLDER, CATEGORIES_FOLDER, ROOMS_FOLDER, PEOPLE_FOLDER, SCHEDULE_FOLDER)
# The feeds kept in a folder of their own, by folder.
_FEED_FOLDERS = {CATEGORIES_FOLDER: "category", ROOMS_FOLDER: "room", PEOPLE_FOLDER: "person"}


def language_and_path(path: str | PurePosixPath) -> tuple[str | None, PurePosixPath]:
    """The language folder of ``path`` (None: the default language's) and the path
    inside it."""
    parts = PurePosixPath(path).parts
    if len(parts) > 1 and parts[0] not in _OWN_FOLDERS:
        return parts[0], PurePosixPath(*parts[1:])
    return None, PurePosixPath(path)


def kind_of(path: str | PurePosixPath) -> OutputKind:
    """What the file at ``path`` (relative to the output folder) is."""
    _, inner = language_and_path(path)
    if inner.parts[0] == EVENTS_FOLDER:
        return SINGLE_EVENT
    if inner.name == STATE_FILE:
        return STATE
    if inner.suffix == ".js":
        return SCRIPT
    if inner.suffix == ".ics":
        return FEED
    if inner.name in (SCHEDULE_JSON, SCHEDULE_XML):
        return SCHEDULE
    if inner.name == CHANGES_FEED:
        return CHANGES
    return PAGE


def upload_rank(path: str) -> tuple[int, int, str]:
    """The order of uploads: single-event files and the script first, then feeds,
    pages and feeds.json; each language's folder before the default one's."""
    language, _ = language_and_path(path)
    return kind_of(path).upload_rank, 0 if language else 1, path


# --- how each file travels over HTTP ------------------------------------------------

# How long a client or a CDN may use a feed, a page or feeds.json before asking again:
# short, because a schedule changes; asking again is cheap (ETag → 304). Nothing in the
# output folder is versioned by name (qrcode.js keeps its name across versions), so
# nothing may be cached as immutable.
FEED_MAX_AGE = 300
CACHE_CONTROL = f"public, max-age={FEED_MAX_AGE}, must-revalidate"

CONTENT_TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
}


def content_type(path: str | PurePosixPath) -> str:
    """The Content-Type a host sends for ``path`` (charset utf-8 for every text)."""
    name = PurePosixPath(path).name
    known = CONTENT_TYPES.get(PurePosixPath(name).suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def cache_control(path: str | PurePosixPath) -> str:
    """The Cache-Control a host sends for ``path`` (see :data:`FEED_MAX_AGE`)."""
    return CACHE_CONTROL
