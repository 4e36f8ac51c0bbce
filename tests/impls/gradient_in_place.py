"""numerical_gradient as document 004 writes it: each entry of x perturbed in place and put back, the gradient
built with np.zeros_like(x) (so float32 in, float32 out). An f that closes over x (CS231n's
``numerical_gradient(lambda _: cost(parameters), parameters["W1"])``) sees every perturbation.

Written from the contract and the documents, not from reference/; used by tests/test_grader.py.
"""

import numpy as np

NNSPEC_CONTRACT = "1"


def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old_value = x[ix]
        x[ix] = old_value + eps
        fxph = f(x)
        x[ix] = old_value - eps
        fxmh = f(x)
        x[ix] = old_value
        grad[ix] = (fxph - fxmh) / (2 * eps)
        it.iternext()
    return grad


def l2_penalty(parameters, lambd):
    weights = [value for key, value in parameters.items() if key.startswith("W")]
    return float(lambd / 2 * sum(np.sum(np.square(W, dtype=np.float64)) for W in weights))
