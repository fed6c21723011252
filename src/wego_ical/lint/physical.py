"""The physical checks of an iCalendar file, on its bytes: encoding, line endings,
line length, folds, control characters; and reading a file to check (plain files
of a bounded size only). A clean file costs a few passes in C; the checks that
name the line of a problem run only when those say there may be one.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wego_ical.errors import UnreadableFileError
from wego_ical.files import ReadRefused, read_bounded
from wego_ical.limits import MAX_LINT_BYTES

# RFC 5545 3.1: content lines are folded at 75 octets.
MAX_OCTETS = 75


@dataclass(frozen=True)
class Finding:
    """One problem: where it is and why it matters."""

    line: int | None
    message: str

    def render(self, name: str) -> str:
        """``file:line: error: message``."""
        where = f"{name}:{self.line}" if self.line else name
        return f"{where}: error: {self.message}"


def read_for_lint(path: Path) -> bytes:
    """The bytes of the file ``path``; an :class:`UnreadableFileError` that says why not
    when it is missing, not a plain file (a pipe would never end, /dev/zero never
    stops), or larger than :data:`MAX_LINT_BYTES`."""
    try:
        return read_bounded(path, MAX_LINT_BYTES)
    except ReadRefused as exc:
        if exc.kind == "large":
            raise UnreadableFileError(
                f"is larger than {MAX_LINT_BYTES // 1_000_000} MB; no calendar client reads a "
                "file that large: split it"
            ) from None
        raise UnreadableFileError(
            "is not a plain file (a device, a pipe or a socket); save the calendar to a "
            "file and check that"
        ) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot be read: {exc.strerror}") from None


def physical_findings_of(data: bytes) -> Iterator[Finding]:
    if not physically_clean(data):
        yield from _physical_findings(data)


def _physical_findings(data: bytes) -> Iterator[Finding]:
    _line_at = _LineIndex(data).line_at
    if data.startswith(b"\xef\xbb\xbf"):
        yield Finding(1, "byte-order mark at the start; some clients reject the file")
    # Judge the encoding on the unfolded text: a fold inside a character is
    # reported on its own below.
    unfolded = re.sub(rb"\r?\n[ \t]", b"", data)
    try:
        unfolded.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = unfolded.count(b"\n", 0, exc.start) + 1
        yield Finding(line, "not valid UTF-8; iCalendar files are UTF-8")
    bare_count = data.count(b"\n") - data.count(b"\r\n")
    if bare_count:
        first = re.search(rb"(?<!\r)\n", data)
        assert first is not None
        yield Finding(
            _line_at(first.start()),
            f"bare LF line endings on {bare_count} line{'s' if bare_count > 1 else ''} "
            "(first here); lines must end with CRLF (calcurse and others refuse the file)",
        )
    if data and not data.endswith(b"\n"):
        yield Finding(_line_at(len(data)), "the last line does not end with CRLF")
    # The remaining checks look for rare patterns with regular expressions over
    # the whole file first, so that a clean file costs almost nothing.
    bare_cr = len(re.findall(rb"\r(?!\n)", data))
    if bare_cr:
        first = re.search(rb"\r(?!\n)", data)
        assert first is not None
        yield Finding(
            _line_at(first.start()),
            f"bare CR inside a line{f' ({bare_cr:,} times; first here)' if bare_cr > 1 else ''}",
        )
    for match in _LONG_LINE.finditer(data):
        yield Finding(
            _line_at(match.start()),
            f"line is {len(match.group())} octets long; fold lines at 75 octets (RFC 5545 3.1)",
        )
    for match in _FOLD_AFTER_NON_ASCII.finditer(data):
        if _ends_inside_character(match.group(1)):
            yield Finding(
                _line_at(match.start()),
                "a fold splits a UTF-8 character; clients show garbage or drop the property",
            )

    reported = 0
    for match in _CONTROL_CHARACTER.finditer(data):
        line = _line_at(match.start())
        if line != reported:  # one finding per line
            reported = line
            code = match.group()[-1]  # a C1 control is its second UTF-8 byte
            yield Finding(
                line,
                f"control character U+{code:04X} in the text; RFC 5545 allows none but tab, "
                "and parsers such as libical drop the whole calendar",
            )


def physically_clean(data: bytes) -> bool:
    """Whether none of the physical checks can find anything, in a few passes over the
    bytes in C (the build checks every event it renders; the checks that name
    the line of a problem run only when this says there may be one).

    Valid UTF-8 as it stands means the unfolded text is too (folds are ASCII),
    and that no fold splits a character (the fold's bytes would interrupt it).
    """
    if data.startswith(b"\xef\xbb\xbf") or not data.endswith(b"\r\n"):
        return False
    line_ends = data.count(b"\r\n")
    if data.count(b"\n") != line_ends or data.count(b"\r") != line_ends:
        return False
    if data.translate(None, _NOT_C0_CONTROL) or (b"\xc2" in data and _C1.search(data)):
        return False
    if _longest_line(data) > MAX_OCTETS:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Bytes split into lines at a time: the lines of a whole file, each an object,
# would take many times its size.
# Bytes split into lines at a time: the lines of a whole file, each an object,
# would take many times its size.
CHUNK = 1 << 18


def _longest_line(data: bytes) -> int:
    """The length of the longest CRLF-ended line of ``data``."""
    position, longest = 0, 0
    while position < len(data):
        end = data.find(b"\r\n", position + CHUNK)
        end = len(data) if end < 0 else end
        longest = max(longest, *map(len, data[position:end].split(b"\r\n")))
        position = end + 2
    return longest


_LINE_END = re.compile(rb"\r\n?|\n")


def physical_lines(data: bytes) -> Iterator[bytes]:
    """The lines of ``data``, ending at CRLF, LF or CR (as ``bytes.splitlines``)."""
    position = 0
    while position < len(data):
        end = len(data)
        if position + CHUNK < end:
            # The last line end before the chunk's end, else the first after it.
            cut = max(
                data.rfind(b"\n", position, position + CHUNK),
                data.rfind(b"\r", position, position + CHUNK),
            )
            found = (
                _LINE_END.match(data, cut) if cut >= 0 else _LINE_END.search(data, position + CHUNK)
            )
            end = found.end() if found else end
        yield from data[position:end].splitlines()
        position = end


# C0 controls but tab and line endings, DEL, and C1 controls (U+0080-U+009F in UTF-8).
_C0 = rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


_C1 = re.compile(rb"\xc2[\x80-\x9f]")


_CONTROL_CHARACTER = re.compile(_C0 + b"|" + _C1.pattern)


# Every byte but the C0 controls (bytes.translate deletes these and keeps the rest).
_NOT_C0_CONTROL = bytes(byte for byte in range(256) if not re.fullmatch(_C0, bytes([byte])))


# Anchored at line starts, so that each line is scanned once.
_LONG_LINE = re.compile(rb"(?m)^[^\r\n]{%d,}" % (MAX_OCTETS + 1))


_FOLD_AFTER_NON_ASCII = re.compile(rb"(?m)^([^\r\n]*[\x80-\xff])\r?\n[ \t]")


class _LineIndex:
    """Line numbers of byte offsets, by bisection over the line ends (found once)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._ends: array[int] | None = None

    def line_at(self, offset: int) -> int:
        if self._ends is None:  # a clean file never needs it
            # An array, not a list: a file may have millions of lines.
            self._ends = array("q", (match.start() for match in re.finditer(rb"\n", self._data)))
        return bisect.bisect_left(self._ends, offset) + 1


def _ends_inside_character(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data"
    return False
