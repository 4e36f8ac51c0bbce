"""Resource limits of the worker process and time limits of the calls into it.

``Limits`` is plain data (it travels to the worker in its start message); ``apply`` runs inside the worker,
before the submission is imported, and ``guard`` installs the audit hook that keeps the submission's file and
process activity inside the worker's temporary directory. The audit hook is defence in depth against honest
mistakes and casual cheating, not a security boundary: code using ctypes can get around it. Untrusted code
from strangers needs an OS-level sandbox (container, VM) around the whole grader as well.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
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
# Audit events a graded function has no business raising: new processes, network, loading native libraries
# (ctypes itself is imported by this module, before the guard, so a submission's `import ctypes` still works).
FORBIDDEN_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "pty.spawn", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.sendto", "urllib.Request",
    "ctypes.dlopen", "os.startfile", "webbrowser.open",
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
    """In the worker: address space, CPU time, file size and core dumps; die with the grader (Linux)."""
    _die_with_parent()
    _set(resource.RLIMIT_AS, limits.memory_bytes)
    _set(resource.RLIMIT_CPU, limits.cpu_seconds)
    _set(resource.RLIMIT_FSIZE, limits.file_bytes)
    _set(resource.RLIMIT_CORE, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with an OSError instead of killing


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the grader dies, so an endless loop cannot outlive a killed grader."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _set(which: int, value: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def guard(writable: str, unreadable: list[str]) -> None:
    """In the worker: refuse writes outside ``writable``, reads under ``unreadable`` (and of other processes'
    /proc entries, e.g. the grader's memory or environment), new processes, network and signals to others."""
    rules = _Rules(os.path.realpath(writable), [os.path.realpath(path) for path in unreadable], os.getpid())
    sys.addaudithook(rules.hook)


@dataclass(frozen=True)
class _Rules:
    root: str
    hidden: list[str]
    own_pid: int

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            self.check_open(*args)
        elif event in PATH_EVENTS:
            paths = [arg for arg in args if isinstance(arg, (str, bytes, os.PathLike))]
            if not all(self.writable(path) for path in paths):
                raise PermissionError(f"the grader does not let a submission change files outside its folder "
                                      f"({event} {paths})")
        elif event in FORBIDDEN_EVENTS:
            raise PermissionError(f"the grader does not let a submission do {event}")
        elif event in ("os.kill", "os.killpg") and args[0] not in (self.own_pid, 0):
            raise PermissionError(f"the grader does not let a submission send signals ({event} {args[0]})")

    def check_open(self, path: Any, mode: Any, flags: int) -> None:
        if isinstance(path, int):
            return  # an already open descriptor
        if flags & WRITE_FLAGS and not self.writable(path) and path != os.devnull:
            raise PermissionError(f"the grader does not let a submission write to {path!r}")
        if not self.readable(path):
            raise PermissionError(f"the grader does not let a submission read {path!r}")

    def writable(self, path: Any) -> bool:
        return _inside(_real(path), self.root)

    def readable(self, path: Any) -> bool:
        real = _real(path)
        if any(_inside(real, folder) for folder in self.hidden) or Path(real).name.startswith(TEST_LABELS_PREFIX):
            return False
        parts = Path(real).parts  # ("/", "proc", "<pid>", ...): only this process's own entries
        return not (len(parts) > 2 and parts[1] == "proc" and parts[2].isdigit() and int(parts[2]) != self.own_pid)


def _real(path: Any) -> str:
    return os.path.realpath(os.fsdecode(path))


def _inside(real: str, folder: str) -> bool:
    return real == folder or real.startswith(folder + os.sep)
