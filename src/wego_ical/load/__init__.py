"""Load stage: a TOML data file in, a validated :class:`~wego_ical.model.Series` out, with
every problem at once worded for the organiser (``messages``), renamed keys
(``renamed_keys``), the output budget (``budget``) and the editor schema
(``editor_schema``).

May import: the base modules, ``i18n``, ``model``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

from wego_ical import reexported

if TYPE_CHECKING:
    from wego_ical.load.series_file import (
        Edition,
        Loc,
        load_editions,
        load_series,
        parse_editions,
        parse_series,
        read_text,
    )

__all__ = [
    "Edition",
    "Loc",
    "load_editions",
    "load_series",
    "parse_editions",
    "parse_series",
    "read_text",
]

__getattr__ = reexported(__name__, "wego_ical.load.series_file", __all__)
