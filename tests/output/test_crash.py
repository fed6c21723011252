"""Crash safety: a build killed at any moment leaves the output folder entirely
old or entirely new, and the next build finishes the job."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA

pytestmark = pytest.mark.slow

# Runs the CLI with every file operation of output/write.py announced on stdout and
# followed by a pause, so that the test can kill the process exactly there.
CHILD = r"""
import sys, time
import wego_ical.output.folder as folder
import wego_ical.output.produce as produce
import wego_ical.output.write as write

def announce(name, function):
    def wrapper(*args, **kwargs):
        print(name, flush=True)
        time.sleep(0.003)
        result = function(*args, **kwargs)
        print(name + " done", flush=True)
        time.sleep(0.003)
        return result
    return wrapper

produce.write_file = announce("write", produce.write_file)
write.link = announce("link", write.link)
produce.link_into = announce("link", produce.link_into)
write.exchange = announce("exchange", write.exchange)
write.fsync_folder = announce("fsync", write.fsync_folder)
folder.fsync_folder = write.fsync_folder
from wego_ical.cli import main
main(sys.argv[1:])
"""

NOW = "2030-06-01T00:00:00Z"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def run_build(data: Path, out: Path, *, kill_after: int | None = None) -> int:
    """Run a build; kill it right after its ``kill_after``-th file operation.

    Returns the number of operations announced.
    """
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            "build",
            "--data",
            str(data),
            "--out",
            str(out),
            "--now",
            NOW,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    operations = 0
    for line in process.stdout:
        if line.split(" ")[0].strip() in ("write", "link", "exchange", "fsync"):
            operations += 1
            if operations == kill_after:
                process.send_signal(signal.SIGKILL)
                break
    process.wait(timeout=30)
    return operations


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes], dict[str, bytes]]:
    """A built site, an edited data file, and the snapshots before and after the edit."""
    data = tmp_path / "events.toml"
    out = tmp_path / "dist"
    shutil.copy(DATA, data)
    assert run_build(data, out) > 0
    (out / "CNAME").write_text("calendar.example.org\n")
    old = snapshot(out)
    text = data.read_text(encoding="utf-8")
    data.write_text(
        text.replace("start = 15:00:00", "start = 14:00:00").replace(
            'title = "Green Connectivity"', 'title = "Green Connectivity!"'
        ),
        encoding="utf-8",
    )
    reference = tmp_path / "reference"
    shutil.copytree(out, reference)
    run_build(data, reference)
    new = snapshot(reference)
    assert new != old
    return data, out, old, new


def test_killed_build_leaves_old_or_new_never_a_mix(
    site: tuple[Path, Path, dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    data, out, old, new = site
    pristine = tmp_path / "pristine"
    shutil.copytree(out, pristine)
    # A full build onto the old site: this many file operations can be interrupted.
    probe = tmp_path / "probe"
    shutil.copytree(pristine, probe)
    total = run_build(data, probe)
    assert total > 20
    # Kill points spread over the whole build, and every one around the exchange.
    points = sorted({*range(1, total, max(1, total // 8)), *range(total - 5, total + 1)})
    outcomes = set()
    for kill_after in points:
        shutil.rmtree(out)
        shutil.copytree(pristine, out)
        run_build(data, out, kill_after=kill_after)
        state = snapshot(out)
        assert state in (old, new), f"mixed output after killing at operation {kill_after}"
        outcomes.add("new" if state == new else "old")
    assert outcomes == {"old", "new"}
    # The next build completes the job and leaves no staging folder behind.
    run_build(data, out)
    assert snapshot(out) == new
    assert not [p for p in out.parent.iterdir() if "staging" in p.name]
