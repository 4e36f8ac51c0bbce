"""Hostile: relu prints 100 MB to stdout on its first call, then behaves."""

import sys

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)

PRINTED = []


def relu(z):
    if not PRINTED:
        PRINTED.append(True)
        sys.stdout.write("x" * 100_000_000 + "\n")
        sys.stdout.flush()
    return np.maximum(z, 0.0)
