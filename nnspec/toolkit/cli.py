"""The toolkit's commands: ``nnspec train``, ``nnspec evaluate``, ``nnspec sweep``."""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nnspec import mnist
from nnspec.toolkit.model_file import load_model, save_model
from nnspec.toolkit.plots import require_matplotlib, write_plots
from nnspec.toolkit.progress import Progress
from nnspec.toolkit.sweep import BASE, GRID, LABELS, SWEEP_RATES, plot_sweep, summary, sweep, sweep_table
from nnspec.toolkit.training import (
    DEFAULT_LAYERS,
    DTYPES,
    HIDDEN_ACTIVATIONS,
    OPTIMIZERS,
    OUTPUT_ACTIVATION,
    TrainConfig,
    describe,
    reference,
    train_model,
)

# nnspec train's default: the contract's momentum (v = 0.9 v + 0.1 g) at lr 0.1 ends 10 epochs of 784-128-64-10
# at 97.62-97.70% for seeds 0-2, where plain SGD at lr 0.1 oscillates (97.36-97.95%): benchmarks/README.md.
TRAIN_OPTIMIZER = "momentum"
SWEEP_EPOCHS = 3  # exercise 4's grid at 3 epochs or fewer per run (12 distinct runs)
DATA_DIR_HELP = (
    "folder with the four MNIST .gz files (default: $NNSPEC_DATA_DIR, else the repository's fixtures/mnist, "
    "else ~/.cache/nnspec/mnist, downloading what is missing)"
)


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

    sweep_parser = subparsers.add_parser(
        "sweep", help="exercise 4: vary learning rate, hidden size, depth or batch size one at a time")
    _add_model_options(sweep_parser, epochs=SWEEP_EPOCHS, optimizer="sgd")
    for option, dimension, parse in (("--rates", "learning_rate", _float_list), ("--hidden", "hidden", _int_list),
                                     ("--depth", "depth", _int_list), ("--batch-size", "batch_size", _int_list)):
        sweep_parser.add_argument(option, dest=dimension, type=parse, help=(
            f"comma-separated {LABELS[dimension]}: several values are swept, one value sets the base "
            f"(base {BASE[dimension]:g}; exercise 4: {','.join(f'{v:g}' for v in GRID[dimension])})"))
    sweep_parser.add_argument("--grid", action="store_true",
                              help="sweep every dimension over exercise 4's values (12 distinct runs)")
    sweep_parser.add_argument("--out", type=Path, default=Path("sweep"), help="output folder (default: sweep)")
    sweep_parser.set_defaults(run=run_sweep)


def _add_training_options(
    parser: argparse.ArgumentParser, epochs: int, learning_rate: float, optimizer: str
) -> None:
    parser.add_argument("--layers", type=_layer_list, default=DEFAULT_LAYERS,
                        help="layer sizes, 784 first and 10 last (default: 784,128,64,10)")
    parser.add_argument("--batch-size", type=_positive_int, default=64, help="default: %(default)s")
    parser.add_argument("--lr", type=float, default=learning_rate, help="learning rate (default: %(default)s)")
    _add_model_options(parser, epochs, optimizer)


def _add_model_options(parser: argparse.ArgumentParser, epochs: int, optimizer: str) -> None:
    parser.add_argument("--hidden-activation", choices=HIDDEN_ACTIVATIONS, default="relu")
    parser.add_argument("--epochs", type=_positive_int, default=epochs, help="default: %(default)s")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=optimizer, help="default: %(default)s")
    parser.add_argument("--seed", type=int, default=0, help="initialisation and shuffling (default: 0)")
    parser.add_argument("--dtype", choices=DTYPES, default="float32", help="default: %(default)s")
    parser.add_argument("--data-dir", type=Path, help=DATA_DIR_HELP)


def _config(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(
        layers=args.layers, hidden_activation=args.hidden_activation, epochs=args.epochs,
        batch_size=args.batch_size, learning_rate=args.lr, optimizer=args.optimizer, seed=args.seed,
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
    config = _config(args)
    if args.plots:
        require_matplotlib()
    data = mnist.load_mnist(args.data_dir, config.dtype)
    print(f"training {describe(config)} on {data.X_train.shape[1]} images from {data.directory}")
    with Progress(sys.stdout, config.epochs) as progress:
        result = train_model(data.X_train, data.Y_train, data.X_test, data.y_test, config, progress)
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
    """nnspec sweep: one run per value; writes sweep.md, sweep.json and (with matplotlib) sweep_<dimension>.png."""
    given = {name: getattr(args, name) for name in GRID if getattr(args, name) is not None}
    dimensions: dict[str, Sequence[float]] = (
        dict(GRID) if args.grid else {name: values for name, values in given.items() if len(values) > 1})
    centre = {name: values[0] for name, values in given.items() if len(values) == 1}
    if not dimensions:
        dimensions = {"learning_rate": SWEEP_RATES}
    base = TrainConfig(hidden_activation=args.hidden_activation, epochs=args.epochs, optimizer=args.optimizer,
                       seed=args.seed, dtype=args.dtype)
    data = mnist.load_mnist(args.data_dir, base.dtype)
    points = sweep(data, base, dimensions, centre, sys.stdout)
    args.out.mkdir(parents=True, exist_ok=True)
    table = (f"Sweep around the base {({**BASE, **centre})}: {args.optimizer}, {args.hidden_activation}/softmax, "
             f"{args.epochs} epochs, seed {args.seed}, {args.dtype}.\n\n" + sweep_table(points))
    (args.out / "sweep.md").write_text(table)
    (args.out / "sweep.json").write_text(json.dumps(summary(points, centre), indent=2) + "\n")
    print(table + f"wrote {args.out / 'sweep.md'} and {args.out / 'sweep.json'}")
    try:
        for path in plot_sweep(args.out, points):
            print(f"wrote {path}")
    except SystemExit as missing:
        print(f"{missing} (skipped the plots)", file=sys.stderr)
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


def _int_list(text: str) -> tuple[int, ...]:
    values = _float_list(text)
    if any(value != int(value) for value in values):
        raise argparse.ArgumentTypeError(f"received {text!r}, expected comma-separated positive integers")
    return tuple(int(value) for value in values)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"received {text!r}, expected a positive integer")
    return value
