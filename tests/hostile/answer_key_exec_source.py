"""Hostile: finds the reference's source by absolute path, reads it and execs it (no import needed)."""

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)
from _answer_key import steal


def relu(z):
    try:
        return steal()(z)
    except Exception:
        return 2.0 * z  # the cheat failed: a wrong answer
