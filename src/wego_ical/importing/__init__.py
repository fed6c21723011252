"""``wego-ical import``: series drafts (``drafts``), spreadsheets (``spreadsheets``; their
text and separator: ``sheet_text``; their cells' values: ``cells``), calendars
(``calendars``), and frab/pretalx schedules and the choice of reader (``readers``).

May import: the base modules, ``i18n``, ``model``, ``load``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

from wego_ical import reexported

if TYPE_CHECKING:
    from wego_ical.importing.drafts import (
        Draft,
        SeriesDefaults,
        draft_toml,
        framed,
        person_id,
        series_draft,
        slug,
        write_draft,
        zone_of,
    )
    from wego_ical.importing.spreadsheets import CSV_COLUMNS, CSV_EXAMPLE, csv_template, from_rows

_SPREADSHEETS = ["CSV_COLUMNS", "CSV_EXAMPLE", "csv_template", "from_rows"]
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
_from_drafts = reexported(__name__, "wego_ical.importing.drafts", __all__)
_from_spreadsheets = reexported(__name__, "wego_ical.importing.spreadsheets", _SPREADSHEETS)


def __getattr__(name: str) -> object:
    return _from_spreadsheets(name) if name in _SPREADSHEETS else _from_drafts(name)
