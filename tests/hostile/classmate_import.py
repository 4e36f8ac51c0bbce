"""Hostile (batch mode): imports a classmate's submission from the same folder (tests copy good.py as alice.py)."""

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)

try:
    from alice import relu as _stolen
except ImportError:
    _stolen = None


def relu(z):
    if _stolen is None:
        return 2.0 * z  # the cheat failed: a wrong answer
    return _stolen(z)
