"""Model files: ``np.savez`` archives read back with ``allow_pickle=False``.

A model file holds the parameters, the layer sizes, the activations, a file-format version and the contract
version; anything else is a ``ModelFileError``.
"""

from __future__ import annotations

import itertools
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnspec.toolkit.training import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATION, check_layers

FORMAT_VERSION = 1
CONTRACT_VERSION = "1"
METADATA_KEYS = ("format_version", "contract", "layers", "hidden_activation", "output_activation")


class ModelFileError(ValueError):
    """A model file that is missing, not an nnspec model, of another version, or inconsistent."""


@dataclass(frozen=True)
class Model:
    """A saved model: parameters, layer sizes and hidden activation (the output is softmax)."""

    parameters: dict[str, np.ndarray]
    layers: tuple[int, ...]
    hidden_activation: str


def save_model(path: str | os.PathLike[str], parameters: dict[str, np.ndarray], layers: Sequence[int],
               hidden_activation: str) -> Path:
    """Write the model to exactly ``path`` (np.savez format, no pickled objects) and return the path."""
    path = Path(path)
    _check_parameters(parameters, tuple(layers), path)
    metadata = {
        "format_version": np.array(FORMAT_VERSION),
        "contract": np.array(CONTRACT_VERSION),
        "layers": np.array(layers, dtype=np.int64),
        "hidden_activation": np.array(hidden_activation),
        "output_activation": np.array(OUTPUT_ACTIVATION),
    }
    arrays: dict[str, Any] = {**metadata, **parameters}
    with path.open("wb") as out:
        np.savez(out, **arrays)
    return path


def load_model(path: str | os.PathLike[str]) -> Model:
    """Read a model written by save_model; ModelFileError (a ValueError) names the file and the problem."""
    path = Path(path)
    fields = _read_npz(path)
    missing = [key for key in METADATA_KEYS if key not in fields]
    if missing:
        raise ModelFileError(f"{path}: not an nnspec model: missing {missing} (write one with nnspec train --save)")
    version = fields["format_version"]
    if version.shape != () or version.dtype.kind not in "iu" or int(version) != FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: model format version {version!r}, this nnspec reads version {FORMAT_VERSION}: "
            "retrain and save it with this nnspec"
        )
    if str(fields["contract"]) != CONTRACT_VERSION:
        raise ModelFileError(
            f"{path}: saved under contract version {str(fields['contract'])!r}, this nnspec implements contract "
            f"{CONTRACT_VERSION!r}: retrain and save it with this nnspec"
        )
    layers = tuple(int(n) for n in np.atleast_1d(fields["layers"]))
    hidden, output = str(fields["hidden_activation"]), str(fields["output_activation"])
    if hidden not in HIDDEN_ACTIVATIONS or output != OUTPUT_ACTIVATION:
        raise ModelFileError(
            f"{path}: activations {hidden!r}/{output!r}: expected a hidden activation in "
            f"{', '.join(HIDDEN_ACTIVATIONS)} and output {OUTPUT_ACTIVATION!r}"
        )
    parameters = {k: v for k, v in fields.items() if k not in METADATA_KEYS}
    _check_parameters(parameters, layers, path)
    return Model(parameters, layers, hidden)


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file (write one with nnspec train --save {path})")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path}: not an .npz archive, so not an nnspec model (see nnspec train --save)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{path}: not a readable nnspec model (.npz without pickled objects): {exc}") from exc


def _check_parameters(parameters: dict[str, np.ndarray], layers: tuple[int, ...], path: Path) -> None:
    check_layers(layers, f"{path}: layers")
    expected = {f"W{k}": (n, n_prev) for k, (n_prev, n) in enumerate(itertools.pairwise(layers), start=1)}
    expected |= {f"b{k}": (n, 1) for k, n in enumerate(layers[1:], start=1)}
    if set(parameters) != set(expected):
        raise ModelFileError(
            f"{path}: parameters {sorted(parameters)} do not match layers {list(layers)}, which need "
            f"{sorted(expected)}"
        )
    for name, shape in expected.items():
        value = parameters[name]
        if value.shape != shape or value.dtype.kind != "f":
            raise ModelFileError(
                f"{path}: {name} has shape {value.shape} and dtype {value.dtype}; layers {list(layers)} need a "
                f"float array of shape {shape}"
            )
