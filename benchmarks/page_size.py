"""How much HTML a phone downloads for any page of a large series (issue 26).

    .venv/bin/python benchmarks/page_size.py            # 1,000, 10,000 and 100,000 sessions
    .venv/bin/python benchmarks/page_size.py 10000

Builds the synthetic series of generate.py with ``wego-ical build`` and reports the
number of pages, the landing page's size and the largest page's size, raw and gzipped
(what a server sending gzip transfers). This is a benchmark, not a test: nothing in it
asserts; the goal (at most ~500 KB of HTML for any page at 10,000 sessions) and the
measured numbers are in benchmarks/README.md.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate


def measure(sessions: int) -> str:
    """One row of the table: pages, index size, largest page, build time."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "series.toml"
        data.write_text(generate(sessions), encoding="utf-8")
        out = Path(folder) / "dist"
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "wego_ical", "build", "--data", str(data), "--out", str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - began
        pages = sorted(out.rglob("*.html"))
        sizes = {page: page.stat().st_size for page in pages}
        largest = max(sizes, key=sizes.__getitem__)
        index = out / "index.html"

        def kb(path: Path) -> str:
            raw = sizes[path] / 1000
            packed = len(gzip.compress(path.read_bytes())) / 1000
            return f"{raw:,.0f} KB ({packed:,.0f} KB gzipped)"

        return (
            f"| {sessions:,} | {len(pages):,} | {kb(index)} | {kb(largest)} "
            f"`{largest.relative_to(out)}` | {seconds:.1f} s |"
        )


def main(sizes: list[int]) -> None:
    print("| sessions | pages | index.html | largest page | whole build |")
    print("| ---: | ---: | --- | --- | ---: |")
    for sessions in sizes:
        print(measure(sessions), flush=True)


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [1_000, 10_000, 100_000])
