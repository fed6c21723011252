"""fresh_process: work in a process forked from multiprocessing's server."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from conftest import has_ended, wait_for
from wego_ical.errors import WorkerError
from wego_ical.render.workers import ChunkedWork, WorkerSettings


def squares(items: Sequence[int]) -> tuple[list[int], int]:
    return [item * item for item in items], os.getpid()


def pids(_: object) -> tuple[int, int]:
    return os.getpid(), os.getppid()


def bad_data(path: str) -> None:
    from wego_ical.errors import DataError, Problem

    raise DataError(path, [Problem("unknown key 'strat' (did you mean 'start'?)", "events[0]", 3)])


class Stubborn(Exception):
    def __init__(self, code: int, text: str) -> None:  # cannot be rebuilt from its args
        super().__init__(f"{text} ({code})")


def stubborn(_: object) -> None:
    raise Stubborn(28, "disk full")


def dies(_: object) -> None:
    os._exit(9)


def squares_in_workers(count: int) -> list[int]:
    work = ChunkedWork(list(range(count)), squares, WorkerSettings(processes=2, min_chunk=1))
    return [value for values, _ in work.results() for value in values]


def test_in_fresh_process_runs_the_work_in_a_process_of_its_own() -> None:
    from wego_ical.render.fresh_process import in_fresh_process

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)  # what makes forking here unsafe
    thread.start()
    try:
        child, parent = in_fresh_process(pids, None)
        # Not forked from this process (its threads' locks stay here): from the server.
        assert os.getpid() not in {child, parent}
        # It may fork workers of its own.
        assert in_fresh_process(squares_in_workers, 5) == [0, 1, 4, 9, 16]
    finally:
        stop.set()
        thread.join()


def test_in_fresh_process_hands_back_errors_whole_or_as_their_message() -> None:
    from wego_ical.errors import DataError, Problem
    from wego_ical.render.fresh_process import in_fresh_process

    with pytest.raises(DataError) as caught:
        in_fresh_process(bad_data, "events.toml")
    assert caught.value.problems == [
        Problem("unknown key 'strat' (did you mean 'start'?)", "events[0]", 3)
    ]
    assert str(caught.value).startswith("events.toml: 1 problem found; nothing was written.")
    with pytest.raises(WorkerError, match=r"^disk full \(28\)$"):
        in_fresh_process(stubborn, None)
    with pytest.raises(WorkerError, match="stopped unexpectedly"):
        in_fresh_process(dies, None)


def starts_a_child_and_waits(pid_file: str, deaf: bool = False) -> None:
    """Like a build: start a process (a worker), then work a long time."""
    if deaf:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    child = subprocess.Popen(["sleep", "60"])
    Path(pid_file + ".part").write_text(f"{os.getpid()} {os.getpgid(0)} {child.pid}")
    os.replace(pid_file + ".part", pid_file)
    time.sleep(60)


@pytest.mark.parametrize("deaf", [False, True], ids=["interrupted", "ended at once"])
def test_a_fresh_process_and_all_it_started_are_stopped_with_one_call(
    tmp_path: Path, deaf: bool
) -> None:
    from wego_ical.render.fresh_process import end_now, in_fresh_process, interrupt

    pid_file = str(tmp_path / "pids")
    started: list[Any] = []
    errors: list[str] = []

    def run() -> None:
        try:
            in_fresh_process(
                functools.partial(starts_a_child_and_waits, deaf=deaf),
                pid_file,
                on_start=started.append,
            )
        except WorkerError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for(lambda: os.path.exists(pid_file), timeout=20)
        pid, group, child = map(int, Path(pid_file).read_text().split())
        # A group of its own: Ctrl+C at the terminal reaches the caller only, which
        # passes it on (as wego-ical serve does).
        assert group == pid != os.getpgid(0)
        assert [process.pid for process in started] == [pid]
        (end_now if deaf else interrupt)(started[0])
        thread.join(20)
        assert not thread.is_alive()
        assert len(errors) == 1 and "stopped unexpectedly" in errors[0]
        wait_for(lambda: has_ended(child), timeout=20)
        # Once it has ended, its number is never signalled again (it may be reused).
        end_now(started[0])
    finally:
        if thread.is_alive() and started:
            end_now(started[0])
        thread.join()
