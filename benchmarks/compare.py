"""Two checkouts of wego-ical side by side: a first build, a rebuild with nothing changed
and a rebuild after one session's description is edited (as in run.py), each in a fresh
process, in interleaved rounds
(the machine's speed drifts; interleaving spreads the drift over both).

    .venv/bin/python benchmarks/generate.py 10000 > /tmp/s10k.toml
    .venv/bin/python benchmarks/compare.py BASE/src HEAD/src /tmp/s10k.toml [ROUNDS]

BASE/src and HEAD/src are the ``src`` folders of two worktrees (``git worktree add``); each
build runs this virtual environment's Python with that folder first on ``PYTHONPATH``.
A benchmark, not a test: it prints medians and every run.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import unused

NOW = "2030-01-01T00:00:00Z"


def timed_build(src: str, data: Path, out: Path) -> float:
    environ = {**os.environ, "PYTHONPATH": src}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "wego_ical", "build", "--data", str(data), "--out", str(out),
         "--now", NOW],
        env=environ, check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    base, head, source = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    text = source.read_text(encoding="utf-8")
    # A session's description (the series' own comes first, and every page shows it).
    marker = 'description = "open, '
    edited = text.replace(marker, 'description = "Edited. open, ', 1)
    assert edited != text, "no session description starts with 'open, '"
    trees = {"base": base, "head": head}
    for src in trees.values():
        compileall.compile_dir(Path(src, "wego_ical"), quiet=1)  # as pip installs it (run.py)
    times: dict[str, dict[str, list[float]]] = {
        name: {"first build": [], "nothing changed": [], "one edit": []} for name in trees
    }
    with tempfile.TemporaryDirectory() as scratch:
        for number in range(rounds):
            for name in sorted(trees, reverse=number % 2 == 1):
                # Nothing is deleted before the last round (see run.unused).
                folder = unused(Path(scratch), name)
                folder.mkdir()
                data, out = folder / "series.toml", folder / "dist"
                data.write_text(text, encoding="utf-8")
                times[name]["first build"].append(timed_build(trees[name], data, out))
                times[name]["nothing changed"].append(timed_build(trees[name], data, out))
                data.write_text(edited, encoding="utf-8")
                times[name]["one edit"].append(timed_build(trees[name], data, out))
    print("| | " + " | ".join(times["base"]) + " |")
    print("| --- |" + " ---: |" * len(times["base"]))
    for name, measured in times.items():
        cells = [
            f"{statistics.median(runs):.2f} s ({', '.join(f'{run:.2f}' for run in runs)})"
            for runs in measured.values()
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
