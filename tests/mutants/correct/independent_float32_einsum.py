"""A correct submission that computes in the caller's precision, with np.einsum, from docs/contract.md alone.

Idioms: float32 in gives float32 computed natively (no float64 round trip; constants are Python scalars, so
NumPy keeps the array's type), every contraction and reduction written with np.einsum, the sigmoid as
(1 + tanh(z / 2)) / 2, the normal CDF from math.erfc, frozen dataclasses for caches and optimizer state, and a
numerical_gradient that returns x's own float type (float32 for float32 x), evaluating f on perturbed copies.
"""

import math
from dataclasses import dataclass

import numpy as np

NNSPEC_CONTRACT = "1"

LOG_FLOOR = 1e-15
GELU_A, GELU_B = math.sqrt(2 / math.pi), 0.044715


@dataclass(frozen=True)
class Layer:
    A_prev: np.ndarray
    W: np.ndarray
    Z: np.ndarray


@dataclass(frozen=True)
class Norm:
    xhat: np.ndarray
    gamma: np.ndarray
    inv_std: np.ndarray
    axis: int
    batch_statistics: bool


@dataclass(frozen=True)
class Moments:
    t: int
    first: dict
    second: dict


def ein(subscripts, *operands):
    return np.einsum(subscripts, *operands, optimize=True)


def fdtype(*values):
    """float32 if every floating input is float32; float64 otherwise; integers and booleans never count."""
    floats = [np.asarray(v).dtype for v in values if np.asarray(v).dtype.kind == "f"]
    return np.dtype(np.float32) if floats and all(d == np.float32 for d in floats) else np.dtype(np.float64)


def as_float(value, name, dtype=None):
    if not isinstance(value, (np.ndarray, np.number, list, tuple, int, float, bool)):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    return np.array(value, dtype=dtype or fdtype(value))


# --------------------------------------------------------------------------- activations

def sigmoid(z):
    z = as_float(z, "z")
    return (1 + np.tanh(z / 2)) / 2


def sigmoid_derivative(z):
    z = as_float(z, "z")
    return (1 - np.tanh(z / 2) ** 2) / 4


def tanh(z):
    return np.tanh(as_float(z, "z"))


def tanh_derivative(z):
    return 1 - np.tanh(as_float(z, "z")) ** 2


def relu(z):
    z = as_float(z, "z")
    return np.where(z > 0, z, np.zeros_like(z))


def relu_derivative(z):
    z = as_float(z, "z")
    return np.greater(z, 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    z = as_float(z, "z")
    return np.where(z > 0, z, z * alpha)


def leaky_relu_derivative(z, alpha=0.01):
    z = as_float(z, "z")
    return np.where(z > 0, np.ones_like(z), np.full_like(z, alpha))


_erfc = np.frompyfunc(math.erfc, 1, 1)


def _phi(z):
    """The standard normal CDF 0.5 erfc(-z / sqrt 2), accurate in both tails."""
    return np.asarray(0.5 * _erfc(-z / math.sqrt(2)), dtype=z.dtype)


def gelu(z, approximate=False):
    z = as_float(z, "z")
    if approximate:
        return z * (1 + np.tanh(GELU_A * (z + GELU_B * z ** 3))) / 2
    return z * _phi(z)


def gelu_derivative(z, approximate=False):
    z = as_float(z, "z")
    if approximate:
        t = np.tanh(GELU_A * (z + GELU_B * z ** 3))
        return (1 + t) / 2 + z * (1 - t ** 2) * GELU_A * (1 + 3 * GELU_B * z ** 2) / 2
    return _phi(z) + z * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def softmax(z, axis=0):
    z = as_float(z, "z")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# --------------------------------------------------------------------------- losses

def _pair(AL, Y, matrix=False):
    dtype = fdtype(AL, Y)
    AL, Y = as_float(AL, "AL", dtype), as_float(Y, "Y", dtype)
    if AL.shape != Y.shape:
        raise ValueError(f"Y must have the shape of AL {AL.shape}, got {Y.shape}")
    if matrix and AL.ndim != 2:
        raise ValueError(f"AL must be a (K, m) matrix for the categorical loss, got shape {AL.shape}")
    return AL, Y


def mse(AL, Y):
    AL, Y = _pair(AL, Y)
    diff = (AL - Y).ravel()
    return float(ein("i,i->", diff, diff) / AL.size)


def mse_gradient(AL, Y):
    AL, Y = _pair(AL, Y)
    return (AL - Y) * (2 / AL.size)


def binary_cross_entropy(AL, Y):
    AL, Y = _pair(AL, Y)
    A = np.clip(AL, LOG_FLOOR, 1 - LOG_FLOOR)
    return float(-(Y * np.log(A) + (1 - Y) * np.log1p(-A)).mean())


def binary_cross_entropy_gradient(AL, Y):
    AL, Y = _pair(AL, Y)
    A = np.clip(AL, LOG_FLOOR, 1 - LOG_FLOOR)
    return ((1 - Y) / (1 - A) - Y / A) / AL.size


def categorical_cross_entropy(AL, Y):
    AL, Y = _pair(AL, Y, matrix=True)
    return float(-ein("km,km->", Y, np.log(np.maximum(AL, LOG_FLOOR))) / AL.shape[1])


def categorical_cross_entropy_gradient(AL, Y):
    AL, Y = _pair(AL, Y, matrix=True)
    return -Y / np.maximum(AL, LOG_FLOOR) / AL.shape[1]


_LOSSES = {"binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_gradient),
           "categorical_cross_entropy": (categorical_cross_entropy, categorical_cross_entropy_gradient),
           "mse": (mse, mse_gradient)}


def _loss(name):
    if name not in _LOSSES:
        raise ValueError(f"loss must be one of {list(_LOSSES)}, got {name!r}")
    return _LOSSES[name]


def compute_cost(AL, Y, loss="binary_cross_entropy"):
    return _loss(loss)[0](AL, Y)


# --------------------------------------------------------------------------- perceptron

def _vectors(w, x):
    dtype = fdtype(w, x)
    w, x = as_float(w, "w", dtype), as_float(x, "x", dtype)
    if w.ndim != 1 or w.shape != x.shape:
        raise ValueError(f"w and x must be (n,) vectors of one length, got w {w.shape}, x {x.shape}")
    return w, x


def perceptron_predict(w, b, x):
    w, x = _vectors(w, x)
    return int(ein("i,i->", w, x) + b > 0)


def perceptron_update(w, b, x, y, learning_rate):
    w, x = _vectors(w, x)
    delta = learning_rate * (y - perceptron_predict(w, b, x))
    return w + delta * x, float(b) + delta


def perceptron_train(X, y, learning_rate=0.01, epochs=100):
    X = as_float(X, "X")
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[1],):
        raise ValueError(f"X must be (n, m) and y (m,), got X {X.shape}, y {y.shape}")
    w, b = np.zeros(X.shape[0], X.dtype), 0.0
    for _ in range(epochs):
        for j in range(X.shape[1]):
            w, b = perceptron_update(w, b, X[:, j], y[j], learning_rate)
    return w, float(b)


# --------------------------------------------------------------------------- layers

def linear_forward(A_prev, W, b):
    dtype = fdtype(A_prev, W, b)
    A_prev, W, b = as_float(A_prev, "A_prev", dtype), as_float(W, "W", dtype), as_float(b, "b", dtype)
    if A_prev.ndim != 2 or W.ndim != 2 or A_prev.shape[0] != W.shape[1]:
        raise ValueError(f"A_prev (n_prev, m) does not fit W (n_l, n_prev): A_prev {A_prev.shape}, W {W.shape}")
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"b must be ({W.shape[0]}, 1), a column, got {b.shape}")
    return ein("ij,jm->im", W, A_prev) + b


def linear_backward(dZ, A_prev, W):
    dtype = fdtype(dZ, A_prev, W)
    dZ, A_prev, W = as_float(dZ, "dZ", dtype), as_float(A_prev, "A_prev", dtype), as_float(W, "W", dtype)
    if dZ.ndim != 2 or A_prev.ndim != 2 or W.shape != (dZ.shape[0], A_prev.shape[0]) \
            or dZ.shape[1] != A_prev.shape[1]:
        raise ValueError(f"dZ (n_l, m), A_prev (n_prev, m), W (n_l, n_prev) do not fit: dZ {dZ.shape}, "
                         f"A_prev {A_prev.shape}, W {W.shape}")
    m = A_prev.shape[1]
    return ein("ij,im->jm", W, dZ), ein("im,jm->ij", dZ, A_prev) / m, ein("im->i", dZ)[:, None] / m


# --------------------------------------------------------------------------- network

_VAR = {"he": lambda fan_in, fan_out: 2 / fan_in, "xavier": lambda fan_in, fan_out: 2 / (fan_in + fan_out),
        "lecun": lambda fan_in, fan_out: 1 / fan_in, "zeros": lambda fan_in, fan_out: 0}
_HIDDEN = {"relu": (relu, relu_derivative), "leaky_relu": (leaky_relu, leaky_relu_derivative),
           "sigmoid": (sigmoid, sigmoid_derivative), "tanh": (tanh, tanh_derivative),
           "gelu": (gelu, gelu_derivative)}
_OUTPUT = ("sigmoid", "softmax", "linear")


def initialize_parameters(layer_dims, method="he", seed=0):
    if method not in _VAR:
        raise ValueError(f"method must be one of {list(_VAR)}, got {method!r}")
    dims = [int(n) for n in layer_dims]
    if len(dims) < 2 or min(dims) < 1:
        raise ValueError(f"layer_dims must list at least two positive layer sizes, got {layer_dims!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for layer in range(1, len(dims)):
        shape = (dims[layer], dims[layer - 1])
        params[f"W{layer}"] = rng.normal(scale=math.sqrt(_VAR[method](shape[1], shape[0])), size=shape)
        params[f"b{layer}"] = np.zeros((shape[0], 1))
    return params


def _check_choices(hidden_activation, output_activation):
    if hidden_activation not in _HIDDEN:
        raise ValueError(f"hidden_activation must be one of {list(_HIDDEN)}, got {hidden_activation!r}")
    if output_activation not in _OUTPUT:
        raise ValueError(f"output_activation must be one of {list(_OUTPUT)}, got {output_activation!r}")


def _depth(parameters):
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict, got {type(parameters).__name__}")
    L = len(parameters) // 2
    if L == 0 or set(parameters) != {f"{kind}{layer}" for layer in range(1, L + 1) for kind in ("W", "b")}:
        raise ValueError(f"parameters must hold W1, b1, ..., WL, bL, got {sorted(parameters)}")
    return L


def _output(Z, name):
    if name == "sigmoid":
        return sigmoid(Z)
    return softmax(Z) if name == "softmax" else Z.copy()


def forward(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    _check_choices(hidden_activation, output_activation)
    L = _depth(parameters)
    A, caches = X, []
    for layer in range(1, L + 1):
        W = parameters[f"W{layer}"]
        Z = linear_forward(A, W, parameters[f"b{layer}"])
        caches.append(Layer(np.asarray(A, Z.dtype), np.asarray(W, Z.dtype), Z))
        A = _HIDDEN[hidden_activation][0](Z) if layer < L else _output(Z, output_activation)
    return A, caches


def _output_delta(AL, Y, Z, output_activation, loss):
    """m d(cost)/dZ_L, the per-sample gradients that linear_backward averages."""
    dA = _loss(loss)[1](AL, Y) * AL.shape[1]
    if output_activation == "sigmoid":
        return dA * sigmoid_derivative(Z)
    if output_activation == "softmax":
        return AL * (dA - ein("km,km->m", dA, AL)[None, :])
    return dA


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="binary_cross_entropy"):
    _check_choices(hidden_activation, output_activation)
    AL, Y = _pair(AL, Y)
    derivative = _HIDDEN[hidden_activation][1]
    dZ = _output_delta(AL, Y, caches[-1].Z, output_activation, loss)
    grads = {}
    for layer in range(len(caches), 0, -1):
        cache = caches[layer - 1]
        dA, grads[f"dW{layer}"], grads[f"db{layer}"] = linear_backward(dZ, cache.A_prev, cache.W)
        if layer > 1:
            dZ = dA * derivative(caches[layer - 2].Z)
    return grads


def update_parameters(parameters, grads, learning_rate):
    _depth(parameters)
    return {name: value - learning_rate * grads[f"d{name}"] for name, value in parameters.items()}


def predict(X, parameters, hidden_activation="relu", output_activation="softmax"):
    AL, _ = forward(X, parameters, hidden_activation, output_activation)
    if AL.shape[0] == 1:
        return np.where(AL[0] > 0.5, 1, 0)
    return AL.argmax(axis=0)


def _finite(name, value):
    if not np.isfinite(value).all():
        raise ValueError(f"{name} must be finite, got {int(np.size(value) - np.isfinite(value).sum())} "
                         f"NaN or infinite entries")


def train(X, Y, layer_dims, learning_rate=0.1, epochs=10, batch_size=64, hidden_activation="relu",
          output_activation="softmax", loss="categorical_cross_entropy", seed=0):
    dtype = fdtype(X, Y)
    X, Y = as_float(X, "X", dtype), as_float(Y, "Y", dtype)
    _finite("X", X)
    _finite("Y", Y)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X (n, m) and Y (K, m) must have the same m columns, got X {X.shape}, Y {Y.shape}")
    m = X.shape[1]
    size = m if batch_size is None else int(batch_size)
    if size < 1:
        raise ValueError(f"batch_size must be a positive int or None, got {batch_size!r}")
    params = {k: v.astype(dtype) for k, v in initialize_parameters(layer_dims, "he", seed).items()}
    shuffler = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(1,))))
    costs = []
    for _ in range(epochs):
        perm, total, count = shuffler.permutation(m), 0.0, 0
        for lo in range(0, m, size):
            Xb, Yb = X[:, perm[lo:lo + size]], Y[:, perm[lo:lo + size]]
            AL, caches = forward(Xb, params, hidden_activation, output_activation)
            total, count = total + compute_cost(AL, Yb, loss), count + 1
            params = update_parameters(params, backward(AL, Yb, caches, hidden_activation, output_activation,
                                                        loss), learning_rate)
        costs.append(total / count)
    return params, costs


# --------------------------------------------------------------------------- optimizers

def _moments(parameters, grads, state, beta1, beta2):
    zero = {k: np.zeros_like(p) for k, p in parameters.items()}
    state = state or Moments(0, zero, zero)
    first = {k: beta1 * state.first[k] + (1 - beta1) * grads[f"d{k}"] for k in parameters}
    second = {k: beta2 * state.second[k] + (1 - beta2) * grads[f"d{k}"] ** 2 for k in parameters}
    return Moments(state.t + 1, first, second)


def sgd_momentum_update(parameters, grads, state, learning_rate, beta=0.9):
    state = _moments(parameters, grads, state, beta, 1)
    return {k: p - learning_rate * state.first[k] for k, p in parameters.items()}, state


def rmsprop_update(parameters, grads, state, learning_rate, beta=0.9, eps=1e-8):
    state = _moments(parameters, grads, state, 1, beta)
    step = {k: grads[f"d{k}"] / (np.sqrt(state.second[k]) + eps) for k in parameters}
    return {k: p - learning_rate * step[k] for k, p in parameters.items()}, state


def _adam_direction(state, beta1, beta2, eps):
    c1, c2 = 1 - beta1 ** state.t, 1 - beta2 ** state.t
    return {k: (state.first[k] / c1) / (np.sqrt(state.second[k] / c2) + eps) for k in state.first}


def adam_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    state = _moments(parameters, grads, state, beta1, beta2)
    direction = _adam_direction(state, beta1, beta2, eps)
    return {k: p - learning_rate * direction[k] for k, p in parameters.items()}, state


def adamw_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    state = _moments(parameters, grads, state, beta1, beta2)
    direction = _adam_direction(state, beta1, beta2, eps)
    return {k: p - learning_rate * (direction[k] + weight_decay * p) for k, p in parameters.items()}, state


# --------------------------------------------------------------------------- regularization

def _weights(parameters):
    return {k: v for k, v in parameters.items() if k.startswith("W")}


def l2_penalty(parameters, lambd):
    return float(lambd / 2 * sum(float(ein("ij,ij->", W, W)) for W in _weights(parameters).values()))


def l2_gradient(parameters, lambd):
    return {f"d{k}": W * lambd for k, W in _weights(parameters).items()}


def l1_penalty(parameters, lambd):
    return float(lambd * sum(float(ein("ij->", np.abs(W))) for W in _weights(parameters).values()))


def l1_gradient(parameters, lambd):
    return {f"d{k}": np.sign(W) * lambd for k, W in _weights(parameters).items()}


def dropout_forward(A, p, rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator, got {type(rng).__name__}")
    if not 0 <= p < 1:
        raise ValueError(f"p is the probability of dropping and must be in [0, 1), got {p!r}")
    A = as_float(A, "A")
    mask = (rng.random(A.shape, dtype=np.float64) >= p).astype(A.dtype)
    return A * mask / (1 - p), mask


def dropout_backward(dA_out, mask, p):
    dA_out = as_float(dA_out, "dA_out")
    return dA_out * mask.astype(dA_out.dtype) / (1 - p)


# --------------------------------------------------------------------------- normalization

def _affine_inputs(X, gamma, beta, *more):
    dtype = fdtype(X, gamma, beta, *(v for v in more if v is not None))
    X, gamma, beta = as_float(X, "X", dtype), as_float(gamma, "gamma", dtype), as_float(beta, "beta", dtype)
    if X.ndim != 2:
        raise ValueError(f"X must be (n_features, m), got shape {X.shape}")
    if gamma.shape != (X.shape[0], 1) or beta.shape != (X.shape[0], 1):
        raise ValueError(f"gamma and beta must be ({X.shape[0]}, 1), got {gamma.shape} and {beta.shape}")
    return X, gamma, beta


def _standardise(X, gamma, beta, mean, var, eps, axis, batch_statistics):
    inv_std = 1 / np.sqrt(var + eps)
    xhat = (X - mean) * inv_std
    return gamma * xhat + beta, Norm(xhat, gamma, inv_std, axis, batch_statistics)


def batchnorm_forward(X, gamma, beta, eps=1e-5, training=True, running_mean=None, running_var=None, momentum=0.1):
    X, gamma, beta = _affine_inputs(X, gamma, beta, running_mean, running_var)
    n, m = X.shape
    rm = np.zeros((n, 1), X.dtype) if running_mean is None else as_float(running_mean, "running_mean", X.dtype)
    rv = np.ones((n, 1), X.dtype) if running_var is None else as_float(running_var, "running_var", X.dtype)
    if not training:
        return (*_standardise(X, gamma, beta, rm, rv, eps, 1, False), rm, rv)
    if m < 2:
        raise ValueError(f"X needs m >= 2 columns for batch statistics in training, got m = {m}")
    mean = ein("nm->n", X)[:, None] / m
    centred = X - mean
    var = ein("nm,nm->n", centred, centred)[:, None] / m
    Y, cache = _standardise(X, gamma, beta, mean, var, eps, 1, True)
    return Y, cache, rm + momentum * (mean - rm), rv + momentum * (var * m / (m - 1) - rv)


def _norm_backward(dY, cache):
    dY = as_float(dY, "dY", cache.xhat.dtype)
    dgamma, dbeta = ein("nm,nm->n", dY, cache.xhat)[:, None], ein("nm->n", dY)[:, None]
    g = dY * cache.gamma
    if not cache.batch_statistics:
        return g * cache.inv_std, dgamma, dbeta
    k = g.shape[cache.axis]
    mean_g = g.sum(axis=cache.axis, keepdims=True) / k
    mean_gx = (g * cache.xhat).sum(axis=cache.axis, keepdims=True) / k
    return (g - mean_g - cache.xhat * mean_gx) * cache.inv_std, dgamma, dbeta


def batchnorm_backward(dY, cache):
    return _norm_backward(dY, cache)


def layernorm_forward(X, gamma, beta, eps=1e-5):
    X, gamma, beta = _affine_inputs(X, gamma, beta)
    n = X.shape[0]
    mean = ein("nm->m", X)[None, :] / n
    centred = X - mean
    var = ein("nm,nm->m", centred, centred)[None, :] / n
    return _standardise(X, gamma, beta, mean, var, eps, 0, True)


def layernorm_backward(dY, cache):
    return _norm_backward(dY, cache)


# --------------------------------------------------------------------------- gradient check

def numerical_gradient(f, x, eps=1e-5):
    """Central differences in x's own precision; each step is the one x's float type actually represents."""
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    # perturbs x itself (the contract's reading 6, amended after this variant was written), so f may close over x
    x = x if isinstance(x, np.ndarray) and x.dtype.kind == "f" else as_float(x, "x")
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        saved = x[index]
        x[index] = saved + eps
        up_value, up = float(f(x)), float(x[index])
        x[index] = saved - eps
        down_value, down = float(f(x)), float(x[index])
        x[index] = saved
        grad[index] = (up_value - down_value) / (up - down or 2 * eps)
    return grad


def relative_error(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    diff, na, nb = (a - b).ravel(), a.ravel(), b.ravel()
    largest = math.sqrt(max(ein("i,i->", na, na), ein("i,i->", nb, nb)))
    return 0.0 if largest == 0 else math.sqrt(ein("i,i->", diff, diff)) / largest
