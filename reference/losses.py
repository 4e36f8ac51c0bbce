"""Losses and their gradients with respect to the prediction AL (documents 003 §1.3 and 004 "Loss Functions").

``AL`` and ``Y`` have the same shape, ``(n_outputs, m)``: one column per sample. Costs are Python floats;
gradients are arrays shaped like ``AL``. Every ``*_gradient`` is d(cost)/d(AL) of the cost as defined here,
means included.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference._checks import as_array, check_2d, check_choice, check_same_shape, result_dtype

PROBABILITY_FLOOR = 1e-15  # the contract's clip of predicted probabilities before taking a logarithm


def _pair(AL: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    AL = as_array(AL, "AL")
    Y = as_array(Y, "Y", like=AL)
    check_same_shape(AL, "AL", Y, "Y")
    if AL.size == 0:
        raise ValueError(f"AL must hold at least one prediction; got an empty array of shape {AL.shape}")
    return AL, Y


def mse(AL: ArrayLike, Y: ArrayLike) -> float:
    """Mean over all N elements of (AL - Y)^2."""
    AL, Y = _pair(AL, Y)
    return float(np.mean((AL - Y) ** 2))


def mse_gradient(AL: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """2 (AL - Y) / N."""
    AL, Y = _pair(AL, Y)
    return 2 * (AL - Y) / AL.size


def _clipped(AL: np.ndarray) -> np.ndarray:
    return np.clip(AL, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)


def binary_cross_entropy(AL: ArrayLike, Y: ArrayLike) -> float:
    """Mean over all elements of -[Y log AL + (1 - Y) log(1 - AL)], AL clipped to [1e-15, 1 - 1e-15]."""
    AL, Y = _pair(AL, Y)
    P = _clipped(AL.astype(np.float64))
    return float(-np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P)))


def binary_cross_entropy_gradient(AL: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """(-Y / AL + (1 - Y) / (1 - AL)) / N with AL clipped as in the cost (the clip's own derivative ignored)."""
    AL, Y = _pair(AL, Y)
    P = _clipped(AL.astype(np.float64))
    return ((-Y / P + (1 - Y) / (1 - P)) / AL.size).astype(result_dtype(AL, Y))


def _columns(AL: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    AL, Y = _pair(AL, Y)
    check_2d(AL, "AL", "(n_classes, m): one column of class probabilities per sample")
    return AL, Y


def categorical_cross_entropy(AL: ArrayLike, Y: ArrayLike) -> float:
    """Mean over the m columns of -sum_k Y_k log AL_k, AL floored at 1e-15."""
    AL, Y = _columns(AL, Y)
    P = np.maximum(AL.astype(np.float64), PROBABILITY_FLOOR)
    return float(-np.sum(Y * np.log(P)) / AL.shape[-1])


def categorical_cross_entropy_gradient(AL: ArrayLike, Y: ArrayLike) -> np.ndarray:
    """-Y / (m AL), AL floored at 1e-15 as in the cost."""
    AL, Y = _columns(AL, Y)
    P = np.maximum(AL.astype(np.float64), PROBABILITY_FLOOR)
    return (-Y / (P * AL.shape[-1])).astype(result_dtype(AL, Y))


LOSSES = {
    "binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_gradient),
    "categorical_cross_entropy": (categorical_cross_entropy, categorical_cross_entropy_gradient),
    "mse": (mse, mse_gradient),
}


def compute_cost(AL: ArrayLike, Y: ArrayLike, loss: str = "binary_cross_entropy") -> float:
    """The named loss of predictions AL against labels Y, as a Python float."""
    check_choice(loss, "loss", LOSSES)
    return LOSSES[loss][0](AL, Y)


def loss_gradient(AL: ArrayLike, Y: ArrayLike, loss: str = "binary_cross_entropy") -> np.ndarray:
    """d(cost)/d(AL) of the named loss."""
    check_choice(loss, "loss", LOSSES)
    return LOSSES[loss][1](AL, Y)
