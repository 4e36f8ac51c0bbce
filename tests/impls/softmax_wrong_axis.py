"""A submission with a classic bug: softmax normalised over the rows (axis 1) instead of the sample columns."""

import numpy as np


def softmax(z, axis=0):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)
