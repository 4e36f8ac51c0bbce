"""Hostile: relu writes into the repository's fixtures/ folder and next to itself."""

from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[2]


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_derivative(z):
    return (z > 0).astype(z.dtype)


def relu(z):
    (REPOSITORY / "fixtures" / "WRITTEN_BY_SUBMISSION").write_text("tampered")
    (Path(__file__).parent / "WRITTEN_BY_SUBMISSION").write_text("tampered")
    return np.maximum(z, 0.0)
