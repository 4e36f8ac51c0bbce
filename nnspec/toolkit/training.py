"""Training an MLP on MNIST with the contract's pure functions (``nnspec train``'s engine).

Training runs the contract's functions from the ``reference`` package (forward, compute_cost, backward, then
update_parameters / sgd_momentum_update / adam_update) once per mini-batch and nothing else per batch: the data are
shuffled once per epoch into preallocated row-major buffers, so that each batch is a free, contiguous view in the
contract's column-major layout. ``reference`` is imported lazily, on the first training or evaluation, so that
loading this module (and the ``nnspec`` command) never imports it.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from nnspec import mnist

if TYPE_CHECKING:
    from nnspec.toolkit.progress import Progress

OPTIMIZERS = ("sgd", "momentum", "adam")
HIDDEN_ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu")
DTYPES = ("float32", "float64")
OUTPUT_ACTIVATION = "softmax"
LOSS = "categorical_cross_entropy"
SHUFFLE_STREAM = 1  # the shuffle stream is default_rng((seed, 1)), apart from the initialisation's default_rng(seed)
# Exercise 3 of documents 000/001: 784-128-64-10, ReLU, softmax, cross-entropy, mini-batch gradient descent.
DEFAULT_LAYERS = (mnist.N_PIXELS, 128, 64, mnist.N_CLASSES)


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
        check_layers(self.layers, "layers")
        check_choice(self.hidden_activation, "hidden_activation", HIDDEN_ACTIVATIONS)
        check_choice(self.optimizer, "optimizer", OPTIMIZERS)
        check_choice(self.dtype, "dtype", DTYPES)
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
    check_choice(optimizer, "optimizer", OPTIMIZERS)
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


def check_layers(layers: Sequence[int], what: str) -> None:
    if len(layers) < 2 or any(not isinstance(n, int) or isinstance(n, bool) or n < 1 for n in layers):
        raise ValueError(f"{what}: received {list(layers)!r}, expected at least two positive integers")


def check_choice(value: object, what: str, valid: Sequence[str]) -> None:
    if value not in valid:
        raise ValueError(f"{what}: received {value!r}, expected one of {', '.join(valid)}")


def describe(config: TrainConfig) -> str:
    """One line naming the architecture, optimizer and hyper-parameters."""
    return (
        f"{'-'.join(map(str, config.layers))} {config.hidden_activation}/softmax, {config.optimizer} "
        f"lr {config.learning_rate:g}, batch {config.batch_size}, seed {config.seed}, {config.dtype}"
    )
