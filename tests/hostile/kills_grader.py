"""Hostile: relu tries to kill the grader (its parent process)."""

import os
import signal

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    os.kill(os.getppid(), signal.SIGKILL)
    return np.maximum(z, 0.0)
