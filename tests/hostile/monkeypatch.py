"""Hostile: relu is wrong and tries to disarm the checks by patching numpy.testing, numpy, builtins and pytest
(when the worker has it: it does not)."""

import builtins
import types

import numpy as np
import numpy.testing

try:
    import pytest
except ImportError:
    pytest = types.SimpleNamespace()
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    numpy.testing.assert_allclose = lambda *args, **kwargs: None
    np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
    np.allclose = lambda *args, **kwargs: True
    pytest.fail = lambda *args, **kwargs: None
    builtins.AssertionError = type("Harmless", (Exception,), {})
    return 2.0 * z
