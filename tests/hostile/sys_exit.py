"""Hostile: relu calls sys.exit(0)."""

import sys

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    sys.exit(0)
