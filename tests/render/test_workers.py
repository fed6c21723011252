"""workers: chunked work, in this process or in forked worker processes."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import TESTS, ctrl_c_to_group, fork_server_pid, has_ended, wait_for
from wego_ical.errors import WorkerError
from wego_ical.render import fork_server
from wego_ical.render.workers import ChunkedWork, WorkerSettings


def squares(items: Sequence[int]) -> tuple[list[int], int]:
    return [item * item for item in items], os.getpid()


def test_in_this_process_chunk_by_chunk() -> None:
    work = ChunkedWork(list(range(10)), squares, WorkerSettings(processes=1, min_chunk=3))
    assert len(work) == 4
    assert work.take(work.chunk_of(7)) == ([36, 49, 64], os.getpid())
    work = ChunkedWork(list(range(10)), squares, WorkerSettings(processes=1, min_chunk=3))
    assert [value for values, _ in work.results() for value in values] == [n * n for n in range(10)]


def test_in_worker_processes_same_results() -> None:
    work = ChunkedWork(list(range(10)), squares, WorkerSettings(processes=2, min_chunk=1))
    results = work.results()
    assert [value for values, _ in results for value in values] == [n * n for n in range(10)]
    assert os.getpid() not in {pid for _, pid in results}


def die(items: Sequence[int]) -> None:
    os._exit(9)


def test_a_worker_that_dies_is_a_clear_error() -> None:
    # The death can be noticed while the chunks are still being handed out, or after.
    with pytest.raises(
        WorkerError, match=r"^a worker process stopped unexpectedly \(out of memory, or killed\)"
    ):
        ChunkedWork([1, 2, 3], die, WorkerSettings(processes=2, min_chunk=1)).results()


def test_a_large_batch_is_worked_by_processes_forked_from_a_server() -> None:
    settings = WorkerSettings(processes=2, min_chunk=2, forkserver_min_items=5)
    results = ChunkedWork(list(range(10)), parents, settings).results()
    assert [value for values, _ in results for value in values] == list(range(10))
    # Not this process's children, which would share its memory: the server's.
    assert os.getpid() not in {parent for _, parent in results}
    small = ChunkedWork(list(range(4)), parents, settings).results()
    assert {parent for _, parent in small} == {os.getpid()}


def slowly(items: Sequence[int]) -> list[int]:
    time.sleep(0.2)
    return list(items)


def test_work_dropped_before_its_results_lets_go_of_its_workers_and_their_server() -> None:
    """A build that fails meanwhile drops its rendering: the workers end, the chunks not
    started are cancelled, and the server they forked from stops; the next work starts
    its own server again."""
    fork_server._stop()  # whatever an earlier test left running
    settings = WorkerSettings(processes=2, min_chunk=1, max_chunk=1, forkserver_min_items=5)
    work = ChunkedWork(list(range(40)), slowly, settings)
    assert fork_server._users == 1 and fork_server_pid() is not None
    work.take(0)
    del work
    gc.collect()
    assert fork_server._users == 0
    wait_for(lambda: fork_server_pid() is None)
    results = ChunkedWork(list(range(10)), parents, settings).results()
    assert [value for values, _ in results for value in values] == list(range(10))
    assert fork_server._users == 0 and fork_server_pid() is None


def parents(items: Sequence[int]) -> tuple[list[int], int]:
    return list(items), os.getppid()


def ctrl_c_handlers(items: Sequence[int]) -> list[tuple[object, bool]]:
    """How each worker takes Ctrl+C, and whether it holds it back."""
    blocked = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    return [(signal.getsignal(signal.SIGINT), blocked) for _ in items]


@pytest.mark.parametrize("forkserver_min_items", [5, 20_000])
def test_ctrl_c_ends_a_worker_without_a_traceback(forkserver_min_items: int) -> None:
    # Python's handler would raise KeyboardInterrupt in a worker waiting for its next
    # chunk, and multiprocessing would print its traceback; the default action ends it.
    settings = WorkerSettings(processes=2, min_chunk=1, forkserver_min_items=forkserver_min_items)
    results = ChunkedWork(list(range(6)), ctrl_c_handlers, settings).results()
    assert {handler for handlers in results for handler in handlers} == {(signal.SIG_DFL, False)}
    # This process takes it as before (the workers start with it held back).
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def first_chunk_slow(items: Sequence[int]) -> list[int]:
    """The first chunk takes 5 s; the others say they are done (WEGO_ICAL_TEST_DONE names
    a folder: a file per chunk done, for the test to wait on)."""
    time.sleep(5 if items[0] == 0 else 0)
    if items[0] != 0 and (done := os.environ.get("WEGO_ICAL_TEST_DONE")):
        Path(done, f"chunk-{items[0]}").touch()
    return list(items)


@pytest.mark.slow
def test_ctrl_c_to_the_group_ends_the_workers_quietly(tmp_path: Path) -> None:
    # One worker is busy with the first chunk while the other, done with the second,
    # waits for more when Ctrl+C comes: nothing but the caller's own message may follow.
    script = tmp_path / "interrupted.py"
    script.write_text(
        "import sys\n"
        f"sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(TESTS)!r}]\n"
        "from test_workers import first_chunk_slow\n"
        "from wego_ical.render.workers import ChunkedWork, WorkerSettings\n"
        "work = ChunkedWork([0, 1], first_chunk_slow,\n"
        "                   WorkerSettings(processes=2, min_chunk=1))\n"
        "print('started', flush=True)\n"
        "try:\n"
        "    work.results()\n"
        "except KeyboardInterrupt:\n"
        "    print('stopped', flush=True)\n"
    )

    done = tmp_path / "done"
    done.mkdir()

    def second_chunk_done(process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        assert process.stdout.readline() == "started\n"
        # The second chunk is done, the first is not (it takes 5 s).
        wait_for(lambda: (done / "chunk-1").exists(), timeout=4)

    environ = {**os.environ, "WEGO_ICAL_TEST_DONE": str(done)}
    _, out, err = ctrl_c_to_group([sys.executable, str(script)], second_chunk_done, env=environ)
    assert out == "stopped\n"
    assert err == ""


def test_a_taken_chunk_is_forgotten() -> None:
    work = ChunkedWork(list(range(10)), squares, WorkerSettings(processes=1, min_chunk=3))
    assert work.take(1)[0] == [9, 16, 25]
    with pytest.raises(ValueError, match="taken already"):
        work.take(1)


def test_results_that_came_back_are_told_once_and_never_when_taken() -> None:
    work = ChunkedWork(list(range(10)), squares, WorkerSettings(processes=2, min_chunk=2))
    assert work.take(0)[0] == [0, 1]  # waited for: taken before it is told
    told: list[int] = []

    def all_told() -> bool:
        told.extend(work.arrived())
        return len(told) == len(work) - 1

    wait_for(all_told)
    assert sorted(told) == list(range(1, len(work)))
    assert work.arrived() == []
    assert [work.take(number)[0] for number in told] == [
        [n * n for n in range(2 * number, 2 * number + 2)] for number in told
    ]


def test_in_this_process_nothing_comes_back_by_itself() -> None:
    work = ChunkedWork(list(range(10)), squares, WorkerSettings(processes=1, min_chunk=3))
    assert work.arrived() == []


def test_process_count() -> None:
    assert WorkerSettings().process_count(10) == 1  # small batches stay in this process
    assert WorkerSettings(jobs=1, parallel_min_items=0).process_count(10) == 1
    # fork is avoided while other threads run (as under serve, or after a pool was used)
    cores = min(len(os.sched_getaffinity(0)), 8) if threading.active_count() == 1 else 1
    assert WorkerSettings(parallel_min_items=0).process_count(10) == cores
    assert WorkerSettings(processes=3).process_count(1) == 3


def test_chunk_size_bounds() -> None:
    settings = WorkerSettings()
    assert settings.chunk_size(10, 2) == 50
    assert settings.chunk_size(100_000, 2) == 250
    assert settings.chunk_size(1_000, 2) == 125


# Apart forks only in a process without other threads; other tests may leave some
# running in this one, so what must happen in a child is checked in a fresh interpreter.
APART = r"""
import json, os, signal, threading, time
from wego_ical.errors import OutputError, WorkerError
from wego_ical.render.workers import Apart, WorkerSettings, fork_is_safe

class Stubborn(Exception):
    def __init__(self, code, text):  # cannot be rebuilt from its args
        super().__init__(f"{text} ({code})")

def attempt(work, **options):
    try:
        return ["ok", Apart(work, **options).result()]
    except Exception as exc:
        return [type(exc).__name__, str(exc)]

def fail():
    raise OutputError("index.html: cannot be written: No space left on device")

def stubborn():
    raise Stubborn(28, "disk full")

results = {
    "child": attempt(os.getpid),
    "error": attempt(fail),
    "stubborn": attempt(stubborn),
    "killed": attempt(lambda: os.kill(os.getpid(), signal.SIGKILL)),
    "interrupted": attempt(lambda: os.kill(os.getpid(), signal.SIGINT)),
    # A child starts no processes of its own: its parent's workers have the cores.
    "in the child": attempt(
        lambda: [
            fork_is_safe(),
            WorkerSettings().process_count(5000),
            WorkerSettings(processes=2).process_count(5000),
            Apart(os.getpid).result() == os.getpid(),
        ]
    ),
}

def gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False

# A child no longer wanted is ended at once, and reaped.
started = []
slow = Apart(lambda: time.sleep(60), started=started)
child = slow._pid
clock = time.monotonic()
slow.cancel()
results["cancelled"] = [
    started == [slow], gone(child), time.monotonic() - clock < 10, attempt(slow.result)
]

# Ctrl+C as the child is forked: the child never gets it, but it is recorded before
# this process is interrupted, so it can be ended.
real_fork = os.fork
def interrupted_fork():
    os.kill(os.getpid(), signal.SIGINT)
    return real_fork()
os.fork = interrupted_fork
started = []
try:
    Apart(lambda: time.sleep(60), started=started)
    results["interrupted fork"] = "not interrupted"
except KeyboardInterrupt:
    os.fork = real_fork
    child = started[0]._pid
    started[0].cancel()
    results["interrupted fork"] = [len(started), gone(child)]

stop = threading.Event()
thread = threading.Thread(target=stop.wait)
thread.start()
results["with a thread"] = attempt(os.getpid)
stop.set()
thread.join()
print(json.dumps({"pid": os.getpid(), **results}))
"""


def test_apart_runs_the_work_in_a_child_and_hands_back_its_result_or_error() -> None:
    import json
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", APART], capture_output=True, text=True, timeout=60, check=True
    )
    results = json.loads(run.stdout)
    pid = results.pop("pid")
    assert results["child"][0] == "ok" and results["child"][1] != pid
    assert results["with a thread"] == ["ok", pid]  # fork is unsafe there: done here
    assert results["in the child"] == ["ok", [False, 1, 1, True]]
    assert results["error"] == [
        "OutputError",
        "index.html: cannot be written: No space left on device",
    ]
    assert results["stubborn"] == ["WorkerError", "disk full (28)"]
    for died in ("killed", "interrupted"):
        assert results[died][0] == "WorkerError"
        assert "stopped unexpectedly" in results[died][1]
    assert results["cancelled"] == [True, True, True, ["WorkerError", "the work was cancelled"]]
    assert results["interrupted fork"] == [1, True]


def test_apart_in_this_process_without_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    from wego_ical.render import workers

    monkeypatch.setattr(workers, "fork_is_safe", lambda: False)
    assert workers.Apart(os.getpid).result() == os.getpid()
    with pytest.raises(WorkerError, match="boom"):
        workers.Apart(lambda: (_ for _ in ()).throw(WorkerError("boom"))).result()


def test_apart_works_here_when_no_process_can_be_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    from wego_ical.render import workers

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert workers.Apart(os.getpid).result() == os.getpid()


def test_a_worker_ends_when_its_build_is_killed(tmp_path: Path) -> None:
    """kill -9 of the build: its forked workers do not live on (PR_SET_PDEATHSIG)."""
    script = (
        "import os, sys, time\n"
        "from wego_ical.render.orphans import end_with_parent\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    end_with_parent()\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "print(child, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    wait_for(lambda: has_ended(child), timeout=10)


def test_collection_is_paused_while_a_one_shot_build_loads_and_plans() -> None:
    """workers.collection_paused: no garbage collection inside, and what was made there
    frozen after (also after an error); nothing changes when not paused or already off."""
    import gc

    from wego_ical.render.workers import collection_paused

    assert gc.isenabled()
    try:
        with collection_paused():
            assert not gc.isenabled()
            made = [object()]
        assert gc.isenabled() and gc.get_freeze_count() > 0
        gc.unfreeze()
        with pytest.raises(ValueError), collection_paused():
            raise ValueError("a load that fails")
        assert gc.isenabled()
        gc.unfreeze()
        with collection_paused(paused=False):
            assert gc.isenabled()
        assert gc.get_freeze_count() == 0
        gc.disable()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
        gc.unfreeze()
    assert made
