"""Hostile (forged reply): relu writes a frame header straight to the worker's socket announcing 2**64 - 1
frames (a malformed frame count)."""

import os
import stat
import struct
import time

import numpy as np

WAIT_S = 30  # the worker never answers for itself: the grader must reject the forged header


def channel():
    """The worker's socket to the grader: the only socket among its open files (self-contained, like every
    hostile submission: it may not import a helper from beside it)."""
    for fd in range(3, 1024):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            pass
    raise RuntimeError("no socket found")


def relu(z):
    os.write(channel(), struct.pack("!Q", 2**64 - 1))
    time.sleep(WAIT_S)
    return np.maximum(z, 0)
