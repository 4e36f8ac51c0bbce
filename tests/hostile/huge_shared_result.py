"""Hostile (huge message): relu returns one 1 MiB array referenced 4096 times. The pickle is 1 MiB, but the
value is 4 GiB: the grader would allocate it all when the spec turns it into an array."""

import numpy as np

REFERENCES = 4096


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def relu(z):
    return [np.zeros(2**17)] * REFERENCES
