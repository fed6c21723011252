"""Reading ``feeds.json``: a bounded plain file, never through a link, and a damaged
one refused with a message (it records what subscribers were sent, so it is never
silently discarded). :meth:`~wego_ical.plan.records.State.json_chunks` writes it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from wego_ical.catalogue import STATE_FILE
from wego_ical.errors import StateError
from wego_ical.files import ReadRefused, read_bounded
from wego_ical.limits import MAX_OUTPUT_FILE_BYTES
from wego_ical.plan.records import STATE_ADAPTER, State


def read_state(folder: Path) -> State | None:
    """The publication state stored in ``folder`` (None when there is none).

    Raises :class:`StateError` when ``feeds.json`` exists but cannot be read,
    is not JSON or is not a publication state: it records what subscribers
    were sent, so it is never silently discarded.
    """
    path = folder / STATE_FILE
    try:
        data = read_bounded(path, MAX_OUTPUT_FILE_BYTES, follow_links=False)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except ReadRefused as exc:
        raise StateError(f"{path}: {exc.reason}; {_RESTORE}.") from None
    except OSError as exc:
        raise StateError(f"{path}: cannot be read ({exc.strerror}); {_RESTORE}.") from None
    return parse_state(data, str(path))


_RESTORE = (
    "it records what subscribers were sent: restore it from version control "
    "(deleting it makes every event look new to subscribers)"
)


def parse_state(data: bytes | str, where: str) -> State:
    """A publication state from the text of a ``feeds.json``; ``where`` names it in messages."""
    try:
        return STATE_ADAPTER.validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        if first["type"] == "json_invalid":
            reason = f"is not valid JSON ({first['msg'].removeprefix('Invalid JSON: ')})"
        elif not path:
            reason = "is not a publication state (it must be a JSON object)"
        else:
            reason = f"the publication state is damaged ({path}: {first['msg']})"
        raise StateError(f"{where}: {reason}; {_RESTORE}.") from None
