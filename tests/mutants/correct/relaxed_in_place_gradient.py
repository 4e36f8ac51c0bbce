"""Correct but different: document 004's numerical_gradient, natively in x's precision, and integer 0/1 results.

numerical_gradient is document 004's own: grad = np.zeros_like(x), np.nditer over x, x nudged IN PLACE and put
back; for a float32 x the two values of f are rounded to float32 and differenced and divided in float32, so the
gradient is float32. dropout_forward draws an INTEGER keep-mask with rng.binomial(1, 1 - p), cast to A's dtype
only where it multiplies A, and dropout_backward does the same with dA_out. perceptron_predict returns a NumPy
integer (np.int64). Everything else is the reference's.
"""

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from reference import *  # noqa: F403  (every contract function this variant does not override)
from reference.regularization import _check_p


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    real = x.dtype.type  # float32 or float64: f's values and the difference are taken in x's own precision
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        idx = it.multi_index
        old_val = x[idx]
        x[idx] = old_val + eps
        f_plus = real(f(x))
        x[idx] = old_val - eps
        f_minus = real(f(x))
        x[idx] = old_val
        grad[idx] = (f_plus - f_minus) / (real(2) * real(eps))
        it.iternext()
    return grad


def dropout_forward(A: ArrayLike, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    A = np.asarray(A)
    _check_p(p)
    mask = rng.binomial(1, 1 - p, size=A.shape)
    return A * mask.astype(A.dtype) / (1 - p), mask


def dropout_backward(dA_out: ArrayLike, mask: ArrayLike, p: float) -> np.ndarray:
    dA_out = np.asarray(dA_out)
    _check_p(p)
    return dA_out * np.asarray(mask).astype(dA_out.dtype) / (1 - p)


def perceptron_predict(w: ArrayLike, b: float, x: ArrayLike) -> np.integer:
    return np.int64(np.dot(w, x) + b > 0)
