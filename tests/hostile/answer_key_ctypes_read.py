"""Hostile: reads the reference's source with libc's open and read through ctypes (no Python-level open, so no
audit event), then execs it."""

import ctypes

from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)
from _answer_key import steal

SIZE = 1 << 20


def read(path):
    libc = ctypes.pythonapi  # already loaded: no dlopen
    fd = libc.open(str(path).encode(), 0)
    if fd < 0:
        raise OSError(f"cannot open {path}")
    buffer = ctypes.create_string_buffer(SIZE)
    count = libc.read(fd, buffer, SIZE)
    libc.close(fd)
    return buffer.raw[:count].decode()


def relu(z):
    try:
        return steal(read)(z)
    except Exception:
        return 2.0 * z  # the cheat failed: a wrong answer
