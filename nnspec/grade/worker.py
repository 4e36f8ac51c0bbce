"""The worker: the only process in which a submission's code runs.

Started by ``nnspec.grade.proxy`` in the view and isolation ``nnspec.grade.sandbox`` builds, as
``python -I -S -B -c BOOT FD`` with FD one end of a socket pair; this file is part of the worker runtime copied
there (standard library, NumPy and its sibling runtime modules only). It applies its limits, says it started,
installs the file/process guard, imports the submission, reports what it provides, then answers calls until told
to exit. Protocol (pickled tuples; see ``wire`` for what may cross):

grader -> worker: settings | ("call", name, args, kwargs) | ("chain", calls) | ("callback_result", ok, value) |
                  ("release", keys) | ("exit",)
worker -> grader: ("started",) | ("ready", info) | ("load_error", text) | ("result", value, mirrors) |
                  ("raised", RemoteError, mirrors) | ("callback", key, args, kwargs, mirrors)

A chain's calls are each (name, a pickle of (args, kwargs)) (``wire.packed``), made one after the other, each
answered as a call is; an argument ``wire.Earlier(k, item)`` is what call k of the chain sent back (its item), as the
grader would send it, and after a call that raised the others are answered "not made" without being made. A
call's name is a function of the submission or a driver of the spec (``driver:<module>.<function>``, run with the
submission's module as its implementation: ``drivers``).

``mirrors`` maps the position (int) or keyword (str) of every argument the running call changed in place, since
the grader last heard of it, to its new state, so the grader can change its own copy the same way: the spec checks
purity on the caller's objects, and a grader-side function called back in the middle of a call (numerical_gradient's
``f`` closing over the ``x`` being perturbed in place) sees the perturbation. ``release`` (no reply) names the
kept objects whose handles the grader no longer holds.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import inspect
import io
import os
import socket
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnspec.grade import drivers, layout, loader, mapping, wire
from nnspec.grade import limits as limits_module
from nnspec.grade import values as values_module
from nnspec.grade.adapters import BUILTIN as BUILTIN_ADAPTERS

# Exceptions after which the worker's state cannot be trusted: it answers, then exits and is restarted.
FATAL = (RecursionError, MemoryError)
WORKER_FILES = frozenset(str(Path(path).resolve()) for path in (
    __file__, wire.__file__, limits_module.__file__, loader.__file__, drivers.__file__, mapping.__file__,
    layout.__file__, values_module.__file__, *(str(adapter.__file__) for adapter in BUILTIN_ADAPTERS.values())))
SPEC_DIR = Path(__file__).resolve().parents[2] / "spec"


class GraderCallbackError(RuntimeError):
    """The grader-side function the submission called (e.g. numerical_gradient's f) raised."""


@dataclass
class Running:
    """A call in progress: its arguments and, per position or keyword, the fingerprint the grader last saw."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    seen: dict[int | str, Any] = field(default_factory=dict)

    def arguments(self) -> dict[int | str, Any]:
        where: dict[int | str, Any] = dict(enumerate(self.args))
        where.update(self.kwargs)
        return where


class Worker:
    """Serves calls into one imported submission."""

    def __init__(self, channel: wire.Channel, module: Any, generation: int, max_bytes: int) -> None:
        self.channel = channel
        self.max_bytes = max_bytes
        self.module = module
        self.generation = generation
        self.objects: dict[int, Any] = {}
        self.next_key = 1
        self.running: list[Running] = []  # the calls in progress, innermost last

    def send(self, message: tuple[Any, ...]) -> None:
        self.channel.send(wire.encode(message))

    def receive(self) -> tuple[Any, ...]:
        message: tuple[Any, ...] = wire.decode_trusted(self.channel.receive(self.max_bytes))
        return message

    def serve(self) -> None:
        """Answer calls until the grader says exit (or closes the pipe)."""
        while True:
            message = self.receive()
            if message[0] == "exit":
                return
            self.dispatch(message)

    def dispatch(self, message: tuple[Any, ...]) -> None:
        if message[0] == "call":
            self.call(*message[1:])
        elif message[0] == "chain":  # each call replies as it returns; a fatal one ends the chain (and the worker)
            self.chain(message[1])
        elif message[0] == "release":
            for key in message[1]:
                self.objects.pop(key, None)
        else:
            raise RuntimeError(f"unexpected message from the grader: {message[0]!r}")

    def chain(self, calls: tuple[tuple[str, bytes], ...]) -> None:
        """Make the chain's calls in order; each ``wire.Earlier`` argument is the result an earlier call sent, read
        back from a pickle of it (the state it had when sent, as a copy the grader would send)."""
        sent: list[bytes | None] = []  # each call's result as it was sent; None after a call that raised
        for name, packed in calls:
            if sent and sent[-1] is None:
                stopped = RuntimeError("not made: an earlier call of the same chain raised")
                self.send(("raised", remote_error(stopped, fatal=False), {}))
                sent.append(None)
                continue
            try:
                args, kwargs = wire.walk(wire.decode_trusted([packed]),
                                         lambda item: _earlier(item, sent) if isinstance(item, wire.Earlier) else item)
            except Exception as error:  # an item of a result that has none: the grader's spec fails on it too
                self.send(("raised", remote_error(error, fatal=False), {}))
                sent.append(None)
                continue
            reply = self.call(name, args, kwargs)
            sent.append(wire.packed(reply[1]) if reply[0] == "result" else None)

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        fatal = False
        running = Running((), {})
        self.running.append(running)
        try:
            running.args, running.kwargs = self.restore(args), self.restore(kwargs)
            running.seen = fingerprints(running)
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)  # as pytest's filterwarnings in pyproject.toml
                result = drivers.resolve(name, self.module)(*running.args, **running.kwargs)
            reply: tuple[Any, ...] = ("result", self.to_data(result), self.mirrors(running))
        except BaseException as error:  # everything the submission raises goes back as text
            fatal = isinstance(error, FATAL) or not isinstance(error, Exception)
            reply = ("raised", remote_error(error, fatal), self.safe_mirrors(running))
        finally:
            self.running.pop()
        try:
            self.send(reply)
        except Exception as error:  # e.g. a result too large or not picklable after all
            self.send(("raised", remote_error(error, fatal=True), {}))
            fatal = True
        if fatal:
            _flush_and_exit()
        return reply

    def restore(self, value: Any) -> Any:
        """Arguments from the grader: handles become our objects, callbacks become stubs."""
        return wire.walk(value, self._restore_leaf)

    def _restore_leaf(self, value: Any) -> Any:
        if isinstance(value, wire.Handle):
            if value.generation != self.generation or value.key not in self.objects:
                raise RuntimeError(f"{value!r} does not exist in this run of the submission's process")
            return self.objects[value.key]
        if isinstance(value, wire.Returned):
            return self._returned(value)
        if isinstance(value, wire.Callback):
            return self.stub(value.key)
        if isinstance(value, wire.Frozen):
            value.array.flags.writeable = False
            return value.array
        return value

    def _returned(self, value: wire.Returned) -> Any:
        """The submission's own object back (a namedtuple, an OrderedDict), brought up to the grader's content;
        the content as plain containers when the object is gone or cannot be updated in place."""
        content = self.restore(value.content)
        handle = value.handle
        own = self.objects.get(handle.key) if handle.generation == self.generation else None
        return own if own is not None and wire.apply_back(own, content) else content

    def stub(self, key: int) -> Callable[..., Any]:
        def call_grader(*args: Any, **kwargs: Any) -> Any:
            mirrors = self.mirrors(self.running[-1]) if self.running else {}
            self.send(("callback", key, self.to_data(args), self.to_data(kwargs), mirrors))
            while True:
                message = self.receive()
                if message[0] == "callback_result":
                    break
                self.dispatch(message)  # the grader's function may call into the submission again
            _, ok, value = message
            if not ok:
                raise GraderCallbackError(value)
            return self.restore(value)

        return call_grader

    def to_data(self, value: Any, rng_state: bool = False) -> Any:
        """``value`` as data for the grader; anything else stays here behind a handle (container subclasses:
        both, as carriers)."""

        def leaf(item: Any) -> Any:
            if wire.is_data(item):
                return item
            if rng_state and isinstance(item, np.random.Generator):
                return wire.RngState(dict(item.bit_generator.state))
            return self.keep(item)

        return wire.walk(value, leaf, lambda original, plain: wire.carried(plain, self.keep(original)))

    def keep(self, item: Any) -> wire.Handle:
        """``item`` kept here; the handle the grader refers to it by."""
        key, self.next_key = self.next_key, self.next_key + 1
        self.objects[key] = item
        return wire.Handle(self.generation, key, type(item).__qualname__)

    def safe_mirrors(self, running: Running) -> Any:
        """``mirrors`` after a failed call: whatever can still be compared (nothing if that fails too)."""
        try:
            return self.mirrors(running) if running.seen else {}
        except Exception:
            return {}

    def mirrors(self, running: Running) -> dict[Any, Any]:
        """The new state of every argument of ``running`` that changed since the grader last saw it."""
        now = fingerprints(running)
        changed = [position for position in running.seen if now[position] != running.seen[position]]
        running.seen.update(now)
        values = running.arguments()
        return {position: self.to_data(values[position], rng_state=True) for position in changed}


def fingerprints(running: Running) -> dict[int | str, Any]:
    return {position: wire.fingerprint(value) for position, value in running.arguments().items()}


def _earlier(marker: wire.Earlier, sent: list[bytes | None]) -> Any:
    """What call ``marker.call`` of a chain sent (its item ``marker.item``), as the grader would send it back: a
    fresh copy, each carrier (a namedtuple, an OrderedDict of the submission's) as the submission's own object."""
    packed = sent[marker.call]
    if packed is None:
        raise RuntimeError(f"call {marker.call} of the chain raised: its result does not exist")
    result = wire.decode_trusted([packed])
    value = result if marker.item is None else result[marker.item]
    return wire.walk(value, lambda item: item,
                     lambda original, plain: wire.Returned(original.handle, plain) if wire.is_carried(original)
                     else plain)


def remote_error(error: BaseException, fatal: bool) -> wire.RemoteError:
    """``error`` as text, with the submission's own frames only (the worker's and the spec's are dropped)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if _is_submissions(frame.filename)]
    bases = tuple(
        cls.__name__ for cls in type(error).__mro__
        if getattr(builtins, cls.__name__, None) is cls and issubclass(cls, BaseException)
    )
    try:
        message = str(error)
    except Exception:  # a hostile __str__
        message = "<the exception's message could not be rendered>"
    note = loader.unavailable_note(error)  # e.g. a function that imports the reference when called
    if note:
        message += "\n" + note
    lines = tuple(line.rstrip("\n") for line in traceback.StackSummary.from_list(frames).format())
    return wire.bounded(wire.RemoteError(type(error).__name__, bases, message, lines, fatal))


@functools.lru_cache(maxsize=256)
def _is_submissions(filename: str) -> bool:
    """Whether a traceback's file is the submission's (not the worker's, not the spec's); cached, since a deep
    recursion repeats one file hundreds of times."""
    path = Path(filename).resolve()
    return str(path) not in WORKER_FILES and not path.is_relative_to(SPEC_DIR)


def describe_functions(module: Any) -> dict[str, list[tuple[str, int]]]:
    """Every public callable of the module with its parameters (name, kind), for naming arguments in messages."""
    functions: dict[str, list[tuple[str, int]]] = {}
    for name in dir(module):
        value = getattr(module, name, None)
        if name.startswith("_") or not callable(value) or isinstance(value, type):
            continue
        try:
            parameters = inspect.signature(value).parameters.values()
            functions[name] = [(parameter.name, int(parameter.kind)) for parameter in parameters]
        except (TypeError, ValueError):
            functions[name] = []
    return functions


def _flush_and_exit() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # the submission may have replaced or closed them
            stream.flush()
    os._exit(0)


def main(fd: int, runtime: str) -> None:
    """Serve the grader on descriptor ``fd``. Started by ``sandbox.boot_arguments`` with the runtime's folder
    (holding this package as ``nnspec.grade``) on ``sys.path``: it is taken off, and the runtime's packages
    emptied, before the submission is imported, so that no other module of nnspec can be imported there (the
    packages stay in ``sys.modules``: pickles name the runtime's classes by their module)."""
    drivers.preload()
    sys.path.remove(runtime)
    for package in ("nnspec", "nnspec.grade", *drivers.PACKAGES):
        sys.modules[package].__path__ = []
    channel = wire.Channel(socket.socket(fileno=fd))
    settings: dict[str, Any] = wire.decode_trusted(channel.receive(wire.SETTINGS_BYTES))
    limits_module.apply(settings["limits"])
    channel.send(wire.encode(("started",)))  # from here on, a failure is the submission's
    sys.dont_write_bytecode = True
    target = settings["target"]  # a .py file (its folder is the submission's) or a package folder
    limits_module.guard(settings["writable"], settings["readable"], settings["hidden"],
                        os.path.dirname(target) if target.endswith(".py") else target)
    before = set(sys.modules)
    try:
        module = loader.load_module(settings["target"])
        served = mapping.apply(module, settings["mapping"]) if settings.get("mapping") else module  # a profile's view
    except loader.ImplementationLoadError as error:
        channel.send(wire.encode(("load_error", wire.cut(error.details, wire.LOAD_ERROR_CHARS))))
        _flush_and_exit()
        return
    except BaseException as error:  # raised by the loader itself; report it rather than die silently
        channel.send(wire.encode(("load_error", wire.cut("".join(traceback.format_exception(error)),
                                                         wire.LOAD_ERROR_CHARS))))
        _flush_and_exit()
        return
    version = getattr(module, loader.CONTRACT_ATTRIBUTE, None)
    info = {
        "functions": describe_functions(served),
        "contract_version": None if version is None else str(version),
        "origin": loader.origin(module, settings["target"]),
        "modules": sorted({name.split(".")[0] for name in set(sys.modules) - before}),
    }
    worker = Worker(channel, served, settings["generation"], settings["limits"].message_bytes)
    worker.send(("ready", info))
    sys.stdin = io.StringIO()
    with contextlib.suppress(EOFError, OSError):  # the grader went away
        worker.serve()
    _flush_and_exit()
