"""Correct but different: updates that copy first and then change the COPIES in place.

update_parameters and the optimizers copy every parameter (and the previous state) and then subtract or
accumulate with in-place NumPy operations on those copies, the arguments themselves untouched; optimizer states
are flat dicts keyed by (moment, parameter name). Everything else is the reference's.
"""

from typing import Any

import numpy as np

from reference import *  # noqa: F403  (every contract function this variant does not override)

Params = dict[str, np.ndarray]


def _copies(arrays: Params) -> Params:
    return {name: np.array(value, copy=True) for name, value in arrays.items()}


def _gradient(grads: Params, name: str, like: np.ndarray) -> np.ndarray:
    g = np.asarray(grads["d" + name])
    if g.shape != like.shape:
        raise ValueError(f"d{name} must have the shape of {name} {like.shape}; got {g.shape}")
    return g


def update_parameters(parameters: Params, grads: Params, learning_rate: float) -> Params:
    new = _copies(parameters)
    for name, value in new.items():
        value -= learning_rate * _gradient(grads, name, value)
    return new


def _moment(state: dict[Any, np.ndarray] | None, key: str, name: str, like: np.ndarray) -> np.ndarray:
    """A copy of the state's (key, name) array, zeros at the first step."""
    return np.zeros_like(like) if state is None else np.array(state[(key, name)], copy=True)


def sgd_momentum_update(parameters: Params, grads: Params, state: Any, learning_rate: float,
                        beta: float = 0.9) -> tuple[Params, dict[Any, Any]]:
    new, new_state = _copies(parameters), {}
    for name, value in new.items():
        v = _moment(state, "v", name, value)
        v *= beta
        v += (1 - beta) * _gradient(grads, name, value)
        value -= learning_rate * v
        new_state[("v", name)] = v
    return new, new_state


def rmsprop_update(parameters: Params, grads: Params, state: Any, learning_rate: float, beta: float = 0.9,
                   eps: float = 1e-8) -> tuple[Params, dict[Any, Any]]:
    new, new_state = _copies(parameters), {}
    for name, value in new.items():
        g = _gradient(grads, name, value)
        s = _moment(state, "s", name, value)
        s *= beta
        s += (1 - beta) * g * g
        value -= learning_rate * g / (np.sqrt(s) + eps)
        new_state[("s", name)] = s
    return new, new_state


def _adam(parameters: Params, grads: Params, state: Any, learning_rate: float, beta1: float, beta2: float,
          eps: float, weight_decay: float) -> tuple[Params, dict[Any, Any]]:
    t = 1 if state is None else state["t"] + 1
    new: Params = _copies(parameters)
    new_state: dict[Any, Any] = {"t": t}
    for name, value in new.items():
        g = _gradient(grads, name, value)
        m, v = _moment(state, "m", name, value), _moment(state, "v", name, value)
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        step = (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps) + weight_decay * value
        value -= learning_rate * step
        new_state[("m", name)], new_state[("v", name)] = m, v
    return new, new_state


def adam_update(parameters: Params, grads: Params, state: Any, learning_rate: float, beta1: float = 0.9,
                beta2: float = 0.999, eps: float = 1e-8) -> tuple[Params, dict[Any, Any]]:
    return _adam(parameters, grads, state, learning_rate, beta1, beta2, eps, 0.0)


def adamw_update(parameters: Params, grads: Params, state: Any, learning_rate: float, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.01) -> tuple[Params, dict[Any, Any]]:
    return _adam(parameters, grads, state, learning_rate, beta1, beta2, eps, weight_decay)
