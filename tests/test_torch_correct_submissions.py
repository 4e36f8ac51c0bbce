"""Correct code written in other styles than the reference passes the torch chapter, graded as learners are.

The spec's torch chapter is otherwise run against the reference only. Here it grades, through ``nnspec grade
--chapter torch`` (PyTorch in the grader, the submission in its sandbox): examples/learner_correct.py and the
independent correct variants of tests/mutants/correct/ under the contract, and each built-in profile's two correct
samples (the one written from the assignment sheet alone, and the one of tests/profiles or examples/profiles) under
their profile. Every TORCH-* requirement must pass or be not applicable. TORCH-SOFTMAX once failed three profiles'
samples on rounding alone (its vector-Jacobian product cancels where one probability is near 1).

Skipped without PyTorch (an import error instead with NNSPEC_REQUIRE_TORCH=1).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from nnspec.cli import main

if os.environ.get("NNSPEC_REQUIRE_TORCH") == "1":  # the torch CI envs: a missing torch must fail, not skip
    import torch  # noqa: F401
else:
    pytest.importorskip("torch", reason="PyTorch not installed")

ROOT = Path(__file__).resolve().parent.parent
INDEPENDENT = ROOT / "examples" / "profiles" / "independent"
CONTRACT = [ROOT / "examples" / "learner_correct.py", *sorted((ROOT / "tests" / "mutants" / "correct").glob(
    "independent_*.py"))]  # the other correct variants are edits of the reference, loaded only by the mutant tests
EXAMPLES, TESTS = ROOT / "examples" / "profiles", ROOT / "tests" / "profiles"
PROFILES = {
    "course-api": [INDEPENDENT / "course_api.py", EXAMPLES / "course_correct.py"],
    "documents-000-001": [INDEPENDENT / "documents_000_001.py", EXAMPLES / "documents_correct.py"],
    "documents-002-003": [INDEPENDENT / "documents_002_003.py", TESTS / "documents_002_003_correct.py"],
    "documents-004": [INDEPENDENT / "documents_004.py", TESTS / "documents_004_correct.py"],
}
GOOD = {"passed", "not applicable"}


def _torch_statuses(tmp_path: Path, submissions: list[Path], options: list[str]) -> dict[str, dict[str, str]]:
    """Each submission's TORCH-* statuses, from one batch grade of the torch chapter."""
    folder, out = tmp_path / "submissions", tmp_path / "reports"
    folder.mkdir()
    for index, path in enumerate(submissions):
        shutil.copy(path, folder / f"s{index}_{path.name}")
    assert main(["grade", *options, "--chapter", "torch", "--quiet", "--reports", str(out), "--jobs", "2",
                 str(folder)]) in (0, 1)
    statuses = {}
    for index, path in enumerate(submissions):
        report = json.loads((out / f"s{index}_{path.stem}.json").read_text())
        statuses[path.name] = {entry["id"]: entry["status"] for entry in report["requirements"]
                               if entry["id"].startswith("TORCH-")}
    return statuses


def test_correct_contract_submissions_pass_the_torch_chapter(tmp_path: Path) -> None:
    for name, statuses in _torch_statuses(tmp_path, CONTRACT, []).items():
        assert statuses and set(statuses.values()) == {"passed"}, (name, statuses)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_each_profiles_correct_samples_pass_the_torch_chapter(tmp_path: Path, profile: str) -> None:
    for name, statuses in _torch_statuses(tmp_path, PROFILES[profile], ["--profile", profile]).items():
        bad = {req_id: status for req_id, status in statuses.items() if status not in GOOD}
        assert not bad and "passed" in statuses.values(), (name, bad)
