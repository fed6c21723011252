"""``wego-ical serve``: the preview server and its rebuilds (``preview``) and its HTTP
side (``http``).

May import: every stage, ``publish`` (the headers) and ``pipeline``.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wego_ical.serve.preview import (
        Preview,
        open_preview,
        run_preview,
        watch,
    )

_HOMES = {
    "Preview": "wego_ical.serve.preview",
    "open_preview": "wego_ical.serve.preview",
    "run_preview": "wego_ical.serve.preview",
    "watch": "wego_ical.serve.preview",
}


def __getattr__(name: str) -> object:
    import importlib

    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Preview",
    "open_preview",
    "run_preview",
    "watch",
]
