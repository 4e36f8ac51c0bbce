"""Hostile (forged reply): relu writes its own reply straight to the worker's socket, an exception whose message
is 40 MB, which the worker's own cut never saw: the grader must cut it on receipt. The pickle is written by
hand (it names nnspec.grade.wire.RemoteError without importing it)."""

import pickle
import struct

import numpy as np
from _forged import send_reply

MESSAGE_CHARS = 40_000_000


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
    send_reply(payload)
    return np.maximum(z, 0)
