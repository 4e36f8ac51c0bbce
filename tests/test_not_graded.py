"""Claims checked against oracles only (marker ``not_graded``) run in ``pytest spec`` but never in a grade."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from spec.plugin import requirement_of

REPOSITORY = Path(__file__).resolve().parents[1]
ORACLE_ONLY = "EXP-UNIVERSAL-APPROXIMATION"
GRADED = "EXP-DYING-RELU"


def test_oracle_only_claims_are_marked_and_take_no_implementation(pytestconfig: pytest.Config) -> None:
    """A ``not_graded`` test must not ask for ``impl``: a fact about mathematics cannot depend on a submission."""
    items = _collect("spec/test_experiments.py", "spec/test_torch.py")
    marked = [item for item in items if item.get_closest_marker("not_graded")]
    assert {requirement_of(item).id for item in marked if requirement_of(item)} >= {ORACLE_ONLY}
    assert all("impl" not in getattr(item, "fixturenames", ()) for item in marked)


def test_the_grader_leaves_out_oracle_only_claims(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    finished = subprocess.run(
        [sys.executable, "-m", "nnspec.grade", "examples/learner_correct.py", "--requirement", ORACLE_ONLY,
         "--requirement", GRADED, "--json", str(out)],
        cwd=REPOSITORY, capture_output=True, text=True, check=False)
    report = json.loads(out.read_text())
    graded = {requirement["id"] for requirement in report["requirements"]}
    assert GRADED in graded and ORACLE_ONLY not in graded, finished.stdout
    assert finished.returncode == 0, finished.stdout + finished.stderr


def _collect(*paths: str) -> list[pytest.Item]:
    class Collector:
        def __init__(self) -> None:
            self.items: list[pytest.Item] = []

        def pytest_collection_finish(self, session: pytest.Session) -> None:
            self.items = list(session.items)

    collector = Collector()
    pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *paths], plugins=[collector])
    return collector.items
