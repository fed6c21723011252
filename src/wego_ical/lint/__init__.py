"""``wego-ical lint`` and the build's self-check: the physical checks on a file's bytes
(``physical``) and the checks of its content lines and components (``checks``).

May import: the base modules only.
"""

# The names of the module this package replaced, as they were: imported when first
# used, so that importing one of the package's modules does not import them all.
from typing import TYPE_CHECKING

from wego_ical import reexported

if TYPE_CHECKING:
    from wego_ical.lint.checks import (
        MAX_DEPTH,
        MAX_FINDINGS,
        Finding,
        Findings,
        lint,
        lint_event,
    )

__all__ = [
    "MAX_DEPTH",
    "MAX_FINDINGS",
    "Finding",
    "Findings",
    "lint",
    "lint_event",
]

__getattr__ = reexported(__name__, "wego_ical.lint.checks", __all__)
