"""What the missed targets of issues 15 and 35 cannot go below, step by step, and print it
as Markdown.

    .venv/bin/python benchmarks/floors.py          # 10,000 sessions
    .venv/bin/python benchmarks/floors.py 1000     # another size

Two measurements, each step timed alone:

- **One edited session.** A rebuild after one description changed must, whatever
  it reuses: start Python and import what reads and writes the data; parse and
  validate the whole data file (one file holds the series); read the previous
  publication state (``feeds.json``: SEQUENCE, fingerprints) and write it again;
  hard-link every unchanged file into the new output folder (the folder is
  swapped in one step); and write the files that hold every event (the page,
  ``all.ics``, ``feeds.json``). Their sum is a lower bound of the rebuild under
  this design, before any event is planned, any page fragment produced or any
  file compared. The real rebuild is timed beside it. Of those steps, three stay
  whatever a rebuild could reuse from the last one (a model kept from it, planning
  only the edited event): starting and importing, parsing the TOML text (one file
  holds the series) and the hard links (the folder is swapped whole).
- **WeGO build against the import floor.** The floor imports icalendar, pydantic
  and click; ``import pydantic`` is lazy and imports none of what a model needs.
  Each rung adds one thing a build cannot do without, up to the whole build: the
  libraries' part of it (pydantic's models, Jinja2 and Babel's dates for the page)
  comes before wego-ical's own.

Steps in this process are the median of 5 runs; processes the median of 9,
interleaved. This is a benchmark, not a test: nothing here asserts.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from run import build_process, python, unused

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# What a rebuild imports before it reads the data (the build's own modules pull in
# pydantic's models, icalendar and click).
REBUILD_IMPORTS = (
    "import wego_ical.cli, wego_ical.pipeline, wego_ical.load.series_file, "
    "wego_ical.plan.state_file, wego_ical.publication.assemble, wego_ical.output.write"
)
# The files a one-edit rebuild always writes again: each holds every event.
WHOLE_SERIES_FILES = ("index.html", "all.ics", "feeds.json")
# Issue 35's targets (issue 15 had 1.5 s and 1.5×).
TARGET_ONE_EDIT = 1.0
TARGET_WEGO = 2.0


def median_of(action: Callable[[], object], runs: int = 5) -> float:
    """The median wall time of ``action`` over ``runs`` runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def link_everything(out: Path, into: Path) -> None:
    """Hard-link every file of ``out`` into ``into``, as a rebuild links unchanged files."""
    shutil.rmtree(into, ignore_errors=True)
    for folder, _, names in os.walk(out):
        target = into / Path(folder).relative_to(out)
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.link(Path(folder) / name, target / name)


def write_copies(contents: dict[str, bytes], into: Path) -> None:
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir()
    for name, content in contents.items():
        (into / name).write_bytes(content)


def one_edit_floor(size: int) -> None:
    """The steps every one-edit rebuild of ``size`` sessions takes, against the real one."""
    sys.path.insert(0, str(HERE))
    import tomli
    from generate import generate

    from wego_ical.load.series_file import load_editions
    from wego_ical.plan.state_file import read_state

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        data, out = work / "series.toml", work / "out"
        text = generate(size)
        data.write_text(text, encoding="utf-8")
        build_process(data, out)
        edits = iter(range(1, 1000))

        def edited_rebuild() -> None:
            changed = text.replace(
                'description = "open, ', f'description = "Edited {next(edits)}. open, ', 1
            )
            data.write_text(changed, encoding="utf-8")
            assert "changed: " in build_process(data, out)[3]

        rebuild = median_of(edited_rebuild, runs=3)
        raw = data.read_bytes()
        state = read_state(out)
        assert state is not None
        files = sum(len(names) for _, _, names in os.walk(out))
        whole = {name: (out / name).read_bytes() for name in WHOLE_SERIES_FILES}
        megabytes = sum(map(len, whole.values())) / 1e6
        # What no reuse of the last build removes: starting and importing, the hard links.
        imports = median_of(lambda: python("-c", REBUILD_IMPORTS))
        links = median_of(lambda: link_everything(out, work / "linked"))
        steps = [
            ("start Python, import what a rebuild imports", imports),
            (
                "parse and validate the data file (`load_editions`)",
                median_of(lambda: load_editions(data, raw)),
            ),
            ("read the previous `feeds.json` (`read_state`)", median_of(lambda: read_state(out))),
            (
                "produce `feeds.json` again (`State.json_chunks`)",
                median_of(lambda: b"".join(state.json_chunks())),
            ),
            (f"hard-link the output's {files:,} files into a new folder", links),
            (
                f"write {', '.join(WHOLE_SERIES_FILES)} ({megabytes:.0f} MB)",
                median_of(lambda: write_copies(whole, work / "written")),
            ),
        ]
        parse = median_of(lambda: tomli.loads(raw.decode("utf-8")))
    floor = sum(seconds for _, seconds in steps)
    # The TOML parse stays too: one file holds the series.
    fixed = imports + parse + links
    print(f"### One edited session, {size:,} sessions\n")
    print("| step every rebuild takes | seconds |")
    print("| --- | ---: |")
    for name, seconds in steps:
        print(f"| {name} | {seconds:.3f} |")
    print(f"| (of the load: the TOML parse alone, tomli) | ({parse:.3f}) |")
    print(f"| **sum: lower bound under this design** | **{floor:.3f}** |")
    print(f"| of it, what stays whatever a rebuild reuses (start, parse, links) | {fixed:.3f} |")
    print(f"| the real one-edit rebuild (`wego-ical build`, median of 3) | {rebuild:.3f} |")
    print(f"| target | {TARGET_ONE_EDIT:.3f} |")
    print(
        f"\nThe steps alone are {floor / TARGET_ONE_EDIT:.0%} of the target; what is left for "
        f"planning {size:,} events, producing the page and finding what changed: "
        f"{max(TARGET_ONE_EDIT - floor, 0):.3f} s. Even a rebuild that reused everything "
        f"else would start at {fixed:.3f} s ({fixed / TARGET_ONE_EDIT:.0%} of the target).\n"
    )


def wego_ladder() -> None:
    """The WeGO build against the import floor, one thing added at a time."""
    python = sys.executable
    data = str(ROOT / "data" / "events.toml")
    floor = "import icalendar, pydantic, click"
    libraries = f"{floor}; from pydantic import BaseModel; import jinja2, babel.dates"
    rungs: list[tuple[str, list[str] | None]] = [
        (f"`{floor}` (the floor)", [python, "-c", floor]),
        (
            "… and `from pydantic import BaseModel`",
            [python, "-c", f"{floor}; from pydantic import BaseModel"],
        ),
        (
            "… and the page's libraries (`import jinja2, babel.dates`)",
            [python, "-c", libraries],
        ),
        (
            "… and the schema (`import wego_ical.model`)",
            [python, "-c", f"{libraries}; import wego_ical.model"],
        ),
        (
            "… and loading the WeGO data (parse, validate)",
            [
                python,
                "-c",
                f"{libraries}; from pathlib import Path; "
                "from wego_ical.load.series_file import load_editions; "
                f"load_editions(Path({data!r}))",
            ],
        ),
        ("`wego-ical build` of the WeGO data onto an empty folder", None),
    ]
    times: dict[str, list[float]] = {name: [] for name, _ in rungs}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(9):
            for name, command in rungs:
                out = unused(Path(folder), "out")  # no run follows a deletion
                start = time.perf_counter()
                if command is None:
                    build_process(Path(data), out)
                else:
                    subprocess.run(command, check=True, capture_output=True)
                times[name].append(time.perf_counter() - start)
    base = statistics.median(times[rungs[0][0]])
    print("### WeGO build against the import floor\n")
    print("| process | seconds | ÷ floor |")
    print("| --- | ---: | ---: |")
    for name, _ in rungs:
        seconds = statistics.median(times[name])
        print(f"| {name} | {seconds:.3f} | {seconds / base:.2f}× |")
    print(f"| target | {base * TARGET_WEGO:.3f} | {TARGET_WEGO:.2f}× |\n")


def main(size: int) -> None:
    one_edit_floor(size)
    wego_ladder()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
