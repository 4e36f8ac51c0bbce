"""Correct but different: caches are dicts, and the network, batch norm and training loop are written anew.

forward returns one flat dict {"L": L, "A0": X, "W1": W1, "Z1": Z1, "A1": A1, ...}; backward always chains
d cost / d AL through the output activation (no closed forms); batch norm's cache is a dict that keeps the batch
statistics rather than the normalised input; train shuffles with default_rng([seed, 97]). Everything else
is the reference's.
"""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

import reference as ref
from reference import *  # noqa: F403  (every contract function this variant does not override)

Params = dict[str, np.ndarray]
HIDDEN: dict[str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]] = {
    "relu": (ref.relu, ref.relu_derivative),
    "leaky_relu": (ref.leaky_relu, ref.leaky_relu_derivative),
    "sigmoid": (ref.sigmoid, ref.sigmoid_derivative),
    "tanh": (ref.tanh, ref.tanh_derivative),
    "gelu": (ref.gelu, ref.gelu_derivative),
}
OUTPUT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": ref.sigmoid, "softmax": ref.softmax, "linear": lambda z: z,
}
GRADIENTS = {
    "binary_cross_entropy": ref.binary_cross_entropy_gradient,
    "categorical_cross_entropy": ref.categorical_cross_entropy_gradient,
    "mse": ref.mse_gradient,
}
SHUFFLE_STREAM = 97


def _choice(value: str, name: str, valid: dict[str, Any]) -> None:
    if value not in valid:
        raise ValueError(f"{name} must be one of {sorted(valid)}; got {value!r}")


def forward(X: ArrayLike, parameters: Params, hidden_activation: str = "relu",
            output_activation: str = "sigmoid") -> tuple[np.ndarray, dict[str, Any]]:
    _choice(hidden_activation, "hidden_activation", HIDDEN)
    _choice(output_activation, "output_activation", OUTPUT)
    L = len(parameters) // 2
    A = np.asarray(X)
    cache: dict[str, Any] = {"L": L, "A0": A}
    for layer in range(1, L + 1):
        W, b = parameters[f"W{layer}"], parameters[f"b{layer}"]
        Z = ref.linear_forward(A, W, b)
        A = OUTPUT[output_activation](Z) if layer == L else HIDDEN[hidden_activation][0](Z)
        cache |= {f"W{layer}": W, f"Z{layer}": Z, f"A{layer}": A}
    return A, cache


def backward(AL: ArrayLike, Y: ArrayLike, caches: dict[str, Any], hidden_activation: str = "relu",
             output_activation: str = "sigmoid", loss: str = "binary_cross_entropy") -> Params:
    _choice(loss, "loss", GRADIENTS)
    AL = np.asarray(AL)
    L, m = caches["L"], AL.shape[1]
    dA = m * GRADIENTS[loss](AL, Y)  # per-sample gradients: linear_backward averages over the columns
    if output_activation == "softmax":
        dZ = AL * (dA - np.sum(dA * AL, axis=0, keepdims=True))
    elif output_activation == "sigmoid":
        dZ = dA * ref.sigmoid_derivative(caches[f"Z{L}"])
    else:
        dZ = dA
    grads: Params = {}
    for layer in range(L, 0, -1):
        dA, grads[f"dW{layer}"], grads[f"db{layer}"] = ref.linear_backward(dZ, caches[f"A{layer - 1}"],
                                                                         caches[f"W{layer}"])
        if layer > 1:
            dZ = dA * HIDDEN[hidden_activation][1](caches[f"Z{layer - 1}"])
    return grads


def predict(X: ArrayLike, parameters: Params, hidden_activation: str = "relu",
            output_activation: str = "softmax") -> np.ndarray:
    AL, _ = forward(X, parameters, hidden_activation, output_activation)
    return (AL[0] > 0.5).astype(np.int64) if AL.shape[0] == 1 else AL.argmax(axis=0)


def train(X: ArrayLike, Y: ArrayLike, layer_dims: Sequence[int], learning_rate: float = 0.1, epochs: int = 10,
          batch_size: int | None = 64, hidden_activation: str = "relu", output_activation: str = "softmax",
          loss: str = "categorical_cross_entropy", seed: int = 0) -> tuple[Params, list[float]]:
    X, Y = np.asarray(X), np.asarray(Y)
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise ValueError("X and Y must be finite")
    dtype = np.float32 if X.dtype == np.float32 and Y.dtype == np.float32 else np.float64
    X, Y = X.astype(dtype), Y.astype(dtype)
    start = ref.initialize_parameters(layer_dims, "he", seed)
    parameters = {name: value.astype(dtype) for name, value in start.items()}
    shuffler = np.random.default_rng([seed, SHUFFLE_STREAM])
    m = X.shape[1]
    size = m if batch_size is None else batch_size
    costs = []
    for _ in range(epochs):
        order, batch_costs = shuffler.permutation(m), []
        for batch in np.array_split(order, range(size, m, size)):
            AL, cache = forward(X[:, batch], parameters, hidden_activation, output_activation)
            batch_costs.append(ref.compute_cost(AL, Y[:, batch], loss))
            grads = backward(AL, Y[:, batch], cache, hidden_activation, output_activation, loss)
            parameters = ref.update_parameters(parameters, grads, learning_rate)
        costs.append(sum(batch_costs) / len(batch_costs))
    return parameters, costs


def batchnorm_forward(X: ArrayLike, gamma: ArrayLike, beta: ArrayLike, eps: float = 1e-5, training: bool = True,
                      running_mean: ArrayLike | None = None, running_var: ArrayLike | None = None,
                      momentum: float = 0.1) -> tuple[np.ndarray, dict[str, Any], np.ndarray, np.ndarray]:
    X, gamma, beta = np.asarray(X), np.asarray(gamma), np.asarray(beta)
    n, m = X.shape
    mean_before = np.zeros((n, 1)) if running_mean is None else np.asarray(running_mean)
    var_before = np.ones((n, 1)) if running_var is None else np.asarray(running_var)
    if training:
        if m < 2:
            raise ValueError(f"batch norm in training needs at least 2 samples; got X of shape {X.shape}")
        mean, var = X.mean(axis=1, keepdims=True), ((X - X.mean(axis=1, keepdims=True)) ** 2).mean(axis=1,
                                                                                                  keepdims=True)
        new_mean = mean_before + momentum * (mean - mean_before)
        new_var = var_before + momentum * (var * m / (m - 1) - var_before)
    else:
        mean, var, new_mean, new_var = mean_before, var_before, mean_before, var_before
    cache = {"X": X, "mean": mean, "var": var, "eps": eps, "gamma": gamma, "training": training}
    return gamma * (X - mean) / np.sqrt(var + eps) + beta, cache, new_mean, new_var


def batchnorm_backward(dY: ArrayLike, cache: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dY = np.asarray(dY)
    X, mean, gamma = cache["X"], cache["mean"], cache["gamma"]
    inv_std = 1 / np.sqrt(cache["var"] + cache["eps"])
    x_hat = (X - mean) * inv_std
    dx_hat = dY * gamma
    if cache["training"]:
        dX = inv_std * (dx_hat - dx_hat.mean(axis=1, keepdims=True)
                        - x_hat * (dx_hat * x_hat).mean(axis=1, keepdims=True))
    else:
        dX = dx_hat * inv_std
    return dX, (dY * x_hat).sum(axis=1, keepdims=True), dY.sum(axis=1, keepdims=True)
