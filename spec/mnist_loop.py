"""The MNIST gate's training loop (MNIST-GATE-LOOP): spec code that only calls contract functions.

spec/test_mnist.py runs it with ``impl.drive``: in process it is an ordinary call; through ``nnspec grade`` it runs
in the worker, beside the submission's code, so that the 938 mini-batches of an epoch cost no round trip each
(nnspec/grade/drivers.py). The submission can replace anything that runs in its process, this loop included, so
the loop decides nothing: after each epoch it hands the implementation's output on the test images to
``after_epoch``, and the spec scores it there (in the grader's process, where the test labels stay). A tampered
loop can hand over any output it likes, but it can only reach the bar by classifying the test images it never
sees the labels of.

Runs in the worker: NumPy and the standard library only, no other spec module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

CONTRACT_CALLS = ("initialize_parameters", "forward", "backward", "update_parameters")  # what ``train`` calls


def train(impl: Any, X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, layers: list[int],
          activations: tuple[str, str, str], learning_rate: float, epochs: int, batch_size: int, seed: int,
          after_epoch: Callable[[int, np.ndarray], None]) -> None:
    """Mini-batch gradient descent with the implementation's own functions, on its float32 parameters.

    X_train (784, m), Y_train (10, m) one-hot, X_test (784, n); ``activations``: (hidden, output, loss). Each
    epoch visits the columns in the order of ``np.random.default_rng(seed)``'s permutations, ``batch_size`` at a
    time; then ``after_epoch(epoch, AL)`` gets AL, the forward output on X_test (10, n), epoch counting from 0.
    """
    hidden, output, loss = activations
    parameters = {key: np.asarray(value, dtype=np.float32)
                  for key, value in impl.initialize_parameters(layers, "he", seed).items()}
    rng = np.random.default_rng(seed)
    m = X_train.shape[1]
    for epoch in range(epochs):
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            columns = order[start : start + batch_size]
            X, Y = X_train[:, columns], Y_train[:, columns]
            AL, caches = impl.forward(X, parameters, hidden, output)
            grads = impl.backward(AL, Y, caches, hidden, output, loss)
            parameters = impl.update_parameters(parameters, grads, learning_rate)
        AL_test, _ = impl.forward(X_test, parameters, hidden, output)
        after_epoch(epoch, np.asarray(AL_test))
