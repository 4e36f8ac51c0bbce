"""The documents' MNIST claims, measured with the reference trainer (nnspec.toolkit.train_model).

Prints one markdown table per experiment; figures, not pass/fail. Run from the repository root:

    python benchmarks/mnist_claims.py                 # everything, seeds 0 1 2 (a few minutes on 2 cores)
    python benchmarks/mnist_claims.py --only 004 --seeds 0
    python benchmarks/mnist_claims.py --results benchmarks/results/mnist_claims.json  # figures for docs/claims.md

Claims checked:
- 000 / 001 "MNIST" table: "Simple neural net (no hidden layers) ~92%", "2-layer neural net ~97%".
- 000 / 001 exercise 3: 784-128-64-10, ReLU, softmax, cross-entropy, mini-batch gradient descent, ">95%".
- 004 "From-Scratch MLP in NumPy: MNIST": 784-256-128-10, plain SGD lr 0.001, batch 64, 20 epochs, float64
  (X / 255.0), printing test accuracy 0.9112 / 0.9598 / 0.9701 / 0.9752 and loss 0.5832 / 0.1254 / 0.0612 /
  0.0198 after epochs 1 / 5 / 10 / 20.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnspec import mnist, toolkit


@dataclass(frozen=True)
class Experiment:
    key: str
    claim: str
    source: str
    config: toolkit.TrainConfig
    report_epochs: tuple[int, ...]
    claimed: dict[int, tuple[float, float]]  # epoch -> (loss, test accuracy) as printed by the document


EXPERIMENTS = (
    Experiment(
        "softmax",
        "no hidden layer (softmax regression) ~92%",
        "000/001 'MNIST' accuracy table",
        toolkit.TrainConfig(layers=(784, 10), epochs=10, batch_size=64, learning_rate=0.1),
        (1, 5, 10),
        {},
    ),
    Experiment(
        "2layer",
        "2-layer net (one hidden layer) ~97%",
        "000/001 'MNIST' accuracy table",
        toolkit.TrainConfig(layers=(784, 128, 10), epochs=10, batch_size=64, learning_rate=0.1),
        (1, 5, 10),
        {},
    ),
    Experiment(
        "exercise3",
        "784-128-64-10 ReLU/softmax mini-batch GD >95%",
        "000/001 exercise 3",
        toolkit.TrainConfig(layers=(784, 128, 64, 10), epochs=10, batch_size=64, learning_rate=0.1),
        (1, 5, 10),
        {},
    ),
    Experiment(
        "004",
        "784-256-128-10, SGD lr 0.001, batch 64, 20 epochs: 91.12% after epoch 1, 97.52% after 20",
        "004 'From-Scratch MLP in NumPy: MNIST', expected output",
        toolkit.TrainConfig(layers=(784, 256, 128, 10), epochs=20, batch_size=64, learning_rate=0.001,
                            dtype="float64"),
        (1, 5, 10, 20),
        {1: (0.5832, 0.9112), 5: (0.1254, 0.9598), 10: (0.0612, 0.9701), 20: (0.0198, 0.9752)},
    ),
    *(
        Experiment(
            f"004-lr{rate:g}",
            f"document 004's recipe with lr {rate:g} instead of 0.001 (does another rate explain its printed numbers?)",
            "004 'From-Scratch MLP in NumPy: MNIST', expected output",
            toolkit.TrainConfig(layers=(784, 256, 128, 10), epochs=20, batch_size=64, learning_rate=rate,
                                dtype="float64"),
            (1, 5, 10, 20),
            {1: (0.5832, 0.9112), 5: (0.1254, 0.9598), 10: (0.0612, 0.9701), 20: (0.0198, 0.9752)},
        )
        for rate in (0.01, 0.1)
    ),
)


def run(experiment: Experiment, seeds: Sequence[int], data: dict[str, mnist.MNIST]) -> dict[str, Any]:
    """Train once per seed, print the experiment's table, and return its figures (per reported epoch)."""
    config = experiment.config
    print(f"\n### {experiment.key}: {experiment.claim}\nsource: {experiment.source}; "
          f"{toolkit.describe(config)}, {config.epochs} epochs\n")
    runs = []
    for seed in seeds:
        tic = time.perf_counter()
        d = data[config.dtype]
        seeded = toolkit.TrainConfig(**{**config.__dict__, "seed": seed})
        runs.append(toolkit.train_model(d.X_train, d.Y_train, d.X_test, d.y_test, seeded))
        print(f"(seed {seed}: {time.perf_counter() - tic:.1f} s wall)")
    header = "| epoch | " + " | ".join(f"seed {s} loss / acc" for s in seeds) + " | mean acc | document |"
    print(header + "\n|" + " ---: |" * (len(seeds) + 3))
    for epoch in experiment.report_epochs:
        points = [r.checkpoints[epoch - 1] for r in runs]
        cells = " | ".join(f"{p.loss:.4f} / {100 * p.test_accuracy:.2f}%" for p in points)
        mean = statistics.mean(p.test_accuracy for p in points)
        claimed = experiment.claimed.get(epoch)
        doc = f"{claimed[0]:.4f} / {100 * claimed[1]:.2f}%" if claimed else "-"
        print(f"| {epoch} | {cells} | {100 * mean:.2f}% | {doc} |")
    return {
        "claim": experiment.claim, "source": experiment.source, "config": toolkit.describe(config),
        "seeds": list(seeds),
        "epochs": {str(epoch): {"test_accuracy": [round(r.checkpoints[epoch - 1].test_accuracy, 4) for r in runs],
                                "loss": [round(r.checkpoints[epoch - 1].loss, 4) for r in runs]}
                   for epoch in experiment.report_epochs},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default 0,1,2)")
    parser.add_argument("--only", help="comma-separated experiment keys: " + ",".join(e.key for e in EXPERIMENTS)
                        + " (default: all but the 004-lr* variants)")
    parser.add_argument("--results", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    default = [e for e in EXPERIMENTS if not e.key.startswith("004-lr")]
    chosen = [e for e in EXPERIMENTS if e.key in args.only.split(",")] if args.only else default
    data = {dtype: mnist.load_mnist(dtype=dtype) for dtype in {e.config.dtype for e in chosen}}
    figures = {experiment.key: run(experiment, seeds, data) for experiment in chosen}
    if args.results:
        args.results.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
