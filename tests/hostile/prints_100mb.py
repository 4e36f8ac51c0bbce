"""Hostile: relu prints 100 MB to stdout on its first call, then behaves."""

import sys

import numpy as np

PRINTED = []


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_derivative(z):
    return (z > 0).astype(z.dtype)


def relu(z):
    if not PRINTED:
        PRINTED.append(True)
        sys.stdout.write("x" * 100_000_000 + "\n")
        sys.stdout.flush()
    return np.maximum(z, 0.0)
