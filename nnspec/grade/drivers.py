"""Drivers: spec code that runs in the worker, beside the submission, to save round trips.

A driver is a function of the spec that only calls contract functions on the implementation it gets as its first
argument (spec/mnist_loop.py, the MNIST gate's training loop: three calls per mini-batch, 938 mini-batches an
epoch; spec/xor_loop.py, the XOR recipe's: three calls per epoch, 10,000 epochs). The spec runs it with
``impl.drive(driver, *args)``: in process an ordinary call (``spec.impl.Implementation.drive``); through the grader
one call into the worker (``IsolatedImplementation.drive``), by the name ``driver:<module>.<function>``, with the
submission's module as the implementation. A driver decides nothing: the submission can replace it like anything
else in its process, so what it hands back is scored in the grader as any output of the submission is, against an
oracle the worker cannot see (the MNIST test labels, the worked example's fixture).

A driver module lists the contract functions its drivers call (``CONTRACT_CALLS``), so that the grader does not
run a driver that would call a function it no longer calls. ``MODULES`` are copied into the worker's runtime
(``sandbox``) and imported before the submission (``preload``); in the worker a driver sees the submission through
``Contract``, which, like ``spec.impl``, reports a missing or unfinished function as NotImplementedError naming it.
Part of the worker runtime: standard library only.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

PREFIX = "driver:"
MODULES = ("spec.mnist_loop", "spec.xor_loop")  # spec modules holding drivers (NumPy and the standard library only)
PACKAGES = ("spec",)  # their packages in the worker's runtime


def call_name(driver: Callable[..., Any]) -> str:
    """The name the grader calls ``driver`` by; ValueError for a function not in ``MODULES``."""
    if driver.__module__ not in MODULES:
        raise ValueError(f"{driver.__module__}.{driver.__qualname__} is not in a driver module ({', '.join(MODULES)})")
    return f"{PREFIX}{driver.__module__}.{driver.__qualname__}"


def contract_calls(driver: Callable[..., Any]) -> tuple[str, ...]:
    """The contract functions ``driver`` calls (its module's ``CONTRACT_CALLS``): the grader does not run a driver
    that would call a function it no longer calls (one that timed out, or crashed the worker twice)."""
    calls: tuple[str, ...] = importlib.import_module(driver.__module__).CONTRACT_CALLS
    return calls


def is_driver(name: str) -> bool:
    return name.startswith(PREFIX)


def preload() -> None:
    """Import the driver modules (in the worker, while its runtime is still on ``sys.path``)."""
    for module in MODULES:
        importlib.import_module(module)


class Contract:
    """The submission's module as a driver sees it: ``contract.forward`` is the module's ``forward``, raising
    NotImplementedError("forward") when the module has no such function or it raises NotImplementedError."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Callable[..., Any]:
        function = getattr(self._module, name, None)
        if not callable(function):
            raise NotImplementedError(name)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except NotImplementedError:
                raise NotImplementedError(name) from None

        return call


def driver_function(name: str) -> Callable[..., Any]:
    """The driver called ``name`` (``call_name``'s); ValueError when it is not in a driver module."""
    module_name, _, function = name.removeprefix(PREFIX).rpartition(".")
    if module_name not in MODULES:
        raise ValueError(f"{module_name} is not a driver module")
    driver: Callable[..., Any] = getattr(importlib.import_module(module_name), function)
    return driver


def resolve(name: str, module: ModuleType) -> Callable[..., Any]:
    """What the worker calls for ``name``: the module's function, or a driver bound to the module."""
    if not is_driver(name):
        return getattr(module, name)
    return functools.partial(driver_function(name), Contract(module))


def parameters(name: str) -> list[tuple[str, int]]:
    """The driver ``name``'s parameters after the implementation, as (name, kind), the form in which the worker
    describes a submission's functions: the grader names a driver's inputs in messages with them."""
    listed = list(inspect.signature(driver_function(name)).parameters.values())[1:]
    return [(parameter.name, int(parameter.kind)) for parameter in listed]


def missing_function(name: str, message: str) -> str:
    """The contract function a NotImplementedError from the call of ``name`` is about (a driver's: its message)."""
    return message if is_driver(name) else name
