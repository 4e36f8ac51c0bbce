"""A correct submission in the style of documents 002/003 (row-major NumPy: samples are rows, Z = X @ W + b),
written from the assignment sheet of that style: graded with ``nnspec grade --profile documents-002-003``.

Document 002, "One layer: Z = X @ W + b" and its gradient check; document 003, sections 1.2 (activations and
their derivatives), 1.3 (mean squared error), 1.5 (the four backprop equations BP1-BP4), 1.7 (He initialisation)
and 1.10 (the 2-2-1 XOR network: sigmoid hidden and output layers, squared error).
"""

import numpy as np


def sigmoid(z):
    """1 / (1 + e^-z), without overflow: e^-|z| never exceeds 1."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def dsigmoid(a):
    """The sigmoid's derivative from its activation a = sigmoid(z)."""
    return a * (1.0 - a)


def tanh(z):
    return np.tanh(z)


def dtanh(a):
    """tanh's derivative from its activation a = tanh(z)."""
    return 1.0 - a * a


def relu(z):
    return np.maximum(z, 0.0)


def drelu(z):
    """ReLU's derivative from z: 1 where z > 0, else 0."""
    return (z > 0).astype(z.dtype)


def softmax(z):
    """Each row a sample: subtract the row's max, exponentiate, divide by the row's sum."""
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def mse(y_pred, y):
    return float(np.mean((y_pred - y) ** 2))


def mse_grad(y_pred, y):
    """The gradient of mse with respect to y_pred: 2 (y_pred - y) / n, n the number of elements."""
    return 2.0 * (y_pred - y) / y.size


def linear_forward(X, W, b):
    """X (m, n_in), W (n_in, n_out), b (1, n_out) -> Z (m, n_out)."""
    return X @ W + b


def linear_backward(dZ, X, W):
    """dZ (m, n_out), already carrying the cost's 1/m -> (dX (m, n_in), dW (n_in, n_out), db (1, n_out))."""
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)


def init_params(layer_sizes, seed=0):
    """He initialisation: W{l} ~ N(0, 2 / n_in) of shape (n_in, n_out), b{l} zeros (1, n_out)."""
    rng = np.random.default_rng(seed)
    params = {}
    for layer in range(1, len(layer_sizes)):
        n_in, n_out = layer_sizes[layer - 1], layer_sizes[layer]
        params[f"W{layer}"] = rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out))
        params[f"b{layer}"] = np.zeros((1, n_out))
    return params


def forward(X, params):
    """Sigmoid in every layer; the cache keeps each layer's input, weights and activation."""
    cache = []
    A = X
    for layer in range(1, len(params) // 2 + 1):
        W = params[f"W{layer}"]
        A_next = sigmoid(linear_forward(A, W, params[f"b{layer}"]))
        cache.append((A, W, A_next))
        A = A_next
    return A, cache


def backward(A_out, Y, cache):
    """Gradients of mean((A_out - Y)^2): the error at the output, then BP2-BP4 layer by layer."""
    grads = {}
    dA = mse_grad(A_out, Y)
    for layer in range(len(cache), 0, -1):
        A_prev, W, A = cache[layer - 1]
        dZ = dA * dsigmoid(A)
        dA, grads[f"dW{layer}"], grads[f"db{layer}"] = linear_backward(dZ, A_prev, W)
    return grads


def update(params, grads, lr):
    """New parameters, one gradient descent step; params is left as it was."""
    return {key: value - lr * grads["d" + key] for key, value in params.items()}


def numerical_gradient(f, x, eps=1e-5):
    """Central differences of the scalar f at x; x is nudged in place and put back."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        kept = x[index]
        x[index] = kept + eps
        up = f(x)
        x[index] = kept - eps
        down = f(x)
        x[index] = kept
        grad[index] = (up - down) / (2.0 * eps)
    return grad
