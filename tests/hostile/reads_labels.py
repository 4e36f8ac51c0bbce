"""Hostile: relu reads the MNIST test labels from disk (as a submission faking accuracy would)."""

from pathlib import Path

import numpy as np

LABELS = Path(__file__).resolve().parents[2] / "fixtures" / "mnist" / "t10k-labels-idx1-ubyte.gz"


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_derivative(z):
    return (z > 0).astype(z.dtype)


def relu(z):
    LABELS.read_bytes()
    return np.maximum(z, 0.0)
