"""How each published file travels over HTTP: its Content-Type and its Cache-Control.

One home for the rule, used by the preview (``serve``), the nginx configuration
(``hosting``) and object storage (``s3_publish``), so that a feed looks the same to a
calendar app wherever it is hosted.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

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
