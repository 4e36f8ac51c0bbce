"""Data for the grader's figures, recorded by the requirements that compute it (issue 15: the HTML report).

A requirement calls ``record(name, data)`` with plain numbers it has already computed (relative errors, accuracies,
indices); the grader turns recording on around its pytest run (``start``), collects everything with ``take`` and
draws it. Under plain pytest recording is off and ``record`` does nothing, so the spec's checks never depend on it.
What is recorded is keyed by the running requirement (``spec.requirements.current``) and the figure's ``name``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from spec.assertions import relative_error
from spec.requirements import current

# NET-BACKWARD-GRADCHECK, one figure per combination of activations and loss ("gradient check: <case>", so that
# the cap below holds per combination): {"case": str, "errors": {parameter: float | None}}
GRADIENT_CHECK = "gradient check"
TEST_ACCURACY = "test accuracy"  # the MNIST gate, per epoch: {"epoch": int, "accuracy": float}
MISCLASSIFIED = "misclassified"  # the MNIST gate, at the end: {"index": [test index], "predicted": [label]}
MAX_RECORDS = 200  # per requirement and figure: hypothesis may run (and shrink) a test hundreds of times

Recorded = dict[str, dict[str, list[Any]]]  # requirement ID -> figure name -> records, in the order recorded
_recorded: Recorded | None = None


def start() -> None:
    """Turn recording on, with nothing recorded yet."""
    global _recorded
    _recorded = {}


def take() -> Recorded:
    """Everything recorded since ``start``; recording is off again."""
    global _recorded
    recorded, _recorded = _recorded or {}, None
    return recorded


def record(name: str, data: Any) -> None:
    """Keep ``data`` (plain numbers, strings, lists, dicts) for figure ``name`` of the running requirement."""
    if _recorded is None:
        return
    records = _recorded.setdefault(current().id, {}).setdefault(name, [])
    if len(records) < MAX_RECORDS:
        records.append(data)


def gradient_errors(grads: Any, numeric: Mapping[str, np.ndarray]) -> dict[str, float | None]:
    """Relative error of ``grads["d" + name]`` against ``numeric[name]`` per parameter; None where the gradient
    is missing or of another shape (the requirement's own checks say which), inf where it is not finite."""
    errors: dict[str, float | None] = {}
    for name, expected in numeric.items():
        got = grads.get("d" + name) if isinstance(grads, Mapping) else None
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            got = None
        if got is None or got.shape != np.shape(expected):
            errors[name] = None
        else:
            errors[name] = relative_error(got, expected) if np.isfinite(got).all() else float("inf")
    return errors
