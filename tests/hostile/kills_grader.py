"""Hostile: relu tries to kill the grader (its parent process)."""

import os
import signal

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_derivative(z):
    return (z > 0).astype(z.dtype)


def relu(z):
    os.kill(os.getppid(), signal.SIGKILL)
    return np.maximum(z, 0.0)
