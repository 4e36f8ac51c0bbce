"""What the forged_* hostile submissions share: writing a forged message straight to the worker's socket.

Not a submission itself (given to every worker through tests/hostile/grading.toml's [worker] paths, as
_activations.py is). Each forged_* submission's relu sends its message with ``send_reply`` or ``send`` and then
waits: the worker never answers for itself, so the grader must reject the forged message.
"""

import os
import stat
import struct
import time

WAIT_S = 30
FIRST_FD, LAST_FD = 3, 1024  # past stdin, stdout and stderr; the worker's usual descriptor limit


def channel():
    """The worker's socket to the grader: the only socket among its open files."""
    for fd in range(FIRST_FD, LAST_FD):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            pass
    raise RuntimeError("no socket found")


def send(data):
    """Write ``data`` whole to the worker's socket, then wait out the grader."""
    view = memoryview(data)
    fd = channel()
    while view:
        view = view[os.write(fd, view):]
    time.sleep(WAIT_S)


def send_reply(payload):
    """A message of one frame: the wire's header (1 frame, ``len(payload)`` bytes), then ``payload``."""
    send(struct.pack("!QQ", 1, len(payload)) + payload)
