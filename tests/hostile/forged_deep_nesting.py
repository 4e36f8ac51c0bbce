"""Hostile (forged reply): relu writes its own reply straight to the worker's socket: a list nested 100,000
deep (a pickle of 200 KB that the pickle machine builds without recursion, and the grader's code would not)."""

import os
import pickle
import stat
import struct
import time

import numpy as np

DEPTH = 100_000
WAIT_S = 30  # the worker never answers for itself: the grader must reject the forged reply


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
    nested = pickle.EMPTY_LIST * DEPTH + pickle.APPEND * (DEPTH - 1)  # [[[...]]]
    payload = (pickle.PROTO + bytes([5]) + pickle.SHORT_BINUNICODE + bytes([6]) + b"result" + nested
               + pickle.EMPTY_DICT + pickle.TUPLE3 + pickle.STOP)
    os.write(channel(), struct.pack("!QQ", 1, len(payload)) + payload)
    time.sleep(WAIT_S)
    return np.maximum(z, 0)
