"""The bounds on what wego-ical reads from a CalDAV server: each answer is read up
to a size, each request has a deadline, and a whole publish has one too.
(``publish --s3`` has only botocore's timeouts, the endpoint check and a bound on
its listing: a bounded botocore send broke listings, see CHANGELOG.md.)

Socket timeouts bound each read, not the sum of them: a server that sends one
byte every few seconds never trips them. So a request is also cut once its
deadline passes, and a publish stops once its own has passed (publishing again
continues where it stopped).
"""

from __future__ import annotations

import time
from typing import Protocol

from wego_ical.limits import DEADLINE, PUBLISH_DEADLINE


class AnswerRefused(Exception):
    """An answer was too large, or did not come in time; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
