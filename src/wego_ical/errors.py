"""The one exception family the user sees: everything here is theirs to fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wego_ical.words import plural


class WegoIcalError(Exception):
    """Base of every user-facing error; the CLI prints it and exits with status 1."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is and what to do about it.

    ``key`` is the TOML path (``events[1].sessions[0].start``); ``line`` and
    ``column`` are 1-based positions when they are known.
    """

    message: str
    key: str = ""
    line: int | None = None
    column: int | None = None

    def location(self) -> str:
        """``line:column`` (or ``line``) followed by the TOML path, as far as known."""
        parts = []
        if self.line is not None:
            parts.append(f"{self.line}:{self.column}" if self.column else f"{self.line}")
        if self.key:
            parts.append(self.key)
        return ": ".join(parts)


# A file can have tens of thousands of problems (one mistake copied into
# every session); the first ones say what to fix, the count how many.
PROBLEMS_SHOWN = 100


class DataError(WegoIcalError):
    """The event-series file cannot be used; carries every problem found in it."""

    def __init__(
        self, path: Path | str, problems: Sequence[Problem], outcome: str = "nothing was written"
    ) -> None:
        self.path = str(path)
        self.problems = list(problems)
        self.outcome = outcome
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[DataError], tuple[str, list[Problem], str]]:
        # Pickled with what __init__ takes, so that it arrives whole from the
        # process serve builds in.
        return (DataError, (self.path, self.problems, self.outcome))

    def __str__(self) -> str:
        head = f"{self.path}: {plural(len(self.problems), 'problem')} found; {self.outcome}."
        lines = [head]
        for problem in self.problems[:PROBLEMS_SHOWN]:
            where = problem.location()
            if problem.line is not None:  # file:line:column: key: message
                lines.append(f"  {self.path}:{where}: {problem.message}")
            elif where:
                lines.append(f"  {self.path}: {where}: {problem.message}")
            else:
                lines.append(f"  {self.path}: {problem.message}")
        if len(self.problems) > PROBLEMS_SHOWN:
            lines.append(
                f"  … and {len(self.problems) - PROBLEMS_SHOWN:,} more problems not shown; "
                "they are often repeats of the ones above: fix those, then check again"
            )
        return "\n".join(lines)


class OutputError(WegoIcalError):
    """The output folder cannot be written; the previous output is left as it was."""


class StateError(WegoIcalError):
    """``feeds.json`` exists but cannot be trusted (unreadable, not JSON, or damaged)."""


class SelfCheckError(WegoIcalError):
    """A generated file failed the lint checks (a bug in wego-ical, not in the data)."""


class WorkerError(WegoIcalError):
    """A worker process died while it was working (out of memory, killed)."""

    @classmethod
    def stopped(cls, process: str) -> WorkerError:
        """The one message for ``process`` (which says what it did) ending in its work."""
        return cls(
            f"{process} stopped unexpectedly (out of memory, or killed), so nothing was "
            "written; run the build again"
        )


class UnreadableFileError(WegoIcalError):
    """A file given to check cannot be read as one: missing, a device, a pipe, too large."""


class HostingError(WegoIcalError):
    """A web server configuration cannot be made from these values."""


class PublishError(WegoIcalError):
    """Publishing to a calendar server failed or was refused (what was done is recorded)."""


class ImportSourceError(WegoIcalError):
    """A file given to ``wego-ical import`` cannot be read as the format it should be."""
