"""Time grows in proportion to the input: lint and error reporting on hostile inputs.

    .venv/bin/python benchmarks/scaling.py

For each kind of input, times the command at one size and at four times that
size, in this process, and prints the seconds and their ratio (about 4 means
linear; 16 would mean quadratic). Numbers are written down in
benchmarks/README.md; nothing here is a test.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import Any

from wego_ical.errors import DataError
from wego_ical.lint.checks import lint
from wego_ical.load.series_file import parse_series

SERIES_HEAD = """[series]
id = "s"
title = "S"
url = "https://example.org/"
timezone = "Europe/Berlin"
uid_domain = "example.org"
[series.organiser]
name = "O"
"""


def long_lines(megabytes: float) -> bytes:
    count = int(megabytes * 1_000_000 / 1000)
    lines = [b"BEGIN:VCALENDAR"] + [b"X-LONG:" + b"a" * 990 for _ in range(count)]
    return b"\r\n".join([*lines, b"END:VCALENDAR"]) + b"\r\n"


def random_bytes(megabytes: float) -> bytes:
    return random.Random(4).randbytes(int(megabytes * 1_000_000))


def nested(depth: int) -> bytes:
    return (
        b"BEGIN:VCALENDAR\r\n"
        + b"BEGIN:X\r\n" * depth
        + b"END:X\r\n" * depth
        + b"END:VCALENDAR\r\n"
    )


def sessions_with_errors(count: int) -> str:
    events = []
    for event in range(count // 20):
        events.append(f'[[events]]\nid = "e{event}"\ntitle = "E"\ndate = 2030-01-01\n')
        events += [
            f'[[events.sessions]]\nid = "s{k}"\nstart = 10:00:00\nend = 09:00:00\n'
            for k in range(20)
        ]
    return SERIES_HEAD + "\n".join(events)


def check_errors(text: str) -> None:
    try:
        parse_series(text)
    except DataError as exc:
        str(exc)


def lint_bytes(data: bytes) -> None:
    lint(data)


def main() -> None:
    cases: list[tuple[str, Callable[[float], Any], Callable[[Any], None], float]] = [
        ("lint, lines of 1,000 octets (MB)", long_lines, lint_bytes, 2.5),
        ("lint, random bytes (MB)", random_bytes, lint_bytes, 2.5),
        ("lint, nested BEGIN (depth)", lambda n: nested(int(n)), lint_bytes, 5_000),
        (
            "check, sessions with an error each",
            lambda n: sessions_with_errors(int(n)),
            check_errors,
            2_000,
        ),
    ]
    print(f"{'input':<38} {'size':>9} {'seconds':>8} {'4x size':>9} {'seconds':>8} {'ratio':>6}")
    for name, make, run, size in cases:
        times = []
        for scale in (1, 4):
            data = make(size * scale)
            start = time.perf_counter()
            run(data)
            times.append(time.perf_counter() - start)
        print(
            f"{name:<38} {size:>9,.1f} {times[0]:>8.2f} {size * 4:>9,.1f} {times[1]:>8.2f} "
            f"{times[1] / times[0]:>6.1f}"
        )
    print(f"(cpu count {os.cpu_count()})")


if __name__ == "__main__":
    main()
