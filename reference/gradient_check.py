"""Numerical gradient checking (documents 002 "gradient checking" and 004 "Numerical Gradient Checking")."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from reference._checks import as_array


def numerical_gradient(f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = 1e-5) -> np.ndarray:
    """(f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every entry i: an array shaped like x.

    f is evaluated on a private float64 copy of x, so the caller's x is never changed.
    """
    point = as_array(x, "x").astype(np.float64)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + eps
        f_plus = float(f(point))
        point[index] = original - eps
        f_minus = float(f(point))
        point[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    """||a - b|| / max(||a||, ||b||), and 0 when both are 0."""
    a, b = as_array(a, "a"), as_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}; got {b.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
