"""Numerical gradient checking (documents 002 "gradient checking" and 004 "Numerical Gradient Checking")."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from reference._checks import as_array


def _perturbable(x: object) -> np.ndarray:
    """``x`` itself when it can hold x +- eps in place (a writable float array), else a ValueError or TypeError."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a NumPy float array (numerical_gradient perturbs it in place); "
                        f"got {type(x).__name__}")
    if x.dtype not in (np.float32, np.float64):
        raise ValueError(f"x must be a float32 or float64 array: numerical_gradient perturbs it in place by "
                         f"+-eps, which an array of dtype {x.dtype} cannot hold; pass x.astype(float)")
    if not x.flags.writeable:
        raise ValueError("x must be writable: numerical_gradient perturbs it in place (and restores it); "
                         "got a read-only array")
    return x


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """(f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every entry i: an array shaped like x, of x's dtype.

    As in document 004, x ITSELF is perturbed in place, one entry at a time, and each entry is put back bit for
    bit, so f may read its argument or close over x (``lambda _: cost(parameters)`` with x = parameters["W1"]).
    """
    x = _perturbable(x)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = float(f(x))
        x[index] = original - eps
        f_minus = float(f(x))
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    """||a - b|| / max(||a||, ||b||), and 0 when both are 0."""
    a, b = as_array(a, "a"), as_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}; got {b.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
