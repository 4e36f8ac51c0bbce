"""The normalization chapter: batch normalisation and layer normalisation, forward and backward.

Source: 003_d92bbac1e53fa49d.txt §1.9 "Normalization layers"; contract v1 (issue 2): ``X`` is
``(n_features, m)``, ``gamma``/``beta`` are ``(n_features, 1)``; batch norm normalises each feature (ROW) over the
batch with the biased variance and keeps PyTorch-style running statistics (unbiased variance, start 0 and 1);
layer norm normalises each sample (COLUMN) over its features. Caches are opaque: backward is checked against
central differences of the spec's own forward (spec/oracles.py, 003 §1.9) contracted with a random cotangent, so a
broken forward does not also fail the backward requirements.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from spec import oracles
from spec.assertions import assert_close, assert_gradient_matches, assert_pure_call, assert_shape
from spec.oracles import richardson_gradient
from spec.requirements import requirement

SOURCE_BN = "003_d92bbac1e53fa49d.txt, §1.9 Normalization layers (Batch Normalization)"
SOURCE_LN = "003_d92bbac1e53fa49d.txt, §1.9 Normalization layers (Layer Normalization)"
SOURCE_RUNNING = "contract v1 (issue 2): running = (1 - momentum) running + momentum batch statistic, unbiased " \
                 "variance, start 0 and 1, shape (n_features, 1) (as torch.nn.BatchNorm1d)"
BN_EPS = 1e-5  # the contract's default eps
RTOL = 1e-9  # a handful of float64 operations per element
ATOL = 1e-12  # outputs near 0 (e.g. the normalised mean) are compared absolutely
GRADIENT_TOLERANCE = 1e-7  # relative error allowed against central differences (issue 3)
ORACLE_GRADIENT = "numerical gradient of the spec's own forward (spec/oracles.py)"
COTANGENT_STREAM = 1  # a second stream: a cotangent from the inputs' own seed would be collinear with them


def _check_standardised(Y: Any, X: np.ndarray, *, axis: int, fn: str, inputs: dict[str, Any]) -> None:
    """With gamma = 1 and beta = 0, Y has mean 0 and biased variance var / (var + eps) along ``axis``."""
    Y = np.asarray(Y, dtype=np.float64)
    unit = "row" if axis == 1 else "column"
    mean = Y.mean(axis=axis, keepdims=True)
    assert_close(mean, np.zeros_like(mean), fn=fn, inputs=inputs, what=f"the mean of each {unit} of Y", atol=1e-12)
    variance = X.var(axis=axis, keepdims=True)
    assert_close(Y.var(axis=axis, keepdims=True), variance / (variance + BN_EPS), fn=fn, inputs=inputs,
                 what=f"the (biased) variance of each {unit} of Y", rtol=RTOL, atol=ATOL)


@st.composite
def norm_inputs(draw: st.DrawFn, min_rows: int = 1, min_cols: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X (n, m), gamma (n, 1), beta (n, 1)): n in min_rows..5, m in min_cols..6, features on scales 0.1..10.

    Gradient checks draw at least 3 values per normalised group: with 2, the normalised pair is +-1 up to eps and
    the gradient through it is ~eps / var, too small for finite differences to measure to 1e-7.
    """
    n, m = draw(st.integers(min_rows, 5)), draw(st.integers(min_cols, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    scale = draw(st.sampled_from([0.1, 1.0, 10.0]))
    X = rng.normal(size=(n, m)) * scale + rng.normal(size=(n, 1)) * 3.0
    return X, rng.normal(size=(n, 1)), rng.normal(size=(n, 1))


def _standardise(X: np.ndarray, axis: int) -> np.ndarray:
    """(X - mean) / sqrt(biased var + eps) along ``axis`` (1: per row, as batch norm; 0: per column)."""
    return oracles.standardise(X, axis, BN_EPS)


def _unbiased(X: np.ndarray, axis: int) -> np.ndarray:
    return (X - X.mean(axis=axis, keepdims=True)) / np.sqrt(X.var(axis=axis, ddof=1, keepdims=True) + BN_EPS)


@requirement(
    "NORM-BN-FORWARD",
    "batchnorm_forward (training) gives gamma (X - mu) / sqrt(var + eps) + beta with mu and the BIASED var of "
    "each row over the batch",
    SOURCE_BN,
)
@given(norm_inputs())
def test_norm_bn_forward(impl: Any, case: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    X, gamma, beta = case
    Y, _, _, _ = impl.batchnorm_forward(X, gamma, beta)
    mistakes = {
        "normalising each COLUMN (a sample) instead of each row (a feature)": gamma * _standardise(X, 0) + beta,
        "using the unbiased variance (divide by m, not m - 1, in the forward pass)": gamma * _unbiased(X, 1) + beta,
    }
    assert_close(Y, gamma * _standardise(X, 1) + beta, fn="batchnorm_forward",
                 inputs={"X": X, "gamma": gamma, "beta": beta}, what="Y", rtol=RTOL, atol=ATOL, alternatives=mistakes)


@requirement(
    "NORM-BN-NORMALISES",
    "with gamma = 1 and beta = 0 every row of batchnorm_forward's output has mean 0 and variance var / (var + eps)",
    SOURCE_BN + " (identity)",
)
@given(norm_inputs())
def test_norm_bn_normalises(impl: Any, case: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    X, _, _ = case
    ones, zeros = np.ones((X.shape[0], 1)), np.zeros((X.shape[0], 1))
    inputs = {"X": X, "gamma": ones, "beta": zeros}
    Y, _, _, _ = impl.batchnorm_forward(X, ones, zeros)
    _check_standardised(Y, X, axis=1, fn="batchnorm_forward", inputs=inputs)


@requirement(
    "NORM-BN-RUNNING-STATS",
    "batchnorm_forward returns running = (1 - momentum) running + momentum batch stat (UNBIASED var), "
    "starting at 0 and 1 when None, shape (n_features, 1)",
    SOURCE_RUNNING,
)
@given(norm_inputs(), st.sampled_from([0.1, 0.3, 0.9]), st.booleans())
def test_norm_bn_running_stats(
    impl: Any, case: tuple[np.ndarray, np.ndarray, np.ndarray], momentum: float, start_from_none: bool
) -> None:
    X, gamma, beta = case
    n = X.shape[0]
    start_mean, start_var = (np.zeros((n, 1)), np.ones((n, 1))) if start_from_none else \
        (np.linspace(-1, 1, n).reshape(n, 1), np.linspace(0.5, 2, n).reshape(n, 1))
    given_mean, given_var = (None, None) if start_from_none else (start_mean, start_var)
    inputs = {"X": X, "gamma": gamma, "beta": beta, "eps": BN_EPS, "training": True, "running_mean": given_mean,
              "running_var": given_var, "momentum": momentum}
    _, _, running_mean, running_var = impl.batchnorm_forward(X, gamma, beta, BN_EPS, True, given_mean, given_var,
                                                             momentum)
    mean, var = X.mean(axis=1, keepdims=True), X.var(axis=1, ddof=1, keepdims=True)
    assert_shape(running_mean, (n, 1), fn="batchnorm_forward", inputs=inputs, what="running_mean")
    assert_shape(running_var, (n, 1), fn="batchnorm_forward", inputs=inputs, what="running_var")
    assert_close(running_mean, (1 - momentum) * start_mean + momentum * mean, fn="batchnorm_forward",
                 inputs=inputs, what="running_mean", rtol=RTOL, atol=ATOL,
                 alternatives={"momentum * running + (1 - momentum) * batch (the weights are swapped)":
                               momentum * start_mean + (1 - momentum) * mean})
    biased = X.var(axis=1, keepdims=True)
    assert_close(running_var, (1 - momentum) * start_var + momentum * var, fn="batchnorm_forward",
                 inputs=inputs, what="running_var", rtol=RTOL, atol=ATOL,
                 alternatives={"an update with the BIASED batch variance (running_var uses the unbiased one, "
                               "m / (m - 1) times larger)": (1 - momentum) * start_var + momentum * biased,
                               "momentum * running + (1 - momentum) * batch (the weights are swapped)":
                               momentum * start_var + (1 - momentum) * var})


@requirement(
    "NORM-BN-INFERENCE",
    "batchnorm_forward with training=False normalises with the running statistics and returns them unchanged",
    SOURCE_BN + " (at inference, use running averages)",
)
@given(norm_inputs(), st.sampled_from([1e-5, 1e-3]))
def test_norm_bn_inference(impl: Any, case: tuple[np.ndarray, np.ndarray, np.ndarray], eps: float) -> None:
    X, gamma, beta = case
    n = X.shape[0]
    running_mean, running_var = np.linspace(-1, 1, n).reshape(n, 1), np.linspace(0.5, 2, n).reshape(n, 1)
    inputs = {"X": X, "gamma": gamma, "beta": beta, "eps": eps, "training": False, "running_mean": running_mean,
              "running_var": running_var}
    Y, _, new_mean, new_var = impl.batchnorm_forward(X, gamma, beta, eps, False, running_mean, running_var)
    expected = gamma * (X - running_mean) / np.sqrt(running_var + eps) + beta
    assert_close(Y, expected, fn="batchnorm_forward", inputs=inputs, what="Y", rtol=RTOL, atol=ATOL,
                 alternatives={"normalising with the batch's own statistics (training=False must use the running "
                               "ones)": gamma * _standardise(X, 1) + beta})
    assert_close(new_mean, running_mean, fn="batchnorm_forward", inputs=inputs, what="running_mean", rtol=0.0)
    assert_close(new_var, running_var, fn="batchnorm_forward", inputs=inputs, what="running_var", rtol=0.0)


def _check_backward(impl: Any, forward: str, backward: str, oracle: Callable[..., np.ndarray],
                    case: tuple[np.ndarray, np.ndarray, np.ndarray], cotangent_seed: int,
                    forward_args: tuple[Any, ...] = ()) -> None:
    """(dX, dgamma, dbeta) of ``backward`` = central differences of sum(C * oracle(X, gamma, beta)) for a random
    cotangent C; the cache comes from ``forward(X, gamma, beta, *forward_args)``."""
    X, gamma, beta = case
    C = np.random.default_rng([cotangent_seed, COTANGENT_STREAM]).normal(size=X.shape)
    cache = getattr(impl, forward)(X, gamma, beta, *forward_args)[1]
    dX, dgamma, dbeta = getattr(impl, backward)(C, cache)
    numeric = {
        "dX": richardson_gradient(lambda x: np.sum(C * oracle(x, gamma, beta)), X),
        "dgamma": richardson_gradient(lambda g: np.sum(C * oracle(X, g, beta)), gamma),
        "dbeta": richardson_gradient(lambda b: np.sum(C * oracle(X, gamma, b)), beta),
    }
    # When C happens to lie almost in the span the normalisation removes, dX is tiny and its own relative error
    # meets the differences' rounding floor; it is then measured against the norm of the whole gradient instead.
    floor = GRADIENT_TOLERANCE * float(np.sqrt(sum(np.sum(value**2) for value in numeric.values())))
    call = ", ".join(["X, gamma, beta", *map(repr, forward_args)]) if forward_args else "X, gamma, beta"
    inputs = {"dY": C, "cache": f"from {forward}({call}) with X = {X.tolist()}"}
    for what, got in (("dX", dX), ("dgamma", dgamma), ("dbeta", dbeta)):
        assert_gradient_matches(got, numeric[what], fn=backward, inputs=inputs, what=what,
                                max_relative_error=GRADIENT_TOLERANCE, atol=floor, m=X.shape[1],
                                reference_name=ORACLE_GRADIENT)


@requirement(
    "NORM-BN-BACKWARD",
    "batchnorm_backward's dX, dgamma, dbeta equal the gradient of sum(dY * Y) through the training forward (oracle: "
    "central differences of the spec's batch norm of 003 §1.9, spec/oracles.py)",
    SOURCE_BN + "; issue 3 item 6 (finite differences)",
)
@given(norm_inputs(min_cols=3), st.integers(0, 2**16))
def test_norm_bn_backward(impl: Any, case: tuple[np.ndarray, np.ndarray, np.ndarray], seed: int) -> None:
    _check_backward(impl, "batchnorm_forward", "batchnorm_backward",
                    lambda x, g, b: oracles.batch_norm(x, g, b, BN_EPS), case, seed)


@requirement(
    "NORM-BN-INFERENCE-BACKWARD",
    "batchnorm_backward after a training=False forward equals the gradient of sum(dY * Y) with the running "
    "statistics as constants (oracle: central differences of the spec's inference batch norm of 003 §1.9, "
    "spec/oracles.py)",
    SOURCE_BN + " (at inference, use running averages); issue 3 item 6 (finite differences)",
)
@given(norm_inputs(min_cols=1), st.integers(0, 2**16))
def test_norm_bn_inference_backward(impl: Any, case: tuple[np.ndarray, np.ndarray, np.ndarray], seed: int) -> None:
    n = case[0].shape[0]
    running_mean, running_var = np.linspace(-1, 1, n).reshape(n, 1), np.linspace(0.5, 2, n).reshape(n, 1)
    _check_backward(impl, "batchnorm_forward", "batchnorm_backward",
                    lambda x, g, b: oracles.batch_norm_inference(x, g, b, running_mean, running_var, BN_EPS), case,
                    seed, (BN_EPS, False, running_mean, running_var))


@requirement(
    "NORM-LN-FORWARD",
    "layernorm_forward gives gamma (X - mu) / sqrt(var + eps) + beta with mu and the biased var of each COLUMN",
    SOURCE_LN,
)
@given(norm_inputs(min_rows=2, min_cols=1))
def test_norm_ln_forward(impl: Any, case: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    X, gamma, beta = case
    Y, _ = impl.layernorm_forward(X, gamma, beta)
    mistakes = {"normalising each ROW (a feature, as batch norm does) instead of each column (a sample)":
                gamma * _standardise(X, 1) + beta}
    assert_close(Y, gamma * _standardise(X, 0) + beta, fn="layernorm_forward",
                 inputs={"X": X, "gamma": gamma, "beta": beta}, what="Y", rtol=RTOL, atol=ATOL, alternatives=mistakes)


@requirement(
    "NORM-LN-NORMALISES",
    "with gamma = 1 and beta = 0 every column of layernorm_forward's output has mean 0 and variance "
    "var / (var + eps)",
    SOURCE_LN + " (identity)",
)
@given(norm_inputs(min_rows=2, min_cols=1))
def test_norm_ln_normalises(impl: Any, case: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    X, _, _ = case
    ones, zeros = np.ones((X.shape[0], 1)), np.zeros((X.shape[0], 1))
    inputs = {"X": X, "gamma": ones, "beta": zeros}
    Y, _ = impl.layernorm_forward(X, ones, zeros)
    _check_standardised(Y, X, axis=0, fn="layernorm_forward", inputs=inputs)


@requirement(
    "NORM-LN-BACKWARD",
    "layernorm_backward's dX, dgamma, dbeta equal the gradient of sum(dY * Y) through the forward (oracle: central "
    "differences of the spec's layer norm of 003 §1.9, spec/oracles.py)",
    SOURCE_LN + "; issue 3 item 6 (finite differences)",
)
@given(norm_inputs(min_rows=3, min_cols=1), st.integers(0, 2**16))
def test_norm_ln_backward(impl: Any, case: tuple[np.ndarray, np.ndarray, np.ndarray], seed: int) -> None:
    _check_backward(impl, "layernorm_forward", "layernorm_backward",
                    lambda x, g, b: oracles.layer_norm(x, g, b, BN_EPS), case, seed)


@requirement(
    "NORM-PURE",
    "batch norm and layer norm, forward and backward, never modify their arguments",
    "contract v1 (issue 2): every function is pure",
)
def test_norm_pure(impl: Any) -> None:
    rng = np.random.default_rng(0)
    X, gamma, beta = rng.normal(size=(3, 4)), rng.normal(size=(3, 1)), rng.normal(size=(3, 1))
    running_mean, running_var = np.zeros((3, 1)), np.ones((3, 1))
    _, cache, _, _ = assert_pure_call(impl.batchnorm_forward, "batchnorm_forward", {
        "X": X, "gamma": gamma, "beta": beta, "eps": BN_EPS, "training": True, "running_mean": running_mean,
        "running_var": running_var, "momentum": 0.1})
    assert_pure_call(impl.batchnorm_backward, "batchnorm_backward", {"dY": X, "cache": cache})
    _, cache = assert_pure_call(impl.layernorm_forward, "layernorm_forward", {"X": X, "gamma": gamma, "beta": beta})
    assert_pure_call(impl.layernorm_backward, "layernorm_backward", {"dY": X, "cache": cache})
