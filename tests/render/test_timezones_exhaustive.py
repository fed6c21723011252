"""Every zone tzdata knows, every year 1970–2037: the generated VTIMEZONE gives zoneinfo's offsets.

The VTIMEZONE is read back the way RFC 5545 §3.6.5 defines it, independently
of how it was generated: every observance onset (DTSTART, expanded by its
RRULE with dateutil) is an instant ``DTSTART - TZOFFSETFROM``, and the offset
at any instant is the TZOFFSETTO of the latest onset before it. That is
compared, one second before and after every transition tzdata lists and in
the middle of every period, with zoneinfo. The transitions come from the
pure-Python zoneinfo reader's table of the TZif file (an independent list of
tzdata's changes, not the sampling the generator uses).
"""

from __future__ import annotations

import bisect
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo, _zoneinfo, available_timezones  # type: ignore[attr-defined]

import pytest
from dateutil.rrule import rrulestr
from icalendar import Timezone

from wego_ical.render.vtimezone import build_vtimezone

pytestmark = pytest.mark.slow

FIRST, LAST = 1970, 2037


def onsets(component: Timezone) -> list[tuple[float, timedelta]]:
    """(UTC onset, offset after) of every observance occurrence, in time order."""
    result = []
    end = datetime(LAST + 2, 1, 1)
    for observance in component.subcomponents:
        start: datetime = observance.decoded("DTSTART")
        before: timedelta = observance.decoded("TZOFFSETFROM")
        after: timedelta = observance.decoded("TZOFFSETTO")
        local = [start]
        if "RRULE" in observance:
            rule = _ical_text(observance["RRULE"])
            local = list(rrulestr(rule, dtstart=start).between(start, end, inc=True))
        result += [((moment - before).replace(tzinfo=UTC).timestamp(), after) for moment in local]
    return sorted(result)


def mismatches(name: str) -> list[str]:
    zone = ZoneInfo(name)
    component = cast(Timezone, Timezone.from_ical(build_vtimezone(name, FIRST, LAST).to_ical()))
    table = onsets(component)
    instants = [instant for instant, _ in table]
    start = datetime(FIRST, 1, 1, tzinfo=zone).timestamp()
    end = datetime(LAST + 1, 1, 1, tzinfo=zone).timestamp()
    changes = [t for t in _zoneinfo.ZoneInfo.no_cache(name)._trans_utc if start < t < end]
    points = {start, end - 1}
    for change in changes:
        points.update((change - 1, change))
    for low, high in zip([start, *changes], [*changes, end], strict=True):
        points.add((low + high) // 2)
    found = []
    for point in sorted(points):
        index = bisect.bisect_right(instants, point) - 1
        got = table[index][1] if index >= 0 else None
        expected = datetime.fromtimestamp(point, zone).utcoffset()
        if got != expected:
            found.append(f"{name} {datetime.fromtimestamp(point, UTC)}: {got} != {expected}")
    return found


def test_every_zone_and_year_matches_zoneinfo() -> None:
    names = sorted(available_timezones())
    with ProcessPoolExecutor(min(len(os.sched_getaffinity(0)), 4)) as pool:
        problems = [line for found in pool.map(mismatches, names, chunksize=8) for line in found]
    assert not problems, f"{len(problems)} mismatches, first: {problems[:10]}"


def _ical_text(value: Any) -> str:
    return bytes(value.to_ical()).decode()
