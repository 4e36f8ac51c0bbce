"""Correct but different: representations the contract's text leaves open, chosen the other way.

dropout_forward returns a BOOLEAN keep-mask (rng.random(A.shape) >= p) and applies it with np.where, so A_out
keeps A's dtype; dropout_backward uses that boolean mask the same way. perceptron_predict returns
np.where(score > 0, 1, 0), a 0-d NumPy integer array (it passes operator.index: an int as far as Python is
concerned). relative_error returns the integer 0 when both arrays are 0. Everything else is the reference's.
"""

import numpy as np
from numpy.typing import ArrayLike

from reference import *  # noqa: F403  (every contract function this variant does not override)
from reference.regularization import _check_p


def dropout_forward(A: ArrayLike, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    A = np.asarray(A)
    _check_p(p)
    keep = rng.random(A.shape) >= p
    return np.where(keep, A / (1 - p), 0).astype(A.dtype), keep


def dropout_backward(dA_out: ArrayLike, mask: ArrayLike, p: float) -> np.ndarray:
    dA_out = np.asarray(dA_out)
    _check_p(p)
    return np.where(np.asarray(mask, dtype=bool), dA_out / (1 - p), 0).astype(dA_out.dtype)


def perceptron_predict(w: ArrayLike, b: float, x: ArrayLike) -> np.ndarray:
    return np.where(np.dot(w, x) + b > 0, 1, 0)


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    if scale == 0:
        return 0
    return float(np.linalg.norm(a - b) / scale)
