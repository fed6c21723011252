"""wego-ical: compile a TOML description of an event series into iCalendar feeds."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wego-ical")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
