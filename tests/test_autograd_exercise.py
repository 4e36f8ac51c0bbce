"""The built-in profile document-001-autograd grades document 001's autograd exercise notebook.

A correct notebook (tests/profiles/pytorch_autograd_correct.ipynb, written from the style's description and the
document, not from the profile) gets full marks with every other requirement not applicable; the same notebook with
other inputs (ReLU inactive, float64, z at 0 within rounding) still does; each seeded bug fails the requirement
that names it (and blocks only its dependents). Every notebook is graded for real: ``nnspec grade --profile
document-001-autograd`` in batch mode, PyTorch running in the sandboxed worker.

Needs PyTorch (run by tox's torch211 and torch213); skipped without it (an import error instead with
NNSPEC_REQUIRE_TORCH=1).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

import spec.test_autograd_exercise  # noqa: F401  (registers the chapter's requirements)
from nnspec.cli import main
from nnspec.grade.proxy import REPRODUCTION_INTRO
from spec.requirements import REGISTRY

if os.environ.get("NNSPEC_REQUIRE_TORCH") == "1":  # the torch CI envs: a missing torch must fail, not skip
    import torch  # noqa: F401
else:
    pytest.importorskip("torch", reason="PyTorch not installed")

pytestmark = pytest.mark.corpus  # one batch grade of a dozen notebooks, each starting PyTorch in a worker

ROOT = Path(__file__).resolve().parent.parent
CORRECT = ROOT / "tests" / "profiles" / "pytorch_autograd_correct.ipynb"
INDEPENDENT = ROOT / "examples" / "profiles" / "independent" / "pytorch_autograd.ipynb"  # written from the sheet alone
PROFILE = "document-001-autograd"
CHAPTER = "autograd exercise"
EXERCISE = sorted(req.id for req in REGISTRY.values() if req.chapter == CHAPTER)
LOADING = {"IMPL-LOADS", "IMPL-NO-FRAMEWORKS"}  # gate the grade, worth no points

DOCUMENT_W = "torch.tensor([0.5, 0.1, 0.2], requires_grad=True)"
DOCUMENT_B = "torch.tensor(0.0, requires_grad=True)"
INACTIVE = {DOCUMENT_W: "torch.tensor([-0.5, 0.1, 0.2], requires_grad=True)",  # z = -0.5 + 0.2 + 0.6 - 1 = -0.7
            DOCUMENT_B: "torch.tensor(-1.0, requires_grad=True)"}
BACKWARD = "loss.backward()\n"
UPSTREAM = "upstream = 2 * (y - target) * slope"

# name -> the edits (text in the correct notebook -> replacement) of a notebook that is still correct
CORRECT_VARIANTS: dict[str, dict[str, str]] = {
    "document": {},
    "relu inactive": INACTIVE,
    "float64, other inputs and target": {
        "torch.tensor([1.0, 2.0, 3.0])": "torch.tensor([0.3, -1.2, 2.5], dtype=torch.float64)",
        DOCUMENT_W: "torch.tensor([0.5, 0.1, 0.2], dtype=torch.float64, requires_grad=True)",
        DOCUMENT_B: "torch.tensor(0.25, dtype=torch.float64, requires_grad=True)",
        "torch.tensor(1.0)": "torch.tensor(-0.4, dtype=torch.float64)"},
    "z at 0 within float32 rounding": {DOCUMENT_B: "torch.tensor(-1.3, requires_grad=True)"},
    "float16": {"torch.tensor([1.0, 2.0, 3.0])": "torch.tensor([1.0, 2.0, 3.0], dtype=torch.float16)",
                DOCUMENT_W: "torch.tensor([0.5, 0.1, 0.2], dtype=torch.float16, requires_grad=True)",
                DOCUMENT_B: "torch.tensor(0.0, dtype=torch.float16, requires_grad=True)",
                "torch.tensor(1.0)": "torch.tensor(1.0, dtype=torch.float16)"},
}
# name -> (edits, the requirements that must fail, the ones that must be blocked); every other one passes
BUGS: dict[str, tuple[dict[str, str], set[str], set[str]]] = {
    "manual gradient without the factor 2": ({UPSTREAM: "upstream = (y - target) * slope"},
                                             {"AUTOGRAD-MANUAL-GRADIENT"}, set()),
    "b created without requires_grad": ({DOCUMENT_B: "torch.tensor(0.0)"},
                                        {"AUTOGRAD-B-REQUIRES-GRAD"}, {"AUTOGRAD-B-GRADIENT"}),
    "loss not squared": ({"loss = (y - target) ** 2": "loss = (y - target).abs()"},
                         {"AUTOGRAD-LOSS"}, {"AUTOGRAD-W-GRADIENT", "AUTOGRAD-B-GRADIENT"}),
    "relu replaced by the identity, z < 0": ({**INACTIVE, "y = torch.relu(z)": "y = z"}, {"AUTOGRAD-FORWARD"},
                                             {"AUTOGRAD-W-GRADIENT", "AUTOGRAD-B-GRADIENT",
                                              "AUTOGRAD-MANUAL-GRADIENT"}),
    "backward never called": ({BACKWARD: ""}, {"AUTOGRAD-W-GRADIENT", "AUTOGRAD-B-GRADIENT"}, set()),
    "backward called twice": ({BACKWARD: "loss.backward(retain_graph=True)\nloss.backward()\n"},
                              {"AUTOGRAD-W-GRADIENT", "AUTOGRAD-B-GRADIENT"}, set()),
    "x tracks gradients": ({"torch.tensor([1.0, 2.0, 3.0])": "torch.tensor([1.0, 2.0, 3.0], requires_grad=True)"},
                           {"AUTOGRAD-INPUT-NO-GRAD"}, set()),
    "manual gradient without relu', z < 0": ({**INACTIVE, UPSTREAM: "upstream = 2 * (y - target)"},
                                            {"AUTOGRAD-MANUAL-GRADIENT"}, set()),
}
MESSAGES = {  # a bug -> what its failure says
    "manual gradient without the factor 2": "half the chain rule",
    "b created without requires_grad": "b does not track gradients",
    "backward never called": "w.grad is None",
    "backward called twice": "twice the chain rule",
    "relu replaced by the identity, z < 0": "expected relu(z) = max(z, 0) = 0",
}


# the starter's placeholders -> a learner's own way of filling them in (another style than the correct notebook's)
FILLED = {
    "x = NotImplemented": "x = torch.tensor([1.0, 2.0, 3.0])",
    "w = NotImplemented": "w = torch.tensor([0.5, 0.1, 0.2]).requires_grad_()",
    "b = NotImplemented": "b = torch.zeros(1, requires_grad=True)",
    "z = NotImplemented": "z = x @ w + b",
    "y = NotImplemented": "y = torch.clamp(z, min=0)",
    "target = NotImplemented": "target = 1.0",
    "loss = NotImplemented": "loss = ((y - target) ** 2).sum()\nloss.backward()",
    "manual_grad = NotImplemented": "manual_grad = (2 * (y - target) * (z > 0).float() * x).detach()",
    "manual_grad_b = NotImplemented": "manual_grad_b = (2 * (y - target) * (z > 0).float()).detach()",
}
STARTERS = {"starter": ".ipynb", "starter as py": ".py"}  # written by `nnspec starter`, graded as they are
FILLED_STARTERS = {"filled starter": ".ipynb", "filled starter as py": ".py"}  # the same, filled in with FILLED


def _starter(target: Path, filled: bool) -> None:
    """``nnspec starter --profile`` written to ``target`` (a notebook or a .py), with FILLED when ``filled``."""
    notebook = target.suffix == ".ipynb"
    assert main(["starter", "--profile", PROFILE, "-o", str(target)] + (["--notebook"] if notebook else [])) == 0
    if not filled:
        return
    if notebook:
        written = nbformat.read(target, as_version=4)
        for cell in written.cells:
            cell.source = _fill(cell.source)
        nbformat.write(written, target)
    else:
        target.write_text(_fill(target.read_text()))
    assert "NotImplemented" not in target.read_text(), "a placeholder of the starter is not in FILLED"


def _fill(source: str) -> str:
    """``source`` with each line that is a placeholder of FILLED replaced by its code."""
    return "\n".join(FILLED.get(line, line) for line in source.split("\n"))


def _stem(name: str) -> str:
    return name.replace(" ", "_").replace(",", "").replace("'", "").replace("<", "lt")


def _edited(edits: dict[str, str], target: Path) -> None:
    """The correct notebook with ``edits`` (each original text found exactly once in its code) written to
    ``target``."""
    notebook = nbformat.read(CORRECT, as_version=4)
    for original, replacement in edits.items():
        cells = [cell for cell in notebook.cells if cell.cell_type == "code" and original in cell.source]
        assert len(cells) == 1 and cells[0].source.count(original) == 1, f"{original!r} is not in the notebook once"
        cells[0].source = cells[0].source.replace(original, replacement)
    nbformat.write(notebook, target)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, object]]]:
    """Every notebook's JSON report: the correct variants and the bugs, graded in one batch run (the document's
    own notebook on the whole spec, the others on the chapter)."""
    folder = tmp_path_factory.mktemp("notebooks")
    variants = {**{name: edits for name, edits in CORRECT_VARIANTS.items() if edits},
                **{name: edits for name, (edits, _, _) in BUGS.items()}}
    for name, edits in variants.items():
        _edited(edits, folder / f"{_stem(name)}.ipynb")
    shutil.copy(INDEPENDENT, folder / "independent.ipynb")
    for name, suffix in {**STARTERS, **FILLED_STARTERS}.items():
        _starter(folder / f"{_stem(name)}{suffix}", filled=name in FILLED_STARTERS)
    out = tmp_path_factory.mktemp("reports")
    assert main(["grade", "--profile", PROFILE, "--chapter", CHAPTER, "--quiet", "--reports", str(out),
                 "--roster", str(out / "roster.csv"), "--jobs", "2", str(folder)]) in (0, 1)
    graded = {name: json.loads((out / f"{_stem(name)}.json").read_text())
              for name in [*variants, "independent", *STARTERS, *FILLED_STARTERS]}
    whole = out / "document.json"
    code = main(["grade", "--profile", PROFILE, "--quiet", "--json", str(whole), str(CORRECT)])
    graded["document"] = {**json.loads(whole.read_text()), "exit": code}
    yield graded


def _statuses(report: dict[str, object]) -> dict[str, str]:
    requirements = report["requirements"]
    assert isinstance(requirements, list)
    return {entry["id"]: entry["status"] for entry in requirements}


def test_the_correct_notebook_gets_full_marks_and_nothing_else_applies(reports: dict[str, dict[str, object]]) -> None:
    report = reports["document"]
    statuses = _statuses(report)
    applicable = {req_id for req_id, status in statuses.items() if status != "not applicable"}
    assert applicable == set(EXERCISE) | LOADING, sorted(applicable ^ (set(EXERCISE) | LOADING))
    assert all(statuses[req_id] == "passed" for req_id in applicable), statuses
    assert report["score"] == report["max_score"] == len(EXERCISE) and report["exit"] == 0


@pytest.mark.parametrize("variant", sorted(name for name, edits in CORRECT_VARIANTS.items() if edits))
def test_other_correct_inputs_pass(reports: dict[str, dict[str, object]], variant: str) -> None:
    statuses = _statuses(reports[variant])
    assert {req_id: statuses[req_id] for req_id in EXERCISE} == dict.fromkeys(EXERCISE, "passed")


def test_the_independent_sample_passes_the_exercise(reports: dict[str, dict[str, object]]) -> None:
    statuses = _statuses(reports["independent"])
    assert {req_id: statuses[req_id] for req_id in EXERCISE} == dict.fromkeys(EXERCISE, "passed")


@pytest.mark.parametrize("starter", sorted(STARTERS))
def test_the_starter_as_it_is_scores_zero_with_every_value_not_implemented(reports: dict[str, dict[str, object]],
                                                                            starter: str) -> None:
    report = reports[starter]
    statuses = _statuses(report)
    assert {req_id: statuses[req_id] for req_id in EXERCISE} == dict.fromkeys(EXERCISE, "not implemented")
    assert report["score"] == 0 and report["max_score"] == len(EXERCISE)


@pytest.mark.parametrize("starter", sorted(FILLED_STARTERS))
def test_the_starter_filled_in_gets_full_marks(reports: dict[str, dict[str, object]], starter: str) -> None:
    report = reports[starter]
    statuses = _statuses(report)
    assert {req_id: statuses[req_id] for req_id in EXERCISE} == dict.fromkeys(EXERCISE, "passed")
    assert report["score"] == report["max_score"] == len(EXERCISE)


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_a_seeded_bug_fails_its_requirement(reports: dict[str, dict[str, object]], bug: str) -> None:
    _, failed, blocked = BUGS[bug]
    statuses = _statuses(reports[bug])
    expected = {req_id: "failed" if req_id in failed else "blocked" if req_id in blocked else "passed"
                for req_id in EXERCISE}
    assert {req_id: statuses[req_id] for req_id in EXERCISE} == expected
    if bug in MESSAGES:
        requirements = reports[bug]["requirements"]
        assert isinstance(requirements, list)
        messages = [entry["message"] for entry in requirements if entry["id"] in failed]
        assert any(MESSAGES[bug] in message for message in messages), messages
        assert not any(REPRODUCTION_INTRO in message for message in messages), "values are read, not a call to try"
