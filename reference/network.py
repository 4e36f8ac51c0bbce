"""A fully connected network: initialisation, forward, backward, update, predict and the training loop
(documents 000/001 "Forward Propagation", "Backward Propagation", "Training"; 003 §1.5 and §1.7).

Column-major: ``X`` is ``(n_0, m)``, ``Y`` is ``(n_L, m)``; ``parameters`` maps ``"W{l}"`` to ``(n_l, n_{l-1})``
and ``"b{l}"`` to ``(n_l, 1)`` for l = 1..L; ``grads`` maps ``"dW{l}"`` and ``"db{l}"`` to arrays of the same shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike

from reference import activations as act
from reference._checks import as_array, check_2d, check_choice, check_finite, result_dtype
from reference.layers import check_layer, linear_backward, linear_forward, parameter_gradients
from reference.losses import LOSSES, compute_cost, loss_gradient

Activation = Callable[[np.ndarray], np.ndarray]


def _identity(z: np.ndarray) -> np.ndarray:
    return z


def _ones(z: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


HIDDEN_ACTIVATIONS: dict[str, tuple[Activation, Activation]] = {
    "relu": (act.relu, act.relu_derivative),
    "leaky_relu": (act.leaky_relu, act.leaky_relu_derivative),
    "sigmoid": (act.sigmoid, act.sigmoid_derivative),
    "tanh": (act.tanh, act.tanh_derivative),
    "gelu": (act.gelu, act.gelu_derivative),
}
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "linear")
INIT_METHODS = ("he", "xavier", "lecun", "zeros")
SHUFFLE_STREAM = 1  # train() shuffles with default_rng((seed, SHUFFLE_STREAM)), apart from the init stream


def initialize_parameters(layer_dims: Sequence[int], method: str = "he", seed: int = 0) -> dict[str, np.ndarray]:
    """Weights drawn from N(0, var) with var = 2/n_in (he), 2/(n_in + n_out) (xavier), 1/n_in (lecun), or zeros;
    biases zero. ``layer_dims`` = [n_0, n_1, ..., n_L]; the draws come from ``np.random.default_rng(seed)``.
    """
    check_choice(method, "method", INIT_METHODS)
    dims = list(layer_dims)
    if len(dims) < 2 or any(not isinstance(n, (int, np.integer)) or n < 1 for n in dims):
        raise ValueError(
            "layer_dims must list at least two positive integers [n_inputs, ..., n_outputs]; " f"got {dims!r}"
        )
    rng = np.random.default_rng(seed)
    variance = {"he": lambda i, o: 2 / i, "xavier": lambda i, o: 2 / (i + o), "lecun": lambda i, o: 1 / i}
    parameters = {}
    for layer, (n_in, n_out) in enumerate(pairwise(dims), start=1):
        if method == "zeros":
            parameters[f"W{layer}"] = np.zeros((n_out, n_in))
        else:
            parameters[f"W{layer}"] = rng.standard_normal((n_out, n_in)) * np.sqrt(variance[method](n_in, n_out))
        parameters[f"b{layer}"] = np.zeros((n_out, 1))
    return parameters


def _layers(parameters: dict[str, np.ndarray]) -> int:
    """The number of layers L, after checking that W1..WL and b1..bL are all there and nothing else."""
    numbers = [int(key[1:]) for key in parameters if key[:1] in ("W", "b") and key[1:].isdigit()]
    L = max(numbers, default=0)
    expected = {f"{p}{layer}" for layer in range(1, L + 1) for p in "Wb"}
    if L == 0 or set(parameters) != expected:
        missing, extra = sorted(expected - set(parameters)), sorted(set(parameters) - expected)
        raise ValueError(
            f"parameters must hold W1..WL and b1..bL; got keys {sorted(parameters)}"
            + (f" (missing {missing})" if missing else "")
            + (f" (unexpected {extra})" if extra else "")
        )
    return L


def _output(output_activation: str) -> tuple[Activation, Activation | None]:
    """The output activation and its elementwise derivative (None for softmax, whose Jacobian is not diagonal)."""
    check_choice(output_activation, "output_activation", OUTPUT_ACTIVATIONS)
    return {
        "sigmoid": (act.sigmoid, act.sigmoid_derivative),
        "softmax": (act.softmax, None),
        "linear": (_identity, _ones),
    }[output_activation]


def forward(
    X: ArrayLike,
    parameters: dict[str, np.ndarray],
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """A^l = g(W^l A^{l-1} + b^l) for l = 1..L with A^0 = X; returns (AL (n_L, m), caches).

    ``caches[l - 1]`` = (A^{l-1}, W^l, Z^l): everything backward needs.
    """
    check_choice(hidden_activation, "hidden_activation", HIDDEN_ACTIVATIONS)
    g_out = _output(output_activation)[0]
    A = as_array(X, "X")
    check_2d(A, "X", "(n_features, m): one column per sample")
    L = _layers(parameters)
    caches = []
    for layer in range(1, L + 1):
        W, b = parameters[f"W{layer}"], parameters[f"b{layer}"]
        check_layer(A, W, b, f"layer {layer}")
        Z = linear_forward(A, W, b)
        caches.append((A, W, Z))
        A = g_out(Z) if layer == L else HIDDEN_ACTIVATIONS[hidden_activation][0](Z)
    return A, caches


def _output_delta(AL: np.ndarray, Y: np.ndarray, Z: np.ndarray, output_activation: str, loss: str) -> np.ndarray:
    """Per-sample gradients dZ^L (each column is d loss_i / d z_i for sample i), i.e. m times d(mean cost)/dZ^L.

    sigmoid + BCE and softmax + CE use the closed forms (AL - Y)/n_L and AL - Y (003 §1.3), exact and free of
    the saturation that the chained form suffers; every other pair chains d cost/d AL through the output.
    """
    m = AL.shape[1]
    if (output_activation, loss) == ("sigmoid", "binary_cross_entropy"):
        return (AL - Y) / AL.shape[0]
    if (output_activation, loss) == ("softmax", "categorical_cross_entropy"):
        return AL - Y
    dAL = m * loss_gradient(AL, Y, loss)
    derivative = _output(output_activation)[1]
    if derivative is None:  # softmax: the Jacobian-vector product s * (dA - sum_k dA_k s_k), column by column
        return AL * (dAL - np.sum(dAL * AL, axis=0, keepdims=True))
    return dAL * derivative(Z)


def backward(
    AL: ArrayLike,
    Y: ArrayLike,
    caches: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    hidden_activation: str = "relu",
    output_activation: str = "sigmoid",
    loss: str = "binary_cross_entropy",
) -> dict[str, np.ndarray]:
    """Gradients of the MEAN cost over the batch (BP1-BP4 of 003 §1.5): {"dW1", "db1", ..., "dWL", "dbL"}."""
    check_choice(hidden_activation, "hidden_activation", HIDDEN_ACTIVATIONS)
    check_choice(loss, "loss", LOSSES)
    AL = as_array(AL, "AL")
    Y = as_array(Y, "Y", like=AL)
    if Y.shape != AL.shape:
        raise ValueError(f"Y must have the shape of AL {AL.shape} (n_outputs, m); got {Y.shape}")
    L = len(caches)
    dZ = _output_delta(AL, Y, caches[-1][2], output_activation, loss)
    grads = {}
    for layer in range(L, 1, -1):
        A_prev, W, _ = caches[layer - 1]
        dA_prev, grads[f"dW{layer}"], grads[f"db{layer}"] = linear_backward(dZ, A_prev, W)
        dZ = dA_prev * HIDDEN_ACTIVATIONS[hidden_activation][1](caches[layer - 2][2])
    grads["dW1"], grads["db1"] = parameter_gradients(dZ, caches[0][0])
    return grads


def update_parameters(
    parameters: dict[str, np.ndarray], grads: dict[str, np.ndarray], learning_rate: float
) -> dict[str, np.ndarray]:
    """theta - learning_rate * d theta for every parameter, as a new dict."""
    missing = [f"d{name}" for name in parameters if f"d{name}" not in grads]
    if missing:
        raise ValueError(f"grads lacks {missing} for parameters {sorted(parameters)}; got keys {sorted(grads)}")
    for name, value in parameters.items():
        if grads[f"d{name}"].shape != np.shape(value):
            raise ValueError(f"d{name} must have the shape of {name} {np.shape(value)}; got {grads[f'd{name}'].shape}")
    return {name: value - learning_rate * grads[f"d{name}"] for name, value in parameters.items()}


def predict(
    X: ArrayLike,
    parameters: dict[str, np.ndarray],
    hidden_activation: str = "relu",
    output_activation: str = "softmax",
) -> np.ndarray:
    """Integer labels of shape (m,): AL > 0.5 for a single output unit, the argmax over the rows otherwise."""
    AL, _ = forward(X, parameters, hidden_activation, output_activation)
    if AL.shape[0] == 1:
        return (AL[0] > 0.5).astype(np.int64)
    return np.argmax(AL, axis=0)


def train(
    X: ArrayLike,
    Y: ArrayLike,
    layer_dims: Sequence[int],
    learning_rate: float = 0.1,
    epochs: int = 10,
    batch_size: int | None = 64,
    hidden_activation: str = "relu",
    output_activation: str = "softmax",
    loss: str = "categorical_cross_entropy",
    seed: int = 0,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Mini-batch gradient descent from ``initialize_parameters(layer_dims, "he", seed)``.

    Each epoch reshuffles the columns, visits every sample once (the last batch may be smaller) and records
    the mean of its batch costs. ``batch_size=None`` is full-batch gradient descent. Returns (parameters, costs).
    """
    X = as_array(X, "X")
    Y = as_array(Y, "Y", like=X)
    check_2d(X, "X", "(n_features, m): one column per sample")
    check_2d(Y, "Y", "(n_outputs, m): one column per sample")
    dims = list(layer_dims)
    if len(dims) < 2:
        raise ValueError(f"layer_dims must list at least two positive integers; got {dims!r}")
    if X.shape[0] != dims[0] or Y.shape != (dims[-1], X.shape[1]):
        raise ValueError(
            f"X must be ({dims[0]}, m) and Y ({dims[-1]}, m) for layer_dims {dims}; got X {X.shape}, Y {Y.shape}"
        )
    check_finite(X, "X")
    check_finite(Y, "Y")
    m = X.shape[1]
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
        raise ValueError(f"batch_size must be a positive integer or None (full batch); got {batch_size!r}")
    size = m if batch_size is None else int(batch_size)
    dtype = result_dtype(X, Y)
    parameters = {k: v.astype(dtype) for k, v in initialize_parameters(dims, "he", seed).items()}
    rng = np.random.default_rng((seed, SHUFFLE_STREAM))
    costs = []
    for _ in range(epochs):
        order = rng.permutation(m)
        batch_costs = []
        for start in range(0, m, size):
            columns = order[start : start + size]
            X_batch, Y_batch = X[:, columns], Y[:, columns]
            AL, caches = forward(X_batch, parameters, hidden_activation, output_activation)
            batch_costs.append(compute_cost(AL, Y_batch, loss))
            grads = backward(AL, Y_batch, caches, hidden_activation, output_activation, loss)
            parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(float(np.mean(batch_costs)))
    return parameters, costs
