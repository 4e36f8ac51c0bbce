"""What a platform's per-submission script runs (``python -m nnspec.package.autograder PLATFORM ROOT SOURCE``):
finds the one submission, grades it with the configuration and MNIST bundled in SOURCE, and makes sure
ROOT/results/results.json exists, in the platform's format, saying why when grading could not happen.

ROOT is laid out as the platform lays it out: Gradescope's /autograder (submission/, results/; SOURCE is
source/, the unpacked autograder.zip) or PrairieLearn's /grade (student/, results/; SOURCE is where the image
holds the package)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from nnspec.grade import prairielearn
from nnspec.grade.batch import is_submission
from nnspec.package.bundle import CONFIG, MNIST_DIR, PROFILE, SETTINGS

DATA_ENV = "NNSPEC_DATA_DIR"
Failure = Callable[[Path, str], None]  # writes the platform's result for a submission that was not graded, and why
LOG_TAIL = 4000   # characters of nnspec's stderr kept in a failure's message


def main(argv: list[str]) -> int:
    platform, root, source = argv[0], Path(argv[1]), Path(argv[2])
    folder, option, failure = PLATFORMS[platform]
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    try:
        grade(root / folder, source, results, option, failure)
    except Exception as error:  # a bug here must still leave the learner a results.json
        failure(results, f"internal error of the autograder: {error!r}")
    return 0


def grade(submissions: Path, source: Path, results: Path, option: str, failure: Failure) -> None:
    """Grade the one submission in ``submissions`` into ``results`` (nnspec grade's ``option``, e.g.
    --gradescope); ``failure`` writes the platform's result when that cannot happen."""
    submission, problem = find_submission(submissions)
    if submission is None:
        failure(results, problem)
        return
    print(f"grading {submission}", flush=True)
    settings = json.loads((source / SETTINGS).read_text(encoding="utf-8"))
    profile = settings.get("profile")
    command = [sys.executable, "-m", "nnspec.grade", str(submission), "--config", str(source / CONFIG),
               option, str(results), "--quiet", *[f"--chapter={name}" for name in settings["chapters"]],
               *(["--profile", str(source / PROFILE) if profile == PROFILE else profile] if profile else [])]
    environment = {**os.environ, DATA_ENV: str(source / MNIST_DIR)}  # the grader reads it; the worker may not
    results.unlink(missing_ok=True)
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    print(done.stdout, done.stderr, sep="\n", flush=True)
    if not _readable(results):
        failure(results, f"nnspec grade stopped (exit code {done.returncode}) without a report:\n"
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
    """Gradescope's score-0 results.json whose message the learner sees."""
    print(message, file=sys.stderr, flush=True)
    report = {"score": 0.0, "output": message, "visibility": "visible", "stdout_visibility": "hidden", "tests": []}
    results.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def write_ungradable(results: Path, message: str) -> None:
    """PrairieLearn's "not gradable" result: no points awarded or lost, the attempt not counted."""
    print(message, file=sys.stderr, flush=True)
    results.write_text(prairielearn.dumps(prairielearn.ungradable(message)), encoding="utf-8")


# platform -> (the folder of ROOT holding the submission, nnspec grade's option, how a failure is written)
PLATFORMS: dict[str, tuple[str, str, Failure]] = {
    "gradescope": ("submission", "--gradescope", write_failure),
    "prairielearn": ("student", "--prairielearn", write_ungradable),
}


def _readable(results: Path) -> bool:
    try:
        return isinstance(json.loads(results.read_text(encoding="utf-8")), dict)
    except (OSError, ValueError):
        return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
