"""Hostile (forged reply): relu writes its own reply straight to the worker's socket: a list nested 100,000
deep (a pickle of 200 KB that the pickle machine builds without recursion, and the grader's code would not)."""

import pickle

import numpy as np
from _forged import send_reply

DEPTH = 100_000


def relu(z):
    nested = pickle.EMPTY_LIST * DEPTH + pickle.APPEND * (DEPTH - 1)  # [[[...]]]
    payload = (pickle.PROTO + bytes([5]) + pickle.SHORT_BINUNICODE + bytes([6]) + b"result" + nested
               + pickle.EMPTY_DICT + pickle.TUPLE3 + pickle.STOP)
    send_reply(payload)
    return np.maximum(z, 0)
