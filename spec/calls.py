"""Every call into the implementation, observed: its inputs as they were before it, and what it did to them.

``observed_call`` copies the arguments before the call, runs it on the caller's own objects (so a function that
closes over an argument, as document 004's ``numerical_gradient`` idiom does, sees the same array), and afterwards
compares them with the copies. A call that changed an argument is recorded as a ``Change`` for the running test,
its result is detached from the arguments (a deep copy), and the arguments are put back in place, so the test
goes on with the inputs it chose: later value checks compare with what unmodified inputs should give, and
messages print the inputs as they were before the call. Purity requirements read the record (``changes``); value
requirements mention it in their messages (spec.assertions). spec.impl and the grader's proxy both call here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

BYTEWISE_LIMIT = 1 << 20  # arrays up to this many bytes are first compared bit for bit (fast; larger: no copy)
Names = Callable[[tuple[Any, ...], dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Change:
    """``function`` modified its argument ``argument``: ``where`` says how; ``before`` and ``after`` are copies."""

    function: str
    argument: str
    where: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Call:
    """One observed call: its result (detached from the arguments when it changed them), the exception it raised
    (None when it returned), and copies of its arguments taken before it ran."""

    result: Any
    raised: Exception | None
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


_changes: list[Change] = []


def reset() -> None:
    """Forget the recorded changes (spec.plugin calls this before each test)."""
    _changes.clear()


def changes(function: str | None = None) -> list[Change]:
    """The changes to arguments recorded since the running test started (only ``function``'s when given)."""
    return [change for change in _changes if function is None or change.function == function]


def observed_call(function: str, args: tuple[Any, ...], kwargs: dict[str, Any], run: Callable[[], Any],
                  names: Names) -> Call:
    """``run()`` (which calls ``function`` on ``args`` and ``kwargs``), observed as the module docstring says.

    ``names(args, kwargs)`` maps the arguments to the function's parameter names. An ``Exception`` from ``run``
    is returned in the ``Call``; anything else (a test's failure, KeyboardInterrupt) propagates after the
    arguments are put back.
    """
    before_args, before_kwargs = read_only_copy(args), read_only_copy(kwargs)
    members = _members((args, kwargs))
    try:
        result, raised = run(), None
    except Exception as error:  # the caller reports it; the arguments are put back first
        result, raised = None, error
    finally:  # the parameter names are looked up only for a call that changed something (it is rare, and slow)
        changed = first_change((before_args, before_kwargs), (args, kwargs)) is not None
        if changed:
            _record(function, names(before_args, before_kwargs), names(args, kwargs))
    if changed:
        result = copy_value(result)
        _restore(members, (before_args, before_kwargs))
    return Call(result, raised, before_args, before_kwargs)


def _record(function: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """Record a Change for each argument that differs from its copy."""
    for name, value in after.items():
        where = first_change(before[name], value) if name in before else None
        if where is not None:
            _changes.append(Change(function, name, where, before[name], read_only_copy(value)))


def _members(value: Any) -> tuple[Any, Any]:
    """``value`` and, for a dict, list or tuple, the same for each of its items: the objects to put back."""
    if isinstance(value, dict):
        return value, {key: _members(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return value, [_members(item) for item in value]
    return value, None


def _restore(members: tuple[Any, Any], saved: Any) -> None:
    """Put the objects of ``members`` back where they were and their arrays' elements back to ``saved``."""
    value, items = members
    if isinstance(value, np.ndarray):
        if value.flags.writeable and value.shape == np.shape(saved) and first_change(saved, value) is not None:
            value[...] = saved
    elif isinstance(value, dict):
        value.clear()
        value.update({key: member[0] for key, member in items.items()})
        for key, member in items.items():
            _restore(member, saved[key])
    elif isinstance(value, (list, tuple)):
        if isinstance(value, list):
            value[:] = [member[0] for member in items]
        for member, item in zip(items, saved, strict=True):
            _restore(member, item)


def copy_value(value: Any, writeable: bool = True) -> Any:
    """A deep copy of ``value``: arrays copied, dicts, lists and tuples (namedtuples too) rebuilt, other subclasses
    of them (an OrderedDict, the grader's carriers of a submission's own containers) deep-copied whole; anything
    else is shared."""
    if isinstance(value, np.ndarray):
        copied = value.copy()
        copied.flags.writeable = writeable
        return copied
    if type(value) is dict:
        return {key: copy_value(item, writeable) for key, item in value.items()}
    if type(value) in (tuple, list):
        return type(value)(copy_value(item, writeable) for item in value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple takes its fields one by one
        return type(value)(*(copy_value(item, writeable) for item in value))
    if isinstance(value, (dict, list, tuple)):
        return _with_arrays_writeable(copy.deepcopy(value), writeable)
    return value


def _with_arrays_writeable(value: Any, writeable: bool) -> Any:
    """``value`` (a fresh deep copy) with the writeable flag of every array in it set to ``writeable``."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = writeable
    elif isinstance(value, dict):
        for item in value.values():
            _with_arrays_writeable(item, writeable)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _with_arrays_writeable(item, writeable)
    return value


def read_only_copy(value: Any) -> Any:
    """A deep copy of ``value`` whose arrays are read-only; dicts, lists and tuples are copied recursively."""
    return copy_value(value, writeable=False)


def first_change(before: Any, after: Any, path: str = "") -> str | None:
    """Where ``after`` differs from ``before`` (" at ['W1'][0, 1]"), or None; arrays, mappings, sequences."""
    if before is after:
        return None
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        if set(before) != set(after):
            return f"{path}: keys {sorted(before)} became {sorted(after)}"
        changes = (first_change(before[key], after[key], f"{path}[{key!r}]") for key in before)
        return next((change for change in changes if change is not None), None)
    if isinstance(before, np.ndarray) or isinstance(after, np.ndarray):
        return _array_change(np.asarray(before), np.asarray(after), path)
    if isinstance(before, (tuple, list)) and isinstance(after, (tuple, list)):
        if len(before) != len(after):
            return f"{path}: length {len(before)} became {len(after)}"
        changes = (first_change(b, a, f"{path}[{i}]") for i, (b, a) in enumerate(zip(before, after, strict=True)))
        return next((change for change in changes if change is not None), None)
    try:
        same = bool(before == after)
    except Exception:  # an object whose == gives no truth value (one holding arrays)
        same = False
    return None if same else f"{path}: {before!r} became {after!r}"


def _array_change(before: np.ndarray, after: np.ndarray, path: str) -> str | None:
    if before.shape != after.shape or before.dtype != after.dtype:
        return f"{path}: shape/dtype {before.shape}/{before.dtype} became {after.shape}/{after.dtype}"
    if before.nbytes <= BYTEWISE_LIMIT and before.tobytes() == after.tobytes():
        return None  # the common case (nothing changed), decided fast
    differ = ~((before == after) | (np.isnan(before) & np.isnan(after))) if before.dtype.kind in "fc" \
        else before != after
    if not np.any(differ):
        return None
    index = tuple(int(i) for i in np.argwhere(differ)[0]) if np.ndim(differ) else ()
    return f"{path} at index {index}: {scalar(before[index])} became {scalar(after[index])}"


def scalar(value: Any) -> str:
    """repr of one element, as a plain Python number (numpy 2 prints np.float64(...))."""
    return repr(value.item() if isinstance(value, np.generic) else value)
