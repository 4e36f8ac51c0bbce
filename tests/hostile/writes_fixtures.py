"""Hostile: relu writes into the repository's fixtures/ folder and next to itself."""

from pathlib import Path

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)

REPOSITORY = Path(__file__).resolve().parents[2]


def relu(z):
    (REPOSITORY / "fixtures" / "WRITTEN_BY_SUBMISSION").write_text("tampered")
    (Path(__file__).parent / "WRITTEN_BY_SUBMISSION").write_text("tampered")
    return np.maximum(z, 0.0)
