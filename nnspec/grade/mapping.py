"""An assignment profile's mapping, applied in the worker: the learner's own functions seen as contract functions.

Part of the worker runtime (copied into the sandbox; standard library and NumPy only). The grader sends the
mapping as plain data (``nnspec.profiles.Profile.mapping``), never code:

    {"adapter": "module name or empty",
     "functions": {CONTRACT_NAME: {"name": the learner's function,
                                   "parameters": [[contract parameter, has a default, default], ...],
                                   "args": [ARG, ...], "kwargs": {learner parameter: ARG},
                                   "returns": null | index | [indices], "drop_keys": [prefix, ...],
                                   "times_m": [index, ...], "result_item": null | [index, length],
                                   "layout": null | {roles and bias shape: nnspec.grade.layout}}}}

An ARG is a contract parameter's name, ``"=LITERAL"`` (a Python literal: ``"=None"``, ``"=0.5"``), a transform
of one (``"TRANSFORM:NAME"``, ``TRANSFORMS``), or a list of ARGs (passed as a tuple: a cache built from the
contract's arguments). The transforms:

- ``ones_like:NAME``: an array of ones shaped like that argument (a backward step's upstream gradient);
- ``sigmoid:NAME``, ``tanh:NAME``: the activation of that argument, for a derivative that takes the activation
  instead of z (``dsigmoid(a)`` = a (1 - a), ``dtanh(a)`` = 1 - a^2: documents 002/003);
- ``over_m:NAME``: that argument divided by its number of samples m (columns), for a ``linear_backward`` whose dZ
  already carries the 1/m of the mean cost (003's XOR network: ``dA2 = 2 (A2 - Y) / len(X)``). Its results are
  then gradients of the mean cost too: ``times_m`` lists the items multiplied back by that m, those the contract
  passes on per sample (``linear_backward``'s dA_prev; its dW and db are means in both).

``returns`` picks from a tuple the learner returns (``linear_forward`` returning ``(Z, cache)``); ``drop_keys``
removes the dict keys starting with a prefix (``dA`` in a course's grads); ``result_item`` places what the learner
returns as that item of the contract's tuple of ``length``, the others None (a course's ``batch_norm`` returns only
the contract's Y). With a ``layout`` (a row-major function), each named argument is handed over in the assignment's
layout after its transform, and the result comes back in the contract's (``nnspec.grade.layout``).
``"values": [name, ...]`` (optional) also serves the module's values of those names as data
(``nnspec.grade.values``). The adapter module (trusted: a built-in one, ``nnspec.grade.adapters``, or the
instructor's, on the worker's path through ``[worker] paths``) has ``adapt(module) -> {contract name: function}``;
its functions are used as they are.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from nnspec.grade import layout, values
from nnspec.grade.adapters import BUILTIN

LITERAL, SEPARATOR = "=", ":"
Converter = Callable[[str, Any], Any]  # (contract parameter, value) -> the value in the assignment's layout
OVER_M = "over_m"
TRANSFORMS: dict[str, Callable[[Any], Any]] = {
    "ones_like": np.ones_like,
    "sigmoid": lambda z: np.exp(-np.logaddexp(0, -z)),  # stable: no overflow for any z
    "tanh": np.tanh,
    OVER_M: lambda dZ: dZ / np.shape(dZ)[-1],  # m: the samples, the columns of the contract's dZ
}


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
    if mapping.get("values"):
        setattr(adapted, values.FUNCTION, values.reader(module, mapping["values"]))
    return adapted


def wrapped(name: str, own: Callable[..., Any], table: dict[str, Any]) -> Callable[..., Any]:
    """Contract function ``name`` (with the contract's signature) calling the learner's ``own`` as ``table`` says."""
    signature = contract_signature(table)

    def call(*args: Any, **kwargs: Any) -> Any:
        learner_args, learner_kwargs, values = learner_arguments(table, args, kwargs, signature)
        return _as_contract(own(*learner_args, **learner_kwargs), table, values)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = own.__doc__
    setattr(call, "__signature__", signature)  # what describe_functions reports  # noqa: B010
    return call


def contract_signature(table: dict[str, Any]) -> inspect.Signature:
    """The contract function's signature, from the table's ``parameters``."""
    return inspect.Signature([
        inspect.Parameter(parameter, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          default=default if has_default else inspect.Parameter.empty)
        for parameter, has_default, default in table["parameters"]])


def learner_arguments(table: dict[str, Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                      signature: inspect.Signature | None = None) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    """(positional, keyword) arguments of the learner's function for the contract call ``(*args, **kwargs)``, and
    the contract's arguments by name; TypeError when the contract's signature does not take them."""
    bound = (signature or contract_signature(table)).bind(*args, **kwargs)
    bound.apply_defaults()
    values, convert = bound.arguments, _converter(table.get("layout"))
    return ([argument(spec, values, convert) for spec in table["args"]],
            {key: argument(spec, values, convert) for key, spec in table.get("kwargs", {}).items()}, values)


def argument(spec: Any, values: dict[str, Any], convert: Converter | None = None) -> Any:
    """The value of one ARG (see the module docstring) for a call whose contract arguments are ``values``;
    ``convert(name, value)`` hands a named argument over in the assignment's layout, after its transform."""
    if isinstance(spec, list):
        return tuple(argument(item, values, convert) for item in spec)
    if spec.startswith(LITERAL):
        return ast.literal_eval(spec[len(LITERAL):])
    transform, _, name = spec.rpartition(SEPARATOR)
    value = TRANSFORMS[transform](values[name]) if transform else values[name]
    return value if convert is None else convert(name, value)


def _as_contract(result: Any, table: dict[str, Any], values: dict[str, Any]) -> Any:
    """What the learner returned, as the contract's result: picked from its tuple, keys dropped, items multiplied
    back by m, placed in the contract's tuple, and in the contract's layout (the module docstring's keys)."""
    result = _dropped(_picked(result, table.get("returns"), table["name"]), tuple(table.get("drop_keys", ())))
    result = _times_m(result, table.get("times_m", []), table["args"], values)
    if table.get("result_item") is not None:
        index, length = table["result_item"]
        result = tuple(result if item == index else None for item in range(length))
    if table.get("layout") is not None:
        result = layout.result(result, table["layout"]["result"], table["layout"]["bias"])
    return result


def _converter(roles: dict[str, Any] | None) -> Converter | None:
    """For a row-major function (``roles``: its layout entry), the conversion of its named arguments."""
    if roles is None:
        return None
    return lambda name, value: layout.to_learner(value, roles["arguments"].get(name), roles["bias"])


def _times_m(result: Any, items: list[int], specs: list[Any], values: dict[str, Any]) -> Any:
    """``result`` with its ``items`` multiplied by the m that the ``over_m`` ARG among ``specs`` divided by (a
    result that is not a tuple long enough is handed over as it is, for the spec to report)."""
    if not items or not isinstance(result, (tuple, list)) or len(result) <= max(items):
        return result
    m = next(np.shape(values[name])[-1] for spec in specs if isinstance(spec, str)
             for transform, _, name in [spec.rpartition(SEPARATOR)] if transform == OVER_M)
    return tuple(item * m if index in items else item for index, item in enumerate(result))


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
