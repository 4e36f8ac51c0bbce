"""Each built-in profile grades a correct submission that someone else wrote from the assignment sheet alone
(examples/profiles/independent/README.md) with full marks on every applicable requirement, and a profile still has
requirements to grade it on. The samples are evidence, kept as written: see that README.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nnspec import profiles
from nnspec.grade import config, reports, runner, sandbox
from nnspec.grade.limits import Limits

INDEPENDENT = Path(__file__).resolve().parents[1] / "examples" / "profiles" / "independent"
SAMPLES = {"course-api": "course_api.py", "documents-000-001": "documents_000_001.py",
           "documents-002-003": "documents_002_003.py", "documents-004": "documents_004.py",
           "document-001-autograd": "pytorch_autograd.ipynb"}
NEEDS_TORCH = {"document-001-autograd"}  # graded in tests/test_autograd_exercise.py, where PyTorch is installed
LIMITS = Limits(call_timeout=20.0)
UNCOUNTED = {"not applicable", "skipped"}  # skipped: the torch chapter without torch


def test_every_builtin_profile_has_an_independent_sample() -> None:
    assert set(SAMPLES) == set(profiles.builtin())
    assert all((INDEPENDENT / name).is_file() for name in SAMPLES.values())


@pytest.mark.corpus
@pytest.mark.parametrize("profile", sorted(set(SAMPLES) - NEEDS_TORCH))
def test_an_independent_sample_gets_full_marks_on_every_applicable_requirement(profile: str) -> None:
    run = runner.run(str(INDEPENDENT / SAMPLES[profile]), LIMITS, profile=profiles.load(profile),
                     environment=sandbox.Environment(mode="auto"))
    assert run.loaded, run.load_error
    report = reports.build(run, config.load())
    lost = {result.id: f"{result.status}: {result.message[:300]}" for result in run.results
            if result.status not in {"passed", *UNCOUNTED}}
    assert not lost, lost
    assert report.score == report.max_score > 0 and report.exit_code == reports.EXIT_OK
