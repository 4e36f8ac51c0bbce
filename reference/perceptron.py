"""The perceptron: decision rule and learning rule (document 004 "The Perceptron", 000/001 perceptron exercises).

Here a sample ``x`` is a vector of shape ``(n,)``, ``w`` has shape ``(n,)`` and ``b`` is a scalar; in
``perceptron_train`` the samples are the columns of ``X`` ``(n, m)`` and ``y`` holds m labels in {0, 1}.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference._checks import as_array, check_2d


def _vector_pair(w: ArrayLike, x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    w, x = as_array(w, "w"), as_array(x, "x")
    if w.ndim != 1 or x.shape != w.shape:
        raise ValueError(f"w and x must be vectors of the same length (n,); got w {w.shape} and x {x.shape}")
    return w, x


def perceptron_predict(w: ArrayLike, b: float, x: ArrayLike) -> int:
    """1 if w.x + b > 0, else 0 (a score of exactly 0 is class 0)."""
    w, x = _vector_pair(w, x)
    return int(float(w @ x) + float(b) > 0)


def perceptron_update(
    w: ArrayLike, b: float, x: ArrayLike, y: int, learning_rate: float
) -> tuple[np.ndarray, float]:
    """One step of the learning rule: w + lr (y - y_hat) x and b + lr (y - y_hat); no change when y_hat = y."""
    w, x = _vector_pair(w, x)
    error = int(y) - perceptron_predict(w, b, x)
    return w + learning_rate * error * x, float(b) + learning_rate * error


def perceptron_train(
    X: ArrayLike, y: ArrayLike, learning_rate: float = 0.01, epochs: int = 100
) -> tuple[np.ndarray, float]:
    """Start from w = 0, b = 0; each epoch visits the columns of X once, in order, applying the learning rule."""
    X, y = as_array(X, "X"), np.asarray(y)
    check_2d(X, "X", "(n_features, m): one column per sample")
    if y.shape != (X.shape[1],):
        raise ValueError(f"y must hold one label per column of X, shape ({X.shape[1]},); got {y.shape}")
    w, b = np.zeros(X.shape[0]), 0.0
    for _ in range(epochs):
        for j in range(X.shape[1]):
            w, b = perceptron_update(w, b, X[:, j], int(y[j]), learning_rate)
    return w, b
