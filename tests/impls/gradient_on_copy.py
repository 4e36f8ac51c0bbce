"""numerical_gradient that never touches x: f is evaluated on float64 copies of it, one entry moved each time.
An f that reads its argument gets the right gradient; an f that closes over x sees x unchanged (zeros).

Written from the contract and the documents, not from reference/; used by tests/test_grader.py.
"""

import numpy as np

NNSPEC_CONTRACT = "1"


def numerical_gradient(f, x, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def l2_penalty(parameters, lambd):
    weights = [value for key, value in parameters.items() if key.startswith("W")]
    return float(lambd / 2 * sum(np.sum(np.square(W, dtype=np.float64)) for W in weights))
