"""Document 004's classes as contract functions: the built-in adapter of the profile documents-004.

Part of the worker runtime (trusted; NumPy and the standard library only). Document 004 ("Neural Network Basics")
writes its networks as classes, row-major (samples are rows, ``W`` is (n_in, n_out), ``b`` is (1, n_out)):

- ``MLP(layer_sizes, lr)`` with ``weights``, ``biases``, ``lr``; ``forward(X)`` (ReLU hidden layers, softmax
  output) returns the (N, K) probabilities and stores what ``backward(y_true)`` needs; ``backward`` UPDATES the
  weights (W -= lr dW, for the mean cross-entropy) and returns nothing; ``predict(X)`` is the argmax per row.
- ``Perceptron(n_features, lr)`` with ``w``, ``b``, ``lr``; ``predict(x)`` of one sample; ``train(X, y, epochs)``
  goes through the rows in order, from the current w and b.

The contract's column-major functions made of them (each transposes on the way in and out):

- ``forward``, ``predict``: an MLP built with the class's own ``__init__`` (NumPy's global generator left as it
  was), holding the given parameters; forward's caches are that MLP, after its forward.
- ``backward``: the class's backward on a copy of the caches' MLP with ``lr = GRADIENT_LR``; each gradient is
  (before - after) / lr.
- ``initialize_parameters``: the class's own init (He from NumPy's global generator: the profile's conventions).
- ``perceptron_predict``; ``perceptron_update``: one epoch over the one sample, from the given w and b;
  ``perceptron_train``: a new Perceptron trained on the columns of X.

What is handed to a class is a copy, so its in-place updates never reach the caller's arrays (the contract's
functions are pure). The MLP computes one network only: the profile pins the activations and the loss
(``ARCHITECTURE``); other values are a ValueError here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

Params = dict[str, np.ndarray]
Function = Callable[..., Any]

# A power of two, so that lr * dW is exact; then W - lr dW rounds at ~eps * lr |dW|, and (before - after) / lr
# gives dW to ~eps relative, however small dW is next to W.
GRADIENT_LR = 2.0 ** 20
# each contract function in the learner's terms, for failure messages (nnspec.profiles.calls); the arguments are the
# contract's, column-major
MADE_OF = {
    "initialize_parameters": "MLP(layer_dims)'s weights.T and biases.T (its own init, from np.random)",
    "forward": "MLP(sizes) holding W.T and b.T of each layer, then .forward(X.T), transposed back",
    "backward": "the gradients MLP.backward(Y.T) applies after that forward, read from its update with lr = 2**20",
    "predict": "MLP(sizes) holding W.T and b.T of each layer, then .predict(X.T)",
    "perceptron_predict": "Perceptron(len(w)) holding w and b, then .predict(x)",
    "perceptron_update": "Perceptron(len(w), learning_rate) holding w and b, then .train(x[np.newaxis, :], "
                         "np.array([y]), 1), returning its (w, b)",
    "perceptron_train": "Perceptron(X.shape[0], learning_rate).train(X.T, y, epochs), returning its (w, b)",
}
ARCHITECTURE = {"hidden_activation": "relu", "output_activation": "softmax", "loss": "categorical_cross_entropy"}


def adapt(module: ModuleType) -> dict[str, Function]:
    """The contract functions made of the classes ``module`` defines (none for a class it lacks)."""
    functions: dict[str, Function] = {}
    if isinstance(getattr(module, "MLP", None), type):
        functions |= mlp_functions(module.MLP)
    if isinstance(getattr(module, "Perceptron", None), type):
        functions |= perceptron_functions(module.Perceptron)
    return functions


def mlp_functions(mlp: type) -> dict[str, Function]:
    """forward, backward, predict and initialize_parameters of the class ``mlp``."""

    def initialize_parameters(layer_dims: list[int], method: str = "he", seed: int = 0) -> Params:
        """MLP(layer_dims)'s weights and biases (its own He init; ``seed`` is not used: NumPy's global generator)."""
        _check_architecture(method=method)
        return contract_parameters(mlp(list(layer_dims)))

    def forward(X: np.ndarray, parameters: Params, hidden_activation: str = "relu",
                output_activation: str = "sigmoid") -> tuple[np.ndarray, Any]:
        """(AL (K, m), caches): the MLP's probabilities of the rows X.T, transposed; caches is the MLP."""
        _check_architecture(hidden_activation=hidden_activation, output_activation=output_activation)
        model = built(mlp, parameters)
        return np.array(model.forward(np.array(X.T))).T, model

    def backward(AL: np.ndarray, Y: np.ndarray, caches: Any, hidden_activation: str = "relu",
                 output_activation: str = "sigmoid", loss: str = "binary_cross_entropy") -> Params:
        """The gradients the MLP's backward(Y.T) applied, read from its update (AL is the MLP's own)."""
        _check_architecture(hidden_activation=hidden_activation, output_activation=output_activation, loss=loss)
        model = copy.deepcopy(caches)
        model.lr = GRADIENT_LR
        before = contract_parameters(model)
        model.backward(np.array(Y.T))
        after = contract_parameters(model)
        return {"d" + name: (before[name] - after[name]) / GRADIENT_LR for name in before}

    def predict(X: np.ndarray, parameters: Params, hidden_activation: str = "relu",
                output_activation: str = "softmax") -> Any:
        """The MLP's predict of the rows X.T: (m,) labels."""
        _check_architecture(hidden_activation=hidden_activation, output_activation=output_activation)
        return built(mlp, parameters).predict(np.array(X.T))

    return {"initialize_parameters": initialize_parameters, "forward": forward, "backward": backward,
            "predict": predict}


def built(mlp: type, parameters: Params) -> Any:
    """An ``mlp`` made by its own ``__init__`` for the parameters' layer sizes (NumPy's global generator restored
    after it), then holding copies of the parameters in its layout: W{l}.T (n_in, n_out), b{l}.T (1, n_out)."""
    layers = len(parameters) // 2
    weights = [np.array(parameters[f"W{layer}"].T) for layer in range(1, layers + 1)]
    state = np.random.get_state()
    try:
        model = mlp([weights[0].shape[0]] + [W.shape[1] for W in weights])
    finally:
        np.random.set_state(state)
    model.weights = weights
    model.biases = [np.array(parameters[f"b{layer}"].T) for layer in range(1, layers + 1)]
    return model


def contract_parameters(model: Any) -> Params:
    """Copies of an MLP's weights and biases in the contract's layout: W{l} (n_l, n_{l-1}), b{l} (n_l, 1)."""
    parameters = {}
    for layer, (W, b) in enumerate(zip(model.weights, model.biases, strict=True), start=1):
        parameters[f"W{layer}"] = np.array(np.asarray(W).T)
        b = np.asarray(b)
        parameters[f"b{layer}"] = np.array(b.reshape(-1, 1) if b.ndim == 1 else b.T)
    return parameters


def _check_architecture(**given: str) -> None:
    """ValueError unless every given choice is the one the MLP computes (the profile pins them; "method": He)."""
    wanted = ARCHITECTURE | {"method": "he"}
    for name, value in given.items():
        if value != wanted[name]:
            raise ValueError(f"{name} must be {wanted[name]!r}: document 004's MLP computes that alone (got "
                             f"{value!r}; the profile documents-004 pins it)")


def perceptron_functions(perceptron: type) -> dict[str, Function]:
    """perceptron_predict, perceptron_update and perceptron_train of the class ``perceptron``."""

    def perceptron_predict(w: np.ndarray, b: float, x: np.ndarray) -> Any:
        """Perceptron(n).predict(x) with the given w and b."""
        return holding(perceptron(len(w)), w, b).predict(np.array(x))

    def perceptron_update(w: np.ndarray, b: float, x: np.ndarray, y: Any, learning_rate: float) -> tuple[Any, Any]:
        """(w, b) after Perceptron(n, learning_rate), holding w and b, trains one epoch on the one sample x."""
        model = holding(perceptron(len(w), learning_rate), w, b)
        model.train(np.array(x)[np.newaxis, :], np.array([y]), 1)
        return model.w, model.b

    def perceptron_train(X: np.ndarray, y: np.ndarray, learning_rate: float = 0.01,
                         epochs: int = 100) -> tuple[Any, Any]:
        """(w, b) of Perceptron(n, learning_rate) trained on the rows X.T (the samples) for ``epochs`` epochs."""
        model = perceptron(np.shape(X)[0], learning_rate)
        model.train(np.array(X.T), np.array(y), epochs)
        return model.w, model.b

    return {"perceptron_predict": perceptron_predict, "perceptron_update": perceptron_update,
            "perceptron_train": perceptron_train}


def holding(model: Any, w: np.ndarray, b: float) -> Any:
    """``model`` with copies of w (floating: the class adds lr * error * x to it in place) and b."""
    w = np.asarray(w)
    model.w = np.array(w, dtype=np.result_type(w, 0.0))
    model.b = np.asarray(b)[()]
    return model
