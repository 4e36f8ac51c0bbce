"""Loading the implementation under test and calling into it.

The spec never imports an implementation statically: ``load_implementation`` finds it by name or path, and
``Implementation`` hands out its contract functions wrapped so that a missing function skips the test as
"not implemented: <name>" and an exception inside it becomes a failure naming the requirement and the call.
Every call is observed (spec/calls.py): an argument it modifies is recorded and put back.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from spec.assertions import fail_raised
from spec.calls import observed_call
from spec.contract import FUNCTIONS

DEFAULT_TARGET = "reference"
NOT_IMPLEMENTED = "not implemented: "
CONTRACT_ATTRIBUTE = "NNSPEC_CONTRACT"
# Only the contract's names (spec/contract.py) skip as "not implemented" when missing; any other missing
# attribute raises AttributeError, because tools probe fixture values for attributes (hypothesis asks for
# "execute_example") and a typo in a spec test must not pass as a skip.
CONTRACT_FUNCTIONS = frozenset(FUNCTIONS)


class ImplementationLoadError(Exception):
    """The implementation could not be imported; ``details`` holds its formatted traceback."""

    def __init__(self, target: str, details: str) -> None:
        super().__init__(f"could not import the implementation {target!r}")
        self.target = target
        self.details = details


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
        return function

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in CONTRACT_FUNCTIONS and not self.has(name):
            raise AttributeError(f"{name!r} is not a contract function (spec.impl.CONTRACT_FUNCTIONS)")
        return observed(name, self._function(name), guard=True)


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
    try:
        path = Path(name)
        is_path = name.endswith(".py") or path.exists()
        module = _load_path(path) if is_path else importlib.import_module(name)
    except BaseException as error:  # a submission may raise anything at import, even SystemExit
        if isinstance(error, KeyboardInterrupt):
            raise
        raise ImplementationLoadError(name, _submission_traceback(error)) from error
    return Implementation(module, _origin(module, name))


def _submission_traceback(error: BaseException) -> str:
    """The formatted traceback without the loader's own frames (spec/ and importlib's frozen modules)."""
    report = traceback.TracebackException.from_exception(error)
    spec_dir = Path(__file__).resolve().parent
    frames = [
        frame for frame in report.stack
        if not frame.filename.startswith("<frozen") and Path(frame.filename).resolve().parent != spec_dir
    ]
    report.stack = traceback.StackSummary.from_list(frames)
    return "".join(report.format())


def _load_path(path: Path) -> ModuleType:
    path = path.resolve()
    init = path / "__init__.py" if path.is_dir() else path
    if not init.is_file():
        raise FileNotFoundError(f"no Python file at {init} (expected a .py file or a package folder)")
    private = "_nnspec_impl_" + hashlib.sha1(str(path).encode()).hexdigest()[:12]
    locations = [str(path)] if path.is_dir() else None
    module_spec = importlib.util.spec_from_file_location(private, init, submodule_search_locations=locations)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {init} as a module")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[private] = module  # a package's relative imports look itself up here
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[private]
        raise
    return module


def _origin(module: ModuleType, target: str) -> str:
    file = getattr(module, "__file__", None)
    return f"{target} ({file})" if file else target
