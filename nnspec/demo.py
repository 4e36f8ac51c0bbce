"""`nnspec demo`: train the reference's 2-layer network on XOR and print its predictions.

The network is the one of document 003 §1.10 (2 inputs, a small hidden layer, one sigmoid output), trained
full-batch with the contract's `train`; tanh hidden units and 8 of them make it learn on every seed.
"""

from __future__ import annotations

import argparse
import importlib

import numpy as np

XOR_INPUTS = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)  # columns are the four samples
XOR_TARGETS = np.array([[0, 1, 1, 0]], dtype=float)
DEMO_LAYERS = [2, 8, 1]
DEMO_LEARNING_RATE = 1.0
DEMO_EPOCHS = 2000


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `demo` sub-command."""
    parser = commands.add_parser("demo", help="train the reference network on XOR and print its predictions")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights (default 0)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train on XOR, print the cost curve's ends and the predictions; exit 0 when all four are right."""
    reference = importlib.import_module("reference")
    parameters, costs = reference.train(
        XOR_INPUTS,
        XOR_TARGETS,
        DEMO_LAYERS,
        learning_rate=DEMO_LEARNING_RATE,
        epochs=DEMO_EPOCHS,
        batch_size=None,
        hidden_activation="tanh",
        output_activation="sigmoid",
        loss="binary_cross_entropy",
        seed=args.seed,
    )
    probabilities, _ = reference.forward(XOR_INPUTS, parameters, "tanh", "sigmoid")
    labels = reference.predict(XOR_INPUTS, parameters, "tanh", "sigmoid")
    print(f"XOR, network {DEMO_LAYERS}, {DEMO_EPOCHS} full-batch epochs, lr {DEMO_LEARNING_RATE}, seed {args.seed}")
    print(f"cost: epoch 1 {costs[0]:.4f} -> epoch {len(costs)} {costs[-1]:.6f}")
    for x, p, label, target in zip(XOR_INPUTS.T, probabilities[0], labels, XOR_TARGETS[0], strict=True):
        print(f"  x = {x.astype(int).tolist()}  P(y=1) = {p:.4f}  predicted {label}  expected {int(target)}")
    correct = bool(np.all(labels == XOR_TARGETS[0]))
    print("all four correct" if correct else "NOT all correct")
    return 0 if correct else 1
