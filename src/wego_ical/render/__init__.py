"""Render stage: the bytes of every generated file but the page: iCalendar events and
envelopes (``calendar``), VTIMEZONEs (``vtimezone``), the frab schedule (``schedule``,
written as JSON by ``frab_json`` and as XML by ``frab_xml``, its talks encoded by
``talk_codec``), the Atom change feed (``atom``), add-to-calendar links
(``calendar_links``), and the processes that render large series (``workers``,
``orphans``, ``fork_server``, ``fresh_process``) and encode their talks
(``encoding_process``).

May import: the base modules, ``i18n``, ``model``, ``lint``, ``plan``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

from wego_ical import reexported

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
        vevent_of,
        vevents_in,
        vtimezone_bytes,
    )

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
    "vevent_of",
    "vevents_in",
    "vtimezone_bytes",
]

__getattr__ = reexported(__name__, "wego_ical.render.calendar", __all__)
