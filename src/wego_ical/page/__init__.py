"""Page stage: the landing page (``landing``), what it shows of each event (``views``)
and of each feed (``feed_views``), what search engines read of it (``meta``), its
templates and static files.

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
    from wego_ical.page.feed_views import FeedView
    from wego_ical.page.landing import (
        PageSite,
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
