"""``wego-ical lint`` and the build's self-check: the physical checks on a file's bytes
(``physical``) and the checks of its content lines and components (``checks``).

May import: the base modules only.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wego_ical.lint.checks import (
        MAX_DEPTH,
        MAX_FINDINGS,
        Finding,
        Findings,
        lint,
        lint_event,
    )

_HOMES = {
    "MAX_DEPTH": "wego_ical.lint.checks",
    "MAX_FINDINGS": "wego_ical.lint.checks",
    "Finding": "wego_ical.lint.checks",
    "Findings": "wego_ical.lint.checks",
    "lint": "wego_ical.lint.checks",
    "lint_event": "wego_ical.lint.checks",
}


def __getattr__(name: str) -> object:
    import importlib

    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MAX_DEPTH",
    "MAX_FINDINGS",
    "Finding",
    "Findings",
    "lint",
    "lint_event",
]
