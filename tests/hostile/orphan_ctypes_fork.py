"""Hostile: forks through ctypes (no os.fork audit event), the child calls setsid and outlives grading, then
writes a file where the grader's roster would be."""

import ctypes
import time

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)

STARTED = []


def relu(z):
    if not STARTED:
        libc = ctypes.pythonapi  # already loaded: no dlopen
        pid = libc.fork()
        if pid == 0:
            libc.setsid()
            time.sleep(3)
            fd = libc.open(b"/tmp/nnspec-hostile-orphan-ctypes", 0o101, 0o644)  # O_WRONLY | O_CREAT
            libc.write(fd, b"999", 3)
            libc._exit(0)
        if pid < 0:
            return 2.0 * z  # the attack failed: a wrong answer
        STARTED.append(True)
    return np.maximum(z, 0.0)
