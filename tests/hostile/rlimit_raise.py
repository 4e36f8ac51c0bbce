"""Hostile: raises its soft limits back to the hard ones (and beyond), then allocates 5 GiB."""

import resource

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)

GIB = 2**30


def relu(z):
    for which in (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_NPROC):
        try:
            _, hard = resource.getrlimit(which)
            resource.setrlimit(which, (hard, hard))
            resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        except (ValueError, OSError):
            pass
    waste = np.ones(5 * GIB // 8)
    waste[::4096] = 2.0  # touch every page
    return np.maximum(z, 0.0) + 0 * waste[0]
