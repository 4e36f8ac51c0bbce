"""Hostile: relu reads the MNIST test labels from disk (as a submission faking accuracy would)."""

from pathlib import Path

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)

LABELS = Path(__file__).resolve().parents[2] / "fixtures" / "mnist" / "t10k-labels-idx1-ubyte.gz"


def relu(z):
    LABELS.read_bytes()
    return np.maximum(z, 0.0)
