"""What run_autograder runs for one submission (``python -m nnspec.package.autograder ROOT``): finds the
submission in ROOT/submission, grades it with the bundled configuration and MNIST, and makes sure
ROOT/results/results.json exists, a score-0 one with the reason when grading could not happen.

ROOT is laid out as Gradescope's /autograder: source/ (the unpacked autograder.zip), submission/, results/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nnspec.grade.batch import is_submission
from nnspec.package.gradescope import CONFIG, MNIST_DIR, SETTINGS

DATA_ENV = "NNSPEC_DATA_DIR"
LOG_TAIL = 4000   # characters of nnspec's stderr kept in a failure's message


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    try:
        grade(root, results)
    except Exception as error:  # a bug here must still leave the learner a results.json
        write_failure(results, f"internal error of the autograder: {error!r}")
    return 0


def grade(root: Path, results: Path) -> None:
    """Grade the one submission in ``root``/submission into ``results``."""
    submission, problem = find_submission(root / "submission")
    if submission is None:
        write_failure(results, problem)
        return
    print(f"grading {submission}", flush=True)
    source = root / "source"
    chapters = json.loads((source / SETTINGS).read_text(encoding="utf-8"))["chapters"]
    command = [sys.executable, "-m", "nnspec.grade", str(submission), "--config", str(source / CONFIG),
               "--gradescope", str(results), "--quiet", *[f"--chapter={name}" for name in chapters]]
    environment = {**os.environ, DATA_ENV: str(source / MNIST_DIR)}  # the grader reads it; the worker may not
    results.unlink(missing_ok=True)
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    print(done.stdout, done.stderr, sep="\n", flush=True)
    if not _readable(results):
        write_failure(results, f"nnspec grade stopped (exit code {done.returncode}) without a report:\n"
                      + done.stderr[-LOG_TAIL:])


def find_submission(folder: Path) -> tuple[Path | None, str]:
    """The submission in ``folder`` (a .py file, a notebook or a package folder), or None and why not."""
    if not folder.is_dir():
        return None, f"no submission folder {folder}"
    if (folder / "__init__.py").is_file():  # the files of a package were uploaded as they are
        return folder, ""
    entries = sorted(child for child in folder.iterdir() if not child.name.startswith((".", "_")))
    found = [child for child in entries if is_submission(child)]
    if len(found) == 1:
        return found[0], ""
    expected = "Submit exactly one .py file, one .ipynb notebook or one package folder (with __init__.py)."
    if not found:
        listing = ", ".join(child.name for child in entries) or "nothing"
        return None, f"No submission found: the upload holds {listing}. {expected}"
    return None, f"Several submissions found: {', '.join(child.name for child in found)}. {expected}"


def write_failure(results: Path, message: str) -> None:
    """A score-0 results.json whose message the learner sees."""
    print(message, file=sys.stderr, flush=True)
    report = {"score": 0.0, "output": message, "visibility": "visible", "stdout_visibility": "hidden", "tests": []}
    results.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def _readable(results: Path) -> bool:
    try:
        return isinstance(json.loads(results.read_text(encoding="utf-8")), dict)
    except (OSError, ValueError):
        return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
