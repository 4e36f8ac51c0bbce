"""Hostile: relu crashes the interpreter with a segmentation fault (via ctypes)."""

import ctypes

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    ctypes.string_at(0)
    return z
