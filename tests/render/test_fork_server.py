"""fork_server: the server a large build's workers are forked from ends with their work,
unless it was running before (``serve``'s); one started ahead of the work ends with it."""

from __future__ import annotations

import os
from collections.abc import Sequence

from conftest import fork_server_pid, has_ended
from wego_ical.render import fork_server
from wego_ical.render.workers import ChunkedWork, WorkerSettings, start_server_ahead

FROM_SERVER = WorkerSettings(processes=2, min_chunk=2, forkserver_min_items=5)


def parents(items: Sequence[int]) -> tuple[list[int], int]:
    return list(items), os.getppid()


def test_a_server_started_for_the_work_ends_once_every_chunk_is_taken() -> None:
    fork_server._stop()  # whatever an earlier test left running
    first = ChunkedWork(list(range(10)), parents, FROM_SERVER)
    second = ChunkedWork(list(range(10, 20)), parents, FROM_SERVER)  # the same server
    server = fork_server_pid()
    assert server is not None
    assert [value for values, _ in first.results() for value in values] == list(range(10))
    assert fork_server_pid() == server  # the second work still uses it
    results = second.results()
    assert {parent for _, parent in results} == {server}
    assert fork_server_pid() is None and has_ended(server)
    # The next large work starts another.
    again = ChunkedWork(list(range(10)), parents, FROM_SERVER).results()
    assert [value for values, _ in again for value in values] == list(range(10))
    assert fork_server_pid() is None


def test_a_server_that_ran_before_the_work_is_left_running() -> None:
    fork_server._stop()
    fork_server.start_fresh_processes([__name__])  # as serve does
    server = fork_server_pid()
    assert server is not None
    try:
        results = ChunkedWork(list(range(10)), parents, FROM_SERVER).results()
        assert {parent for _, parent in results} == {server}
        assert fork_server_pid() == server and not has_ended(server)
    finally:
        fork_server._stop()


def test_a_server_started_ahead_serves_the_work_then_ends_with_it() -> None:
    fork_server._stop()
    fork_server.start_for_workers(__name__)  # as a first build of a large series does
    server = fork_server_pid()
    assert server is not None
    results = ChunkedWork(list(range(10)), parents, FROM_SERVER).results()
    assert {parent for _, parent in results} == {server}
    assert fork_server_pid() is None and has_ended(server)
    # What came ahead is spent: the next work's server is its own, and ends with it too.
    ChunkedWork(list(range(10)), parents, FROM_SERVER).results()
    assert fork_server_pid() is None


def test_no_server_is_started_ahead_where_one_runs_and_that_one_is_left_running() -> None:
    fork_server._stop()
    fork_server.start_fresh_processes([__name__])
    server = fork_server_pid()
    try:
        fork_server.start_for_workers(__name__)
        assert fork_server_pid() == server
        ChunkedWork(list(range(10)), parents, FROM_SERVER).results()
        assert fork_server_pid() == server and server is not None and not has_ended(server)
    finally:
        fork_server._stop()


def test_a_server_is_started_ahead_only_where_the_workers_will_fork_from_one() -> None:
    fork_server._stop()
    start_server_ahead(FROM_SERVER, 4, parents)  # below forkserver_min_items
    start_server_ahead(WorkerSettings(processes=1, forkserver_min_items=5), 10, parents)
    assert fork_server_pid() is None
    start_server_ahead(FROM_SERVER, 10, parents)
    server = fork_server_pid()
    assert server is not None
    ChunkedWork(list(range(10)), parents, FROM_SERVER).results()
    assert has_ended(server)
