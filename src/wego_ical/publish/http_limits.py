"""One policy for every answer wego-ical reads from a server (CalDAV over
http.client, object storage through botocore): each answer is read up to a size,
each request has a deadline, and a whole publish has one too.

Socket timeouts bound each read, not the sum of them: a server that sends one
byte every few seconds never trips them. So a request is also cut once its
deadline passes, and a publish stops once its own has passed (publishing again
continues where it stopped).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any, Protocol

from wego_ical.limits import DEADLINE, MAX_S3_ANSWER_BYTES, PUBLISH_DEADLINE


class AnswerRefused(Exception):
    """An answer was too large, or did not come in time; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _TimeIsUp(BaseException):
    """Raised by the timer inside whatever the request is doing; a BaseException,
    so that no library's ``except Exception`` takes it for a failure to retry."""


class Deadline:
    """The time a whole publish may take."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = PUBLISH_DEADLINE if seconds is None else seconds
        self._end = time.monotonic() + self.seconds
        self.cut_short = False

    def request_seconds(self) -> float:
        """How long the next request may take: DEADLINE, or what is left of the
        publish's time; AnswerRefused when none is left."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise AnswerRefused(self.passed())
        # Whether a request cut at its deadline was cut by the publish's.
        self.cut_short = left < DEADLINE
        return min(DEADLINE, left)

    def passed(self) -> str:
        return (
            f"publishing took longer than {self.seconds:,.0f} s, and stopped; publishing "
            "again continues where it stopped"
        )


class _Readable(Protocol):
    def read(self, amount: int) -> bytes: ...


def read_answer(response: _Readable, limit: int) -> bytes:
    """The body of ``response``, refusing one longer than ``limit`` bytes (an endless
    chunked answer would otherwise fill the memory)."""
    chunks, size = [], 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        if size > limit:
            raise AnswerRefused(f"the answer is larger than {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop what runs inside once ``seconds`` have passed, by a timer signal (botocore
    gives no hold on its sockets to cut); AnswerRefused then. Outside the main thread
    no signal can be had, and only the socket timeouts bound the reads."""
    if threading.current_thread() is not threading.main_thread():
        yield  # no signal outside the main thread: the socket timeouts still bound reads
        return

    def alarm(_signum: int, _frame: FrameType | None) -> None:
        raise _TimeIsUp

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    except _TimeIsUp:
        raise AnswerRefused(f"no answer within {seconds:,.0f} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Body:
    """An answer's body read in advance, as botocore reads a response's ``raw``."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    def read(self, amount: int | None = None, **_: Any) -> bytes:
        end = len(self._data) if amount is None else self._offset + amount
        piece = self._data[self._offset : end]
        self._offset += len(piece)
        return piece

    def stream(self, amount: int = 1 << 16, **_: Any) -> Iterator[bytes]:
        while piece := self.read(amount):
            yield piece

    def close(self) -> None:
        self._data = b""

    def release_conn(self) -> None:
        pass


def bound_s3_client(client: Any, deadline: Deadline) -> None:
    """Make every request of the botocore ``client`` follow the policy: its answer read
    whole, up to MAX_S3_ANSWER_BYTES, within its deadline and the publish's."""
    from botocore.awsrequest import AWSResponse

    session = client._endpoint.http_session

    def send(request: Any, **_: Any) -> AWSResponse:
        seconds = deadline.request_seconds()
        # Without stream_output botocore's send reads the whole answer itself, unbounded.
        streamed = request.stream_output
        request.stream_output = True
        try:
            with time_limit(seconds):
                response = session.send(request)
                try:
                    body = read_answer(response.raw, MAX_S3_ANSWER_BYTES)
                finally:
                    with suppress(Exception):
                        response.raw.release_conn()
        finally:
            request.stream_output = streamed
        return AWSResponse(response.url, response.status_code, response.headers, _Body(body))

    client.meta.events.register_first("before-send.s3", send)
