"""wego-ical: compile a TOML description of an event series into iCalendar feeds."""

# The single source of the version (pyproject.toml reads it from here);
# a constant, because asking importlib.metadata costs tens of milliseconds
# on every start of the command.
__version__ = "0.1.0"

__all__ = ["__version__"]
