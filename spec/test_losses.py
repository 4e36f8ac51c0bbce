"""Losses chapter (document 003 §1.3; contract v1 table, "losses").

Costs against SciPy-based oracles, every ``*_gradient`` against central differences of the ORACLE cost (so a
gradient is judged on its own, not on the implementation's cost), the logit identities of 003 (BCE after a
sigmoid and CE after a softmax both give (y_hat - y) / m), clipping, stability, dtypes and purity.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec import oracles
from spec.assertions import (
    assert_close,
    assert_dtype,
    assert_finite,
    assert_gradient_matches,
    assert_shape,
    assert_unchanged,
    check,
)
from spec.impl import Implementation
from spec.requirements import requirement
from spec.strategies import arrays, binary_labels, one_hot, probabilities

SOURCE = "003_d92bbac1e53fa49d.txt §1.3 Loss functions"
CONTRACT = "contract v1, losses"
COST_RTOL = 1e-10  # a mean of logs or squares: different summation orders agree to ~1e-15 relative
FD_MAX_RELATIVE_ERROR = 1e-7
# MSE is quadratic, so central differences have no truncation error; a step of 1e-3 keeps the rounding error
# (ulp of a cost <= 400 over the step) near 1e-10.
MSE_EPS = 1e-3
# BCE/CE: each term is -log(q) / N with q = p or 1 - p, so |f'''| / |f'| = 2 / q^2 and the truncation error of
# a central difference relative to the gradient is eps^2 / (3 q^2). A step of 1e-4 * min q keeps it below
# 4e-9, and the rounding error (ulp of a cost <= 35 over the step, against a gradient >= 1 / (N q)) below 1e-9.
LOG_STEP_FACTOR = 1e-4
FD_ATOL = 1e-9  # gradients that are all (nearly) zero, e.g. AL = Y for MSE: above the rounding bound
CHAIN_RTOL = 1e-9  # (y_hat - y)/m through a product of float64 factors loses a few ulp of 1/(p (1 - p)) <= 3e3
CHAIN_ATOL = 1e-15
PROBABILITY_LOW, PROBABILITY_HIGH = 0.05, 0.95
LOSSES = ("binary_cross_entropy", "categorical_cross_entropy", "mse")
GRADIENTS = tuple(f"{loss}_gradient" for loss in LOSSES)
ORACLE: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "binary_cross_entropy": oracles.binary_cross_entropy,
    "categorical_cross_entropy": oracles.categorical_cross_entropy,
    "mse": oracles.mse,
}
EXTREME_AL = np.array([[0.0, 1.0, 1e-300, 1.0 - 1e-16, 0.0, 1.0]])
EXTREME_Y = np.array([[1.0, 0.0, 1.0, 0.0, 0.0, 1.0]])

sizes = st.tuples(st.integers(1, 4), st.integers(1, 5))
class_sizes = st.tuples(st.integers(2, 5), st.integers(1, 5))


def call(impl: Implementation, name: str, *args: Any, **kwargs: Any) -> Any:
    """``impl.<name>(*args)`` with RuntimeWarnings raised as errors (they become failures)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return getattr(impl, name)(*args, **kwargs)


@st.composite
def mse_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    shape = draw(sizes)
    return draw(arrays(shape)), draw(arrays(shape))


@st.composite
def bce_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    shape = draw(sizes)
    return draw(probabilities(shape, PROBABILITY_LOW, PROBABILITY_HIGH)), draw(binary_labels(shape))


@st.composite
def ce_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """AL: softmax columns of logits in [-3, 3] (every entry >= e^-6 / 5); Y one-hot."""
    k, m = draw(class_sizes)
    return oracles.softmax(draw(arrays((k, m), -3.0, 3.0))), draw(one_hot(k, m))


CASES = {"binary_cross_entropy": bce_case, "categorical_cross_entropy": ce_case, "mse": mse_case}


def check_cost(impl: Implementation, loss: str, AL: np.ndarray, Y: np.ndarray, **alternatives: Any) -> None:
    got = call(impl, loss, AL, Y)
    assert_close(got, ORACLE[loss](AL, Y), fn=loss, inputs={"AL": AL, "Y": Y}, what="cost", rtol=COST_RTOL,
                 m=AL.size if loss != "categorical_cross_entropy" else AL.shape[1], alternatives=alternatives)


def check_gradient(impl: Implementation, loss: str, AL: np.ndarray, Y: np.ndarray, eps: float,
                   alternatives: dict[str, Any]) -> None:
    numeric = oracles.central_difference(lambda P: ORACLE[loss](P, Y), AL, eps)
    got = call(impl, f"{loss}_gradient", AL, Y)
    m = AL.size if loss != "categorical_cross_entropy" else AL.shape[1]
    assert_gradient_matches(got, numeric, fn=f"{loss}_gradient", inputs={"AL": AL, "Y": Y}, what="d(cost)/d(AL)",
                            max_relative_error=FD_MAX_RELATIVE_ERROR, atol=FD_ATOL, m=m, alternatives=alternatives)


# ---- costs ----------------------------------------------------------------------------------------------


@requirement("LOSS-MSE-VALUE", "mse(AL, Y) is the mean of (AL - Y)^2 over all N elements", SOURCE)
@given(case=mse_case())
def test_loss_mse_value(impl: Implementation, case: tuple[np.ndarray, np.ndarray]) -> None:
    AL, Y = case
    per_sample = float(np.sum((AL - Y) ** 2)) / AL.shape[1]
    check_cost(impl, "mse", AL, Y, **{"the sum of squares over m samples instead of the mean over all N elements":
                                      per_sample} if AL.shape[0] > 1 else {})


@requirement("LOSS-BCE-VALUE", "binary_cross_entropy(AL, Y) = -mean(Y log AL + (1 - Y) log(1 - AL)) over all "
             "elements", SOURCE)
@given(case=bce_case())
def test_loss_bce_value(impl: Implementation, case: tuple[np.ndarray, np.ndarray]) -> None:
    check_cost(impl, "binary_cross_entropy", *case)


@requirement("LOSS-CE-VALUE", "categorical_cross_entropy(AL, Y) is the mean over the m columns of "
             "-sum_k Y_k log AL_k", SOURCE)
@given(case=ce_case())
def test_loss_ce_value(impl: Implementation, case: tuple[np.ndarray, np.ndarray]) -> None:
    AL, Y = case
    all_elements = oracles.categorical_cross_entropy(AL, Y) / AL.shape[0]
    check_cost(impl, "categorical_cross_entropy", AL, Y,
               **{"the mean over all K*m elements instead of over the m samples": all_elements})


@requirement("LOSS-BCE-CLIPPED", "binary_cross_entropy clips AL to [1e-15, 1 - 1e-15]: AL of exactly 0 or 1 "
             "gives the clipped, finite cost", f"{CONTRACT} (clip)")
def test_loss_bce_clipped(impl: Implementation) -> None:
    check_cost(impl, "binary_cross_entropy", EXTREME_AL, EXTREME_Y)


@requirement("LOSS-CE-FLOOR", "categorical_cross_entropy floors AL at 1e-15: a 0 on the true class gives "
             "-log(1e-15) / m, finite", f"{CONTRACT} (floor)")
def test_loss_ce_floor(impl: Implementation) -> None:
    AL = np.array([[0.0, 0.5], [1.0, 0.5]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    check_cost(impl, "categorical_cross_entropy", AL, Y)


# ---- gradients d(cost)/d(AL) ----------------------------------------------------------------------------


@requirement("LOSS-MSE-GRADIENT", "mse_gradient(AL, Y) = d mse / d AL = 2 (AL - Y) / N (oracle: central "
             "differences of the spec's mse of 003 §1.3, spec/oracles.py)",
             f"{SOURCE}; central differences")
@given(case=mse_case())
def test_loss_mse_gradient(impl: Implementation, case: tuple[np.ndarray, np.ndarray]) -> None:
    AL, Y = case
    check_gradient(impl, "mse", AL, Y, MSE_EPS,
                   {"2 (AL - Y) / m: divided by the m samples, not by all N elements": 2 * (AL - Y) / AL.shape[1]})


@requirement("LOSS-BCE-GRADIENT", "binary_cross_entropy_gradient(AL, Y) = d BCE / d AL = "
             "(-Y / AL + (1 - Y) / (1 - AL)) / N (oracle: central differences of the spec's BCE of 003 §1.3, "
             "spec/oracles.py)", f"{SOURCE}; central differences")
@given(case=bce_case())
def test_loss_bce_gradient(impl: Implementation, case: tuple[np.ndarray, np.ndarray]) -> None:
    AL, Y = case
    check_gradient(impl, "binary_cross_entropy", AL, Y, LOG_STEP_FACTOR * min(AL.min(), (1 - AL).min()),
                   {"(AL - Y) / N: the gradient with respect to the logit z, not to AL": (AL - Y) / AL.size})


@requirement("LOSS-CE-GRADIENT", "categorical_cross_entropy_gradient(AL, Y) = d CE / d AL = -Y / (m AL) (oracle: "
             "central differences of the spec's CE of 003 §1.3, spec/oracles.py)",
             f"{SOURCE}; central differences")
@given(case=ce_case())
def test_loss_ce_gradient(impl: Implementation, case: tuple[np.ndarray, np.ndarray]) -> None:
    AL, Y = case
    check_gradient(impl, "categorical_cross_entropy", AL, Y, LOG_STEP_FACTOR * AL.min(),
                   {"(AL - Y) / m: the gradient with respect to the logits, not to AL": (AL - Y) / AL.shape[1]})


@requirement("LOSS-BCE-LOGIT-GRADIENT", "binary_cross_entropy_gradient times sigmoid_derivative gives "
             "(y_hat - y) / N with respect to the logit (oracle: this formula of 003 §1.3 with "
             "scipy.special.expit)", f"{SOURCE} (BCE gradient w.r.t. the logit)")
@given(data=st.data(), shape=sizes)
def test_loss_bce_logit_gradient(impl: Implementation, data: st.DataObject, shape: tuple[int, int]) -> None:
    z, Y = data.draw(arrays(shape, -8.0, 8.0), label="z"), data.draw(binary_labels(shape), label="Y")
    AL = call(impl, "sigmoid", z)
    dz = call(impl, "binary_cross_entropy_gradient", AL, Y) * call(impl, "sigmoid_derivative", z)
    assert_close(dz, (oracles.sigmoid(z) - Y) / z.size, fn="binary_cross_entropy_gradient",
                 inputs={"AL": AL, "Y": Y}, what="d(BCE)/dz = d(BCE)/d(AL) * sigmoid_derivative(z)",
                 rtol=CHAIN_RTOL, atol=CHAIN_ATOL, m=z.size)


@requirement("LOSS-SOFTMAX-CE-LOGIT-GRADIENT", "categorical_cross_entropy_gradient through the softmax Jacobian "
             "gives (y_hat - y) / m with respect to the logits (oracle: this formula of 003 §1.3 with "
             "scipy.special.softmax)", f"{SOURCE} (softmax + CE); 003 §1.2 Jacobian")
@given(data=st.data(), shape=class_sizes)
def test_loss_softmax_ce_logit_gradient(impl: Implementation, data: st.DataObject, shape: tuple[int, int]) -> None:
    Z, Y = data.draw(arrays(shape, -5.0, 5.0), label="Z"), data.draw(one_hot(*shape), label="Y")
    S = np.asarray(call(impl, "softmax", Z), dtype=np.float64)
    G = np.asarray(call(impl, "categorical_cross_entropy_gradient", S, Y), dtype=np.float64)
    dZ = S * (G - np.sum(S * G, axis=0, keepdims=True))  # column-wise (diag(s) - s s^T) g, 003 §1.2
    assert_close(dZ, (oracles.softmax(Z) - Y) / shape[1], fn="categorical_cross_entropy_gradient",
                 inputs={"AL": S, "Y": Y}, what="d(CE)/dZ through the softmax Jacobian", rtol=CHAIN_RTOL,
                 atol=CHAIN_ATOL, m=shape[1])


# ---- compute_cost ---------------------------------------------------------------------------------------


@requirement("LOSS-COMPUTE-COST", "compute_cost(AL, Y, loss=name) equals the named loss for each of the three "
             "names", CONTRACT)
@pytest.mark.parametrize("loss", LOSSES)
@given(data=st.data())
def test_loss_compute_cost(impl: Implementation, loss: str, data: st.DataObject) -> None:
    AL, Y = data.draw(CASES[loss](), label="AL, Y")
    got = call(impl, "compute_cost", AL, Y, loss=loss)
    alternatives = {f"the {other}": ORACLE[other](AL, Y) for other in LOSSES if other != loss}
    m = AL.size if loss != "categorical_cross_entropy" else AL.shape[1]
    assert_close(got, ORACLE[loss](AL, Y), fn="compute_cost", inputs={"AL": AL, "Y": Y, "loss": loss}, what="cost",
                 rtol=COST_RTOL, m=m, alternatives=alternatives)


@requirement("LOSS-COMPUTE-COST-DEFAULT", "compute_cost's default loss is binary_cross_entropy", CONTRACT)
def test_loss_compute_cost_default(impl: Implementation) -> None:
    AL, Y = np.array([[0.9, 0.2, 0.6]]), np.array([[1.0, 0.0, 0.0]])
    assert_close(call(impl, "compute_cost", AL, Y), oracles.binary_cross_entropy(AL, Y), fn="compute_cost",
                 inputs={"AL": AL, "Y": Y}, what="cost", rtol=COST_RTOL,
                 alternatives={"the mse": oracles.mse(AL, Y),
                               "the categorical_cross_entropy": oracles.categorical_cross_entropy(AL, Y)})


@requirement("LOSS-COST-IS-FLOAT", "every cost (the three losses and compute_cost) is returned as a Python float",
             "contract v1 (costs are Python floats)")
@pytest.mark.parametrize("name", [*LOSSES, "compute_cost"])
def test_loss_cost_is_float(impl: Implementation, name: str) -> None:
    AL, Y = np.array([[0.7, 0.2], [0.3, 0.8]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    cost = call(impl, name, AL, Y)
    check(isinstance(cost, float), f"{name} returned {type(cost).__name__} {cost!r}; a cost must be a Python "
          "float (e.g. return float(cost), not a 0-d or (1, 1) array)")


# ---- stability, shapes, dtypes, purity ------------------------------------------------------------------


@requirement("LOSS-STABLE", "costs and gradients are finite, without RuntimeWarnings, for AL at 0, 1 and 1e-300 "
             "and for |AL - Y| up to 1e4", f"{CONTRACT}; issue 2 (stability)")
@pytest.mark.parametrize("name", [*LOSSES, *GRADIENTS])
def test_loss_stable(impl: Implementation, name: str) -> None:
    Y = EXTREME_Y if "categorical" not in name else np.vstack([EXTREME_Y, 1.0 - EXTREME_Y])
    AL = EXTREME_AL if "categorical" not in name else np.vstack([EXTREME_AL, 1.0 - EXTREME_AL])
    if name.startswith("mse"):
        AL = AL * 2e4 - 1e4
    assert_finite(call(impl, name, AL, Y), fn=name, inputs={"AL": AL, "Y": Y}, what="result")


@requirement("LOSS-GRADIENT-SHAPE-DTYPE", "each *_gradient has AL's shape; float32 only when AL and Y are float32",
             "contract v1 (float32 only when every floating input is float32)")
@pytest.mark.parametrize("name", GRADIENTS)
@pytest.mark.parametrize(("al_dtype", "y_dtype", "expected"), [
    (np.float64, np.float64, np.float64), (np.float32, np.float32, np.float32), (np.float32, np.float64, np.float64)
], ids=["float64", "float32", "mixed"])
def test_loss_gradient_shape_dtype(impl: Implementation, name: str, al_dtype: Any, y_dtype: Any,
                                   expected: Any) -> None:
    AL = np.array([[0.7, 0.2, 0.4], [0.3, 0.8, 0.6]], dtype=al_dtype)
    Y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]], dtype=y_dtype)
    got = call(impl, name, AL, Y)
    assert_shape(got, AL.shape, fn=name, inputs={"AL": AL, "Y": Y}, what="gradient")
    assert_dtype(got, expected, fn=name, inputs={"AL": AL, "Y": Y}, what="gradient")


@requirement("LOSS-PURE", "losses, gradients and compute_cost never modify AL or Y (read-only inputs work)",
             "contract v1 (every function is pure)")
@pytest.mark.parametrize("name", [*LOSSES, *GRADIENTS, "compute_cost"])
def test_loss_pure(impl: Implementation, name: str) -> None:
    AL, Y = np.array([[0.7, 0.2, 0.1], [0.3, 0.8, 0.9]]), np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    AL_arg, Y_arg = AL.copy(), Y.copy()
    call(impl, name, AL_arg, Y_arg)
    assert_unchanged(AL, AL_arg, fn=name, what="AL")
    assert_unchanged(Y, Y_arg, fn=name, what="Y")
    AL_arg.flags.writeable = Y_arg.flags.writeable = False
    call(impl, name, AL_arg, Y_arg)
