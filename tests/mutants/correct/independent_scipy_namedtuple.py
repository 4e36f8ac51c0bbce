"""A correct submission built on scipy.special, written from docs/contract.md alone.

Idioms: expit, logsumexp, erf and xlogy from scipy.special; caches and optimizer state as namedtuples; dropout
keep-masks of int from rng.binomial; perceptron_predict returning a NumPy integer; numerical_gradient evaluating
f on perturbed copies of x (x itself is never written).
"""

import math
from collections import namedtuple
from itertools import pairwise

import numpy as np
from scipy.special import erf, expit, logsumexp, xlogy

NNSPEC_CONTRACT = "1"

FLOOR = 1e-15
SQRT2 = math.sqrt(2.0)
TANH_SCALE, TANH_CUBE = math.sqrt(2.0 / math.pi), 0.044715

LayerCache = namedtuple("LayerCache", "A_prev W Z")
NormCache = namedtuple("NormCache", "xhat gamma inv_std axis training")
Momentum = namedtuple("Momentum", "v")
RMSState = namedtuple("RMSState", "s")
AdamState = namedtuple("AdamState", "t m v")


def _dtype(*xs):
    floats = {np.asarray(x).dtype for x in xs if np.asarray(x).dtype.kind == "f"}
    return np.dtype(np.float32) if floats == {np.dtype(np.float32)} else np.dtype(np.float64)


def _as(x, name, dtype):
    if not isinstance(x, (np.ndarray, np.generic, int, float, list, tuple)):
        raise TypeError(f"{name}: expected an array, received {type(x).__name__}")
    return np.array(x, dtype=dtype)


def _one_of(name, value, options):
    if value not in options:
        raise ValueError(f"{name}: expected one of {sorted(options)}, received {value!r}")
    return options[value]


# activations ---------------------------------------------------------------------------------------------------

def _z(z):
    return _as(z, "z", _dtype(z))


def sigmoid(z):
    return expit(_z(z))


def sigmoid_derivative(z):
    z = _z(z)
    return expit(z) * expit(-z)


def tanh(z):
    return np.tanh(_z(z))


def tanh_derivative(z):
    return 1 - np.tanh(_z(z)) ** 2


def relu(z):
    z = _z(z)
    return np.where(z > 0, z, z.dtype.type(0))


def relu_derivative(z):
    z = _z(z)
    return np.heaviside(z, 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    z = _z(z)
    return np.where(z > 0, z, z * z.dtype.type(alpha))


def leaky_relu_derivative(z, alpha=0.01):
    z = _z(z)
    return np.where(z > 0, z.dtype.type(1), z.dtype.type(alpha))


def _tanh_gelu_parts(z):
    inner = TANH_SCALE * (z + TANH_CUBE * z ** 3)
    return np.tanh(inner), TANH_SCALE * (1 + 3 * TANH_CUBE * z ** 2)


def gelu(z, approximate=False):
    z = _z(z)
    if approximate:
        return 0.5 * z * (1 + _tanh_gelu_parts(z)[0])
    return (0.5 * z * (1 + erf(z / SQRT2))).astype(z.dtype)


def gelu_derivative(z, approximate=False):
    z = _z(z)
    if approximate:
        t, dinner = _tanh_gelu_parts(z)
        return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * dinner
    pdf = np.exp(-0.5 * np.square(z, dtype=np.float64)) / math.sqrt(2 * math.pi)
    return (0.5 * (1 + erf(z / SQRT2)) + z * pdf).astype(z.dtype)


def softmax(z, axis=0):
    z = _z(z)
    return np.exp(z - logsumexp(z, axis=axis, keepdims=True)).astype(z.dtype)


# losses --------------------------------------------------------------------------------------------------------

def _AL_Y(AL, Y, two_d=False):
    dtype = _dtype(AL, Y)
    AL, Y = _as(AL, "AL", dtype), _as(Y, "Y", dtype)
    if AL.shape != Y.shape:
        raise ValueError(f"AL and Y: expected the same shape, received AL {AL.shape} and Y {Y.shape}")
    if two_d and AL.ndim != 2:
        raise ValueError(f"AL: expected a 2-D (K, m) array, received shape {AL.shape}")
    return AL, Y


def mse(AL, Y):
    AL, Y = _AL_Y(AL, Y)
    return float(np.mean(np.square(AL - Y)))


def mse_gradient(AL, Y):
    AL, Y = _AL_Y(AL, Y)
    return (AL - Y) * AL.dtype.type(2 / AL.size)


def binary_cross_entropy(AL, Y):
    AL, Y = _AL_Y(AL, Y)
    A = np.clip(AL, FLOOR, 1 - FLOOR)
    return float(-np.mean(xlogy(Y, A) + xlogy(1 - Y, 1 - A)))


def binary_cross_entropy_gradient(AL, Y):
    AL, Y = _AL_Y(AL, Y)
    A = np.clip(AL, FLOOR, 1 - FLOOR)
    return (A - Y) / (A * (1 - A)) / AL.dtype.type(AL.size)


def categorical_cross_entropy(AL, Y):
    AL, Y = _AL_Y(AL, Y, two_d=True)
    return float(-np.sum(xlogy(Y, np.maximum(AL, FLOOR))) / AL.shape[1])


def categorical_cross_entropy_gradient(AL, Y):
    AL, Y = _AL_Y(AL, Y, two_d=True)
    return -Y / np.maximum(AL, FLOOR) / AL.dtype.type(AL.shape[1])


LOSS = {"binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_gradient),
        "categorical_cross_entropy": (categorical_cross_entropy, categorical_cross_entropy_gradient),
        "mse": (mse, mse_gradient)}


def compute_cost(AL, Y, loss="binary_cross_entropy"):
    return _one_of("loss", loss, LOSS)[0](AL, Y)


# perceptron ----------------------------------------------------------------------------------------------------

def _wx(w, x):
    dtype = _dtype(w, x)
    w, x = _as(w, "w", dtype), _as(x, "x", dtype)
    if w.ndim != 1 or x.shape != w.shape:
        raise ValueError(f"w and x: expected vectors of one length (n,), received w {w.shape} and x {x.shape}")
    return w, x


def perceptron_predict(w, b, x):
    w, x = _wx(w, x)
    return np.int64(w @ x + b > 0)


def perceptron_update(w, b, x, y, learning_rate):
    w, x = _wx(w, x)
    step = learning_rate * (y - perceptron_predict(w, b, x))
    return w + step * x, float(b + step)


def perceptron_train(X, y, learning_rate=0.01, epochs=100):
    X = _as(X, "X", _dtype(X))
    if X.ndim != 2 or np.shape(y) != (X.shape[1],):
        raise ValueError(f"X, y: expected (n, m) and (m,), received {X.shape} and {np.shape(y)}")
    w, b = np.zeros(X.shape[0], X.dtype), 0.0
    for _ in range(epochs):
        for column, label in zip(X.T, np.asarray(y), strict=True):
            w, b = perceptron_update(w, b, column, label, learning_rate)
    return w, b


# layers --------------------------------------------------------------------------------------------------------

def linear_forward(A_prev, W, b):
    dtype = _dtype(A_prev, W, b)
    A_prev, W, b = _as(A_prev, "A_prev", dtype), _as(W, "W", dtype), _as(b, "b", dtype)
    if W.ndim != 2 or A_prev.ndim != 2 or W.shape[1] != A_prev.shape[0]:
        raise ValueError(f"W, A_prev: expected (n_l, n) and (n, m), received {W.shape} and {A_prev.shape}")
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"b: expected shape ({W.shape[0]}, 1), received {b.shape}")
    return W @ A_prev + b


def linear_backward(dZ, A_prev, W):
    dtype = _dtype(dZ, A_prev, W)
    dZ, A_prev, W = _as(dZ, "dZ", dtype), _as(A_prev, "A_prev", dtype), _as(W, "W", dtype)
    if dZ.ndim != 2 or A_prev.ndim != 2 or W.shape != (dZ.shape[0], A_prev.shape[0]) \
            or dZ.shape[1] != A_prev.shape[1]:
        raise ValueError(f"dZ, A_prev, W: expected (n_l, m), (n, m), (n_l, n), received {dZ.shape}, "
                         f"{A_prev.shape}, {W.shape}")
    m = dtype.type(A_prev.shape[1])
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.mean(axis=1, keepdims=True)


# network -------------------------------------------------------------------------------------------------------

STD = {"he": lambda n_in, n_out: np.sqrt(2 / n_in), "xavier": lambda n_in, n_out: np.sqrt(2 / (n_in + n_out)),
       "lecun": lambda n_in, n_out: np.sqrt(1 / n_in), "zeros": lambda n_in, n_out: 0.0}
HIDDEN = {"relu": (relu, relu_derivative), "leaky_relu": (leaky_relu, leaky_relu_derivative),
          "sigmoid": (sigmoid, sigmoid_derivative), "tanh": (tanh, tanh_derivative),
          "gelu": (gelu, gelu_derivative)}
OUTPUT = {"sigmoid": sigmoid, "softmax": softmax, "linear": lambda z: z}


def initialize_parameters(layer_dims, method="he", seed=0):
    std = _one_of("method", method, STD)
    if len(layer_dims) < 2 or not all(isinstance(n, (int, np.integer)) and n > 0 for n in layer_dims):
        raise ValueError(f"layer_dims: expected at least two positive ints, received {layer_dims!r}")
    rng = np.random.default_rng(seed)
    parameters = {}
    for i, (n_in, n_out) in enumerate(pairwise(layer_dims), start=1):
        parameters[f"W{i}"] = rng.normal(0.0, std(n_in, n_out), size=(n_out, n_in))
        parameters[f"b{i}"] = np.zeros((n_out, 1))
    return parameters


def _depth(parameters):
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters: expected a dict, received {type(parameters).__name__}")
    depth = len(parameters) // 2
    if sorted(parameters) != sorted(f"{k}{i}" for i in range(1, depth + 1) for k in "Wb"):
        raise ValueError(f"parameters: expected keys W1, b1, ..., WL, bL, received {sorted(parameters)}")
    return depth


def forward(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    g = _one_of("hidden_activation", hidden_activation, HIDDEN)[0]
    out = _one_of("output_activation", output_activation, OUTPUT)
    depth = _depth(parameters)
    A, caches = X, []
    for i in range(1, depth + 1):
        Z = linear_forward(A, parameters[f"W{i}"], parameters[f"b{i}"])
        caches.append(LayerCache(np.asarray(A, Z.dtype), parameters[f"W{i}"].astype(Z.dtype), Z))
        A = g(Z) if i < depth else out(Z)
    return A, caches


def _softmax_vjp(S, dS):
    return S * (dS - np.sum(dS * S, axis=0, keepdims=True))


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="binary_cross_entropy"):
    g_prime = _one_of("hidden_activation", hidden_activation, HIDDEN)[1]
    _one_of("output_activation", output_activation, OUTPUT)
    AL, Y = _AL_Y(AL, Y)
    dA = _one_of("loss", loss, LOSS)[1](AL, Y) * AL.shape[1]
    top = caches[-1]
    dZ = {"sigmoid": lambda: dA * sigmoid_derivative(top.Z), "softmax": lambda: _softmax_vjp(AL, dA),
          "linear": lambda: dA}[output_activation]()
    grads = {}
    for i in range(len(caches), 0, -1):
        cache = caches[i - 1]
        dA, grads[f"dW{i}"], grads[f"db{i}"] = linear_backward(dZ, cache.A_prev, cache.W)
        if i > 1:
            dZ = dA * g_prime(caches[i - 2].Z)
    return grads


def update_parameters(parameters, grads, learning_rate):
    _depth(parameters)
    return {key: value - learning_rate * grads["d" + key] for key, value in parameters.items()}


def predict(X, parameters, hidden_activation="relu", output_activation="softmax"):
    AL, _ = forward(X, parameters, hidden_activation, output_activation)
    return (AL[0] > 0.5).astype(np.int64) if AL.shape[0] == 1 else AL.argmax(axis=0)


def _batches(m, batch_size, rng):
    order = rng.permutation(m)
    size = m if batch_size is None else batch_size
    return [order[i:i + size] for i in range(0, m, size)]


def train(X, Y, layer_dims, learning_rate=0.1, epochs=10, batch_size=64, hidden_activation="relu",
          output_activation="softmax", loss="categorical_cross_entropy", seed=0):
    dtype = _dtype(X, Y)
    X, Y = _as(X, "X", dtype), _as(Y, "Y", dtype)
    if not np.isfinite(X).all() or not np.isfinite(Y).all():
        raise ValueError("X, Y: expected finite values, received NaN or inf")
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X, Y: expected (n, m) and (K, m), received {X.shape} and {Y.shape}")
    if batch_size is not None and not (isinstance(batch_size, (int, np.integer)) and batch_size > 0):
        raise ValueError(f"batch_size: expected a positive int or None, received {batch_size!r}")
    parameters = {k: v.astype(dtype) for k, v in initialize_parameters(layer_dims, "he", seed).items()}
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    costs = []
    for _ in range(epochs):
        epoch = []
        for cols in _batches(X.shape[1], batch_size, rng):
            AL, caches = forward(X[:, cols], parameters, hidden_activation, output_activation)
            epoch.append(compute_cost(AL, Y[:, cols], loss))
            grads = backward(AL, Y[:, cols], caches, hidden_activation, output_activation, loss)
            parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(sum(epoch) / len(epoch))
    return parameters, costs


# optimizers ----------------------------------------------------------------------------------------------------

def _zeros(parameters):
    return {k: np.zeros_like(v) for k, v in parameters.items()}


def sgd_momentum_update(parameters, grads, state, learning_rate, beta=0.9):
    v = _zeros(parameters) if state is None else state.v
    v = {k: beta * v[k] + (1 - beta) * grads["d" + k] for k in parameters}
    return {k: p - learning_rate * v[k] for k, p in parameters.items()}, Momentum(v)


def rmsprop_update(parameters, grads, state, learning_rate, beta=0.9, eps=1e-8):
    s = _zeros(parameters) if state is None else state.s
    s = {k: beta * s[k] + (1 - beta) * np.square(grads["d" + k]) for k in parameters}
    return {k: p - learning_rate * grads["d" + k] / (np.sqrt(s[k]) + eps) for k, p in parameters.items()}, RMSState(s)


def _adam(parameters, grads, state, beta1, beta2, eps):
    state = AdamState(0, _zeros(parameters), _zeros(parameters)) if state is None else state
    t = state.t + 1
    m = {k: beta1 * state.m[k] + (1 - beta1) * grads["d" + k] for k in parameters}
    v = {k: beta2 * state.v[k] + (1 - beta2) * np.square(grads["d" + k]) for k in parameters}
    direction = {k: m[k] / (1 - beta1 ** t) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps) for k in parameters}
    return direction, AdamState(t, m, v)


def adam_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    direction, state = _adam(parameters, grads, state, beta1, beta2, eps)
    return {k: p - learning_rate * direction[k] for k, p in parameters.items()}, state


def adamw_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    direction, state = _adam(parameters, grads, state, beta1, beta2, eps)
    return {k: p - learning_rate * (direction[k] + weight_decay * p) for k, p in parameters.items()}, state


# regularization ------------------------------------------------------------------------------------------------

def _weight_items(parameters):
    return [(k, W) for k, W in parameters.items() if k[0] == "W"]


def l2_penalty(parameters, lambd):
    return float(lambd / 2 * sum(np.vdot(W, W) for _, W in _weight_items(parameters)))


def l2_gradient(parameters, lambd):
    return {f"d{k}": lambd * W for k, W in _weight_items(parameters)}


def l1_penalty(parameters, lambd):
    return float(lambd * sum(np.abs(W).sum() for _, W in _weight_items(parameters)))


def l1_gradient(parameters, lambd):
    return {f"d{k}": lambd * np.sign(W) for k, W in _weight_items(parameters)}


def dropout_forward(A, p, rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a np.random.Generator, received {type(rng).__name__}")
    if not (isinstance(p, (int, float, np.floating, np.integer)) and 0 <= p < 1):
        raise ValueError(f"p: expected a drop probability in [0, 1), received {p!r}")
    A = _as(A, "A", _dtype(A))
    mask = rng.binomial(1, 1 - p, size=A.shape)
    return A * mask.astype(A.dtype) / A.dtype.type(1 - p), mask  # float32 * int64 would give float64


def dropout_backward(dA_out, mask, p):
    dA_out = _as(dA_out, "dA_out", _dtype(dA_out))
    return dA_out * mask.astype(dA_out.dtype) / dA_out.dtype.type(1 - p)


# normalization -------------------------------------------------------------------------------------------------

def _check_norm(X, gamma, beta, *extra):
    dtype = _dtype(X, gamma, beta, *[e for e in extra if e is not None])
    X, gamma, beta = _as(X, "X", dtype), _as(gamma, "gamma", dtype), _as(beta, "beta", dtype)
    if X.ndim != 2:
        raise ValueError(f"X: expected a 2-D (n_features, m) array, received shape {X.shape}")
    for name, v in (("gamma", gamma), ("beta", beta)):
        if v.shape != (X.shape[0], 1):
            raise ValueError(f"{name}: expected shape ({X.shape[0]}, 1), received {v.shape}")
    return X, gamma, beta


def _normalise(X, gamma, beta, mean, var, eps, axis, training):
    inv_std = 1 / np.sqrt(var + eps)
    xhat = (X - mean) * inv_std
    return gamma * xhat + beta, NormCache(xhat, gamma, inv_std, axis, training)


def batchnorm_forward(X, gamma, beta, eps=1e-5, training=True, running_mean=None, running_var=None, momentum=0.1):
    X, gamma, beta = _check_norm(X, gamma, beta, running_mean, running_var)
    n, m = X.shape
    rm = np.zeros((n, 1), X.dtype) if running_mean is None else _as(running_mean, "running_mean", X.dtype)
    rv = np.ones((n, 1), X.dtype) if running_var is None else _as(running_var, "running_var", X.dtype)
    if not training:
        Y, cache = _normalise(X, gamma, beta, rm, rv, eps, 1, False)
        return Y, cache, rm, rv
    if m < 2:
        raise ValueError(f"X: batch norm in training expected m >= 2 columns, received m = {m}")
    mean, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
    Y, cache = _normalise(X, gamma, beta, mean, var, eps, 1, True)
    return Y, cache, (1 - momentum) * rm + momentum * mean, (1 - momentum) * rv + momentum * var * (m / (m - 1))


def _norm_backward(dY, cache):
    dY = _as(dY, "dY", cache.xhat.dtype)
    dgamma, dbeta = (dY * cache.xhat).sum(axis=1, keepdims=True), dY.sum(axis=1, keepdims=True)
    g = dY * cache.gamma
    if not cache.training:
        return g * cache.inv_std, dgamma, dbeta
    mean_g = g.mean(axis=cache.axis, keepdims=True)
    mean_gx = (g * cache.xhat).mean(axis=cache.axis, keepdims=True)
    return cache.inv_std * (g - mean_g - cache.xhat * mean_gx), dgamma, dbeta


def batchnorm_backward(dY, cache):
    return _norm_backward(dY, cache)


def layernorm_forward(X, gamma, beta, eps=1e-5):
    X, gamma, beta = _check_norm(X, gamma, beta)
    return _normalise(X, gamma, beta, X.mean(axis=0, keepdims=True), X.var(axis=0, keepdims=True), eps, 0, True)


def layernorm_backward(dY, cache):
    return _norm_backward(dY, cache)


# gradient check ------------------------------------------------------------------------------------------------

def numerical_gradient(f, x, eps=1e-5):
    """Central differences of f, x perturbed in place one entry at a time and restored."""
    if not callable(f):
        raise TypeError(f"f: expected a callable, received {type(f).__name__}")
    # perturbs x itself (the contract's reading 6, amended after this variant was written), so f may close over x
    x = x if isinstance(x, np.ndarray) and x.dtype.kind == "f" else _as(x, "x", _dtype(x))
    grad = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + eps
        plus = f(x)
        x[idx] = saved - eps
        minus = f(x)
        x[idx] = saved
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a, b: expected the same shape, received {a.shape} and {b.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0
