"""Every numeric worked example of the five course documents, run against the implementation under test.

The examples are data (``fixtures/worked_examples/*.json``, read through ``spec.errata``): one requirement per
example, ID = the example's ID, source = document + section. A runner drives the contract functions the example
exercises and returns one ``Check`` per number the contract can produce; each is compared with the fixture's
value (the TRUE value where the document is wrong) within the fixture's tolerance. Checks are made in the order
of the document's computation, so the first failure is the earliest wrong quantity. Numbers the contract cannot
produce (e^x columns, rounded sums) are verified by tests/test_worked_example_fixtures.py only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from spec import errata as fx
from spec import xor_loop
from spec.assertions import assert_close, assert_equal, assert_shape
from spec.impl import Batch
from spec.requirements import Requirement, requirement_param

Inputs = Mapping[str, Any]
MSE_TO_HALF_SQUARED_ERROR = 2.0  # 003's L = 1/2 (y_hat - y)^2 is half the contract's mse for one output


@dataclass(frozen=True)
class Check:
    """One number (array) the implementation produced, to compare with the fixture's value ``name``.

    ``scale``: the contract's quantity is ``scale`` times the document's (003's 1/2 in the loss). ``shape``: only
    the shape of ``got`` is compared, with the fixture's value read as a shape.
    """

    name: str
    got: Any
    fn: str
    inputs: Inputs = field(default_factory=dict)
    scale: float = 1.0
    shape: bool = False


Runner = Callable[[Any, Inputs], list[Check]]
RUNNERS: dict[str, Runner] = {}


def runner(name: str) -> Callable[[Runner], Runner]:
    """Register a runner under the name the fixtures use."""

    def register(function: Runner) -> Runner:
        RUNNERS[name] = function
        return function

    return register


def _a(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


def _params(inputs: Inputs, layers: int) -> dict[str, np.ndarray]:
    return {f"{kind}{layer}": _a(inputs[f"{kind}{layer}"]) for layer in range(1, layers + 1) for kind in "Wb"}


def _one_layer_logits(probabilities: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(X, parameters) of a one-layer softmax network whose output is ``probabilities`` (K, 1): input 1, W = log p."""
    return np.ones((1, 1)), {"W1": np.log(probabilities), "b1": np.zeros_like(probabilities)}


# --- document 000 / 001 ---------------------------------------------------------------------------------------

@runner("mnist_shapes")
def run_mnist_shapes(impl: Any, example: Inputs) -> list[Check]:
    inputs, names = example["inputs"], set(example["expected"]) | set(example["computed"])
    dims, m = inputs["layer_dims"], inputs["m"]
    params = impl.initialize_parameters(dims, "he", inputs["seed"])
    init_inputs = {"layer_dims": dims, "method": "he", "seed": inputs["seed"]}
    checks = [Check(name, params[name], "initialize_parameters", init_inputs, shape=True)
              for name in sorted(names) if name[0] in "Wb" and name[1:].isdigit()]
    X = np.random.default_rng(inputs["seed"]).random((dims[0], m))
    A = X
    for layer in range(1, len(dims)):
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        Z = impl.linear_forward(A, W, b)
        checks.append(Check(f"Z{layer}", Z, "linear_forward", {"A_prev": A, "W": W, "b": b}, shape=True))
        A = impl.softmax(Z, axis=0) if layer == len(dims) - 1 else impl.relu(Z)
        checks.append(Check(f"A{layer}", A, "softmax" if layer == len(dims) - 1 else "relu", {"z": Z}, shape=True))
    AL, _ = impl.forward(X, params, hidden_activation="relu", output_activation="softmax")
    final = "AL" if "AL" in names else f"A{len(dims) - 1}"
    checks.append(Check(final, AL, "forward", {"X": X, "parameters": params}, shape=True))
    return [check for check in checks if check.name in names]


@runner("quiz_w1_shape")
def run_quiz_w1_shape(impl: Any, example: Inputs) -> list[Check]:
    inputs = example["inputs"]
    dims = [inputs["X_shape"][0], inputs["hidden"]]
    params = impl.initialize_parameters(dims, "he", inputs["seed"])
    init_inputs = {"layer_dims": dims, "method": "he", "seed": inputs["seed"]}
    X = np.random.default_rng(inputs["seed"]).random(tuple(inputs["X_shape"]))
    Z1 = impl.linear_forward(X, params["W1"], params["b1"])
    return [
        Check("W1", params["W1"], "initialize_parameters", init_inputs, shape=True),
        Check("b1", params["b1"], "initialize_parameters", init_inputs, shape=True),
        Check("Z1", Z1, "linear_forward", {"A_prev": X, "W": params["W1"], "b": params["b1"]}, shape=True),
    ]


@runner("autograd_neuron")
def run_autograd_neuron(impl: Any, example: Inputs) -> list[Check]:
    inputs = example["inputs"]
    X, W, b, target = (_a(inputs[key]) for key in ("X", "W", "b", "target"))
    z = impl.linear_forward(X, W, b)
    y = impl.relu(z)
    loss = impl.mse(y, target)
    dy = impl.mse_gradient(y, target)
    relu_prime = impl.relu_derivative(z)
    dz = _a(dy) * _a(relu_prime)
    _, dW, db = impl.linear_backward(dz, X, W)
    return [
        Check("z", z, "linear_forward", {"A_prev": X, "W": W, "b": b}),
        Check("y", y, "relu", {"z": z}),
        Check("loss", loss, "mse", {"AL": y, "Y": target}),
        Check("dL_dy", dy, "mse_gradient", {"AL": y, "Y": target}),
        Check("relu_prime_z", relu_prime, "relu_derivative", {"z": z}),
        Check("dL_dz", dz, "mse_gradient", {"AL": y, "Y": target, "times relu_derivative(z)": relu_prime}),
        Check("dL_dw", dW, "linear_backward", {"dZ": dz, "A_prev": X, "W": W}),
        Check("dL_db", db, "linear_backward", {"dZ": dz, "A_prev": X, "W": W}),
    ]


# --- document 002 ---------------------------------------------------------------------------------------------

@runner("mse_formula")
def run_mse_formula(impl: Any, example: Inputs) -> list[Check]:
    AL, Y = _a(example["inputs"]["y_pred"]), _a(example["inputs"]["y_true"])
    return [
        Check("loss", impl.mse(AL, Y), "mse", {"AL": AL, "Y": Y}),
        Check("gradient", impl.mse_gradient(AL, Y), "mse_gradient", {"AL": AL, "Y": Y}),
    ]


@runner("row_major_backprop")
def run_row_major_backprop(impl: Any, example: Inputs) -> list[Check]:
    inputs = example["inputs"]
    X, Y = _a(inputs["X_rows"]).T, _a(inputs["Y_rows"]).T
    params = {}
    for layer in (1, 2, 3):
        params[f"W{layer}"] = _a(inputs[f"W{layer}_row_major"]).T
        params[f"b{layer}"] = _a(inputs[f"b{layer}_row"]).T
    AL, caches = impl.forward(X, params, hidden_activation="relu", output_activation="linear")
    grads = impl.backward(AL, Y, caches, hidden_activation="relu", output_activation="linear", loss="mse")
    backward_inputs = {"AL": AL, "Y": Y, "loss": "mse", "hidden_activation": "relu", "output_activation": "linear"}
    checks = [Check("A3", AL, "forward", {"X": X, "parameters": params}),
              Check("loss", impl.mse(AL, Y), "mse", {"AL": AL, "Y": Y})]
    checks += [Check(name, grads[name], "backward", backward_inputs)
               for name in ("dW3", "db3", "dW2", "db2", "dW1", "db1")]
    return checks


# --- document 003 ---------------------------------------------------------------------------------------------

@runner("neuron_sigmoid")
def run_neuron_sigmoid(impl: Any, example: Inputs) -> list[Check]:
    X, W, b = (_a(example["inputs"][key]) for key in ("X", "W", "b"))
    z = impl.linear_forward(X, W, b)
    params = {"W1": W, "b1": b}
    AL, _ = impl.forward(X, params, output_activation="sigmoid")
    return [
        Check("z", z, "linear_forward", {"A_prev": X, "W": W, "b": b}),
        Check("a", impl.sigmoid(z), "sigmoid", {"z": z}),
        Check("a", AL, "forward", {"X": X, "parameters": params, "output_activation": "sigmoid"}),
    ]


@runner("gd_1d")
def run_gd_1d(impl: Any, example: Inputs) -> list[Check]:
    """theta as the one weight of a parameter dict; the gradient 2 theta of L = theta^2 is the document's."""
    inputs = example["inputs"]

    def descend(eta: float, steps: int) -> np.ndarray:
        theta = np.array([[inputs["theta0"]]])
        path = []
        for _ in range(steps):
            params = {"W1": theta, "b1": np.zeros((1, 1))}
            grads = {"dW1": 2.0 * theta, "db1": np.zeros((1, 1))}
            theta = _a(impl.update_parameters(params, grads, eta)["W1"])
            path.append(theta)
        return np.concatenate([step.reshape(-1) for step in path])

    call = {"parameters": {"W1": [[inputs["theta0"]]]}, "grads": "{'dW1': 2 theta}"}
    converging = descend(inputs["eta"], inputs["steps"])
    diverging = descend(inputs["eta_divergent"], inputs["steps_divergent"])
    return [
        Check("theta_next", converging, "update_parameters", {**call, "learning_rate": inputs["eta"]}),
        Check("multiplier", converging[0] / inputs["theta0"], "update_parameters",
              {**call, "learning_rate": inputs["eta"]}),
        Check("multiplier_divergent", diverging[0] / inputs["theta0"], "update_parameters",
              {**call, "learning_rate": inputs["eta_divergent"]}),
        Check("theta_divergent", diverging, "update_parameters", {**call, "learning_rate": inputs["eta_divergent"]}),
    ]


@runner("backprop_221_sigmoid_mse")
def run_backprop_221(impl: Any, example: Inputs) -> list[Check]:
    """003's L = 1/2 (y_hat - y)^2 is mse / 2: backward's gradients are compared with twice the document's."""
    inputs = example["inputs"]
    X, Y = _a(inputs["X"]), _a(inputs["Y"])
    params = _params(inputs, 2)
    eta = inputs["learning_rate"]
    k = MSE_TO_HALF_SQUARED_ERROR
    z1 = impl.linear_forward(X, params["W1"], params["b1"])
    a1 = impl.sigmoid(z1)
    z2 = impl.linear_forward(a1, params["W2"], params["b2"])
    AL, caches = impl.forward(X, params, hidden_activation="sigmoid", output_activation="sigmoid")
    grads = impl.backward(AL, Y, caches, hidden_activation="sigmoid", output_activation="sigmoid", loss="mse")
    new = impl.update_parameters(params, grads, eta / k)
    back = {"AL": AL, "Y": Y, "hidden_activation": "sigmoid", "output_activation": "sigmoid", "loss": "mse"}
    update = {"parameters": params, "grads": grads, "learning_rate": eta / k}
    return [
        Check("z1", z1, "linear_forward", {"A_prev": X, "W": params["W1"], "b": params["b1"]}),
        Check("a1", a1, "sigmoid", {"z": z1}),
        Check("one_minus_a1", 1.0 - _a(a1), "sigmoid", {"z": z1}),
        Check("z2", z2, "linear_forward", {"A_prev": a1, "W": params["W2"], "b": params["b2"]}),
        Check("y_hat", AL, "forward", {"X": X, "parameters": params}),
        Check("error", _a(AL) - Y, "forward", {"X": X, "parameters": params}),
        Check("loss", impl.mse(AL, Y), "mse", {"AL": AL, "Y": Y}, scale=k),
        Check("sigma_prime_z2", impl.sigmoid_derivative(z2), "sigmoid_derivative", {"z": z2}),
        Check("delta2", grads["db2"], "backward", back, scale=k),
        Check("db2", grads["db2"], "backward", back, scale=k),
        Check("dW2", grads["dW2"], "backward", back, scale=k),
        Check("sigma_prime_z1", impl.sigmoid_derivative(z1), "sigmoid_derivative", {"z": z1}),
        Check("delta1", grads["db1"], "backward", back, scale=k),
        Check("db1", grads["db1"], "backward", back, scale=k),
        Check("dW1", grads["dW1"], "backward", back, scale=k),
        Check("W2_11_new", _a(new["W2"])[0, 0], "update_parameters", update),
        Check("W2_new", new["W2"], "update_parameters", update),
        Check("b2_new", new["b2"], "update_parameters", update),
        Check("W1_new", new["W1"], "update_parameters", update),
        Check("b1_new", new["b1"], "update_parameters", update),
    ]


@runner("xor_recipe")
def run_xor_recipe(impl: Any, example: Inputs) -> list[Check]:
    """The document's loop through the contract (spec/xor_loop.py: full-batch forward, backward (mse),
    update_parameters), then the final forward pass; every number compared with the fixture's."""
    inputs = example["inputs"]
    X, Y = _a(inputs["X"]), _a(inputs["Y"])
    params = _params(inputs, 2)
    activations = {"hidden_activation": "sigmoid", "output_activation": "sigmoid"}
    AL, params = impl.drive(xor_loop.train, X, Y, params, activations, inputs["learning_rate"], inputs["epochs"])
    final, _ = impl.forward(X, params, **activations)
    training = {"X": X, "Y": Y, "initial parameters": _params(inputs, 2), "learning_rate": inputs["learning_rate"],
                "epochs": inputs["epochs"]}
    return [
        Check("AL", AL, "forward", training),
        Check("AL_last_epoch", AL, "forward", training),
        Check("loss_last_epoch", impl.mse(AL, Y), "mse", {"AL": AL, "Y": Y}),
        Check("AL_after_training", final, "forward", training),
        Check("labels", impl.predict(X, params, **activations), "predict", {"X": X, "parameters": params}),
    ]


# --- document 004 ---------------------------------------------------------------------------------------------

@runner("perceptron_decision")
def run_perceptron_decision(impl: Any, example: Inputs) -> list[Check]:
    inputs = example["inputs"]
    w, x, b = _a(inputs["w"]), _a(inputs["x"]), inputs["b"]
    score = impl.linear_forward(x.reshape(-1, 1), w.reshape(1, -1), np.array([[b]]))
    return [
        Check("score", score, "linear_forward", {"A_prev": x.reshape(-1, 1), "W": w.reshape(1, -1), "b": b}),
        Check("y_hat", impl.perceptron_predict(w, b, x), "perceptron_predict", {"w": w, "b": b, "x": x}),
    ]


@runner("perceptron_learning")
def run_perceptron_learning(impl: Any, example: Inputs) -> list[Check]:
    inputs = example["inputs"]
    w, x, b, y, eta = _a(inputs["w"]), _a(inputs["x"]), inputs["b"], inputs["y"], inputs["learning_rate"]
    error = y - impl.perceptron_predict(w, b, x)
    w_new, b_new = impl.perceptron_update(w, b, x, y, eta)
    update = {"w": w, "b": b, "x": x, "y": y, "learning_rate": eta}
    score = impl.linear_forward(x.reshape(-1, 1), _a(w_new).reshape(1, -1), _a(b_new).reshape(1, 1))
    return [
        Check("error", error, "perceptron_predict", {"w": w, "b": b, "x": x}),
        Check("w_new", w_new, "perceptron_update", update),
        Check("b_new", b_new, "perceptron_update", update),
        Check("recheck_score", score, "linear_forward", {"A_prev": x.reshape(-1, 1), "W": w_new, "b": b_new}),
        Check("recheck_y_hat", impl.perceptron_predict(w_new, b_new, x), "perceptron_predict",
              {"w": w_new, "b": b_new, "x": x}),
    ]


@runner("mlp_forward_relu_softmax")
def run_mlp_forward(impl: Any, example: Inputs) -> list[Check]:
    inputs = example["inputs"]
    X, params = _a(inputs["X"]), _params(inputs, 2)
    z1 = impl.linear_forward(X, params["W1"], params["b1"])
    a1 = impl.relu(z1)
    z2 = impl.linear_forward(a1, params["W2"], params["b2"])
    AL, _ = impl.forward(X, params, hidden_activation="relu", output_activation="softmax")
    network = {"X": X, "parameters": params, "hidden_activation": "relu", "output_activation": "softmax"}
    return [
        Check("z1", z1, "linear_forward", {"A_prev": X, "W": params["W1"], "b": params["b1"]}),
        Check("a1", a1, "relu", {"z": z1}),
        Check("z2", z2, "linear_forward", {"A_prev": a1, "W": params["W2"], "b": params["b2"]}),
        Check("y_hat", impl.softmax(z2, axis=0), "softmax", {"z": z2, "axis": 0}),
        Check("y_hat", AL, "forward", network),
        Check("probability_percent", 100.0 * np.max(_a(AL)), "forward", network),
        Check("predicted_class", impl.predict(X, params, hidden_activation="relu", output_activation="softmax"),
              "predict", network),
    ]


@runner("sigmoid_table")
def run_sigmoid_table(impl: Any, example: Inputs) -> list[Check]:
    x = _a(example["inputs"]["x"])
    sigma = impl.sigmoid(x)
    zero = np.zeros((1, 1))
    return [
        Check("sigma", sigma, "sigmoid", {"z": x}),
        Check("one_minus_sigma", 1.0 - _a(sigma), "sigmoid", {"z": x}),
        Check("sigma_prime", impl.sigmoid_derivative(x), "sigmoid_derivative", {"z": x}),
        Check("max_derivative", _a(impl.sigmoid_derivative(zero)).reshape(()), "sigmoid_derivative", {"z": zero}),
    ]


@runner("softmax_example")
def run_softmax_example(impl: Any, example: Inputs) -> list[Check]:
    z = _a(example["inputs"]["z"])
    probabilities = impl.softmax(z, axis=0)
    return [
        Check("softmax", probabilities, "softmax", {"z": z, "axis": 0}),
        Check("sum_probabilities", np.sum(_a(probabilities)), "softmax", {"z": z, "axis": 0}),
    ]


def _logit_gradient(impl: Any, name: str, probabilities: np.ndarray, Y: np.ndarray, loss: str) -> Check:
    """d(loss)/d(logits) of a softmax output equal to ``probabilities``: backward's db1 of a one-layer network."""
    X, params = _one_layer_logits(probabilities)
    AL, caches = impl.forward(X, params, output_activation="softmax")
    grads = impl.backward(AL, Y, caches, output_activation="softmax", loss=loss)
    inputs = {"X": X, "parameters": params, "output_activation": "softmax", "loss": loss, "Y": Y}
    return Check(name, grads["db1"], "backward", inputs)


@runner("mse_vs_ce")
def run_mse_vs_ce(impl: Any, example: Inputs) -> list[Check]:
    inputs = example["inputs"]
    Y = _a(inputs["Y"])
    predictions = {"good": _a(inputs["AL_good"]), "bad": _a(inputs["AL_bad"])}
    losses = {"mse": "mse", "ce": "categorical_cross_entropy"}
    checks, costs = [], {}
    for short, fn in losses.items():
        for label, AL in predictions.items():
            costs[f"{short}_{label}"] = getattr(impl, fn)(AL, Y)
            checks.append(Check(f"{short}_{label}", costs[f"{short}_{label}"], fn, {"AL": AL, "Y": Y}))
    pair = {"AL_good": predictions["good"], "AL_bad": predictions["bad"], "Y": Y}
    for short, fn in losses.items():
        ratio = costs[f"{short}_bad"] / costs[f"{short}_good"]
        checks += [
            Check(f"ratio_{short}", ratio, fn, pair),
            Check(f"ratio_{short}_exact", ratio, fn, pair),
            Check(f"increase_{short}", costs[f"{short}_bad"] - costs[f"{short}_good"], fn, pair),
        ]
    for short, fn in losses.items():
        for label, AL in predictions.items():
            gradient = _logit_gradient(impl, f"dz_{short}_{label}", AL, Y, fn)
            checks.append(gradient)
            if label == "bad":
                norm = np.linalg.norm(_a(gradient.got))
                checks.append(Check(f"dz_norm_{short}_bad", norm, gradient.fn, gradient.inputs))
    return checks


@runner("output_gradient_softmax_ce")
def run_output_gradient(impl: Any, example: Inputs) -> list[Check]:
    AL, Y = _a(example["inputs"]["AL"]), _a(example["inputs"]["Y"])
    return [_logit_gradient(impl, "delta", AL, Y, "categorical_cross_entropy")]


@runner("backprop_2layer_sigmoid_softmax")
def run_backprop_2layer(impl: Any, example: Inputs) -> list[Check]:
    inputs = example["inputs"]
    X, Y, params, eta = _a(inputs["X"]), _a(inputs["Y"]), _params(inputs, 2), inputs["learning_rate"]
    activations = {"hidden_activation": "sigmoid", "output_activation": "softmax"}
    z1 = impl.linear_forward(X, params["W1"], params["b1"])
    a1 = impl.sigmoid(z1)
    z2 = impl.linear_forward(a1, params["W2"], params["b2"])
    AL, caches = impl.forward(X, params, **activations)
    grads = impl.backward(AL, Y, caches, loss="categorical_cross_entropy", **activations)
    W2T_delta2, _, _ = impl.linear_backward(grads["db2"], a1, params["W2"])
    new = impl.update_parameters(params, grads, eta)
    back = {"AL": AL, "Y": Y, **activations, "loss": "categorical_cross_entropy"}
    update = {"parameters": params, "grads": grads, "learning_rate": eta}
    return [
        Check("z1", z1, "linear_forward", {"A_prev": X, "W": params["W1"], "b": params["b1"]}),
        Check("a1", a1, "sigmoid", {"z": z1}),
        Check("z2", z2, "linear_forward", {"A_prev": a1, "W": params["W2"], "b": params["b2"]}),
        Check("y_hat", AL, "forward", {"X": X, "parameters": params, **activations}),
        Check("delta2", grads["db2"], "backward", back),
        Check("db2", grads["db2"], "backward", back),
        Check("dW2", grads["dW2"], "backward", back),
        Check("W2T_delta2", W2T_delta2, "linear_backward", {"dZ": grads["db2"], "A_prev": a1, "W": params["W2"]}),
        Check("sigma_prime_z1", impl.sigmoid_derivative(z1), "sigmoid_derivative", {"z": z1}),
        Check("delta1", grads["db1"], "backward", back),
        Check("db1", grads["db1"], "backward", back),
        Check("dW1", grads["dW1"], "backward", back),
        Check("W2_step", _a(new["W2"]) - params["W2"], "update_parameters", update),
        Check("W2_new", new["W2"], "update_parameters", update),
        Check("W2_new_exact", new["W2"], "update_parameters", update),
        Check("b2_new", new["b2"], "update_parameters", update),
        Check("W1_new", new["W1"], "update_parameters", update),
        Check("b1_new", new["b1"], "update_parameters", update),
    ]


@runner("adam_three_steps")
def run_adam(impl: Any, example: Inputs) -> list[Check]:
    """theta is the one weight of {'W1': [[theta]], 'b1': [[0]]}; the bias gets gradient 0 throughout."""
    inputs = example["inputs"]
    params: dict[str, Any] = {"W1": np.array([[inputs["theta0"]]]), "b1": np.zeros((1, 1))}
    state = None
    hyper = {key: inputs[key] for key in ("learning_rate", "beta1", "beta2", "eps")}
    names = set(example["expected"]) | set(example["computed"])
    checks = []
    for t, gradient in enumerate(inputs["gradients"], start=1):
        grads = {"dW1": np.array([[gradient]]), "db1": np.zeros((1, 1))}
        previous = None if t == 1 else f"the state returned by step {t - 1}"
        call = {"parameters": params, "grads": grads, "state": previous, **hyper}
        before = _theta(params)
        params, state = impl.adam_update(params, grads, state, hyper["learning_rate"], hyper["beta1"],
                                         hyper["beta2"], hyper["eps"])
        theta = _theta(params)
        checks += [Check(f"theta{t}", theta, "adam_update", call),
                   Check(f"step{t}", before - theta, "adam_update", call)]
        if f"theta{t}_exact" in names:
            checks.append(Check(f"theta{t}_exact", theta, "adam_update", call))
    return checks


def _theta(params: Mapping[str, Any]) -> np.ndarray:
    """The one weight W1 = [[theta]] as a scalar array (left as it is when it has another size)."""
    weights = _a(params["W1"])
    return weights.reshape(()) if weights.size == 1 else weights


@runner("perceptron_and")
def run_perceptron_and(impl: Any, example: Inputs) -> list[Check]:
    inputs = example["inputs"]
    X, y = _a(inputs["X"]), np.asarray(inputs["y"])
    w, b = impl.perceptron_train(X, y, learning_rate=inputs["learning_rate"], epochs=inputs["epochs"])
    train = {"X": X, "y": y, "learning_rate": inputs["learning_rate"], "epochs": inputs["epochs"]}
    columns: Batch = [((w, b, X[:, j]), {}) for j in range(X.shape[1])]
    predictions = np.array([int(label) for label in impl.batch("perceptron_predict", columns)])
    return [
        Check("w", w, "perceptron_train", train),
        Check("b", b, "perceptron_train", train),
        Check("predictions", predictions, "perceptron_predict", {"w": w, "b": b, "X (each column)": X}),
    ]


# --- comparing ------------------------------------------------------------------------------------------------

def _what(example: Inputs, check: Check) -> str:
    """How a learner reads the quantity: its fixture name, and the scale if the contract's value is scaled."""
    if check.scale == 1.0:
        return f"{check.name} ({example['id']})"
    return f"{check.name} ({example['id']}; the contract's value is {check.scale:g} x the document's)"


def compare(example: Inputs, check: Check) -> None:
    """Compare one check with the fixture: shape, exact value, or within the fixture's tolerance."""
    value = fx.stored(example, check.name)
    what = _what(example, check)
    if check.shape:
        shape = tuple(int(text) for text in fx.flat_strings(value))
        assert_shape(check.got, shape, fn=check.fn, inputs=check.inputs, what=what)
    elif fx.is_exact(example, check.name):
        labels = fx.to_array(value).astype(np.int64)
        assert_equal(np.asarray(check.got), labels, fn=check.fn, inputs=check.inputs, what=what)
    else:
        expected = check.scale * fx.to_array(value)
        atol = check.scale * fx.tolerance(example, check.name)
        assert_close(check.got, expected, fn=check.fn, inputs=check.inputs, what=what, rtol=0.0, atol=atol)


def _cases() -> list[Any]:
    return [
        requirement_param(example, req=Requirement(example["id"], example["statement"], fx.source(document, example)))
        for document, example in fx.iter_examples() if example["runner"] is not None
    ]


@pytest.mark.parametrize("example", _cases())
def test_worked_example(impl: Any, example: Inputs) -> None:
    for check in RUNNERS[example["runner"]](impl, example):
        compare(example, check)
