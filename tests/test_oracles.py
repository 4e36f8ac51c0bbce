"""The spec's own oracles: central differences vs SciPy and known derivatives; closed forms vs differences."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats
from scipy.optimize import approx_fprime

from nnspec.requirements_doc import collect
from spec import oracles
from spec.assertions import relative_error
from spec.requirements import Requirement

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


def test_central_jacobian_of_softmax_is_its_closed_form_even_when_f_changes_its_points() -> None:
    z = np.array([[0.5], [-1.0], [2.0]])

    def vandal(points: list[np.ndarray]) -> list[np.ndarray]:
        values = [special.softmax(point, axis=0).ravel() for point in points]
        for point in points:
            point[...] = 1e9
        return values

    numeric = oracles.central_jacobian(vandal, z, eps=1e-5)
    assert relative_error(numeric, oracles.softmax_jacobian(z)) < CENTRAL_DIFFERENCE_AGREEMENT


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


# ---- the oracles of layers, networks, penalties, dropout and normalisation -------------------------------


def _parameters() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(RNG_SEED)
    return {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=(3, 1)),
            "W2": rng.normal(size=(1, 3)), "b2": rng.normal(size=(1, 1))}


def test_linear_is_w_a_plus_b_column_by_column() -> None:
    rng = np.random.default_rng(RNG_SEED)
    A_prev, W, b = rng.normal(size=(2, 4)), rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
    columns = np.column_stack([W @ A_prev[:, j] + b[:, 0] for j in range(4)])
    np.testing.assert_allclose(oracles.linear(A_prev, W, b), columns, rtol=1e-14)


def test_network_forward_and_cost_give_the_numbers_of_003_backprop_221() -> None:
    """003 §1.5's 2-2-1 sigmoid network: y_hat = 0.6427, loss 1/2 (y - y_hat)^2 = 0.0638, dW2 and dW1 as printed."""
    parameters = {"W1": np.array([[0.1, 0.2], [0.3, 0.4]]), "b1": np.zeros((2, 1)),
                  "W2": np.array([[0.5, 0.6]]), "b2": np.zeros((1, 1))}
    X, Y = np.array([[0.5], [0.1]]), np.array([[1.0]])
    AL, hidden_z = oracles.network_forward(X, parameters, "sigmoid", "sigmoid")
    np.testing.assert_allclose(hidden_z[0], [[0.07], [0.19]], rtol=1e-12)
    assert abs(AL[0, 0] - 0.6427) <= 0.5e-4

    def half_squared_error(W: np.ndarray, name: str) -> float:  # the document's loss is mse / 2 for one output
        return oracles.network_cost(X, Y, {**parameters, name: W}, "sigmoid", "sigmoid", "mse") / 2

    assert abs(half_squared_error(parameters["W2"], "W2") - 0.0638) <= 0.5e-4
    dW2 = oracles.central_difference(lambda W: half_squared_error(W, "W2"), parameters["W2"])
    dW1 = oracles.central_difference(lambda W: half_squared_error(W, "W1"), parameters["W1"])
    assert np.max(np.abs(dW2 - [[-0.0425, -0.0449]])) <= 0.5e-4
    assert np.max(np.abs(dW1 - [[-0.00512, -0.00102], [-0.00610, -0.00122]])) <= 0.5e-5


@pytest.mark.parametrize("output", ["sigmoid", "softmax", "linear"])
def test_network_forward_applies_each_output_to_the_last_linear_map(output: str) -> None:
    parameters, X = _parameters(), np.random.default_rng(RNG_SEED + 1).normal(size=(2, 5))
    AL, (Z1,) = oracles.network_forward(X, parameters, "tanh", output)
    ZL = parameters["W2"] @ np.tanh(Z1) + parameters["b2"]
    expected = {"sigmoid": special.expit(ZL), "softmax": special.softmax(ZL, axis=0), "linear": ZL}[output]
    np.testing.assert_allclose(AL, expected, rtol=1e-14)


@pytest.mark.parametrize("hidden", sorted(oracles.HIDDEN))
def test_hidden_activations_of_the_network_are_the_activation_oracles(hidden: str) -> None:
    expected = {"relu": oracles.relu(Z), "leaky_relu": oracles.leaky_relu(Z, 0.01), "sigmoid": oracles.sigmoid(Z),
                "tanh": np.tanh(Z), "gelu": oracles.gelu(Z)}[hidden]
    np.testing.assert_array_equal(oracles.HIDDEN[hidden](Z), expected)


def test_penalties_on_hand_computed_values_weights_only() -> None:
    parameters = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[5.0]]), "W2": np.array([[0.0], [3.0]]),
                  "b2": np.array([[-7.0], [1.0]])}
    assert oracles.l2_penalty(parameters, 0.5) == pytest.approx(0.25 * (1 + 4 + 0 + 9), rel=1e-15)
    assert oracles.l1_penalty(parameters, 0.5) == pytest.approx(0.5 * (1 + 2 + 0 + 3), rel=1e-15)
    assert sorted(oracles.l2_gradient(parameters, 0.5)) == ["dW1", "dW2"]  # no bias gradients
    assert sorted(oracles.l1_gradient(parameters, 0.5)) == ["dW1", "dW2"]
    np.testing.assert_array_equal(oracles.l1_gradient(parameters, 0.5)["dW2"], [[0.0], [0.5]])  # sign(0) = 0


@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_penalty_gradients_are_central_differences_of_the_penalties(penalty: str) -> None:
    parameters, lambd = _parameters(), 0.7  # normal draws: no weight within a step of l1's kink at 0
    value, gradient = getattr(oracles, f"{penalty}_penalty"), getattr(oracles, f"{penalty}_gradient")
    grads = gradient(parameters, lambd)
    for name in parameters:
        numeric = oracles.central_difference(lambda x, name=name: value({**parameters, name: x}, lambd),
                                             parameters[name])
        expected = grads.get(f"d{name}", np.zeros_like(parameters[name]))
        np.testing.assert_allclose(expected, numeric, rtol=CENTRAL_DIFFERENCE_AGREEMENT, atol=1e-9)


def test_inverted_dropout_takes_any_0_1_mask_and_its_gradient_is_mask_over_keep_rate() -> None:
    rng = np.random.default_rng(RNG_SEED)
    A, C, keep = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.random((3, 4)) >= 0.25
    out = oracles.inverted_dropout(A, keep, 0.25)
    np.testing.assert_array_equal(out, oracles.inverted_dropout(A, keep.astype(np.float32), 0.25))
    np.testing.assert_allclose(out, np.where(keep, A / 0.75, 0.0), rtol=1e-15)
    numeric = oracles.central_difference(lambda x: float(np.sum(C * oracles.inverted_dropout(x, keep, 0.25))), A)
    np.testing.assert_allclose(numeric, C * keep / 0.75, rtol=CENTRAL_DIFFERENCE_AGREEMENT, atol=1e-9)


@pytest.mark.parametrize("axis", [0, 1])
def test_standardise_is_scipy_zscore_without_eps(axis: int) -> None:
    X = np.random.default_rng(RNG_SEED).normal(size=(4, 6)) * 3.0 + 1.0
    np.testing.assert_allclose(oracles.standardise(X, axis, 0.0), stats.zscore(X, axis=axis), rtol=1e-12)


def test_norm_layers_standardise_rows_or_columns_then_scale_and_shift() -> None:
    rng = np.random.default_rng(RNG_SEED)
    X, gamma, beta = rng.normal(size=(3, 5)), rng.normal(size=(3, 1)), rng.normal(size=(3, 1))
    eps = 1e-5
    np.testing.assert_allclose(oracles.batch_norm(X, gamma, beta, eps), gamma * stats.zscore(X, axis=1)
                               * np.sqrt(X.var(axis=1, keepdims=True) / (X.var(axis=1, keepdims=True) + eps)) + beta,
                               rtol=1e-12)
    np.testing.assert_allclose(oracles.layer_norm(X, gamma, beta, eps), gamma * stats.zscore(X, axis=0)
                               * np.sqrt(X.var(axis=0, keepdims=True) / (X.var(axis=0, keepdims=True) + eps)) + beta,
                               rtol=1e-12)
    mean, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
    np.testing.assert_allclose(oracles.batch_norm_inference(X, gamma, beta, mean, var, eps),
                               oracles.batch_norm(X, gamma, beta, eps), rtol=1e-12)  # the batch's own statistics


# ---- every gradient requirement names its oracle (the rule of spec/requirements.py's docstring) ----------

GRADIENT_PARTS = {"DERIVATIVE", "GRADIENT", "BACKWARD", "JACOBIAN", "GRADCHECK"}
REPRESENTATION_PARTS = {"SHAPE", "SHAPES", "DTYPE", "PURE", "STABLE"}
CHAPTERS_WITH_THEIR_OWN_ORACLE = {"torch", "worked examples", "optimizers"}
CONSISTENT = "-CONSISTENT"


def is_gradient_requirement(req: Requirement) -> bool:
    parts = set(req.id.split("-"))
    return bool(parts & GRADIENT_PARTS) and not parts & REPRESENTATION_PARTS \
        and req.chapter not in CHAPTERS_WITH_THEIR_OWN_ORACLE


def oracle_problem(req: Requirement, ids: set[str]) -> str | None:
    """Why ``req`` breaks the rule, or None."""
    if req.id.endswith(CONSISTENT):
        main = req.id.removesuffix(CONSISTENT)
        if "your own" not in req.statement:
            return f"{req.id}: a self-consistency requirement must say it compares with 'your own' function"
        return None if main in ids else f"{req.id}: no requirement {main} compares the same gradient with an oracle"
    return None if "(oracle: " in req.statement else f"{req.id}: the statement names no '(oracle: ...)'"


@pytest.fixture(scope="module")
def requirements() -> list[Requirement]:
    return collect()


def test_every_gradient_requirement_names_its_independent_oracle(requirements: list[Requirement]) -> None:
    ids = {req.id for req in requirements}
    problems = [problem for req in requirements if is_gradient_requirement(req)
                and (problem := oracle_problem(req, ids)) is not None]
    assert not problems, "\n".join(problems)


def test_the_gradient_rule_sees_every_kind_of_gradient_requirement(requirements: list[Requirement]) -> None:
    gradient = {req.id for req in requirements if is_gradient_requirement(req)}
    assert {"ACT-SIGMOID-DERIVATIVE", "ACT-SOFTMAX-JACOBIAN", "LOSS-BCE-GRADIENT", "LAY-LINEAR-BACKWARD-DW",
            "NET-BACKWARD-GRADCHECK", "REG-L1-GRADIENT", "REG-DROPOUT-BACKWARD", "NORM-BN-BACKWARD",
            "ACT-TANH-DERIVATIVE-CONSISTENT"} <= gradient
    assert not {"LOSS-GRADIENT-SHAPE-DTYPE", "LAY-LINEAR-BACKWARD-SHAPES", "TORCH-NETWORK-BACKWARD"} & gradient


def test_the_gradient_rule_rejects_a_requirement_without_an_oracle() -> None:
    ids = {"REG-L1-GRADIENT", "REG-L1-GRADIENT-CONSISTENT", "ACT-X-DERIVATIVE-CONSISTENT"}
    own_only = Requirement("REG-L1-GRADIENT", "l1_gradient is the central difference of l1_penalty", "s")
    assert oracle_problem(own_only, ids) is not None
    assert oracle_problem(Requirement("REG-L1-GRADIENT", "dW = lambd sign(W) (oracle: the formula)", "s"), ids) is None
    orphan = Requirement("ACT-X-DERIVATIVE-CONSISTENT", "x_derivative equals differences of your own x", "s")
    assert oracle_problem(orphan, ids) is not None
    twin = Requirement("REG-L1-GRADIENT-CONSISTENT", "equals differences of your own l1_penalty", "s")
    assert oracle_problem(twin, ids) is None
