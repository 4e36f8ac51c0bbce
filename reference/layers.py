"""The linear (dense) layer, forward beside backward (documents 003 §1.5 BP3/BP4, 000/001 "Backward Propagation").

Column-major: ``A_prev`` is ``(n_prev, m)`` with one sample per column, ``W`` is ``(n, n_prev)``, ``b`` is ``(n, 1)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reference._checks import as_array, check_2d


def check_layer(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray | None, layer: str = "layer") -> None:
    """Raise ValueError naming ``layer`` and both shapes when W, b and A_prev do not fit together."""
    check_2d(W, f"W of {layer}", "(n_out, n_in)")
    check_2d(A_prev, f"the input of {layer}", "(n_in, m): one column per sample")
    if W.shape[1] != A_prev.shape[0]:
        raise ValueError(
            f"{layer}: W has shape {W.shape}, so it expects inputs with {W.shape[1]} rows, "
            f"but its input has shape {A_prev.shape}"
        )
    if b is not None and b.shape != (W.shape[0], 1):
        raise ValueError(
            f"{layer}: b must have shape ({W.shape[0]}, 1) to match W {W.shape}; got {b.shape}"
            + (" (use b.reshape(-1, 1): a 1-D bias would broadcast wrongly)" if b.ndim == 1 else "")
        )


def linear_forward(A_prev: ArrayLike, W: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Z = W A_prev + b, shape (n, m)."""
    A_prev, W, b = as_array(A_prev, "A_prev"), as_array(W, "W"), as_array(b, "b")
    check_layer(A_prev, W, b)
    return W @ A_prev + b


def linear_backward(dZ: ArrayLike, A_prev: ArrayLike, W: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the MEAN cost over the m samples from per-sample gradients dZ (n, m).

    dW = dZ A_prev^T / m (n, n_prev), db = mean of dZ over samples (n, 1), dA_prev = W^T dZ (n_prev, m).
    """
    dZ, A_prev, W = as_array(dZ, "dZ"), as_array(A_prev, "A_prev"), as_array(W, "W")
    check_layer(A_prev, W, None)
    if dZ.shape != (W.shape[0], A_prev.shape[1]):
        raise ValueError(
            f"dZ must have shape {(W.shape[0], A_prev.shape[1])} (n_out of W {W.shape}, m of A_prev "
            f"{A_prev.shape}); got {dZ.shape}"
        )
    return W.T @ dZ, *parameter_gradients(dZ, A_prev)


def parameter_gradients(dZ: np.ndarray, A_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dW, db) of linear_backward alone, for the first layer, whose dA_prev (the input's gradient) nobody needs."""
    m = A_prev.shape[1]
    return dZ @ A_prev.T / m, dZ.mean(axis=1, keepdims=True)
