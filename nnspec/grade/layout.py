"""A row-major assignment's arrays seen in the contract's column-major layout, applied in the worker.

Part of the worker runtime (copied into the sandbox; standard library and NumPy only). The grader sends, per mapped
function, the roles of its contract arguments and results (spec/layout.py, as data) and the assignment's bias shape:

    {"arguments": {contract parameter: role}, "result": role | [role or null, ...], "bias": "(1, n)" | "(n,)"}

Row-major: samples are rows, ``X`` is ``(m, n_in)``, ``W`` is ``(n_in, n_out)`` and a bias is ``(1, n)`` or
``(n,)``. An array that is not shaped as its role says is handed over as it is, so that a wrong shape shows in the
grade rather than being fixed here. Transposes are views: a learner writing into its arguments writes into the
contract's (the purity requirements see it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

SAMPLES, WEIGHT, BIAS, PARAMETERS = "samples", "weight", "bias", "parameters"  # spec/layout.py's roles
ROW, FLAT = "(1, n)", "(n,)"  # the bias shapes a row-major assignment may use
WEIGHT_KEYS, BIAS_KEYS = ("W", "dW"), ("b", "db")  # a parameters or gradients dict's keys, by their letters


def to_learner(value: Any, role: str | None, bias: str) -> Any:
    """A contract argument of ``role`` in the assignment's row-major layout."""
    if role == PARAMETERS:
        return _keyed(value, bias, to_learner)
    if not isinstance(value, np.ndarray) or value.ndim != 2:
        return value
    if role in (SAMPLES, WEIGHT):
        return value.T
    if role == BIAS and value.shape[1] == 1:
        return value.T if bias == ROW else value.reshape(-1)
    return value


def to_contract(value: Any, role: str | None, bias: str) -> Any:
    """What the learner returned for a result of ``role``, in the contract's column-major layout."""
    if role == PARAMETERS:
        return _keyed(value, bias, to_contract)
    if not isinstance(value, np.ndarray):
        return value
    if role in (SAMPLES, WEIGHT) and value.ndim == 2:
        return value.T
    if role == BIAS and bias == ROW and value.ndim == 2 and value.shape[0] == 1:
        return value.T
    if role == BIAS and bias == FLAT and value.ndim == 1:
        return value.reshape(-1, 1)
    return value


def result(value: Any, roles: str | list[str | None] | None, bias: str) -> Any:
    """The learner's result in the contract's layout: one role, or one per item of the tuple it returned (a
    result that is not such a tuple is handed over as it is)."""
    if not isinstance(roles, list):
        return to_contract(value, roles, bias)
    if not isinstance(value, (tuple, list)) or len(value) != len(roles):
        return value
    return tuple(to_contract(item, role, bias) for item, role in zip(value, roles, strict=True))


def _keyed(value: Any, bias: str, convert: Callable[[Any, str | None, str], Any]) -> Any:
    """A parameters or gradients dict converted key by key (``W1``/``dW1`` weights, ``b1``/``db1`` biases)."""
    if not isinstance(value, dict):
        return value
    return {key: convert(item, _role(str(key)), bias) for key, item in value.items()}


def _role(key: str) -> str | None:
    letters = key.rstrip("0123456789")
    return WEIGHT if letters in WEIGHT_KEYS else BIAS if letters in BIAS_KEYS else None
