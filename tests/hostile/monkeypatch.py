"""Hostile: relu is wrong and tries to disarm the checks by patching numpy.testing, numpy, builtins and pytest."""

import builtins

import numpy as np
import numpy.testing
import pytest


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_derivative(z):
    return (z > 0).astype(z.dtype)


def relu(z):
    numpy.testing.assert_allclose = lambda *args, **kwargs: None
    np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
    np.allclose = lambda *args, **kwargs: True
    pytest.fail = lambda *args, **kwargs: None
    builtins.AssertionError = type("Harmless", (Exception,), {})
    return 2.0 * z
