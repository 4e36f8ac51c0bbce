"""Loading the implementation under test and calling into it.

The spec never imports an implementation statically: ``load_implementation`` finds it by name or path (with the
grader worker's loader, ``nnspec.grade.loader``, so both import a submission the same way), and
``Implementation`` hands out its contract functions wrapped so that a missing function skips the test as
"not implemented: <name>" and an exception inside it becomes a failure naming the requirement and the call.
Every call is observed (spec/calls.py): an argument it modifies is recorded and put back.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from nnspec.grade.loader import CONTRACT_ATTRIBUTE, load_module, origin
from nnspec.grade.loader import ImplementationLoadError as ImplementationLoadError  # re-exported for the spec
from spec.assertions import fail_raised
from spec.calls import observed_call
from spec.contract import FUNCTIONS

DEFAULT_TARGET = "reference"
NOT_IMPLEMENTED = "not implemented: "
# Only the contract's names (spec/contract.py) skip as "not implemented" when missing; any other missing
# attribute raises AttributeError, because tools probe fixture values for attributes (hypothesis asks for
# "execute_example") and a typo in a spec test must not pass as a skip.
CONTRACT_FUNCTIONS = frozenset(FUNCTIONS)
Batch = Sequence[tuple[tuple[Any, ...], dict[str, Any]]]  # independent calls of one function: (args, kwargs) each
Chain = Sequence[tuple[str, tuple[Any, ...], dict[str, Any]]]  # calls one after the other: (name, args, kwargs) each


@dataclass(frozen=True)
class Earlier:
    """An argument of a call in a chain (``Implementation.chain``): the result of the chain's call number
    ``call``, or its item ``item`` (forward's AL is ``Earlier(k, 0)``, its caches ``Earlier(k, 1)``)."""

    call: int
    item: int | None = None

    def value(self, results: Sequence[Any]) -> Any:
        result = results[self.call]
        return result if self.item is None else result[self.item]


def made_one_by_one(impl: Any, calls: Chain) -> list[Any]:
    """A chain's calls made on ``impl`` one after the other (``impl.name(...)``, as the spec would write them)."""
    results: list[Any] = []
    for name, args, kwargs in calls:
        results.append(getattr(impl, name)(*resolved(args, results), **resolved(kwargs, results)))
    return results


def resolved(arguments: Any, results: Sequence[Any]) -> Any:
    """``arguments`` (a call's args tuple or kwargs dict) with each ``Earlier`` among them replaced by its value."""
    if isinstance(arguments, dict):
        return {key: item.value(results) if isinstance(item, Earlier) else item for key, item in arguments.items()}
    return tuple(item.value(results) if isinstance(item, Earlier) else item for item in arguments)


class Implementation:
    """The module under test. ``impl.sigmoid`` is its guarded ``sigmoid`` (or a skip when it has none)."""

    def __init__(self, module: ModuleType, origin: str) -> None:
        self.module = module
        self.origin = origin
        version = getattr(module, CONTRACT_ATTRIBUTE, None)
        self.contract_version: str | None = None if version is None else str(version)

    def has(self, name: str) -> bool:
        """Whether the implementation provides a callable ``name``."""
        return callable(getattr(self.module, name, None))

    def raw(self, name: str) -> Callable[..., Any]:
        """The function raising what it raises (for tests that expect it to raise), observed like every call
        (spec/calls.py); skips when it is missing."""
        return observed(name, self._function(name), guard=False)

    def _function(self, name: str) -> Callable[..., Any]:
        function = getattr(self.module, name, None)
        if not callable(function):
            pytest.skip(NOT_IMPLEMENTED + name)
        return stub_aware(name, function)

    def drive(self, driver: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``driver(self, *args, **kwargs)``: spec code that only calls contract functions (spec/mnist_loop.py,
        spec/xor_loop.py). The grader runs it in the worker, beside the submission (nnspec/grade/drivers.py)."""
        return driver(self, *args, **kwargs)

    def batch(self, name: str, calls: Batch) -> list[Any]:
        """``[self.name(*args, **kwargs) for args, kwargs in calls]``: independent calls the spec knows in advance.
        The grader sends them to the worker in one message (nnspec/grade/proxy.py). Batch only where the calls
        would be made in this order anyway: a submission may keep state between calls (module-level caches), so
        batching the forward calls of several runs before their backward calls fails it where it did not fail."""
        return [getattr(self, name)(*args, **kwargs) for args, kwargs in calls]

    def chain(self, calls: Chain) -> list[Any]:
        """The calls made one after the other, each ``Earlier`` argument replaced by that earlier call's result:
        a loop the spec knows in advance (gradient descent with the implementation's own functions). The grader
        sends them to the worker in one message, which makes them in this order and answers each as it returns;
        each is observed, checked and reported as on its own. Returns every call's result."""
        return made_one_by_one(self, calls)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in CONTRACT_FUNCTIONS and not self.has(name):
            raise AttributeError(f"{name!r} is not a contract function (spec.impl.CONTRACT_FUNCTIONS)")
        return observed(name, self._function(name), guard=True)


def stub_aware(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, skipping as "not implemented" when it raises NotImplementedError (a stub not written yet)."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except NotImplementedError:
            pytest.skip(NOT_IMPLEMENTED + name)

    return call


def observed(name: str, function: Callable[..., Any], guard: bool) -> Callable[..., Any]:
    """``function`` called through spec.calls.observed_call (the caller's arguments are never left modified);
    with ``guard``, an exception it raises becomes a spec failure showing the call's inputs as they were before it.
    """
    names = functools.partial(_named_arguments, function)

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        made = observed_call(name, args, kwargs, lambda: function(*args, **kwargs), names)
        if made.raised is None:
            return made.result
        if not guard:
            raise made.raised
        fail_raised(name, names(made.args, made.kwargs), made.raised)

    return call


def _named_arguments(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        return dict(inspect.signature(function).bind(*args, **kwargs).arguments)
    except (TypeError, ValueError):
        return {**{f"arg{i}": value for i, value in enumerate(args)}, **kwargs}


def load_implementation(target: str | None) -> Implementation:
    """Load ``target``: None (the ``reference`` package), a .py file, a package folder, or a dotted module."""
    name = DEFAULT_TARGET if target is None else target
    module = load_module(name)  # ImplementationLoadError with the submission's traceback
    return Implementation(module, origin(module, name))
