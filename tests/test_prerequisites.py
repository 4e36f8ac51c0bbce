"""Prerequisites (spec/prerequisites.py): the table names real requirements without cycles, prerequisites run
first, and a dependent of a failed prerequisite is reported as "blocked by <ID>" by `pytest spec` and by every
report of `nnspec grade`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from nnspec.grade import config, reports
from nnspec.grade.runner import GradeRun, RequirementResult
from spec.prerequisites import PREREQUISITES, blockers, ordered
from spec.requirements import Requirement
from tests.test_spec_plugin import IMPLS, ROOT, chapter_table, run_spec

BROKEN = str(IMPLS / "wrong_sigmoid_derivative.py")  # sigmoid right, sigmoid_derivative wrong
ROOT_CAUSE, DEPENDENT = "ACT-SIGMOID-DERIVATIVE", "ACT-SIGMOID-DERIVATIVE-CONSISTENT"
ROOT_TEST = "spec/test_activations.py::test_act_sigmoid_derivative"
DEPENDENT_TEST = f"spec/test_activations.py::test_derivative_matches_central_differences[{DEPENDENT}]"


def _spec_requirements() -> set[str]:
    """Every requirement ID of the spec, collected as `nnspec requirements` collects them (in a subprocess)."""
    listed = subprocess.run([sys.executable, "-c", "from nnspec.requirements_doc import collect; "
                             "print(' '.join(req.id for req in collect()))"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return set(listed.split())


def test_every_prerequisite_names_a_requirement_of_the_spec() -> None:
    known = _spec_requirements()
    named = set(PREREQUISITES) | {req for needs in PREREQUISITES.values() for req in needs}
    assert not named - known, f"spec/prerequisites.py names unknown requirements: {sorted(named - known)}"


def test_the_prerequisites_have_no_cycle() -> None:
    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(need == target or (need not in seen and reaches(need, target, seen | {need}))
                   for need in PREREQUISITES.get(start, ()))

    assert not [req for req in PREREQUISITES if reaches(req, req)]


def test_prerequisites_are_moved_before_their_dependents_and_the_rest_keeps_its_order() -> None:
    items = ["NET-TRAIN-DECREASES", "ACT-RELU-VALUES", "NET-BACKWARD-GRADCHECK", "LAY-PURE", "NET-FORWARD-MATCHES",
             "NET-UPDATE-RULE"]
    got = ordered(items, lambda item: item)
    assert got.index("NET-FORWARD-MATCHES") < got.index("NET-BACKWARD-GRADCHECK") < got.index("NET-TRAIN-DECREASES")
    assert got.index("ACT-RELU-VALUES") < got.index("NET-FORWARD-MATCHES")
    assert [item for item in got if item in ("ACT-RELU-VALUES", "LAY-PURE", "NET-UPDATE-RULE")] == \
        ["ACT-RELU-VALUES", "LAY-PURE", "NET-UPDATE-RULE"]


def test_a_dependent_is_blocked_by_the_root_cause_through_blocked_prerequisites() -> None:
    blocked = {"NET-BACKWARD-GRADCHECK": blockers("NET-BACKWARD-GRADCHECK", {"ACT-TANH-DERIVATIVE"}, {})}
    assert blocked["NET-BACKWARD-GRADCHECK"] == ["ACT-TANH-DERIVATIVE"]
    assert blockers("NET-TRAIN-DECREASES", {"ACT-TANH-DERIVATIVE"}, blocked) == ["ACT-TANH-DERIVATIVE"]
    assert blockers("NET-TRAIN-DECREASES", set(), {}) == []


def test_pytest_spec_reports_the_dependent_as_blocked_by_the_failed_prerequisite() -> None:
    result = run_spec(DEPENDENT_TEST, ROOT_TEST, "--impl", BROKEN)  # given in the wrong order: reordered
    assert result.returncode == 1, result.stdout + result.stderr
    assert chapter_table(result.stdout)["activations"] == {
        "passed": 0, "failed": 1, "blocked": 1, "not implemented": 0, "skipped": 0}
    assert f"{DEPENDENT} blocked by {ROOT_CAUSE} (not run; scored 0)" in result.stdout


def test_a_dependent_whose_prerequisite_is_not_selected_simply_runs() -> None:
    result = run_spec(DEPENDENT_TEST, "--impl", BROKEN)
    table = chapter_table(result.stdout)["activations"]
    assert table["blocked"] == 0 and table["failed"] + table["passed"] == 1, result.stdout
    assert "blocked by" not in result.stdout


def test_nnspec_grade_reports_blocked_in_its_run_and_json(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    finished = subprocess.run(
        [sys.executable, "-m", "nnspec.grade", BROKEN, "--requirement", ROOT_CAUSE, "--requirement", DEPENDENT,
         "--json", str(out)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert finished.returncode == 1, finished.stdout + finished.stderr
    by_id = {entry["id"]: entry for entry in json.loads(out.read_text())["requirements"]}
    assert by_id[ROOT_CAUSE]["status"] == "failed"
    assert by_id[DEPENDENT]["status"] == "blocked" and by_id[DEPENDENT]["points"] == 0
    assert by_id[DEPENDENT]["message"] == f"blocked by {ROOT_CAUSE}"
    assert f"{DEPENDENT}: blocked by {ROOT_CAUSE}" in finished.stdout


def _blocked_report() -> reports.Report:
    root, dependent = Requirement(ROOT_CAUSE, "the derivative", "003"), Requirement(DEPENDENT, "consistent", "003")
    run = GradeRun(target="submission.py", origin="submission.py", loaded=True, load_error="", results=[
        RequirementResult(root, "failed", "wrong values"), RequirementResult(dependent, "blocked",
                                                                             f"blocked by {ROOT_CAUSE}")])
    return reports.build(run, config.load(None))


def test_every_report_format_shows_blocked_with_its_root_cause_and_no_points() -> None:
    report = _blocked_report()
    blocked_line = f"{DEPENDENT}: blocked by {ROOT_CAUSE}"
    assert report.score == 0 and report.max_score > 0
    assert "BLOCKED" in reports.terminal(report) and blocked_line in reports.terminal(report)
    assert blocked_line in reports.markdown(report)
    entry = next(test for test in reports.gradescope(report)["tests"] if test["name"].startswith(DEPENDENT))
    assert entry["score"] == 0 and entry["status"] == "failed" and entry["output"] == f"blocked by {ROOT_CAUSE}"
    case = ET.fromstring(reports.junit(report)).find(f".//testcase[@name='{DEPENDENT}']")
    assert case is not None and case.find("skipped") is not None
    assert case.find("skipped").get("message") == f"blocked by {ROOT_CAUSE}"  # type: ignore[union-attr]
    assert next(entry for entry in reports.to_json(report)["requirements"] if entry["id"] == DEPENDENT)[
        "status"] == "blocked"
