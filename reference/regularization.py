"""L2 and L1 penalties on the weights, and inverted dropout (document 003 §1.8).

Penalties and their gradients cover the weights W1..WL only, never the biases.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference._checks import as_array


def _weights(parameters: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: np.asarray(value) for name, value in parameters.items() if name.startswith("W")}


def l2_penalty(parameters: dict[str, np.ndarray], lambd: float) -> float:
    """lambd / 2 * sum of W^2 over every weight matrix."""
    return float(lambd / 2 * sum(np.sum(W.astype(np.float64) ** 2) for W in _weights(parameters).values()))


def l2_gradient(parameters: dict[str, np.ndarray], lambd: float) -> dict[str, np.ndarray]:
    """{"dW1": lambd W1, ...}: the gradient of l2_penalty."""
    return {f"d{name}": lambd * W for name, W in _weights(parameters).items()}


def l1_penalty(parameters: dict[str, np.ndarray], lambd: float) -> float:
    """lambd * sum of |W| over every weight matrix."""
    return float(lambd * sum(np.sum(np.abs(W.astype(np.float64))) for W in _weights(parameters).values()))


def l1_gradient(parameters: dict[str, np.ndarray], lambd: float) -> dict[str, np.ndarray]:
    """{"dW1": lambd sign(W1), ...}, with sign(0) = 0 (a subgradient of l1_penalty)."""
    return {f"d{name}": lambd * np.sign(W) for name, W in _weights(parameters).items()}


def _check_p(p: float) -> None:
    if not 0 <= p < 1:
        raise ValueError(f"p (the probability of dropping a unit) must be in [0, 1); got {p!r}")


def dropout_forward(A: ArrayLike, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Drop each unit with probability p and scale the survivors by 1/(1 - p) (inverted dropout).

    Returns (A_out, mask), mask a 0/1 keep-mask shaped like A, drawn from ``rng`` (a np.random.Generator).
    """
    A = as_array(A, "A")
    _check_p(p)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); got {type(rng).__name__}")
    mask = (rng.random(A.shape) >= p).astype(A.dtype)
    return A * mask / (1 - p), mask


def dropout_backward(dA_out: ArrayLike, mask: ArrayLike, p: float) -> np.ndarray:
    """dA = dA_out * mask / (1 - p): the gradient flows only through the units that were kept.

    The mask may be boolean, integer or floating 0/1; a boolean or integer mask takes dA_out's float type.
    """
    dA_out = as_array(dA_out, "dA_out")
    mask = as_array(mask, "mask", like=dA_out)
    _check_p(p)
    if mask.shape != dA_out.shape:
        raise ValueError(f"mask must have the shape of dA_out {dA_out.shape}; got {mask.shape}")
    return dA_out * mask / (1 - p)
