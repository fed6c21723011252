"""Shared fixtures: paths, the WeGO data, and a way to write TOML variants."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from wego_ical.load import load_series
from wego_ical.model import Series

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "events.toml"
DIST = ROOT / "dist"
GOLDEN = Path(__file__).resolve().parent / "golden" / "wego"


@pytest.fixture(scope="session")
def wego_text() -> str:
    """The text of data/events.toml."""
    return DATA.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def wego() -> Series:
    """The validated WeGO series."""
    return load_series(DATA)


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[[str], Path]:
    """Write TOML text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "events.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
