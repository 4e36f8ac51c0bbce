"""Hostile (report injection): relu's error message holds lone surrogates, which cannot be written as UTF-8
(a lone surrogate once crashed the JUnit writer, leaving a 0-byte file and no step summary)."""

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def relu(z):
    raise ValueError("broken \ud800 text \udfff with \ufffe a non-character")
