"""The training plots (loss.png, misclassified.png, weights.png), drawn with matplotlib, an optional extra."""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from nnspec import mnist
from nnspec.toolkit.training import OUTPUT_ACTIVATION, TrainResult, describe, reference

MISCLASSIFIED_SHOWN = 36
WEIGHT_IMAGES_SHOWN = 128
LOSS_POINTS_PER_EPOCH = 20
PLOTS_HINT = "pip install 'nnspec[plots]' (or: pip install matplotlib)"


def require_matplotlib() -> ModuleType:
    """matplotlib.figure, or SystemExit with the install command (matplotlib is an optional extra)."""
    try:
        return importlib.import_module("matplotlib.figure")
    except ImportError as exc:
        raise SystemExit(f"nnspec: plots need matplotlib, which is not installed: {PLOTS_HINT}") from exc


def write_plots(directory: Path, result: TrainResult, X_test: np.ndarray, y_test: np.ndarray) -> list[Path]:
    """loss.png, misclassified.png and weights.png in ``directory`` (created); returns their paths."""
    figure = require_matplotlib()
    directory.mkdir(parents=True, exist_ok=True)
    impl = reference()
    predicted = impl.predict(X_test, result.parameters, result.config.hidden_activation, OUTPUT_ACTIVATION)
    paths = [directory / "loss.png", directory / "misclassified.png", directory / "weights.png"]
    _plot_training(figure.Figure(figsize=(8, 4.5)), result).savefig(paths[0], dpi=110)
    _plot_misclassified(figure.Figure(figsize=(8, 9)), X_test, y_test, predicted).savefig(paths[1], dpi=110)
    _plot_weights(figure.Figure(figsize=(12, 6.6)), result.parameters["W1"]).savefig(paths[2], dpi=110)
    return paths


def smoothed_losses(batch_losses: Sequence[float], batches_per_epoch: int) -> tuple[np.ndarray, np.ndarray]:
    """Batch losses averaged over windows of 1/20 epoch: (epoch positions, mean losses)."""
    losses = np.asarray(batch_losses, dtype=np.float64)
    window = max(1, batches_per_epoch // LOSS_POINTS_PER_EPOCH)
    usable = (len(losses) // window) * window
    if usable == 0:
        return np.arange(1, len(losses) + 1) / batches_per_epoch, losses
    means = losses[:usable].reshape(-1, window).mean(axis=1)
    return np.arange(1, len(means) + 1) * window / batches_per_epoch, means


def _plot_training(fig: Any, result: TrainResult) -> Any:
    x, losses = smoothed_losses(result.batch_losses, result.batches_per_epoch)
    ax = fig.add_subplot()
    ax.plot(x, losses, color="tab:blue", label="training loss (mean over 1/20 epoch)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("categorical cross-entropy")
    ax.set_yscale("log")
    twin = ax.twinx()
    epochs = [c.epoch for c in result.checkpoints]
    twin.plot(epochs, [100 * c.test_accuracy for c in result.checkpoints], "o-", color="tab:orange",
              label="test accuracy")
    twin.set_ylabel("test accuracy (%)")
    lines = ax.get_lines() + twin.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="upper right")
    ax.set_title(describe(result.config), fontsize=9, y=-0.25)
    fig.tight_layout()
    return fig


def _plot_misclassified(fig: Any, X_test: np.ndarray, y_test: np.ndarray, predicted: np.ndarray) -> Any:
    wrong = np.flatnonzero(predicted != y_test)
    side = math.isqrt(MISCLASSIFIED_SHOWN)
    fig.suptitle(f"{len(wrong)} of {len(y_test)} test digits misclassified (first {min(len(wrong), side * side)})")
    for slot, index in enumerate(wrong[: side * side]):
        ax = fig.add_subplot(side, side, slot + 1)
        ax.imshow(digit_image(X_test[:, index]), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"pred {predicted[index]} / true {y_test[index]}", fontsize=8, color="tab:red")
        ax.axis("off")
    return fig


def digit_image(column: np.ndarray) -> np.ndarray:
    """One sample (784,) as the 28x28 image, upright (IDX stores rows top to bottom)."""
    return np.asarray(column).reshape(mnist.IMAGE_SIDE, mnist.IMAGE_SIDE)


def _plot_weights(fig: Any, W1: np.ndarray) -> Any:
    shown = min(W1.shape[0], WEIGHT_IMAGES_SHOWN)
    cols = min(16, shown)
    rows = math.ceil(shown / cols)
    fig.suptitle(f"first-layer weights: {shown} of {W1.shape[0]} hidden units as 28x28 images (red +, blue -)")
    for unit in range(shown):
        ax = fig.add_subplot(rows, cols, unit + 1)
        image = digit_image(W1[unit])
        limit = float(np.abs(image).max()) or 1.0
        ax.imshow(image, cmap="bwr", vmin=-limit, vmax=limit)
        ax.axis("off")
    return fig
