"""Chunked work over a list, in worker processes when that pays off.

Knows nothing of what the work is: a function is applied to consecutive
chunks of a list, either in this process (lazily, chunk by chunk, when a
result is first needed) or in forked worker processes that start at once
and work while the caller goes on. The caller waits only for the chunk it
needs, so results can be used (written) while later chunks are computed.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gc
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, NoReturn, Protocol, TypeVar

from wego_ical.errors import WorkerError
from wego_ical.render import fork_server
from wego_ical.render.orphans import end_with_parent

if TYPE_CHECKING:
    import concurrent.futures
    from concurrent.futures import Future

T = TypeVar("T")
R = TypeVar("R")
Item = TypeVar("Item", contravariant=True)


class Appendable(Protocol[Item]):
    """A list of what may be appended to it (a caller's list of every child it started)."""

    def append(self, item: Item, /) -> None: ...


@dataclass(frozen=True)
class WorkerSettings:
    """How a build runs, apart from what it builds: when to fork, how many processes,
    chunk sizes, when texts wait in a temporary file, what is made in a child process.

    ``jobs`` caps the number of processes (``None``: one per available core,
    at most 8); ``processes`` sets it outright and skips the checks of when
    forking is safe (for tests: 1 keeps everything in this process).
    """

    jobs: int | None = None
    processes: int | None = None
    # Below this many items, starting worker processes costs more than it saves.
    parallel_min_items: int = 1000
    # Small enough that results are used while later chunks are computed,
    # large enough that handing them over costs little.
    min_chunk: int = 50
    max_chunk: int = 250
    # From this many items on, workers are forked from a small server process
    # (multiprocessing's forkserver) rather than from this one; see ChunkedWork.
    forkserver_min_items: int = 20_000
    # From this many events on, their rendered texts wait in a temporary file, not
    # in memory: the feeds, written last, need every one (100,000 texts are ~400 MB).
    spill_min_items: int = 20_000

    def spills(self, items: int) -> bool:
        """Whether the texts of ``items`` events wait in a temporary file."""
        return items >= self.spill_min_items

    def makes_apart(self, items: int) -> bool:
        """Whether a publication of ``items`` events makes its pages in a child process,
        and its exports in another, while this one writes the events' files.

        The children are forked before the events' rendering starts (a process whose
        worker pool runs threads must not fork), and they start no workers of their
        own: in a first build the two children and the rendering share the cores while
        this process waits for its first events. Not from the size on where workers are
        forked from a server instead: a child reading the whole series would copy most
        of this process's memory.
        """
        if self.processes == 1 or self.jobs == 1:
            return False
        return self.parallel_min_items <= items < self.forkserver_min_items

    def encodes_apart(self, items: int) -> bool:
        """Whether a publication of ``items`` events has its exports' talks encoded in a
        process of its own while this one makes them (see
        :mod:`~wego_ical.render.encoding_process`): where the exports are made in this
        process, last, and the other cores have nothing else to do by then."""
        return self.forks_from_server(items)

    def writes_apart(self, items: int) -> bool:
        """Whether the single-event files and feeds of a publication of ``items`` events
        are written by a process of their own (see :mod:`~wego_ical.output.spliced`):
        where the texts wait in a temporary file that process can read, and this one
        makes the pages meanwhile."""
        return self.spills(items) and self.forks_from_server(items)

    def forks_from_server(self, items: int) -> bool:
        """Whether the workers of ``items`` items are forked from a server process (see
        :class:`ChunkedWork`)."""
        return items >= self.forkserver_min_items and self.process_count(items) > 1

    def process_count(self, items: int) -> int:
        """How many processes should work on ``items`` items."""
        if _made_apart:
            return 1
        if self.processes is not None:
            return self.processes
        if items < self.parallel_min_items or not fork_is_safe():
            return 1
        return min(len(os.sched_getaffinity(0)), 8, self.jobs or 64)

    def chunk_size(self, items: int, processes: int) -> int:
        """Items per chunk: about four chunks per process, within the bounds."""
        return max(self.min_chunk, min(self.max_chunk, -(-items // (processes * 4))))


def fork_is_safe() -> bool:
    """Whether this process may fork: only without other threads (wego-ical serve has
    some; a lock one of them holds would stay locked in the child), on Linux, where it
    is reliable, and not in a child process made by :class:`Apart` (its parent's
    workers have the other cores)."""
    return sys.platform == "linux" and threading.active_count() == 1 and not _made_apart


# Set in a child process made by Apart.
_made_apart = False


class ChunkedWork(Generic[T, R]):
    """``work`` applied to consecutive chunks of ``items``, each result waited for on demand."""

    def __init__(
        self,
        items: Sequence[T],
        work: Callable[[Sequence[T]], R],
        settings: WorkerSettings | None = None,
    ) -> None:
        settings = settings or WorkerSettings()
        count = settings.process_count(len(items))
        self.step = settings.chunk_size(len(items), count)
        starts = range(0, len(items), self.step)
        # None once a chunk's result is taken.
        self._chunks: list[Callable[[], R] | None]
        # Chunks whose results came back from a worker (appended by the pool's thread).
        self._arrived: collections.deque[int] = collections.deque()
        self._left = len(starts)  # chunks not taken yet
        self._server_pool: concurrent.futures.ProcessPoolExecutor | None = None
        # Where the workers fork from a server: how this work lets go of them and of it
        # when it is dropped before every result is taken (a build that fails meanwhile:
        # the chunks not started are cancelled).
        self._dropped: weakref.finalize[..., ChunkedWork[T, R]] | None = None
        if count <= 1 or len(starts) <= 1:
            self._chunks = [
                functools.partial(_on_slice, work, items, start, start + self.step)
                for start in starts
            ]
            return
        import concurrent.futures
        import multiprocessing
        from concurrent.futures.process import BrokenProcessPool

        # Forked workers start at once (nothing to import), and each chunk is
        # sent to them as a copy: a worker reading the items it inherited
        # would copy every memory page it touches (reference counts), which
        # cost ~150 MB per worker at 100,000 events. But they share this
        # process's memory, and every page this process touches while they run
        # (writing the page and the feeds) is copied too: ~280 MB per worker at
        # 100,000 events. For a large batch they are forked from a small server
        # process instead, which has imported the work's module (about 0.4 s
        # to start, worth it only then).
        from_server = settings.forks_from_server(len(items))
        context: multiprocessing.context.BaseContext = (
            fork_server.for_workers(work.__module__)
            if from_server
            else multiprocessing.get_context("fork")
        )
        pool = concurrent.futures.ProcessPoolExecutor(
            count, mp_context=context, initializer=_end_on_ctrl_c
        )
        if from_server:
            self._server_pool = pool
            self._dropped = weakref.finalize(self, _let_go_of, pool, wait=False)
        try:
            # The workers start as the chunks are submitted.
            with _ctrl_c_held_back():
                futures = [pool.submit(work, items[start : start + self.step]) for start in starts]
        except BrokenProcessPool:
            raise _worker_died() from None
        finally:
            pool.shutdown(wait=False)  # the workers finish the queued work, then exit
        self._chunks = [functools.partial(_outcome, future) for future in futures]
        for number, future in enumerate(futures):
            # Not a method: the pool would keep this work alive (see _dropped).
            future.add_done_callback(functools.partial(_arrive, self._arrived, number))

    def arrived(self) -> list[int]:
        """The chunks whose results came back since the last call, and are not taken."""
        if not self._arrived:  # asked for before every text a large build looks up
            return []
        numbers = [self._arrived.popleft() for _ in range(len(self._arrived))]
        return [number for number in numbers if self._chunks[number] is not None]

    def __len__(self) -> int:
        return len(self._chunks)

    def take(self, number: int) -> R:
        """The result of chunk ``number`` (waiting for it), forgotten here once taken,
        so that a caller that keeps results elsewhere does not hold them twice."""
        produce = self._chunks[number]
        if produce is None:
            raise ValueError(f"chunk {number} was taken already")
        result = produce()
        self._chunks[number] = None
        self._left -= 1
        if not self._left and self._server_pool is not None and self._dropped is not None:
            # Every worker has its result sent: let them end, then the server.
            self._dropped.detach()
            _let_go_of(self._server_pool, wait=True)
            self._server_pool = None
        return result

    def done(self) -> bool:
        """Whether every chunk's result was taken."""
        return not self._left

    def chunk_of(self, index: int) -> int:
        """The number of the chunk that holds item ``index``."""
        return index // self.step

    def results(self) -> list[R]:
        """The result of every chunk, in order (each taken)."""
        return [self.take(number) for number in range(len(self._chunks))]


def _arrive(arrived: collections.deque[int], number: int, _: Future[object]) -> None:
    arrived.append(number)


def _let_go_of(pool: concurrent.futures.ProcessPoolExecutor, *, wait: bool) -> None:
    """Let the workers of ``pool`` end (those not waited for drop what they have not
    started), then the server they were forked from, if nothing else uses it."""
    pool.shutdown(wait=wait, cancel_futures=not wait)
    fork_server.workers_done()


def start_server_ahead(settings: WorkerSettings | None, items: int, work: Callable[..., R]) -> None:
    """Start the server that :class:`ChunkedWork` will fork the workers of ``work`` on
    ``items`` items from, if it will: the server imports ``work``'s module on another
    core while this process does what comes first."""
    if (settings or WorkerSettings()).forks_from_server(items):
        fork_server.start_for_workers(work.__module__)


@contextlib.contextmanager
def _ctrl_c_held_back() -> Iterator[set[int]]:
    """Ctrl+C blocked in this thread while processes are started: they start with
    it blocked (a Ctrl+C while a worker starts up would otherwise print a traceback), and
    this process receives it as soon as they have started. Yields the signal mask
    to restore (in a forked child, say)."""
    import signal

    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield previous
    finally:
        _restore_mask(previous)


def _restore_mask(mask: set[int]) -> None:
    import signal

    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _end_on_ctrl_c() -> None:
    """In a worker process, first thing: Ctrl+C (which reaches the whole process group)
    ends it as the signal's default action does, also one that came while it started.
    As Python's KeyboardInterrupt it would print a traceback whenever it came while the
    worker waited for its next chunk; the process that started the workers reports the
    stop."""
    import signal

    end_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _on_slice(work: Callable[[Sequence[T]], R], items: Sequence[T], start: int, stop: int) -> R:
    return work(items[start:stop])


def _outcome(future: Future[R]) -> R:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise _worker_died() from None


def _worker_died() -> WorkerError:
    return WorkerError.stopped("a worker process")


class Apart(Generic[R]):
    """``work()`` computed in a forked child process while the caller goes on, or
    right here when that is not worth it or not safe.

    For one large piece of work that needs nothing but the memory it inherits (a
    build's landing page while its feeds are compared): the child starts at once
    and hands back only its small result (pickled), or the exception it raised.
    Where forking is not safe (see :func:`fork_is_safe`) or not possible, the
    work is done in this process.

    The child is added to ``started`` as soon as it exists, before Ctrl+C can
    interrupt this process again: whoever owns that list can end every child it
    started (:meth:`cancel`) even when Ctrl+C interrupted this constructor.
    """

    def __init__(self, work: Callable[[], R], started: Appendable[Apart[R]] | None = None) -> None:
        self._pid: int | None = None
        self._outcome: tuple[bool, object] | None = None
        if not fork_is_safe():
            self._outcome = attempt(work)
            return
        # Ctrl+C waits until the child is recorded: one that came during the fork would
        # interrupt this process before it knew of a child that never got the signal
        # (a fork forgets the signals its parent has not handled yet).
        with _ctrl_c_held_back() as previous_mask:
            reading, writing = os.pipe()
            try:
                pid: int | None = os.fork()
            except OSError:  # no process to spare (EAGAIN, ENOMEM): the work is done here
                os.close(reading)
                os.close(writing)
                pid = None
            if pid == 0:  # the child never returns: it must not unwind the parent's frames
                try:
                    global _made_apart
                    _made_apart = True
                    end_with_parent()
                    _restore_mask(previous_mask)
                    os.close(reading)
                    _hand_back(writing, attempt(work))
                finally:
                    os._exit(1)  # interrupted (Ctrl-C reaches the child too)
            if pid is not None:
                os.close(writing)
                self._pid, self._reading = pid, reading
                if started is not None:
                    started.append(self)
        if pid is None:
            self._outcome = attempt(work)

    def result(self) -> R:
        """The work's result (waiting for the child), or the exception it raised."""
        if self._outcome is None:
            self._outcome = self._collect()
        return returned(self._outcome)

    def _collect(self) -> tuple[bool, object]:
        assert self._pid is not None
        with os.fdopen(self._reading, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self._pid, 0)
        self._pid = None
        return unpickled_outcome(data)

    def cancel(self) -> None:
        """End the child at once, if it still runs, and wait until it has ended (the
        caller gave up: its result will never be asked for)."""
        if self._pid is None:
            return
        import signal

        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self._reading)
        with contextlib.suppress(OSError):
            os.waitpid(self._pid, 0)
        self._pid = None
        self._outcome = (False, WorkerError("the work was cancelled"))

    def __del__(self) -> None:
        # A result never asked for (the build failed first): the child is still reaped.
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.close(self._reading)
                os.waitpid(self._pid, 0)


def attempt(work: Callable[[], R]) -> tuple[bool, object]:
    try:
        return True, work()
    except Exception as exc:  # handed to whoever asks for the result
        return False, exc


# The outcome was pickled: its type is the caller's to know (R, of the work it started).
def returned(outcome: tuple[bool, object]) -> R:  # type: ignore[type-var]
    """What :func:`attempt` caught, once more: the work's result, or its exception raised."""
    succeeded, value = outcome
    if not succeeded:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


def _hand_back(pipe: int, outcome: tuple[bool, object]) -> NoReturn:
    """Send ``outcome`` to the parent and end the child, without running any of the
    parent's clean-up (locks, temporary files, buffered output are the parent's)."""
    code = 0
    try:
        data = pickled_outcome(outcome)
        with os.fdopen(pipe, "wb") as writer:
            writer.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def pickled_outcome(outcome: tuple[bool, object]) -> bytes:
    """``outcome`` as the parent will read it back: an exception that does not survive
    pickling (its class may not take its args back) becomes its message."""
    import pickle

    try:
        data = pickle.dumps(outcome)
        pickle.loads(data)
    except Exception:
        _, value = outcome
        data = pickle.dumps((False, WorkerError(str(value) or type(value).__name__)))
    return data


def unpickled_outcome(data: bytes) -> tuple[bool, object]:
    """What a child handed back; a clear error when it died before it could."""
    import pickle

    try:
        outcome = pickle.loads(data)
    except Exception:  # nothing or half of it
        return False, _worker_died()
    assert isinstance(outcome, tuple)
    return outcome


@contextlib.contextmanager
def collection_paused(paused: bool = True) -> Iterator[None]:
    """No garbage collection meanwhile, in a process that exits after one build (when
    ``paused``), and what was made meanwhile exempt from it for good.

    Loading and planning a series makes millions of objects and almost no reference
    cycles, and it keeps them until the process exits: the collector would scan the new
    objects again and again meanwhile (about 10 % of that time), and all of them again
    at every full collection afterwards.
    """
    if not paused or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
