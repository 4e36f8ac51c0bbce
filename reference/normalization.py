"""Batch normalisation and layer normalisation, forward beside backward (document 003 §1.9).

``X`` is ``(n_features, m)``; ``gamma`` and ``beta`` are ``(n_features, 1)``. Batch norm normalises each feature
(row) over the batch; layer norm normalises each sample (column) over its features. Both use the biased variance.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from reference._checks import as_array, check_2d

Cache = tuple[Any, ...]


def _inputs(X: ArrayLike, gamma: ArrayLike, beta: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, gamma, beta = as_array(X, "X"), as_array(gamma, "gamma"), as_array(beta, "beta")
    check_2d(X, "X", "(n_features, m): one column per sample")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if value.shape != (X.shape[0], 1):
            raise ValueError(f"{name} must have shape ({X.shape[0]}, 1) for X of shape {X.shape}; got {value.shape}")
    return X, gamma, beta


def _normalized_backward(dY: np.ndarray, x_hat: np.ndarray, gamma: np.ndarray, inv_std: np.ndarray, axis: int):
    """dX of y = gamma x_hat + beta with x_hat standardised along ``axis`` using its own mean and variance."""
    dx_hat = dY * gamma
    n = dY.shape[axis]
    return (
        inv_std
        / n
        * (
            n * dx_hat
            - dx_hat.sum(axis=axis, keepdims=True)
            - x_hat * np.sum(dx_hat * x_hat, axis=axis, keepdims=True)
        )
    )


def batchnorm_forward(
    X: ArrayLike,
    gamma: ArrayLike,
    beta: ArrayLike,
    eps: float = 1e-5,
    training: bool = True,
    running_mean: ArrayLike | None = None,
    running_var: ArrayLike | None = None,
    momentum: float = 0.1,
) -> tuple[np.ndarray, Cache, np.ndarray, np.ndarray]:
    """y = gamma (x - mu) / sqrt(var + eps) + beta per row; returns (Y, cache, running_mean, running_var).

    Training: mu and the biased var of the batch; running = (1 - momentum) running + momentum batch statistic,
    with the UNBIASED variance (as torch.nn.functional.batch_norm). Evaluation: the running statistics, unchanged.
    Running statistics start at 0 and 1 when None and have shape (n_features, 1).
    """
    X, gamma, beta = _inputs(X, gamma, beta)
    n = X.shape[0]
    rm = np.zeros((n, 1)) if running_mean is None else as_array(running_mean, "running_mean")
    rv = np.ones((n, 1)) if running_var is None else as_array(running_var, "running_var")
    for name, value in (("running_mean", rm), ("running_var", rv)):
        if value.shape != (n, 1):
            raise ValueError(f"{name} must have shape ({n}, 1) for X of shape {X.shape}; got {value.shape}")
    if training:
        m = X.shape[1]
        if m < 2:
            raise ValueError(f"batch norm in training needs at least 2 samples (columns) per batch; got X {X.shape}")
        mu, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
        rm = (1 - momentum) * rm + momentum * mu
        rv = (1 - momentum) * rv + momentum * var * m / (m - 1)
    else:
        mu, var = rm, rv
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (X - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, training), rm, rv


def batchnorm_backward(dY: ArrayLike, cache: Cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dX, dgamma, dbeta) of batchnorm_forward, dgamma and dbeta of shape (n_features, 1)."""
    x_hat, gamma, inv_std, training = cache
    dY = as_array(dY, "dY")
    if dY.shape != x_hat.shape:
        raise ValueError(f"dY must have the shape of the forward output {x_hat.shape}; got {dY.shape}")
    dX = _normalized_backward(dY, x_hat, gamma, inv_std, axis=1) if training else dY * gamma * inv_std
    return dX, np.sum(dY * x_hat, axis=1, keepdims=True), dY.sum(axis=1, keepdims=True)


def layernorm_forward(
    X: ArrayLike, gamma: ArrayLike, beta: ArrayLike, eps: float = 1e-5
) -> tuple[np.ndarray, Cache]:
    """y = gamma (x - mu) / sqrt(var + eps) + beta, mu and biased var of each column; returns (Y, cache)."""
    X, gamma, beta = _inputs(X, gamma, beta)
    mu, var = X.mean(axis=0, keepdims=True), X.var(axis=0, keepdims=True)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (X - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, gamma, inv_std)


def layernorm_backward(dY: ArrayLike, cache: Cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dX, dgamma, dbeta) of layernorm_forward, dgamma and dbeta of shape (n_features, 1)."""
    x_hat, gamma, inv_std = cache
    dY = as_array(dY, "dY")
    if dY.shape != x_hat.shape:
        raise ValueError(f"dY must have the shape of the forward output {x_hat.shape}; got {dY.shape}")
    dX = _normalized_backward(dY, x_hat, gamma, inv_std, axis=0)
    return dX, np.sum(dY * x_hat, axis=1, keepdims=True), dY.sum(axis=1, keepdims=True)
