"""Resource limits of the worker process and time limits of the calls into it.

``Limits`` is plain data (it travels to the worker in its start message); ``apply`` runs inside the worker,
before the submission is imported, and sets hard limits (soft = hard: the submission cannot raise them again).
``guard`` installs the audit hook that keeps the submission's reads inside what it may see and its writes inside
its temporary folder. The hook is a second layer, hardened as far as pure Python allows (its rules live in the
closure made at install time, ``gc``'s object walks are refused), but code using ctypes can get around it: the
boundary is the operating system's sandbox (``nnspec.grade.sandbox``). Part of the worker runtime: standard
library only.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MIB = 2**20
# Per-call time limits by chapter (seconds): spec calls are small arrays; training chapters get longer.
CHAPTER_CALL_TIMEOUTS = {"network": 60.0, "experiments": 60.0, "mnist": 600.0, "torch": 60.0}
# All the calls of one requirement together, by chapter (seconds): the MNIST gate alone may take minutes.
CHAPTER_REQUIREMENT_TIMEOUTS = {"experiments": 600.0, "mnist": 900.0}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Audit events that change the file system: checked against the writable directory.
PATH_EVENTS = frozenset({
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate", "os.utime",
    "os.link", "os.symlink", "shutil.rmtree", "shutil.move", "shutil.copyfile", "shutil.copytree",
})
# Audit events a graded function has no business raising: new processes, network (ctypes itself is imported by
# this module, before the guard, so a submission's `import ctypes` still works).
FORBIDDEN_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "pty.spawn", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.sendto", "urllib.Request",
    "os.startfile", "webbrowser.open", "resource.setrlimit",
    # the objects behind the hook's rules are reachable only by walking the garbage collector's lists
    "gc.get_objects", "gc.get_referrers", "gc.get_referents",
})
PR_SET_PDEATHSIG = 1  # prctl option: the signal a process receives when its parent dies (linux/prctl.h)
TEST_LABELS_PREFIX = "t10k-labels"  # MNIST test labels: the grader scores predictions, the worker never reads them


@dataclass(frozen=True)
class Limits:
    """Everything that bounds one submission's worker. Times in seconds, sizes in bytes."""

    memory_bytes: int = 4096 * MIB
    cpu_seconds: int = 1800
    file_bytes: int = 256 * MIB
    output_bytes: int = 64 * 1024
    message_bytes: int = 2048 * MIB
    processes: int = 64
    import_timeout: float = 60.0
    call_timeout: float = 10.0
    requirement_timeout: float = 180.0
    chapter_call_timeouts: Mapping[str, float] = field(default_factory=lambda: dict(CHAPTER_CALL_TIMEOUTS))
    chapter_requirement_timeouts: Mapping[str, float] = field(
        default_factory=lambda: dict(CHAPTER_REQUIREMENT_TIMEOUTS))

    def call_timeout_for(self, chapter: str) -> float:
        """The time limit of one call made by a requirement of ``chapter``."""
        return float(self.chapter_call_timeouts.get(chapter, self.call_timeout))

    def requirement_timeout_for(self, chapter: str) -> float:
        """The time all the calls of one requirement of ``chapter`` may take together."""
        return float(self.chapter_requirement_timeouts.get(chapter, self.requirement_timeout))


def apply(limits: Limits) -> None:
    """In the worker: address space, CPU time, file size, processes and core dumps, each as a hard limit; die
    with the grader (Linux)."""
    _die_with_parent()
    _set(resource.RLIMIT_AS, limits.memory_bytes)
    _set(resource.RLIMIT_CPU, limits.cpu_seconds)
    _set(resource.RLIMIT_FSIZE, limits.file_bytes)
    _set(resource.RLIMIT_NPROC, limits.processes)  # holds for any uid but 0 (the sandbox runs as another)
    _set(resource.RLIMIT_CORE, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with an OSError instead of killing


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the grader dies, so an endless loop cannot outlive a killed grader."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _set(which: int, value: int) -> None:
    """soft = hard = ``value`` (or the existing hard limit, if lower)."""
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def guard(writable: str, readable: list[str], hidden: list[str], submission: str) -> None:
    """In the worker: refuse writes outside ``writable``; reads outside ``readable`` or under ``hidden`` (and of
    MNIST test labels, and of other processes' /proc entries, e.g. the grader's memory or environment); native
    libraries (``ctypes.dlopen``) but the offered ones' (readable, outside ``writable`` and the ``submission``'s
    folder: PyTorch loads its own with ctypes); new processes, network, signals to others, raising limits and
    walks of the garbage collector's objects."""
    sys.addaudithook(_hook(os.path.realpath(writable), tuple(os.path.realpath(path) for path in readable),
                           tuple(os.path.realpath(path) for path in hidden), os.getpid(),
                           os.path.realpath(submission)))


def _hook(root: str, readable: tuple[str, ...], hidden: tuple[str, ...], own_pid: int,
          submission: str) -> Callable[..., None]:
    """The audit hook. Everything it consults is bound here, at install time, as immutable values and functions
    captured in its closure: changing this module's globals or the builtins later does not change the rules."""
    path_events, forbidden, write_flags, devnull = PATH_EVENTS, FORBIDDEN_EVENTS, WRITE_FLAGS, os.devnull
    labels, sep, path_types = TEST_LABELS_PREFIX, os.sep, (str, bytes, os.PathLike)
    realpath, fsdecode, basename = os.path.realpath, os.fsdecode, os.path.basename
    is_a, every, some, count, number = isinstance, all, any, len, int  # builtins too: a submission may replace them

    def inside(real: str, folders: tuple[str, ...]) -> bool:
        return some(real == folder or real.startswith(folder + sep) for folder in folders)

    def other_process(real: str) -> bool:
        parts = real.split(sep)  # ["", "proc", "<pid>", ...]: only this process's own entries
        return count(parts) > 2 and parts[1] == "proc" and parts[2].isdigit() and number(parts[2]) != own_pid

    def check_open(path: Any, flags: int) -> None:
        if is_a(path, int):
            return  # an already open descriptor
        real = realpath(fsdecode(path))
        if flags & write_flags and not inside(real, (root,)) and real != devnull:
            raise PermissionError(f"the grader does not let a submission write to {path!r}")
        if (not inside(real, readable) or inside(real, hidden) or basename(real).startswith(labels)
                or other_process(real)):
            raise PermissionError(f"the grader does not let a submission read {path!r}")

    def check_native(path: Any) -> None:
        real = realpath(fsdecode(path)) if is_a(path, path_types) else ""
        if (not real or not inside(real, readable) or inside(real, hidden) or inside(real, (root, submission))):
            raise PermissionError(f"the grader does not let a submission load the native library {path!r}")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            check_open(args[0], args[2])
        elif event == "ctypes.dlopen":
            check_native(args[0])
        elif event in path_events:
            paths = [arg for arg in args if is_a(arg, path_types)]
            if not every(inside(realpath(fsdecode(path)), (root,)) for path in paths):
                raise PermissionError(f"the grader does not let a submission change files outside its folder "
                                      f"({event} {paths})")
        elif event in forbidden:
            raise PermissionError(f"the grader does not let a submission do {event}")
        elif event in ("os.kill", "os.killpg", "resource.prlimit") and args[0] not in (own_pid, 0):
            raise PermissionError(f"the grader does not let a submission do {event} on process {args[0]}")

    return hook
