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

_HOMES = {
    "EVENTS_FOLDER": "wego_ical.catalogue",
    "MAIN_FEED": "wego_ical.catalogue",
    "event_file": "wego_ical.catalogue",
    "FeedPlan": "wego_ical.plan.feeds",
    "build_snapshot": "wego_ical.plan.feeds",
    "current_events": "wego_ical.plan.feeds",
    "plan_feeds": "wego_ical.plan.feeds",
}


def __getattr__(name: str) -> object:
    import importlib

    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EVENTS_FOLDER",
    "MAIN_FEED",
    "FeedPlan",
    "build_snapshot",
    "current_events",
    "event_file",
    "plan_feeds",
]
