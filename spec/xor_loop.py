"""The XOR recipe's training loop (WE-003-XOR-SEED0): spec code that only calls contract functions.

spec/test_worked_examples.py runs it with ``impl.drive``: in process it is an ordinary call; through ``nnspec grade``
it runs in the worker, beside the submission's code, so that its 10,000 epochs cost one round trip instead of three
each (nnspec/grade/drivers.py). The submission can replace anything that runs in its process, this loop included,
so the loop decides nothing: the spec compares what it hands back with the fixture's values (computed from the
document's recipe, never seen by the worker), and runs the submission's ``forward`` on the returned parameters
itself. A tampered loop can only pass by handing back what a correct implementation computes.

Runs in the worker: NumPy and the standard library only, no other spec module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

CONTRACT_CALLS = ("forward", "backward", "update_parameters")  # what ``train`` calls


def train(impl: Any, X: np.ndarray, Y: np.ndarray, parameters: dict[str, np.ndarray],
          activations: Mapping[str, str], learning_rate: float, epochs: int) -> tuple[Any, Any]:
    """Full-batch gradient descent on the mean squared error with the implementation's own functions.

    X (n_x, m), Y (n_y, m); ``activations``: forward's and backward's ``hidden_activation`` and
    ``output_activation``; ``epochs`` >= 1. Returns (AL, parameters): AL the last epoch's forward output (n_y, m),
    before its update, and the parameters after the last update, both as the implementation returned them.
    """
    AL: Any = None
    for _ in range(epochs):
        AL, caches = impl.forward(X, parameters, **activations)
        grads = impl.backward(AL, Y, caches, loss="mse", **activations)
        parameters = impl.update_parameters(parameters, grads, learning_rate)
    return AL, parameters
