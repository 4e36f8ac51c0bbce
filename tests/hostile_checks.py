"""What every hostile-submission test checks, written once: grade through the command line with every report
requested, then the reports are complete and well-formed, the grader was not killed, no process is left
behind, and nothing outside the temporary folder changed.

``before()`` takes the state (a listing with hashes of the repository, the hostile markers in the shared
temporary folder, the running processes); ``check_after(state)`` compares; ``clean(state)`` removes what an
attack known to get through left in the temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
# Not part of the repository's content (caches, environments, build output), so not compared.
UNCOMPARED = {".git", ".venv", ".tox", "__pycache__", ".hypothesis", ".mypy_cache", ".ruff_cache", ".pytest_cache",
              "nnspec.egg-info", ".coverage"}
MARKER_PREFIX = "nnspec-hostile-"  # every file a hostile submission tries to leave in the temporary folder
SANDBOX_UID = 65534
WORKER_MARK = "from nnspec.grade.worker import main"  # in every worker's command line (sandbox.boot_arguments)
INIT_PID = 1
EXIT_GRACE_S = 10.0  # how long a killed worker's processes may take to disappear from /proc
EXIT_POLL_S = 0.2
ORPHAN_WAIT_S = 4.0  # the orphan attacks act 3 s after they start: wait past that before looking
REPORT_KEYS = {"submission", "isolation", "loaded", "load_error", "score", "max_score", "exit_code", "requirements"}
TERMINAL_HEADER = ("nnspec grade: ", "isolation: ")


@dataclass
class State:
    repository: dict[str, str]
    markers: list[str]
    processes: set[int]


@dataclass
class Graded:
    """One run of ``python -m nnspec.grade`` with every report written."""

    returncode: int
    stdout: str
    stderr: str
    report: dict[str, Any]
    gradescope: dict[str, Any]
    junit: ET.Element

    def status(self, requirement: str) -> str:
        return next(item["status"] for item in self.report["requirements"] if item["id"] == requirement)

    def message(self, requirement: str) -> str:
        return str(next(item["message"] for item in self.report["requirements"] if item["id"] == requirement))


def listing(root: Path, skip: set[str] = UNCOMPARED) -> dict[str, str]:
    """Every entry under ``root`` (but ``skip`` folders): a regular file's SHA-256, a symlink's target, and the
    mode of anything else (folders, FIFOs, devices: a FIFO is never opened)."""
    entries: dict[str, str] = {}
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if name not in skip]
        for name in folders + files:
            path = Path(folder, name)
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                entries[str(path.relative_to(root))] = "-> " + os.readlink(path)
            elif stat.S_ISREG(mode):
                entries[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                entries[str(path.relative_to(root))] = oct(mode)
    return entries


def markers() -> list[str]:
    return sorted(str(path) for path in Path(tempfile.gettempdir()).glob(MARKER_PREFIX + "*"))


def processes() -> set[int]:
    return {int(entry) for entry in os.listdir("/proc") if entry.isdigit()}


def before() -> State:
    """The state to compare with after grading."""
    return State(listing(REPOSITORY), markers(), processes())


def leftovers(state: State) -> list[str]:
    """Processes started since ``state`` that belong to a worker (run as the sandbox's uid, or with the worker's or
    a hostile submission's mark in their command line) and were left behind: orphaned (their parent is init) or
    still below this test's process. Workers of other graders running at the same time (CI runs two test
    environments at once) have a live grader above them and are not counted."""
    found = []
    for pid in processes() - state.processes:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            uid = Path(f"/proc/{pid}").stat().st_uid
            ancestors = _ancestors(pid)
        except OSError:
            continue  # ended meanwhile
        ours = ancestors[:1] == [INIT_PID] or os.getpid() in ancestors
        if ours and (uid == SANDBOX_UID or WORKER_MARK in command or MARKER_PREFIX in command):
            found.append(f"{pid}: {command[:200]}")
    return found


def _ancestors(pid: int) -> list[int]:
    """The parent of ``pid``, its parent, ... up to init (OSError when one of them ends meanwhile)."""
    chain = []
    while pid > INIT_PID:
        stat = Path(f"/proc/{pid}/stat").read_text()
        pid = int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state; the name may hold spaces
        chain.append(pid)
    return chain


def check_after(state: State, wait: float = ORPHAN_WAIT_S) -> None:
    """No process left behind, no marker written, the repository unchanged (after ``wait`` seconds)."""
    time.sleep(wait)
    deadline = time.monotonic() + EXIT_GRACE_S  # killed processes may take a moment to be reaped on a busy machine
    while leftovers(state) and time.monotonic() < deadline:
        time.sleep(EXIT_POLL_S)
    left = leftovers(state)
    assert left == [], f"processes left behind: {left}"
    assert markers() == state.markers, "a hostile submission wrote into the shared temporary folder"
    after = listing(REPOSITORY)
    changed = sorted(key for key in set(after) | set(state.repository) if after.get(key) != state.repository.get(key))
    assert changed == [], f"the repository changed: {changed}"


def clean(state: State) -> None:
    """Remove the markers written since ``state`` (by an attack the fallback is known not to stop)."""
    for marker in set(markers()) - set(state.markers):
        Path(marker).unlink(missing_ok=True)


def grade(paths: list[str], folder: Path, *args: str, sandbox: str = "auto") -> Graded:
    """``python -m nnspec.grade PATHS ARGS --sandbox SANDBOX`` (from the repository) with JSON, Gradescope and
    JUnit reports written into ``folder``; checks they are complete and well-formed."""
    outputs = {name: folder / name for name in ("report.json", "results.json", "junit.xml")}
    finished = subprocess.run(
        [sys.executable, "-m", "nnspec.grade", *paths, *args, "--sandbox", sandbox,
         "--json", str(outputs["report.json"]), "--gradescope", str(outputs["results.json"]),
         "--junit", str(outputs["junit.xml"])],
        cwd=REPOSITORY, capture_output=True, text=True, check=False,
    )
    assert finished.returncode in (0, 1, 2), f"the grader was killed or crashed: {finished.returncode}\n" + \
        finished.stderr[-3000:]
    graded = Graded(finished.returncode, finished.stdout, finished.stderr,
                    json.loads(outputs["report.json"].read_text(encoding="utf-8")),
                    json.loads(outputs["results.json"].read_text(encoding="utf-8")),
                    ET.fromstring(outputs["junit.xml"].read_text(encoding="utf-8")))
    check_reports(graded)
    return graded


def check_reports(graded: Graded) -> None:
    """Every report is complete: the terminal's header and verdict, the JSON's fields and one entry per
    requirement, Gradescope's score and tests, and JUnit's test cases (one per visible requirement)."""
    lines = graded.stdout.splitlines()
    assert len(lines) > len(TERMINAL_HEADER), graded.stdout
    assert all(line.startswith(prefix) for line, prefix in zip(lines, TERMINAL_HEADER, strict=False)), lines[:2]
    assert f"exit code {graded.returncode}" in lines[-1]
    report = graded.report
    assert set(report) >= REPORT_KEYS and report["exit_code"] == graded.returncode
    assert report["isolation"] in lines[1]
    assert graded.gradescope["score"] == report["score"]
    assert len(graded.gradescope["tests"]) == len(report["requirements"])
    assert f"isolation: {report['isolation']}" in graded.gradescope["output"]
    visible = {item["id"] for item in report["requirements"] if not item["hidden"]}
    assert {case.get("name") for case in graded.junit.iter("testcase")} == visible
