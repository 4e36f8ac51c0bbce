"""Optimizer steps (documents 003 §1.6 and 004 "Gradient Descent Variants", "Adam", "AdamW").

Each takes ``parameters`` {"W1", "b1", ...}, ``grads`` {"dW1", "db1", ...} and the ``state`` returned by its
previous call (None at the first step), and returns ``(new_parameters, new_state)``; nothing is modified in place.
States: momentum {"v": {name: array}}, RMSProp {"s": {...}}, Adam/AdamW {"t": steps taken, "m": {...}, "v": {...}}.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Params = dict[str, np.ndarray]
State = dict[str, Any]


def _gradients(parameters: Params, grads: Params) -> Params:
    """The gradient of each parameter, keyed by the parameter's name, after checking names and shapes."""
    for name, value in parameters.items():
        if f"d{name}" not in grads:
            raise ValueError(f"grads lacks d{name} for parameter {name}; got keys {sorted(grads)}")
        if np.shape(grads[f"d{name}"]) != np.shape(value):
            raise ValueError(
                f"d{name} must have the shape of {name} {np.shape(value)}; got {np.shape(grads[f'd{name}'])}"
            )
    return {name: np.asarray(grads[f"d{name}"]) for name in parameters}


def _zeros(parameters: Params) -> Params:
    return {name: np.zeros_like(value) for name, value in parameters.items()}


def sgd_momentum_update(
    parameters: Params, grads: Params, state: State | None, learning_rate: float, beta: float = 0.9
) -> tuple[Params, State]:
    """v = beta v + (1 - beta) g; theta = theta - lr v (v starts at 0)."""
    g = _gradients(parameters, grads)
    v_prev = _zeros(parameters) if state is None else state["v"]
    v = {name: beta * v_prev[name] + (1 - beta) * g[name] for name in parameters}
    return {name: p - learning_rate * v[name] for name, p in parameters.items()}, {"v": v}


def rmsprop_update(
    parameters: Params,
    grads: Params,
    state: State | None,
    learning_rate: float,
    beta: float = 0.9,
    eps: float = 1e-8,
) -> tuple[Params, State]:
    """s = beta s + (1 - beta) g^2; theta = theta - lr g / (sqrt(s) + eps) (s starts at 0)."""
    g = _gradients(parameters, grads)
    s_prev = _zeros(parameters) if state is None else state["s"]
    s = {name: beta * s_prev[name] + (1 - beta) * g[name] ** 2 for name in parameters}
    new = {name: p - learning_rate * g[name] / (np.sqrt(s[name]) + eps) for name, p in parameters.items()}
    return new, {"s": s}


def _adam_moments(
    parameters: Params, grads: Params, state: State | None, beta1: float, beta2: float, eps: float
) -> tuple[Params, State]:
    """The bias-corrected Adam direction m_hat / (sqrt(v_hat) + eps) per parameter, and the new state."""
    g = _gradients(parameters, grads)
    if state is None:
        state = {"t": 0, "m": _zeros(parameters), "v": _zeros(parameters)}
    t = state["t"] + 1
    m = {name: beta1 * state["m"][name] + (1 - beta1) * g[name] for name in parameters}
    v = {name: beta2 * state["v"][name] + (1 - beta2) * g[name] ** 2 for name in parameters}
    direction = {
        name: (m[name] / (1 - beta1**t)) / (np.sqrt(v[name] / (1 - beta2**t)) + eps) for name in parameters
    }
    return direction, {"t": t, "m": m, "v": v}


def adam_update(
    parameters: Params,
    grads: Params,
    state: State | None,
    learning_rate: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[Params, State]:
    """m, v moving averages of g and g^2; theta = theta - lr m_hat / (sqrt(v_hat) + eps), hats = /(1 - beta^t)."""
    direction, new_state = _adam_moments(parameters, grads, state, beta1, beta2, eps)
    return {name: p - learning_rate * direction[name] for name, p in parameters.items()}, new_state


def adamw_update(
    parameters: Params,
    grads: Params,
    state: State | None,
    learning_rate: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.01,
) -> tuple[Params, State]:
    """Adam with decoupled decay: theta = theta - lr (m_hat / (sqrt(v_hat) + eps) + weight_decay theta),
    theta being the value before the step, for every parameter passed (biases too), as torch.optim.AdamW.
    """
    direction, new_state = _adam_moments(parameters, grads, state, beta1, beta2, eps)
    new = {name: p - learning_rate * (direction[name] + weight_decay * p) for name, p in parameters.items()}
    return new, new_state
