"""Plan stage: what a series publishes (``feeds``); what subscribers were already sent
(``records``: the document of ``feeds.json``; ``state_file``: reading it); a build
against it (``reconcile``: SEQUENCE, timestamps, cancelled copies, changes); the
history of published changes (``history``); whether the folder's series changed
(``identity``).

May import: the base modules, ``i18n``, ``model``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

from wego_ical import reexported

if TYPE_CHECKING:
    from wego_ical.catalogue import (
        EVENTS_FOLDER,
        MAIN_FEED,
        event_file,
    )
    from wego_ical.plan.feeds import (
        FeedPlan,
        build_snapshot,
        current_events,
        plan_feeds,
    )

__all__ = [
    "EVENTS_FOLDER",
    "MAIN_FEED",
    "FeedPlan",
    "build_snapshot",
    "current_events",
    "event_file",
    "plan_feeds",
]

__getattr__ = reexported(__name__, "wego_ical.plan.feeds", __all__)
