"""The grader's side of isolation: ``IsolatedImplementation`` looks like ``spec.impl.Implementation`` to the spec,
but every call runs in a worker process (``nnspec.grade.worker``) under time, memory and CPU limits.

A call that times out, crashes the worker, or ends in an exception after which the worker cannot be trusted
(SystemExit, KeyboardInterrupt, RecursionError, MemoryError) fails the running requirement with a message that
says what happened; the worker is restarted (the submission re-imported) for the next requirement, and the rest
of the running requirement, all its parametrized cases included, fails at once with the same message instead of
waiting again. A function that timed out (its own call limit, not a requirement's budget) or crashed the worker
twice is not called again in the same grade: later calls to it fail at once, naming the earlier failure.

Time limits hold per requirement, not per pytest item: a requirement's budget is shared by all its cases
(``begin_requirement`` carries what they spent), and a restart's import counts against it.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import inspect
import os
import pickle
import re
import signal
import socket
import subprocess
import threading
import time
import weakref
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NoReturn

import numpy as np
import pytest

from nnspec.grade import drivers, sandbox, scope, unpickle, values, wire
from nnspec.grade.limits import Limits
from nnspec.profiles import Profile, calls
from spec.assertions import describe_call, header
from spec.calls import observed_call
from spec.impl import CONTRACT_FUNCTIONS, NOT_IMPLEMENTED, Batch, Chain, Earlier, ImplementationLoadError, resolved
from spec.requirements import current

REPRODUCTION_INTRO = "the last call into the submission, to try yourself"  # ends a failure's message
KILL_GRACE_S = 2.0  # how long a worker told to exit may take before it is killed
MIN_CALL_TIME_S = 0.05  # a call is never given less than this, even at the end of a requirement's budget
READ_CHUNK = 1 << 16
WORKER_ENV_KEEP = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")
WORKER_ENV = {  # one BLAS thread: the machine's cores are shared; fixed hash seed: identical runs
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
}


TIMEOUT_ADVICE = (". Look for an endless or very slow loop; the submission's process was stopped and restarted for "
                  "the next requirement")
BATCH_SHARE = 2  # a batch's message may fill at most 1 / BATCH_SHARE of the largest message the worker takes
CRASHES_BEFORE_BAR = 2  # a function that crashed the worker this many times is not called again in the grade


class WorkerLostError(Exception):
    """The worker stopped answering: timed out, crashed, exited, or broke the protocol."""


class WorkerStartError(ImplementationLoadError):
    """The worker could not start, for the grader's own reasons (not the submission's): exit code 2."""


WORKER_START_FAILED = ("the grader could not start the submission's process (a problem of the grading machine "
                       "or its installation, not of the submission)")
START_LINES = 5  # the last lines the failed worker printed (bubblewrap's or Python's own error), in the report
START_TIMEOUT_S = 60.0  # the worker's own start (sandbox, interpreter, NumPy), before the submission's import


class RequirementAbandoned(BaseException):
    """The running requirement fails without calling the submission again (its message is the whole failure).

    A BaseException, not an Exception or pytest's Failed, so that hypothesis neither shrinks nor replays (every
    further example would fail at once the same way) and spec code catching Exception cannot swallow it; the
    runner reports it as an ordinary failure with this message.
    """


@dataclass
class Output:
    """What the submission printed (stdout and stderr together), over all runs of the worker: head and size."""

    limit: int
    head: bytearray = field(default_factory=bytearray)
    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def drain(self, stream: IO[bytes]) -> None:
        """Read ``stream`` to its end, keeping the first ``limit`` bytes (run in a thread)."""
        while chunk := stream.read1(READ_CHUNK):  # type: ignore[attr-defined]
            with self.lock:
                self.total += len(chunk)
                room = self.limit - len(self.head)
                if room > 0:
                    self.head += chunk[:room]

    def text(self) -> str:
        with self.lock:
            return self.head.decode("utf-8", errors="replace")


class WorkerProcess:
    """One run of the worker: the process, its pipe, and its output reader."""

    def __init__(self, settings: dict[str, Any], output: Output, view: sandbox.View) -> None:
        parent, child = socket.socketpair()
        env = {name: os.environ[name] for name in WORKER_ENV_KEEP if name in os.environ}
        home = view.inside(view.workdir)
        env.update(WORKER_ENV, HOME=home, TMPDIR=home)
        command = sandbox.launch_command(view, sandbox.boot_arguments(view, child.fileno()))
        self.view = view
        self.process = subprocess.Popen(
            command, pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, cwd=view.workdir, env=env, start_new_session=True,
        )
        child.close()
        self.channel = wire.Channel(parent)
        assert self.process.stdout is not None
        self.reader = threading.Thread(target=output.drain, args=(self.process.stdout,), daemon=True)
        self.reader.start()
        self.channel.send(wire.encode(settings), KILL_GRACE_S)

    def receive(self, timeout: float, max_bytes: int) -> tuple[Any, ...]:
        """The next message; raises TimeoutError, or EOFError/OSError when the pipe breaks."""
        message = unpickle.decode(self.channel.receive(max_bytes, max(timeout, MIN_CALL_TIME_S)), max_bytes)
        if not isinstance(message, tuple) or not message:
            raise OSError(f"malformed message {type(message).__name__}")
        return message

    def send(self, message: tuple[Any, ...], timeout: float) -> None:
        """Send ``message``; raises TimeoutError when the worker does not take it in time."""
        self.channel.send(wire.encode(message), max(timeout, MIN_CALL_TIME_S))

    def stop(self, kill: bool) -> int | None:
        """End the process (politely unless ``kill``); returns its exit status (negative: the signal)."""
        if not kill:
            try:
                self.send(("exit",), KILL_GRACE_S)
                self.process.wait(KILL_GRACE_S)
            except (OSError, subprocess.TimeoutExpired):
                kill = True
        if kill and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # the worker's session: it and anything it started
                os.killpg(self.process.pid, signal.SIGKILL)
        status = self.process.wait()
        self.channel.close()
        self.reader.join(KILL_GRACE_S)
        return sandbox.exit_status(self.view, status)

    def exit_status(self, wait: float) -> int | None:
        try:
            return sandbox.exit_status(self.view, self.process.wait(wait))
        except subprocess.TimeoutExpired:
            return None


def describe_exit(status: int | None, submission: bool = True) -> str:
    """Why a worker process ended, for a learner (``submission``: the submission's code had started)."""
    if status is None:
        return "stopped answering"
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        causes = {
            "SIGSEGV": "a crash in native code (ctypes, a C extension, or unbounded recursion after raising the "
                       "recursion limit)",
            "SIGXCPU": "the CPU-time limit of the submission's process was reached",
            "SIGKILL": "killed, probably for using too much memory",
            "SIGABRT": "aborted by native code",
        }
        return f"was killed by signal {name}: {causes.get(name, 'see the signal name')}"
    if not submission:
        return f"exited with status {status}"
    return f"exited with status {status} (os._exit or sys.exit called inside the submission?)"


class IsolatedImplementation:
    """The submission behind a worker process, with the interface of ``spec.impl.Implementation``."""

    def __init__(self, target: str, limits: Limits, workdir: str, unreadable: list[str],
                 environment: sandbox.Environment | None = None, profile: Profile | None = None) -> None:
        self.target = target
        self.profile = profile  # the assignment's API: its mapping runs in the worker, its scope is decided here
        self.limits = limits
        self.workdir = workdir
        self.unreadable = unreadable
        self.environment = environment or sandbox.Environment()
        self.view: sandbox.View | None = None  # made at the first start, removed by close
        self.output = Output(limits.output_bytes)
        self.generation = 0
        self.worker: WorkerProcess | None = None
        self.functions: dict[str, list[tuple[str, int]]] = {}
        self.contract_version: str | None = None
        self.origin = target
        self.loaded_modules: list[str] = []
        self.restarts = 0
        self.broken: str | None = None  # set when the submission cannot be started again
        self.poisoned: str | None = None  # the failure (whole message) that ended the running requirement
        self.failures: dict[str, str] = {}  # requirement ID -> the failure that ended it, for its later cases
        self.barred: dict[str, str] = {}  # function -> why it is not called again (timed out, crashed twice)
        self.crashes: Counter[str] = Counter()  # function -> times it crashed the worker
        self.round_trips: Counter[str] = Counter()  # requirement ID -> messages to the worker that were answered
        self.requirement: str | None = None  # the running requirement's ID (None: outside the spec's runner)
        self.spent: dict[str, float] = {}  # requirement ID -> seconds its earlier cases took
        self.item_started = 0.0
        self.item_deadline = float("inf")
        self.requirement_budget = limits.requirement_timeout
        self.outer_name = ""
        self.bar_on_timeout = ""  # why the running outer call is barred if it times out ("" for a budget's end)
        self.callbacks: dict[int, Callable[..., Any]] = {}
        self.released: deque[tuple[int, int]] = deque()  # (generation, key) of handles the grader let go
        self.callback_error: BaseException | None = None
        self.deadline = float("inf")
        self.depth = 0
        self.timeout_text = ""
        self.last_call: tuple[str, tuple[Any, ...], dict[str, Any]] | None = None
        self.batched: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []  # a chain the next call sends with it
        self.unanswered = 0  # calls of a chain sent to the worker whose replies have not been read

    def __repr__(self) -> str:
        return f"<isolated implementation {self.origin}>"

    # --- worker lifetime -------------------------------------------------------------------------------------

    def start(self, timeout: float | None = None) -> None:
        """Start a worker and import the submission (within ``timeout``, default the import limit);
        ImplementationLoadError when the import fails (WorkerStartError when the worker itself cannot start)."""
        timeout = self.limits.import_timeout if timeout is None else timeout
        self.generation += 1
        view = self._view()
        settings = {
            "target": view.target, "limits": self.limits, "generation": self.generation,
            "writable": view.inside(view.workdir), "readable": view.readable(), "hidden": view.unreadable(),
            "mapping": self.profile.mapping() if self.profile is not None else None,
        }
        worker = WorkerProcess(settings, self.output, view)
        self._await_start(worker)
        try:
            message = worker.receive(timeout, self.limits.message_bytes)
        except TimeoutError:
            worker.stop(kill=True)
            raise ImplementationLoadError(
                self.target, f"importing the submission did not finish within {timeout:g} s "
                             "(an endless loop or long computation at module level?)"
            ) from None
        except Exception as error:  # EOFError, OSError, or a message the allow-list refused
            status = worker.stop(kill=True)
            raise ImplementationLoadError(
                self.target, f"the submission's process {describe_exit(status)} while importing it ({error!r})"
            ) from None
        if message[0] != "ready":
            worker.stop(kill=True)
            details = wire.cut(str(message[1]), wire.LOAD_ERROR_CHARS) if len(message) > 1 else "unknown error"
            raise ImplementationLoadError(self.target, details)
        try:
            self._read_info(message[1])
        except (TypeError, KeyError, ValueError, IndexError) as error:
            worker.stop(kill=True)
            raise ImplementationLoadError(self.target, f"the worker sent a malformed description ({error!r})") from None
        self.worker = worker

    @property
    def isolation(self) -> str:
        """How the submission's code is confined (for the reports' headers)."""
        return self.view.description if self.view is not None else "none (the submission's process was not started)"

    @property
    def fallback_reason(self) -> str:
        """Why the operating system's sandbox was not used ("" when it was)."""
        return self.view.reason if self.view is not None else ""

    def _view(self) -> sandbox.View:
        if self.view is None:
            target = str(Path(self.target).resolve()) if Path(self.target).exists() else self.target
            try:
                self.view = sandbox.prepare(target, self.workdir, self.environment, self.unreadable)
            except sandbox.SubmissionError as error:
                raise ImplementationLoadError(self.target, str(error)) from None
            except (sandbox.SandboxError, OSError) as error:
                raise WorkerStartError(self.target, f"{WORKER_START_FAILED}: {error}") from None
        return self.view

    def _await_start(self, worker: WorkerProcess) -> None:
        """The worker's first message, ("started",), before it touches the submission: a worker that does not
        get that far failed for the grader's own reasons (sandbox, interpreter, runtime), never the submission's."""
        try:
            message = worker.receive(START_TIMEOUT_S, self.limits.message_bytes)
            if message != ("started",):
                raise OSError(f"unexpected first message {message[0]!r}")
        except Exception as error:  # TimeoutError, EOFError, OSError, a refused pickle
            status = worker.stop(kill=True)
            said = self.output.text().strip().splitlines()[-START_LINES:]
            raise WorkerStartError(self.target, "\n".join([
                f"{WORKER_START_FAILED}: it {describe_exit(status, submission=False)} before the submission was "
                f"imported ({error!r}); with {self.isolation}", *said])) from None

    def _read_info(self, info: dict[str, Any]) -> None:
        """What the worker reports after importing: functions with their parameters, version, origin, modules."""
        functions = info["functions"]
        self.functions = {str(name): [(str(p), int(k)) for p, k in params] for name, params in functions.items()}
        version = info["contract_version"]
        self.contract_version = None if version is None else str(version)
        self.origin = str(info["origin"])
        self.loaded_modules = [str(module) for module in info["modules"]]

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop(kill=False)
            self.worker = None
        if self.view is not None:
            self.view.close()

    def _lose(self, worker: WorkerProcess, reason: str) -> NoReturn:
        """The worker is unusable: kill it, remember why, and fail the running call."""
        worker.stop(kill=True)
        self.worker, self.unanswered = None, 0
        self.restarts += 1
        self._poison("\n".join([header(), reason]))  # call() replaces it with the whole message
        raise WorkerLostError(reason)

    def _ensure_worker(self) -> WorkerProcess:
        if self.broken is not None:
            raise WorkerLostError(self.broken)
        if self.worker is None:
            budget = self.item_deadline - time.monotonic()  # a restart's import counts against the requirement
            try:
                self.start(min(self.limits.import_timeout, budget))
            except ImplementationLoadError as error:
                if budget < self.limits.import_timeout and time.monotonic() >= self.item_deadline:
                    raise WorkerLostError(
                        f"restarting the submission's process did not finish within the {self.requirement_budget:g} "
                        "s this requirement may take in all") from None
                self.broken = f"the submission could not be imported again after a restart:\n{error.details}"
                raise WorkerLostError(self.broken) from None
        assert self.worker is not None
        return self.worker

    # --- the Implementation interface ------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.functions

    def raw(self, name: str) -> Callable[..., Any]:
        """The function, raising what the submission raised (rebuilt as a builtin exception type)."""
        scope.check_function(self.profile, name, self.functions)
        if name not in self.functions:
            pytest.skip(NOT_IMPLEMENTED + name)
        return self._function(name, guarded=False)

    def drive(self, driver: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``driver(implementation, *args, **kwargs)`` run in the worker, beside the submission (``drivers``); not
        run when it would call a function that is not called again in this grade."""
        for name in drivers.contract_calls(driver):
            if name in self.barred:
                raise RequirementAbandoned(failure_text(name, {}, self.barred[name]))
        return self.call(drivers.call_name(driver), args, kwargs, guarded=True)

    def batch(self, name: str, calls: Batch) -> list[Any]:
        """``[impl.name(*args, **kwargs) for args, kwargs in calls]``, the calls sent to the worker in one message
        (``chain``)."""
        return self.chain([(name, args, kwargs) for args, kwargs in calls])

    def chain(self, calls: Chain) -> list[Any]:
        """The calls made one after the other (``spec.impl.Implementation.chain``: an ``Earlier`` argument is an
        earlier call's result), sent to the worker in one message.

        Each call is observed, checked and reported as on its own (``call``, with its arguments as the grader
        holds them), failing at the first that fails; the worker makes them in order, answers each as soon as it
        returns (an ``Earlier`` argument is that result as it sent it: ``wire.Earlier``) and stops at the first
        that raises; the grader waits for each within that call's own time limit. Made one by one instead when a
        call passes a function (a call-back needs the grader between calls) or one of them is not called again
        in this grade, under a profile (its scope is decided per call), or inside a call-back.
        """
        calls = list(calls)
        for name in dict.fromkeys(name for name, _, _ in calls):
            getattr(self, name)  # a function the submission lacks, or cannot be the contract's: before any call
        if self.depth == 0 and self.profile is None and len(calls) > 1 and not any(
                _passes_function((args, kwargs)) or name in self.barred for name, args, kwargs in calls):
            self.batched = calls
        results: list[Any] = []
        try:
            for name, args, kwargs in calls:
                results.append(self.call(name, resolved(args, results), resolved(kwargs, results), guarded=True))
            return results
        finally:
            self.batched = []
            self._drain()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__") or (name not in CONTRACT_FUNCTIONS and name not in self.functions):
            raise AttributeError(f"{name!r} is not a contract function (spec.impl.CONTRACT_FUNCTIONS)")
        scope.check_function(self.profile, name, self.functions)
        if name not in self.functions:
            pytest.skip(NOT_IMPLEMENTED + name)
        return self._function(name, guarded=True)

    def begin_requirement(self, chapter: str = "other", requirement: str | None = None) -> None:
        """Called before each spec test (pytest item) of ``requirement``: what remains of the requirement's time
        budget (``chapter``'s, shared by all its items), and the failure that ended it in an earlier item, if
        any. Without ``requirement``, a fresh budget and no failure carried over."""
        now = time.monotonic()
        if self.requirement is not None:
            self.spent[self.requirement] = self.spent.get(self.requirement, 0.0) + now - self.item_started
        self.requirement, self.item_started = requirement, now
        self.poisoned = self.failures.get(requirement) if requirement is not None else None
        self.last_call = None
        self.requirement_budget = self.limits.requirement_timeout_for(chapter)
        spent = self.spent.get(requirement, 0.0) if requirement is not None else 0.0
        self.item_deadline = now + self.requirement_budget - spent

    def reproduction(self) -> str:
        """The requirement's last call into the submission as one line of Python (under a profile, the learner's
        own function's call, and a line saying how it maps), or "" when an input is too large or not a plain value
        (a generator, a function, an opaque handle)."""
        if self.last_call is None or drivers.is_driver(self.last_call[0]):  # a spec loop: not the learner's to call
            return ""
        name, args, kwargs = self.last_call
        try:
            learner = calls.learner_call(self.profile, name, args, kwargs) if self.profile is not None else None
            own, positional, keywords = learner or (name, list(args), kwargs)
            parts = [literal(value) for value in positional] + [f"{key}={literal(value)}"
                                                                for key, value in keywords.items()]
        except (TypeError, ValueError):  # not a short literal, or a call the learner's function cannot be made of
            return ""
        mapped = f"\n    {calls.mapped(self.profile, name)}" if learner and self.profile is not None else ""
        return f"{own}({', '.join(parts)}){mapped}"

    def failure_help(self) -> str:
        """What ends a failure's message: the line to reproduce the last call (``REPRODUCTION_INTRO``), or, for a
        function the profile's adapter makes of the learner's code, what it made it of; "" when neither applies."""
        if self.last_call is None or self.last_call[0] == values.FUNCTION:  # values read, not a call to try
            return ""
        if self.profile is not None and self.last_call[0] in self.profile.adapter_functions:
            return "\n" + calls.adapted(self.profile, self.last_call[0])
        snippet = self.reproduction()
        return f"\n{REPRODUCTION_INTRO} (after import numpy as np and from <your module> import *):\n    {snippet}" \
            if snippet else ""

    # --- calls -----------------------------------------------------------------------------------------------

    def _function(self, name: str, guarded: bool) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, args, kwargs, guarded)

        call.__name__ = call.__qualname__ = name
        return call

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], guarded: bool) -> Any:
        """Run ``name(*args, **kwargs)`` in the worker; failures become spec failures (or rebuilt exceptions)."""
        scope.check_call(self.profile, name, args, kwargs)
        inputs = self._named(name, args, kwargs)
        if self.poisoned is not None and self.depth == 0:
            raise RequirementAbandoned(f"{self.poisoned}\n(the requirement's later calls were not made: {name} and "
                                       "what follows it)")
        if name in self.barred:
            raise RequirementAbandoned(failure_text(name, inputs, self.barred[name]))
        outer = self.depth == 0
        # observed as spec.impl observes in-process calls: messages and the reproduction show the inputs as they
        # were before the call, and arguments the worker changed in place are put back after it is recorded
        made = observed_call(name, args, kwargs, lambda: self._call(name, args, kwargs),
                             functools.partial(self._named, name))
        inputs = self._named(name, made.args, made.kwargs)
        if outer:
            self.last_call = (name, made.args, made.kwargs)
        if isinstance(made.raised, WorkerLostError):
            if not outer:  # inside a callback: the outer call, whose limit it was, reports it
                raise made.raised
            self._fail(self._poison(failure_text(name, inputs, str(made.raised))))
        if made.raised is not None:
            raise made.raised
        value, error = made.result
        if error is None:
            return value
        if "NotImplementedError" in error.bases and not error.fatal:  # a stub (nnspec starter): not written yet
            pytest.skip(NOT_IMPLEMENTED + drivers.missing_function(name, error.message))
        if error.fatal:
            self._retire()
            self._crashed(name, error.type_name)
            self._poison(failure_text(name, inputs, *render_raised(error)))
        if not guarded and "Exception" in error.bases and not error.fatal:
            raise rebuild(error)
        self._fail(failure_text(name, inputs, *render_raised(error)))

    def _poison(self, message: str) -> str:
        """``message`` ends the running requirement: its later calls, in this case or another, fail with it."""
        self.poisoned = message
        if self.requirement is not None:
            self.failures[self.requirement] = message
        return message

    def _crashed(self, name: str, how: str) -> None:
        """``name`` lost the worker (``how``); the second time, it is not called again in this grade."""
        self.crashes[name] += 1
        if self.crashes[name] >= CRASHES_BEFORE_BAR:
            self.barred[name] = (
                f"{name} was not called: it crashed the submission's process {self.crashes[name]} times earlier in "
                f"this grade (the last time in {current().id}: {how}), and is not called again")

    def _retire(self) -> None:
        """The worker exits by itself after a fatal exception: collect it, count the restart."""
        if self.worker is not None:
            self.worker.stop(kill=True)
            self.worker, self.unanswered = None, 0
            self.restarts += 1

    @staticmethod
    def _fail(message: str) -> NoReturn:
        pytest.fail(message, pytrace=False)

    def _named(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        listed = drivers.parameters(name) if drivers.is_driver(name) else self.functions.get(name, [])
        try:
            return dict(_signature(tuple(listed)).bind(*args, **kwargs).arguments)
        except (TypeError, ValueError):
            return {**{f"arg{i}": value for i, value in enumerate(args)}, **kwargs}

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, wire.RemoteError | None]:
        worker = self._ensure_worker()
        outer = self.depth == 0
        broken: BaseException | None
        if outer:
            req = current()
            limit = self.limits.call_timeout_for(req.chapter)
            budget = self.item_deadline - time.monotonic()
            self.deadline = time.monotonic() + max(min(limit, budget), MIN_CALL_TIME_S)
            self.callbacks, self.callback_error = {}, None
            self.outer_name = name
            own_limit = f"{limit:g} s (the time limit of one call in chapter {req.chapter})"
            self.timeout_text = (
                f"{name} did not return within {own_limit}" if limit <= budget else
                f"{name} did not return within the {self.requirement_budget:g} s this requirement may take "
                "in all"
            )
            self.bar_on_timeout = (  # only a function that overran its own limit: a budget's end is no verdict
                f"{name} was not called: it did not return within {own_limit} in {req.id} earlier in this grade, "
                "and a function that timed out is not waited for again" if limit <= budget else "")
        message = self._message(name, args, kwargs) if not outer or not self.unanswered else None
        if message is not None:
            self.round_trips[current().id] += 1
        self.depth += 1
        try:
            if message is None:  # sent with the first call of its batch; its reply is on its way
                self.unanswered -= 1
            else:
                self._release(worker)
                worker.send(message, self.deadline - time.monotonic())
            reply = self._await(worker, args, kwargs)
        except TimeoutError:
            broken, timed_out = None, True
        except (OSError, EOFError, pickle.UnpicklingError) as error:
            broken, timed_out = error, False
        else:
            broken, timed_out = None, False
        finally:
            self.depth -= 1
        if timed_out:
            if self.bar_on_timeout:
                self.barred[self.outer_name] = self.bar_on_timeout
            self._lose(worker, self.timeout_text + TIMEOUT_ADVICE)
        if broken is not None:
            status = worker.exit_status(KILL_GRACE_S)
            detail = "" if isinstance(broken, EOFError) else f" ({type(broken).__name__}: {broken})"
            how = f"the submission's process {describe_exit(status)} during {name}{detail}"
            self._crashed(self.outer_name, how)
            self._lose(worker, f"{how}; it was restarted for the next requirement")
        kind, value, mirrors = reply
        self._track(reply)
        apply_mirrors(args, kwargs, mirrors)
        if outer and self.callback_error is not None:
            raise self.callback_error
        return (value, None) if kind == "result" else (None, wire.bounded(value))  # the worker may not have cut

    def _message(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        """The message that makes the call, or, when it is the first of a chain (``chain``), all the chain's calls,
        each as a pickle of its own (so that no object is shared between two calls, as none is in process)."""
        batched, self.batched = self.batched, []
        calls = tuple((call_name, wire.packed((self._for_worker(_earlier(call_args)),
                                               self._for_worker(_earlier(call_kwargs)))))
                      for call_name, call_args, call_kwargs in batched)
        if not calls or sum(len(packed) for _, packed in calls) > self.limits.message_bytes // BATCH_SHARE:
            return ("call", name, self._for_worker(args), self._for_worker(kwargs))  # too large: one by one
        self.unanswered = len(calls) - 1
        return ("chain", calls)

    def _drain(self) -> None:
        """Read and drop the replies to the calls of a batch that the spec did not get to (it failed before them);
        a worker that does not send them in time is stopped (the requirement has already failed)."""
        limit = self.limits.call_timeout_for(current().chapter)
        while self.unanswered and self.worker is not None:
            self.unanswered -= 1
            try:
                self._track(self.worker.receive(limit, self.limits.message_bytes))
            except (OSError, EOFError, pickle.UnpicklingError):  # TimeoutError is an OSError
                self._retire()

    def _await(self, worker: WorkerProcess, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        """The reply to the call of ``args``, ``kwargs``, running the call-backs it makes on the way; before each,
        the call's in-place changes to its arguments so far are mirrored onto ``args`` and ``kwargs``."""
        while True:
            message = worker.receive(self.deadline - time.monotonic(), self.limits.message_bytes)
            if _is_reply(message):
                return message
            if message[0] == "callback" and len(message) == 5 and isinstance(message[4], dict):
                self._track(message)
                apply_mirrors(args, kwargs, message[4])
                self._run_callback(worker, *message[1:4])
                continue
            raise OSError(f"unexpected message {message[0]!r} from the worker")

    def _track(self, message: tuple[Any, ...]) -> None:
        """Note each handle in ``message``: when the grader drops it, the worker may drop the object behind it."""
        for handle in wire.handles(message):
            weakref.finalize(handle, self.released.append, (handle.generation, handle.key))

    def _release(self, worker: WorkerProcess) -> None:
        """Tell the worker which of its kept objects the grader holds no handle to any more."""
        keys = []
        while self.released:
            generation, key = self.released.popleft()
            if generation == self.generation:
                keys.append(key)
        if keys:
            worker.send(("release", tuple(keys)), self.deadline - time.monotonic())

    def _run_callback(self, worker: WorkerProcess, key: int, args: Any, kwargs: Any) -> None:
        self.round_trips[current().id] += 1
        function = self.callbacks.get(key)
        try:
            if function is None:
                raise RuntimeError("this function was passed in an earlier call and is no longer available")
            result = function(*args, **kwargs)
        except WorkerLostError:
            raise
        except BaseException as error:  # reported to the submission as an exception, re-raised after the call
            if self.callback_error is None:
                self.callback_error = error
            failure = f"{type(error).__name__}: {error}"
            worker.send(("callback_result", False, failure), self.deadline - time.monotonic())
            return
        worker.send(("callback_result", True, self._for_worker(result)), self.deadline - time.monotonic())

    def _for_worker(self, value: Any) -> Any:
        def leaf(item: Any) -> Any:
            if isinstance(item, wire.Handle) and item.generation != self.generation:
                raise WorkerLostError(
                    f"{item!r} came from a run of the submission's process that has since been restarted")
            if wire.is_function(item):
                key = len(self.callbacks) + 1
                self.callbacks[key] = item
                return wire.Callback(key)
            if isinstance(item, np.ndarray) and not item.flags.writeable:
                return wire.Frozen(item)
            return item

        def subclass(original: Any, plain: Any) -> Any:
            """A carrier goes back as the submission's own object (unless its worker has been restarted)."""
            if wire.is_carried(original) and original.handle.generation == self.generation:
                return wire.Returned(original.handle, plain)
            return plain

        return wire.walk(value, leaf, subclass)


def _earlier(arguments: Any) -> Any:
    """A call's args tuple or kwargs dict with each ``spec.impl.Earlier`` as the worker's ``wire.Earlier``."""
    if isinstance(arguments, dict):
        return {key: wire.Earlier(item.call, item.item) if isinstance(item, Earlier) else item
                for key, item in arguments.items()}
    return tuple(wire.Earlier(item.call, item.item) if isinstance(item, Earlier) else item for item in arguments)


def _passes_function(call: tuple[tuple[Any, ...], dict[str, Any]]) -> bool:
    """Whether a function is among the call's arguments (at any depth)."""
    found: list[Any] = []
    wire.walk(call, lambda item: found.append(item) if wire.is_function(item) else None)
    return bool(found)


def apply_mirrors(args: tuple[Any, ...], kwargs: dict[str, Any], mirrors: dict[Any, Any]) -> None:
    """Change the caller's arguments in place as the worker changed its copies (``mirrors``: see worker.py)."""
    for position, mirror in mirrors.items():
        if isinstance(position, int) and 0 <= position < len(args):
            wire.apply_back(args[position], mirror)
        elif isinstance(position, str) and position in kwargs:
            wire.apply_back(kwargs[position], mirror)


def failure_text(name: str, inputs: Mapping[str, Any], *lines: str) -> str:
    """A failure message as the spec writes it: the running requirement, the call with its inputs, then ``lines``."""
    return "\n".join([header(), *describe_call(name, inputs), *lines])


def _is_reply(message: tuple[Any, ...]) -> bool:
    """A well-formed ("result", value, mirrors) or ("raised", RemoteError, mirrors) from the worker."""
    if len(message) != 3 or not isinstance(message[2], dict):
        return False
    if message[0] == "result":
        return True
    error = message[1]
    return message[0] == "raised" and isinstance(error, wire.RemoteError) and all(
        isinstance(part, str) for part in (error.type_name, error.message, *error.bases, *error.traceback))


def rebuild(error: wire.RemoteError) -> Exception:
    """An exception of the same name deriving from the same builtin class (so pytest.raises(ValueError) works)."""
    base = next((getattr(builtins, name) for name in error.bases
                 if isinstance(getattr(builtins, name, None), type) and issubclass(getattr(builtins, name), Exception)),
                Exception)
    cls = base if base.__name__ == error.type_name else _exception_class(error.type_name, base)
    return cls(error.message)


_CLASSES: dict[tuple[str, type], type[Exception]] = {}


def _exception_class(name: str, base: type[Exception]) -> type[Exception]:
    if (name, base) not in _CLASSES:
        _CLASSES[name, base] = type(name, (base,), {"__module__": "submission"})
    return _CLASSES[name, base]


SNIPPET_ELEMENTS = 24  # arrays up to this size are written out in a reproduction; larger ones are not
NON_FINITE = re.compile(r"\b(nan|inf)\b")


@functools.cache
def _signature(parameters: tuple[tuple[str, int], ...]) -> inspect.Signature:
    """A signature of ``parameters`` as the worker describes a function's (name, kind), every one defaulting to
    None (so that any call names what it passes); made once per function, as a grade calls each thousands of
    times."""
    return inspect.Signature([
        inspect.Parameter(pname, inspect._ParameterKind(kind), default=None)
        if kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        else inspect.Parameter(pname, inspect._ParameterKind(kind))
        for pname, kind in parameters])


def literal(value: Any) -> str:
    """Python source that rebuilds ``value`` (with ``import numpy as np``); ValueError when it would not fit."""
    if isinstance(value, np.ndarray) and value.size <= SNIPPET_ELEMENTS and value.dtype.kind in "biuf":
        return f"np.array({_numbers(value.tolist())}, dtype=np.{value.dtype.name})"
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return f"np.{value.dtype.name}({_numbers(value.item())})"
    if isinstance(value, float):
        return _numbers(value)
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(key)}: {literal(item)}" for key, item in value.items()) + "}"
    if type(value) is list:
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if type(value) is tuple:
        items = [literal(item) for item in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    raise ValueError(f"no short literal for a {type(value).__name__}")


def _numbers(value: Any) -> str:
    """repr of numbers (or nested lists of them) with nan and inf written as np.nan and np.inf."""
    return NON_FINITE.sub(r"np.\1", repr(value))


def render_raised(error: wire.RemoteError) -> list[str]:
    """The lines spec.assertions.fail_raised writes for an exception raised in the implementation."""
    lines = [f"the implementation raised {error.type_name}: {error.message}"]
    if error.traceback:
        lines += ["traceback inside the implementation (most recent call last):", *error.traceback]
    if error.fatal:
        lines.append("(after this the submission's process was restarted for the next requirement)")
    return lines


def unreadable_paths() -> list[str]:
    """Folders the worker may not read: the repository's fixtures (expected values, MNIST) and data caches."""
    paths = [Path(__file__).resolve().parents[2] / "fixtures"]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "nnspec"
    paths.append(cache)
    if os.environ.get("NNSPEC_DATA_DIR"):
        paths.append(Path(os.environ["NNSPEC_DATA_DIR"]))
    return [str(path) for path in paths]
