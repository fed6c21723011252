"""Page stage: the landing page and a big series' other pages (``landing``), what every
page of an edition shares (``edition``), what they show of each event (``views``), of
each feed (``feed_views``) and in a big series' lists (``event_lists``), the days the
series runs on (``series_days``), what search engines read of them (``meta``), when a
page may be kept from the last build (``recipes``), the templates and static files.

May import: the base modules, ``i18n``, ``model``, ``plan``, ``render``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

from wego_ical import reexported

if TYPE_CHECKING:
    from wego_ical.catalogue import (
        INDEX_PAGE,
        QR_SCRIPT,
        SCHEDULE_FOLDER,
    )
    from wego_ical.page.edition import PageSite
    from wego_ical.page.feed_views import FeedView
    from wego_ical.page.landing import (
        Part,
        page_files,
        qr_script,
    )

__all__ = [
    "INDEX_PAGE",
    "QR_SCRIPT",
    "SCHEDULE_FOLDER",
    "FeedView",
    "PageSite",
    "Part",
    "page_files",
    "qr_script",
]

__getattr__ = reexported(__name__, "wego_ical.page.landing", __all__)
