"""Speed of the reference trainer on MNIST: seconds per epoch against PyTorch CPU and the GEMM-only floor, and the
training time to 97% and 98% test accuracy. Prints figures; not a test.

Run from the repository root (PyTorch is optional: the comparison is skipped without it):

    OPENBLAS_NUM_THREADS=2 python benchmarks/speed.py
    OPENBLAS_NUM_THREADS=2 python benchmarks/speed.py --epochs 5 --skip-time-to

Seconds per epoch are measured in ONE process with the three contenders interleaved epoch by epoch (reference,
PyTorch, floor, reference, ...), so that load from other processes hits them alike; the median is reported.
Every contender trains the same float32 784-128-64-10 ReLU/softmax MLP with plain SGD (lr 0.1), batch 64, on the
60,000 images held in memory, reshuffled each epoch, computing the batch loss each step. The GEMM-only floor runs
just the eight matrix products one training step needs (three forward; dW and dA_prev of layers 3 and 2, dW of
layer 1) on preallocated arrays, 938 times.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

from nnspec import mnist, toolkit

LAYERS = (784, 128, 64, 10)
BATCH = 64
LR = 0.1
THREADS = int(os.environ.get("OPENBLAS_NUM_THREADS", "2"))  # PyTorch gets as many threads as NumPy's BLAS
TIME_TO_CONFIGS = (
    toolkit.TrainConfig(layers=LAYERS, epochs=6, batch_size=64, learning_rate=0.1),
    toolkit.TrainConfig(layers=LAYERS, epochs=6, batch_size=64, learning_rate=0.1, optimizer="momentum"),
    toolkit.TrainConfig(layers=LAYERS, epochs=6, batch_size=64, learning_rate=0.001, optimizer="adam"),
    toolkit.TrainConfig(layers=LAYERS, epochs=6, batch_size=128, learning_rate=0.002, optimizer="adam"),
    toolkit.TrainConfig(layers=(784, 256, 128, 10), epochs=8, batch_size=128, learning_rate=0.001, optimizer="adam"),
)
EVALS_PER_EPOCH = 10
TARGETS = (0.97, 0.98)


def reference_epoch(data: mnist.MNIST, seed: int) -> float:
    config = toolkit.TrainConfig(layers=LAYERS, epochs=1, batch_size=BATCH, learning_rate=LR, seed=seed)
    result = toolkit.train_model(data.X_train, data.Y_train, data.X_test, data.y_test, config)
    return result.checkpoints[0].train_seconds


def torch_epoch_factory(data: mnist.MNIST) -> Callable[[int], float] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(THREADS)
    X = torch.from_numpy(np.array(data.X_train.T, order="C"))  # a writable copy: torch wants one
    y = torch.from_numpy(np.asarray(data.y_train))

    def epoch(seed: int) -> float:
        torch.manual_seed(seed)
        model = torch.nn.Sequential(
            torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(),
            torch.nn.Linear(64, 10),
        )
        optimizer = torch.optim.SGD(model.parameters(), lr=LR)
        tic = time.perf_counter()
        order = torch.randperm(X.shape[0])
        for start in range(0, X.shape[0], BATCH):
            rows = order[start : start + BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(X[rows]), y[rows])
            loss.backward()
            optimizer.step()
            loss.item()
        return time.perf_counter() - tic

    return epoch


def gemm_floor_epoch(seed: int, m: int = 60000) -> float:
    """The matrix products of one epoch of training, nothing else (float32, preallocated, F-ordered batch)."""
    rng = np.random.default_rng(seed)
    f = np.float32
    W = [rng.standard_normal((n, n_prev)).astype(f) for n_prev, n in itertools.pairwise(LAYERS)]
    X = np.asfortranarray(rng.random((LAYERS[0], BATCH), dtype=f))
    A = [np.empty((n, BATCH), f) for n in LAYERS[1:]]
    dW = [np.empty_like(w) for w in W]
    dA = [np.empty((n, BATCH), f) for n in LAYERS[1:-1]]
    tic = time.perf_counter()
    for _ in range(0, m, BATCH):
        np.matmul(W[0], X, out=A[0])
        np.matmul(W[1], A[0], out=A[1])
        np.matmul(W[2], A[1], out=A[2])
        np.matmul(A[2], A[1].T, out=dW[2])
        np.matmul(W[2].T, A[2], out=dA[1])
        np.matmul(dA[1], A[0].T, out=dW[1])
        np.matmul(W[1].T, dA[1], out=dA[0])
        np.matmul(dA[0], X.T, out=dW[0])
    return time.perf_counter() - tic


def seconds_per_epoch(data: mnist.MNIST, epochs: int) -> None:
    contenders: dict[str, Callable[[int], float]] = {"reference": lambda s: reference_epoch(data, s)}
    torch_epoch = torch_epoch_factory(data)
    if torch_epoch:
        contenders["pytorch"] = torch_epoch
    contenders["gemm floor"] = gemm_floor_epoch
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for epoch in range(epochs + 1):  # epoch 0 warms up (page faults, thread pools) and is dropped
        for name, run in contenders.items():
            seconds = run(epoch)
            if epoch:
                times[name].append(seconds)
    print(f"\n## Seconds per epoch (float32 {'-'.join(map(str, LAYERS))}, SGD lr {LR}, batch {BATCH}, "
          f"{epochs} epochs interleaved, median)\n")
    print("| contender | median s/epoch | min | all | reference / contender (median, min) |\n"
          "| --- | ---: | ---: | --- | ---: |")
    reference = statistics.median(times["reference"]), min(times["reference"])
    for name, values in times.items():
        median, best = statistics.median(values), min(values)
        print(f"| {name} | {median:.3f} | {best:.3f} | {' '.join(f'{v:.3f}' for v in values)} | "
              f"{reference[0] / median:.2f}x, {reference[1] / best:.2f}x |")
    if not torch_epoch:
        print("\n(PyTorch not installed: pip install 'torch==2.13.0' to compare)")


def time_to_accuracy(data: mnist.MNIST, repeats: int) -> None:
    """Each run is deterministic, so every repeat reaches a target at the same checkpoint: the least disturbed
    (fastest) repeat's clock there is reported."""
    print(f"\n## Training time to {' / '.join(f'{100 * t:.0f}%' for t in TARGETS)} test accuracy "
          f"(evaluated {EVALS_PER_EPOCH}x per epoch, evaluation time excluded, best of {repeats})\n")
    print("| configuration | " + " | ".join(f"to {100 * t:.0f}%" for t in TARGETS)
          + " | best acc | s/epoch |\n| --- |" + " ---: |" * (len(TARGETS) + 2))
    for config in TIME_TO_CONFIGS:
        config = toolkit.TrainConfig(**{**config.__dict__, "evals_per_epoch": EVALS_PER_EPOCH})
        runs = [toolkit.train_model(data.X_train, data.Y_train, data.X_test, data.y_test, config)
                for _ in range(repeats)]
        result = min(runs, key=lambda run: run.checkpoints[-1].train_seconds)
        cells = []
        for target in TARGETS:
            index = next((i for i, c in enumerate(result.checkpoints) if c.test_accuracy >= target), None)
            if index is None:
                cells.append(f"not in {config.epochs} epochs")
                continue
            seconds = min(run.checkpoints[index].train_seconds for run in runs)
            cells.append(f"{seconds:.2f} s (epoch {result.checkpoints[index].epoch:.1f})")
        best = max(c.test_accuracy for c in result.checkpoints)
        per_epoch = result.checkpoints[-1].train_seconds / config.epochs
        print(f"| {toolkit.describe(config)} | {' | '.join(cells)} | {100 * best:.2f}% | {per_epoch:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per contender (default 5)")
    parser.add_argument("--skip-epochs", action="store_true", help="skip the seconds-per-epoch comparison")
    parser.add_argument("--skip-time-to", action="store_true", help="skip the time-to-accuracy runs")
    parser.add_argument("--repeats", type=int, default=2, help="time-to-accuracy repeats per configuration")
    args = parser.parse_args()
    print(f"numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, "
          f"PyTorch threads {THREADS}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    data = mnist.load_mnist()
    if not args.skip_epochs:
        seconds_per_epoch(data, args.epochs)
    if not args.skip_time_to:
        time_to_accuracy(data, args.repeats)


if __name__ == "__main__":
    main()
