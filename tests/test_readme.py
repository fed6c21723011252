"""The README's and the format reference's example files, and the quick start, stay
true; every link between the documents resolves; the vendored script is the one the
architecture page describes."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib

from conftest import ROOT, render_files
from wego_ical.load.series_file import parse_series

README = (ROOT / "README.md").read_text(encoding="utf-8")
FORMAT = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
DOCUMENTS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_readme_toml_examples_are_valid_and_build() -> None:
    """The complete example, then the schedule fragment added to it."""
    example, fragment, *_ = re.findall(r"```toml\n(.*?)```", FORMAT, flags=re.DOTALL)
    series = parse_series(example, "README.md")
    files = render_files(series)
    assert {"all.ics", "day-1.ics", "ceremony.ics", "categories/mobility.ics"} <= set(files)
    files = render_files(parse_series(example + fragment, "README.md"))
    assert {"london.ics", "new-york.ics"} <= set(files)
    assert b"DTSTART;VALUE=DATE:20260324" in files["london.ics"]


def test_the_format_references_fragments_use_only_keys_the_format_has() -> None:
    """Rooms, feeds per room and person, an own uid, repeats: each fragment is TOML whose keys
    the schema knows (examples/parallel-rooms.toml builds them all: see test_rooms)."""
    schema = json.loads((ROOT / "schema" / "events.schema.json").read_text(encoding="utf-8"))
    known = {key for item in schema["$defs"].values() for key in item.get("properties", {})}
    known |= set(schema["properties"])
    _, _, *fragments = re.findall(r"```toml\n(.*?)```", FORMAT, flags=re.DOTALL)
    assert len(fragments) == 4
    for fragment in fragments:
        data = tomllib.loads(fragment)
        assert _keys(data) <= known, fragment


def _keys(data: object) -> set[str]:
    if isinstance(data, dict):
        return {k for k, v in data.items() if k not in ("en", "ko")} | {
            key for value in data.values() for key in _keys(value)
        }
    if isinstance(data, list):
        return {key for item in data for key in _keys(item)}
    return set()


def test_the_readme_example_builds_what_it_says() -> None:
    (example,) = re.findall(r"```toml\n(.*?)```", README, flags=re.DOTALL)
    files = render_files(parse_series(example, "README.md"))
    assert {"all.ics", "day-1.ics", "events/city-forum-2025.day-1.opening.ics"} <= set(files)


def test_the_readme_is_a_front_door_not_a_manual() -> None:
    assert len(README.splitlines()) <= 160


def test_every_link_between_the_documents_resolves() -> None:
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (document.parent / target).exists(), f"{document.name}: {target}"


def test_the_vendored_qr_script_is_the_one_described() -> None:
    digest = hashlib.sha256((ROOT / "src/wego_ical/page/static/qrcode.js").read_bytes()).hexdigest()
    assert digest in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_quick_start_is_two_commands() -> None:
    block = README.split("<!-- quickstart:begin -->")[1].split("<!-- quickstart:end -->")[0]
    commands = [line for line in block.splitlines() if line and not line.startswith("```")]
    assert len(commands) == 2
    assert "wego-ical build" in commands[0]
    assert "pytest" in commands[1]


def test_the_command_synopsis_is_the_cli_s_own() -> None:
    """README.md and docs/commands.md show what --help says: python docs/synopsis.py
    rewrites them."""
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from synopsis import DOCUMENTS, with_synopsis
    finally:
        sys.path.pop(0)
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        assert with_synopsis(text) == text, f"{path.name}: run python docs/synopsis.py"
