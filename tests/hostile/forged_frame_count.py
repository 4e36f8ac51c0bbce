"""Hostile (forged reply): relu writes a frame header straight to the worker's socket announcing 2**64 - 1
frames (a malformed frame count)."""

import struct

import numpy as np
from _forged import send


def relu(z):
    send(struct.pack("!Q", 2**64 - 1))
    return np.maximum(z, 0)
