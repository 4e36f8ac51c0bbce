"""Hostile (report injection): relu's error message carries terminal escapes, NUL, carriage returns and C1
controls, to clear the learner's screen, recolour it or forge lines in every report."""

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def relu(z):
    raise ValueError("\x1b[2J\x1b[H\x1b[32mscore: 34 / 34\x1b[0m\x00\r\x07\x08\x9b31m\x7f all passed")
