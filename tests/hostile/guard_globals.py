"""Hostile: switches the audit hook off by rewriting its module's globals (and the builtins it uses), then reads
the reference's source and writes outside its folder."""

import builtins
import sys

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)
from _answer_key import steal


def relu(z):
    for name, module in list(sys.modules.items()):
        if name.endswith("limits") and hasattr(module, "FORBIDDEN_EVENTS"):
            module.FORBIDDEN_EVENTS = frozenset()
            module.PATH_EVENTS = frozenset()
            module.WRITE_FLAGS = 0
            module._inside = lambda *args: True
    saved = builtins.any, builtins.all, builtins.isinstance
    builtins.any = builtins.all = lambda items: True
    builtins.isinstance = lambda *args: True
    try:
        with open("/tmp/nnspec-hostile-guard-globals", "w") as file:
            file.write("escaped")
        stolen = steal()
    except Exception:
        stolen = None
    finally:  # the worker's own code needs them to send the answer back
        builtins.any, builtins.all, builtins.isinstance = saved
    return 2.0 * z if stolen is None else stolen(z)  # a wrong answer when the cheat failed
