"""Activations chapter (document 003 §1.2; contract v1 table, "activations").

Values against SciPy/closed-form oracles, derivatives against the closed forms of 003 (spec/oracles.py) and,
as separate "-CONSISTENT" requirements, against central differences of the implementation's own activation,
the identities of issue 3, stability at |z| up to 1e4, shapes, dtypes and purity.
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
from spec.assertions import assert_close, assert_dtype, assert_equal, assert_finite, assert_shape, assert_unchanged
from spec.impl import Implementation
from spec.requirements import Requirement, requirement, requirement_param
from spec.strategies import KINK_MARGIN, arrays, away_from, float_arrays, matrices, shapes

SOURCE = "003_d92bbac1e53fa49d.txt §1.2 Activation functions"
CONTRACT = "contract v1, activations"
VALUE_RTOL = 1e-10  # sound float64 formulas agree to a few ulp; 1e-10 leaves room for any of them
VALUE_ATOL = 1e-14  # 1 + erf(z) style cancellation costs ~1e-16 per unit of |z| <= 10 in absolute terms
IDENTITY_ATOL = 1e-14  # 1 - sigma(z) and 2 sigma(2z) - 1 lose at most a few ulp of 1 in absolute terms
FD_EPS = 1e-5  # elementwise central-difference step on |z| <= 10 (bounds below)
FD_RTOL = 1e-7
# Absolute floor of the central differences: truncation eps^2 max|f'''| / 6 <= 4e-11 (tanh: |f'''| <= 2),
# rounding 2 ulp(|f| <= 10) / (2 eps) <= 2e-10; 1e-9 is above both.
FD_ATOL = 1e-9
FLOAT32_RTOL = 1e-5  # float32 has ~7 significant digits; a few roundings of a formula stay within 1e-5
FLOAT32_ATOL = 1e-6
DEFAULT_ALPHA = 0.01  # contract v1 default of leaky_relu's alpha
EXTREMES = np.array([-1e4, -1e3, -745.0, -710.0, -50.0, -1.0, 0.0, 1.0, 50.0, 710.0, 745.0, 1e3, 1e4])
SOFTMAX_EXTREMES = np.array([[1e4, -1e4, 0.0, 710.0], [1e4 - 1.0, 1e4, -710.0, 0.0], [-1e4, 0.0, 1e3, -745.0]])
ALPHAS = st.floats(0.0, 0.5, allow_subnormal=False)
PURITY_INPUT = np.array([[-2.0, -0.5, 0.0], [0.5, 1.5, 3.0]])

Oracle = Callable[[np.ndarray], np.ndarray]
# name -> (contract keyword arguments, value oracle, derivative name, derivative oracle)
ELEMENTWISE: dict[str, tuple[dict[str, Any], Oracle, str, Oracle]] = {
    "sigmoid": ({}, oracles.sigmoid, "sigmoid_derivative", oracles.sigmoid_derivative),
    "tanh": ({}, np.tanh, "tanh_derivative", oracles.tanh_derivative),
    "relu": ({}, oracles.relu, "relu_derivative", oracles.relu_derivative),
    "leaky_relu": (
        {"alpha": DEFAULT_ALPHA},
        lambda z: oracles.leaky_relu(z, DEFAULT_ALPHA),
        "leaky_relu_derivative",
        lambda z: oracles.leaky_relu_derivative(z, DEFAULT_ALPHA),
    ),
    "gelu": ({"approximate": False}, oracles.gelu, "gelu_derivative", oracles.gelu_derivative),
    "gelu(approximate=True)": (
        {"approximate": True}, oracles.gelu_tanh, "gelu_derivative", oracles.gelu_tanh_derivative
    ),
}
KINKED = {"relu", "leaky_relu"}
ALL_FUNCTIONS = [
    (name.split("(")[0], kwargs) for name, (kwargs, *_) in ELEMENTWISE.items()
] + [(derivative, kwargs) for kwargs, _, derivative, _ in ELEMENTWISE.values()] + [("softmax", {"axis": 0})]
FUNCTION_IDS = [f"{name}{'-approximate' if kwargs.get('approximate') else ''}" for name, kwargs in ALL_FUNCTIONS]


def call(impl: Implementation, name: str, z: np.ndarray, **kwargs: Any) -> Any:
    """``impl.<name>(z, **kwargs)`` with RuntimeWarnings raised as errors (they become failures)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return getattr(impl, name)(z, **kwargs)


def inputs(z: np.ndarray, **kwargs: Any) -> dict[str, Any]:
    return {"z": z, **kwargs}


def check_values(impl: Implementation, name: str, z: np.ndarray, expected: np.ndarray, **kwargs: Any) -> None:
    """impl.<name>(z) matches an oracle to VALUE_RTOL / VALUE_ATOL."""
    got = call(impl, name, z, **kwargs)
    assert_close(got, expected, fn=name, inputs=inputs(z, **kwargs), rtol=VALUE_RTOL, atol=VALUE_ATOL)


# ---- values ---------------------------------------------------------------------------------------------


@requirement("ACT-SIGMOID-VALUES", "sigmoid(z) = 1 / (1 + exp(-z)) elementwise", f"{SOURCE}; scipy.special.expit")
@given(z=float_arrays())
def test_act_sigmoid_values(impl: Implementation, z: np.ndarray) -> None:
    check_values(impl, "sigmoid", z, oracles.sigmoid(z))


@requirement("ACT-TANH-VALUES", "tanh(z) = (e^z - e^-z) / (e^z + e^-z) elementwise", f"{SOURCE}; numpy.tanh")
@given(z=float_arrays())
def test_act_tanh_values(impl: Implementation, z: np.ndarray) -> None:
    check_values(impl, "tanh", z, np.tanh(z))


@requirement("ACT-RELU-VALUES", "relu(z) = max(0, z) elementwise", SOURCE)
@given(z=float_arrays())
def test_act_relu_values(impl: Implementation, z: np.ndarray) -> None:
    check_values(impl, "relu", z, oracles.relu(z))


@requirement("ACT-LEAKY-RELU-VALUES", "leaky_relu(z, alpha) = z for z > 0 and alpha z otherwise", SOURCE)
@given(z=float_arrays(), alpha=ALPHAS)
def test_act_leaky_relu_values(impl: Implementation, z: np.ndarray, alpha: float) -> None:
    check_values(impl, "leaky_relu", z, oracles.leaky_relu(z, alpha), alpha=alpha)


@requirement("ACT-LEAKY-RELU-DEFAULT-ALPHA", "leaky_relu and its derivative default to alpha = 0.01", CONTRACT)
def test_act_leaky_relu_default_alpha(impl: Implementation) -> None:
    z = np.array([-3.0, -1.0, 0.0, 2.0])
    check_values(impl, "leaky_relu", z, oracles.leaky_relu(z, DEFAULT_ALPHA))
    check_values(impl, "leaky_relu_derivative", z, oracles.leaky_relu_derivative(z, DEFAULT_ALPHA))


@requirement("ACT-GELU-VALUES", "gelu(z) = z Phi(z) with Phi the standard normal CDF",
             f"{SOURCE} (GELU); scipy.stats.norm.cdf")
@given(z=float_arrays())
def test_act_gelu_values(impl: Implementation, z: np.ndarray) -> None:
    got = call(impl, "gelu", z)
    assert_close(got, oracles.gelu(z), fn="gelu", inputs=inputs(z), rtol=VALUE_RTOL, atol=VALUE_ATOL,
                 alternatives={"the tanh approximation (the default approximate=False is the exact z Phi(z))":
                               oracles.gelu_tanh(z)})


@requirement("ACT-GELU-TANH-VALUES", "gelu(z, approximate=True) = 0.5 z (1 + tanh(sqrt(2/pi)(z + 0.044715 z^3)))",
             f"{SOURCE} (GELU approximation)")
@given(z=float_arrays())
def test_act_gelu_tanh_values(impl: Implementation, z: np.ndarray) -> None:
    got = call(impl, "gelu", z, approximate=True)
    assert_close(got, oracles.gelu_tanh(z), fn="gelu", inputs=inputs(z, approximate=True), rtol=VALUE_RTOL,
                 atol=VALUE_ATOL,
                 alternatives={"the exact z Phi(z) (approximate=True is the tanh form)": oracles.gelu(z)})


@requirement("ACT-SOFTMAX-VALUES", "softmax(z) = exp(z_i) / sum_j exp(z_j) over each column (axis=0 default)",
             f"{SOURCE}; scipy.special.softmax")
@given(z=matrices())
def test_act_softmax_values(impl: Implementation, z: np.ndarray) -> None:
    got = call(impl, "softmax", z)
    assert_close(got, oracles.softmax(z, axis=0), fn="softmax", inputs=inputs(z), rtol=VALUE_RTOL, atol=VALUE_ATOL,
                 alternatives={"the softmax over axis 1 (rows): samples are the COLUMNS": oracles.softmax(z, axis=1),
                               "exp(z) / sum over ALL elements": np.exp(z) / np.sum(np.exp(z))})


@requirement("ACT-SOFTMAX-AXIS", "softmax(z, axis=a) normalises along the given axis", CONTRACT)
@given(z=float_arrays(min_dims=2, max_dims=3), data=st.data())
def test_act_softmax_axis(impl: Implementation, z: np.ndarray, data: st.DataObject) -> None:
    axis = data.draw(st.integers(0, z.ndim - 1), label="axis")
    got = call(impl, "softmax", z, axis=axis)
    assert_close(got, oracles.softmax(z, axis=axis), fn="softmax", inputs=inputs(z, axis=axis), rtol=VALUE_RTOL,
                 atol=VALUE_ATOL)


# ---- derivatives: closed forms of 003 -------------------------------------------------------------------


@requirement("ACT-SIGMOID-DERIVATIVE", "sigmoid_derivative(z) = sigma(z) (1 - sigma(z)), taking z (oracle: this "
             "formula of 003 §1.2 with scipy.special.expit)", SOURCE)
@given(z=float_arrays())
def test_act_sigmoid_derivative(impl: Implementation, z: np.ndarray) -> None:
    got = call(impl, "sigmoid_derivative", z)
    assert_close(got, oracles.sigmoid_derivative(z), fn="sigmoid_derivative", inputs=inputs(z), rtol=VALUE_RTOL,
                 atol=VALUE_ATOL, alternatives={
                     "sigma'(sigma(z)): the derivative applied to the activation instead of to z":
                         oracles.sigmoid_derivative(oracles.sigmoid(z)),
                     "z (1 - z): the formula a (1 - a) applied to z instead of to sigma(z)": z * (1 - z)})


@requirement("ACT-TANH-DERIVATIVE", "tanh_derivative(z) = 1 - tanh(z)^2, taking z (oracle: this formula of 003 §1.2 "
             "with numpy.tanh)", SOURCE)
@given(z=float_arrays())
def test_act_tanh_derivative(impl: Implementation, z: np.ndarray) -> None:
    got = call(impl, "tanh_derivative", z)
    assert_close(got, oracles.tanh_derivative(z), fn="tanh_derivative", inputs=inputs(z), rtol=VALUE_RTOL,
                 atol=VALUE_ATOL, alternatives={
                     "1 - tanh(tanh(z))^2: the derivative applied to the activation instead of to z":
                         oracles.tanh_derivative(np.tanh(z)),
                     "1 - z^2: the formula 1 - a^2 applied to z instead of to tanh(z)": 1 - z**2})


@requirement("ACT-RELU-DERIVATIVE", "relu_derivative(z) = 1 where z > 0, 0 where z < 0 (oracle: this formula of "
             "003 §1.2 and the contract; z = 0 belongs to ACT-RELU-DERIVATIVE-AT-ZERO)", f"{SOURCE}; {CONTRACT}")
@given(z=float_arrays())
def test_act_relu_derivative(impl: Implementation, z: np.ndarray) -> None:
    z = z[z != 0]  # the edge z = 0 is ACT-RELU-DERIVATIVE-AT-ZERO's alone: one bug, one failure
    check_values(impl, "relu_derivative", z, oracles.relu_derivative(z))


@requirement("ACT-RELU-DERIVATIVE-AT-ZERO", "relu_derivative is 0 at z = 0 and at -0.0 (oracle: the contract's "
             "value at the kink)", CONTRACT)
def test_act_relu_derivative_at_zero(impl: Implementation) -> None:
    z = np.array([0.0, -0.0])
    assert_close(call(impl, "relu_derivative", z), np.zeros(2), fn="relu_derivative", inputs=inputs(z), rtol=0.0)


@requirement("ACT-LEAKY-RELU-DERIVATIVE", "leaky_relu_derivative(z, alpha) = 1 where z > 0, alpha where z <= 0 "
             "(oracle: this formula of 003 §1.2 and the contract)",
             f"{SOURCE}; {CONTRACT} (alpha at z = 0)")
@given(z=float_arrays(), alpha=ALPHAS)
def test_act_leaky_relu_derivative(impl: Implementation, z: np.ndarray, alpha: float) -> None:
    z = np.concatenate([z.reshape(-1), [0.0]])  # z = 0 always included: the derivative there is alpha
    got = call(impl, "leaky_relu_derivative", z, alpha=alpha)
    assert_close(got, oracles.leaky_relu_derivative(z, alpha), fn="leaky_relu_derivative",
                 inputs=inputs(z, alpha=alpha), rtol=VALUE_RTOL, atol=VALUE_ATOL,
                 alternatives={"1 at z = 0 (the contract gives alpha at z <= 0)": np.where(z >= 0, 1.0, alpha)})


@requirement("ACT-GELU-DERIVATIVE", "gelu_derivative(z) = Phi(z) + z phi(z) (oracle: the product rule on 003 "
             "§1.2's z Phi(z), with scipy.stats.norm)",
             f"{SOURCE} (GELU); scipy.stats.norm")
@given(z=float_arrays())
def test_act_gelu_derivative(impl: Implementation, z: np.ndarray) -> None:
    check_values(impl, "gelu_derivative", z, oracles.gelu_derivative(z))


@requirement("ACT-GELU-TANH-DERIVATIVE", "gelu_derivative(z, approximate=True) is the derivative of the tanh form "
             "(oracle: its closed form by the product and chain rules, spec/oracles.py)",
             f"{SOURCE} (GELU approximation)")
@given(z=float_arrays())
def test_act_gelu_tanh_derivative(impl: Implementation, z: np.ndarray) -> None:
    check_values(impl, "gelu_derivative", z, oracles.gelu_tanh_derivative(z), approximate=True)


# ---- derivatives: central differences of the implementation's own activation ----------------------------


def _consistency_case(name: str) -> Any:
    kwargs, _, derivative, _ = ELEMENTWISE[name]
    req_id = "ACT-" + name.replace("(approximate=True)", "-tanh").replace("_", "-").upper() + "-DERIVATIVE-CONSISTENT"
    statement = f"{derivative}(z{''.join(f', {k}={v}' for k, v in kwargs.items())}) equals central differences " \
                f"of your own {name.split('(')[0]} (a self-consistency check; {req_id.removesuffix('-CONSISTENT')} " \
                "compares with the formula)"
    return requirement_param(name, req=Requirement(req_id, statement, f"{SOURCE}; central differences"))


@pytest.mark.parametrize("name", [_consistency_case(name) for name in ELEMENTWISE])
@given(data=st.data())
def test_derivative_matches_central_differences(impl: Implementation, name: str, data: st.DataObject) -> None:
    kwargs, _, derivative, _ = ELEMENTWISE[name]
    function = name.split("(")[0]
    shape = data.draw(shapes(), label="shape")
    z = data.draw(away_from(shape, margin=KINK_MARGIN) if name in KINKED else arrays(shape), label="z")
    numeric = oracles.elementwise_derivative(lambda v: call(impl, function, v, **kwargs), z, FD_EPS)
    got = call(impl, derivative, z, **kwargs)
    assert_close(got, numeric, fn=derivative, inputs=inputs(z, **kwargs), what="derivative vs central differences",
                 rtol=FD_RTOL, atol=FD_ATOL)


def _softmax_entries(impl: Implementation, k: int) -> Callable[[list[np.ndarray]], list[list[float]]]:
    """Points z of shape (k, 1) -> softmax(z)[i, 0] for i < k at each, softmax called on all points in one batch."""
    def entries(points: list[np.ndarray]) -> list[list[float]]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            outputs = impl.batch("softmax", [((point,), {}) for point in points])
        return [[float(s[i, 0]) for i in range(k)] for s in outputs]

    return entries


@requirement("ACT-SOFTMAX-JACOBIAN", "the Jacobian of softmax, by central differences of your softmax, is "
             "diag(s) - s s^T (oracle: this formula of 003 §1.2, ds_i/dz_j = s_i (delta_ij - s_j), with "
             "scipy.special.softmax)",
             f"{SOURCE} (softmax Jacobian); central differences")
@given(z=arrays(st.integers(1, 6).map(lambda k: (k, 1)), -3.0, 3.0))
def test_act_softmax_jacobian(impl: Implementation, z: np.ndarray) -> None:
    # z in [-3, 3] keeps every s_i >= e^-6 / 6, so the Jacobian's entries stay far above the rounding error of
    # the differences (step 1e-4: truncation ~1e-8 |J|, rounding ~1e-12).
    k = z.shape[0]
    numeric = oracles.central_jacobian(_softmax_entries(impl, k), z, eps=1e-4)
    assert_close(numeric, oracles.softmax_jacobian(z), fn="softmax", inputs=inputs(z),
                 what="Jacobian by central differences of your softmax", rtol=FD_RTOL, atol=FD_ATOL)


# ---- identities -----------------------------------------------------------------------------------------


@requirement("ACT-SIGMOID-SYMMETRY", "sigma(-z) = 1 - sigma(z)", "identity; 003 §1.2")
@given(z=float_arrays())
def test_act_sigmoid_symmetry(impl: Implementation, z: np.ndarray) -> None:
    assert_close(call(impl, "sigmoid", -z), 1.0 - call(impl, "sigmoid", z), fn="sigmoid", inputs=inputs(-z),
                 what="sigmoid(-z) compared with 1 - sigmoid(z)", rtol=0.0, atol=IDENTITY_ATOL)


@requirement("ACT-TANH-SIGMOID-IDENTITY", "tanh(z) = 2 sigma(2z) - 1", "identity")
@given(z=float_arrays())
def test_act_tanh_sigmoid_identity(impl: Implementation, z: np.ndarray) -> None:
    assert_close(call(impl, "tanh", z), 2.0 * call(impl, "sigmoid", 2.0 * z) - 1.0, fn="tanh", inputs=inputs(z),
                 what="tanh(z) compared with 2 sigmoid(2z) - 1", rtol=0.0, atol=IDENTITY_ATOL)


@requirement("ACT-SOFTMAX-SUMS-TO-ONE", "softmax's outputs lie in [0, 1] and each column sums to 1", SOURCE)
@given(z=matrices())
def test_act_softmax_sums_to_one(impl: Implementation, z: np.ndarray) -> None:
    s = np.asarray(call(impl, "softmax", z), dtype=np.float64)
    assert_shape(s, z.shape, fn="softmax", inputs=inputs(z), what="result")
    assert_close(s.sum(axis=0), np.ones(z.shape[1]), fn="softmax", inputs=inputs(z), what="column sums",
                 rtol=0.0, atol=IDENTITY_ATOL)
    assert_close(np.clip(s, 0.0, 1.0), s, fn="softmax", inputs=inputs(z), what="values clipped to [0, 1]", rtol=0.0)


@requirement("ACT-SOFTMAX-SHIFT-INVARIANT", "softmax(z + c) = softmax(z) for a constant c added to each column",
             "identity")
@given(z=matrices(), data=st.data())
def test_act_softmax_shift_invariant(impl: Implementation, z: np.ndarray, data: st.DataObject) -> None:
    shift = data.draw(arrays((1, z.shape[1]), -100.0, 100.0), label="c")
    assert_close(call(impl, "softmax", z + shift), call(impl, "softmax", z), fn="softmax", inputs=inputs(z + shift),
                 what="softmax(z + c) compared with softmax(z)", rtol=VALUE_RTOL, atol=VALUE_ATOL)


# ---- stability, shapes, dtypes, purity ------------------------------------------------------------------


def _stability_case(family: str) -> Any:
    names = [name for name in ELEMENTWISE if name.split("(")[0] == family]
    statement = f"{family} and its derivative are finite and correct for |z| up to 1e4, without RuntimeWarnings"
    req = Requirement(f"ACT-{family.replace('_', '-').upper()}-STABLE", statement, f"{SOURCE}; issue 2 (stability)")
    return requirement_param(names, req=req)


@pytest.mark.parametrize("names", [_stability_case(family) for family in ("sigmoid", "tanh", "gelu")])
def test_elementwise_stable_at_extremes(impl: Implementation, names: list[str]) -> None:
    for name in names:
        kwargs, value_oracle, derivative, derivative_oracle = ELEMENTWISE[name]
        for function, oracle in ((name.split("(")[0], value_oracle), (derivative, derivative_oracle)):
            got = call(impl, function, EXTREMES, **kwargs)
            assert_finite(got, fn=function, inputs=inputs(EXTREMES, **kwargs), what="result")
            assert_close(got, oracle(EXTREMES), fn=function, inputs=inputs(EXTREMES, **kwargs),
                         rtol=VALUE_RTOL, atol=VALUE_ATOL)


@requirement("ACT-SOFTMAX-STABLE", "softmax is finite and correct for entries up to |z| = 1e4, without warnings",
             f"{SOURCE}; issue 2 (stability)")
def test_act_softmax_stable(impl: Implementation) -> None:
    got = call(impl, "softmax", SOFTMAX_EXTREMES)
    assert_finite(got, fn="softmax", inputs=inputs(SOFTMAX_EXTREMES), what="result")
    assert_close(got, oracles.softmax(SOFTMAX_EXTREMES), fn="softmax", inputs=inputs(SOFTMAX_EXTREMES),
                 rtol=VALUE_RTOL, atol=VALUE_ATOL)


@requirement("ACT-SHAPE-PRESERVED", "every activation and derivative returns an array of its input's shape",
             CONTRACT)
@pytest.mark.parametrize(("name", "kwargs"), ALL_FUNCTIONS, ids=FUNCTION_IDS)
@given(z=float_arrays(min_dims=1, max_dims=3))
def test_act_shape_preserved(impl: Implementation, name: str, kwargs: dict[str, Any], z: np.ndarray) -> None:
    assert_shape(call(impl, name, z, **kwargs), z.shape, fn=name, inputs=inputs(z, **kwargs), what="result")


@requirement("ACT-DTYPE-PRESERVED", "float64 in gives float64 out and float32 in gives float32 out (and values)",
             "contract v1 (float32 only when every floating input is float32)")
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize(("name", "kwargs"), ALL_FUNCTIONS, ids=FUNCTION_IDS)
def test_act_dtype_preserved(impl: Implementation, name: str, kwargs: dict[str, Any], dtype: Any) -> None:
    z = PURITY_INPUT.astype(dtype)
    got = call(impl, name, z, **kwargs)
    assert_dtype(got, dtype, fn=name, inputs=inputs(z, **kwargs), what="result")
    expected = call(impl, name, PURITY_INPUT, **kwargs) if dtype is np.float32 else got
    assert_close(got, expected, fn=name, inputs=inputs(z, **kwargs), what="float32 result vs float64 result",
                 rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL)


@requirement("ACT-PURE", "activations and derivatives never modify their argument (read-only input works)",
             "contract v1 (every function is pure)")
@pytest.mark.parametrize(("name", "kwargs"), ALL_FUNCTIONS, ids=FUNCTION_IDS)
def test_act_pure(impl: Implementation, name: str, kwargs: dict[str, Any]) -> None:
    z = PURITY_INPUT.copy()
    call(impl, name, z, **kwargs)
    assert_unchanged(PURITY_INPUT, z, fn=name, what="z")
    read_only = PURITY_INPUT.copy()
    read_only.flags.writeable = False
    first = call(impl, name, read_only, **kwargs)
    assert_equal(call(impl, name, read_only, **kwargs), first, fn=name, inputs=inputs(read_only, **kwargs),
                 what="a second call on the same input")
