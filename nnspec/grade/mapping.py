"""An assignment profile's mapping, applied in the worker: the learner's own functions seen as contract functions.

Part of the worker runtime (copied into the sandbox; standard library and NumPy only). The grader sends the
mapping as plain data (``nnspec.profiles.Profile.mapping``), never code:

    {"adapter": "module name or empty",
     "functions": {CONTRACT_NAME: {"name": the learner's function,
                                   "parameters": [[contract parameter, has a default, default], ...],
                                   "args": [ARG, ...], "kwargs": {learner parameter: ARG},
                                   "returns": null | index | [indices], "drop_keys": [prefix, ...]}}}

An ARG is a contract parameter's name, ``"=LITERAL"`` (a Python literal: ``"=None"``, ``"=0.5"``),
``"ones_like:NAME"`` (an array of ones shaped like that argument: a backward step's upstream gradient), or a
list of ARGs (passed as a tuple: a cache built from the contract's arguments). ``returns`` picks from a tuple the
learner returns (``linear_forward`` returning ``(Z, cache)``); ``drop_keys`` removes the dict keys starting with a
prefix (``dA`` in a course's grads). The adapter module (trusted: a built-in one, ``nnspec.grade.adapters``, or
the instructor's, on the worker's path through ``[worker] paths``) has ``adapt(module) -> {contract name:
function}``; its functions are used as they are.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from nnspec.grade.adapters import BUILTIN

LITERAL, ONES_LIKE = "=", "ones_like:"


def apply(module: ModuleType, mapping: dict[str, Any]) -> ModuleType:
    """A module holding only the contract functions the mapping makes of ``module``'s (learner's) functions; a
    function the learner has not defined is left out (the grader reports it as not implemented)."""
    adapted = ModuleType("assignment")
    if mapping.get("adapter"):
        adapter = BUILTIN.get(mapping["adapter"]) or importlib.import_module(mapping["adapter"])
        for name, function in adapter.adapt(module).items():
            setattr(adapted, name, function)
    for name, table in mapping["functions"].items():
        own = getattr(module, table["name"], None)
        if callable(own):
            setattr(adapted, name, wrapped(name, own, table))
    return adapted


def wrapped(name: str, own: Callable[..., Any], table: dict[str, Any]) -> Callable[..., Any]:
    """Contract function ``name`` (with the contract's signature) calling the learner's ``own`` as ``table`` says."""
    signature = inspect.Signature([
        inspect.Parameter(parameter, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          default=default if has_default else inspect.Parameter.empty)
        for parameter, has_default, default in table["parameters"]])

    def call(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = bound.arguments
        result = own(*(argument(spec, values) for spec in table["args"]),
                     **{key: argument(spec, values) for key, spec in table.get("kwargs", {}).items()})
        return _dropped(_picked(result, table.get("returns"), table["name"]), tuple(table.get("drop_keys", ())))

    call.__name__ = call.__qualname__ = name
    call.__doc__ = own.__doc__
    setattr(call, "__signature__", signature)  # what describe_functions reports  # noqa: B010
    return call


def argument(spec: Any, values: dict[str, Any]) -> Any:
    """The value of one ARG (see the module docstring) for a call whose contract arguments are ``values``."""
    if isinstance(spec, list):
        return tuple(argument(item, values) for item in spec)
    if spec.startswith(LITERAL):
        return ast.literal_eval(spec[len(LITERAL):])
    if spec.startswith(ONES_LIKE):
        return np.ones_like(values[spec[len(ONES_LIKE):]])
    return values[spec]


def _picked(result: Any, returns: Any, own: str) -> Any:
    """The items ``returns`` names of the tuple the learner's ``own`` returned; TypeError saying what it returned
    when that is not a tuple long enough."""
    if returns is None:
        return result
    wanted = returns if isinstance(returns, list) else [returns]
    if not isinstance(result, (tuple, list)) or len(result) <= max(wanted):
        raise TypeError(f"{own} must return a tuple with item(s) {wanted} (as the assignment asks); it returned "
                        f"{type(result).__name__} {result!r:.200}")
    return tuple(result[index] for index in wanted) if isinstance(returns, list) else result[returns]


def _dropped(result: Any, prefixes: tuple[str, ...]) -> Any:
    if prefixes and isinstance(result, dict):
        return {key: value for key, value in result.items() if not str(key).startswith(prefixes)}
    return result
