"""Hostile: wrong types, shapes and NaN: relu returns NaN, relu_derivative a list of the wrong shape."""

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_derivative(z):
    return [0.0]


def relu(z):
    return np.full(z.shape, np.nan)
