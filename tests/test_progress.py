"""Progress while grading: on stderr as the grade runs, the report on stdout unchanged; batch rosters grow as
submissions finish. Real grader processes (``python -m nnspec.grade``) read through pipes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from nnspec.grade.progress import GradeProgress

REPOSITORY = Path(__file__).resolve().parents[1]
FIRST_LINE_S = 3.0  # the bound on the first progress line
FIRST_LINE_SLACK_S = 10.0  # asserted: a shared, loaded machine can be slower than the bound
BATCH_WAIT_S = 120.0  # how long the batch test waits for the fast submissions' rows
SELECTION = ("--chapter", "activations", "--chapter", "losses")
ESCAPE = "\x1b"

FAST = '''
import numpy as np

def sigmoid(z):
    z = np.asarray(z, dtype=np.float64) if not isinstance(z, np.ndarray) else z
    return 1 / (1 + np.exp(-z))
'''

SLOW = '''
import os
import time

RELEASE = {release!r}
deadline = time.monotonic() + 50  # under the grader's 60 s import limit
while not os.path.exists(RELEASE) and time.monotonic() < deadline:
    time.sleep(0.1)
''' + FAST


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "nnspec.grade", *args]


@pytest.mark.corpus
def test_progress_goes_to_stderr_soon_and_the_report_to_stdout_unchanged(tmp_path: Path) -> None:
    shown_out = tmp_path / "stdout.txt"
    started = time.monotonic()
    with shown_out.open("w") as stdout, subprocess.Popen(
        command("examples/learner_buggy.py", *SELECTION), cwd=REPOSITORY, stdout=stdout, stderr=subprocess.PIPE,
        text=True,
    ) as grading:
        assert grading.stderr is not None
        first = grading.stderr.readline()
        first_after = time.monotonic() - started
        rest = grading.stderr.read()
    print(f"first progress line after {first_after:.2f} s (the issue asks for {FIRST_LINE_S} s)")
    assert first.startswith("grading examples/learner_buggy.py"), first
    assert first_after < FIRST_LINE_SLACK_S
    assert ESCAPE not in first + rest  # not a terminal: plain lines
    chapters = {line.split()[0]: line for line in rest.splitlines() if line.startswith("  ")}
    assert set(chapters) == {"activations", "losses"}, rest
    assert "failed" in chapters["activations"] and "not implemented" in chapters["activations"]
    assert chapters["activations"].rstrip().endswith(" s)")

    quiet = subprocess.run(command("examples/learner_buggy.py", *SELECTION, "--quiet"), cwd=REPOSITORY,
                           capture_output=True, text=True, check=False)
    assert quiet.stderr == ""
    assert grading.returncode == quiet.returncode == 1
    assert shown_out.read_text() == quiet.stdout and "FAILED" in quiet.stdout


def test_a_terminal_gets_a_live_line_and_the_chapter_lines_stay() -> None:
    stream = io.StringIO()
    shown = GradeProgress(stream, "learner.py", tty=True)
    shown.start()
    shown.collected(2)
    shown.test_finished("activations")
    shown.chapter_finished("activations", Counter({"passed": 3, "failed": 1}), 1.25)
    shown.close()
    text = stream.getvalue()
    assert ESCAPE in text and "1/2" in text  # the live line, drawn by rich
    assert "activations      3 passed, 1 failed  (1.2 s)" in text


def roster_names(path: Path, final: bool) -> list[str]:
    """The submissions' names in a roster: CSV, JSON Lines while the batch runs, a JSON array at its end."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
    elif final:
        rows = json.loads(text)
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    return [Path(row["submission"]).name for row in rows]


@pytest.mark.corpus
@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_a_batch_writes_each_row_when_graded_and_sorts_the_roster_at_the_end(tmp_path: Path, suffix: str) -> None:
    release = tmp_path / "release"
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a_slow.py").write_text(SLOW.format(release=str(release)))
    (folder / "b.py").write_text(FAST)
    (folder / "c.py").write_text(FAST)
    roster = tmp_path / f"roster{suffix}"
    with subprocess.Popen(
        command(str(folder), "--requirement", "ACT-SIGMOID-VALUES", "--chapter", "activations", "--jobs", "2",
                "--roster", str(roster)),
        cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as batch:
        deadline = time.monotonic() + BATCH_WAIT_S
        while (not roster.exists() or len(roster_names(roster, final=False)) < 2) and time.monotonic() < deadline:
            time.sleep(0.2)
        while_running = roster_names(roster, final=False)
        release.touch()
        stdout, stderr = batch.communicate()
    assert sorted(while_running) == ["b.py", "c.py"], stderr  # a_slow.py is still being graded
    assert roster_names(roster, final=True) == ["a_slow.py", "b.py", "c.py"]
    assert batch.returncode == 0, stdout + stderr
    assert "[1/3]" in stderr and "[3/3] " in stderr and "ETA" in stderr and ESCAPE not in stderr
    assert "roster written to" in stdout


@pytest.mark.corpus
def test_a_closed_stderr_costs_nothing_but_the_progress(tmp_path: Path) -> None:
    """Started with stderr closed (``2>&-``): Python has no sys.stderr; the report is still printed."""
    finished = subprocess.run(
        ["sh", "-c", '"$0" -m nnspec.grade examples/learner_buggy.py --requirement ACT-TANH-VALUES 2>&-',
         sys.executable], cwd=REPOSITORY, stdout=subprocess.PIPE, text=True, check=False,
    )
    assert finished.returncode == 0 and "nnspec grade: examples/learner_buggy.py" in finished.stdout
