"""Hostile: relu crashes the interpreter with a segmentation fault (via ctypes)."""

import ctypes

import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu_derivative(z):
    return (z > 0).astype(z.dtype)


def relu(z):
    ctypes.string_at(0)
    return z
