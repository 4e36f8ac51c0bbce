"""Correct but different: softmax through the log-sum-exp, exp(z - logsumexp(z)) along the axis.

log softmax(z) = z - log sum exp(z) is finite for any finite z (scipy's logsumexp shifts by the maximum itself),
and its exponential is at most 1, so nothing overflows. Everything else is the reference's.
"""

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import logsumexp

from reference import *  # noqa: F403  (every contract function this variant does not override)


def softmax(z: ArrayLike, axis: int = 0) -> np.ndarray:
    array = np.asarray(z)
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    return np.exp(array - logsumexp(array, axis=axis, keepdims=True))
