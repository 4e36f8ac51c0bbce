"""The course API's per-variable optimizers as the contract's optimizers: the built-in adapter of course-api.

Part of the worker runtime (trusted; NumPy and the standard library only). The course updates one variable at a
time and leaves the optimizer's state to its caller:

    update_variables_momentum(alpha, beta1, var, grad, v) -> (var, v)
    update_variables_RMSProp(alpha, beta2, epsilon, var, grad, s) -> (var, s)
    update_variables_Adam(alpha, beta1, beta2, epsilon, var, grad, v, s, t) -> (var, v, s)

The contract's ``sgd_momentum_update``, ``rmsprop_update`` and ``adam_update`` call them once per parameter ``P``
(gradient ``grads["dP"]``), keeping the state themselves: per parameter, zeros at the first step (``state`` None),
and for Adam the step count ``t`` from 1. Each call gets copies, so a variable updated in place never changes the
caller's arrays (the contract's functions are pure).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

Params = dict[str, np.ndarray]
Function = Callable[..., Any]
# each contract function in the learner's terms, for failure messages (nnspec.profiles.calls)
MADE_OF = {
    "sgd_momentum_update": "update_variables_momentum(learning_rate, beta, var, grad, v) for each parameter P "
                           "(var = parameters[P], grad = grads['dP'], v = state[P], zeros at the first step)",
    "rmsprop_update": "update_variables_RMSProp(learning_rate, beta, eps, var, grad, s) for each parameter P "
                      "(var = parameters[P], grad = grads['dP'], s = state[P], zeros at the first step)",
    "adam_update": "update_variables_Adam(learning_rate, beta1, beta2, eps, var, grad, v, s, t) for each parameter P "
                   "(v = state['v'][P], s = state['s'][P], zeros at the first step; t = state['t'] + 1, from 1)",
}


def adapt(module: ModuleType) -> dict[str, Function]:
    """The contract optimizers whose course function ``module`` defines."""
    makers = {"update_variables_momentum": momentum, "update_variables_RMSProp": rmsprop,
              "update_variables_Adam": adam}
    functions = {}
    for own, make in makers.items():
        if callable(getattr(module, own, None)):
            function = make(getattr(module, own))
            functions[function.__name__] = function
    return functions

def momentum(own: Function) -> Function:
    def sgd_momentum_update(parameters: Params, grads: Params, state: Any, learning_rate: float,
                            beta: float = 0.9) -> tuple[Params, Params]:
        """state: {P: v}; own(alpha, beta1, var, grad, v) -> (var, v) per parameter."""
        velocity = _zeros(parameters) if state is None else state
        updated, (velocity,) = per_variable(own, parameters, grads, [velocity], (learning_rate, beta))
        return updated, velocity
    return sgd_momentum_update


def rmsprop(own: Function) -> Function:
    def rmsprop_update(parameters: Params, grads: Params, state: Any, learning_rate: float, beta: float = 0.9,
                       eps: float = 1e-08) -> tuple[Params, Params]:
        """state: {P: s}; own(alpha, beta2, epsilon, var, grad, s) -> (var, s) per parameter."""
        square = _zeros(parameters) if state is None else state
        updated, (square,) = per_variable(own, parameters, grads, [square], (learning_rate, beta, eps))
        return updated, square
    return rmsprop_update


def adam(own: Function) -> Function:
    def adam_update(parameters: Params, grads: Params, state: Any, learning_rate: float, beta1: float = 0.9,
                    beta2: float = 0.999, eps: float = 1e-08) -> tuple[Params, dict[str, Any]]:
        """state: {"t": steps taken, "v": {P: v}, "s": {P: s}}; own(alpha, beta1, beta2, epsilon, var, grad, v, s, t)
        -> (var, v, s) per parameter, t counting from 1."""
        if state is None:
            state = {"t": 0, "v": _zeros(parameters), "s": _zeros(parameters)}
        t = state["t"] + 1
        updated, (first, second) = per_variable(own, parameters, grads, [state["v"], state["s"]],
                                                (learning_rate, beta1, beta2, eps), (t,))
        return updated, {"t": t, "v": first, "s": second}
    return adam_update


def per_variable(own: Function, parameters: Params, grads: Params, slots: list[Params], leading: tuple[Any, ...],
                 trailing: tuple[Any, ...] = ()) -> tuple[Params, list[Params]]:
    """Each parameter P through ``own(*leading, var, grad, *its slots, *trailing) -> (var, *slots)``: the updated
    parameters and slots (dicts of the parameters' keys)."""
    updated: Params = {}
    new_slots: list[Params] = [{} for _ in slots]
    for name, value in parameters.items():
        result = own(*leading, np.array(value), np.array(grads["d" + name]),
                     *(np.array(slot[name]) for slot in slots), *trailing)
        if not isinstance(result, (tuple, list)) or len(result) != 1 + len(slots):
            raise TypeError(f"{own.__name__} must return a tuple of {1 + len(slots)} arrays (the variable and its "
                            f"{len(slots)} moment(s)); it returned {type(result).__name__} {result!r:.200}")
        updated[name] = result[0]
        for slot, value_of_slot in zip(new_slots, result[1:], strict=True):
            slot[name] = value_of_slot
    return updated, new_slots


def _zeros(parameters: Params) -> Params:
    return {name: np.zeros_like(value) for name, value in parameters.items()}
