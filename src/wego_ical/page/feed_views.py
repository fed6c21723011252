"""The feeds as the page shows them: each feed's row (its links and QR code), its
anchor, and the list it belongs in (events, categories, rooms, people)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from markupsafe import Markup

from wego_ical.catalogue import MAIN_FEED, feed_kind
from wego_ical.plan.records import FeedRecord


@dataclass(frozen=True)
class FeedView:
    """One feed as the page shows it.

    Without a ``base_url`` the subscribe links are None: the page's script
    derives them from the page's own address (``path`` is relative to it).
    """

    anchor: str
    name: str  # the feed's full name, for accessible names
    short: str  # the name without the series title, shown on the page
    events: int  # what it holds: sessions and whole events (an event without sessions)
    path: str
    href: str  # download link, relative to the page unless published
    address: str  # what the copy control copies
    webcal: str | None
    google: str | None
    outlook: str | None
    office365: str | None
    qr_svg: Markup | None  # drawn at build time when the address is known
    # What its QR code holds: the landing page at this feed, where a phone is offered
    # the Subscribe button for its platform (None: the script knows the page's address).
    qr_address: str | None
    sessions: int = 0  # of its events, those that are sessions

    @functools.cached_property
    def group(self) -> str:
        """Which list of the page it is in: main, event, category, room or person (worked
        out once: every page sorts the feeds it shows into the lists)."""
        return feed_kind(self.path)


def feed_anchor(path: str) -> str:
    """The id of a feed's row on the index page."""
    return "feed-" + path.removesuffix(".ics").replace("/", "-")


def feed_view(
    feed: FeedRecord,
    series_title: str,
    words: dict[str, str],
    prefix: str,
    page_url: str | None,
    sessions: int = 0,
) -> FeedView:
    anchor = feed_anchor(feed.path)
    qr_address = f"{page_url}#{anchor}" if page_url else None
    return FeedView(
        anchor=anchor,
        name=feed.name,
        short=feed.name.removeprefix(f"{series_title} — "),
        events=feed.events,
        sessions=min(sessions, feed.events),
        path=feed.path,
        href=feed.url or prefix + feed.path,
        address=feed.url or prefix + feed.path,
        webcal=feed.webcal,
        google=feed.google,
        outlook=feed.outlook,
        office365=feed.office365,
        # Drawn here for the main feed, the one shown on screens (and without JavaScript);
        # the page draws the others when they are opened (segno takes ~7 ms a code, and
        # a large series has hundreds of feeds).
        qr_svg=(
            _qr_svg(qr_address, words["qr_named"].format(feed=feed.name))
            if qr_address and feed.path == MAIN_FEED
            else None
        ),
        qr_address=qr_address,
    )


def _qr_svg(address: str, title: str) -> Markup:
    """The QR code of ``address`` as inline SVG (segno; dark modules on a light
    quiet zone, as scanners need, whatever the page's colour scheme)."""
    import segno

    code = segno.make(address, error="m", micro=False)
    svg = code.svg_inline(
        scale=4, border=4, title=title, dark="#000", light="#fff", svgclass="qr-code"
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))
