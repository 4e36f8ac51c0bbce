"""Input checks shared by the reference: every error names the argument, what was received and what was expected."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def as_array(value: object, name: str, like: np.ndarray | None = None) -> np.ndarray:
    """Return ``value`` as a float array, or raise TypeError.

    float32 and float64 arrays are kept as they are; integers and booleans (e.g. labels) become the float dtype
    of ``like`` when given, else float64, so that integer labels never decide the precision of a result.
    """
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be array-like of numbers, got {type(value).__name__}") from error
    if array.dtype in (np.float32, np.float64):
        return array
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {array.dtype}")
    return array.astype(like.dtype if like is not None and like.dtype.kind == "f" else np.float64)


def result_dtype(*arrays: np.ndarray) -> type[np.floating]:
    """float32 only when every floating input is float32 (contract resolution), else float64."""
    floating = [a.dtype for a in arrays if a.dtype.kind == "f"]
    return np.float32 if floating and all(d == np.float32 for d in floating) else np.float64


def check_choice(value: str, name: str, valid: Iterable[str]) -> None:
    """Raise ValueError naming ``name`` and listing the valid choices when ``value`` is not one of them."""
    valid = list(valid)
    if value not in valid:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, valid))}; got {value!r}")


def check_same_shape(a: np.ndarray, a_name: str, b: np.ndarray, b_name: str) -> None:
    """Raise ValueError when two arrays that must match element for element do not (no broadcasting)."""
    if a.shape != b.shape:
        raise ValueError(f"{b_name} must have the same shape as {a_name} {a.shape}; got {b.shape}")


def check_2d(a: np.ndarray, name: str, meaning: str) -> None:
    """Raise ValueError unless ``a`` is a matrix; ``meaning`` describes the expected axes."""
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D {meaning}; got shape {a.shape}")


def check_finite(a: np.ndarray, name: str) -> None:
    """Raise ValueError when ``a`` holds NaN or infinity, saying how many and where the first one is."""
    bad = ~np.isfinite(a)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must be finite; it has {int(bad.sum())} non-finite value(s), first at {first}")
