"""A memory guard that cannot be noisy (issue 35): a whole build of 2,000 sessions in one
process, its peak of traced allocations (tracemalloc counts what Python allocates, not
what the machine happens to have) against a ceiling. An output that starts holding a
whole file, a tree of it, or the series twice, fails here. Speed stays in benchmarks/."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from conftest import large_series
from wego_ical.load.series_file import parse_editions
from wego_ical.output.write import write_output
from wego_ical.publication.assemble import (
    LanguageEdition,
    PublicationSettings,
    make_publication,
)
from wego_ical.render.workers import WorkerSettings

SESSIONS = 2000
# Measured: a peak of 42.6 MB at 29c0b6b (the same in every run: tracemalloc counts
# allocations) for 33.8 MB of output (the feeds, the pages, the exports, every
# single-event file); 39.0 MB once schedule.json and schedule.xml were written as their
# talks are made (the XML tree and the structure of every talk took 3.6 MB more). all.ics
# is 2.4 MB: a build that held it whole measured 2.5 MB more, over this ceiling. A change
# that needs more memory raises it, with its numbers. Measured again on 2026-12-07: 30.5 MB
# at f7eb952 and 30.1 MB at 97a0d75 (entries made once per series); encoding
# schedule.json with pydantic_core's to_json instead of json.dumps measured 30.9 MB and
# 0.76 MB more left at the end (the UTF-8 copy it leaves on each accented text it writes).
CEILING_MB = 33


def test_a_build_of_2000_sessions_stays_under_its_memory_ceiling(tmp_path: Path) -> None:
    text = large_series(SESSIONS)
    tracemalloc.start()
    try:
        (edition,) = parse_editions(text)
        publication = make_publication(
            edition.series,
            None,
            datetime(2030, 1, 1, tzinfo=UTC),
            PublicationSettings(
                LanguageEdition(descriptions=edition.descriptions),
                workers=WorkerSettings(processes=1),
            ),
        )
        write_output(tmp_path / "dist", publication.files, [])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    written = sum(path.stat().st_size for path in (tmp_path / "dist").rglob("*") if path.is_file())
    assert written > 30_000_000  # the build wrote what a 2,000-session series writes
    assert peak / 1e6 < CEILING_MB, f"peak {peak / 1e6:.1f} MB for {written / 1e6:.1f} MB written"
