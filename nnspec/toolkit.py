"""The documents' "Neural Network Toolkit" on MNIST: ``nnspec train``, ``nnspec evaluate``, ``nnspec sweep``.

Training runs the contract's pure functions from the ``reference`` package (forward, compute_cost, backward,
then update_parameters / sgd_momentum_update / adam_update) once per mini-batch and nothing else per batch:
the data are shuffled once per epoch into preallocated row-major buffers, so that each batch is a free,
contiguous view in the contract's column-major layout. ``reference`` is imported lazily, on the first
training or evaluation, so that loading this module (and the ``nnspec`` command) never imports it.

Models are saved with ``np.savez`` and read back with ``allow_pickle=False``: the parameters, the layer sizes,
the activations, a file-format version and the contract version; anything else is a ``ModelFileError``.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import itertools
import math
import os
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

import numpy as np

from nnspec import mnist

FORMAT_VERSION = 1
CONTRACT_VERSION = "1"
OPTIMIZERS = ("sgd", "momentum", "adam")
HIDDEN_ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu")
DTYPES = ("float32", "float64")
OUTPUT_ACTIVATION = "softmax"
LOSS = "categorical_cross_entropy"
SHUFFLE_STREAM = 1  # the shuffle stream is default_rng((seed, 1)), apart from the initialisation's default_rng(seed)
# Exercise 3 of documents 000/001: 784-128-64-10, ReLU, softmax, cross-entropy, mini-batch gradient descent.
DEFAULT_LAYERS = (mnist.N_PIXELS, 128, 64, mnist.N_CLASSES)
# nnspec train's default: the contract's momentum (v = 0.9 v + 0.1 g) at lr 0.1 ends 10 epochs of 784-128-64-10
# at 97.62-97.70% for seeds 0-2, where plain SGD at lr 0.1 oscillates (97.36-97.95%): benchmarks/README.md.
TRAIN_OPTIMIZER = "momentum"
# Learning rates to try: 000/001 exercise 3 ("0.001, 0.01, 0.1, 1.0") and 001's deliverable ("0.01 up to 10.0").
SWEEP_RATES = (0.001, 0.01, 0.1, 1.0, 10.0)
CHANCE_LOSS = math.log(mnist.N_CLASSES)  # cross-entropy of the uniform guess: a run above it learnt nothing
TRAINED_ACCURACY = 0.9
REDRAW_SECONDS = 0.1
BAR_WIDTH = 24
MISCLASSIFIED_SHOWN = 36
WEIGHT_IMAGES_SHOWN = 128
LOSS_POINTS_PER_EPOCH = 20
DATA_DIR_HELP = (
    "folder with the four MNIST .gz files (default: $NNSPEC_DATA_DIR, else the repository's fixtures/mnist, "
    "else ~/.cache/nnspec/mnist, downloading what is missing)"
)
PLOTS_HINT = "pip install 'nnspec[plots]' (or: pip install matplotlib)"
METADATA_KEYS = ("format_version", "contract", "layers", "hidden_activation", "output_activation")


class ModelFileError(ValueError):
    """A model file that is missing, not an nnspec model, of another version, or inconsistent."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run (with the data, it determines the result bit for bit)."""

    layers: tuple[int, ...] = DEFAULT_LAYERS
    hidden_activation: str = "relu"
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 0.1
    optimizer: str = "sgd"
    seed: int = 0
    dtype: str = "float32"
    evals_per_epoch: int = 1

    def __post_init__(self) -> None:
        _check_layers(self.layers, "layers")
        _check_choice(self.hidden_activation, "hidden_activation", HIDDEN_ACTIVATIONS)
        _check_choice(self.optimizer, "optimizer", OPTIMIZERS)
        _check_choice(self.dtype, "dtype", DTYPES)
        for name in ("epochs", "batch_size", "evals_per_epoch"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}: received {value!r}, expected a positive integer")
        if not isinstance(self.learning_rate, int | float) or not 0 < self.learning_rate < math.inf:
            raise ValueError(f"learning_rate: received {self.learning_rate!r}, expected a positive finite number")


@dataclass(frozen=True)
class Checkpoint:
    """The state after ``epoch`` epochs (fractional when evaluating several times per epoch)."""

    epoch: float
    train_seconds: float
    loss: float
    test_accuracy: float


@dataclass
class TrainResult:
    """Parameters {"W1", "b1", ...}, checkpoints, every batch loss, and the epoch it diverged at (or None)."""

    parameters: dict[str, np.ndarray]
    config: TrainConfig
    batches_per_epoch: int
    checkpoints: list[Checkpoint] = field(default_factory=list)
    batch_losses: list[float] = field(default_factory=list)
    diverged_at: float | None = None


@dataclass(frozen=True)
class Model:
    """A saved model: parameters, layer sizes and hidden activation (the output is softmax)."""

    parameters: dict[str, np.ndarray]
    layers: tuple[int, ...]
    hidden_activation: str


# ---- training ------------------------------------------------------------------------------------------------


def train_model(
    X: np.ndarray,
    Y: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    config: TrainConfig,
    progress: Progress | None = None,
) -> TrainResult:
    """Mini-batch training with the contract's functions; X (n_0, m), Y one-hot (n_L, m), X_test (n_0, k), y_test (k,).

    Each epoch draws a permutation from default_rng((seed, 1)), and the parameters start from the contract's
    initialize_parameters(layers, "he", seed). Stops early, with ``diverged_at`` set, at a non-finite loss.
    """
    impl = reference()
    dtype = np.dtype(config.dtype)
    _check_data(X, Y, X_test, y_test, config.layers)
    samples, targets = np.ascontiguousarray(X.T, dtype), np.ascontiguousarray(Y.T, dtype)
    buffers = (np.empty((config.batch_size, X.shape[0]), dtype), np.empty((config.batch_size, Y.shape[0]), dtype))
    X_test = np.asarray(X_test, dtype)
    starts = np.arange(0, samples.shape[0], config.batch_size)
    segments = np.array_split(starts, min(config.evals_per_epoch, len(starts)))
    parameters = {k: v.astype(dtype) for k, v in impl.initialize_parameters(config.layers, "he", config.seed).items()}
    result = TrainResult(parameters, config, batches_per_epoch=len(starts))
    step = optimizer_step(impl, config.optimizer)
    state: Any = None
    rng = np.random.default_rng((config.seed, SHUFFLE_STREAM))
    clock = 0.0
    for epoch in range(config.epochs):
        if progress:
            progress.start_epoch(epoch, samples.shape[0])
        tic = time.perf_counter()
        order = rng.permutation(samples.shape[0])
        for index, segment in enumerate(segments):
            first_loss = len(result.batch_losses)
            with np.errstate(over="ignore", invalid="ignore"):  # a blow-up shows as a non-finite loss, handled here
                parameters, state, finite = _run_batches(
                    impl, (parameters, state, step), (samples, targets, order, buffers), segment, result, progress
                )
            clock += time.perf_counter() - tic
            if not finite:
                result.diverged_at = len(result.batch_losses) / len(starts)
                result.parameters = parameters
                return result
            loss = float(np.mean(result.batch_losses[first_loss:]))
            accuracy = accuracy_of(impl, parameters, X_test, y_test, config.hidden_activation)
            result.checkpoints.append(Checkpoint(epoch + (index + 1) / len(segments), clock, loss, accuracy))
            if progress:
                progress.checkpoint(result.checkpoints[-1])
            tic = time.perf_counter()
    result.parameters = parameters
    return result


def _run_batches(
    impl: ModuleType,
    model: tuple[dict[str, np.ndarray], Any, Step],
    data: tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]],
    starts: np.ndarray,
    result: TrainResult,
    progress: Progress | None,
) -> tuple[dict[str, np.ndarray], Any, bool]:
    """One forward, compute_cost, backward and optimizer step per batch; batch losses appended to ``result``.
    Returns (parameters, state, False) as soon as a loss is not finite, else (parameters, state, True).

    model = (parameters, optimizer state, step); data = (samples (m, n_0), targets (m, n_L), this epoch's
    permutation, the two preallocated batch buffers). Each batch's rows are gathered into the buffers, whose
    transposes are the contract's (n_0, b) and (n_L, b) column-major batches.
    """
    parameters, state, step = model
    samples, targets, order, (X_buffer, Y_buffer) = data
    size, hidden, rate = result.config.batch_size, result.config.hidden_activation, result.config.learning_rate
    for start in starts.tolist():
        rows = order[start : start + size]
        X_batch = np.take(samples, rows, axis=0, out=X_buffer[: len(rows)], mode="clip").T
        Y_batch = np.take(targets, rows, axis=0, out=Y_buffer[: len(rows)], mode="clip").T
        AL, caches = impl.forward(X_batch, parameters, hidden, OUTPUT_ACTIVATION)
        loss = impl.compute_cost(AL, Y_batch, LOSS)
        result.batch_losses.append(loss)
        if not math.isfinite(loss):
            return parameters, state, False
        grads = impl.backward(AL, Y_batch, caches, hidden, OUTPUT_ACTIVATION, LOSS)
        parameters, state = step(parameters, grads, state, rate)
        if progress:
            progress.batch(len(rows), loss)
    return parameters, state, True


Step = Callable[[dict[str, np.ndarray], dict[str, np.ndarray], Any, float], tuple[dict[str, np.ndarray], Any]]


def optimizer_step(impl: ModuleType, optimizer: str) -> Step:
    """(parameters, grads, state, lr) -> (parameters, state) for "sgd", "momentum" or "adam"."""
    _check_choice(optimizer, "optimizer", OPTIMIZERS)
    if optimizer == "sgd":
        return lambda parameters, grads, state, lr: (impl.update_parameters(parameters, grads, lr), None)
    update: Step = impl.sgd_momentum_update if optimizer == "momentum" else impl.adam_update
    return update


def accuracy_of(
    impl: ModuleType, parameters: dict[str, np.ndarray], X: np.ndarray, labels: np.ndarray, hidden: str
) -> float:
    """The fraction of columns of X whose predicted class (the contract's predict) equals ``labels``."""
    return float(np.mean(impl.predict(X, parameters, hidden, OUTPUT_ACTIVATION) == labels))


def reference() -> ModuleType:
    """The reference implementation, imported on first use (see the module docstring)."""
    return importlib.import_module("reference")


def _check_data(X: np.ndarray, Y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, layers: Sequence[int]) -> None:
    m = X.shape[1] if X.ndim == 2 else -1
    if X.shape != (layers[0], m) or Y.shape != (layers[-1], m):
        raise ValueError(
            f"X and Y: received X {X.shape} and Y {Y.shape}, expected ({layers[0]}, m) and ({layers[-1]}, m) "
            f"for layers {list(layers)}"
        )
    if X_test.ndim != 2 or X_test.shape[0] != layers[0] or y_test.shape != (X_test.shape[1],):
        raise ValueError(
            f"X_test and y_test: received {X_test.shape} and {y_test.shape}, expected ({layers[0]}, k) and (k,)"
        )


def _check_layers(layers: Sequence[int], what: str) -> None:
    if len(layers) < 2 or any(not isinstance(n, int) or isinstance(n, bool) or n < 1 for n in layers):
        raise ValueError(f"{what}: received {list(layers)!r}, expected at least two positive integers")


def _check_choice(value: object, what: str, valid: Sequence[str]) -> None:
    if value not in valid:
        raise ValueError(f"{what}: received {value!r}, expected one of {', '.join(valid)}")


# ---- progress ------------------------------------------------------------------------------------------------


class Progress:
    """A bar redrawn in place on a terminal; on anything else, one plain line per checkpoint."""

    def __init__(self, stream: TextIO, epochs: int, tty: bool | None = None) -> None:
        self.stream = stream
        self.epochs = epochs
        self.tty = stream.isatty() if tty is None else tty
        self._reset(0, 1)

    def _reset(self, epoch: int, total: int) -> None:
        self.epoch, self.total = epoch, total
        self.done, self.loss_sum, self.batches = 0, 0.0, 0
        self.started = self.last_draw = time.perf_counter()

    def start_epoch(self, epoch: int, total: int) -> None:
        """Called before an epoch over ``total`` samples."""
        self._reset(epoch, total)

    def batch(self, size: int, loss: float) -> None:
        """Called after each batch of ``size`` samples whose loss was ``loss``; redraws at most every 0.1 s."""
        self.done += size
        self.loss_sum += loss
        self.batches += 1
        now = time.perf_counter()
        if self.tty and now - self.last_draw >= REDRAW_SECONDS:
            self.last_draw = now
            self.stream.write("\r" + self._line(now))
            self.stream.flush()

    def checkpoint(self, checkpoint: Checkpoint) -> None:
        """The line that stays: the epoch's loss, test accuracy and throughput."""
        line = self._line(time.perf_counter()) + f"  test acc {100 * checkpoint.test_accuracy:6.2f}%"
        self.stream.write(("\r" if self.tty else "") + line + "\n")
        self.stream.flush()

    def _line(self, now: float) -> str:
        filled = int(BAR_WIDTH * self.done / self.total)
        bar = "=" * filled + "." * (BAR_WIDTH - filled)
        seconds = max(now - self.started, 1e-9)
        loss = self.loss_sum / max(self.batches, 1)
        return (
            f"epoch {self.epoch + 1:>{len(str(self.epochs))}}/{self.epochs} [{bar}] {self.done}/{self.total}"
            f"  loss {loss:.4f}  {self.done / seconds:>8.0f} samples/s  {seconds:5.2f} s"
        )


# ---- saving and loading --------------------------------------------------------------------------------------


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
    _check_layers(layers, f"{path}: layers")
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


# ---- plots ---------------------------------------------------------------------------------------------------


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


def describe(config: TrainConfig) -> str:
    """One line naming the architecture, optimizer and hyper-parameters."""
    return (
        f"{'-'.join(map(str, config.layers))} {config.hidden_activation}/softmax, {config.optimizer} "
        f"lr {config.learning_rate:g}, batch {config.batch_size}, seed {config.seed}, {config.dtype}"
    )


# ---- learning-rate sweep -------------------------------------------------------------------------------------


def sweep(data: mnist.MNIST, base: TrainConfig, rates: Sequence[float], progress_stream: TextIO | None = None
          ) -> list[TrainResult]:
    """One training run per learning rate, otherwise identical (same seed: same initialisation and batches)."""
    results = []
    for rate in rates:
        config = TrainConfig(**{**base.__dict__, "learning_rate": float(rate)})
        progress = Progress(progress_stream, config.epochs) if progress_stream else None
        if progress_stream:
            progress_stream.write(f"learning rate {rate:g}\n")
        results.append(train_model(data.X_train, data.Y_train, data.X_test, data.y_test, config, progress))
    return results


def sweep_table(results: Sequence[TrainResult]) -> str:
    """A markdown table: one row per learning rate with its loss after epoch 1, final loss and accuracy."""
    lines = [
        "| learning rate | loss after epoch 1 | final loss | final test accuracy | outcome |",
        "| ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        rate = f"{result.config.learning_rate:g}"
        if result.diverged_at is not None:
            lines.append(f"| {rate} | - | non-finite | - | diverged in epoch {math.ceil(result.diverged_at)} |")
            continue
        first, last = result.checkpoints[0], result.checkpoints[-1]
        lines.append(
            f"| {rate} | {first.loss:.4f} | {last.loss:.4f} | {100 * last.test_accuracy:.2f}% | "
            f"{_outcome(result)} |"
        )
    return "\n".join(lines) + "\n"


def _outcome(result: TrainResult) -> str:
    """How a run ended, from its per-epoch losses and final accuracy."""
    losses = [c.loss for c in result.checkpoints]
    if losses[-1] > CHANCE_LOSS:
        return f"diverged: loss above chance level (ln 10 = {CHANCE_LOSS:.2f})"
    if len(losses) > 1 and losses[-1] > losses[0]:
        return "unstable: the loss rose"
    if result.checkpoints[-1].test_accuracy >= TRAINED_ACCURACY:
        return "trained"
    return f"slow: below {100 * TRAINED_ACCURACY:.0f}% test accuracy"


def plot_sweep(path: Path, results: Sequence[TrainResult]) -> Path:
    """Loss curves of every learning rate on one log-scale plot."""
    figure = require_matplotlib()
    fig = figure.Figure(figsize=(8, 5))
    ax = fig.add_subplot()
    for result in results:
        x, losses = smoothed_losses(result.batch_losses, result.batches_per_epoch)
        finite = np.isfinite(losses)
        label = f"lr {result.config.learning_rate:g}" + (" (diverged)" if result.diverged_at is not None else "")
        ax.plot(x[finite], losses[finite], label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (mean over 1/20 epoch)")
    ax.set_title(describe(results[0].config).replace(f"lr {results[0].config.learning_rate:g}", "lr varied"),
                 fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


# ---- command line --------------------------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    """Add ``train``, ``evaluate`` and ``sweep`` to the ``nnspec`` command's sub-parsers."""
    train = subparsers.add_parser("train", help="train an MLP on MNIST with the reference implementation")
    _add_training_options(train, epochs=10, learning_rate=0.1, optimizer=TRAIN_OPTIMIZER)
    train.add_argument("--save", metavar="MODEL.npz", type=Path, help="save the trained model here")
    train.add_argument("--plots", metavar="DIR", type=Path, help="write loss.png, misclassified.png, weights.png")
    train.set_defaults(run=run_train)

    evaluate = subparsers.add_parser("evaluate", help="print the test accuracy of a saved model")
    evaluate.add_argument("model", type=Path, help="a model file written by nnspec train --save")
    evaluate.add_argument("--data-dir", type=Path, help=DATA_DIR_HELP)
    evaluate.set_defaults(run=run_evaluate)

    sweep_parser = subparsers.add_parser("sweep", help="train once per learning rate; loss plot + markdown table")
    _add_training_options(sweep_parser, epochs=3, learning_rate=None, optimizer="sgd")
    sweep_parser.add_argument("--rates", type=_float_list, default=SWEEP_RATES,
                              help="comma-separated learning rates (default: %(default)s)")
    sweep_parser.add_argument("--out", type=Path, default=Path("sweep"), help="output folder (default: sweep)")
    sweep_parser.set_defaults(run=run_sweep)


def _add_training_options(
    parser: argparse.ArgumentParser, epochs: int, learning_rate: float | None, optimizer: str
) -> None:
    parser.add_argument("--layers", type=_layer_list, default=DEFAULT_LAYERS,
                        help="layer sizes, 784 first and 10 last (default: 784,128,64,10)")
    parser.add_argument("--hidden-activation", choices=HIDDEN_ACTIVATIONS, default="relu")
    parser.add_argument("--epochs", type=_positive_int, default=epochs, help="default: %(default)s")
    parser.add_argument("--batch-size", type=_positive_int, default=64, help="default: %(default)s")
    if learning_rate is not None:
        parser.add_argument("--lr", type=float, default=learning_rate, help="learning rate (default: %(default)s)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=optimizer, help="default: %(default)s")
    parser.add_argument("--seed", type=int, default=0, help="initialisation and shuffling (default: 0)")
    parser.add_argument("--dtype", choices=DTYPES, default="float32", help="default: %(default)s")
    parser.add_argument("--data-dir", type=Path, help=DATA_DIR_HELP)


def _config(args: argparse.Namespace, learning_rate: float) -> TrainConfig:
    return TrainConfig(
        layers=args.layers, hidden_activation=args.hidden_activation, epochs=args.epochs,
        batch_size=args.batch_size, learning_rate=learning_rate, optimizer=args.optimizer, seed=args.seed,
        dtype=args.dtype,
    )


def _user_errors(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Bad data, model files or option values become a one-line message on stderr and exit code 2."""

    @functools.wraps(run)
    def guarded(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (ValueError, mnist.MNISTDataError) as exc:
            print(f"nnspec {getattr(args, 'command', '')}: error: {exc}", file=sys.stderr)
            return 2

    return guarded


@_user_errors
def run_train(args: argparse.Namespace) -> int:
    """nnspec train: progress per epoch, then optionally the saved model and the plots."""
    config = _config(args, args.lr)
    if args.plots:
        require_matplotlib()
    data = mnist.load_mnist(args.data_dir, config.dtype)
    print(f"training {describe(config)} on {data.X_train.shape[1]} images from {data.directory}")
    result = train_model(data.X_train, data.Y_train, data.X_test, data.y_test, config,
                         Progress(sys.stdout, config.epochs))
    if result.diverged_at is not None:
        print(f"diverged: the loss became non-finite in epoch {math.ceil(result.diverged_at)}; lower --lr")
        return 1
    last = result.checkpoints[-1]
    print(f"test accuracy {100 * last.test_accuracy:.2f}% after {config.epochs} epochs "
          f"({last.train_seconds:.1f} s of training)")
    if args.save:
        print(f"saved {save_model(args.save, result.parameters, config.layers, config.hidden_activation)}")
    if args.plots:
        for path in write_plots(args.plots, result, data.X_test, data.y_test):
            print(f"wrote {path}")
    return 0


@_user_errors
def run_evaluate(args: argparse.Namespace) -> int:
    """nnspec evaluate MODEL: the test accuracy of a saved model."""
    model = load_model(args.model)
    dtype = np.result_type(*model.parameters.values())
    data = mnist.load_mnist(args.data_dir, dtype if dtype in (np.float32, np.float64) else np.float64)
    predicted = reference().predict(data.X_test, model.parameters, model.hidden_activation, OUTPUT_ACTIVATION)
    correct = int(np.sum(predicted == data.y_test))
    print(f"{args.model}: {'-'.join(map(str, model.layers))} {model.hidden_activation}/softmax: "
          f"test accuracy {100 * correct / len(data.y_test):.2f}% ({correct}/{len(data.y_test)})")
    return 0


@_user_errors
def run_sweep(args: argparse.Namespace) -> int:
    """nnspec sweep: one run per learning rate; writes sweep.md and (with matplotlib) sweep_loss.png."""
    base = _config(args, SWEEP_RATES[0])
    data = mnist.load_mnist(args.data_dir, base.dtype)
    results = sweep(data, base, args.rates, sys.stdout)
    args.out.mkdir(parents=True, exist_ok=True)
    table = f"Learning-rate sweep: {describe(base).replace(f'lr {base.learning_rate:g}', 'lr varied')}, " \
            f"{base.epochs} epochs.\n\n" + sweep_table(results)
    (args.out / "sweep.md").write_text(table)
    print(table + f"wrote {args.out / 'sweep.md'}")
    try:
        print(f"wrote {plot_sweep(args.out / 'sweep_loss.png', results)}")
    except SystemExit as missing:
        print(f"{missing} (skipped sweep_loss.png)", file=sys.stderr)
    return 0


def _layer_list(text: str) -> tuple[int, ...]:
    try:
        layers = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"received {text!r}, expected comma-separated integers") from None
    if len(layers) < 2 or min(layers) < 1 or layers[0] != mnist.N_PIXELS or layers[-1] != mnist.N_CLASSES:
        raise argparse.ArgumentTypeError(
            f"received {text!r}, expected positive sizes starting with {mnist.N_PIXELS} (pixels) and ending "
            f"with {mnist.N_CLASSES} (classes), e.g. 784,128,64,10"
        )
    return layers


def _float_list(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"received {text!r}, expected comma-separated numbers") from None
    if not values or min(values) <= 0:
        raise argparse.ArgumentTypeError(f"received {text!r}, expected positive numbers")
    return values


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"received {text!r}, expected a positive integer")
    return value
