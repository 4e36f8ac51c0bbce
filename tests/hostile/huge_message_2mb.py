"""Hostile (huge message): relu raises an exception with a 2 MB message of many lines, and a traceback as long
(once copied whole into every report)."""

import numpy as np

LINES = 20_000


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def deep(level):
    if level == 0:
        raise ValueError("\n".join(f"line {i}: " + "x" * 90 for i in range(LINES)))
    return deep(level - 1)


def relu(z):
    return deep(400)
