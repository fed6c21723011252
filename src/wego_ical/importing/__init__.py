"""``wego-ical import``: series drafts and spreadsheets (``drafts``), calendars
(``calendars``), and frab/pretalx schedules and the choice of reader (``readers``).

May import: the base modules, ``i18n``, ``model``, ``load``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

from wego_ical import reexported

if TYPE_CHECKING:
    from wego_ical.importing.drafts import (
        CSV_COLUMNS,
        CSV_EXAMPLE,
        Draft,
        SeriesDefaults,
        csv_template,
        draft_toml,
        framed,
        from_rows,
        person_id,
        series_draft,
        slug,
        write_draft,
        zone_of,
    )

__all__ = [
    "CSV_COLUMNS",
    "CSV_EXAMPLE",
    "Draft",
    "SeriesDefaults",
    "csv_template",
    "draft_toml",
    "framed",
    "from_rows",
    "person_id",
    "series_draft",
    "slug",
    "write_draft",
    "zone_of",
]

__getattr__ = reexported(__name__, "wego_ical.importing.drafts", __all__)
