"""wego-ical: compile a TOML description of an event series into iCalendar feeds."""

from __future__ import annotations

from collections.abc import Callable, Collection

# The single source of the version (pyproject.toml reads it from here);
# a constant, because asking importlib.metadata costs tens of milliseconds
# on every start of the command.
__version__ = "0.1.0"

__all__ = ["__version__", "reexported"]


def reexported(package: str, module: str, names: Collection[str]) -> Callable[[str], object]:
    """The module ``__getattr__`` of a package that replaced ``module``: its ``names`` are
    imported from it when one is first used, so that importing another of the package's
    modules does not import that one too."""

    def __getattr__(name: str) -> object:
        if name in names:
            import importlib

            return getattr(importlib.import_module(module), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
