"""Correct but different: the sigmoid is scipy.special.expit, its derivative expit(z) expit(-z).

sigma'(z) = sigma(z) (1 - sigma(z)) = sigma(z) sigma(-z): the second form never subtracts from 1, so it keeps
its relative accuracy where sigma(z) is close to 1. Everything else is the reference's.
"""

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from reference import *  # noqa: F403  (every contract function this variant does not override)


def _floats(z: ArrayLike) -> np.ndarray:
    """z as a float array: float32 and float64 kept, anything else as float64."""
    array = np.asarray(z)
    return array if array.dtype in (np.float32, np.float64) else array.astype(np.float64)


def sigmoid(z: ArrayLike) -> np.ndarray:
    return expit(_floats(z))


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    z = _floats(z)
    return expit(z) * expit(-z)
