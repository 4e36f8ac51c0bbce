"""Control: the correct activations, relu included; every selected requirement passes."""

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    return np.maximum(z, 0.0)
