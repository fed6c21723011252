"""Benchmark wego-ical on synthetic series and print a Markdown report.

    .venv/bin/python benchmarks/run.py                 # N = 1,000, 10,000 and 100,000
    .venv/bin/python benchmarks/run.py 1000 10000      # chosen sizes

For each N it measures, each in a fresh process:
- the whole ``wego-ical build`` (wall time and peak memory), onto an empty folder;
- the same build again with no change (wall time, files written);
- time per stage: load+validate, build (models to components), serialize
  (icalendar's to_ical), write (the output folder);
- bytes written;
and, as yardsticks, the time icalendar alone needs to create and serialize
every event once, ``python -c "import icalendar, pydantic, click"``, and the
whole build of the WeGO data. Times are the median of several runs where a
run is short. This is a benchmark, not a test: nothing here asserts.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NOW = "2024-06-01T00:00:00Z"

STAGES = r"""
import json, resource, sys, time
from datetime import datetime, timezone
from pathlib import Path
import icalendar.cal.component as component

spent = {"serialize": 0.0}
original = component.Component.to_ical
def timed(self, *args, **kwargs):
    start = time.perf_counter()
    try:
        return original(self, *args, **kwargs)
    finally:
        spent["serialize"] += time.perf_counter() - start
component.Component.to_ical = timed

from wego_ical.build import publish
from wego_ical.load import load_series
from wego_ical.write import write_output

data, out = Path(sys.argv[1]), Path(sys.argv[2])
now = datetime(2024, 6, 1, tzinfo=timezone.utc)
t0 = time.perf_counter()
series = load_series(data)
t1 = time.perf_counter()
publication = publish(series, None, now)
t2 = time.perf_counter()
write_output(out, publication.files, publication.state.json_chunks)
t3 = time.perf_counter()
print(json.dumps({
    "load": t1 - t0,
    "build": (t2 - t1) - spent["serialize"],
    "serialize": spent["serialize"],
    "write": t3 - t2,
    "files": len(publication.files) + 1,
    "bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
}))
"""

BASELINE = r"""
import sys, time
from pathlib import Path
from datetime import datetime, timezone
from wego_ical.build import build_snapshot, build_vevent
from wego_ical.load import load_series
from wego_ical.model import entry_uid, occurrences
from wego_ical.state import EventRecord

series = load_series(Path(sys.argv[1]))
stamp = datetime(2024, 1, 1, tzinfo=timezone.utc)
records = [
    EventRecord(uid=entry_uid(series, e), sequence=0, updated=stamp, fingerprint="",
                feeds=[], snapshot=build_snapshot(series, e))
    for e in occurrences(series)
]
t0 = time.perf_counter()
events = [build_vevent(record) for record in records]
t1 = time.perf_counter()
serialized = [event.to_ical() for event in events]
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""

MEMORY = r"""
import resource, sys
from wego_ical.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("MAXRSS", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=True, env=env
    )


def timed(*args: str, repeat: int = 1) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        python(*args)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def build_process(data: Path, out: Path) -> tuple[float, int, int]:
    """Wall time, peak RSS (kB) and files written of one `wego-ical build` process."""
    args = ["build", "--data", str(data), "--out", str(out), "--now", NOW]
    start = time.perf_counter()
    done = python("-c", MEMORY, *args)
    wall = time.perf_counter() - start
    rss = int(done.stderr.rsplit("MAXRSS", 1)[1])
    written = int(done.stdout.rsplit(": ", 1)[1].split(" files written")[0])
    return wall, rss, written


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"{memory:.0f} GiB RAM, Python {platform.python_version()}"
    )


def main(sizes: list[int]) -> None:
    sys.path.insert(0, str(HERE))
    from generate import generate

    print(f"Machine: {machine()}\n")
    imports = timed("-c", "import icalendar, pydantic, click", repeat=7)
    with tempfile.TemporaryDirectory() as folder:
        wego_runs = []
        for index in range(7):
            out = Path(folder) / f"wego-{index}"
            start = time.perf_counter()
            python(
                "-m",
                "wego_ical",
                "build",
                "--data",
                str(ROOT / "data/events.toml"),
                "--out",
                str(out),
            )
            wego_runs.append(time.perf_counter() - start)
        wego = statistics.median(wego_runs)
        help_time = timed("-m", "wego_ical", "--help", repeat=7)
        check_time = timed(
            "-m", "wego_ical", "check", "--data", str(ROOT / "data/events.toml"), repeat=7
        )
    print("| yardstick | seconds |")
    print("| --- | ---: |")
    print(f'| `python -c "import icalendar, pydantic, click"` | {imports:.3f} |')
    print(
        f"| `wego-ical build` of the WeGO data (first build) | {wego:.3f} ({wego / imports:.2f}×) |"
    )
    print(f"| `wego-ical --help` | {help_time:.3f} |")
    print(f"| `wego-ical check` of the WeGO data | {check_time:.3f} |")
    print()
    header = (
        "| sessions | whole build | peak memory | rebuild, no change | files rewritten "
        "| load+validate | build | serialize | write | bytes written "
        "| icalendar alone: create / serialize | build ÷ icalendar |"
    )
    print(header)
    print("|" + " --- |" * (header.count("|") - 1))
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder) / "series.toml"
            data.write_text(generate(size), encoding="utf-8")
            wall, rss, _ = build_process(data, Path(folder) / "out")
            again, _, rewritten = build_process(data, Path(folder) / "out")
            stages = json.loads(
                python("-c", STAGES, str(data), str(Path(folder) / "staged")).stdout
            )
            create, serialize = map(float, python("-c", BASELINE, str(data)).stdout.split())
        icalendar_alone = create + serialize
        results[size] = wall
        print(
            f"| {size:,} | {wall:.2f} s | {rss / 1024:,.0f} MB | {again:.2f} s | {rewritten} "
            f"| {stages['load']:.2f} s | {stages['build']:.2f} s | {stages['serialize']:.2f} s "
            f"| {stages['write']:.2f} s | {stages['bytes'] / 1e6:,.1f} MB "
            f"| {create:.2f} s / {serialize:.2f} s | {wall / icalendar_alone:.2f}× |"
        )
        sys.stdout.flush()
    if 10_000 in results and 100_000 in results:
        print(f"\n100,000 ÷ 10,000 sessions: {results[100_000] / results[10_000]:.1f}× the time")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1_000, 10_000, 100_000])
