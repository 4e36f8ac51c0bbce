"""Hostile (huge message): relu raises an exception whose message is 40 MB (once: no report within 300 s)."""

import numpy as np

MESSAGE_BYTES = 40_000_000


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def relu(z):
    raise ValueError("A" * MESSAGE_BYTES)
