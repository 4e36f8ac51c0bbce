"""One small, valid call of every contract function of the reference, for the purity and dtype tests.

Each entry builds fresh arguments from a seeded generator, so every test gets the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import reference as R
from spec.contract import SIGNATURES

Args = tuple[tuple[Any, ...], dict[str, Any]]


def _network(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    X = rng.standard_normal((3, 5))
    Y = np.eye(2)[:, rng.integers(0, 2, 5)]
    return X, Y, R.initialize_parameters([3, 4, 2], "he", seed=1)


def _backward(rng: np.random.Generator) -> Args:
    X, Y, parameters = _network(rng)
    AL, caches = R.forward(X, parameters, "relu", "softmax")
    return (AL, Y, caches, "relu", "softmax", "categorical_cross_entropy"), {}


def _grads(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    _, _, parameters = _network(rng)
    return parameters, {f"d{k}": rng.standard_normal(v.shape) for k, v in parameters.items()}


def _batchnorm_backward(rng: np.random.Generator) -> Args:
    X = rng.standard_normal((3, 5))
    _, cache, _, _ = R.batchnorm_forward(X, np.ones((3, 1)), np.zeros((3, 1)))
    return (rng.standard_normal((3, 5)), cache), {}


def _layernorm_backward(rng: np.random.Generator) -> Args:
    X = rng.standard_normal((3, 5))
    _, cache = R.layernorm_forward(X, np.ones((3, 1)), np.zeros((3, 1)))
    return (rng.standard_normal((3, 5)), cache), {}


def _probabilities(rng: np.random.Generator) -> Args:
    AL = R.softmax(rng.standard_normal((3, 4)))
    return (AL, np.eye(3)[:, rng.integers(0, 3, 4)]), {}


def _z(rng: np.random.Generator) -> Args:
    return (rng.standard_normal((3, 4)),), {}


CALLS: dict[str, Callable[[np.random.Generator], Args]] = {
    **dict.fromkeys(SIGNATURES["activations"], _z),
    **dict.fromkeys(SIGNATURES["losses"], _probabilities),
    "perceptron_predict": lambda rng: ((rng.standard_normal(3), 0.1, rng.standard_normal(3)), {}),
    "perceptron_update": lambda rng: ((rng.standard_normal(3), 0.1, rng.standard_normal(3), 0, 0.1), {}),
    "perceptron_train": lambda rng: ((rng.standard_normal((2, 4)), np.array([0, 1, 1, 0])), {"epochs": 3}),
    "linear_forward": lambda rng: ((rng.standard_normal((3, 5)), rng.standard_normal((2, 3)), np.ones((2, 1))), {}),
    "linear_backward": lambda rng: (
        (rng.standard_normal((2, 5)), rng.standard_normal((3, 5)), rng.standard_normal((2, 3))),
        {},
    ),
    "initialize_parameters": lambda rng: (([3, 4, 2],), {}),
    "forward": lambda rng: (_network(rng)[::2], {"output_activation": "softmax"}),
    "backward": _backward,
    "update_parameters": lambda rng: ((*_grads(rng), 0.1), {}),
    "predict": lambda rng: (_network(rng)[::2], {}),
    "train": lambda rng: ((*_network(rng)[:2], [3, 4, 2]), {"epochs": 2, "batch_size": 2}),
    **{
        name: lambda rng: ((*_grads(rng), None, 0.1), {})
        for name in ("sgd_momentum_update", "rmsprop_update", "adam_update", "adamw_update")
    },
    **{
        name: lambda rng: ((_network(rng)[2], 0.1), {})
        for name in ("l2_penalty", "l2_gradient", "l1_penalty", "l1_gradient")
    },
    "dropout_forward": lambda rng: ((rng.standard_normal((3, 4)), 0.5, np.random.default_rng(0)), {}),
    "dropout_backward": lambda rng: (
        (rng.standard_normal((3, 4)), rng.integers(0, 2, (3, 4)).astype(float), 0.5),
        {},
    ),
    "batchnorm_forward": lambda rng: ((rng.standard_normal((3, 5)), np.ones((3, 1)), np.zeros((3, 1))), {}),
    "batchnorm_backward": _batchnorm_backward,
    "layernorm_forward": lambda rng: ((rng.standard_normal((3, 5)), np.ones((3, 1)), np.zeros((3, 1))), {}),
    "layernorm_backward": _layernorm_backward,
    "numerical_gradient": lambda rng: ((lambda x: float(np.sum(x**3)), rng.standard_normal((2, 3))), {}),
    "relative_error": lambda rng: ((rng.standard_normal(4), rng.standard_normal(4)), {}),
}
