"""``wego-ical serve``: the preview server and its rebuilds (``preview``) and its HTTP
side (``http``).

May import: every stage, ``publish`` (the headers) and ``pipeline``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

from wego_ical import reexported

if TYPE_CHECKING:
    from wego_ical.serve.preview import (
        Preview,
        open_preview,
        run_preview,
        watch,
    )

__all__ = [
    "Preview",
    "open_preview",
    "run_preview",
    "watch",
]

__getattr__ = reexported(__name__, "wego_ical.serve.preview", __all__)
