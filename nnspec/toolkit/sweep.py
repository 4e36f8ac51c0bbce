"""``nnspec sweep``: exercise 4 of documents 000/001, one hyper-parameter varied at a time around a base.

Exercise 4 ("Hyperparameter Exploration") lists learning rates 0.001, 0.01, 0.1, 1.0; hidden layer sizes 32, 64,
128, 256; 1, 2 or 3 layers; batch sizes 16, 32, 64, 128. A full grid is 192 runs; varying one dimension at a time
around a base configuration is 12 distinct runs (the base recurs in every dimension) and shows each dimension's
trend on its own. Every run has the same seed, so the same initialisation (where the shapes agree) and the same
batch order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from nnspec import mnist
from nnspec.toolkit.plots import require_matplotlib, smoothed_losses
from nnspec.toolkit.progress import Progress
from nnspec.toolkit.training import TrainConfig, TrainResult, describe, train_model

# The grid of exercise 4 (000/001), by dimension.
GRID: dict[str, tuple[float, ...]] = {
    "learning_rate": (0.001, 0.01, 0.1, 1.0),
    "hidden": (32, 64, 128, 256),
    "depth": (1, 2, 3),
    "batch_size": (16, 32, 64, 128),
}
# The base every dimension is varied around: one hidden layer of 128 units (the documents' 784-128-10 "~97%"
# network), plain SGD at lr 0.1 and batch 64 (exercise 3's optimiser and batch size).
BASE = {"learning_rate": 0.1, "hidden": 128, "depth": 1, "batch_size": 64}
# nnspec sweep's learning rates without --grid: exercise 3 ("0.001, 0.01, 0.1, 1.0") and 001's deliverable
# ("0.01 up to 10.0").
SWEEP_RATES = (0.001, 0.01, 0.1, 1.0, 10.0)
CHANCE_LOSS = math.log(mnist.N_CLASSES)  # cross-entropy of the uniform guess: a run above it learnt nothing
TRAINED_ACCURACY = 0.9
LABELS = {"learning_rate": "learning rate", "hidden": "hidden units per layer", "depth": "hidden layers",
          "batch_size": "batch size"}


@dataclass(frozen=True)
class Point:
    """One run of a sweep: the dimension varied, its value, and the run's result."""

    dimension: str
    value: float
    result: TrainResult


def configure(base: TrainConfig, settings: dict[str, float]) -> TrainConfig:
    """``base`` with the sweep's settings: learning_rate, batch_size, and hidden x depth as the layer sizes."""
    hidden, depth = int(settings["hidden"]), int(settings["depth"])
    layers = (mnist.N_PIXELS, *([hidden] * depth), mnist.N_CLASSES)
    return replace(base, layers=layers, learning_rate=float(settings["learning_rate"]),
                   batch_size=int(settings["batch_size"]))


def sweep(data: mnist.MNIST, base: TrainConfig, dimensions: dict[str, Sequence[float]],
          centre: dict[str, float] | None = None, progress_stream: TextIO | None = None) -> list[Point]:
    """One run per value of each dimension in ``dimensions``, the others at ``centre`` (default BASE)."""
    centre = {**BASE, **(centre or {})}
    runs: dict[TrainConfig, TrainResult] = {}  # the base recurs in every dimension: trained once
    points = []
    for dimension, values in dimensions.items():
        for value in values:
            config = configure(base, {**centre, dimension: value})
            if config not in runs:
                runs[config] = _train(data, config, progress_stream)
            points.append(Point(dimension, value, runs[config]))
    return points


def _train(data: mnist.MNIST, config: TrainConfig, progress_stream: TextIO | None) -> TrainResult:
    if progress_stream is None:
        return train_model(data.X_train, data.Y_train, data.X_test, data.y_test, config)
    progress_stream.write(f"{describe(config)}\n")
    with Progress(progress_stream, config.epochs) as progress:
        return train_model(data.X_train, data.Y_train, data.X_test, data.y_test, config, progress)


def sweep_table(points: Sequence[Point]) -> str:
    """A markdown table per dimension: one row per value with its loss after epoch 1, final loss and accuracy."""
    sections = []
    for dimension in dict.fromkeys(point.dimension for point in points):
        lines = [
            f"| {LABELS[dimension]} | loss after epoch 1 | final loss | final test accuracy | outcome |",
            "| ---: | ---: | ---: | ---: | --- |",
        ]
        lines += [_row(point) for point in points if point.dimension == dimension]
        sections.append("\n".join(lines) + "\n")
    return "\n".join(sections)


def _row(point: Point) -> str:
    result, value = point.result, f"{point.value:g}"
    if result.diverged_at is not None:
        return f"| {value} | - | non-finite | - | diverged in epoch {math.ceil(result.diverged_at)} |"
    first, last = result.checkpoints[0], result.checkpoints[-1]
    return (f"| {value} | {first.loss:.4f} | {last.loss:.4f} | {100 * last.test_accuracy:.2f}% | "
            f"{outcome(result)} |")


def outcome(result: TrainResult) -> str:
    """How a run ended, from its per-epoch losses and final accuracy."""
    if result.diverged_at is not None:
        return "diverged: the loss became non-finite"
    losses = [c.loss for c in result.checkpoints]
    if losses[-1] > CHANCE_LOSS:
        return f"diverged: loss above chance level (ln 10 = {CHANCE_LOSS:.2f})"
    if len(losses) > 1 and losses[-1] > losses[0]:
        return "unstable: the loss rose"
    if result.checkpoints[-1].test_accuracy >= TRAINED_ACCURACY:
        return "trained"
    return f"slow: below {100 * TRAINED_ACCURACY:.0f}% test accuracy"


def summary(points: Sequence[Point], centre: dict[str, float]) -> dict[str, Any]:
    """The sweep's figures as JSON-ready data (what docs/claims.md reads): the base, then per dimension, per value."""
    dimensions: dict[str, list[dict[str, Any]]] = {}
    for point in points:
        result = point.result
        last = result.checkpoints[-1] if result.checkpoints and result.diverged_at is None else None
        dimensions.setdefault(point.dimension, []).append({
            "value": point.value,
            "config": describe(result.config),
            "final_loss": None if last is None else round(last.loss, 4),
            "test_accuracy": None if last is None else round(last.test_accuracy, 4),
            "train_seconds": None if last is None else round(last.train_seconds, 2),
            "outcome": outcome(result),
        })
    epochs = points[0].result.config.epochs if points else 0
    return {"base": {**BASE, **centre}, "epochs": epochs, "dimensions": dimensions}


def plot_sweep(directory: Path, points: Sequence[Point]) -> list[Path]:
    """One log-scale plot of the loss curves per dimension: sweep_<dimension>.png in ``directory``."""
    figure = require_matplotlib()
    paths = []
    for dimension in dict.fromkeys(point.dimension for point in points):
        fig = figure.Figure(figsize=(8, 5))
        ax = fig.add_subplot()
        for point in (p for p in points if p.dimension == dimension):
            x, losses = smoothed_losses(point.result.batch_losses, point.result.batches_per_epoch)
            finite = np.isfinite(losses)
            diverged = " (diverged)" if point.result.diverged_at is not None else ""
            ax.plot(x[finite], losses[finite], label=f"{LABELS[dimension]} {point.value:g}{diverged}")
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss (mean over 1/20 epoch)")
        ax.set_title(f"{LABELS[dimension]} varied; others at the base {BASE}", fontsize=9)
        ax.legend()
        fig.tight_layout()
        path = directory / f"sweep_{dimension}.png"
        fig.savefig(path, dpi=110)
        paths.append(path)
    return paths
