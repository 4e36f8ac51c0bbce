"""Correct but different: float32 throughout, within the contract's precision rule.

The contract fixes the precision of every result (float32 only when every floating input is float32) and makes
initialize_parameters return float64, so "float32 throughout" cannot mean computing float64 inputs in float32.
Here it means: the float32 path never leaves float32. Where the reference upcasts internally (GELU through
float64 constants, the losses through float64 logs, batch norm's default running statistics created in
float64), this variant computes in the result's own precision: constants are cast to it, the losses take their
logs in it (in float32 the upper clip 1 - 1e-15 rounds to 1, so 1 - AL is floored at 1e-15 instead, the same
clip up to float32 rounding), and running statistics start in X's type. float64 inputs are computed in float64,
as the contract requires. Everything else is the reference's (which keeps float32 through layers, network,
train and optimizers already).
"""

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import erf

import reference as ref
from reference import *  # noqa: F403  (every contract function this variant does not override)

FLOOR = 1e-15  # the contract's clip of probabilities before a logarithm
GELU_K = 0.044715
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _floats(value: ArrayLike) -> np.ndarray:
    array = np.asarray(value)
    return array if array.dtype in (np.float32, np.float64) else array.astype(np.float64)


def _constant(array: np.ndarray, value: float) -> np.floating:
    """``value`` in the array's own precision (a float64 scalar would upcast a float32 array)."""
    return array.dtype.type(value)


def gelu(z: ArrayLike, approximate: bool = False) -> np.ndarray:
    z = _floats(z)
    half = _constant(z, 0.5)
    if approximate:
        inner = _constant(z, SQRT_2_OVER_PI) * (z + _constant(z, GELU_K) * z**3)
        return half * z * (1 + np.tanh(inner))
    return half * z * (1 + erf(z / _constant(z, math.sqrt(2.0))))


def gelu_derivative(z: ArrayLike, approximate: bool = False) -> np.ndarray:
    z = _floats(z)
    half = _constant(z, 0.5)
    if approximate:
        c, k = _constant(z, SQRT_2_OVER_PI), _constant(z, GELU_K)
        t = np.tanh(c * (z + k * z**3))
        return half * (1 + t) + half * z * (1 - t * t) * c * (1 + 3 * k * z**2)
    cdf = half * (1 + erf(z / _constant(z, math.sqrt(2.0))))
    pdf = np.exp(-half * z * z) / _constant(z, math.sqrt(2.0 * math.pi))
    return cdf + z * pdf


def _pair(AL: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """AL and Y in the result's precision: float32 only when AL is float32 and Y is float32 or integer."""
    AL, Y = _floats(AL), np.asarray(Y)
    if Y.shape != AL.shape or AL.size == 0:
        raise ValueError(f"AL and Y must have the same non-empty shape; got {AL.shape} and {Y.shape}")
    single = AL.dtype == np.float32 and (Y.dtype == np.float32 or Y.dtype.kind in "biu")
    dtype = np.float32 if single else np.float64
    return AL.astype(dtype), Y.astype(dtype)


def _columns(AL: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    AL, Y = _pair(AL, Y)
    if AL.ndim != 2:
        raise ValueError(f"AL must be 2-D (n_classes, m); got shape {AL.shape}")
    return AL, Y


def _clipped(AL: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P, 1 - P) with P = AL clipped to [1e-15, 1 - 1e-15], each in AL's precision."""
    P = np.clip(AL, FLOOR, 1 - FLOOR)
    Q = 1 - P if AL.dtype == np.float64 else np.maximum(1 - P, _constant(AL, FLOOR))
    return P, Q


def mse(AL: ArrayLike, Y: ArrayLike) -> float:
    AL, Y = _pair(AL, Y)
    return float(np.mean((AL - Y) ** 2))


def mse_gradient(AL: ArrayLike, Y: ArrayLike) -> np.ndarray:
    AL, Y = _pair(AL, Y)
    return 2 * (AL - Y) / _constant(AL, AL.size)


def binary_cross_entropy(AL: ArrayLike, Y: ArrayLike) -> float:
    AL, Y = _pair(AL, Y)
    P, Q = _clipped(AL)
    return float(-np.mean(Y * np.log(P) + (1 - Y) * np.log(Q)))


def binary_cross_entropy_gradient(AL: ArrayLike, Y: ArrayLike) -> np.ndarray:
    AL, Y = _pair(AL, Y)
    P, Q = _clipped(AL)
    return (-Y / P + (1 - Y) / Q) / _constant(AL, AL.size)


def categorical_cross_entropy(AL: ArrayLike, Y: ArrayLike) -> float:
    AL, Y = _columns(AL, Y)
    return float(-np.sum(Y * np.log(np.maximum(AL, _constant(AL, FLOOR)))) / AL.shape[1])


def categorical_cross_entropy_gradient(AL: ArrayLike, Y: ArrayLike) -> np.ndarray:
    AL, Y = _columns(AL, Y)
    return -Y / (np.maximum(AL, _constant(AL, FLOOR)) * _constant(AL, AL.shape[1]))


COSTS = {"binary_cross_entropy": binary_cross_entropy, "categorical_cross_entropy": categorical_cross_entropy,
         "mse": mse}


def compute_cost(AL: ArrayLike, Y: ArrayLike, loss: str = "binary_cross_entropy") -> float:
    if loss not in COSTS:
        raise ValueError(f"loss must be one of {sorted(COSTS)}; got {loss!r}")
    return COSTS[loss](AL, Y)


def batchnorm_forward(X: ArrayLike, gamma: ArrayLike, beta: ArrayLike, eps: float = 1e-5, training: bool = True,
                      running_mean: ArrayLike | None = None, running_var: ArrayLike | None = None,
                      momentum: float = 0.1) -> tuple[np.ndarray, object, np.ndarray, np.ndarray]:
    X = _floats(X)
    n = X.shape[0] if X.ndim == 2 else 0
    start_mean = np.zeros((n, 1), dtype=X.dtype) if running_mean is None else running_mean
    start_var = np.ones((n, 1), dtype=X.dtype) if running_var is None else running_var
    return ref.batchnorm_forward(X, gamma, beta, eps, training, start_mean, start_var, momentum)
