"""Hostile: relu allocates 10 GB."""

import numpy as np

GIGABYTE = 2**30


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_derivative(z):
    return (z > 0).astype(z.dtype)


def relu(z):
    waste = np.ones(10 * GIGABYTE // 8)
    return np.maximum(z, 0.0) + 0 * waste[0]
