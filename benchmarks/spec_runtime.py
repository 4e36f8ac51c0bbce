"""Wall time of `pytest spec` on the reference without the MNIST gate and PyTorch (issue 3's 60 s target).

Prints figures; not a test. Run from the repository root: `python benchmarks/spec_runtime.py [--repeats N]`.
Each run is a fresh interpreter (`python -m pytest spec -m "not mnist" -p no:cacheprovider -q`); the torch chapter
skips itself when torch is not importable, and is deselected here when it is.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "pytest", "spec", "-m", "not mnist", "--deselect", "spec/test_torch.py",
           "-p", "no:cacheprovider", "-q"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs to time (default 3)")
    repeats = parser.parse_args().repeats
    times = []
    for run in range(repeats):
        started = time.perf_counter()
        result = subprocess.run(COMMAND, cwd=ROOT, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-300:]
        print(f"run {run + 1}: {times[-1]:.1f} s wall, exit {result.returncode}: {summary}", flush=True)
    load = os.getloadavg()[0]
    print(f"pytest spec without MNIST and torch: median {statistics.median(times):.1f} s, "
          f"min {min(times):.1f} s over {repeats} runs ({os.cpu_count()} CPUs, load average {load:.2f} at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
