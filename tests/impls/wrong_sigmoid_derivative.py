"""A submission with a classic bug: the sigmoid derivative evaluated on the activation sigma(z) instead of z."""

import numpy as np
from scipy.special import expit


def sigmoid(z):
    return expit(np.asarray(z, dtype=float))


def sigmoid_derivative(z):
    s = sigmoid(sigmoid(z))
    return s * (1 - s)
