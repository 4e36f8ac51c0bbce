"""Generated documents stay in step with what they are generated from."""

from __future__ import annotations

from pathlib import Path

from nnspec.requirements_doc import collect, render

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_requirements_document_is_up_to_date() -> None:
    expected = render(collect())
    actual = (DOCS / "requirements.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/requirements.md is stale: run `nnspec requirements --write docs/requirements.md`"


def test_every_chapter_of_the_contract_has_requirements() -> None:
    chapters = {req.chapter for req in collect()}
    expected = {"activations", "losses", "perceptron", "layers", "network", "optimizers", "regularization",
                "normalization", "gradient check", "worked examples", "experiments", "torch", "mnist"}
    assert expected <= chapters, f"chapters without requirements: {sorted(expected - chapters)}"
