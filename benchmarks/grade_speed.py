"""What isolation costs: the spec run in process against the same spec run through `nnspec grade`, per chapter.

Prints figures; not a test. Run from the repository root:

    python benchmarks/grade_speed.py                       # whole spec, MNIST gate included, 3 repeats
    python benchmarks/grade_speed.py --chapters activations,network --repeats 5
    python benchmarks/grade_speed.py --never-returns       # also grade tests/impls/backward_never_returns.py once
    python benchmarks/grade_speed.py --batch 20            # also batch mode: 20 copies with --jobs 2
    python benchmarks/grade_speed.py --repeats 0 --chapters network --batch 20   # batch mode alone, one chapter

Each repeat runs, one after the other (alternated, so that load from other processes hits both alike), both with
the grader's worker environment (one BLAS thread, hash seed 0):

- in process: ``python -m pytest <spec> --impl IMPL --junitxml ...``, whose per-test times are summed per spec
  module (one module is one chapter);
- graded: ``python -m nnspec.grade IMPL --json ...``, whose per-requirement times and round trips (messages to the
  worker that were answered: calls, and the submission's calls back into the grader) are summed per chapter.

Per chapter: the median of the repeats' sums, in process and graded, and their ratio. Total: the median wall time
of the whole command (interpreter start, collection and, when graded, the worker's start included). Time to the
first result: from launching `nnspec grade` to the moment the first requirement's result was known (the grade's
start, ``started_at``, plus the earliest ``finished`` in the JSON report), and to the first line it printed (the
report is printed at the end today, so that is the whole grade).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.mutants, run as a script from the root

from nnspec.grade.proxy import WORKER_ENV
from tests.mutants.mutation import self_contained

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"
DEFAULT_IMPL = "examples/learner_correct.py"
NEVER_RETURNS = "tests/impls/backward_never_returns.py"
BATCH_JOBS = 2
# What the grader uses, and its worker's environment (one BLAS thread) for the in-process runs too: on a loaded 2-core
# machine two BLAS threads wait for each other, and one whole in-process spec took 15 minutes (2026-11-30).
ENV = {**os.environ, **WORKER_ENV, "NNSPEC_HYPOTHESIS_PROFILE": "ci"}


@dataclass
class Run:
    """One timed command: its wall time, seconds per chapter, round trips per chapter, and the first results."""

    wall: float
    chapters: dict[str, float]
    round_trips: dict[str, int] = field(default_factory=dict)
    first_result: float = float("nan")
    first_line: float = float("nan")
    summary: str = ""


def chapter_of_module(path: str) -> str:
    """spec/test_gradient_check.py (or the junit classname spec.test_gradient_check) -> "gradient check"."""
    return Path(path.replace(".", "/")).name.removeprefix("test_").replace("_", " ")


def in_process(impl: str, chapters: list[str], folder: Path) -> Run:
    junit = folder / "in_process.xml"
    paths = [str(SPEC / f"test_{name.replace(' ', '_')}.py") for name in chapters] or [str(SPEC)]
    command = [sys.executable, "-m", "pytest", *paths, "--impl", impl, "-p", "no:cacheprovider", "-q",
               "--junitxml", str(junit)]
    started = time.perf_counter()
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=ENV)
    wall = time.perf_counter() - started
    seconds: dict[str, float] = defaultdict(float)
    for case in ET.parse(junit).getroot().iter("testcase"):
        seconds[chapter_of_module(case.get("classname", ""))] += float(case.get("time", "0"))
    lines = finished.stdout.strip().splitlines()
    return Run(wall, dict(seconds), summary=lines[-1] if lines else finished.stderr[-300:])


def graded(impl: str, chapters: list[str], folder: Path) -> Run:
    report_path = folder / "grade.json"
    command = [sys.executable, "-m", "nnspec.grade", impl, "--json", str(report_path)]
    command += _chapter_arguments(chapters)
    launched_at, started = time.time(), time.perf_counter()
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=ENV) as process:
        assert process.stdout is not None
        first_line = float("nan")
        lines = []
        for line in process.stdout:
            if not lines:
                first_line = time.perf_counter() - started
            lines.append(line.rstrip())
    wall = time.perf_counter() - started
    report = json.loads(report_path.read_text())
    seconds: dict[str, float] = defaultdict(float)
    trips: dict[str, int] = defaultdict(int)
    finished = []
    for requirement in report["requirements"]:
        seconds[requirement["chapter"]] += requirement["duration"]
        trips[requirement["chapter"]] += requirement.get("round_trips", 0)
        if requirement["status"] != "not run" and requirement.get("finished"):
            finished.append(requirement["finished"])
    first_result = report.get("started_at", launched_at) - launched_at + min(finished, default=float("nan"))
    summary = next((line for line in lines if line.startswith("score:")), lines[-1] if lines else "")
    return Run(wall, dict(seconds), dict(trips), first_result, first_line,
               f"{summary}; {report.get('round_trips', '?')} round trips, {report['worker_restarts']} restarts")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def compare(impl: str, chapters: list[str], repeats: int) -> None:
    runs: dict[str, list[Run]] = {"in process": [], "graded": []}
    with tempfile.TemporaryDirectory(prefix="nnspec-grade-speed-") as tmp:
        for repeat in range(repeats):
            for mode, measure in (("in process", in_process), ("graded", graded)):
                run = measure(impl, chapters, Path(tmp))
                runs[mode].append(run)
                print(f"repeat {repeat + 1}, {mode}: {run.wall:.1f} s wall ({run.summary}); load average "
                      f"{os.getloadavg()[0]:.1f}", flush=True)
    inside, outside = runs["in process"], runs["graded"]
    names = sorted({name for run in inside + outside for name in run.chapters}, key=_chapter_order)
    print(f"\n## {impl}: in process against graded (median of {repeats} alternated runs)\n")
    print("| chapter | in process s | graded s | graded / in process | round trips |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in names:
        a = median([run.chapters.get(name, 0.0) for run in inside])
        b = median([run.chapters.get(name, 0.0) for run in outside])
        trips = median([run.round_trips.get(name, 0) for run in outside])
        if not (a or b or trips):  # e.g. "loading": graded only, no calls
            continue
        print(f"| {name} | {a:.2f} | {b:.2f} | {_ratio(b, a)} | {trips:.0f} |")
    a = median([sum(run.chapters.values()) for run in inside])
    b = median([sum(run.chapters.values()) for run in outside])
    trips = median([sum(run.round_trips.values()) for run in outside])
    print(f"| **sum of the chapters** | {a:.2f} | {b:.2f} | {_ratio(b, a)} | {trips:.0f} |")
    a, b = median([run.wall for run in inside]), median([run.wall for run in outside])
    print(f"| **whole command, wall** | {a:.1f} | {b:.1f} | {_ratio(b, a)} | |")
    print(f"\ntime to the first result (graded): the first requirement's result known "
          f"{median([run.first_result for run in outside]):.1f} s after launch; first line printed "
          f"{median([run.first_line for run in outside]):.1f} s after launch")
    print("walls, in process: " + " ".join(f"{run.wall:.1f}" for run in inside)
          + "; graded: " + " ".join(f"{run.wall:.1f}" for run in outside))


def never_returns() -> None:
    """One grade of a submission whose backward loops forever, with the default limits."""
    with tempfile.TemporaryDirectory(prefix="nnspec-grade-speed-") as tmp:
        target = self_contained(ROOT / NEVER_RETURNS, Path(tmp))  # its reference functions travel with it
        run = graded(target, [], Path(tmp))
    print(f"\n{NEVER_RETURNS} (backward never returns), whole spec, default limits: {run.wall:.1f} s wall "
          f"({run.summary})")


def batch(impl: str, copies: int, chapters: list[str]) -> None:
    """``copies`` copies of ``impl`` graded in batch mode with --jobs 2, against one single grade (both on
    ``chapters``, all when empty)."""
    with tempfile.TemporaryDirectory(prefix="nnspec-grade-speed-") as tmp:
        single = graded(impl, chapters, Path(tmp)).wall
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        for index in range(copies):
            shutil.copy(ROOT / impl, folder / f"learner{index:02d}.py")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nnspec.grade", str(folder), "--jobs", str(BATCH_JOBS),
                        "--roster", str(Path(tmp) / "roster.csv"), *_chapter_arguments(chapters)], cwd=ROOT,
                       capture_output=True, check=False, env=ENV)
        wall = time.perf_counter() - started
    print(f"\nbatch mode, {copies} copies of {impl}, --jobs {BATCH_JOBS}: {wall:.1f} s; one grade {single:.1f} s; "
          f"batch / ({copies} x one grade) = {wall / (copies * single):.2f} (target <= {1 / 1.6:.2f})")


def _chapter_arguments(chapters: list[str]) -> list[str]:
    return [arg for name in chapters for arg in ("--chapter", name.replace(" ", "_"))]


def _ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator > 0 else "-"


def _chapter_order(name: str) -> int:
    from spec.requirements import CHAPTERS

    order = list(CHAPTERS.values())
    return order.index(name) if name in order else len(order)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="alternated runs per mode (default 3; 0: none)")
    parser.add_argument("--chapters", default="", help="comma-separated spec chapters (default: the whole spec)")
    parser.add_argument("--impl", default=DEFAULT_IMPL, help=f"the submission (default {DEFAULT_IMPL})")
    parser.add_argument("--never-returns", action="store_true", help=f"also grade {NEVER_RETURNS} once")
    parser.add_argument("--batch", type=int, default=0, metavar="N", help="also grade N copies in batch mode")
    args = parser.parse_args()
    chapters = [name.strip().replace("_", " ") for name in args.chapters.split(",") if name.strip()]
    uptime = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    print(f"{os.cpu_count()} CPUs, load average {' '.join(uptime)} at the start; Python {sys.version.split()[0]}")
    if args.repeats:
        compare(args.impl, chapters, args.repeats)
    if args.never_returns:
        never_returns()
    if args.batch:
        batch(args.impl, args.batch, chapters)
    print(f"\nload average {' '.join(Path('/proc/loadavg').read_text().split()[:3])} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
