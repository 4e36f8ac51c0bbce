"""`nnspec package gradescope`: the autograder.zip is built, its setup.sh installs the bundled wheel into a fresh
venv, and its run_autograder grades four submissions in a folder laid out as Gradescope's /autograder, each leaving
a results.json that Gradescope's autograder specification accepts."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import nbformat
import pytest

from nnspec import mnist

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLES = REPOSITORY / "examples"
CHAPTER = "activations"   # one chapter keeps the test short; the package grades every chapter by default
VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]
STATEMENTS_PER_CELL = 3

# Gradescope's autograder specification, the fields nnspec writes (results.json, "Output format").
TEST_SCHEMA = {
    "type": "object",
    "required": ["name", "score", "max_score", "status", "output", "visibility"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "score": {"type": "number"},
        "max_score": {"type": "number", "minimum": 0},
        "status": {"enum": ["passed", "failed"]},
        "output": {"type": "string"},
        "visibility": {"enum": VISIBILITY},
        "number": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["score", "output", "tests"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string", "minLength": 1},
        "visibility": {"enum": VISIBILITY},
        "stdout_visibility": {"enum": VISIBILITY},
        "tests": {"type": "array", "items": TEST_SCHEMA},
    },
}

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The zip built by the command, unpacked as Gradescope's source/, and setup.sh run into a fresh venv."""
    folder = tmp_path_factory.mktemp("gradescope")
    archive = folder / "autograder.zip"
    made = subprocess.run([sys.executable, "-m", "nnspec.cli", "package", "gradescope", "-o", str(archive),
                           "--chapter", CHAPTER], cwd=REPOSITORY, capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    source = folder / "source"
    with zipfile.ZipFile(archive) as unpacked:
        unpacked.extractall(source)
        executables = {entry.filename for entry in unpacked.infolist() if (entry.external_attr >> 16) & 0o111}
    assert executables == {"setup.sh", "run_autograder"}
    for name in executables:
        (source / name).chmod(0o755)  # ZipFile.extractall drops the mode; Gradescope's unzip keeps it
    venv = folder / "venv"
    environment = {**os.environ, "NNSPEC_SKIP_APT": "1", "NNSPEC_VENV": str(venv),
                   "NNSPEC_PYTHON": sys.executable}
    setup = subprocess.run([str(source / "setup.sh")], env=environment, capture_output=True, text=True, check=False)
    assert setup.returncode == 0, setup.stderr
    return {"source": source, "venv": venv}


def run_autograder(installed: dict[str, Path], root: Path, submission: Path | None) -> dict[str, Any]:
    """Lay ``root`` out as /autograder with ``submission`` in submission/, run run_autograder, read results.json."""
    shutil.copytree(installed["source"], root / "source")
    (root / "submission").mkdir()
    if submission is not None:
        target = root / "submission" / submission.name
        (shutil.copytree if submission.is_dir() else shutil.copy)(submission, target)
    environment = {**os.environ, "NNSPEC_AUTOGRADER_ROOT": str(root), "NNSPEC_VENV": str(installed["venv"])}
    environment.pop("NNSPEC_DATA_DIR", None)
    environment.pop("GITHUB_STEP_SUMMARY", None)
    subprocess.run([str(root / "source" / "run_autograder")], env=environment, capture_output=True, text=True,
                   check=False)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == pytest.approx(sum(test["score"] for test in results["tests"]))
    return results


def notebook_of(script: Path, path: Path) -> Path:
    """``script`` as a notebook, STATEMENTS_PER_CELL top-level statements a cell."""
    source = script.read_text(encoding="utf-8")
    body = ast.parse(source).body
    cells = [nbformat.v4.new_code_cell("\n\n".join(ast.get_source_segment(source, node) or "" for node in
                                                   body[start:start + STATEMENTS_PER_CELL]))
             for start in range(0, len(body), STATEMENTS_PER_CELL)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    return path


def reading_probe(target: Path, path: Path) -> Path:
    """A submission at ``path`` that fails to load with "probe read: " and the size of ``target`` it read, or the
    error it got."""
    path.write_text(f"try:\n    READ = len(open({str(target)!r}, 'rb').read())\nexcept Exception as error:\n"
                    "    READ = type(error).__name__\nraise ImportError(f'probe read: {READ}')\n", encoding="utf-8")
    return path


def test_the_zip_bundles_mnist_with_the_checksums_the_grader_verifies(installed: dict[str, Path]) -> None:
    data = installed["source"] / "mnist"
    assert sorted(path.name for path in data.glob("*.gz")) == sorted(f"{name}.gz" for name in mnist.FILES)
    sums = dict(reversed(line.split()) for line in (data / "SHA256SUMS").read_text().splitlines())
    assert sums == mnist.SHA256
    assert mnist.load_mnist(data_dir=data, download=False).X_test.shape[0] == mnist.N_PIXELS  # read and verified


@pytest.mark.parametrize("name", ["learner_correct.py", "notebook"])
def test_a_correct_submission_gets_every_point(installed: dict[str, Path], tmp_path: Path, name: str) -> None:
    script = EXAMPLES / "learner_correct.py"
    submission = script if name.endswith(".py") else notebook_of(script, tmp_path / "learner.ipynb")
    results = run_autograder(installed, tmp_path / "autograder", submission)
    graded = [test for test in results["tests"] if test["tags"] == [CHAPTER]]
    assert graded and all(test["status"] == "passed" for test in graded)
    assert results["score"] == sum(test["max_score"] for test in results["tests"]) > 0


def test_a_buggy_submission_loses_points_where_it_is_wrong(installed: dict[str, Path], tmp_path: Path) -> None:
    results = run_autograder(installed, tmp_path / "autograder", EXAMPLES / "learner_buggy.py")
    failed = [test for test in results["tests"] if test["status"] == "failed"]
    assert failed and all(test["score"] < test["max_score"] and test["output"] for test in failed)
    assert 0 < results["score"] < sum(test["max_score"] for test in results["tests"])


def test_an_unloadable_submission_scores_zero_with_the_reason(installed: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "learner.py"
    broken.write_text("def sigmoid(z)\n    return z\n", encoding="utf-8")
    results = run_autograder(installed, tmp_path / "autograder", broken)
    assert results["score"] == 0
    assert "could not be loaded" in results["output"] and "SyntaxError" in results["output"]


def test_no_submission_or_several_say_what_was_found(installed: dict[str, Path], tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("my notes\n", encoding="utf-8")
    results = run_autograder(installed, tmp_path / "none", readme)
    assert results["score"] == 0 and "No submission found: the upload holds README.md" in results["output"]
    root = tmp_path / "several"
    results = run_autograder(installed, root, EXAMPLES / "learner_correct.py")  # one, then a second beside it
    shutil.copy(EXAMPLES / "learner_buggy.py", root / "submission")
    shutil.rmtree(root / "results")
    subprocess.run([str(root / "source" / "run_autograder")], check=False, capture_output=True,
                   env={**os.environ, "NNSPEC_AUTOGRADER_ROOT": str(root), "NNSPEC_VENV": str(installed["venv"])})
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == 0
    assert "Several submissions found: learner_buggy.py, learner_correct.py" in results["output"]


def test_results_json_is_written_even_when_nnspec_cannot_run(installed: dict[str, Path], tmp_path: Path) -> None:
    root = tmp_path / "autograder"
    shutil.copytree(installed["source"], root / "source")
    (root / "submission").mkdir()
    environment = {**os.environ, "NNSPEC_AUTOGRADER_ROOT": str(root), "NNSPEC_VENV": str(tmp_path / "no-venv")}
    subprocess.run([str(root / "source" / "run_autograder")], env=environment, capture_output=True, check=False)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == 0 and "nnspec could not run (exit code 127)" in results["output"]


def test_the_worker_cannot_read_the_bundled_test_labels(installed: dict[str, Path], tmp_path: Path) -> None:
    root = tmp_path / "autograder"
    labels = root / "source" / "mnist" / f"{mnist.TEST_LABELS}.gz"
    results = run_autograder(installed, root, reading_probe(labels, tmp_path / "learner.py"))
    assert labels.is_file() and results["score"] == 0
    assert re.search(r"probe read: \w*Error", results["output"]), results["output"]  # a size if it could read


def test_a_profile_is_bundled_and_grades_the_assignments_own_api(installed: dict[str, Path], tmp_path: Path) -> None:
    profile = tmp_path / "my-course.toml"
    shutil.copyfile(REPOSITORY / "nnspec" / "profiles" / "course-api.toml", profile)
    archive = tmp_path / "autograder.zip"
    made = subprocess.run([sys.executable, "-m", "nnspec.cli", "package", "gradescope", "-o", str(archive),
                           "--chapter", CHAPTER, "--profile", str(profile)], cwd=REPOSITORY, capture_output=True,
                          text=True, check=False)
    assert made.returncode == 0, made.stderr
    source = tmp_path / "source"
    with zipfile.ZipFile(archive) as unpacked:
        unpacked.extractall(source)
    (source / "run_autograder").chmod(0o755)
    assert json.loads((source / "package.json").read_text(encoding="utf-8"))["profile"] == "profile.toml"
    assert (source / "profile.toml").read_bytes() == profile.read_bytes()
    results = run_autograder({**installed, "source": source}, tmp_path / "autograder",
                             EXAMPLES / "profiles" / "course_correct.py")
    assert results["score"] == sum(test["max_score"] for test in results["tests"]) > 0
    gelu = next(test for test in results["tests"] if test["name"].startswith("ACT-GELU-VALUES"))
    assert gelu["max_score"] == 0 and "not applicable" in gelu["output"], gelu
