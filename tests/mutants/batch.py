"""Many spec runs from one warm interpreter: ``python -m tests.mutants.batch JOBS.json``.

Each pytest session of a spec run spends seconds importing pytest, NumPy, SciPy (scipy.stats alone takes most
of a second) and hypothesis before its first test. This runner imports them once and then forks one child per
job; the child runs ``pytest.main(job["args"])`` with job["path"] in front of sys.path and its output in
job["log"], so every run still starts from a fresh pytest session and a fresh import of the submission. The spec's
own modules are not imported ahead: their hypothesis settings depend on the profile chosen in the child.
JOBS.json is a list of {"args": [...], "path": [...], "log": "..."}; [exit code, seconds] per job is written to
JOBS.json.out.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

WARM_MODULES = ("numpy", "scipy.special", "scipy.stats", "hypothesis", "pytest", "_pytest.pytester")


def _child(job: dict[str, Any]) -> int:
    sys.path[:0] = job["path"]
    log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    import pytest

    return int(pytest.main(job["args"]))


def run(jobs: list[dict[str, Any]]) -> list[tuple[int, float]]:
    """Each job in its own forked child, one after the other; their exit codes and wall times."""
    codes = []
    for job in jobs:
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            code = 70  # EX_SOFTWARE: the child crashed before pytest could give an exit code
            try:
                code = _child(job)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        codes.append((os.waitstatus_to_exitcode(status), time.perf_counter() - start))
    return codes


def main(path: str) -> None:
    for module in WARM_MODULES:
        __import__(module)
    jobs = json.loads(Path(path).read_text(encoding="utf-8"))
    Path(path + ".out").write_text(json.dumps(run(jobs)), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
