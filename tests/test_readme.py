"""The README's example file and quick start stay true."""

from __future__ import annotations

import re

from conftest import ROOT, render_files
from wego_ical.load import parse_series

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_toml_examples_are_valid_and_build() -> None:
    """The complete example, then the schedule fragment added to it."""
    example, fragment = re.findall(r"```toml\n(.*?)```", README, flags=re.DOTALL)
    series = parse_series(example, "README.md")
    files = render_files(series)
    assert {"all.ics", "day-1.ics", "ceremony.ics", "categories/mobility.ics"} <= set(files)
    files = render_files(parse_series(example + fragment, "README.md"))
    assert {"london.ics", "new-york.ics"} <= set(files)
    assert b"DTSTART;VALUE=DATE:20260324" in files["london.ics"]


def test_quick_start_is_two_commands() -> None:
    block = README.split("<!-- quickstart:begin -->")[1].split("<!-- quickstart:end -->")[0]
    commands = [line for line in block.splitlines() if line and not line.startswith("```")]
    assert len(commands) == 2
    assert "wego-ical build" in commands[0]
    assert "pytest" in commands[1]
