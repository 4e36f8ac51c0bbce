"""Hostile: relu reads the grader's environment and memory through /proc (where test labels would live)."""

import os

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_derivative(z):
    return (z > 0).astype(z.dtype)


def relu(z):
    with open(f"/proc/{os.getppid()}/environ", "rb") as environment:
        environment.read()
    with open(f"/proc/{os.getppid()}/mem", "rb") as memory:
        memory.read(1)
    return np.maximum(z, 0.0)
