"""Check iCalendar files for the problems that break real calendar clients.

Works on any ``.ics`` file, ours or someone else's, and reports each finding
with its line number and a one-line explanation. The build runs the same
checks on every file it generates before it replaces the output folder.
Content lines are parsed with icalendar's own parser; what is checked here is
what a parser forgives but a client does not.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar.parser import Contentline

from wego_ical.limits import MAX_DEPTH, MAX_FINDINGS
from wego_ical.lint_bytes import Finding, physical_findings_of

__all__ = ["MAX_DEPTH", "MAX_FINDINGS", "Finding", "Findings", "lint", "lint_event"]

_DATE_TIME = re.compile(r"^(\d{8})T(\d{6})(Z?)$")
_TIMED = ("DTSTART", "DTEND", "RECURRENCE-ID", "DUE")
# The properties the checks look at; other lines are only checked physically
# (and for a TZID parameter).
_RELEVANT = re.compile(
    r"(?i)(BEGIN|END|UID|DTSTAMP|DTSTART|DTEND|RECURRENCE-ID|DUE|METHOD|TZID)[;:]"
)


@dataclass
class _Property:
    name: str
    params: dict[str, str]
    value: str
    line: int


@dataclass
class _Component:
    name: str
    line: int
    # Only what the checks look at: the first property of each name, and every
    # property with a TZID parameter. A file may repeat a property millions of times.
    firsts: dict[str, _Property] = field(default_factory=dict)
    zoned: list[_Property] = field(default_factory=list)
    children: list[_Component] = field(default_factory=list)

    def first(self, name: str) -> _Property | None:
        return self.firsts.get(name)

    def add(self, prop: _Property) -> None:
        self.firsts.setdefault(prop.name, prop)
        if "TZID" in prop.params:
            self.zoned.append(prop)

    def empty(self) -> bool:
        return not (self.firsts or self.zoned or self.children)

    def walk(self, name: str) -> Iterator[_Component]:
        # Iterative, in document order: a file may nest thousands of components.
        pending = list(reversed(self.children))
        while pending:
            child = pending.pop()
            if child.name == name:
                yield child
            pending.extend(reversed(child.children))


class Findings(list[Finding]):
    """The findings of one file, at most :data:`MAX_FINDINGS` of them; ``more`` counts
    those left out."""

    more: int = 0

    def append(self, finding: Finding) -> None:
        """Keep ``finding``, or only count it once the list is full."""
        if len(self) < MAX_FINDINGS:
            super().append(finding)
        else:
            self.more += 1

    def extend(self, findings: Iterable[Finding]) -> None:
        """Keep or count each of ``findings``."""
        for finding in findings:
            self.append(finding)

    @property
    def total(self) -> int:
        """How many findings there were, those left out included."""
        return len(self) + self.more

    def sorted(self) -> Findings:
        """The same findings in the order of the file."""
        ordered = Findings(sorted(self, key=lambda f: (f.line or 0, f.message)))
        ordered.more = self.more
        return ordered


def lint(data: bytes, *, feed: bool = True) -> Findings:
    """Every finding for the iCalendar ``data`` (the first :data:`MAX_FINDINGS`, and a
    count of the rest); ``feed`` marks a published feed.

    Takes time in proportion to the size of ``data``, and memory in proportion to
    its events, whatever it holds.
    """
    findings = Findings()
    findings.extend(physical_findings_of(data))
    roots = _structure(_content_lines(data), findings)
    for calendar in roots:
        findings.extend(_calendar(calendar, feed=feed))
    return findings.sorted()


def lint_event(data: bytes, zones: set[str]) -> list[Finding]:
    """Findings for one serialized VEVENT, as it is spliced into calendars that
    define the time zones ``zones``."""
    findings = Findings()
    findings.extend(physical_findings_of(data))
    events = _structure(_content_lines(data), findings, top="VEVENT")
    for event in events:
        findings.extend(_event(event, feed=True))
        findings.extend(_tzids(event, zones))
    return findings.sorted()


# --------------------------------------------------------------------------- bytes


def _content_lines(data: bytes) -> Iterator[tuple[int, str]]:
    """Unfolded content lines with the number of the physical line each starts on,
    one at a time (a file of millions of tiny lines is never held as a list)."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    # Pieces are joined once per content line: appending to a string for
    # each fold takes quadratic time on a line folded many times.
    start, pieces = 0, None
    # newline="": lines end at CRLF, LF or CR, and keep their ending.
    for number, raw in enumerate(io.StringIO(text, newline=""), start=1):
        line = raw.rstrip("\r\n")
        if line[:1] in (" ", "\t") and pieces is not None:
            pieces.append(line[1:])
        elif line:
            if pieces is not None:
                yield start, "".join(pieces)
            start, pieces = number, [line]
    if pieces is not None:
        yield start, "".join(pieces)


# --------------------------------------------------------------------------- structure


def _parts(content: str) -> tuple[str, dict[str, str], str]:
    """Name, parameters and value of a content line.

    Most lines have no quoted parameter; those are split directly, which is
    far faster than the general parser, used for everything else.
    """
    head, colon, value = content.partition(":")
    if colon and '"' not in head:
        name, *params = head.split(";")
        flat = {}
        for param in params:
            key, equals, item = param.partition("=")
            if not equals:
                break
            flat[key.upper()] = item
        else:
            return name, flat, value
    name, parameters, value = Contentline(content).parts()  # type: ignore[no-untyped-call]
    return name, {key.upper(): str(item) for key, item in parameters.items()}, str(value)


def _structure(
    lines: Iterable[tuple[int, str]], findings: Findings, top: str = "VCALENDAR"
) -> list[_Component]:
    """The ``top`` components of the file; what is wrong with its structure goes to
    ``findings``."""
    tree = _Tree(findings)
    for number, content in lines:
        if ":" in content and not _RELEVANT.match(content) and ";TZID=" not in content.upper():
            continue  # nothing is checked about this property
        parsed = _parsed(number, content, findings)
        if parsed is not None:
            tree.add(number, *parsed)
    return tree.finish(top)


def _parsed(
    number: int, content: str, findings: Findings
) -> tuple[str, dict[str, str], str] | None:
    """Name (upper case), parameters and value of a content line; None (and a finding)
    when it cannot be parsed."""
    if ":" not in content:
        findings.append(Finding(number, "cannot parse this line: it has no ':' after a name"))
        return None
    try:
        name, params, value = _parts(content)
    except (ValueError, AssertionError) as exc:
        findings.append(Finding(number, f"cannot parse this line: {exc}"))
        return None
    return name.upper(), params, value


class _Tree:
    """Components as BEGIN and END open and close them, with what the checks need."""

    def __init__(self, findings: Findings) -> None:
        self.findings = findings
        self.roots: list[_Component] = []
        self.stack: list[_Component] = []
        self.too_deep = 0  # components open below MAX_DEPTH, only counted

    def add(self, number: int, name: str, params: dict[str, str], value: str) -> None:
        """Take one content line."""
        if self.too_deep and name in ("BEGIN", "END"):
            self.too_deep += 1 if name == "BEGIN" else -1
        elif name == "BEGIN":
            self._begin(number, value)
        elif name == "END":
            self._end(number, value)
        elif not self.stack:
            self.findings.append(Finding(number, f"{name} outside of any component"))
        elif not self.too_deep:
            self.stack[-1].add(_Property(name, params, value, number))

    def _begin(self, number: int, value: str) -> None:
        if len(self.stack) >= MAX_DEPTH:
            self.too_deep = 1
            self.findings.append(
                Finding(number, f"components nested more than {MAX_DEPTH} deep; not checked")
            )
            return
        component = _Component(value.upper(), number)
        (self.stack[-1].children if self.stack else self.roots).append(component)
        self.stack.append(component)

    def _end(self, number: int, value: str) -> None:
        stack = self.stack
        if not stack or stack[-1].name != value.upper():
            self.findings.append(Finding(number, f"END:{value} does not close an open BEGIN"))
            return
        closed = stack.pop()
        if stack and closed.empty() and closed.name not in _CHECKED:
            stack[-1].children.pop()  # nothing in it to check: not kept

    def finish(self, top: str) -> list[_Component]:
        """The ``top`` components; what was left open or is misplaced is reported."""
        for component in self.stack:
            self.findings.append(Finding(component.line, f"BEGIN:{component.name} is never closed"))
        if not self.roots:
            self.findings.append(Finding(None, f"no {top} in the file"))
        for root in self.roots:
            if root.name != top:
                self.findings.append(Finding(root.line, f"{root.name} outside a {top}"))
        return [root for root in self.roots if root.name == top]


# Components kept even when empty: the checks have something to say about them.
_CHECKED = {"VCALENDAR", "VEVENT", "VTIMEZONE"}


def _calendar(calendar: _Component, *, feed: bool) -> Iterator[Finding]:
    method = calendar.first("METHOD")
    if feed and method is not None and method.value.upper() != "PUBLISH":
        yield Finding(
            method.line,
            f"METHOD:{method.value} in a published feed; clients treat it as an invitation "
            "to answer (use METHOD:PUBLISH or none)",
        )
    zones = {tzid.value for zone in calendar.walk("VTIMEZONE") if (tzid := zone.first("TZID"))}
    for component in calendar.children:
        yield from _tzids(component, zones)
    uids: dict[tuple[str, str], int] = {}
    for event in calendar.walk("VEVENT"):
        yield from _event(event, feed=feed)
        uid = event.first("UID")
        if uid is None:
            continue
        recurrence = event.first("RECURRENCE-ID")
        key = (uid.value, recurrence.value if recurrence else "")
        if key in uids:
            yield Finding(
                uid.line,
                f"duplicate UID {uid.value!r} (first on line {uids[key]}); clients keep only one",
            )
        else:
            uids[key] = uid.line


def _tzids(component: _Component, zones: set[str]) -> Iterator[Finding]:
    pending = [component]
    while pending:  # iterative: components may be nested thousands deep
        current = pending.pop()
        if current.name == "VTIMEZONE":
            continue
        for prop in current.zoned:
            tzid = prop.params.get("TZID")
            if tzid is not None and tzid not in zones:
                yield Finding(
                    prop.line,
                    f"TZID={tzid} has no VTIMEZONE in this file; clients that do not know the "
                    "name show the time in the wrong zone",
                )
        pending.extend(reversed(current.children))


def _event(event: _Component, *, feed: bool) -> Iterator[Finding]:
    for required in ("UID", "DTSTAMP"):
        if event.first(required) is None:
            yield Finding(event.line, f"VEVENT without {required}")
    stamp = event.first("DTSTAMP")
    if stamp is not None and not stamp.value.upper().endswith("Z"):
        yield Finding(stamp.line, "DTSTAMP must be a UTC time (ending in Z)")
    for name in _TIMED:
        prop = event.first(name)
        if (
            feed
            and prop is not None
            and "TZID" not in prop.params
            and _DATE_TIME.match(prop.value)
            and not prop.value.upper().endswith("Z")
        ):
            yield Finding(
                prop.line,
                f"floating {name} (no TZID, no Z): every subscriber sees it at that clock time "
                "in their own zone",
            )
    start, end = event.first("DTSTART"), event.first("DTEND")
    if start is not None and end is not None:
        first, last = _instant(start), _instant(end)
        comparable = (
            first is not None
            and last is not None
            and (first.tzinfo is None) == (last.tzinfo is None)
        )
        if comparable and last <= first:  # type: ignore[operator]
            yield Finding(end.line, "DTEND is not after DTSTART")


def _day(digits: str) -> datetime:
    """Midnight of a YYYYMMDD date (ValueError if there is no such day)."""
    return datetime(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def _instant(prop: _Property) -> datetime | None:
    """A comparable moment: UTC-aware where the zone is known, else naive."""
    value = prop.value.upper()
    match = _DATE_TIME.match(value)
    # Fixed-width fields (RFC 5545 3.3.4, 3.3.5), read by position: strptime
    # would take "20241301" as 2024-1-30, and takes much longer.
    try:
        if match is None:
            return _day(value) if re.fullmatch(r"\d{8}", value) else None
        day, time = _day(match[1]), match[2]
        moment = day.replace(hour=int(time[:2]), minute=int(time[2:4]), second=int(time[4:]))
    except ValueError:
        return None
    if match[3]:
        return moment.replace(tzinfo=ZoneInfo("UTC"))
    tzid = prop.params.get("TZID")
    if tzid:
        try:
            return moment.replace(tzinfo=ZoneInfo(tzid))
        except (ValueError, KeyError, OSError):
            return None
    return moment
