"""Time the two exports (``schedule.json``, ``schedule.xml``) of a synthetic series as a
build makes them, with their talks encoded in this process and in a process of their own
(``render/encoding_process.py``), and print it as Markdown.

    .venv/bin/python benchmarks/exports.py            # 100,000 sessions, 2 pairs
    .venv/bin/python benchmarks/exports.py 10000 3    # another size, 3 pairs

Each measurement is a fresh process that loads and plans the series (not timed), then
produces each file as the build's write stage does (without writing it): wall time, and
this process's CPU time (the rest is the encoding process's). The two ways run in
interleaved pairs. This is a benchmark, not a test: nothing here asserts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

ONE = r"""
import gc, json, sys, time
from datetime import UTC, datetime
from pathlib import Path

from wego_ical.load.series_file import load_series
from wego_ical.publication.assemble import PublicationSettings, make_publication
from wego_ical.render.workers import WorkerSettings

series = load_series(Path(sys.argv[1]))
gc.disable()  # as a one-off build
WorkerSettings.encodes_apart = lambda self, items: sys.argv[2] == "apart"
publication = make_publication(
    series,
    None,
    datetime(2030, 1, 1, tzinfo=UTC),
    PublicationSettings(workers=WorkerSettings(processes=1)),
)
times = {}
for path in ("schedule.json", "schedule.xml"):
    wall, cpu = time.perf_counter(), time.process_time()
    size = sum(len(piece) for piece in publication.files[path]())
    times[path] = (time.perf_counter() - wall, time.process_time() - cpu, size)
print(json.dumps(times))
"""


def measure(data: Path, way: str) -> dict[str, list[float]]:
    output = subprocess.run(
        [sys.executable, "-c", ONE, str(data), way], capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, list[float]] = json.loads(output)
    return result


def main(size: int, pairs: int) -> None:
    sys.path.insert(0, str(HERE))
    from generate import generate

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "series.toml"
        data.write_text(generate(size), encoding="utf-8")
        print(f"{size:,} sessions, {pairs} interleaved pairs\n")
        print(
            "| talks encoded | schedule.json: wall / CPU here "
            "| schedule.xml: wall / CPU here | both, wall |"
        )
        print("| --- | ---: | ---: | ---: |")
        for _ in range(pairs):
            for way in ("here", "apart"):
                times = measure(data, way)
                (json_wall, json_cpu, _), (xml_wall, xml_cpu, _) = times.values()
                print(
                    f"| {way} | {json_wall:.2f} / {json_cpu:.2f} s "
                    f"| {xml_wall:.2f} / {xml_cpu:.2f} s | {json_wall + xml_wall:.2f} s |",
                    flush=True,
                )


if __name__ == "__main__":
    arguments = [int(arg) for arg in sys.argv[1:]]
    main(*(arguments + [100_000, 2][len(arguments) :]))
