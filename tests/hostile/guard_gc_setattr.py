"""Hostile: finds the audit hook's frozen rules through the garbage collector and rewrites them with
object.__setattr__, then reads the reference's source."""

import gc

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)
from _answer_key import steal


def relu(z):
    try:
        for thing in gc.get_objects():
            if hasattr(thing, "hidden") and hasattr(thing, "own_pid"):
                object.__setattr__(thing, "hidden", [])
                object.__setattr__(thing, "root", "/")
        for cell_owner in gc.get_referrers(open):
            del cell_owner
        return steal()(z)
    except Exception:
        return 2.0 * z  # the cheat failed: a wrong answer
