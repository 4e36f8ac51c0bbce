"""Hostile: relu reads the grader's environment and memory through /proc (where test labels would live)."""

import os

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    with open(f"/proc/{os.getppid()}/environ", "rb") as environment:
        environment.read()
    with open(f"/proc/{os.getppid()}/mem", "rb") as memory:
        memory.read(1)
    return np.maximum(z, 0.0)
