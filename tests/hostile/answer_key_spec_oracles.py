"""Hostile: re-exports the spec's oracles (its independent implementations) as the submission's functions."""

import importlib

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    try:
        oracles = importlib.import_module("spec.oracles")
        globals().update(vars(oracles))  # every oracle becomes the submission's own
        return oracles.relu(z)
    except ImportError:
        return 2.0 * z  # the cheat failed: a wrong answer
