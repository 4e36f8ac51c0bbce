"""Hypothesis strategies shared by all spec chapters.

Values are bounded (default |x| <= 10) so that finite differences stay accurate; stability at extreme values
is checked separately with explicit inputs. Network configurations follow issue 3: depth 1-4, widths 1-8,
every hidden activation, every valid output/loss pair, batch 1-5.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DEFAULT_BOUND = 10.0
MAX_SIDE = 5
HIDDEN_ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu")
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "linear")
LOSSES = ("binary_cross_entropy", "categorical_cross_entropy", "mse")
# Every output/loss pair whose loss is defined on the outputs: the cross-entropies need probabilities, which a
# linear output does not produce.
OUTPUT_LOSS_PAIRS = tuple(
    (output, loss) for output in OUTPUT_ACTIVATIONS for loss in LOSSES if output != "linear" or loss == "mse"
)
KINK_MARGIN = 1e-3  # distance kept from non-differentiable points (ReLU at 0) in finite-difference tests


def floats(
    min_value: float = -DEFAULT_BOUND, max_value: float = DEFAULT_BOUND, dtype: Any = np.float64
) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value], exactly representable in ``dtype``."""
    if np.dtype(dtype) == np.float32:
        return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, width=32)
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)


def arrays(
    shape: int | tuple[int, ...] | st.SearchStrategy[tuple[int, ...]],
    min_value: float = -DEFAULT_BOUND,
    max_value: float = DEFAULT_BOUND,
    dtype: Any = np.float64,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays of the given shape (or of shapes drawn from a strategy) with elements in [min_value, max_value]."""
    return hnp.arrays(np.dtype(dtype), shape, elements=floats(min_value, max_value, dtype))


def shapes(min_dims: int = 1, max_dims: int = 2, max_side: int = MAX_SIDE) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes with 1..max_side elements per axis."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


@st.composite
def float_arrays(
    draw: st.DrawFn,
    min_dims: int = 1,
    max_dims: int = 2,
    max_side: int = MAX_SIDE,
    min_value: float = -DEFAULT_BOUND,
    max_value: float = DEFAULT_BOUND,
    dtype: Any = np.float64,
) -> np.ndarray:
    """Arrays of any drawn shape (1-2 dimensions by default) with bounded finite elements."""
    return draw(arrays(draw(shapes(min_dims, max_dims, max_side)), min_value, max_value, dtype))


@st.composite
def matrices(draw: st.DrawFn, max_rows: int = MAX_SIDE, max_cols: int = MAX_SIDE, **bounds: float) -> np.ndarray:
    """2-D float64 arrays of shape (1..max_rows, 1..max_cols)."""
    rows = draw(st.integers(1, max_rows))
    cols = draw(st.integers(1, max_cols))
    return draw(arrays((rows, cols), **bounds))


def away_from(
    shape: int | tuple[int, ...],
    kinks: tuple[float, ...] = (0.0,),
    margin: float = KINK_MARGIN,
    min_value: float = -DEFAULT_BOUND,
    max_value: float = DEFAULT_BOUND,
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays whose elements all stay at least ``margin`` from each kink (for finite differences)."""
    element = floats(min_value, max_value).filter(lambda v: all(abs(v - k) >= margin for k in kinks))
    return hnp.arrays(np.float64, shape, elements=element)


def probabilities(shape: int | tuple[int, ...], low: float = 0.01, high: float = 0.99) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays with elements in [low, high] (inside (0, 1), away from the loss clipping)."""
    return arrays(shape, low, high)


def binary_labels(shape: int | tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of 0.0 and 1.0."""
    return hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0]))


@st.composite
def one_hot(draw: st.DrawFn, classes: int, m: int) -> np.ndarray:
    """One-hot labels of shape (classes, m): one 1.0 per column."""
    labels = draw(st.lists(st.integers(0, classes - 1), min_size=m, max_size=m))
    Y = np.zeros((classes, m))
    Y[labels, np.arange(m)] = 1.0
    return Y


@dataclass(frozen=True)
class NetworkConfig:
    """A network to test: ``layer_dims`` [n_x, n_1, ..., n_L], activations, loss, batch size ``m``, seed."""

    layer_dims: tuple[int, ...]
    hidden_activation: str
    output_activation: str
    loss: str
    m: int
    seed: int


@st.composite
def network_configs(
    draw: st.DrawFn, max_depth: int = 4, max_width: int = 8, max_batch: int = 5
) -> NetworkConfig:
    """Depth 1..max_depth (weight layers), widths 1..max_width (softmax outputs >= 2), batch 1..max_batch."""
    output, loss = draw(st.sampled_from(OUTPUT_LOSS_PAIRS))
    depth = draw(st.integers(1, max_depth))
    widths = draw(st.lists(st.integers(1, max_width), min_size=depth + 1, max_size=depth + 1))
    if output == "softmax" or loss == "categorical_cross_entropy":
        widths[-1] = max(widths[-1], 2)
    return NetworkConfig(
        layer_dims=tuple(widths),
        hidden_activation=draw(st.sampled_from(HIDDEN_ACTIVATIONS)),
        output_activation=output,
        loss=loss,
        m=draw(st.integers(1, max_batch)),
        seed=draw(st.integers(0, 2**16)),
    )


def labels_for(output_activation: str, loss: str, n_out: int, m: int) -> st.SearchStrategy[np.ndarray]:
    """Targets Y of shape (n_out, m) that suit the output/loss pair: one-hot, 0/1, or real values."""
    if loss == "categorical_cross_entropy" or output_activation == "softmax":
        return one_hot(n_out, m)
    if output_activation == "sigmoid":
        return binary_labels((n_out, m))
    return arrays((n_out, m), -1.0, 1.0)


def gradient_sequence(shapes: Mapping[str, tuple[int, ...]], seed: int, steps: int) -> list[dict[str, np.ndarray]]:
    """``steps`` gradient dicts {"d" + name: array} for parameters of the given shapes, changing every step.

    Entries span scales 1e-4..10 (small ones expose eps mistakes in the adaptive optimizers) and about 10% are
    exactly 0; drawn from ``np.random.default_rng(seed)``, so the same seed gives the same sequence.
    """
    rng = np.random.default_rng(seed)
    sequence = []
    for _ in range(steps):
        grads = {}
        for name, shape in shapes.items():
            g = rng.normal(size=shape) * 10.0 ** rng.integers(-4, 2, size=shape)
            grads["d" + name] = np.where(rng.random(shape) < 0.1, 0.0, g)
        sequence.append(grads)
    return sequence
