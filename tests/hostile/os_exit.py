"""Hostile: relu ends the process with os._exit(0)."""

import os

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    os._exit(0)
