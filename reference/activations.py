"""Activation functions and their derivatives (documents 003 §1.2 and 004 "Activation Functions").

Every function is elementwise on an array ``z`` of any shape and returns a new array of the same shape.
Derivatives take the pre-activation ``z`` (not the activation), as the contract says.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import erf

from reference._checks import as_array

GELU_TANH_COEFFICIENT = 0.044715  # the cubic term of the tanh approximation of GELU (003 §1.2)
SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)


def sigmoid(z: ArrayLike) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), computed so that no exponential overflows: for z < 0 use e^z / (1 + e^z)."""
    z = as_array(z, "z")
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    """sigma'(z) = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z: ArrayLike) -> np.ndarray:
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z); NumPy's tanh is stable for every finite z."""
    return np.tanh(as_array(z, "z"))


def tanh_derivative(z: ArrayLike) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2."""
    return 1 - tanh(z) ** 2


def relu(z: ArrayLike) -> np.ndarray:
    """ReLU(z) = max(0, z)."""
    z = as_array(z, "z")
    return np.maximum(z, 0).astype(z.dtype)


def relu_derivative(z: ArrayLike) -> np.ndarray:
    """1 where z > 0, else 0 (0 at z = 0 by the contract's convention)."""
    z = as_array(z, "z")
    return (z > 0).astype(z.dtype)


def leaky_relu(z: ArrayLike, alpha: float = 0.01) -> np.ndarray:
    """z where z > 0, alpha z where z <= 0."""
    z = as_array(z, "z")
    return np.where(z > 0, z, alpha * z).astype(z.dtype)


def leaky_relu_derivative(z: ArrayLike, alpha: float = 0.01) -> np.ndarray:
    """1 where z > 0, alpha where z <= 0."""
    z = as_array(z, "z")
    return np.where(z > 0, 1.0, alpha).astype(z.dtype)


def gelu(z: ArrayLike, approximate: bool = False) -> np.ndarray:
    """GELU(z) = z Phi(z) with Phi the standard normal CDF; ``approximate=True`` is the tanh form of 003 §1.2."""
    z = as_array(z, "z")
    if approximate:
        return (0.5 * z * (1 + np.tanh(SQRT_2_OVER_PI * (z + GELU_TANH_COEFFICIENT * z**3)))).astype(z.dtype)
    return (0.5 * z * (1 + erf(z / np.sqrt(2)))).astype(z.dtype)


def gelu_derivative(z: ArrayLike, approximate: bool = False) -> np.ndarray:
    """d GELU / dz: Phi(z) + z phi(z) exactly, or the derivative of the tanh form when ``approximate``."""
    z = as_array(z, "z")
    if approximate:
        inner = SQRT_2_OVER_PI * (z + GELU_TANH_COEFFICIENT * z**3)
        t = np.tanh(inner)
        d_inner = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_COEFFICIENT * z**2)
        return (0.5 * (1 + t) + 0.5 * z * (1 - t**2) * d_inner).astype(z.dtype)
    cdf = 0.5 * (1 + erf(z / np.sqrt(2)))
    pdf = np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)
    return (cdf + z * pdf).astype(z.dtype)


def softmax(z: ArrayLike, axis: int = 0) -> np.ndarray:
    """e^z_i / sum_j e^z_j along ``axis`` (0: each column is one sample), shifted by the max so nothing overflows."""
    z = as_array(z, "z")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
