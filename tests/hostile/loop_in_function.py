"""Hostile: relu never returns (an endless loop)."""

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    while True:
        pass
