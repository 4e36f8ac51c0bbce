"""Layers chapter: the linear (dense) layer, column-major (document 003 §1.5; contract v1 table, "layers").

``linear_backward`` is judged against central differences of sum(G * (W A_prev + b)) for a random cotangent
G = dZ, computed from the exact linear map rather than from the implementation's ``linear_forward``, so a
broken forward does not also fail the backward requirements. The contract's convention: dW and db are means
over the m samples (the 1/m), dA_prev = W^T dZ is not.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec import oracles
from spec.assertions import assert_close, assert_dtype, assert_gradient_matches, assert_shape, assert_unchanged, check
from spec.impl import Implementation
from spec.requirements import requirement
from spec.strategies import arrays, away_from

SOURCE = "003_d92bbac1e53fa49d.txt §1.5 Backpropagation"
CONTRACT = "contract v1, layers"
BOUND = 5.0  # |A_prev|, |W|, |b| <= 5: every |Z| <= 5 * 5 * 5 + 5 = 130
FORWARD_RTOL = 1e-12
FORWARD_ATOL = 1e-12  # a dot product of <= 5 terms of size <= 25 rounds by < 5 ulp(130) ~ 1.4e-13
# f = sum(G * Z) is linear in each of A_prev, W and b, so central differences have no truncation error; with
# |f| <= 25 * 2 * 130 = 6500 and a step of 1e-3, the rounding error of each difference is below 1e-8.
FD_EPS = 1e-3
FD_ATOL = 1e-8
FD_MAX_RELATIVE_ERROR = 1e-7
ORACLE = "oracle: central differences of sum(dZ * Z) through the spec's linear map Z = W A_prev + b of 003 §1.1, " \
         "spec/oracles.py"


@st.composite
def layer_case(draw: st.DrawFn) -> dict[str, np.ndarray]:
    """A_prev (n_prev, m), W (n, n_prev), b (n, 1) and a cotangent G (n, m) with |G| in [0.5, 2]."""
    n_prev, n, m = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return {
        "A_prev": draw(arrays((n_prev, m), -BOUND, BOUND), label="A_prev"),
        "W": draw(arrays((n, n_prev), -BOUND, BOUND), label="W"),
        "b": draw(arrays((n, 1), -BOUND, BOUND), label="b"),
        "G": draw(away_from((n, m), margin=0.5, min_value=-2.0, max_value=2.0), label="dZ"),
    }


def call(impl: Implementation, name: str, *args: Any) -> Any:
    """``impl.<name>(*args)`` with RuntimeWarnings raised as errors (they become failures)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return getattr(impl, name)(*args)


def backward(impl: Implementation, case: dict[str, np.ndarray]) -> tuple[Any, Any, Any]:
    """(dA_prev, dW, db) from the implementation, after checking it returned three things."""
    result = call(impl, "linear_backward", case["G"], case["A_prev"], case["W"])
    check(isinstance(result, tuple) and len(result) == 3,
          f"linear_backward must return the tuple (dA_prev, dW, db); got {type(result).__name__} "
          f"of length {len(result) if hasattr(result, '__len__') else '?'}")
    return result


def backward_inputs(case: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"dZ": case["G"], "A_prev": case["A_prev"], "W": case["W"]}


def numeric(case: dict[str, np.ndarray], wrt: str) -> np.ndarray:
    """Central differences of sum(G * (W A_prev + b)) with respect to ``wrt``."""
    def objective(value: np.ndarray) -> float:
        args = {**case, wrt: value}
        return float(np.sum(case["G"] * oracles.linear(args["A_prev"], args["W"], args["b"])))

    return oracles.central_difference(objective, case[wrt], FD_EPS)


@requirement("LAY-LINEAR-FORWARD-VALUES", "linear_forward(A_prev, W, b) = W A_prev + b, shape (n, m)",
             f"{SOURCE}; 003 §1.1 (z = W x + b)")
@given(case=layer_case())
def test_lay_linear_forward_values(impl: Implementation, case: dict[str, np.ndarray]) -> None:
    A_prev, W, b = case["A_prev"], case["W"], case["b"]
    got = call(impl, "linear_forward", A_prev, W, b)
    assert_close(got, W @ A_prev + b, fn="linear_forward", inputs={"A_prev": A_prev, "W": W, "b": b}, what="Z",
                 rtol=FORWARD_RTOL, atol=FORWARD_ATOL, alternatives={"W A_prev without the bias b": W @ A_prev})


@requirement("LAY-LINEAR-BACKWARD-SHAPES", "linear_backward returns (dA_prev, dW, db) shaped like A_prev, W and "
             "(n, 1)", CONTRACT)
@given(case=layer_case())
def test_lay_linear_backward_shapes(impl: Implementation, case: dict[str, np.ndarray]) -> None:
    dA_prev, dW, db = backward(impl, case)
    inputs = backward_inputs(case)
    assert_shape(dA_prev, case["A_prev"].shape, fn="linear_backward", inputs=inputs, what="dA_prev (1st result)")
    assert_shape(dW, case["W"].shape, fn="linear_backward", inputs=inputs, what="dW (2nd result)")
    assert_shape(db, case["b"].shape, fn="linear_backward", inputs=inputs, what="db (3rd result)")


@requirement("LAY-LINEAR-BACKWARD-DW", "dW = dZ A_prev^T / m: the mean over samples of the per-sample gradients "
             f"({ORACLE})",
             f"{SOURCE} (BP4); central differences")
@given(case=layer_case())
def test_lay_linear_backward_dw(impl: Implementation, case: dict[str, np.ndarray]) -> None:
    m = case["A_prev"].shape[1]
    _, dW, _ = backward(impl, case)
    assert_gradient_matches(dW, numeric(case, "W") / m, fn="linear_backward", inputs=backward_inputs(case),
                            what="dW", max_relative_error=FD_MAX_RELATIVE_ERROR, atol=FD_ATOL, m=m,
                            alternatives={"A_prev dZ^T / m: the transpose of dW": (case["A_prev"] @ case["G"].T) / m})


@requirement("LAY-LINEAR-BACKWARD-DB", f"db = the mean of dZ over the samples, shape (n, 1) ({ORACLE})",
             f"{SOURCE} (BP3); central differences")
@given(case=layer_case())
def test_lay_linear_backward_db(impl: Implementation, case: dict[str, np.ndarray]) -> None:
    m = case["A_prev"].shape[1]
    _, _, db = backward(impl, case)
    assert_gradient_matches(db, numeric(case, "b") / m, fn="linear_backward", inputs=backward_inputs(case),
                            what="db", max_relative_error=FD_MAX_RELATIVE_ERROR, atol=FD_ATOL, m=m)


@requirement("LAY-LINEAR-BACKWARD-DA", f"dA_prev = W^T dZ (no 1/m: it is passed on per sample) ({ORACLE})",
             f"{SOURCE} (BP2); central differences")
@given(case=layer_case())
def test_lay_linear_backward_da(impl: Implementation, case: dict[str, np.ndarray]) -> None:
    m = case["A_prev"].shape[1]
    dA_prev, _, _ = backward(impl, case)
    expected = numeric(case, "A_prev")
    alternatives = {"W^T dZ / m: only dW and db are averaged over the batch, dA_prev is not": expected / m} \
        if m > 1 else {}
    assert_gradient_matches(dA_prev, expected, fn="linear_backward", inputs=backward_inputs(case), what="dA_prev",
                            max_relative_error=FD_MAX_RELATIVE_ERROR, atol=FD_ATOL, alternatives=alternatives)


@requirement("LAY-FLOAT32", "float32 inputs give float32 Z, dA_prev, dW and db",
             "contract v1 (float32 only when every floating input is float32)")
def test_lay_float32(impl: Implementation) -> None:
    A_prev = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]], dtype=np.float32)
    W = np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32)
    b = np.array([[0.1], [-0.2]], dtype=np.float32)
    dZ = np.array([[1.0, -0.5, 2.0], [0.5, 1.5, -1.0]], dtype=np.float32)
    forward_inputs = {"A_prev": A_prev, "W": W, "b": b}
    assert_dtype(call(impl, "linear_forward", A_prev, W, b), np.float32, fn="linear_forward", inputs=forward_inputs,
                 what="Z")
    results = backward(impl, {"G": dZ, "A_prev": A_prev, "W": W, "b": b})
    for name, result in zip(("dA_prev", "dW", "db"), results, strict=True):
        assert_dtype(result, np.float32, fn="linear_backward", inputs={"dZ": dZ, "A_prev": A_prev, "W": W}, what=name)


@requirement("LAY-PURE", "linear_forward and linear_backward never modify their arguments (read-only inputs work)",
             "contract v1 (every function is pure)")
@pytest.mark.parametrize("name", ["linear_forward", "linear_backward"])
def test_lay_pure(impl: Implementation, name: str) -> None:
    A_prev = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    W = np.array([[0.5, -1.0], [2.0, 0.25]])
    args = {"linear_forward": {"A_prev": A_prev, "W": W, "b": np.array([[0.1], [-0.2]])},
            "linear_backward": {"dZ": np.array([[1.0, -0.5, 2.0], [0.5, 1.5, -1.0]]), "A_prev": A_prev, "W": W}}[name]
    copies = {key: value.copy() for key, value in args.items()}
    call(impl, name, *copies.values())
    for key, value in args.items():
        assert_unchanged(value, copies[key], fn=name, what=key)
    for value in copies.values():
        value.flags.writeable = False
    call(impl, name, *copies.values())
