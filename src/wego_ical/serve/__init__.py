"""``wego-ical serve``: the preview server and its rebuilds (``preview``) and its HTTP
side (``http``).

May import: every stage, ``publish`` (the headers) and ``pipeline``.
"""

# The names of the module this package replaced, as they were.
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
