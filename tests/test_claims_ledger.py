"""The claims ledger (docs/claims.md): current, complete for the claims issue 16 names, and tied to real checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nnspec import claims_doc
from nnspec.requirements_doc import collect

DOCS = Path(__file__).resolve().parents[1] / "docs"
# Every claim issue 16 names must have a row (ledger IDs).
NAMED_CLAIMS = {
    "vanishing-gradients", "dying-relu", "l1-sparsity", "momentum-ravine", "minibatch-unbiased",
    "universal-approximation", "tanh-vs-sigmoid", "softmax-with-bce", "pytorch-xor", "grid-learning-rate",
    "grid-hidden-size", "grid-depth", "grid-batch-size", "mnist-chance", "mnist-softmax-regression",
    "mnist-two-layers", "mnist-cnn", "mnist-humans", "lottery-ticket", "batch-gd-never-used",
}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return claims_doc.load()


def test_the_ledger_is_up_to_date(rows: list[dict[str, object]]) -> None:
    actual = (DOCS / "claims.md").read_text(encoding="utf-8")
    assert actual == claims_doc.render(rows), "docs/claims.md is stale: run `nnspec claims --write docs/claims.md`"


def test_every_named_claim_has_a_row_with_a_verdict(rows: list[dict[str, object]]) -> None:
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "ledger IDs must be unique"
    assert set(ids) >= NAMED_CLAIMS, f"missing rows: {sorted(NAMED_CLAIMS - set(ids))}"
    for row in rows:
        verdict, figures = claims_doc.resolve(row)
        assert verdict in claims_doc.VERDICTS and figures, row["id"]
        assert verdict != "holds only when" or row.get("condition"), f"{row['id']}: a condition is needed"
        assert verdict == "not testable here" or row["decided_by"], f"{row['id']}: nothing decides it"


def test_every_deciding_requirement_exists(rows: list[dict[str, object]]) -> None:
    known = {req.id for req in collect()}
    named = {item for row in rows for item in row["decided_by"] if claims_doc.REQUIREMENT_ID.fullmatch(item)}
    assert named and named <= known, f"unknown requirements in the ledger: {sorted(named - known)}"


def test_a_trend_that_does_not_hold_is_reported_false(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.json"
    rows = [{"value": 32, "config": "c", "test_accuracy": 0.96}, {"value": 64, "config": "c", "test_accuracy": 0.95}]
    sweep.write_text(json.dumps({"base": {"hidden": 128}, "epochs": 3, "dimensions": {"hidden": rows}}),
                     encoding="utf-8")
    monkeypatch.setattr(claims_doc, "SWEEP_GRID", sweep)
    verdict, figures = claims_doc.resolve({"sweep": {"dimension": "hidden", "trend": "rises"}, "expected": "x"})
    assert verdict == "false" and "32: 96.00%, 64: 95.00%" in figures
