"""Hostile: relu recurses without end."""

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    return relu(z)
