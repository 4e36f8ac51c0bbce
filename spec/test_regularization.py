"""The regularization chapter: L2 and L1 penalties with their gradients, and inverted dropout.

Source: 003_d92bbac1e53fa49d.txt §1.8 "Regularization (fighting overfitting)"; contract v1 (issue 2): penalties
over the WEIGHTS only, l1 gradient sign(W) with 0 at 0, dropout's p the probability of DROPPING a unit, the
mask a 0/1 keep-mask, rng a ``np.random.Generator``.

Statistical bound (REG-DROPOUT-KEEP-RATE): for a correct implementation the number of kept units among N is
Binomial(N, 1 - p); the accepted interval is the central (1 - ALPHA) interval of that law, so each check fails a
correct implementation with probability at most ALPHA = 5e-8 (three checks: 1.5e-7 in all).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from spec import oracles
from spec.assertions import (
    assert_close,
    assert_dtype,
    assert_equal,
    assert_gradient_matches,
    assert_pure_call,
    assert_shape,
    check,
)
from spec.oracles import central_difference
from spec.requirements import requirement

SOURCE_PENALTIES = "003_d92bbac1e53fa49d.txt, §1.8 Regularization (L2 lambda/2 ||W||^2, L1 lambda ||W||_1)"
SOURCE_DROPOUT = "003_d92bbac1e53fa49d.txt, §1.8 Regularization (inverted dropout: drop with p, scale 1/(1 - p))"
EXACT = 1e-12  # sums of squares/absolute values: only rounding separates the oracle from the implementation
GRADIENT_TOLERANCE = 1e-7  # relative error allowed against central differences (issue 3)
FD_STEP = 1e-4  # inverted dropout is linear in A: central differences have no truncation error
L1_KINK_MARGIN = 1e-3  # weights kept this far from 0 (|w|'s kink) unless zeros are asked for (then: ZERO-AT-ZERO)
ALPHA = 5e-8  # false-alarm probability of each statistical check
KEEP_RATE_SHAPE = (200, 500)  # 100,000 units: the interval is about +-0.8% of the expected count wide
KEEP_RATE_PS = (0.2, 0.5, 0.8)  # asymmetric p values tell a keep probability p from 1 - p


@st.composite
def parameter_sets(draw: st.DrawFn, zeros: bool = False) -> dict[str, np.ndarray]:
    """{"W1", "b1", ..., "WL", "bL"} for 1..3 layers of widths 1..5, nonzero biases (they must be ignored)."""
    dims = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    parameters = {}
    for layer in range(1, len(dims)):
        W = rng.normal(size=(dims[layer], dims[layer - 1]))
        W = np.where(np.abs(W) < L1_KINK_MARGIN, L1_KINK_MARGIN, W)
        if zeros:
            W = np.where(rng.random(W.shape) < 0.3, 0.0, W)
        parameters[f"W{layer}"] = W
        parameters[f"b{layer}"] = rng.normal(size=(dims[layer], 1))
    return parameters


lambdas = st.sampled_from([0.01, 0.1, 0.7, 3.0])


def _weights(parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: value for name, value in parameters.items() if name.startswith("W")}


def _check_penalty_gradient(impl: Any, gradient: str, parameters: dict[str, np.ndarray], lambd: float,
                            mistakes: Callable[[np.ndarray], dict[str, np.ndarray]]) -> None:
    """Every d<name> of ``gradient`` equals the oracle's (spec/oracles.py); an absent db counts as 0, a present
    one must be 0 (biases are not penalised). ``mistakes(W)`` maps known wrong answers to their values."""
    inputs = {"parameters": parameters, "lambd": lambd}
    grads = getattr(impl, gradient)(parameters, lambd)
    expected = getattr(oracles, gradient)(parameters, lambd)
    for name in _weights(parameters):
        check(f"d{name}" in grads, f"{gradient} must return d{name} for weight {name}; got keys {sorted(grads)}")
    for name, value in parameters.items():
        key = f"d{name}"
        assert_close(grads.get(key, np.zeros_like(value)), expected.get(key, np.zeros_like(value)), fn=gradient,
                     inputs=inputs, what=key, rtol=EXACT,
                     alternatives=mistakes(value) if key in expected else None)


@requirement(
    "REG-L2-PENALTY",
    "l2_penalty is lambd / 2 times the sum of the squared weights W1..WL (biases excluded)",
    SOURCE_PENALTIES,
)
@given(parameter_sets(), lambdas)
def test_reg_l2_penalty(impl: Any, parameters: dict[str, np.ndarray], lambd: float) -> None:
    squares = sum(float(np.sum(W**2)) for W in _weights(parameters).values())
    with_biases = sum(float(np.sum(p**2)) for p in parameters.values())
    got = impl.l2_penalty(parameters, lambd)
    mistakes = {"lambd/2 * the squares of weights AND biases (the penalty covers weights only)":
                lambd / 2 * with_biases, "lambd * sum W^2 (the 1/2 is missing)": lambd * squares}
    assert_close(got, lambd / 2 * squares, fn="l2_penalty", inputs={"parameters": parameters, "lambd": lambd},
                 rtol=EXACT, alternatives=mistakes)


@requirement(
    "REG-L2-GRADIENT",
    "l2_gradient returns dW = lambd W for every weight, and no nonzero bias gradient (oracle: the formula of 003 "
    "§1.8, the gradient of the spec's l2_penalty in spec/oracles.py)",
    SOURCE_PENALTIES + " (gradient gains + lambda theta)",
)
@given(parameter_sets(), lambdas)
def test_reg_l2_gradient(impl: Any, parameters: dict[str, np.ndarray], lambd: float) -> None:
    _check_penalty_gradient(impl, "l2_gradient", parameters, lambd, lambda W: {
        "2 lambd W: the gradient of lambd sum W^2, without the penalty's 1/2": 2 * lambd * W,
        "lambd W / 2: the penalty's 1/2 kept in the gradient": lambd * W / 2})


@requirement(
    "REG-L1-PENALTY",
    "l1_penalty is lambd times the sum of |W| over the weights W1..WL (biases excluded)",
    SOURCE_PENALTIES + "; contract v1 (weights only)",
)
@given(parameter_sets(zeros=True), lambdas)
def test_reg_l1_penalty(impl: Any, parameters: dict[str, np.ndarray], lambd: float) -> None:
    total = sum(float(np.sum(np.abs(W))) for W in _weights(parameters).values())
    with_biases = sum(float(np.sum(np.abs(p))) for p in parameters.values())
    got = impl.l1_penalty(parameters, lambd)
    assert_close(got, lambd * total, fn="l1_penalty", inputs={"parameters": parameters, "lambd": lambd},
                 rtol=EXACT, alternatives={"lambd * |.| of weights AND biases (the penalty covers weights only)":
                                           lambd * with_biases})


@requirement(
    "REG-L1-GRADIENT",
    "l1_gradient returns dW = lambd sign(W) for every (nonzero) weight, and no nonzero bias gradient (oracle: the "
    "formula d|w|/dw = sign(w) of 003 §1.8's lambda ||W||_1, spec/oracles.py)",
    SOURCE_PENALTIES,
)
@given(parameter_sets(), lambdas)
def test_reg_l1_gradient(impl: Any, parameters: dict[str, np.ndarray], lambd: float) -> None:
    _check_penalty_gradient(impl, "l1_gradient", parameters, lambd, lambda W: {
        "lambd W: the L2 gradient, not lambd sign(W)": lambd * W,
        "lambd / 2 everywhere: neither the sign of W nor the full lambd": np.full_like(W, lambd / 2)})


@requirement(
    "REG-L1-GRADIENT-ZERO-AT-ZERO",
    "l1_gradient is 0 where a weight is exactly 0 (oracle: the contract's sign(0) = 0, spec/oracles.py)",
    "contract v1 (issue 2): l1_gradient is the sign, 0 at 0",
)
@given(parameter_sets(zeros=True), lambdas)
def test_reg_l1_gradient_zero_at_zero(impl: Any, parameters: dict[str, np.ndarray], lambd: float) -> None:
    grads, expected = impl.l1_gradient(parameters, lambd), oracles.l1_gradient(parameters, lambd)
    for name in _weights(parameters):
        check(f"d{name}" in grads, f"l1_gradient must return d{name}; got keys {sorted(grads)}")
        assert_close(grads[f"d{name}"], expected[f"d{name}"], fn="l1_gradient",
                     inputs={"parameters": parameters, "lambd": lambd}, what=f"d{name}", rtol=EXACT)


def _activations(seed: int, shape: tuple[int, int] = (4, 6)) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape)


drop_probabilities = st.sampled_from([0.1, 0.25, 0.5, 0.8])
seeds = st.integers(0, 2**16)


@requirement(
    "REG-DROPOUT-INVERTED",
    "dropout_forward returns a 0/1 keep-mask shaped like A and A_out = A * mask / (1 - p)",
    SOURCE_DROPOUT,
)
@given(seeds, drop_probabilities)
def test_reg_dropout_inverted(impl: Any, seed: int, p: float) -> None:
    A = _activations(seed)
    inputs = {"A": A, "p": p, "rng": f"np.random.default_rng({seed})"}
    A_out, mask = impl.dropout_forward(A, p, np.random.default_rng(seed))
    assert_shape(mask, A.shape, fn="dropout_forward", inputs=inputs, what="mask")
    binary = np.asarray(mask, dtype=np.float64)
    check(bool(np.all((binary == 0) | (binary == 1))),
          f"dropout_forward's mask must hold only 0 (dropped) and 1 (kept); got values {np.unique(binary)}")
    assert_close(A_out, A * binary / (1 - p), fn="dropout_forward", inputs=inputs, what="A_out", rtol=EXACT,
                 alternatives={"A * mask (no 1/(1 - p) scaling: that is not INVERTED dropout)": A * binary,
                               "A * mask / p (scale by 1/(1 - p), p is the DROP probability)": A * binary / p})


MASK_KINDS = {"b": "bool", "i": "integer", "u": "unsigned integer", "f": "floating"}  # numpy dtype kinds


@requirement(
    "REG-DROPOUT-MASK-DTYPE",
    "dropout_forward keeps A's precision: A_out has A's dtype, and the 0/1 mask is boolean, integer, or floating "
    "of A's dtype",
    "contract v1 (precision: float32 only when every floating input is float32; the mask a 0/1 keep-mask of any "
    "dtype that the implementation's dropout_backward accepts)",
)
@given(seeds, drop_probabilities, st.sampled_from([np.float64, np.float32]))
def test_reg_dropout_mask_dtype(impl: Any, seed: int, p: float, dtype: Any) -> None:
    A = _activations(seed).astype(dtype)
    inputs = {"A": A, "p": p, "rng": f"np.random.default_rng({seed})"}
    A_out, mask = impl.dropout_forward(A, p, np.random.default_rng(seed))
    assert_dtype(A_out, dtype, fn="dropout_forward", inputs=inputs, what="A_out")
    kind = np.asarray(mask).dtype.kind
    check(kind in MASK_KINDS, f"dropout_forward's mask has dtype {np.asarray(mask).dtype}; a 0/1 keep-mask is "
                              f"{', '.join(MASK_KINDS.values())}")
    if kind == "f":  # a floating mask is a floating result: A's precision, or the float32 path leaves float32
        assert_dtype(mask, dtype, fn="dropout_forward", inputs=inputs, what="mask (floating)")


@requirement(
    "REG-DROPOUT-BACKWARD-DTYPE",
    "dropout_backward with the implementation's own mask follows the precision rule: float32 dA_out gives float32 "
    "dA (a boolean or integer mask takes dA_out's type), float64 gives float64",
    "contract v1 (precision: float32 only when every floating input is float32; 0/1 masks take the float type "
    "of the other inputs)",
)
@given(seeds, drop_probabilities, st.sampled_from([np.float64, np.float32]))
def test_reg_dropout_backward_dtype(impl: Any, seed: int, p: float, dtype: Any) -> None:
    A = _activations(seed).astype(dtype)
    _, mask = impl.dropout_forward(A, p, np.random.default_rng(seed))
    dA_out = _activations(seed + 1).astype(dtype)
    # a float64 mask for a float32 A is REG-DROPOUT-MASK-DTYPE's failure; with it, float64 is right here
    floating_mask = np.asarray(mask).dtype if np.asarray(mask).dtype.kind == "f" else dA_out.dtype
    expected = np.float32 if dA_out.dtype == floating_mask == np.float32 else np.float64
    got = impl.dropout_backward(dA_out, mask, p)
    assert_dtype(got, expected, fn="dropout_backward", inputs={"dA_out": dA_out, "mask": mask, "p": p}, what="dA")


@requirement(
    "REG-DROPOUT-P-ZERO-IDENTITY",
    "dropout_forward with p = 0 keeps every unit: A_out equals A and the mask is all ones",
    SOURCE_DROPOUT,
)
@given(seeds)
def test_reg_dropout_p_zero_identity(impl: Any, seed: int) -> None:
    A = _activations(seed)
    inputs = {"A": A, "p": 0.0, "rng": f"np.random.default_rng({seed})"}
    A_out, mask = impl.dropout_forward(A, 0.0, np.random.default_rng(seed))
    assert_close(A_out, A, fn="dropout_forward", inputs=inputs, what="A_out", rtol=0.0)
    assert_close(mask, np.ones_like(A), fn="dropout_forward", inputs=inputs, what="mask", rtol=0.0)


def _keep_interval(n: int, p: float) -> tuple[int, int]:
    """The central (1 - ALPHA) interval of Binomial(n, 1 - p): the kept count of a correct implementation."""
    law = stats.binom(n, 1 - p)
    return int(law.ppf(ALPHA / 2)), int(law.isf(ALPHA / 2))


@requirement(
    "REG-DROPOUT-KEEP-RATE",
    "dropout_forward keeps each unit with probability 1 - p (kept count within the 1 - 5e-8 binomial interval)",
    SOURCE_DROPOUT,
)
def test_reg_dropout_keep_rate(impl: Any) -> None:
    A = np.ones(KEEP_RATE_SHAPE)
    for seed, p in enumerate(KEEP_RATE_PS):
        _, mask = impl.dropout_forward(A, p, np.random.default_rng(seed))
        kept = int(np.sum(np.asarray(mask) != 0))
        low, high = _keep_interval(A.size, p)
        check(low <= kept <= high,
              f"dropout_forward(A of shape {A.shape}, p={p}, rng=np.random.default_rng({seed})) kept {kept} of "
              f"{A.size} units ({kept / A.size:.4f}); a keep probability of 1 - p = {1 - p} keeps between {low} "
              f"and {high} (binomial interval, false-alarm probability {ALPHA:g})"
              + (" - hint: you keep units with probability p; p is the probability of DROPPING"
                 if abs(kept / A.size - p) < abs(kept / A.size - (1 - p)) else ""))


@requirement(
    "REG-DROPOUT-DETERMINISTIC",
    "dropout_forward draws its mask from rng only: the same seed gives the same mask, different seeds differ",
    "contract v1 (issue 2): rng is a np.random.Generator; issue 3: determinism under a seed",
)
@given(seeds, drop_probabilities)
def test_reg_dropout_deterministic(impl: Any, seed: int, p: float) -> None:
    A = _activations(seed, (20, 30))
    inputs = {"A": A, "p": p, "rng": f"np.random.default_rng({seed})"}
    first_out, first_mask = impl.dropout_forward(A, p, np.random.default_rng(seed))
    again_out, again_mask = impl.dropout_forward(A, p, np.random.default_rng(seed))
    assert_equal(np.asarray(again_mask), np.asarray(first_mask), fn="dropout_forward", inputs=inputs,
                 what="mask from a second generator with the same seed")
    assert_equal(np.asarray(again_out), np.asarray(first_out), fn="dropout_forward", inputs=inputs,
                 what="A_out from a second generator with the same seed")
    _, other_mask = impl.dropout_forward(A, p, np.random.default_rng(seed + 1))
    check(not np.array_equal(np.asarray(other_mask), np.asarray(first_mask)),
          f"dropout_forward gave the same {A.shape} mask for seeds {seed} and {seed + 1}: the mask must come from "
          "the rng argument (not a fixed seed or the global np.random state)")


@requirement(
    "REG-DROPOUT-BACKWARD",
    "dropout_backward(dA_out, mask, p) is the gradient of sum(dA_out * A mask / (1 - p)) for the forward's mask "
    "held fixed (oracle: central differences of the spec's inverted dropout of 003 §1.8, spec/oracles.py)",
    SOURCE_DROPOUT,
)
@given(seeds, drop_probabilities)
def test_reg_dropout_backward(impl: Any, seed: int, p: float) -> None:
    A, cotangent = _activations(seed), _activations(seed + 1)
    _, mask = impl.dropout_forward(A, p, np.random.default_rng(seed))

    def objective(x: np.ndarray) -> float:
        return float(np.sum(cotangent * oracles.inverted_dropout(x, mask, p)))

    numeric = central_difference(objective, A, eps=FD_STEP)
    got = impl.dropout_backward(cotangent, mask, p)
    assert_gradient_matches(got, numeric, fn="dropout_backward", inputs={"dA_out": cotangent, "mask": mask, "p": p},
                            what="dA", max_relative_error=GRADIENT_TOLERANCE,
                            alternatives={"dA_out * mask (the 1/(1 - p) of the forward pass is missing)":
                                          cotangent * np.asarray(mask, dtype=np.float64)})


@pytest.mark.bad_input
@requirement(
    "REG-DROPOUT-P-RANGE",
    "dropout_forward raises ValueError for p outside [0, 1)",
    "contract v1 (issue 2): bad input - p outside [0, 1) for dropout",
)
def test_reg_dropout_p_range(impl: Any) -> None:
    dropout_forward = impl.raw("dropout_forward")
    for p in (-0.1, 1.0, 1.5):
        try:
            dropout_forward(np.ones((2, 3)), p, np.random.default_rng(0))
        except ValueError:
            continue
        except Exception as error:  # any other exception is the wrong kind of refusal
            check(False, f"dropout_forward(A, p={p}, rng) raised {type(error).__name__}: {error}; "
                         "expected ValueError naming p and the valid range [0, 1)")
        check(False, f"dropout_forward(A, p={p}, rng) returned normally; expected ValueError: p is the probability "
                     "of dropping a unit and must lie in [0, 1)")


@requirement(
    "REG-PURE",
    "the penalties, their gradients and dropout never modify their arguments",
    "contract v1 (issue 2): every function is pure",
)
def test_reg_pure(impl: Any) -> None:
    parameters = {"W1": _activations(0, (3, 2)), "b1": _activations(1, (3, 1))}
    for name in ("l2_penalty", "l2_gradient", "l1_penalty", "l1_gradient"):
        assert_pure_call(getattr(impl, name), name, {"parameters": parameters, "lambd": 0.1})
    A = _activations(2)
    _, mask = assert_pure_call(impl.dropout_forward, "dropout_forward",
                               {"A": A, "p": 0.5, "rng": np.random.default_rng(0)})
    assert_pure_call(impl.dropout_backward, "dropout_backward", {"dA_out": A, "mask": mask, "p": 0.5})
