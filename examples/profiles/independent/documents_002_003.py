"""Row-major network from documents 002 and 003.

Samples are ROWS: X is (m, n_in), Y is (m, n_out).
W{l} is (n_in, n_out), b{l} is (1, n_out), and a layer is Z = X @ W + b.
The network is all-sigmoid (hidden and output), trained on the MSE,
like the 2-2-1 XOR net of document 003 section 1.10.
"""
import numpy as np


# ---------------------------------------------------------------- activations

def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    if out.ndim == 0:
        return float(out)
    return out


def dsigmoid(a):
    """Derivative of sigmoid written with the activation a = sigmoid(z)."""
    return a * (1 - a)


def tanh(z):
    return np.tanh(z)


def dtanh(a):
    """Derivative of tanh written with the activation a = tanh(z)."""
    return 1 - a ** 2


def relu(z):
    return np.maximum(0, z)


def drelu(z):
    """1 where z > 0, else 0 (takes z, not the activation)."""
    return (np.asarray(z) > 0).astype(float)


def softmax(z):
    """Softmax along each row (one row = one sample)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------- loss

def mse(y_pred, y):
    return float(np.mean((y_pred - y) ** 2))


def mse_grad(y_pred, y):
    n = np.size(y)
    return 2 * (y_pred - y) / n


# ---------------------------------------------------------------- one layer

def linear_forward(X, W, b):
    return X @ W + b


def linear_backward(dZ, X, W):
    """dZ already includes the 1/m of the mean cost, so no division here."""
    dW = X.T @ dZ
    db = dZ.sum(axis=0, keepdims=True)
    dX = dZ @ W.T
    return dX, dW, db


# ---------------------------------------------------------------- network

def init_params(layer_sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for i in range(1, len(layer_sizes)):
        n_in, n_out = layer_sizes[i - 1], layer_sizes[i]
        params["W" + str(i)] = rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out))
        params["b" + str(i)] = np.zeros((1, n_out))
    return params


def forward(X, params):
    """All layers sigmoid. cache holds A0 (=X), W1, A1, W2, A2, ..."""
    n_layers = len(params) // 2
    cache = {"A0": X}
    A = X
    for i in range(1, n_layers + 1):
        W = params["W" + str(i)]
        b = params["b" + str(i)]
        Z = linear_forward(A, W, b)
        A = sigmoid(Z)
        cache["W" + str(i)] = W
        cache["A" + str(i)] = A
    return A, cache


def backward(A_out, Y, cache):
    """Gradients of mean((A_out - Y)^2) using the four backprop equations."""
    n_layers = (len(cache) - 1) // 2
    grads = {}
    dA = 2 * (A_out - Y) / Y.size             # BP1 part 1: dL/dA at the output
    for i in range(n_layers, 0, -1):
        A = cache["A" + str(i)]
        A_prev = cache["A" + str(i - 1)]
        W = cache["W" + str(i)]
        dZ = dA * dsigmoid(A)                 # delta of layer i (BP1 / BP2)
        dA, dW, db = linear_backward(dZ, A_prev, W)   # BP3, BP4, and dA for layer i-1
        grads["dW" + str(i)] = dW
        grads["db" + str(i)] = db
    return grads


def update(params, grads, lr):
    """Plain gradient descent step; returns a new dict of new arrays."""
    new_params = {}
    for key in params:
        new_params[key] = params[key] - lr * grads["d" + key]
    return new_params


# ---------------------------------------------------------------- checking

def numerical_gradient(f, x, eps=1e-5):
    """Central differences of the scalar function f at x (x is changed and put back)."""
    grad = np.zeros(x.shape, dtype=float)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        f_plus = f(x)
        x[idx] = old - eps
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad
