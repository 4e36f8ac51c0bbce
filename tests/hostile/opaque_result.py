"""Hostile: relu returns an object whose unpickling would run a command in the grader."""

import os

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/nnspec-hostile-pwned",))


def relu(z):
    return Payload()
