"""Hostile (package layout): the test adds helper.py, a symlink to a file outside the package that imports torch."""

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def relu(z):
    return np.maximum(z, 0).astype(z.dtype)
