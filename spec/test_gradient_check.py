"""Gradient-check chapter: the implementation's own ``numerical_gradient`` and ``relative_error``
(documents 002 "gradient checking" and 004 "Numerical Gradient Checking"; contract v1 table, "gradient check").

``numerical_gradient`` is judged against functions whose gradients are known in closed form, called both ways
document 004's function allows: with an ``f`` that reads its argument and with an ``f`` that closes over ``x``
(``lambda _: cost(parameters)``); ``relative_error`` against its definition norm(a - b) / max(norm(a), norm(b)),
0 when both are 0.
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

from spec import calls
from spec.assertions import (
    assert_close,
    assert_gradient_matches,
    assert_shape,
    check,
    describe_call,
    relative_error,
)
from spec.impl import Implementation
from spec.requirements import requirement
from spec.strategies import arrays, float_arrays, shapes

SOURCE = "004_2272858fb68a8059.txt Numerical Gradient Checking; 002_fb0e23ca5ae7f5d8.txt gradient checking"
SOURCE_IN_PLACE = "004_2272858fb68a8059.txt Numerical Gradient Checking (x[idx] = old_val + eps, ..., x[idx] = old_val)"
CONTRACT = "contract v1, gradient check"
DEFAULT_EPS = 1e-5  # contract v1 default of numerical_gradient
X_BOUND = 2.0  # |x| <= X_BOUND in the gradient tests; the bounds B of KNOWN hold there
# float64 x. With eps = 1e-5 on |x| <= 2: truncation eps^2 |f'''| / 6 <= 2e-10 (|f'''| <= 12 for the cubic),
# rounding 2 ulp(|f| <= 75) / (2 eps) <= 2e-9 per entry; 1e-8 is above both.
GRADIENT_ATOL = 1e-8
MAX_RELATIVE_ERROR = 1e-7
# float32 x. An implementation may store x +- eps in x itself (float32), round f's values to float32, and
# difference, divide and store in float32 (document 004's np.zeros_like(x)): every one a correct reading. With
# u = 2^-24 float32's unit roundoff (half its machine epsilon 2^-23), G = max |df/dx_i|, B a bound on
# |d2f/dx_i^2| and |d3f/dx_i^3|, X = max |x| and F = max |f| over the perturbed points, entry i is off by at most
#   u (G + B eps) (X + eps) / eps: x_i + eps and x_i - eps stored in float32 are each off by u (|x_i| + eps), so
#                                  the step actually taken is not exactly 2 eps;
#   + u F / eps:                   the two values of f rounded to float32, their difference divided by 2 eps;
#   + B eps^2 / 6:                 the truncation error of the central difference;
#   + 4 u |df/dx_i|:               eps rounded to float32, the division and the stored result.
# FLOAT32_MARGIN doubles the bound for the terms it leaves out (products of two roundings, each u^2 / eps).
FLOAT32_UNIT_ROUNDOFF = 2.0**-24
FLOAT32_RTOL = 4 * FLOAT32_UNIT_ROUNDOFF
FLOAT32_MARGIN = 2.0
LARGE_EPS = 0.1  # large enough that central and forward differences of a cubic differ visibly
DEFINITION_RTOL = 1e-12


def _f64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


# name -> (f, its gradient, B): f any-shaped x -> float, computed in float64 whatever x's dtype (so only the
# implementation's roundings count); B bounds |d2f/dx_i^2| and |d3f/dx_i^3| for |x| <= X_BOUND (sin: 1; the cubic:
# 2|x| <= 4 and 2; log-sum-exp: p(1 - p) <= 1/4 and less; sum(x)^2: 2 and 0).
KNOWN: dict[str, tuple[Callable[[np.ndarray], float], Callable[[np.ndarray], np.ndarray], float]] = {
    "sum(sin(x))": (lambda x: float(np.sum(np.sin(_f64(x)))), np.cos, 1.0),
    "sum(x^3) / 3": (lambda x: float(np.sum(_f64(x) ** 3)) / 3.0, lambda x: x**2, 4.0),
    "log(sum(exp(x)))": (lambda x: float(logsumexp(_f64(x))), lambda x: softmax(x, axis=None), 1.0),
    "sum(x)^2": (lambda x: float(np.sum(_f64(x))) ** 2, lambda x: np.full_like(x, 2.0 * np.sum(x)), 2.0),
}
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])


def call(impl: Implementation, name: str, *args: Any, **kwargs: Any) -> Any:
    """``impl.<name>(...)`` with RuntimeWarnings raised as errors (they become failures)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return getattr(impl, name)(*args, **kwargs)


def _check_gradient(got: Any, name: str, x: np.ndarray, inputs: dict[str, Any],
                    alternatives: dict[str, np.ndarray] | None = None) -> None:
    """``got`` is f's known gradient at x, to the accuracy that x's dtype allows (see the constants above)."""
    f, gradient, bound = KNOWN[name]
    expected = gradient(_f64(x))
    if x.dtype == np.float64:
        assert_gradient_matches(got, expected, fn="numerical_gradient", inputs=inputs,
                                max_relative_error=MAX_RELATIVE_ERROR, atol=GRADIENT_ATOL,
                                reference_name="known gradient", alternatives=alternatives)
        return
    eps, g, big_x = DEFAULT_EPS, float(np.max(np.abs(expected))), float(np.max(np.abs(x)))
    f_max = abs(f(x)) + (g + bound * eps) * eps
    bound_terms = FLOAT32_UNIT_ROUNDOFF * ((g + bound * eps) * (big_x + eps) + f_max) / eps + bound * eps**2 / 6
    assert_close(got, expected, fn="numerical_gradient", inputs=inputs, what="gradient for a float32 x",
                 rtol=FLOAT32_MARGIN * FLOAT32_RTOL, atol=FLOAT32_MARGIN * bound_terms, alternatives=alternatives)


@requirement("GC-NUMERICAL-GRADIENT-KNOWN", "numerical_gradient(f, x) with an f that reads its argument matches "
             "the known gradient of f (oracle: the closed-form derivatives of KNOWN): relative error < 1e-7 for "
             "float64 x, within float32's rounding bound for float32 x", SOURCE)
@pytest.mark.parametrize("name", KNOWN)
@DTYPES
@given(data=st.data())
def test_gc_numerical_gradient_known(impl: Implementation, name: str, dtype: Any, data: st.DataObject) -> None:
    x = data.draw(float_arrays(min_value=-X_BOUND, max_value=X_BOUND, dtype=dtype), label="x")
    got = call(impl, "numerical_gradient", KNOWN[name][0], x.copy())
    _check_gradient(got, name, x, {"f": name, "x": x})


@requirement("GC-NUMERICAL-GRADIENT-CLOSURE", "numerical_gradient perturbs x itself: an f that ignores its "
             "argument and reads x through a closure (lambda _: cost(parameters) with x = parameters['W1']) gets "
             "the known gradient (oracle: the closed-form derivatives of KNOWN), in float64 and float32",
             f"{SOURCE_IN_PLACE}; {CONTRACT}")
@pytest.mark.parametrize("name", KNOWN)
@DTYPES
@given(data=st.data())
def test_gc_numerical_gradient_closure(impl: Implementation, name: str, dtype: Any, data: st.DataObject) -> None:
    x = data.draw(float_arrays(min_value=-X_BOUND, max_value=X_BOUND, dtype=dtype), label="x")
    f = KNOWN[name][0]
    parameters = {"W1": x.copy()}

    def cost(_: np.ndarray) -> float:
        return f(parameters["W1"])

    got = call(impl, "numerical_gradient", cost, parameters["W1"])
    inputs = {"f": f"lambda _: {name} of parameters['W1'] (a closure: its argument is ignored)",
              "x": f"parameters['W1'] = {x!r}"}
    _check_gradient(got, name, x, inputs, alternatives={
        "all zeros: f reads x through a closure, so it sees x + eps e_i only when x ITSELF is nudged; perturb x in "
        "place and put each entry back, as document 004 does (old = x[i]; x[i] = old + eps; ...; x[i] = old), "
        "instead of evaluating f on a copy of x": np.zeros(x.shape)})


@requirement("GC-NUMERICAL-GRADIENT-CENTRAL", "numerical_gradient uses central differences "
             "(f(x + eps) - f(x - eps)) / (2 eps) with the eps it is given (oracle: the exact central difference "
             "3 x^2 + eps^2 of sum(x^3))", f"{SOURCE}; {CONTRACT}")
@given(x=float_arrays(min_value=-2.0, max_value=2.0))
def test_gc_numerical_gradient_central(impl: Implementation, x: np.ndarray) -> None:
    # for f = sum(x^3): the central difference is exactly 3 x^2 + eps^2, the forward one 3 x^2 + 3 x eps + eps^2
    got = call(impl, "numerical_gradient", lambda v: float(np.sum(v**3)), x.copy(), eps=LARGE_EPS)
    assert_close(got, 3 * x**2 + LARGE_EPS**2, fn="numerical_gradient",
                 inputs={"f": "sum(x^3)", "x": x, "eps": LARGE_EPS}, rtol=1e-9, atol=1e-12, alternatives={
                     "the forward difference (f(x + eps) - f(x)) / eps": 3 * x**2 + 3 * x * LARGE_EPS + LARGE_EPS**2,
                     "the backward difference (f(x) - f(x - eps)) / eps": 3 * x**2 - 3 * x * LARGE_EPS + LARGE_EPS**2,
                     "the exact derivative: the eps argument was ignored": 3 * x**2})


def _bits(x: np.ndarray) -> np.ndarray:
    """The bit patterns of x's floats (so that -0.0 differs from 0.0)."""
    return x.view(np.uint64 if x.dtype == np.float64 else np.uint32)


@requirement("GC-NUMERICAL-GRADIENT-RESTORES-X", "numerical_gradient leaves x bit for bit as it found it "
             "(restored, or never touched), in float64 and float32 (oracle: a copy of x taken before the call)",
             CONTRACT)
@DTYPES
@given(data=st.data())
def test_gc_numerical_gradient_restores_x(impl: Implementation, dtype: Any, data: st.DataObject) -> None:
    x = data.draw(float_arrays(dtype=dtype), label="x")
    argument = x.copy()
    calls.reset()
    call(impl, "numerical_gradient", lambda v: float(np.sum(_f64(v) ** 2)), argument)
    left = [change.after for change in calls.changes("numerical_gradient") if change.argument == "x"]
    argument = np.asarray(left[-1]) if left else argument  # the spec puts a changed argument back: use its record
    changed = np.argwhere(_bits(argument) != _bits(x))
    where = tuple(int(i) for i in changed[0]) if changed.size else ()
    check(not changed.size, "\n".join([
        *describe_call("numerical_gradient", {"f": "sum(x^2)", "x": x}),
        f"x is not as it was: x{list(where)} was {x[where]!r} before the call and is {argument[where]!r} after it "
        f"({len(changed)} of {x.size} entries changed)",
        "hint: put each entry back by assigning the value saved before nudging it (x[i] = old), not by adding and "
        "subtracting eps (x[i] += eps ... x[i] -= eps does not round back)"]))


@requirement("GC-NUMERICAL-GRADIENT-SHAPE", "numerical_gradient returns an array shaped like x: float64 for a "
             "float64 x, float32 or float64 for a float32 x", f"{CONTRACT}; contract v1 (precision)")
@given(shape=shapes(min_dims=1, max_dims=3))
def test_gc_numerical_gradient_shape(impl: Implementation, shape: tuple[int, ...]) -> None:
    # for a float32 x, document 004's np.zeros_like(x) gives float32 and storing f's Python floats gives float64:
    # the contract's text allows both
    for x, allowed in ((np.ones(shape), ("float64",)), (np.ones(shape, dtype=np.float32), ("float32", "float64"))):
        inputs = {"f": "sum(x)", "x": x}
        got = call(impl, "numerical_gradient", lambda v: float(np.sum(v)), x)
        assert_shape(got, shape, fn="numerical_gradient", inputs=inputs, what="gradient")
        got_dtype = np.asarray(got).dtype.name
        check(got_dtype in allowed, "\n".join([*describe_call("numerical_gradient", inputs),
                                               f"gradient: dtype {got_dtype}; a {x.dtype} x gives "
                                               f"{' or '.join(allowed)}"]))


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


@requirement("GC-RELATIVE-ERROR-SYMMETRIC", "relative_error(a, b) = relative_error(b, a), a real number in [0, 2]",
             "identity (the max in the denominator; the triangle inequality bounds it by 2)")
@given(data=st.data(), shape=shapes())
def test_gc_relative_error_symmetric(impl: Implementation, data: st.DataObject, shape: tuple[int, ...]) -> None:
    a, b = data.draw(arrays(shape), label="a"), data.draw(arrays(shape), label="b")
    forward, reverse = call(impl, "relative_error", a, b), call(impl, "relative_error", b, a)
    # the contract says neither "a Python float" (as it does for costs) nor a type: 0, np.float64(0.3) and a
    # 0-d float array are all numbers
    check(np.ndim(forward) == 0 and np.asarray(forward).dtype.kind in "iuf",
          f"relative_error returned {type(forward).__name__} {forward!r}; expected one real number")
    check(0.0 <= forward <= 2.0 + 1e-15, f"relative_error(a, b) = {forward} lies outside [0, 2]")
    assert_close(reverse, forward, fn="relative_error", inputs={"a": b, "b": a},
                 what="relative_error(b, a) compared with relative_error(a, b)", rtol=DEFINITION_RTOL)
