"""The JSON Schema of the data file, for editors: with a ``#:schema`` line at the top
of the file, Taplo and "Even Better TOML" complete keys and flag mistakes while the
organiser types.

Made from the models (pydantic), then adapted to what a TOML file can hold: no
null values, zones from tzdata's list, times with their seconds (TOML 1.0), the old key
names marked deprecated. It
checks shapes, not everything ``wego-ical check`` does (references, schedules).
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_FILE = "events.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# Where each table of renamed.RENAMED is defined in the schema.
_TABLE_DEFINITIONS = {("events", "*"): "Event", ("labels",): "Labels"}


def data_file_schema() -> dict[str, Any]:
    """The JSON Schema of an event-series TOML file."""
    from wego_ical.load.renamed_keys import RENAMED
    from wego_ical.model import Series, zone_names

    schema: dict[str, Any] = Series.model_json_schema(mode="validation")
    schema = _local_times(_without_nulls(schema))
    definitions = schema["$defs"]
    zones = sorted(zone_names())
    for definition in definitions.values():
        for key, value in definition.get("properties", {}).items():
            if key == "timezone":
                # Inside anyOf: an editor's message for an unknown zone is one line, not
                # the ~600 names of the list (which still completes what is typed).
                value.clear()
                value["anyOf"] = [{"type": "string", "enum": zones}]
                value["description"] = (
                    "An IANA time zone name, such as Europe/Berlin or Asia/Seoul "
                    "(wego-ical check names the closest to a misspelt one)."
                )
    for parent, old, new in RENAMED:  # the old names still work: offered, deprecated
        properties = definitions[_TABLE_DEFINITIONS[parent]]["properties"]
        properties[old] = {
            **properties[new],
            "deprecated": True,
            "description": f"The old name of '{new}'; rename it.",
        }
    return {
        "$schema": DRAFT,
        "title": "wego-ical event series",
        "description": "An event series that wego-ical compiles into iCalendar feeds "
        "(docs/format.md).",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }


def schema_text() -> str:
    """The schema as the JSON text written to ``events.schema.json``."""
    return json.dumps(data_file_schema(), indent=2, ensure_ascii=False) + "\n"


# A TOML 1.0 local time (09:00:00, 09:00:00.5) as an editor shows it to the schema. Its
# seconds are required, as TOML 1.0 requires them: a quoted "09:00" (a string, which
# check refuses) fails here too. A quoted "09:00:00" cannot be told from a time here:
# editors give the schema both as strings.
LOCAL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?$"


def _local_times(node: Any) -> Any:
    """The schema with its times as patterns of local times: JSON Schema's ``time``
    format is RFC 3339's, which needs an offset (``09:00:00Z``), so a validator that
    checks formats would flag every time of a valid file."""
    if isinstance(node, list):
        return [_local_times(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _local_times(value) for key, value in node.items()}
    if result.get("format") == "time":
        del result["format"]
        result["pattern"] = LOCAL_TIME
        result.setdefault("description", "A local time in the event's zone, such as 09:00:00.")
    return result


def _without_nulls(node: Any) -> Any:
    """The schema without ``null`` alternatives (TOML has no null) and the defaults
    of ``None`` that go with them."""
    if isinstance(node, list):
        return [_without_nulls(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _without_nulls(value) for key, value in node.items()}
    options = result.get("anyOf")
    if isinstance(options, list):
        kept = [option for option in options if option != {"type": "null"}]
        if len(kept) == 1:
            del result["anyOf"]
            result = {**kept[0], **result}
        else:
            result["anyOf"] = kept
    if result.get("default", ...) is None:
        del result["default"]
    return result
