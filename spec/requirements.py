"""Requirements: stable IDs, one-line statements and sources, attached to spec tests.

A requirement's ID starts with its chapter prefix (``ACT-SIGMOID-STABLE`` -> "activations"). The test that checks
it is named after it (``test_act_sigmoid_stable``), so a failing test name already says which requirement broke.

Gradient requirements name their independent oracle (issue 10, item 3; checked by tests/test_oracles.py). A
requirement is about a gradient when a dash-separated part of its ID is DERIVATIVE, GRADIENT, BACKWARD, JACOBIAN
or GRADCHECK and none is SHAPE, SHAPES, DTYPE, PURE or STABLE (those check a representation, not a value). Its
statement then contains "(oracle: ...)" naming what the implementation's gradient is compared with: a formula
with its source, or central differences of the spec's own function in spec/oracles.py, never only of the
implementation's own value function. The one exception is an extra self-consistency requirement: its ID ends in
"-CONSISTENT", its statement says it compares with "your own" function, and the requirement of the same ID without
the suffix exists and compares with an oracle. Exempt by chapter: torch (PyTorch autograd is the whole chapter's
oracle), worked examples (the documents' numbers), optimizers (gradients are their inputs, not their results) and
gradient check (numerical_gradient is itself a finite-difference tool, checked on functions of known gradient).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

CHAPTERS = {
    "IMPL": "loading",
    "ACT": "activations",
    "LOSS": "losses",
    "PER": "perceptron",
    "LAY": "layers",
    "NET": "network",
    "OPT": "optimizers",
    "REG": "regularization",
    "NORM": "normalization",
    "GC": "gradient check",
    "WE": "worked examples",
    "EXP": "experiments",
    "TORCH": "torch",
    "AUTOGRAD": "autograd exercise",
    "MNIST": "mnist",
}
MARKER = "requirement"
OUTSIDE_PREFIX = "NONE"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Requirement:
    """One checkable statement: ``id`` (e.g. "ACT-SIGMOID-STABLE"), ``statement`` (one line), ``source``."""

    id: str
    statement: str
    source: str

    @property
    def chapter(self) -> str:
        """The chapter named by the ID's prefix ("other" for the placeholder used outside requirements)."""
        return CHAPTERS.get(self.id.split("-", 1)[0], "other")


REGISTRY: dict[str, Requirement] = {}
OUTSIDE = Requirement(OUTSIDE_PREFIX, "check made outside any requirement", "n/a")
_current: Requirement = OUTSIDE


def register(req: Requirement) -> Requirement:
    """Add ``req`` to REGISTRY; an ID may be registered twice only with identical text."""
    prefix = req.id.split("-", 1)[0]
    if prefix not in CHAPTERS or req.id != req.id.upper() or " " in req.id:
        raise ValueError(f"requirement ID {req.id!r} must be UPPER-CASE and start with one of {sorted(CHAPTERS)}")
    known = REGISTRY.get(req.id)
    if known is not None and known != req:
        raise ValueError(f"requirement {req.id} registered twice with different text: {known} vs {req}")
    REGISTRY[req.id] = req
    return req


def test_name_for(req_id: str) -> str:
    """The test function name a requirement ID prescribes: ACT-SIGMOID-STABLE -> test_act_sigmoid_stable."""
    return "test_" + req_id.lower().replace("-", "_")


test_name_for.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test, wherever it is imported


def requirement(req_id: str, statement: str, source: str) -> Callable[[F], F]:
    """Decorate the test checking requirement ``req_id``; the test must be named ``test_name_for(req_id)``."""
    req = register(Requirement(req_id, statement, source))

    def decorate(test: F) -> F:
        expected = test_name_for(req_id)
        if test.__name__ != expected:
            raise NameError(f"the test for {req_id} must be named {expected}, not {test.__name__}")
        marked: F = getattr(pytest.mark, MARKER)(req.id)(test)
        return marked

    return decorate


def requirement_param(*values: object, req: Requirement) -> Any:
    """A ``pytest.param`` carrying its own requirement, for data-driven tests (one requirement per case)."""
    register(req)
    return pytest.param(*values, id=req.id, marks=getattr(pytest.mark, MARKER)(req.id))


def current() -> Requirement:
    """The requirement of the running test (OUTSIDE when no requirement test is running)."""
    return _current


def set_current(req: Requirement | None) -> None:
    """Set by the plugin around each test; None resets to OUTSIDE."""
    global _current
    _current = OUTSIDE if req is None else req
