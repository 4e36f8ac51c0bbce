"""Correct but different: train visits the mini-batches of each epoch in a random order.

Every epoch draws a new permutation of the samples, cuts it into batches of batch_size (the partial batch kept,
not dropped) and then visits those batches in an order drawn afresh, so the partial batch is not always last.
Everything else is the reference's.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from reference import *  # noqa: F403  (every contract function this variant does not override)
from reference import backward, compute_cost, forward, initialize_parameters, update_parameters


def train(X: ArrayLike, Y: ArrayLike, layer_dims: Sequence[int], learning_rate: float = 0.1, epochs: int = 10,
          batch_size: int | None = 64, hidden_activation: str = "relu", output_activation: str = "softmax",
          loss: str = "categorical_cross_entropy", seed: int = 0) -> tuple[dict[str, np.ndarray], list[float]]:
    X, Y = np.asarray(X), np.asarray(Y)
    dtype = np.float32 if X.dtype == np.float32 and Y.dtype == np.float32 else np.float64
    X, Y = X.astype(dtype), Y.astype(dtype)
    m = X.shape[1]
    size = m if batch_size is None else batch_size
    parameters = {k: v.astype(dtype) for k, v in initialize_parameters(list(layer_dims), "he", seed).items()}
    rng = np.random.default_rng([seed, 2024])
    costs = []
    for _ in range(epochs):
        order = rng.permutation(m)
        batches = [order[start : start + size] for start in range(0, m, size)]
        batch_costs = []
        for k in rng.permutation(len(batches)):
            X_batch, Y_batch = X[:, batches[k]], Y[:, batches[k]]
            AL, caches = forward(X_batch, parameters, hidden_activation, output_activation)
            batch_costs.append(compute_cost(AL, Y_batch, loss))
            grads = backward(AL, Y_batch, caches, hidden_activation, output_activation, loss)
            parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(float(np.mean(batch_costs)))
    return parameters, costs
