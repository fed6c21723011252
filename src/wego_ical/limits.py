"""Every limit wego-ical sets, in one place: on the data file, the output, the files it
reads besides, and what it accepts from servers and clients. It imports nothing
heavy, so that checking a limit costs nothing.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

# --- the data file -----------------------------------------------------------

# The largest data file read (a 100,000-session series is about 55 MB).
MAX_FILE_BYTES = 64_000_000
# Sessions and events in one file.
MAX_ENTRIES = 250_000
# An id becomes a file name and part of a UID.
MAX_ID_LENGTH = 64
# An entry's own uid (a source's guid, an Outlook UID of a few hundred characters).
MAX_UID_LENGTH = 255
# A title or a name; a description (calendar apps cut or reject longer texts).
MAX_LINE_LENGTH = 500
MAX_TEXT_LENGTH = 50_000
# The descriptions of all entries together: a few hundred characters for each
# of the most entries a file may have. A short file can still make gigabytes
# of feeds by repeating a long shared text (topics, jury) in every session.
MAX_TOTAL_DESCRIPTIONS = 200_000_000
# The years a series may use: calendar clients handle no earlier or later dates
# reliably, and a date near the ends of Python's range cannot be moved to UTC.
FIRST_YEAR, LAST_YEAR = 1900, 2199
# --prune-grace: how long an event removed from the data stays published as cancelled
# before --prune drops it (subscribed calendars refresh every few hours), by default;
# and a century of hours at most.
PRUNE_GRACE_HOURS = 72.0
MAX_PRUNE_GRACE_HOURS = 876_000
# The occurrences of one repeating entry (a daily session for almost three years), and
# the occurrences the page lists of each (the next ones).
MAX_OCCURRENCES = 1000
PAGE_OCCURRENCES = 10
# The occurrences of all repeating entries of a file together: each is a talk in the
# exports and is checked against the clock changes and its room, so a file of a few
# hundred KB of daily rules would otherwise cost minutes and gigabytes.
MAX_SERIES_OCCURRENCES = 250_000
# A session longer than this is a typo (an end_date a day too late), not a session.
MAX_SESSION = timedelta(hours=24)

# --- the output --------------------------------------------------------------

# The largest file a build may write, as the budget estimates it (an upper bound, about
# twice what an ordinary series writes): all.ics of the benchmark's 100,000-session
# series is about 130 MB, estimated at 300 MB (256 MB refused it).
MAX_OUTPUT_FILE_BYTES = 512_000_000
# All files of a build, every language together, as load/budget.py estimates them: an
# upper bound (every text as the most expensive escaping writes it) that is about
# 1.6 times what a 100,000-session series in one language writes (1.7 GB).
MAX_OUTPUT_BYTES = 3_000_000_000
# The longest "add to calendar" address handed out. Google answers 400 and
# some proxies 414 to addresses of several thousand characters, and old
# browsers stop at 2,083; the full text is in the .ics file anyway.
MAX_URL = 2000
# Above this many sessions the schedule is split into one page per event (per part of
# PAGE_SESSIONS sessions of a larger event), linked from a light index. A session with
# a long description weighs up to ~4 KB of HTML (its details, its add-to-calendar data,
# its schema.org entry): 100 keep every page under ~500 KB (benchmarks/README.md).
PAGE_SESSIONS = 100
# Above this many events (of a split schedule), the index lists months, each with a page
# of its events. Up to it the index offers every event's feed itself: 500 events make an
# index of 344 KB, 5,000 would make 2.6 MB (benchmarks/README.md, page sizes).
INDEX_EVENTS = 600
# The changes kept in feeds.json for changes.atom (the newest; a feed reader keeps older
# entries it has seen).
MAX_HISTORY = 200

# --- files read besides the data ---------------------------------------------

# The lock's record, the build record, the CalDAV journal (that of 100,000
# objects is about 40 MB).
MAX_SIDECAR_BYTES = 256_000_000
# A netrc file (a few lines a host).
MAX_NETRC_BYTES = 1_000_000
# A file given to ``wego-ical import`` (a 100,000-talk schedule.json is about 60 MB).
MAX_IMPORT_BYTES = 64_000_000
# A file given to ``wego-ical lint`` (a feed of 100,000 sessions is about 60 MB).
MAX_LINT_BYTES = 128_000_000
# The findings kept for one file: a damaged or hostile file can have one on
# every line (24 MB of "X:\r" had eight million); past this many, the rest are
# only counted.
MAX_FINDINGS = 1000
# No client nests components deeper than a few levels; a file that does is
# reported once and its deeper part only counted (memory stays bounded).
MAX_DEPTH = 100

# --- CalDAV and object storage servers ----------------------------------------

# Seconds one read or write on the connection may wait.
TIMEOUT = 60
# Seconds one whole request may take, answer included: a server that drips its
# answer one byte at a time never trips TIMEOUT.
DEADLINE = 300
# The largest answer read (a PROPFIND of 100,000 objects is about 30 MB).
MAX_ANSWER_BYTES = 128_000_000
# XML elements in one answer: about seven an object (parsed, each takes about 100
# bytes of memory: a large answer of empty elements would take gigabytes).
MAX_ANSWER_ELEMENTS = 2_000_000
# Seconds a whole publish may take (CalDAV or S3); publishing again continues
# where one that ran out of time stopped.
PUBLISH_DEADLINE = 3600

# --- object storage (S3) -----------------------------------------------------

# The largest answer read: a page of a listing holds at most 1,000 objects
# (about 400 KB); the owner record is a few bytes.
MAX_S3_ANSWER_BYTES = 16_000_000
# Objects listed under a prefix before the listing is taken for an endless one.
MAX_LISTED_OBJECTS = 2_000_000

# --- the preview server ------------------------------------------------------

# Longer request paths cannot name a file on any common file system.
MAX_SEGMENT_BYTES = 255
MAX_PATH_BYTES = 4096
# Seconds a connection may stay silent.
CONNECTION_TIMEOUT = 30.0
# Seconds a request's headers may take to arrive, once its first line has.
HEADER_DEADLINE = 10.0
# Connections served at once; when all are taken, the longest idle one is closed.
MAX_CONNECTIONS = 64
# Seconds a new connection may wait for a slot once an idle one was closed for it.
SLOT_WAIT = 0.5
# Seconds a rebuild interrupted as the preview stops has to clean up before it is killed.
STOP_GRACE = 10.0


def read_data_file(path: Path) -> bytes:
    """The bytes of the data file, one past MAX_FILE_BYTES at most: enough to tell that
    it is too large without reading all of it. A pipe or a device (/dev/zero)
    reports no size, so the bytes are counted, not the size trusted. Raises OSError.
    """
    with open(path, "rb") as file:
        return file.read(MAX_FILE_BYTES + 1)


def build_time(given: str | None, epoch: str | None) -> tuple[datetime, str | None]:
    """The time a build stamps on changed events: ``given`` (--now, ISO 8601 with an
    offset), else ``epoch`` (SOURCE_DATE_EPOCH), else the clock; and why it cannot be
    (None: it can)."""
    now = datetime.now(UTC).replace(microsecond=0)
    if given:
        try:
            moment = datetime.fromisoformat(given)
        except ValueError:
            return now, f"{given[:80]!r} is not an ISO 8601 date-time such as 2021-09-01T12:00:00Z"
        if moment.tzinfo is None:
            return now, f"{given[:80]!r} needs a UTC offset, for example a trailing Z"
        try:
            return _in_range(moment.astimezone(UTC), given)
        except OverflowError:
            return now, _outside(given)
    if epoch:
        try:
            return _in_range(datetime.fromtimestamp(int(epoch), UTC), f"SOURCE_DATE_EPOCH={epoch}")
        except ValueError:
            return now, f"SOURCE_DATE_EPOCH={epoch[:40]!r} is not a number of seconds"
        except (OverflowError, OSError):
            return now, _outside(f"SOURCE_DATE_EPOCH={epoch}")
    return now, None


def _in_range(moment: datetime, given: str) -> tuple[datetime, str | None]:
    return moment, None if 1970 <= moment.year <= LAST_YEAR else _outside(given)


def _outside(given: str) -> str:
    return f"{given[:80]!r}: a build time must lie between 1970 and {LAST_YEAR}"


def prune_grace_problem(hours: float) -> str | None:
    """Why ``hours`` cannot be --prune-grace (nan, inf and 1e300 are not), or None."""
    if math.isfinite(hours) and 0 <= hours <= MAX_PRUNE_GRACE_HOURS:
        return None
    return f"{hours} is not a number of hours from 0 to {MAX_PRUNE_GRACE_HOURS:,}"
