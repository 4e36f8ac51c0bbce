"""The spec's own oracles: central differences vs SciPy and known derivatives; closed forms vs differences."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from spec import oracles
from spec.assertions import relative_error

FORWARD_DIFFERENCE_AGREEMENT = 1e-6  # approx_fprime's forward differences are only O(sqrt(machine eps)) exact
CENTRAL_DIFFERENCE_AGREEMENT = 1e-8
RNG_SEED = 20261125


def cubic_form(x: np.ndarray) -> float:
    """sum(x^3) + x0 x1 - exp(x2), gradient known in closed form; x of shape (3,)."""
    return float(np.sum(x**3) + x[0] * x[1] - np.exp(x[2]))


def cubic_form_gradient(x: np.ndarray) -> np.ndarray:
    return 3 * x**2 + np.array([x[1], x[0], -np.exp(x[2])])


@pytest.fixture
def point() -> np.ndarray:
    return np.random.default_rng(RNG_SEED).uniform(-2.0, 2.0, size=3)


def test_central_difference_agrees_with_scipy_approx_fprime(point: np.ndarray) -> None:
    ours = oracles.central_difference(cubic_form, point)
    scipy_forward = approx_fprime(point, cubic_form, 1e-8)
    assert relative_error(ours, scipy_forward) < FORWARD_DIFFERENCE_AGREEMENT


def test_central_difference_matches_a_known_gradient(point: np.ndarray) -> None:
    assert relative_error(oracles.central_difference(cubic_form, point), cubic_form_gradient(point)) < 1e-9


def test_central_difference_of_a_matrix_function_keeps_the_shape() -> None:
    A = np.random.default_rng(RNG_SEED).normal(size=(2, 3))
    grad = oracles.central_difference(lambda X: float(np.sum(np.sin(X))), A)
    assert grad.shape == (2, 3)
    assert relative_error(grad, np.cos(A)) < CENTRAL_DIFFERENCE_AGREEMENT


def test_central_difference_never_mutates_its_argument(point: np.ndarray) -> None:
    before = point.copy()
    point.flags.writeable = False
    oracles.central_difference(cubic_form, point)
    np.testing.assert_array_equal(point, before)


def test_central_difference_is_float64_for_float32_input() -> None:
    x = np.array([0.5, -1.5], dtype=np.float32)
    grad = oracles.central_difference(lambda v: float(np.sum(v**2)), x)
    assert grad.dtype == np.float64
    assert relative_error(grad, 2 * x.astype(np.float64)) < CENTRAL_DIFFERENCE_AGREEMENT


def test_central_difference_is_immune_to_a_mutating_function() -> None:
    def vandal(v: np.ndarray) -> float:
        value = float(np.sum(v**2))
        v[...] = 1e9
        return value

    x = np.array([1.0, 2.0])
    assert relative_error(oracles.central_difference(vandal, x), 2 * x) < CENTRAL_DIFFERENCE_AGREEMENT


Z = np.linspace(-6.0, 6.0, 49) + 0.013  # avoid z = 0 exactly (the kink of relu and leaky relu)


@pytest.mark.parametrize(
    ("function", "derivative"),
    [
        (oracles.sigmoid, oracles.sigmoid_derivative),
        (np.tanh, oracles.tanh_derivative),
        (oracles.gelu, oracles.gelu_derivative),
        (oracles.gelu_tanh, oracles.gelu_tanh_derivative),
        (oracles.relu, oracles.relu_derivative),
        (lambda z: oracles.leaky_relu(z, 0.1), lambda z: oracles.leaky_relu_derivative(z, 0.1)),
    ],
    ids=["sigmoid", "tanh", "gelu", "gelu_tanh", "relu", "leaky_relu"],
)
def test_closed_form_derivatives_match_central_differences(function, derivative) -> None:  # type: ignore[no-untyped-def]
    numeric = oracles.central_difference(lambda z: float(np.sum(function(z))), Z)
    assert relative_error(derivative(Z), numeric) < CENTRAL_DIFFERENCE_AGREEMENT


def test_gelu_oracles_agree() -> None:
    np.testing.assert_allclose(oracles.gelu(Z), oracles.gelu_via_erfc(Z), rtol=1e-14, atol=1e-300)
    assert np.max(np.abs(oracles.gelu_tanh(Z) - oracles.gelu(Z))) < 1e-3  # the approximation is that good


def test_softmax_jacobian_matches_central_differences() -> None:
    z = np.array([0.3, -1.2, 2.0, 0.0])
    numeric = np.stack([oracles.central_difference(lambda v, i=i: oracles.softmax(v)[i], z) for i in range(4)])
    assert relative_error(oracles.softmax_jacobian(z), numeric) < CENTRAL_DIFFERENCE_AGREEMENT


def test_loss_oracles_on_hand_computed_values() -> None:
    AL = np.array([[0.9, 0.2]])
    Y = np.array([[1.0, 0.0]])
    assert oracles.mse(AL, Y) == pytest.approx((0.01 + 0.04) / 2, rel=1e-14)
    assert oracles.binary_cross_entropy(AL, Y) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2, rel=1e-14)
    probabilities = np.array([[0.7, 0.1], [0.3, 0.9]])
    one_hot = np.array([[1.0, 0.0], [0.0, 1.0]])
    expected = -(np.log(0.7) + np.log(0.9)) / 2
    assert oracles.categorical_cross_entropy(probabilities, one_hot) == pytest.approx(expected, rel=1e-14)


def test_elementwise_derivative_equals_central_difference_of_the_sum() -> None:
    numeric = oracles.central_difference(lambda v: float(np.sum(np.tanh(v))), Z)
    assert relative_error(oracles.elementwise_derivative(np.tanh, Z), numeric) < CENTRAL_DIFFERENCE_AGREEMENT
