"""Gradient-check chapter: the implementation's own ``numerical_gradient`` and ``relative_error``
(documents 002 "gradient checking" and 004 "Numerical Gradient Checking"; contract v1 table, "gradient check").

``numerical_gradient`` is judged against functions whose gradients are known in closed form; ``relative_error``
against its definition norm(a - b) / max(norm(a), norm(b)), 0 when both are 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import logsumexp, softmax

from spec.assertions import (
    assert_close,
    assert_dtype,
    assert_gradient_matches,
    assert_shape,
    assert_unchanged,
    check,
    relative_error,
)
from spec.impl import Implementation
from spec.requirements import requirement
from spec.strategies import arrays, float_arrays, shapes

SOURCE = "004_2272858fb68a8059.txt Numerical Gradient Checking; 002_fb0e23ca5ae7f5d8.txt gradient checking"
CONTRACT = "contract v1, gradient check"
DEFAULT_EPS = 1e-5  # contract v1 default of numerical_gradient
# With eps = 1e-5 on |x| <= 2: truncation eps^2 |f'''| / 6 <= 2e-10 (|f'''| <= 12 for the cubic), rounding
# 2 ulp(|f| <= 75) / (2 eps) <= 2e-9 per entry; 1e-8 is above both.
GRADIENT_ATOL = 1e-8
MAX_RELATIVE_ERROR = 1e-7
LARGE_EPS = 0.1  # large enough that central and forward differences of a cubic differ visibly
DEFINITION_RTOL = 1e-12

# name -> (f, its gradient), f: any-shaped x -> float
KNOWN: dict[str, tuple[Callable[[np.ndarray], float], Callable[[np.ndarray], np.ndarray]]] = {
    "sum(sin(x))": (lambda x: float(np.sum(np.sin(x))), np.cos),
    "sum(x^3) / 3": (lambda x: float(np.sum(x**3)) / 3.0, lambda x: x**2),
    "log(sum(exp(x)))": (lambda x: float(logsumexp(x)), lambda x: softmax(x, axis=None)),
    "sum(x)^2": (lambda x: float(np.sum(x)) ** 2, lambda x: np.full_like(x, 2.0 * np.sum(x))),
}


def call(impl: Implementation, name: str, *args: Any, **kwargs: Any) -> Any:
    """``impl.<name>(...)`` with RuntimeWarnings raised as errors (they become failures)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return getattr(impl, name)(*args, **kwargs)


@requirement("GC-NUMERICAL-GRADIENT-KNOWN", "numerical_gradient(f, x) matches the known gradient of f "
             "(relative error < 1e-7)", SOURCE)
@pytest.mark.parametrize("name", KNOWN)
@given(x=float_arrays(min_value=-2.0, max_value=2.0))
def test_gc_numerical_gradient_known(impl: Implementation, name: str, x: np.ndarray) -> None:
    f, gradient = KNOWN[name]
    got = call(impl, "numerical_gradient", f, x.copy())
    assert_gradient_matches(got, gradient(x), fn="numerical_gradient", inputs={"f": name, "x": x},
                            max_relative_error=MAX_RELATIVE_ERROR, atol=GRADIENT_ATOL, reference_name="known gradient")


@requirement("GC-NUMERICAL-GRADIENT-CENTRAL", "numerical_gradient uses central differences "
             "(f(x + eps) - f(x - eps)) / (2 eps) with the eps it is given", f"{SOURCE}; {CONTRACT}")
@given(x=float_arrays(min_value=-2.0, max_value=2.0))
def test_gc_numerical_gradient_central(impl: Implementation, x: np.ndarray) -> None:
    # for f = sum(x^3): the central difference is exactly 3 x^2 + eps^2, the forward one 3 x^2 + 3 x eps + eps^2
    got = call(impl, "numerical_gradient", lambda v: float(np.sum(v**3)), x.copy(), eps=LARGE_EPS)
    assert_close(got, 3 * x**2 + LARGE_EPS**2, fn="numerical_gradient",
                 inputs={"f": "sum(x^3)", "x": x, "eps": LARGE_EPS}, rtol=1e-9, atol=1e-12, alternatives={
                     "the forward difference (f(x + eps) - f(x)) / eps": 3 * x**2 + 3 * x * LARGE_EPS + LARGE_EPS**2,
                     "the backward difference (f(x) - f(x - eps)) / eps": 3 * x**2 - 3 * x * LARGE_EPS + LARGE_EPS**2,
                     "the exact derivative: the eps argument was ignored": 3 * x**2})


@requirement("GC-NUMERICAL-GRADIENT-RESTORES-X", "numerical_gradient leaves x as it found it (restored or "
             "never touched)", CONTRACT)
@given(x=float_arrays())
def test_gc_numerical_gradient_restores_x(impl: Implementation, x: np.ndarray) -> None:
    argument = x.copy()
    call(impl, "numerical_gradient", lambda v: float(np.sum(v**2)), argument)
    assert_unchanged(x, argument, fn="numerical_gradient", what="x")


@requirement("GC-NUMERICAL-GRADIENT-SHAPE", "numerical_gradient returns a float64 array shaped like x", CONTRACT)
@given(shape=shapes(min_dims=1, max_dims=3))
def test_gc_numerical_gradient_shape(impl: Implementation, shape: tuple[int, ...]) -> None:
    for x in (np.ones(shape), np.ones(shape, dtype=np.float32)):  # float64 even for float32 x (decision 6)
        got = call(impl, "numerical_gradient", lambda v: float(np.sum(v)), x)
        assert_shape(got, shape, fn="numerical_gradient", inputs={"f": "sum(x)", "x": x}, what="gradient")
        assert_dtype(got, np.float64, fn="numerical_gradient", inputs={"f": "sum(x)", "x": x}, what="gradient")


@requirement("GC-RELATIVE-ERROR-DEFINITION", "relative_error(a, b) = norm(a - b) / max(norm(a), norm(b))",
             f"{SOURCE}; {CONTRACT}")
@given(data=st.data(), shape=shapes())
def test_gc_relative_error_definition(impl: Implementation, data: st.DataObject, shape: tuple[int, ...]) -> None:
    a, b = data.draw(arrays(shape), label="a"), data.draw(arrays(shape), label="b")
    na, nb, nd = np.linalg.norm(a), np.linalg.norm(b), np.linalg.norm(a - b)
    alternatives = {"norm(a - b) / (norm(a) + norm(b))": nd / (na + nb) if na + nb else 0.0,
                    "norm(a - b) / norm(b)": nd / nb if nb else 0.0, "norm(a - b) / norm(a)": nd / na if na else 0.0}
    assert_close(call(impl, "relative_error", a, b), relative_error(a, b), fn="relative_error",
                 inputs={"a": a, "b": b}, rtol=DEFINITION_RTOL, alternatives=alternatives)


@requirement("GC-RELATIVE-ERROR-ZERO", "relative_error is 0 when both arrays are 0, and 0 for identical arrays",
             CONTRACT)
@given(a=float_arrays())
def test_gc_relative_error_zero(impl: Implementation, a: np.ndarray) -> None:
    zeros = np.zeros_like(a)
    assert_close(call(impl, "relative_error", zeros, zeros), 0.0, fn="relative_error",
                 inputs={"a": zeros, "b": zeros}, rtol=0.0)
    assert_close(call(impl, "relative_error", a, a.copy()), 0.0, fn="relative_error", inputs={"a": a, "b": a},
                 rtol=0.0)


@requirement("GC-RELATIVE-ERROR-SYMMETRIC", "relative_error(a, b) = relative_error(b, a), a float in [0, 2]",
             "identity (the max in the denominator; the triangle inequality bounds it by 2)")
@given(data=st.data(), shape=shapes())
def test_gc_relative_error_symmetric(impl: Implementation, data: st.DataObject, shape: tuple[int, ...]) -> None:
    a, b = data.draw(arrays(shape), label="a"), data.draw(arrays(shape), label="b")
    forward, reverse = call(impl, "relative_error", a, b), call(impl, "relative_error", b, a)
    check(isinstance(forward, float), f"relative_error returned {type(forward).__name__}; expected a float")
    check(0.0 <= forward <= 2.0 + 1e-15, f"relative_error(a, b) = {forward} lies outside [0, 2]")
    assert_close(reverse, forward, fn="relative_error", inputs={"a": b, "b": a},
                 what="relative_error(b, a) compared with relative_error(a, b)", rtol=DEFINITION_RTOL)
