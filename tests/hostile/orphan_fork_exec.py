"""Hostile: starts a new session's process with _posixsubprocess.fork_exec (no audit event) that outlives grading,
then writes a file where the grader's roster would be."""

import _posixsubprocess
import os
import sys

import numpy as np
from _activations import *  # noqa: F403  (the correct functions; relu is replaced below)

LATER = "import time; time.sleep(3); open('/tmp/nnspec-hostile-orphan-fork-exec', 'w').write('999')"
STARTED = []


def relu(z):
    if not STARTED:
        try:
            args = [sys.executable, "-S", "-c", LATER, "nnspec-hostile-orphan"]
            low, high = os.pipe()
            _posixsubprocess.fork_exec(
                args, [os.fsencode(sys.executable)], True, (), None, None, -1, -1, -1, -1, -1, -1, low, high,
                *_tail())
            STARTED.append(True)
        except Exception:
            return 2.0 * z  # the attack failed: a wrong answer
    return np.maximum(z, 0.0)


def _tail():
    """fork_exec's last arguments, from restore_signals and call_setsid on, differ between Python versions."""
    if sys.version_info >= (3, 11):
        return (True, True, -1, -1, None, -1, -1, None, False)
    return (True, True, -1, None, -1, -1, None)
