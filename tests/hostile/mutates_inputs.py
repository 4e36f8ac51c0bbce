"""Hostile: relu clips its argument in place and returns it."""

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    np.maximum(z, 0.0, out=z)
    return z
