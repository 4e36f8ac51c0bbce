"""Correct but different: explicit Python loops where the reference is vectorised.

The linear layer goes sample by sample (one column at a time, accumulating dW and db), softmax one slice along
its axis at a time, ReLU and MSE element by element, layer norm column by column, the perceptron's score and
relative_error's norms as running sums. Everything else is the reference's.
"""

import math

import numpy as np
from numpy.typing import ArrayLike

from reference import *  # noqa: F403  (every contract function this variant does not override)


def _floats(value: ArrayLike) -> np.ndarray:
    array = np.asarray(value)
    return array if array.dtype in (np.float32, np.float64) else array.astype(np.float64)


def _common(*arrays: np.ndarray) -> type[np.floating]:
    return np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64


def relu(z: ArrayLike) -> np.ndarray:
    z = _floats(z)
    out = np.empty_like(z)
    for index in np.ndindex(z.shape):
        out[index] = z[index] if z[index] > 0 else 0.0
    return out


def relu_derivative(z: ArrayLike) -> np.ndarray:
    z = _floats(z)
    out = np.empty_like(z)
    for index in np.ndindex(z.shape):
        out[index] = 1.0 if z[index] > 0 else 0.0
    return out


def softmax(z: ArrayLike, axis: int = 0) -> np.ndarray:
    z = _floats(z)
    moved = np.moveaxis(z, axis, -1)
    out = np.empty_like(moved)
    for index in np.ndindex(moved.shape[:-1]):
        row = moved[index]
        e = np.exp(row - row.max())
        out[index] = e / e.sum()
    return np.moveaxis(out, -1, axis)


def mse(AL: ArrayLike, Y: ArrayLike) -> float:
    AL, Y = _floats(AL), _floats(Y)
    if AL.shape != Y.shape:
        raise ValueError(f"Y must have the shape of AL {AL.shape}; got {Y.shape}")
    total = 0.0
    for index in np.ndindex(AL.shape):
        total += (float(AL[index]) - float(Y[index])) ** 2
    return total / AL.size


def mse_gradient(AL: ArrayLike, Y: ArrayLike) -> np.ndarray:
    AL, Y = _floats(AL), _floats(Y)
    if AL.shape != Y.shape:
        raise ValueError(f"Y must have the shape of AL {AL.shape}; got {Y.shape}")
    out = np.empty(AL.shape, dtype=_common(AL, Y))
    for index in np.ndindex(AL.shape):
        out[index] = 2.0 * (float(AL[index]) - float(Y[index])) / AL.size
    return out


def linear_forward(A_prev: ArrayLike, W: ArrayLike, b: ArrayLike) -> np.ndarray:
    A_prev, W, b = _floats(A_prev), _floats(W), _floats(b)
    if A_prev.ndim != 2 or W.ndim != 2 or W.shape[1] != A_prev.shape[0] or b.shape != (W.shape[0], 1):
        raise ValueError(f"need A_prev (n_in, m), W (n, n_in), b (n, 1); got {A_prev.shape}, {W.shape}, {b.shape}")
    Z = np.empty((W.shape[0], A_prev.shape[1]), dtype=_common(A_prev, W, b))
    for j in range(A_prev.shape[1]):
        Z[:, j] = W @ A_prev[:, j] + b[:, 0]
    return Z


def linear_backward(dZ: ArrayLike, A_prev: ArrayLike, W: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dZ, A_prev, W = _floats(dZ), _floats(A_prev), _floats(W)
    if dZ.shape != (W.shape[0], A_prev.shape[1]) or W.shape[1] != A_prev.shape[0]:
        raise ValueError(f"need dZ (n, m), A_prev (n_in, m), W (n, n_in); got {dZ.shape}, {A_prev.shape}, {W.shape}")
    dtype, m = _common(dZ, A_prev, W), A_prev.shape[1]
    dA_prev = np.empty(A_prev.shape, dtype=dtype)
    dW, db = np.zeros(W.shape, dtype=dtype), np.zeros((W.shape[0], 1), dtype=dtype)
    for j in range(m):
        dz, a = dZ[:, j], A_prev[:, j]
        dA_prev[:, j] = W.T @ dz
        dW += np.outer(dz, a)
        db[:, 0] += dz
    return dA_prev, dW / m, db / m


def perceptron_predict(w: ArrayLike, b: float, x: ArrayLike) -> int:
    w, x = _floats(w), _floats(x)
    if w.ndim != 1 or w.shape != x.shape:
        raise ValueError(f"w and x must be vectors of the same length; got {w.shape} and {x.shape}")
    score = float(b)
    for w_i, x_i in zip(w, x, strict=True):
        score += float(w_i) * float(x_i)
    return 1 if score > 0 else 0


def perceptron_update(w: ArrayLike, b: float, x: ArrayLike, y: int, learning_rate: float) -> tuple[np.ndarray, float]:
    error = int(y) - perceptron_predict(w, b, x)
    w, x = _floats(w), _floats(x)
    new_w = np.array([float(w_i) + learning_rate * error * float(x_i) for w_i, x_i in zip(w, x, strict=True)])
    return new_w, float(b) + learning_rate * error


def layernorm_forward(X: ArrayLike, gamma: ArrayLike, beta: ArrayLike,
                      eps: float = 1e-5) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, list[float]]]:
    X, gamma, beta = _floats(X), _floats(gamma), _floats(beta)
    n, m = X.shape
    x_hat, stds = np.empty_like(X), []
    for j in range(m):
        column = X[:, j]
        mean = sum(float(v) for v in column) / n
        variance = sum((float(v) - mean) ** 2 for v in column) / n
        std = math.sqrt(variance + eps)
        x_hat[:, j] = (column - mean) / std
        stds.append(std)
    return gamma * x_hat + beta, (x_hat, gamma, stds)


def layernorm_backward(dY: ArrayLike, cache: tuple[np.ndarray, np.ndarray, list[float]]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x_hat, gamma, stds = cache
    dY = _floats(dY)
    n, m = x_hat.shape
    dX = np.empty_like(dY)
    for j in range(m):
        dx_hat = dY[:, j] * gamma[:, 0]
        dX[:, j] = (n * dx_hat - dx_hat.sum() - x_hat[:, j] * np.dot(dx_hat, x_hat[:, j])) / (n * stds[j])
    dgamma = np.zeros_like(gamma)
    dbeta = np.zeros_like(gamma)
    for j in range(m):
        dgamma[:, 0] += dY[:, j] * x_hat[:, j]
        dbeta[:, 0] += dY[:, j]
    return dX, dgamma, dbeta


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    a, b = _floats(a), _floats(b)
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}; got {b.shape}")
    square_a = square_b = square_diff = 0.0
    for index in np.ndindex(a.shape):
        x, y = float(a[index]), float(b[index])
        square_a, square_b, square_diff = square_a + x * x, square_b + y * y, square_diff + (x - y) ** 2
    scale = math.sqrt(max(square_a, square_b))
    return 0.0 if scale == 0.0 else math.sqrt(square_diff) / scale
