"""Check iCalendar files for the problems that break real calendar clients.

Works on any ``.ics`` file, ours or someone else's, and reports each finding
with its line number and a one-line explanation. The build runs the same
checks on every file it generates before it replaces the output folder.
Content lines are parsed with icalendar's own parser; what is checked here is
what a parser forgives but a client does not.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar.parser import Contentline

from wego_ical.limits import MAX_DEPTH, MAX_FINDINGS
from wego_ical.lint.physical import Finding, physical_findings_of, physical_lines

__all__ = ["MAX_DEPTH", "MAX_FINDINGS", "Finding", "Findings", "lint", "lint_event"]

_DATE_TIME = re.compile(r"^(\d{8})T(\d{6})(Z?)$")
_TIMED = ("DTSTART", "DTEND", "RECURRENCE-ID", "DUE")
# The properties the checks look at; other lines are only checked physically
# (and for a TZID parameter).
_NAMES = "BEGIN|END|UID|DTSTAMP|DTSTART|DTEND|RECURRENCE-ID|DUE|METHOD|TZID"
_RELEVANT = re.compile(f"(?i)({_NAMES})[;:]")
# The start of a content line some check may look at: a relevant name, a
# parameter (it may be a TZID) or a quote before the first colon, or no colon.
_CHECKED = re.compile(f'(?i)({_NAMES})[;:]|[^:]*([;"]|$)'.encode())


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

    def first(self, name: str) -> _Property | None:
        return self.firsts.get(name)

    def add(self, prop: _Property) -> None:
        self.firsts.setdefault(prop.name, prop)
        if "TZID" in prop.params:
            self.zoned.append(prop)


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

    Takes time in proportion to the size of ``data``; besides ``data`` itself, memory
    in proportion to its distinct UIDs, whatever else it holds.
    """
    findings = Findings()
    findings.extend(physical_findings_of(data))
    _Checker(findings, top="VCALENDAR", feed=feed).read(_content_lines(data))
    return findings.sorted()


def lint_event(data: bytes, zones: set[str]) -> list[Finding]:
    """Findings for one serialized VEVENT, as it is spliced into calendars that
    define the time zones ``zones``."""
    findings = Findings()
    findings.extend(physical_findings_of(data))
    _Checker(findings, top="VEVENT", feed=True, zones=zones).read(_content_lines(data))
    return findings.sorted()


# --------------------------------------------------------------------------- bytes


def _content_lines(data: bytes) -> Iterator[tuple[int, str]]:
    """Unfolded content lines with the number of the physical line each starts on,
    one at a time: neither the lines nor the text of the file are ever held whole.
    Lines no check looks at are passed over unread."""
    start, pieces, passing = 0, None, False
    for number, line in enumerate(physical_lines(data.removeprefix(b"\xef\xbb\xbf")), 1):
        if line[:1] in (b" ", b"\t") and (passing or pieces is not None):
            if not passing:
                pieces.append(line[1:])  # type: ignore[union-attr]
        elif line:
            if pieces is not None:
                # Decoded once unfolded: a fold may split a character.
                yield start, b"".join(pieces).decode("utf-8", errors="replace")
            passing = _CHECKED.match(line) is None
            start, pieces = number, None if passing else [line]
    if pieces is not None:
        yield start, b"".join(pieces).decode("utf-8", errors="replace")


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


class _Checker:
    """Checks each component as END closes it, and forgets it: only the open
    components are held, and per top component the zones it defines, the TZIDs
    it names before their VTIMEZONE, and its UIDs (a file of a million events
    sharing one UID takes no more than a file of one)."""

    def __init__(
        self, findings: Findings, *, top: str, feed: bool, zones: set[str] | None = None
    ) -> None:
        self.findings, self.top, self.feed = findings, top, feed
        self.given_zones = frozenset(zones or ())
        self.stack: list[_Component] = []
        self.too_deep = 0  # components open below MAX_DEPTH, only counted
        self.open_zones = 0  # VTIMEZONEs open: what is inside names no zone to check
        self.roots = 0
        self._start_root()

    def _start_root(self) -> None:
        self.zones = set(self.given_zones)
        self.unknown: dict[str, array[int]] = {}  # TZIDs not defined so far: their lines
        self.uids: dict[str, int] = {}

    def read(self, lines: Iterable[tuple[int, str]]) -> None:
        """Check every content line of a file, then what was left open."""
        for number, content in lines:
            if ":" in content and not _RELEVANT.match(content) and ";TZID=" not in content.upper():
                continue  # nothing is checked about this property
            parsed = _parsed(number, content, self.findings)
            if parsed is not None:
                self._add(number, *parsed)
        for component in self.stack:
            self.findings.append(Finding(component.line, f"BEGIN:{component.name} is never closed"))
        while self.stack:
            self._close(self.stack.pop())
        if not self.roots:
            self.findings.append(Finding(None, f"no {self.top} in the file"))

    def _add(self, number: int, name: str, params: dict[str, str], value: str) -> None:
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
        if not self.stack:
            self.roots += 1
            self._start_root()
        component = _Component(value.upper(), number)
        if component.name == "VTIMEZONE":
            self.open_zones += 1
        self.stack.append(component)

    def _end(self, number: int, value: str) -> None:
        if not self.stack or self.stack[-1].name != value.upper():
            self.findings.append(Finding(number, f"END:{value} does not close an open BEGIN"))
            return
        self._close(self.stack.pop())

    def _close(self, component: _Component) -> None:
        if component.name == "VTIMEZONE":
            self.open_zones -= 1
        root = self.stack[0] if self.stack else component
        if root.name != self.top:
            if root is component:
                self.findings.append(Finding(root.line, f"{root.name} outside a {self.top}"))
            return  # what is inside is not checked
        if component.name == "VTIMEZONE":
            if (tzid := component.first("TZID")) is not None:
                self.zones.add(tzid.value)
                self.unknown.pop(tzid.value, None)
        elif not self.open_zones and (self.stack or self.top != "VCALENDAR"):
            self._note_tzids(component)
        if component.name == "VEVENT":
            self._event(component)
        if root is component:
            self._root_closed(component)

    def _note_tzids(self, component: _Component) -> None:
        for prop in component.zoned:
            tzid = prop.params["TZID"]
            if tzid not in self.zones:
                self.unknown.setdefault(tzid, array("q")).append(prop.line)

    def _event(self, event: _Component) -> None:
        self.findings.extend(_event(event, feed=self.feed))
        uid = event.first("UID")
        if self.top != "VCALENDAR" or uid is None:
            return
        recurrence = event.first("RECURRENCE-ID")
        key = f"{uid.value}\0{recurrence.value if recurrence else ''}"
        first = self.uids.setdefault(key, uid.line)
        if first != uid.line:
            self.findings.append(
                Finding(
                    uid.line,
                    f"duplicate UID {uid.value!r} (first on line {first}); clients keep only one",
                )
            )

    def _root_closed(self, root: _Component) -> None:
        method = root.first("METHOD")
        if (
            self.top == "VCALENDAR"
            and self.feed
            and method is not None
            and method.value.upper() != "PUBLISH"
        ):
            self.findings.append(
                Finding(
                    method.line,
                    f"METHOD:{method.value} in a published feed; clients treat it as an "
                    "invitation to answer (use METHOD:PUBLISH or none)",
                )
            )
        for tzid, lines in self.unknown.items():
            self.findings.extend(
                Finding(
                    line,
                    f"TZID={tzid} has no VTIMEZONE in this file; clients that do not know the "
                    "name show the time in the wrong zone",
                )
                for line in lines
            )
        self.unknown = {}
        self.uids = {}


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
