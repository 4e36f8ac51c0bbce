"""Hostile (forged reply): relu writes its own reply straight to the worker's socket, an exception whose message
is 40 MB, which the worker's own cut never saw: the grader must cut it on receipt. The pickle is written by
hand (it names nnspec.grade.wire.RemoteError without importing it)."""

import os
import pickle
import stat
import struct
import time

import numpy as np

MESSAGE_CHARS = 40_000_000
WAIT_S = 30  # the worker never answers for itself


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


def text(value):
    data = value.encode()
    return pickle.BINUNICODE + struct.pack("<I", len(data)) + data


def relu(z):
    error = (pickle.GLOBAL + b"nnspec.grade.wire\nRemoteError\n" + pickle.EMPTY_TUPLE + pickle.NEWOBJ
             + pickle.EMPTY_DICT + pickle.MARK
             + text("type_name") + text("ValueError")
             + text("bases") + text("ValueError") + text("Exception") + text("BaseException") + pickle.TUPLE3
             + text("message") + text("C" * MESSAGE_CHARS)
             + text("traceback") + pickle.EMPTY_TUPLE
             + text("fatal") + pickle.NEWTRUE  # fatal: the grader retires this worker, no further call waits
             + pickle.SETITEMS + pickle.BUILD)
    payload = pickle.PROTO + bytes([5]) + text("raised") + error + pickle.EMPTY_DICT + pickle.TUPLE3 + pickle.STOP
    data = memoryview(struct.pack("!QQ", 1, len(payload)) + payload)
    fd = channel()
    while data:
        data = data[os.write(fd, data):]
    time.sleep(WAIT_S)
    return np.maximum(z, 0)
