"""The reference is pure (never writes to an argument), numerically stable and deterministic under a seed."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import pytest

import reference
from spec.contract import SIGNATURES
from tests.reference_calls import CALLS

EXTREME = 1e4  # the contract's stability range: |z| up to 1e4
STABLE_ELEMENTWISE = list(SIGNATURES["activations"])


def _freeze(value: Any) -> Any:
    """Make every array inside ``value`` read-only, so a write raises instead of passing unnoticed."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, dict):
        for item in value.values():
            _freeze(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _freeze(item)
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.random.Generator):
        return True  # drawing from the generator it is given is dropout_forward's job, not a side effect
    return bool(a == b) if not callable(a) else a is b


def _call(name: str) -> Any:
    args, kwargs = CALLS[name](np.random.default_rng(0))
    result = getattr(reference, name)(*args, **kwargs)
    return result[0] if name == "forward" else result  # forward's caches are its own business


PERTURBS_AND_RESTORES = {"numerical_gradient"}  # nudges x itself during the call, as document 004 does


@pytest.mark.parametrize("name", sorted(set(CALLS) - PERTURBS_AND_RESTORES))
def test_function_never_writes_to_its_arguments(name: str) -> None:
    args, kwargs = CALLS[name](np.random.default_rng(0))
    before = copy.deepcopy((args, kwargs))
    getattr(reference, name)(*_freeze(args), **_freeze(kwargs))
    assert _same((args, kwargs), before), f"{name} changed an argument"


@pytest.mark.parametrize("name", sorted(CALLS))
def test_function_is_deterministic(name: str) -> None:
    assert _same(_call(name), _call(name)), f"{name} gave two different results for the same arguments"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", STABLE_ELEMENTWISE)
def test_activation_is_finite_and_silent_at_the_extremes(name: str, dtype: type[np.floating]) -> None:
    z = np.array([-EXTREME, -745.0, -50.0, -1e-300, 0.0, 1e-300, 50.0, 745.0, EXTREME], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(reference, name)(z)
    assert np.all(np.isfinite(out)), f"{name} is not finite at {z[~np.isfinite(out)]}"
    assert out.dtype == dtype, f"{name} turned {np.dtype(dtype)} into {out.dtype}"


@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_is_finite_and_silent_at_the_extremes(approximate: bool) -> None:
    z = np.array([-EXTREME, -30.0, 0.0, 30.0, EXTREME])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = reference.gelu(z, approximate), reference.gelu_derivative(z, approximate)
    assert all(np.all(np.isfinite(v)) for v in values)


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "categorical_cross_entropy", "mse"])
def test_losses_are_finite_for_saturated_predictions(loss: str) -> None:
    AL = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    Y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost = reference.compute_cost(AL, Y, loss)
        gradient = getattr(reference, f"{loss}_gradient")(AL, Y)
    assert np.isfinite(cost) and np.all(np.isfinite(gradient))


def test_softmax_of_huge_logits_is_a_distribution() -> None:
    z = np.array([[EXTREME, -EXTREME], [EXTREME - 1, 0.0], [-EXTREME, EXTREME]])
    s = reference.softmax(z)
    np.testing.assert_allclose(s.sum(axis=0), 1.0)
    np.testing.assert_allclose(s[:, 0], [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0.0])


def test_initialization_is_reproducible_and_depends_on_the_seed() -> None:
    a = reference.initialize_parameters([4, 3, 2], "he", seed=7)
    b = reference.initialize_parameters([4, 3, 2], "he", seed=7)
    c = reference.initialize_parameters([4, 3, 2], "he", seed=8)
    assert _same(a, b)
    assert not np.array_equal(a["W1"], c["W1"])


def test_dropout_is_reproducible_under_the_same_generator_seed() -> None:
    A = np.ones((4, 6))
    first = reference.dropout_forward(A, 0.5, np.random.default_rng(3))
    second = reference.dropout_forward(A, 0.5, np.random.default_rng(3))
    assert _same(first, second)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numerical_gradient_nudges_x_itself_and_restores_it_bit_for_bit(dtype: type[np.floating]) -> None:
    x = np.array([[0.3, -0.0], [1e-8, -2.5]], dtype=dtype)
    bits = x.tobytes()
    parameters = {"W1": x}
    seen: list[np.ndarray] = []

    def cost(_: np.ndarray) -> float:  # closes over x, as in CS231n's gradient checks; ignores its argument
        seen.append(parameters["W1"].copy())
        return float(np.sum(parameters["W1"].astype(np.float64) ** 3))

    grad = reference.numerical_gradient(cost, x)
    assert x.tobytes() == bits
    assert grad.dtype == dtype
    assert len(seen) == 2 * x.size and not np.array_equal(seen[0], x)
    np.testing.assert_allclose(grad, 3 * x.astype(np.float64) ** 2, atol=1e-6 if dtype == np.float64 else 0.1)


def test_dropout_backward_keeps_float32_with_a_boolean_or_integer_mask() -> None:
    dA_out = np.ones((2, 3), dtype=np.float32)
    keep = np.array([[True, False, True], [False, True, True]])
    for mask in (keep, keep.astype(np.int64)):
        dA = reference.dropout_backward(dA_out, mask, 0.5)
        assert dA.dtype == np.float32
        np.testing.assert_array_equal(dA, 2 * keep)
