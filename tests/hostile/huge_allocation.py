"""Hostile: relu allocates 10 GB."""

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)

GIGABYTE = 2**30


def relu(z):
    waste = np.ones(10 * GIGABYTE // 8)
    return np.maximum(z, 0.0) + 0 * waste[0]
