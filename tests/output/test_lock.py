"""lock: one build of an output folder at a time, even across processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import DATA
from wego_ical.output.lock import locked_output, shared_lock
from wego_ical.output.write import write_output
from wego_ical.pipeline import BuildOptions, build
from wego_ical.plan.state_file import parse_state

NOW = "2030-06-01T00:00:00Z"
EXTRA_EVENT = """
[[events]]
id = "extra"
title = "An extra event"
date = 2021-10-01
start = 10:00:00
end = 11:00:00
"""


def cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "wego_ical", *args, "--now", NOW],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in err, err
    return process.returncode, out + err


def assert_consistent(out: Path) -> dict[str, bool]:
    """Every file feeds.json lists exists; returns each event's UID and whether it was removed."""
    state = parse_state((out / "feeds.json").read_bytes(), "feeds.json")
    missing = [path for path in state.generated if not (out / path).is_file()]
    assert not missing, f"feeds.json lists missing files: {missing[:5]}"
    assert not [p for p in out.parent.iterdir() if "staging" in p.name]
    return {record.uid: record.removed for record in state.events}


def test_a_build_refuses_a_folder_another_process_is_building(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    with locked_output(out):
        code, output = finish(cli("build", "--data", str(DATA), "--out", str(out)))
    assert code == 1
    assert f"another wego-ical build is writing this folder (pid {os.getpid()})" in output
    assert "--wait" in output
    assert not out.exists()


def test_build_wait_waits_for_the_other_build(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    with locked_output(out):
        process = cli("build", "--data", str(DATA), "--out", str(out), "--wait")
        assert process.stderr is not None
        # It says it waits (a signal to wait on, not a guessed sleep), and waits.
        notice = process.stderr.readline()
        assert f"waiting for another wego-ical build (pid {os.getpid()}) to finish" in notice
        assert process.poll() is None
        assert not out.exists()
    code, output = finish(process)
    assert code == 0, output
    assert_consistent(out)


@pytest.mark.slow
def test_two_concurrent_builds_never_lose_files_or_events(tmp_path: Path) -> None:
    """Two real processes, two versions of the data, one output folder: run them at
    once, several times. The folder always ends consistent and no event vanishes."""
    first = tmp_path / "first.toml"
    second = tmp_path / "second.toml"
    shutil.copy(DATA, first)
    second.write_text(DATA.read_text(encoding="utf-8") + EXTRA_EVENT, encoding="utf-8")
    out = tmp_path / "dist"
    seen: set[str] = set()
    for _ in range(4):
        processes = [
            cli("build", "--data", str(data), "--out", str(out), "--wait")
            for data in (first, second)
        ]
        results = [finish(process) for process in processes]
        assert [code for code, _ in results] == [0, 0], results
        events = assert_consistent(out)
        seen |= set(events)
        # An event the last build does not have stays published as cancelled.
        assert set(events) == seen
    assert any(uid.startswith("wego-awards-4.extra@") for uid in seen)


def test_without_wait_the_loser_says_so_and_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    for _ in range(4):
        processes = [cli("build", "--data", str(DATA), "--out", str(out)) for _ in range(2)]
        results = [finish(process) for process in processes]
        for code, output in results:
            assert code == 0 or "another wego-ical build is writing this folder" in output
        assert 0 in [code for code, _ in results]
        assert_consistent(out)


def test_a_killed_build_releases_its_lock(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from wego_ical.output.lock import locked_output\n"
            "with locked_output(Path(sys.argv[1])):\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(60)\n",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    code, output = finish(cli("build", "--data", str(DATA), "--out", str(out)))
    assert code == 1 and f"(pid {holder.pid})" in output
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    code, output = finish(cli("build", "--data", str(DATA), "--out", str(out)))
    assert code == 0, output


def test_the_preview_waits_while_the_real_folder_is_being_built(tmp_path: Path) -> None:
    """The preview reads the real folder's state under a shared lock."""
    out = tmp_path / "dist"
    build(BuildOptions(DATA, out, datetime(2030, 1, 1, tzinfo=UTC)))
    preview = tmp_path / "preview"
    done = threading.Event()

    def rebuild() -> None:
        build(BuildOptions(DATA, preview, datetime(2030, 1, 1, tzinfo=UTC), state_dir=out))
        done.set()

    with locked_output(out):
        thread = threading.Thread(target=rebuild)
        thread.start()
        assert not done.wait(0.5)
    thread.join(timeout=30)
    assert done.is_set()
    assert (preview / "all.ics").is_file()


def test_readers_share_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write_output(out, {"all.ics": b"A"}, [])
    with shared_lock(out, wait=False), shared_lock(out, wait=False):
        pass


def test_the_lock_file_records_no_staging_after_a_build(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write_output(out, {"all.ics": b"A"}, [])
    record = json.loads((tmp_path / ".dist.wego-ical.lock").read_text())
    assert "staging" not in record


def test_a_symbolic_link_as_lock_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text("keep")
    (tmp_path / ".dist.wego-ical.lock").symlink_to(target)
    code, output = finish(cli("build", "--data", str(DATA), "--out", str(tmp_path / "dist")))
    assert code == 1
    assert "is a symbolic link; remove it (it is wego-ical's lock file)" in output
    assert target.read_text() == "keep"


def test_output_folder_in_an_impossible_place() -> None:
    code, output = finish(cli("build", "--data", str(DATA), "--out", "/proc/wego-ical-x"))
    assert code == 1
    assert output.startswith("Error: /proc/wego-ical-x: cannot use the output folder"), output


# --- a lock file written by someone else ------------------------------------


def _build_in(folder: Path) -> subprocess.CompletedProcess[str]:
    """`wego-ical build` run from ``folder``, with the default --out (dist)."""
    return subprocess.run(
        [sys.executable, "-m", "wego_ical", "build", "--data", str(DATA), "--now", NOW],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "work"
    (victim / "important").mkdir(parents=True)
    (victim / "important" / "keep.txt").write_text("mine")
    (victim / ".git").mkdir()
    (victim / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return victim


@pytest.mark.parametrize(
    "staging",
    [
        ".",
        "important",
        "./important",
        "dist/..",
        "../work/important",
        "{work}",
        "{work}/important",
        "{work}/dist/../important",
        "{work}/.dist.wego-ical-staging-../important",
        "{work}/.dist.wego-ical-staging-abcdefgh/..",
        "{work}/.dist.wego-ical-staging-link0000",
        ["not", "a", "path"],
        "{work}/important\u0000",
    ],
)
@pytest.mark.parametrize("where", ["beside", "inside"])
def test_a_forged_staging_record_never_removes_anything_outside(
    tmp_path: Path, staging: object, where: str
) -> None:
    """The issue's case: `echo '{"pid":1,"staging":"."}' > dist/.wego-ical.lock; wego-ical
    build` emptied the working directory. Run as the CLI, from inside the victim folder."""
    work = _victim(tmp_path)
    out = work / "dist"
    out.mkdir()
    # A link named like a staging folder, pointing at the precious folder.
    (work / ".dist.wego-ical-staging-link0000").symlink_to(work / "important")
    recorded = staging.format(work=work) if isinstance(staging, str) else staging
    lock = work / ".dist.wego-ical.lock" if where == "beside" else out / ".wego-ical.lock"
    lock.write_text(json.dumps({"pid": 1, "staging": recorded}))
    result = _build_in(work)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert (work / "important" / "keep.txt").read_text() == "mine"
    assert (work / ".git" / "HEAD").is_file()
    assert (out / "all.ics").is_file()
    assert "staging" not in json.loads(lock.read_text())
    if isinstance(recorded, str) and "\0" not in recorded and os.path.lexists(work / recorded):
        assert "is not a staging folder of this output folder; it was left alone" in result.stdout


def test_a_real_leftover_staging_folder_is_still_removed_from_a_relative_output(
    tmp_path: Path,
) -> None:
    """The build records its staging folder by its absolute path, so a build run from
    another folder finds and removes the same one."""
    work = _victim(tmp_path)
    leftover = work / ".dist.wego-ical-staging-k1ll3d00"
    leftover.mkdir()
    (work / ".dist.wego-ical.lock").write_text(json.dumps({"pid": 1, "staging": str(leftover)}))
    result = _build_in(work)
    assert result.returncode == 0, result.stderr
    assert not leftover.exists()
    assert "warning" not in result.stdout
