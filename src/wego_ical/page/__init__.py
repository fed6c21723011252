"""Page stage: the landing page (``landing``), what it shows of each event (``views``),
what search engines read of it (``meta``), its templates and static files.

May import: the base modules, ``i18n``, ``model``, ``plan``, ``render``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wego_ical.catalogue import (
        INDEX_PAGE,
        QR_SCRIPT,
        SCHEDULE_FOLDER,
    )
    from wego_ical.page.landing import (
        FeedView,
        PageSite,
        Part,
        page_files,
        qr_script,
        text_direction,
    )

_HOMES = {
    "INDEX_PAGE": "wego_ical.catalogue",
    "QR_SCRIPT": "wego_ical.catalogue",
    "SCHEDULE_FOLDER": "wego_ical.catalogue",
    "FeedView": "wego_ical.page.landing",
    "PageSite": "wego_ical.page.landing",
    "Part": "wego_ical.page.landing",
    "page_files": "wego_ical.page.landing",
    "qr_script": "wego_ical.page.landing",
    "text_direction": "wego_ical.page.landing",
}


def __getattr__(name: str) -> object:
    import importlib

    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "INDEX_PAGE",
    "QR_SCRIPT",
    "SCHEDULE_FOLDER",
    "FeedView",
    "PageSite",
    "Part",
    "page_files",
    "qr_script",
    "text_direction",
]
