"""Benchmark wego-ical on synthetic series and print a Markdown report.

    .venv/bin/python benchmarks/run.py                 # N = 1,000, 10,000 and 100,000
    .venv/bin/python benchmarks/run.py 1000 10000      # chosen sizes

For each N it measures, each in a fresh process:
- the whole ``wego-ical build`` onto an empty folder (after the disk has written what
  earlier runs left in memory; no run's output is deleted before the last run, see
  :func:`unused`): wall time, and (in a
  separate run, as sampling slows the build down) the peak memory of the
  build and its worker processes together (their proportional set size,
  sampled every 50 ms, so that shared pages count once);
- the same build again with no change (wall time, files written), and after
  one session's description was edited;
- time per stage, in one process without workers (so the stages add up to
  the work done): load+validate, plan (snapshots, SEQUENCE, envelopes),
  render (icalendar creating and serializing each VEVENT, and the self-check),
  page (every HTML page), write (producing the files and the folder swap);
- bytes written;
and, as yardsticks, the time icalendar alone needs to create and serialize
every event once (in one process), ``python -c "import icalendar, pydantic,
click"``, the import of the modules a build uses, and the whole build of the
WeGO data. Times are the median of several runs (7 for the small ones, 3 for
a first build of up to 10,000 sessions). With 10,000 sessions and Node.js,
ical-generator writes the same files in interleaved pairs with the build
(wall, CPU, and the CPU split into user and system time). This is a
benchmark, not a test: nothing here asserts. ``floors.py`` measures what the
missed targets cannot go below.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NOW = "2024-06-01T00:00:00Z"
REPEATS = 3

# Time per stage, in one process: worker processes are turned off, so the
# stages add up to the work done (CPU time), not to the wall time of a real
# build, where rendering runs on every core while the page and files are
# written.
STAGES = r"""
import json, sys, time
from datetime import datetime, timezone
from pathlib import Path

from wego_ical.publication import assemble as publication
from wego_ical.publication import event_texts
from wego_ical.load.series_file import load_series
from wego_ical.render.workers import WorkerSettings
from wego_ical.output.write import write_output

spent = {"render": 0.0, "page": 0.0}
render_all = event_texts.render_all
def timed_render(*args):
    start = time.perf_counter()
    try:
        return render_all(*args)
    finally:
        spent["render"] += time.perf_counter() - start
event_texts.render_all = timed_render
page_files = publication.page_files
def timed_pieces(produce):
    def produce_timed():
        pieces = produce()
        while True:
            start = time.perf_counter()
            try:
                piece = next(pieces)
            except StopIteration:
                return
            finally:
                spent["page"] += time.perf_counter() - start
            yield piece
    return produce_timed
def timed_page_files(*args):
    # Every HTML page (the index, and the event and month pages of a large series).
    return {path: timed_pieces(produce) for path, produce in page_files(*args).items()}
publication.page_files = timed_page_files

data, out = Path(sys.argv[1]), Path(sys.argv[2])
now = datetime(2024, 6, 1, tzinfo=timezone.utc)
t0 = time.perf_counter()
series = load_series(data)
t1 = time.perf_counter()
result = publication.make_publication(
    series, None, now, publication.PublicationSettings(workers=WorkerSettings(processes=1))
)
t2 = time.perf_counter()
write_output(out, result.files, [])
t3 = time.perf_counter()
print(json.dumps({
    "load": t1 - t0,
    "plan": t2 - t1,
    "render": spent["render"],
    "page": spent["page"],
    "write": (t3 - t2) - spent["render"] - spent["page"],
    "bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
}))
"""

BASELINE = r"""
import sys, time
from pathlib import Path
from datetime import datetime, timezone
from wego_ical.load.series_file import load_series
from wego_ical.plan.feeds import build_snapshot
from wego_ical.render.calendar import build_vevent
from wego_ical.model import entry_uid, calendar_entries
from wego_ical.plan.records import EventRecord

series = load_series(Path(sys.argv[1]))
stamp = datetime(2024, 1, 1, tzinfo=timezone.utc)
records = [
    EventRecord(uid=entry_uid(series, e), sequence=0, updated=stamp, fingerprint="",
                feeds=[], snapshot=build_snapshot(series, e))
    for e in calendar_entries(series)
]
t0 = time.perf_counter()
events = [build_vevent(record) for record in records]
t1 = time.perf_counter()
serialized = [event.to_ical() for event in events]
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
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


def _pss_kb(pid: int) -> int:
    """Proportional set size of a process and its descendants: shared pages
    (the worker processes share most of their memory with their parent) are
    counted once, split among the processes that share them. A child still in its
    parent's memory is not counted (see :func:`_same_memory`)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
                break
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return total
    return total + sum(_pss_kb(child) for child in children if not _same_memory(pid, child))


# kcmp(2): whether two processes share their memory (KCMP_VM), by machine.
_KCMP = {"x86_64": 312, "aarch64": 272}
_KCMP_VM = 1


def _same_memory(parent: int, child: int) -> bool:
    """Whether ``child`` runs in ``parent``'s memory still: ``subprocess`` starts a
    process with vfork() on Linux, which shares its parent's memory until it runs its
    program, and meanwhile its ``smaps_rollup`` reports all of it. Counted, a build's
    helper started at the wrong moment doubles the peak: a parent holding 408 MB that
    started 400 processes (``true``) read as 816 MB at its highest sample (408 MB with
    this). Probably what made a 100,000-session build read once as 1,834 MB (975 MB the
    next time, the same code)."""
    number = _KCMP.get(platform.machine())
    return number is not None and _libc().syscall(number, parent, child, _KCMP_VM, 0, 0) == 0


@functools.cache
def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def children_cpu() -> float:
    """CPU seconds (user + system) of every child process waited for so far, and of
    the processes they waited for (a build's workers)."""
    return sum(children_user_system())


def children_user_system() -> tuple[float, float]:
    """The same, as user and system (the kernel's, mostly creating files) seconds."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def settled() -> None:
    """Let the disk write what earlier runs left in memory before a timed run starts: a
    build writes 178 MB at 10,000 sessions, which the next run paid for. Three builds
    in a row, twice each way, interleaved: 8.49, 8.46, 8.94 and 10.38, 9.41, 10.35 s
    with this; 9.38, 11.20, 11.29 and 11.39, 9.65, 12.00 s without."""
    os.sync()


def unused(folder: Path, name: str) -> Path:
    """A path in ``folder`` that no earlier run used: no timed run follows a deletion.

    ext4 without a journal (this machine's disk: ``/sys/fs/ext4/*/journal_task`` is
    ``<none>``) does not give a new file an inode deleted less than 60 s before (6 min
    while its inode table is not yet written), and steps over every such inode for
    each new file (``recently_deleted()`` in ``fs/ext4/ialloc.c``). After a deletion of
    10,000 files, writing 10,000 files took 4.07 s instead of 0.32-0.44 s, nearly all
    of it system time; the build and ical-generator, each onto an empty folder with
    the other's output deleted just before, spent 4.3-4.9 s of system time each
    instead of 0.7-1.0 s. So every run writes into a folder of its own, and the
    outputs are deleted together, after the last run.
    """
    path = folder / name
    number = 0
    while path.exists():
        number += 1
        path = folder / f"{name}-{number}"
    return path


def check_disk_space(folder: Path, sizes: list[int]) -> None:
    """Stop early when ``folder`` cannot hold every output until the end (see
    :func:`unused`): a build writes about 20 kB per session. Each size keeps its first
    builds, the folder rebuilt in place and the stages' folder; at 10,000 sessions the
    peer comparison keeps a reference build and a pair of outputs per round."""
    sessions = sum(size * ((REPEATS if size <= 10_000 else 1) + 2) for size in sizes)
    if 10_000 in sizes:
        sessions += 10_000 * (2 * PAIRS + 1)
    needed = 20_000 * sessions
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise SystemExit(
            f"{folder} has {free / 1e9:.1f} GB free; the outputs kept until the end of "
            f"the run need about {needed / 1e9:.1f} GB: choose a larger TMPDIR"
        )


def build_process(data: Path, out: Path, *, memory: bool = False) -> tuple[float, int, int, str]:
    """Wall time, peak memory (kB, all processes; 0 unless ``memory``), files
    written and output of one `wego-ical build` process. Reading the memory
    of a process slows it down, so timed runs do not measure it."""
    wall, _, peak, written, output = build_process_cpu(data, out, memory=memory)
    return wall, peak, written, output


def build_process_cpu(
    data: Path, out: Path, *, memory: bool = False
) -> tuple[float, float, int, int, str]:
    """Like :func:`build_process`, with the CPU time of the build and its workers second."""
    args = ["build", "--data", str(data), "--out", str(out), "--now", NOW]
    # The output goes to a file: a pipe nobody reads while the build runs
    # would fill up and block it.
    with tempfile.TemporaryFile("w+") as log:
        settled()
        cpu_before = children_cpu()
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "wego_ical", *args], stdout=log, stderr=subprocess.STDOUT
        )
        peak = 0
        if memory:
            while process.poll() is None:
                peak = max(peak, _pss_kb(process.pid))
                time.sleep(0.05)
        process.wait()
        wall = time.perf_counter() - start
        cpu = children_cpu() - cpu_before
        log.seek(0)
        output = log.read()
    if process.returncode != 0:
        raise SystemExit(f"build failed:\n{output}")
    if output.startswith("Nothing changed"):
        return wall, cpu, peak, 0, output  # skipped: the build record says nothing changed
    written = int(output.split(" files written")[0].rsplit(": ", 1)[1])
    return wall, cpu, peak, written, output


PEER = Path(os.environ.get("WEGO_ICAL_PEER_BENCH", ROOT.parent / "shared" / "bench"))
PAIRS = 3


def node_process(script: Path, data: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU time of one ical-generator run writing the same feed set."""
    settled()
    cpu_before = children_cpu()
    start = time.perf_counter()
    subprocess.run(
        ["node", str(script), str(data), str(out)],
        check=True,
        capture_output=True,
        env={**os.environ, "TZ": "Europe/Berlin"},
    )
    return time.perf_counter() - start, children_cpu() - cpu_before


def peer_comparison(size: int, scratch: Path) -> dict[str, float] | None:
    """wego-ical and ical-generator (Node.js) writing the same files, in interleaved
    pairs onto empty folders, whole processes: medians of wall and CPU time.
    None (and says why) when Node.js or the peer's script is missing. The outputs stay
    in ``scratch`` (see :func:`unused`)."""
    sys.path.insert(0, str(HERE))
    from generate import generate

    if shutil.which("node") is None or shutil.which("npm") is None:
        print(f"\nPeer: not run (Node.js is not installed); see {PEER}/README.md.")
        return None
    if not (PEER / "feedset.mjs").exists():
        print(f"\nPeer: not run ({PEER}/feedset.mjs not found; set WEGO_ICAL_PEER_BENCH).")
        return None
    work = unused(scratch, "peer")
    work.mkdir()
    shutil.copytree(PEER, work / "peer", ignore=shutil.ignore_patterns("node_modules"))
    subprocess.run(["npm", "install", "--silent"], cwd=work / "peer", check=True)
    data = work / "series.toml"
    data.write_text(generate(size), encoding="utf-8")
    build_process(data, work / "reference")
    feedset = work / "feedset.json"
    python(str(work / "peer" / "extract.py"), str(work / "reference"), str(feedset))
    # (wall, user, system) of each run.
    ours: list[tuple[float, float, float]] = []
    theirs: list[tuple[float, float, float]] = []
    for index in range(PAIRS):
        before = children_user_system()
        wall = build_process_cpu(data, work / f"wego-{index}")[0]
        ours.append((wall, *_used_since(before)))
        node_out = work / f"node-{index}"
        node_out.mkdir()
        before = children_user_system()
        wall = node_process(work / "peer" / "feedset.mjs", feedset, node_out)[0]
        theirs.append((wall, *_used_since(before)))
    result: dict[str, float] = {}
    for side, runs in (("wego", ours), ("peer", theirs)):
        for position, measure in enumerate(("wall", "user", "system")):
            result[f"{side}_{measure}"] = statistics.median(run[position] for run in runs)
        result[f"{side}_cpu"] = statistics.median(user + system for _, user, system in runs)
    print(f"\n{size:,} sessions, whole process onto an empty folder, {PAIRS} interleaved pairs:")
    print("| | wall (median) | CPU, all processes (median) | of it user | of it system |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for side, name in (("wego", "wego-ical build"), ("peer", "ical-generator (same .ics files)")):
        print(
            f"| {name} | {result[f'{side}_wall']:.2f} s | {result[f'{side}_cpu']:.2f} s "
            f"| {result[f'{side}_user']:.2f} s | {result[f'{side}_system']:.2f} s |"
        )
    ratios = [
        result[f"wego_{measure}"] / result[f"peer_{measure}"]
        for measure in ("wall", "cpu", "user", "system")
    ]
    print("| ratio | " + " | ".join(f"{ratio:.2f}×" for ratio in ratios) + " |")
    return result


def _used_since(before: tuple[float, float]) -> tuple[float, float]:
    """User and system seconds of the children waited for since ``before``."""
    user, system = children_user_system()
    return user - before[0], system - before[1]


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


def compile_bytecode(package: Path) -> None:
    """Compile the package's modules as ``pip install .`` (the README's) does when it
    installs them. A checkout installed in editable mode, run with
    PYTHONDONTWRITEBYTECODE=1 (as this machine's environment is), would otherwise compile
    every module from source in every build: about 0.1 s of the WeGO build."""
    import compileall

    compileall.compile_dir(package, quiet=1)


def main(sizes: list[int]) -> None:
    import wego_ical

    compile_bytecode(Path(wego_ical.__file__).parent)
    print(f"Machine: {machine()}\n")
    # Every output stays until the end of the run (see unused()).
    with tempfile.TemporaryDirectory() as folder:
        check_disk_space(Path(folder), sizes)
        measure(sizes, Path(folder))


def measure(sizes: list[int], scratch: Path) -> None:
    """The whole report, every output written into ``scratch``."""
    wego = yardsticks(scratch)
    header = (
        "| sessions | whole build | peak memory | rebuild, no change | files rewritten "
        "| rebuild, one session edited | load+validate | plan | render | page | write "
        "| bytes written | icalendar alone: create / serialize | build ÷ icalendar |"
    )
    print(header)
    print("|" + " --- |" * (header.count("|") - 1))
    results: dict[int, float] = {}
    measured: dict[str, float] = {"wego": wego}
    for size in sizes:
        row = size_row(size, unused(scratch, f"s{size}"))
        results[size] = row["wall"]
        if size == 10_000:
            measured |= {"again": row["again"], "one_edit": row["one_edit"]}
        if size == 100_000:
            measured["peak_100k"] = row["peak"] / 1024
        sys.stdout.flush()
    if 10_000 in results and 100_000 in results:
        print(f"\n100,000 ÷ 10,000 sessions: {results[100_000] / results[10_000]:.1f}× the time")
        measured["scale"] = results[100_000] / results[10_000]
    if 10_000 in sizes:
        peer = peer_comparison(10_000, scratch)
        if peer is not None:
            measured["wall_ratio"] = peer["wego_wall"] / peer["peer_wall"]
            measured["cpu_ratio"] = peer["wego_cpu"] / peer["peer_cpu"]
    print_targets(measured)


def yardsticks(scratch: Path) -> float:
    """Print the yardsticks' table; the WeGO build ÷ the import floor."""
    imports = timed("-c", "import icalendar, pydantic, click", repeat=7)
    # What a build imports before it does any work (pydantic's models, Jinja2).
    build_imports = timed(
        "-c",
        "import jinja2, wego_ical.cli, wego_ical.pipeline, wego_ical.load.series_file, "
        "wego_ical.publication.assemble",
        repeat=7,
    )
    wego_runs = []
    for _ in range(7):
        out = unused(scratch, "wego")
        start = time.perf_counter()
        python(
            "-m", "wego_ical", "build", "--data", str(ROOT / "data/events.toml"), "--out", str(out)
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
    print(f"| the modules a build imports (wego_ical's, Jinja2) | {build_imports:.3f} |")
    print(
        f"| `wego-ical build` of the WeGO data (first build) | {wego:.3f} ({wego / imports:.2f}×) |"
    )
    print(f"| `wego-ical --help` | {help_time:.3f} |")
    print(f"| `wego-ical check` of the WeGO data | {check_time:.3f} |")
    print()
    return wego / imports


def size_row(size: int, folder: Path) -> dict[str, float]:
    """Measure a series of ``size`` sessions in ``folder`` and print its row."""
    sys.path.insert(0, str(HERE))
    from generate import generate

    folder.mkdir()
    data = folder / "series.toml"
    text = generate(size)
    data.write_text(text, encoding="utf-8")
    # The machine is a shared VM whose speed varies from run to run:
    # the first build is repeated (median) where it is short enough.
    firsts = [
        build_process(data, unused(folder, "first"))[:2]
        for _ in range(REPEATS if size <= 10_000 else 1)
    ]
    wall = statistics.median(run[0] for run in firsts)
    out = unused(folder, "out")
    peak = build_process(data, out, memory=True)[1]
    again, _, rewritten, _ = build_process(data, out)
    edited = text.replace('description = "open, ', 'description = "Edited. open, ', 1)
    assert edited != text
    data.write_text(edited, encoding="utf-8")
    one_edit, _, _, output = build_process(data, out)
    assert "changed: " in output, output[-2000:]
    data.write_text(text, encoding="utf-8")
    stages = json.loads(python("-c", STAGES, str(data), str(folder / "staged")).stdout)
    create, serialize = map(float, python("-c", BASELINE, str(data)).stdout.split())
    icalendar_alone = create + serialize
    print(
        f"| {size:,} | {wall:.2f} s | {peak / 1024:,.0f} MB | {again:.2f} s | {rewritten} "
        f"| {one_edit:.2f} s | {stages['load']:.2f} s | {stages['plan']:.2f} s "
        f"| {stages['render']:.2f} s | {stages['page']:.2f} s | {stages['write']:.2f} s "
        f"| {stages['bytes'] / 1e6:,.1f} MB "
        f"| {create:.2f} s / {serialize:.2f} s | {wall / icalendar_alone:.2f}× |"
    )
    return {"wall": wall, "peak": peak, "again": again, "one_edit": one_edit}


TARGETS = [
    ("wall_ratio", "10,000 sessions, first build: wall time ÷ ical-generator's", 1.0, "×"),
    ("cpu_ratio", "10,000 sessions, first build: CPU time ÷ ical-generator's", 1.5, "×"),
    ("scale", "100,000 sessions ÷ 10,000 sessions, wall time", 10.0, "×"),
    ("peak_100k", "100,000 sessions, peak memory (all processes)", 1024.0, " MB"),
    ("again", "10,000 sessions, rebuild with nothing changed", 0.5, " s"),
    ("one_edit", "10,000 sessions, rebuild after one edited session", 1.0, " s"),
    ("wego", "WeGO build ÷ import floor", 2.0, "×"),
]


def print_targets(measured: dict[str, float]) -> None:
    """Each target of issue 35 with what this run measured."""
    print("\n| target | limit | measured | met |")
    print("| --- | ---: | ---: | --- |")
    for key, name, limit, unit in TARGETS:
        value = measured.get(key)
        shown = "not measured" if value is None else f"{value:,.2f}{unit}"
        met = "" if value is None else ("yes" if value <= limit else "**no**")
        print(f"| {name} | ≤ {limit:,.2f}{unit} | {shown} | {met} |")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1_000, 10_000, 100_000])
