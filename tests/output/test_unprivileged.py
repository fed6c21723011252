"""As an ordinary user whose output folder's parent is not writable: the build falls
back to moving files in one by one, says so, and never writes or deletes through
a symbolic link. (As root every folder is writable, so these run the CLI as the
user ``nobody`` through ``setpriv``.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DATA

NOBODY = 65534


def _runnable_as_nobody() -> str:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root, to switch to the user nobody"
    if shutil.which("setpriv") is None:
        return "needs setpriv (util-linux) to switch users"
    probe = subprocess.run(
        [*_as_nobody(), sys.executable, "-c", "import wego_ical"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return f"the user nobody cannot import wego_ical here: {probe.stderr.strip()[-200:]}"
    return ""


def _as_nobody() -> list[str]:
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


REASON = _runnable_as_nobody()
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON)


@pytest.fixture
def site() -> Iterator[Path]:
    """A root-owned folder (not writable by nobody) holding nobody's output folder."""
    base = Path(tempfile.mkdtemp(prefix="wego-ical-nobody-"))
    os.chmod(base, 0o755)
    try:
        shutil.copy(DATA, base / "events.toml")
        os.chmod(base / "events.toml", 0o644)
        (base / "dist").mkdir()
        os.chown(base / "dist", NOBODY, NOBODY)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def build_as_nobody(site: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [
            *_as_nobody(),
            sys.executable,
            "-m",
            "wego_ical",
            "build",
            "--data",
            str(site / "events.toml"),
            "--out",
            str(site / "dist"),
            "--now",
            "2030-01-01T00:00:00Z",
        ],
        capture_output=True,
        text=True,
        cwd=site,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def owned_by_nobody(path: Path) -> Path:
    for item in [path, *path.rglob("*")]:
        os.lchown(item, NOBODY, NOBODY)
    return path


def test_the_fallback_is_announced_and_works(site: Path) -> None:
    result = build_as_nobody(site)
    assert result.returncode == 0, result.stderr
    assert "moved in one by one" in result.stdout
    assert (site / "dist" / "all.ics").is_file()
    assert (site / "dist" / ".wego-ical.lock").is_file()  # the parent is not writable
    assert not [p for p in (site / "dist").iterdir() if "staging" in p.name]


def test_a_tampered_manifest_cannot_delete_through_a_link(site: Path) -> None:
    assert build_as_nobody(site).returncode == 0
    elsewhere = site / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "data.toml").write_text("precious")
    owned_by_nobody(elsewhere)
    (site / "dist" / "link").symlink_to(elsewhere)
    manifest = site / "dist" / "feeds.json"
    state = json.loads(manifest.read_text())
    state["generated"].append("link/data.toml")
    manifest.write_text(json.dumps(state, indent=2))
    owned_by_nobody(site / "dist")
    result = build_as_nobody(site)
    assert result.returncode == 0, result.stderr
    assert "link/data.toml" not in result.stdout
    assert (elsewhere / "data.toml").read_text() == "precious"


def test_a_linked_feed_folder_is_refused_not_written_through(site: Path) -> None:
    assert build_as_nobody(site).returncode == 0
    elsewhere = site / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mobility.ics").write_text("not a feed")
    owned_by_nobody(elsewhere)
    shutil.rmtree(site / "dist" / "categories")
    (site / "dist" / "categories").symlink_to(elsewhere)
    os.lchown(site / "dist" / "categories", NOBODY, NOBODY)
    data = site / "events.toml"
    data.write_text(data.read_text().replace("Mobility", "Mobility!"))
    result = build_as_nobody(site)
    assert result.returncode == 1
    assert "dist/categories: is a symbolic link" in result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["mobility.ics"]
    assert (elsewhere / "mobility.ics").read_text() == "not a feed"


def test_permission_denied_names_the_folder_to_fix(site: Path) -> None:
    """'Permission denied' alone did not say which path to fix."""
    assert build_as_nobody(site).returncode == 0
    locked = site / "dist" / "categories"
    os.chown(locked, 0, 0)  # a folder inside the output that nobody cannot write
    os.chmod(locked, 0o755)
    data = site / "events.toml"
    data.write_text(data.read_text().replace("Mobility", "Mobility!"))
    result = build_as_nobody(site)
    assert result.returncode == 1
    assert "Permission denied: " in result.stderr
    assert str(locked / "mobility.ics") in result.stderr
