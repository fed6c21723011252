"""``wego-ical import``: series drafts from spreadsheets and calendars (``drafts``) and
from frab/pretalx schedules (``readers``).

May import: the base modules, ``i18n``, ``model``, ``load``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wego_ical.importing.drafts import (
        CSV_COLUMNS,
        CSV_EXAMPLE,
        Draft,
        SeriesDefaults,
        csv_template,
        draft_toml,
        framed,
        from_ics,
        from_rows,
        person_id,
        series_draft,
        slug,
        write_draft,
        zone_of,
    )

_HOMES = {
    "CSV_COLUMNS": "wego_ical.importing.drafts",
    "CSV_EXAMPLE": "wego_ical.importing.drafts",
    "Draft": "wego_ical.importing.drafts",
    "SeriesDefaults": "wego_ical.importing.drafts",
    "csv_template": "wego_ical.importing.drafts",
    "draft_toml": "wego_ical.importing.drafts",
    "framed": "wego_ical.importing.drafts",
    "from_ics": "wego_ical.importing.drafts",
    "from_rows": "wego_ical.importing.drafts",
    "person_id": "wego_ical.importing.drafts",
    "series_draft": "wego_ical.importing.drafts",
    "slug": "wego_ical.importing.drafts",
    "write_draft": "wego_ical.importing.drafts",
    "zone_of": "wego_ical.importing.drafts",
}


def __getattr__(name: str) -> object:
    import importlib

    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CSV_COLUMNS",
    "CSV_EXAMPLE",
    "Draft",
    "SeriesDefaults",
    "csv_template",
    "draft_toml",
    "framed",
    "from_ics",
    "from_rows",
    "person_id",
    "series_draft",
    "slug",
    "write_draft",
    "zone_of",
]
