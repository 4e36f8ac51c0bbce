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
import pytest

from spec import descent
from spec.assertions import assert_close, check
from spec.impl import Batch
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
    """perceptron_predict on each row of the truth table (one batch of calls)."""
    calls: Batch = [((w, b, X_GATES[:, j]), {}) for j in range(X_GATES.shape[1])]
    return np.array([int(label) for label in impl.batch("perceptron_predict", calls)])


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
    ((parameters, _),) = descent.runs(impl, [(parameters, [(X, Y, steps)])], 0.5,
                                      (hidden, "sigmoid", "binary_cross_entropy"), record_costs=False)
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


# ---- claims of the documents (issue 16) -------------------------------------------------------------------------
# Each protocol below draws its data and parameters with the spec's own generator, so a correct implementation
# computes the same numbers up to rounding: the thresholds were checked on seeds 0-19 and hold there with the
# margin stated; the requirements run CLAIM_SEEDS. Where a claim holds only under a condition, the requirement
# asserts the condition too (docs/claims.md records the verdicts).

SOURCE_VANISHING = ("003_d92bbac1e53fa49d.txt §1.11 (vanishing gradients with deep sigmoid/tanh stacks); "
                    "001_f077b5e28fc6b833.txt 'Did You Know?' (The Vanishing Gradient Problem)")
SOURCE_DYING = "001_f077b5e28fc6b833.txt, Common Mistakes (Dying ReLUs: a large negative bias)"
SOURCE_L1 = "003_d92bbac1e53fa49d.txt, §1.8 Regularization (L1 'drives weights exactly to zero')"
SOURCE_RAVINE = "003_d92bbac1e53fa49d.txt, §1.6 Optimizers (momentum damps oscillation); 004 'Momentum'"
SOURCE_MINIBATCH = "004_2272858fb68a8059.txt, 'Mini-Batch SGD: Why Batches?' (an unbiased estimate of the gradient)"
SOURCE_UAT = "001_f077b5e28fc6b833.txt 'Did You Know?' (Universal Approximation Theorem); 003 §1.2"
SOURCE_TANH = "001_f077b5e28fc6b833.txt, Activation functions (tanh: zero-centred, trains faster than sigmoid)"
SOURCE_SOFTMAX_BCE = "001_f077b5e28fc6b833.txt, Common Mistakes (Using Softmax with BCE Loss: 'the math breaks down')"
CLAIM_SEEDS = range(3)


def _spec_parameters(dims: list[int], std: Any, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """{"W1", "b1", ...}: W{l} ~ N(0, std(n_in, n_out)^2), b{l} = 0, drawn by the spec (not by the implementation)."""
    parameters = {}
    for layer in range(1, len(dims)):
        n_in, n_out = dims[layer - 1], dims[layer]
        parameters[f"W{layer}"] = rng.normal(0.0, std(n_in, n_out), size=(n_out, n_in))
        parameters[f"b{layer}"] = np.zeros((n_out, 1))
    return parameters


def _xavier(n_in: int, n_out: int) -> float:
    return float(np.sqrt(2.0 / (n_in + n_out)))  # 003 §1.7 Xavier/Glorot


def _he(n_in: int, n_out: int) -> float:
    return float(np.sqrt(2.0 / n_in))  # 003 §1.7 He


# Vanishing gradients: a stack of VANISH_DEPTH hidden layers of width VANISH_WIDTH, sigmoid output and BCE. The
# measure is ||db_1|| / ||db_DEPTH||: db_l is the batch mean of dZ_l, so the ratio is how much the error signal
# shrinks from the last hidden layer back to the first. Seeds 0-19: sigmoid with Xavier at most 4.6e-6 (each
# layer multiplies by at most sigma' = 1/4: 0.25^9 = 3.8e-6); tanh with Xavier 0.075 to 1.6; ReLU with He 0.22 to
# 1.4. So the sigmoid stack vanishes a factor 22 below VANISHED, and the other two stay a factor 7 inside
# PRESERVED: the claim holds for sigmoid, and for tanh only when its weights are small (with Xavier it does not).
VANISH_DEPTH, VANISH_WIDTH, VANISH_SAMPLES = 10, 32, 64
VANISHED = 1e-4
PRESERVED = (1e-2, 1e2)


def _signal_ratio(impl: Any, hidden: str, std: Any, seed: int) -> float:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((VANISH_WIDTH, VANISH_SAMPLES))
    Y = (rng.random((1, VANISH_SAMPLES)) < 0.5).astype(float)
    parameters = _spec_parameters([VANISH_WIDTH] * (VANISH_DEPTH + 1) + [1], std, rng)
    AL, caches = impl.forward(X, parameters, hidden, "sigmoid")
    grads = impl.backward(AL, Y, caches, hidden, "sigmoid", "binary_cross_entropy")
    first, last = (float(np.linalg.norm(np.asarray(grads[f"db{layer}"], dtype=np.float64)))
                   for layer in (1, VANISH_DEPTH))
    return first / last


@requirement(
    "EXP-VANISHING-GRADIENTS",
    f"through {VANISH_DEPTH} hidden layers of width {VANISH_WIDTH}, the error signal ||db1|| / ||db{VANISH_DEPTH}|| "
    f"vanishes below {VANISHED:g} with sigmoid (Xavier), but stays within {list(PRESERVED)} with ReLU (He) and with "
    "tanh (Xavier): tanh vanishes only with small weights",
    SOURCE_VANISHING,
)
def test_exp_vanishing_gradients(impl: Any) -> None:
    for seed in CLAIM_SEEDS:
        ratio = _signal_ratio(impl, "sigmoid", _xavier, seed)
        check(ratio < VANISHED,
              f"a {VANISH_DEPTH}-layer sigmoid stack (Xavier weights drawn by the spec, seed {seed}): backward gives "
              f"||db1|| / ||db{VANISH_DEPTH}|| = {ratio:.3g}, expected below {VANISHED:g}: each sigmoid layer "
              "multiplies the error by sigma'(z) <= 1/4. Hint: does backward multiply by the hidden activation's "
              "derivative at every layer?")
        for hidden, std in (("relu", _he), ("tanh", _xavier)):
            ratio = _signal_ratio(impl, hidden, std, seed)
            check(PRESERVED[0] <= ratio <= PRESERVED[1],
                  f"a {VANISH_DEPTH}-layer {hidden} stack ({std.__name__.strip('_')} weights, seed {seed}): "
                  f"||db1|| / ||db{VANISH_DEPTH}|| = {ratio:.3g}, expected within {list(PRESERVED)} (the signal "
                  "neither vanishes nor explodes with this initialisation)")


# Dying ReLU: with a bias of DEAD_BIAS every pre-activation of the hidden layer is negative for the spec's data
# (W1 x is at most 4.2 for these inputs and He weights), so every hidden unit outputs 0, its gradient is exactly
# 0, and a gradient step leaves the layer unchanged. Leaky ReLU, the documents' fix, keeps a gradient.
DEAD_BIAS = -20.0
DEAD_DIMS = [4, 8, 1]


@requirement(
    "EXP-DYING-RELU",
    f"a ReLU layer whose bias is {DEAD_BIAS:g} outputs 0 for every sample, gets exactly zero dW1 and db1, and a "
    "gradient step leaves it unchanged; with leaky ReLU the same layer still gets a gradient",
    SOURCE_DYING,
)
def test_exp_dying_relu(impl: Any) -> None:
    rng = np.random.default_rng(7)
    X = rng.standard_normal((DEAD_DIMS[0], 32))
    Y = (rng.random((1, 32)) < 0.5).astype(float)
    parameters = _spec_parameters(DEAD_DIMS, _he, rng)
    parameters["b1"] = np.full((DEAD_DIMS[1], 1), DEAD_BIAS)
    check(bool(np.max(parameters["W1"] @ X) + DEAD_BIAS < 0), "the protocol's hidden pre-activations must be < 0")
    inputs = {"X": X, "parameters": parameters, "hidden_activation": "relu"}
    AL, caches = impl.forward(X, parameters, "relu", "sigmoid")
    grads = impl.backward(AL, Y, caches, "relu", "sigmoid", "binary_cross_entropy")
    for name in ("dW1", "db1"):
        assert_close(np.asarray(grads[name], dtype=np.float64), np.zeros_like(parameters[name[1:]]), fn="backward",
                     inputs=inputs, what=f"{name} of a dead ReLU layer (every Z1 < 0, so relu'(Z1) = 0)",
                     rtol=0.0, atol=0.0)
    stepped = impl.update_parameters(parameters, grads, 1.0)
    assert_close(np.asarray(stepped["W1"], dtype=np.float64), parameters["W1"], fn="update_parameters",
                 inputs=inputs, what="W1 after a step: a dead layer does not learn", rtol=0.0, atol=0.0)
    AL, caches = impl.forward(X, parameters, "leaky_relu", "sigmoid")
    leaky = impl.backward(AL, Y, caches, "leaky_relu", "sigmoid", "binary_cross_entropy")
    check(float(np.max(np.abs(np.asarray(leaky["dW1"], dtype=np.float64)))) > 0,
          "with hidden_activation='leaky_relu' the same layer must still get a nonzero dW1 (slope 0.01 below 0)")


# L1 by subgradient descent on a noisy linear regression with L1_RELEVANT of L1_FEATURES true weights. The
# subgradient lambd * sign(w) never lands on 0: irrelevant weights chatter around 0 with steps of L1_LR * lambd,
# so they end within L1_CHATTER * L1_LR * L1_LAMBDA of 0 but (seeds 0-19: 0 of 300) never EXACTLY 0; exact zeros
# need a proximal (soft-threshold) step, which the oracle below takes. The largest |w| over irrelevant weights,
# seeds 0-19, was 1.32 * L1_LR * L1_LAMBDA.
L1_FEATURES, L1_RELEVANT, L1_SAMPLES = 20, 5, 200
L1_LR, L1_LAMBDA, L1_STEPS = 0.05, 0.1, 2000
L1_CHATTER = 2.0


def _l1_problem(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((L1_FEATURES, L1_SAMPLES))
    w_true = np.zeros((1, L1_FEATURES))
    w_true[0, :L1_RELEVANT] = rng.choice([-2.0, 2.0], L1_RELEVANT) * rng.uniform(0.5, 1.0, L1_RELEVANT)
    return X, w_true @ X + 0.1 * rng.standard_normal((1, L1_SAMPLES))


def _l1_descent(impl: Any, problems: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """Subgradient descent on mean squared error / 2 + lambd ||w||_1, the penalty's gradient from l1_gradient, on
    each (X, y) of ``problems``; at each step l1_gradient is called for all of them in one batch (it keeps nothing
    between calls that the contract would let it: only forward and backward share a state, the caches)."""
    ws = [np.zeros((1, L1_FEATURES)) for _ in problems]
    for _ in range(L1_STEPS):
        penalties = impl.batch("l1_gradient", [(({"W1": w, "b1": np.zeros((1, 1))}, L1_LAMBDA), {}) for w in ws])
        ws = [w - L1_LR * ((w @ X - y) @ X.T / L1_SAMPLES + np.asarray(penalty["dW1"], dtype=np.float64))
              for w, (X, y), penalty in zip(ws, problems, penalties, strict=True)]
    return ws


@requirement(
    "EXP-L1-SUBGRADIENT-CHATTERS",
    f"L1 by subgradient descent ({L1_STEPS} steps, lr {L1_LR}, lambd {L1_LAMBDA}) keeps every irrelevant weight "
    f"within {L1_CHATTER:g} lr * lambd of 0, chattering around it: it does not drive them exactly to zero",
    SOURCE_L1,
)
def test_exp_l1_subgradient_chatters(impl: Any) -> None:
    for seed, w in zip(CLAIM_SEEDS, _l1_descent(impl, [_l1_problem(seed) for seed in CLAIM_SEEDS]), strict=True):
        irrelevant = np.abs(w[0, L1_RELEVANT:])
        bound = L1_CHATTER * L1_LR * L1_LAMBDA
        check(bool(np.all(irrelevant <= bound)),
              f"seed {seed}: after subgradient descent with l1_gradient(lambd={L1_LAMBDA}) the irrelevant weights "
              f"are {irrelevant.round(4).tolist()}; each step moves them by lr * lambd = {L1_LR * L1_LAMBDA:g} "
              f"towards 0, so they must end within {bound:g}. Hint: l1_gradient is lambd * sign(W)")


@pytest.mark.not_graded
@requirement(
    "EXP-L1-PROXIMAL-ZEROES",
    "the same problem solved with a proximal (soft-threshold) step sets every irrelevant weight exactly to 0: "
    "exact sparsity comes from the proximal step, not from the L1 subgradient (oracle only, not graded)",
    SOURCE_L1,
)
def test_exp_l1_proximal_zeroes() -> None:
    for seed in CLAIM_SEEDS:
        X, y = _l1_problem(seed)
        w = np.zeros((1, L1_FEATURES))
        for _ in range(L1_STEPS):
            w = w - L1_LR * (w @ X - y) @ X.T / L1_SAMPLES
            w = np.sign(w) * np.maximum(np.abs(w) - L1_LR * L1_LAMBDA, 0.0)
        check(bool(np.all(w[0, L1_RELEVANT:] == 0.0)) and bool(np.all(w[0, :L1_RELEVANT] != 0.0)),
              f"seed {seed}: proximal gradient descent gave {w.round(4).tolist()}")


# Momentum in a ravine: L = (RAVINE_STEEP x^2 + y^2) / 2 from (1, 1). Plain gradient descent at RAVINE_LR (just
# below its stability limit 2 / RAVINE_STEEP) flips the sign of x at every step; the contract's momentum
# (v = beta v + (1 - beta) g, beta 0.9) averages the alternating gradients away: 99 flips against 14 in 100
# steps, a path in x 3.2 times shorter, and a final loss of 0.0075 against 0.0108 (y converges faster too).
# Below lr 1 / RAVINE_STEEP plain GD does not oscillate at all and momentum overshoots instead (lr 0.01: 0 flips
# against 10): the claim holds only where GD zig-zags.
RAVINE_STEEP, RAVINE_LR, RAVINE_STEPS, RAVINE_BETA = 100.0, 0.019, 100, 0.9
RAVINE_DAMPING = 4  # momentum must flip sign at most a quarter as often as plain GD


def _ravine_path(impl: Any, momentum: bool) -> tuple[np.ndarray, float]:
    """x after each step, and the final loss, with the implementation's update_parameters or sgd_momentum_update."""
    parameters: dict[str, np.ndarray] = {"W1": np.array([[1.0, 1.0]]), "b1": np.zeros((1, 1))}
    state: Any = None
    path = []
    for _ in range(RAVINE_STEPS):
        W = np.asarray(parameters["W1"], dtype=np.float64)
        grads = {"dW1": W * np.array([[RAVINE_STEEP, 1.0]]), "db1": np.zeros((1, 1))}
        if momentum:
            parameters, state = impl.sgd_momentum_update(parameters, grads, state, RAVINE_LR, RAVINE_BETA)
        else:
            parameters = impl.update_parameters(parameters, grads, RAVINE_LR)
        path.append(float(np.asarray(parameters["W1"])[0, 0]))
    x, y = np.asarray(parameters["W1"], dtype=np.float64)[0]
    return np.array(path), float((RAVINE_STEEP * x**2 + y**2) / 2)


@requirement(
    "EXP-MOMENTUM-DAMPS-RAVINE",
    f"on (100 x^2 + y^2) / 2 at lr {RAVINE_LR}, where plain gradient descent zig-zags (x flips sign every step), "
    f"momentum (beta {RAVINE_BETA}) flips x at most a quarter as often and ends at a lower loss",
    SOURCE_RAVINE,
)
def test_exp_momentum_damps_ravine(impl: Any) -> None:
    (plain, plain_loss), (heavy, heavy_loss) = _ravine_path(impl, momentum=False), _ravine_path(impl, momentum=True)
    flips = [int(np.sum(np.sign(path[1:]) != np.sign(path[:-1]))) for path in (plain, heavy)]
    check(flips[0] == RAVINE_STEPS - 1,
          f"plain update_parameters at lr {RAVINE_LR} flipped x {flips[0]} times in {RAVINE_STEPS} steps; "
          f"x_t+1 = (1 - {RAVINE_LR} * {RAVINE_STEEP:g}) x_t flips at every step")
    check(flips[1] * RAVINE_DAMPING <= flips[0],
          f"sgd_momentum_update (beta {RAVINE_BETA}, lr {RAVINE_LR}) flipped x {flips[1]} times against plain "
          f"gradient descent's {flips[0]}; averaging the alternating gradients must damp the zig-zag. Hint: "
          "v = beta v + (1 - beta) g, then theta -= lr v")
    check(heavy_loss < plain_loss,
          f"after {RAVINE_STEPS} steps the loss is {heavy_loss:.4g} with momentum and {plain_loss:.4g} without")


# Unbiased mini-batch gradient: for a mean cost, the mini-batch gradients averaged over the batches of a partition
# into equal sizes equal the full-batch gradient, so a batch drawn uniformly from such a partition is an unbiased
# estimate of it. An exact identity: only rounding separates the two.
MINIBATCH_SAMPLES, MINIBATCH_SIZE = 64, 8
MINIBATCH_RTOL = 1e-10


@requirement(
    "EXP-MINIBATCH-UNBIASED",
    f"the gradients of the {MINIBATCH_SAMPLES // MINIBATCH_SIZE} mini-batches of {MINIBATCH_SIZE} of a shuffled "
    f"batch of {MINIBATCH_SAMPLES}, averaged, equal the full-batch gradient (E[g_B] = grad L)",
    SOURCE_MINIBATCH,
)
def test_exp_minibatch_unbiased(impl: Any) -> None:
    rng = np.random.default_rng(13)
    X = rng.standard_normal((3, MINIBATCH_SAMPLES))
    Y = (rng.random((1, MINIBATCH_SAMPLES)) < 0.5).astype(float)
    parameters = _spec_parameters([3, 5, 1], _xavier, rng)
    AL, caches = impl.forward(X, parameters, "tanh", "sigmoid")
    full = impl.backward(AL, Y, caches, "tanh", "sigmoid", "binary_cross_entropy")
    batches = np.split(rng.permutation(MINIBATCH_SAMPLES), MINIBATCH_SAMPLES // MINIBATCH_SIZE)
    averaged = {"d" + key: np.zeros_like(value) for key, value in parameters.items()}  # other keys are not read
    for rows in batches:
        AL, caches = impl.forward(X[:, rows], parameters, "tanh", "sigmoid")
        grads = impl.backward(AL, Y[:, rows], caches, "tanh", "sigmoid", "binary_cross_entropy")
        for name in averaged:
            averaged[name] += np.asarray(grads[name], dtype=np.float64) / len(batches)
    for name, value in averaged.items():
        assert_close(value, np.asarray(full[name], dtype=np.float64), fn="backward",
                     inputs={"X": X, "parameters": parameters, "batches": f"{len(batches)} of {MINIBATCH_SIZE}"},
                     what=f"{name} averaged over the mini-batches, against the full batch's", rtol=MINIBATCH_RTOL,
                     atol=MINIBATCH_RTOL * float(np.max(np.abs(value))))


# Universal approximation, a fact about mathematics (oracle only): sin on [-pi, pi] by one hidden layer of tanh
# units with random weights and the output layer fitted by least squares. Largest error on 2001 points, seeds
# 0-19: width 4: 1.07, 16: 0.0148, 64: 2.9e-9. UAT_BOUNDS leave a factor of at least 3.
UAT_WIDTHS = (4, 16, 64)
UAT_BOUNDS = (2.0, 0.05, 1e-8)
UAT_POINTS = 2001


def _uat_error(width: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    x = np.linspace(-np.pi, np.pi, UAT_POINTS)
    w, centre = rng.normal(0.0, 2.0, width), rng.uniform(-np.pi, np.pi, width)
    hidden = np.column_stack([np.tanh(np.outer(x, w) - w * centre), np.ones_like(x)])
    output, *_ = np.linalg.lstsq(hidden, np.sin(x), rcond=None)
    return float(np.max(np.abs(hidden @ output - np.sin(x))))


@pytest.mark.not_graded
@requirement(
    "EXP-UNIVERSAL-APPROXIMATION",
    f"one hidden layer of tanh units approximates sin on [-pi, pi] with a largest error that shrinks with the "
    f"width: below {UAT_BOUNDS} for widths {UAT_WIDTHS} (oracle only, not graded)",
    SOURCE_UAT,
)
def test_exp_universal_approximation() -> None:
    for seed in CLAIM_SEEDS:
        errors = [_uat_error(width, seed) for width in UAT_WIDTHS]
        check(all(error < bound for error, bound in zip(errors, UAT_BOUNDS, strict=True))
              and errors == sorted(errors, reverse=True),
              f"seed {seed}: largest errors {errors} for widths {UAT_WIDTHS}, expected below {UAT_BOUNDS}")


# tanh against sigmoid on centred data: the same 2-16-1 network (Xavier weights drawn by the spec, sigmoid output,
# cross-entropy) trained by full-batch gradient descent on a centred two-class problem (inside/outside a circle).
# After TANH_STEPS steps the tanh network's cost is 0.20 to 0.31 times the sigmoid network's (seeds 0-19), so
# TANH_RATIO leaves a factor of 2.
TANH_STEPS, TANH_LR, TANH_SAMPLES = 300, 0.5, 200
TANH_RATIO = 0.6


def _final_cost(impl: Any, hidden: str, seed: int) -> float:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, TANH_SAMPLES))
    Y = (np.sum(X**2, axis=0, keepdims=True) < 1.4).astype(float)
    start = _spec_parameters([2, 16, 1], _xavier, rng)
    ((parameters, _),) = descent.runs(impl, [(start, [(X, Y, TANH_STEPS)])], TANH_LR,
                                      (hidden, "sigmoid", "binary_cross_entropy"), record_costs=False)
    AL, _ = impl.forward(X, parameters, hidden, "sigmoid")
    return float(impl.compute_cost(AL, Y, "binary_cross_entropy"))


@requirement(
    "EXP-TANH-FASTER-THAN-SIGMOID",
    f"on centred data the same 2-16-1 network trained {TANH_STEPS} steps reaches a cost with tanh hidden units "
    f"below {TANH_RATIO} times its cost with sigmoid hidden units",
    SOURCE_TANH,
)
def test_exp_tanh_faster_than_sigmoid(impl: Any) -> None:
    for seed in CLAIM_SEEDS:
        tanh, sigmoid = _final_cost(impl, "tanh", seed), _final_cost(impl, "sigmoid", seed)
        check(tanh < TANH_RATIO * sigmoid,
              f"seed {seed}: after {TANH_STEPS} full-batch steps (lr {TANH_LR}) the cost is {tanh:.4g} with tanh "
              f"and {sigmoid:.4g} with sigmoid hidden units; tanh's zero-centred outputs and steeper slope "
              f"(tanh'(0) = 1 against sigma'(0) = 1/4) must train faster: expected a ratio below {TANH_RATIO}")


# Softmax with BCE on a binary classifier's single output unit: softmax over one unit is e^z / e^z = 1 whatever z,
# so the network predicts 1 for every sample and every gradient is exactly 0: it cannot learn.
@requirement(
    "EXP-SOFTMAX-BCE-BREAKS",
    "a binary classifier (one output unit) with a softmax output outputs exactly 1 for every sample, and with BCE "
    "every gradient backward returns is 0: nothing learns",
    SOURCE_SOFTMAX_BCE,
)
def test_exp_softmax_bce_breaks(impl: Any) -> None:
    rng = np.random.default_rng(17)
    X = rng.standard_normal((3, 10))
    Y = (rng.random((1, 10)) < 0.5).astype(float)
    parameters = _spec_parameters([3, 4, 1], _xavier, rng)
    inputs = {"X": X, "parameters": parameters, "output_activation": "softmax", "loss": "binary_cross_entropy"}
    AL, caches = impl.forward(X, parameters, "tanh", "softmax")
    assert_close(np.asarray(AL, dtype=np.float64), np.ones((1, 10)), fn="forward", inputs=inputs,
                 what="the softmax over ONE output unit (e^z / e^z)", rtol=0.0, atol=1e-15)
    grads = impl.backward(AL, Y, caches, "tanh", "softmax", "binary_cross_entropy")
    for name in sorted(grads):
        if name in {f"d{key}" for key in parameters}:
            assert_close(np.asarray(grads[name], dtype=np.float64), np.zeros_like(parameters[name[1:]]),
                         fn="backward", inputs=inputs,
                         what=f"{name}: the softmax of one unit is constant, so its Jacobian is 0", rtol=0.0,
                         atol=1e-15)
