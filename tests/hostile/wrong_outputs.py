"""Hostile: wrong types, shapes and NaN: relu returns NaN, relu_derivative a list of the wrong shape."""

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu and relu_derivative are replaced below)


def relu_derivative(z):
    return [0.0]


def relu(z):
    return np.full(z.shape, np.nan)
