"""Render stage: the bytes of every generated file but the page: iCalendar events and
envelopes (``calendar``), VTIMEZONEs (``vtimezone``), the frab schedule (``schedule``),
the Atom change feed (``atom``), add-to-calendar links (``calendar_links``), and the
worker processes that render large series (``workers``, ``orphans``).

May import: the base modules, ``i18n``, ``model``, ``lint``, ``plan``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wego_ical.render.calendar import (
        PRODID,
        RENDERER,
        RENDERER_VERSION,
        FeedHeader,
        build_envelope,
        build_vevent,
        check_output,
        is_vevent,
        render_all,
        render_checked,
        single_event_envelope,
        splice,
        splice_pieces,
        vevent_of,
        vevents_in,
        vtimezone_bytes,
    )

_HOMES = {
    "PRODID": "wego_ical.render.calendar",
    "RENDERER": "wego_ical.render.calendar",
    "RENDERER_VERSION": "wego_ical.render.calendar",
    "FeedHeader": "wego_ical.render.calendar",
    "build_envelope": "wego_ical.render.calendar",
    "build_vevent": "wego_ical.render.calendar",
    "check_output": "wego_ical.render.calendar",
    "is_vevent": "wego_ical.render.calendar",
    "render_all": "wego_ical.render.calendar",
    "render_checked": "wego_ical.render.calendar",
    "single_event_envelope": "wego_ical.render.calendar",
    "splice": "wego_ical.render.calendar",
    "splice_pieces": "wego_ical.render.calendar",
    "vevent_of": "wego_ical.render.calendar",
    "vevents_in": "wego_ical.render.calendar",
    "vtimezone_bytes": "wego_ical.render.calendar",
}


def __getattr__(name: str) -> object:
    import importlib

    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PRODID",
    "RENDERER",
    "RENDERER_VERSION",
    "FeedHeader",
    "build_envelope",
    "build_vevent",
    "check_output",
    "is_vevent",
    "render_all",
    "render_checked",
    "single_event_envelope",
    "splice",
    "splice_pieces",
    "vevent_of",
    "vevents_in",
    "vtimezone_bytes",
]
