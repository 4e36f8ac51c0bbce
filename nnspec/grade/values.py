"""A submission's top-level values handed to the grader as data: what a notebook computed, not a function to call.

Part of the worker runtime (standard library only; it never imports a framework). An assignment profile that names
values (``[profile] values``, e.g. document 001's autograd exercise: ``x``, ``w``, ``b``, ``loss``, ...) makes the
worker serve one more function, ``FUNCTION``, taking no argument: it returns, per named value, its ``data``. Only
data crosses (numbers, strings, lists, NumPy arrays), never the learner's object: a tensor becomes its numbers,
dtype, whether it tracks gradients and its ``.grad``, read without calling anything of the learner's but the
tensor's own methods. The spec computes every expected value itself, in the grader. A value the learner left as
``NotImplemented`` (a starter's placeholder) is ``NOT_WRITTEN``, which the spec counts as "not implemented".
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

FUNCTION = "notebook_values"  # the served function's name; not a contract function (spec/contract.py)
MISSING = {"missing": True}  # a named value the submission does not define
NOT_WRITTEN = {"not_written": True}  # a named value still NotImplemented, as `nnspec starter --profile` leaves it
NUMBERS = (bool, int, float)


def reader(module: ModuleType, names: list[str]) -> Callable[[], dict[str, Any]]:
    """``FUNCTION``: ``{name: data(module.name)}`` for each of ``names`` (``MISSING`` when the module has none)."""

    def notebook_values() -> dict[str, Any]:
        return {name: data(getattr(module, name)) if hasattr(module, name) else MISSING for name in names}

    notebook_values.__name__ = notebook_values.__qualname__ = FUNCTION
    return notebook_values


def data(value: Any) -> Any:
    """``value`` as data: a number as a float (or bool); a tensor (anything with ``detach`` and ``requires_grad``)
    as ``{"tensor": True, "value": nested list, "dtype": str, "requires_grad": bool, "grad": nested list or
    None}``; an array or list of numbers as a nested list of floats; ``NotImplemented`` as ``NOT_WRITTEN``;
    anything else as ``{"type": its type's name}``."""
    if value is NotImplemented:
        return NOT_WRITTEN
    if isinstance(value, NUMBERS):
        return value if isinstance(value, bool) else float(value)
    if hasattr(value, "detach") and hasattr(value, "requires_grad"):
        grad = value.grad if getattr(value, "is_leaf", True) else None  # autograd fills only the leaves' .grad
        return {"tensor": True, "value": _numbers(value.detach().tolist()), "dtype": str(value.dtype),
                "requires_grad": bool(value.requires_grad),
                "grad": None if grad is None else _numbers(grad.detach().tolist())}
    listed = value.tolist() if hasattr(value, "tolist") else value
    try:
        return _numbers(listed)
    except TypeError:
        return {"type": type(value).__name__}


def _numbers(listed: Any) -> Any:
    """A number, or nested lists of numbers, as floats; TypeError for anything else."""
    if isinstance(listed, NUMBERS):
        return float(listed)
    if isinstance(listed, (list, tuple)):
        return [_numbers(item) for item in listed]
    raise TypeError(f"not a number: {type(listed).__name__}")
