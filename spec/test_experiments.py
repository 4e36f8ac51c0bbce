"""Claims of the documents that are experiments, run in seconds against the implementation under test.

Issue 3 item 4: each must pass for a correct implementation on EVERY seed, so each configuration below is chosen
with a wide margin and its margin is stated where the claim is statistical.

Sources: 000_039af9d5df909942.txt / 001_f077b5e28fc6b833.txt "Exercise 1: Implement a Perceptron" and
"Exercise 2: 2-Layer XOR Network", 001 quiz scenarios 3 (stacked linear layers) and 6 (equal initial weights),
001 "Weight Initialization", 003_d92bbac1e53fa49d.txt §1.4 (1-D gradient descent) and §1.7 (He init).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spec.assertions import assert_close, check
from spec.requirements import requirement

SOURCE_PERCEPTRON = "000_039af9d5df909942.txt / 001_f077b5e28fc6b833.txt, Exercise 1: Implement a Perceptron"
SOURCE_XOR = "000_039af9d5df909942.txt / 001_f077b5e28fc6b833.txt, Exercise 2: 2-Layer XOR Network"
SOURCE_SYMMETRY = "001_f077b5e28fc6b833.txt, quiz scenario 6 (all weights 0.5) and Weight Initialization (zeros)"
SOURCE_GD = "003_d92bbac1e53fa49d.txt, §1.4 Gradient descent, 1D worked example (eta 0.1 converges, 1.1 diverges)"
SOURCE_LINEAR = "001_f077b5e28fc6b833.txt, quiz scenario 3; 003_d92bbac1e53fa49d.txt §1.2 (W2 (W1 x) = (W2 W1) x)"
SOURCE_HE = "003_d92bbac1e53fa49d.txt, §1.7 Weight initialization; 000_039af9d5df909942.txt (BAD: Large random)"

X_GATES = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])  # the four inputs as columns
GATES = {"AND": np.array([0, 0, 0, 1]), "OR": np.array([0, 1, 1, 1]), "XOR": np.array([0, 1, 1, 0])}
PERCEPTRON_EPOCHS = 100  # the contract default; AND and OR converge within 10 epochs from zeros
SEEDS = range(5)  # seeds the seed-dependent experiments are run on (each passes on every seed, see below)


def _perceptron_outputs(impl: Any, w: np.ndarray, b: float) -> np.ndarray:
    return np.array([int(impl.perceptron_predict(w, b, X_GATES[:, j])) for j in range(X_GATES.shape[1])])


def _check_gate_learned(impl: Any, gate: str) -> None:
    for learning_rate in (0.01, 0.1, 1.0):
        w, b = impl.perceptron_train(X_GATES, GATES[gate], learning_rate=learning_rate, epochs=PERCEPTRON_EPOCHS)
        got = _perceptron_outputs(impl, w, b)
        check(np.array_equal(got, GATES[gate]),
              f"perceptron_train on the {gate} truth table (X columns {X_GATES.T.tolist()}, y {GATES[gate].tolist()},"
              f" learning_rate {learning_rate}, {PERCEPTRON_EPOCHS} epochs) returned w = {np.asarray(w).tolist()}, "
              f"b = {b}, which predicts {got.tolist()}; {gate} is linearly separable, so the perceptron rule "
              "converges to a separating line (perceptron convergence theorem)")


@requirement("EXP-PERCEPTRON-AND", "the perceptron learns AND: after training it predicts all four rows",
             SOURCE_PERCEPTRON)
def test_exp_perceptron_and(impl: Any) -> None:
    _check_gate_learned(impl, "AND")


@requirement("EXP-PERCEPTRON-OR", "the perceptron learns OR: after training it predicts all four rows",
             SOURCE_PERCEPTRON)
def test_exp_perceptron_or(impl: Any) -> None:
    _check_gate_learned(impl, "OR")


@requirement(
    "EXP-PERCEPTRON-XOR",
    "the perceptron cannot separate XOR: after any number of epochs (1-20) at least one row is predicted wrong",
    SOURCE_PERCEPTRON + " (Show it fails on XOR); 001, The Tumultuous History (Minsky and Papert)",
)
def test_exp_perceptron_xor(impl: Any) -> None:
    for epochs in range(1, 21):
        w, b = impl.perceptron_train(X_GATES, GATES["XOR"], learning_rate=0.1, epochs=epochs)
        got = _perceptron_outputs(impl, w, b)
        check(not np.array_equal(got, GATES["XOR"]),
              f"perceptron_train on XOR for {epochs} epochs returned w = {np.asarray(w).tolist()}, b = {b}, whose "
              f"predictions {got.tolist()} are all right: no line separates XOR, so perceptron_predict cannot be "
              "the rule w.x + b > 0")


# The XOR network. 003's recipe (2-2-1 sigmoid, MSE, eta 0.5, 10,000 epochs) gets stuck on about 4 seeds in 20.
# This configuration has 8 tanh hidden units (XOR needs 2, so many redundant ways out of any one bad start;
# tanh is zero-centred and has no dead region), a sigmoid output with cross-entropy (the output gradient is
# AL - Y, which never vanishes on a wrong answer), full-batch steps (no shuffle luck) and a learning rate of 1.
# Swept over seeds 0-999 with the reference (Gaussian He draws) and 0-399 with a uniform-He variant of it: every
# seed learns XOR, worst max |AL - Y| = 0.0081 and 0.0092 after 500 epochs (the 2-8-1 config at lr 0.5 and
# 1000 epochs, and 2-16-1 at lr 1, were also 0 failures in 100 and 1000 seeds; 2-8-1 leaky ReLU failed 2 in 100).
XOR_DIMS = [2, 8, 1]
XOR_SETTINGS = {"learning_rate": 1.0, "epochs": 500, "batch_size": None, "hidden_activation": "tanh",
                "output_activation": "sigmoid", "loss": "binary_cross_entropy"}
XOR_MAX_ERROR = 0.25  # every output within 0.25 of its target: learned with margin, not a lucky threshold


@requirement(
    "EXP-XOR-NETWORK",
    "a 2-layer network (2-8-1, tanh, sigmoid + cross-entropy, lr 1, 500 full-batch epochs) learns XOR on every "
    "seed: every output within 0.25 of its target",
    SOURCE_XOR,
)
def test_exp_xor_network(impl: Any) -> None:
    Y = GATES["XOR"].reshape(1, 4).astype(float)
    for seed in SEEDS:
        parameters, costs = impl.train(X_GATES, Y, XOR_DIMS, seed=seed, **XOR_SETTINGS)
        AL, _ = impl.forward(X_GATES, parameters, "tanh", "sigmoid")
        AL = np.asarray(AL, dtype=np.float64)
        check(bool(np.max(np.abs(AL - Y)) < XOR_MAX_ERROR),
              f"train(X = XOR inputs, Y = {Y.tolist()}, layer_dims {XOR_DIMS}, seed {seed}, {XOR_SETTINGS}) "
              f"ends with outputs {AL.round(4).tolist()} (costs {costs[0]:.4g} -> {costs[-1]:.4g}); a correct "
              f"implementation gets every output within {XOR_MAX_ERROR} of its target on every seed")


def _descend(impl: Any, X: np.ndarray, Y: np.ndarray, parameters: dict[str, np.ndarray], hidden: str,
             steps: int) -> dict[str, np.ndarray]:
    """Full-batch gradient descent (lr 0.5, sigmoid output, cross-entropy) with the implementation's functions."""
    for _ in range(steps):
        AL, caches = impl.forward(X, parameters, hidden, "sigmoid")
        grads = impl.backward(AL, Y, caches, hidden, "sigmoid", "binary_cross_entropy")
        parameters = impl.update_parameters(parameters, grads, 0.5)
    return parameters


SYMMETRY_DIMS = [2, 4, 3, 1]  # two hidden layers: units must stay identical within each
SYMMETRY_STEPS = 100
SYMMETRY_RTOL = 1e-9  # identical up to rounding (matrix products may round identical rows differently)


def _symmetry_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    return rng.normal(size=(2, 8)), (rng.random((1, 8)) > 0.5).astype(float)


def _check_units_identical(parameters: dict[str, np.ndarray], start: dict[str, np.ndarray], how: str) -> None:
    """Within each hidden layer l: rows of W_l, entries of b_l and columns of W_{l+1} are all equal."""
    L = len(SYMMETRY_DIMS) - 1
    for layer in range(1, L):
        W, b, W_next = (np.asarray(parameters[key], dtype=np.float64)
                        for key in (f"W{layer}", f"b{layer}", f"W{layer + 1}"))
        inputs = {"initial parameters": start, "training": how}
        assert_close(W, np.repeat(W[:1], W.shape[0], axis=0), fn="backward/update_parameters", inputs=inputs,
                     what=f"the rows of W{layer} (one per hidden unit) after training", rtol=SYMMETRY_RTOL,
                     atol=SYMMETRY_RTOL * float(np.max(np.abs(W))))
        assert_close(b, np.repeat(b[:1], b.shape[0], axis=0), fn="backward/update_parameters", inputs=inputs,
                     what=f"the entries of b{layer} after training", rtol=SYMMETRY_RTOL,
                     atol=SYMMETRY_RTOL * float(np.max(np.abs(b))))
        assert_close(W_next, np.repeat(W_next[:, :1], W_next.shape[1], axis=1), fn="backward/update_parameters",
                     inputs=inputs, what=f"the columns of W{layer + 1} after training", rtol=SYMMETRY_RTOL,
                     atol=SYMMETRY_RTOL * float(np.max(np.abs(W_next))))


@requirement(
    "EXP-SYMMETRY-EQUAL-INIT",
    "with every weight initialised to 0.5, the hidden units of each layer stay identical through training, for "
    "every hidden activation",
    SOURCE_SYMMETRY,
)
def test_exp_symmetry_equal_init(impl: Any) -> None:
    X, Y = _symmetry_data()
    start = {}
    for layer in range(1, len(SYMMETRY_DIMS)):
        start[f"W{layer}"] = np.full((SYMMETRY_DIMS[layer], SYMMETRY_DIMS[layer - 1]), 0.5)
        start[f"b{layer}"] = np.zeros((SYMMETRY_DIMS[layer], 1))
    for hidden in ("relu", "leaky_relu", "sigmoid", "tanh", "gelu"):
        trained = _descend(impl, X, Y, start, hidden, SYMMETRY_STEPS)
        check(not np.allclose(np.asarray(trained["W1"]), start["W1"]),
              f"{SYMMETRY_STEPS} steps of gradient descent (hidden {hidden}) left W1 at its initial 0.5: backward "
              "or update_parameters did not move the first layer")
        _check_units_identical(trained, start, f"{SYMMETRY_STEPS} full-batch steps, lr 0.5, hidden {hidden}")


@requirement(
    "EXP-SYMMETRY-ZERO-INIT",
    "with initialize_parameters(..., 'zeros'), the hidden units of each layer stay identical through training "
    "(sigmoid hidden units, which do move)",
    SOURCE_SYMMETRY,
)
def test_exp_symmetry_zero_init(impl: Any) -> None:
    X, Y = _symmetry_data()
    start = impl.initialize_parameters(SYMMETRY_DIMS, "zeros", 0)
    trained = _descend(impl, X, Y, start, "sigmoid", SYMMETRY_STEPS)
    check(bool(np.any(np.asarray(trained["W1"]) != 0)),
          f"{SYMMETRY_STEPS} steps from zero weights with sigmoid hidden units left W1 at 0; sigmoid(0) = 0.5 "
          "feeds the next layer, so its weights (and then W1) must move")
    _check_units_identical(trained, start, f"{SYMMETRY_STEPS} full-batch steps, lr 0.5, hidden sigmoid, zero init")


GD_START = 5.0  # 003 §1.4: theta_0 = 5, L(theta) = theta^2, L'(theta) = 2 theta
GD_STEPS = 100


def _theta_trajectory(impl: Any, eta: float) -> np.ndarray:
    """theta is W1 of a one-unit layer; its b1 (a full parameters dict, as the contract has it) is not in the loss,
    so its gradient is 0."""
    theta = {"W1": np.array([[GD_START]]), "b1": np.zeros((1, 1))}
    trajectory = [GD_START]
    for _ in range(GD_STEPS):
        grads = {"dW1": 2.0 * np.asarray(theta["W1"]), "db1": np.zeros((1, 1))}
        theta = impl.update_parameters(theta, grads, eta)
        trajectory.append(float(np.asarray(theta["W1"]).item()))
    return np.array(trajectory)


@requirement(
    "EXP-GD-CONVERGES",
    "gradient descent on theta^2 from 5 with eta = 0.1 multiplies theta by 0.8 each step and converges to 0",
    SOURCE_GD,
)
def test_exp_gd_converges(impl: Any) -> None:
    trajectory = _theta_trajectory(impl, 0.1)
    inputs = {"parameters": {"W1": [[GD_START]], "b1": [[0.0]]}, "grads": "2 theta, 0", "learning_rate": 0.1}
    assert_close(trajectory[1:] / trajectory[:-1], np.full(GD_STEPS, 0.8), fn="update_parameters", inputs=inputs,
                 what="theta_{t+1} / theta_t", rtol=1e-12)
    check(abs(trajectory[-1]) < 1e-8, f"after {GD_STEPS} steps theta is {trajectory[-1]:.3g}, not near 0")


@requirement(
    "EXP-GD-DIVERGES",
    "gradient descent on theta^2 from 5 with eta = 1.1 multiplies theta by -1.2 each step and diverges",
    SOURCE_GD,
)
def test_exp_gd_diverges(impl: Any) -> None:
    trajectory = _theta_trajectory(impl, 1.1)
    inputs = {"parameters": {"W1": [[GD_START]], "b1": [[0.0]]}, "grads": "2 theta, 0", "learning_rate": 1.1}
    assert_close(trajectory[1:] / trajectory[:-1], np.full(GD_STEPS, -1.2), fn="update_parameters", inputs=inputs,
                 what="theta_{t+1} / theta_t", rtol=1e-12)
    check(abs(trajectory[-1]) > 1e6 * GD_START, f"after {GD_STEPS} steps |theta| is {abs(trajectory[-1]):.3g}")


# The contract has no linear hidden activation, so the stack is built from linear_forward calls (no activation
# between layers), and its collapse is also fed through forward as ONE layer with output_activation="linear".
LINEAR_DEPTH = 50  # 001 quiz scenario 3: "50 dense hidden layers" without activations
LINEAR_RTOL = 1e-9  # 50 products in a different order: rounding only


@requirement(
    "EXP-LINEAR-STACK-COLLAPSES",
    "50 linear layers without activations (linear_forward chained) equal one layer W = W50...W1, "
    "b = sum of W50...W(l+1) b_l, also through forward with a linear output",
    SOURCE_LINEAR,
)
def test_exp_linear_stack_collapses(impl: Any) -> None:
    rng = np.random.default_rng(5)
    dims = [3, *rng.integers(1, 7, size=LINEAR_DEPTH - 1).tolist(), 2]
    X = rng.normal(size=(dims[0], 6))
    A, W_total, b_total = X, np.eye(dims[0]), np.zeros((dims[0], 1))
    for layer in range(1, LINEAR_DEPTH + 1):
        W = rng.normal(size=(dims[layer], dims[layer - 1])) / np.sqrt(dims[layer - 1])
        b = rng.normal(size=(dims[layer], 1))
        A = np.asarray(impl.linear_forward(A, W, b), dtype=np.float64)
        W_total, b_total = W @ W_total, W @ b_total + b
    scale = float(np.max(np.abs(A)))
    inputs = {"X": X, "layers": f"{LINEAR_DEPTH} layers of widths {dims}"}
    assert_close(A, W_total @ X + b_total, fn="linear_forward", inputs=inputs, what="the output of the stack",
                 rtol=LINEAR_RTOL, atol=LINEAR_RTOL * scale)
    single, _ = impl.forward(X, {"W1": W_total, "b1": b_total}, "relu", "linear")
    assert_close(single, A, fn="forward", inputs={"X": X, "parameters": {"W1": W_total, "b1": b_total},
                 "output_activation": "linear"}, what="the one collapsed layer", rtol=LINEAR_RTOL,
                 atol=LINEAR_RTOL * scale)


# He vs large init through a deep ReLU stack: the mean square of each layer's pre-activations. With He weights it
# is preserved in expectation (003 §1.7: n_in Var(W) / 2 = 1); over DEPTH layers of width WIDTH the log of the
# last-to-first ratio has standard deviation ~0.22 (simulated over 600 seeds, Gaussian and uniform He draws: ratio
# 0.44 to 2.27), so HE_BAND = [1/4, 4] is about 6 standard deviations wide. With 000's "BAD: Large random"
# weights (randn * 100) each layer multiplies it by n_in * 100^2 / 2 = 2.56e6: over 9 layers ~1e57.
WIDTH, DEPTH, SAMPLES = 512, 10, 64
HE_BAND = (0.25, 4.0)
LARGE_SCALE = 100.0  # 000_039af9d5df909942.txt: W = np.random.randn(n_out, n_in) * 100
EXPLODED = 1e30  # far below the ~1e57 growth, far above anything He gives


def _mean_square_growth(impl: Any, X: np.ndarray, parameters: dict[str, np.ndarray]) -> tuple[float, float]:
    """mean(Z_1^2) and mean(Z_DEPTH^2), each Z from forward on the first layers only, with a linear output."""
    squares = []
    for depth in (1, DEPTH):
        head = {f"{kind}{layer}": parameters[f"{kind}{layer}"] for layer in range(1, depth + 1) for kind in "Wb"}
        Z, _ = impl.forward(X, head, "relu", "linear")
        squares.append(float(np.mean(np.asarray(Z, dtype=np.float64) ** 2)))
    return squares[0], squares[1]


@requirement(
    "EXP-HE-KEEPS-VARIANCE",
    "through 10 ReLU layers of width 512, He init keeps the pre-activation mean square within a factor 4 of the "
    "first layer's, while randn * 100 weights blow it up by more than 1e30",
    SOURCE_HE,
)
def test_exp_he_keeps_variance(impl: Any) -> None:
    X = np.random.default_rng(3).normal(size=(WIDTH, SAMPLES))
    seed = 0
    he = impl.initialize_parameters([WIDTH] * (DEPTH + 1), "he", seed)
    first, last = _mean_square_growth(impl, X, he)
    check(HE_BAND[0] <= last / first <= HE_BAND[1],
          f"with initialize_parameters([{WIDTH}] * {DEPTH + 1}, 'he', {seed}) the mean square of the "
          f"pre-activations went {first:.4g} -> {last:.4g} through {DEPTH} ReLU layers: ratio {last / first:.4g}, "
          f"outside {list(HE_BAND)} (He keeps it roughly constant: n_in Var(W) / 2 = 1)")
    large = {key: (np.asarray(value) / np.sqrt(2 / WIDTH) * LARGE_SCALE if key.startswith("W") else value)
             for key, value in he.items()}
    first, last = _mean_square_growth(impl, X, large)
    check(last / first > EXPLODED,
          f"with He weights rescaled to randn * {LARGE_SCALE} the mean square went {first:.3g} -> {last:.3g} "
          f"through {DEPTH} ReLU layers; it must explode (each layer multiplies it by n_in * {LARGE_SCALE}^2 / 2)")
