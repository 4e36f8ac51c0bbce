"""The autograd exercise chapter: document 001's one-neuron exercise, graded on the values a notebook leaves behind.

Source: 001_f077b5e28fc6b833.txt, "Hands-On Exercise: Math to PyTorch Implementation", Tasks 1-4, handed in as
its "Deliverables" notebook ``pytorch_autograd.ipynb``: ``x`` (inputs, no gradient tracking), ``w`` and ``b``
(``requires_grad=True``), ``z = x . w + b``, ``y = relu(z)``, ``target``, ``loss = (y - target)^2`` followed by
``loss.backward()``, and ``manual_grad``, the chain rule by hand. The profile ``document-001-autograd`` runs every
cell of the notebook and names these values; the worker hands them over as data (nnspec/grade/values.py: numbers,
dtype, ``requires_grad`` and ``.grad``, never the tensors). Without that profile the chapter is not applicable.

The oracle is the chain rule, computed here in float64 from the learner's own x, w, b and target (any values the
learner picks): z* = x . w + b, y* = max(z*, 0), dL/dw = 2 (y* - target) relu'(z*) x and dL/db = 2 (y* - target)
relu'(z*), with relu'(z) = 1 for z > 0 and 0 for z <= 0 (torch's ReLU gradient at 0 is 0). With the document's
inputs: y = 1.3, loss = 0.09, dL/dw = [0.6, 1.2, 1.8], dL/db = 0.6.

Tolerance. The learner's tensors are usually float32: each value may differ from the float64 oracle by
``ULPS`` units of the coarsest floating type among x, w, b and target, times the size of the terms it is made of
(``Oracle.size``). Where |z*| is within that tolerance of 0, ReLU's side is a matter of rounding, and either
gradient (active or zero) is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from nnspec.grade import values
from nnspec.profiles.applicability import NOT_APPLICABLE
from spec.assertions import check
from spec.impl import NOT_IMPLEMENTED, Implementation
from spec.requirements import requirement

SOURCE = "001_f077b5e28fc6b833.txt, Hands-On Exercise: Math to PyTorch Implementation"
ULPS = 16  # rounding allowance in units of the coarsest float type: a few operations, far below any real mistake
EPS = {"torch.float16": 2.0**-10, "torch.bfloat16": 2.0**-7, "torch.float32": 2.0**-23, "torch.float64": 2.0**-52}
NUMBER_EPS = EPS["torch.float64"]  # a Python number or an array of the notebook's own


def _values(impl: Implementation) -> dict[str, Any]:
    """The notebook's values as data; the chapter is not applicable when no profile serves them."""
    if not impl.has(values.FUNCTION):
        pytest.skip(f"{NOT_APPLICABLE}the exercise's values are graded only with --profile document-001-autograd")
    served: dict[str, Any] = getattr(impl, values.FUNCTION)()
    return served


def _defined(served: dict[str, Any], name: str) -> Any:
    entry = served.get(name, values.MISSING)
    if entry == values.NOT_WRITTEN:
        pytest.skip(NOT_IMPLEMENTED + name)  # still NotImplemented, as the starter left it
    check(entry != values.MISSING, f"after all its cells ran, your notebook defines no `{name}` (a cell that "
                                   "raised stops there: see the output above)")
    return entry


def _given(served: dict[str, Any], name: str) -> bool:
    """Whether the notebook gives ``name``, a value it may leave out (neither missing nor left NotImplemented)."""
    return served.get(name, values.MISSING) not in (values.MISSING, values.NOT_WRITTEN)


def _tensor(served: dict[str, Any], name: str) -> dict[str, Any]:
    entry = _defined(served, name)
    check(isinstance(entry, dict) and entry.get("tensor") is True,
          f"`{name}` must be a torch tensor; it is {_kind(entry)}")
    return dict(entry)


def _kind(entry: Any) -> str:
    if isinstance(entry, dict) and "type" in entry:
        return f"a {entry['type']}"
    return "a number" if isinstance(entry, (bool, float)) else "a list or array of numbers"


def _numbers(served: dict[str, Any], name: str) -> np.ndarray:
    """``name``'s numbers (a tensor's, an array's or a number) as a float64 array."""
    entry = _defined(served, name)
    numbers = entry["value"] if isinstance(entry, dict) and entry.get("tensor") else entry
    check(not isinstance(numbers, dict), f"`{name}` must be a tensor or numbers; it is {_kind(entry)}")
    return np.asarray(numbers, dtype=np.float64)


def _eps(served: dict[str, Any], names: tuple[str, ...] = ("x", "w", "b", "target")) -> float:
    """The unit of rounding of the coarsest floating type among ``names``."""
    kinds = [served.get(name) for name in names]
    return max([EPS.get(entry.get("dtype", ""), NUMBER_EPS) if isinstance(entry, dict) else NUMBER_EPS
                for entry in kinds])


@dataclass(frozen=True)
class Oracle:
    """The chain rule's values on the learner's own x, w, b and target (float64), and the rounding allowances."""

    x: np.ndarray
    w: np.ndarray
    b: float
    target: float
    z: float
    size: float  # |x| . |w| + |b| + |target|: the size of the terms every value is made of
    unit: float  # ULPS units of rounding of the coarsest float type

    @property
    def y(self) -> float:
        return max(self.z, 0.0)

    @property
    def z_tolerance(self) -> float:
        return self.unit * (self.size - abs(self.target))

    def active(self) -> list[bool]:
        """ReLU's side(s) at z*: both when |z*| is within rounding of 0."""
        if abs(self.z) <= self.z_tolerance:
            return [True, False]
        return [self.z > 0]

    def dL_dz(self, active: bool) -> float:
        return 2 * (self.y - self.target) if active else 0.0

    def describe(self) -> str:
        return (f"x = {_show(self.x)}, w = {_show(self.w)}, b = {self.b:.6g}, target = {self.target:.6g}: "
                f"z = x . w + b = {self.z:.6g}, y = relu(z) = {self.y:.6g}, relu'(z) = {int(self.z > 0)}")


def _oracle(served: dict[str, Any]) -> Oracle:
    """The oracle for the notebook's x, w, b and target (a failure when they cannot make the exercise)."""
    x, w = _numbers(served, "x").ravel(), _numbers(served, "w").ravel()
    b, target = _numbers(served, "b").ravel(), _numbers(served, "target").ravel()
    check(x.size == w.size, f"x has {x.size} numbers and w {w.size}: x . w needs as many")
    check(b.size == 1 and target.size == 1, f"b and target must be single numbers; b has {b.size}, target "
                                            f"{target.size}")
    size = float(np.abs(x) @ np.abs(w)) + abs(float(b[0])) + abs(float(target[0]))
    return Oracle(x, w, float(b[0]), float(target[0]), float(x @ w) + float(b[0]), size, ULPS * _eps(served))


def _show(numbers: np.ndarray) -> str:
    """``[0.6, 1.2, 1.8]``: six significant digits, so that float32 rounding does not hide the numbers."""
    return "[" + ", ".join(f"{value:.6g}" for value in np.ravel(numbers)) + "]"


def _matches(got: np.ndarray, expected: np.ndarray, tolerance: float) -> bool:
    return got.shape == expected.shape and bool(np.all(np.abs(got - expected) <= tolerance))


def _check_gradient(got: np.ndarray, oracle: Oracle, of_w: bool, what: str) -> None:
    """``got`` is dL/dw (``of_w``) or dL/db by the chain rule, on either side of ReLU where rounding decides."""
    factor = oracle.x if of_w else np.ones(1)
    candidates = [oracle.dL_dz(active) * factor for active in oracle.active()]
    tolerance = 2 * oracle.unit * oracle.size * max(float(np.max(np.abs(factor))), 1.0)
    got = got.ravel()
    if any(_matches(got, expected, tolerance) for expected in candidates):
        return
    expected = candidates[0]
    hint = ""
    if expected.any() and _matches(got, 2 * expected, 2 * tolerance):
        hint = "\nit is twice the chain rule: gradients accumulate in .grad (was backward called twice?)"
    elif expected.any() and _matches(got, expected / 2, tolerance):
        hint = "\nit is half the chain rule: d(y - target)^2/dy = 2 (y - target)"
    check(False, f"{what} = {_show(got)}, expected {_show(expected)} by the chain rule "
                 f"2 (y - target) relu'(z){' x' if of_w else ''}, with {oracle.describe()}{hint}")


# ---------------------------------------------------------------------------------------------- Task 1


@requirement("AUTOGRAD-INPUT-NO-GRAD",
             "x is a floating-point tensor of the neuron's inputs that does not track gradients",
             f"{SOURCE}, Task 1: Initialize Tensors with Gradients")
def test_autograd_input_no_grad(impl: Implementation) -> None:
    x = _tensor(_values(impl), "x")
    check("float" in x["dtype"], f"x must hold floating-point numbers; its dtype is {x['dtype']}")
    check(not x["requires_grad"], "x tracks gradients (requires_grad=True); the inputs are data, not parameters")


def _check_parameter(served: dict[str, Any], name: str, size: int, why: str) -> None:
    tensor = _tensor(served, name)
    check("float" in tensor["dtype"], f"{name} must hold floating-point numbers; its dtype is {tensor['dtype']}")
    check(tensor["requires_grad"], f"{name} does not track gradients: create it with requires_grad=True, or "
                                   f"autograd leaves {name}.grad empty")
    got = np.asarray(tensor["value"]).size
    check(got == size, f"{name} has {got} number(s); expected {size} ({why})")


@requirement("AUTOGRAD-W-REQUIRES-GRAD",
             "w is a floating-point tensor of as many weights as inputs, created with requires_grad=True",
             f"{SOURCE}, Task 1: Initialize Tensors with Gradients")
def test_autograd_w_requires_grad(impl: Implementation) -> None:
    served = _values(impl)
    size = _numbers(served, "x").size
    _check_parameter(served, "w", size, f"one weight per input: x has {size}")


@requirement("AUTOGRAD-B-REQUIRES-GRAD",
             "b is a floating-point tensor holding one number, created with requires_grad=True",
             f"{SOURCE}, Task 1: Initialize Tensors with Gradients")
def test_autograd_b_requires_grad(impl: Implementation) -> None:
    _check_parameter(_values(impl), "b", 1, "one bias for the one neuron")


# ---------------------------------------------------------------------------------------------- Task 2


@requirement("AUTOGRAD-FORWARD",
             "y = relu(z) with z = x . w + b, for the notebook's own x, w and b (z checked when defined)",
             f"{SOURCE}, Task 2: Implement the Forward Pass")
def test_autograd_forward(impl: Implementation) -> None:
    served = _values(impl)
    oracle = _oracle(served)
    if _given(served, "z"):
        z = _numbers(served, "z").ravel()
        check(z.size == 1 and abs(z[0] - oracle.z) <= oracle.z_tolerance,
              f"z = {_show(z)}, expected x . w + b = {oracle.z:.6g} with {oracle.describe()}")
    y = _numbers(served, "y").ravel()
    check(y.size == 1 and abs(y[0] - oracle.y) <= oracle.z_tolerance,
          f"y = {_show(y)}, expected relu(z) = max(z, 0) = {oracle.y:.6g} with {oracle.describe()}")


# ---------------------------------------------------------------------------------------------- Task 3


@requirement("AUTOGRAD-LOSS",
             "loss = (y - target)^2, the squared error of the notebook's own y and target",
             f"{SOURCE}, Task 3: Trigger Autograd")
def test_autograd_loss(impl: Implementation) -> None:
    served = _values(impl)
    oracle = _oracle(served)
    y, loss = _numbers(served, "y").ravel(), _numbers(served, "loss").ravel()
    check(y.size == 1 and loss.size == 1, f"y and loss must be single numbers; y has {y.size}, loss {loss.size}")
    expected = (float(y[0]) - oracle.target) ** 2
    check(abs(loss[0] - expected) <= oracle.unit * oracle.size**2,
          f"loss = {loss[0]:.6g}, expected (y - target)^2 = ({y[0]:.6g} - {oracle.target:g})^2 = {expected:.6g}")


# ---------------------------------------------------------------------------------------------- Task 4


def _grad(served: dict[str, Any], name: str) -> np.ndarray:
    tensor = _tensor(served, name)
    check(tensor["grad"] is not None, f"{name}.grad is None: call loss.backward() once, after computing the loss "
                                      f"(and create {name} itself with requires_grad=True, not a copy of it)")
    return np.asarray(tensor["grad"], dtype=np.float64)


@requirement("AUTOGRAD-W-GRADIENT",
             "after loss.backward(), w.grad is dL/dw (oracle: the chain rule 2 (y - target) relu'(z) x on the "
             "notebook's own x, w, b and target, computed by the spec)",
             f"{SOURCE}, Tasks 3-4: Trigger Autograd, Verify the Gradients")
def test_autograd_w_gradient(impl: Implementation) -> None:
    served = _values(impl)
    _check_gradient(_grad(served, "w"), _oracle(served), of_w=True, what="w.grad")


@requirement("AUTOGRAD-B-GRADIENT",
             "after loss.backward(), b.grad is dL/db (oracle: the chain rule 2 (y - target) relu'(z) on the "
             "notebook's own x, w, b and target, computed by the spec)",
             f"{SOURCE}, Tasks 3-4: Trigger Autograd, Verify the Gradients")
def test_autograd_b_gradient(impl: Implementation) -> None:
    served = _values(impl)
    _check_gradient(_grad(served, "b"), _oracle(served), of_w=False, what="b.grad")


@requirement("AUTOGRAD-MANUAL-GRADIENT",
             "manual_grad is dL/dw by hand, and manual_grad_b (when defined) dL/db (oracle: the chain rule "
             "2 (y - target) relu'(z) x, computed by the spec; the notebook's own assert does not count)",
             f"{SOURCE}, Task 4: Verify the Gradients; Deliverables (pytorch_autograd.ipynb, torch.allclose)")
def test_autograd_manual_gradient(impl: Implementation) -> None:
    served = _values(impl)
    oracle = _oracle(served)
    _check_gradient(_numbers(served, "manual_grad"), oracle, of_w=True, what="manual_grad")
    if _given(served, "manual_grad_b"):
        _check_gradient(_numbers(served, "manual_grad_b"), oracle, of_w=False, what="manual_grad_b")
