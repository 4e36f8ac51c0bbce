"""A correct submission whose forward records a tape of backward closures, written from docs/contract.md alone.

Idioms: caches as a list of closures (each layer's backward, micrograd style), optimizer state as a plain list
[t, first, second], the naive sigmoid 1 / (1 + e^-z) with the harmless overflow silenced by np.errstate,
numerical_gradient stepping along the rows of np.eye (new arrays, never x itself), masks as uint8, and each
batch norm / layer norm cache a closure too.
"""

import math

import numpy as np

NNSPEC_CONTRACT = "1"

CLAMP = 1e-15
GELU_TANH = (math.sqrt(2 / math.pi), 0.044715)
_erf = np.frompyfunc(math.erf, 1, 1)


def _kind(*xs):
    fs = {np.asarray(x).dtype for x in xs if np.asarray(x).dtype.kind == "f"}
    return np.float32 if fs == {np.dtype("float32")} else np.float64


def _arr(x, name, kind=None):
    if x is None or isinstance(x, (str, dict)):
        raise TypeError(f"{name}: expected a numeric array, received {type(x).__name__}")
    return np.asarray(x, dtype=kind or _kind(x))


def _pick(table, name, key):
    if key not in table:
        raise ValueError(f"{name}: expected one of {sorted(table)}, received {key!r}")
    return table[key]


# activations --------------------------------------------------------------------------------------------------

def sigmoid(z):
    z = _arr(z, "z")
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s - s * s


def tanh(z):
    return np.tanh(_arr(z, "z"))


def tanh_derivative(z):
    return 1 - np.tanh(_arr(z, "z")) ** 2


def relu(z):
    z = _arr(z, "z")
    return np.where(z > 0, z, 0).astype(z.dtype)


def relu_derivative(z):
    z = _arr(z, "z")
    return np.sign(z).clip(min=0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    z = _arr(z, "z")
    return z * np.where(z > 0, 1, alpha).astype(z.dtype)


def leaky_relu_derivative(z, alpha=0.01):
    z = _arr(z, "z")
    return np.where(z > 0, 1, alpha).astype(z.dtype)


def gelu(z, approximate=False):
    z = _arr(z, "z")
    if approximate:
        c, k = GELU_TANH
        return 0.5 * z * (1 + np.tanh(c * (z + k * z ** 3)))
    return (z * (1 + _erf(z / math.sqrt(2)).astype(np.float64)) / 2).astype(z.dtype)


def gelu_derivative(z, approximate=False):
    z = _arr(z, "z")
    if approximate:
        c, k = GELU_TANH
        t = np.tanh(c * (z + k * z ** 3))
        return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * c * (1 + 3 * k * z * z)
    z64 = z.astype(np.float64)
    cdf = (1 + _erf(z64 / math.sqrt(2)).astype(np.float64)) / 2
    return (cdf + z64 * np.exp(-z64 * z64 / 2) / math.sqrt(2 * math.pi)).astype(z.dtype)


def softmax(z, axis=0):
    z = _arr(z, "z")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


# losses -------------------------------------------------------------------------------------------------------

def _aligned(AL, Y, matrix=False):
    kind = _kind(AL, Y)
    AL, Y = _arr(AL, "AL", kind), _arr(Y, "Y", kind)
    if AL.shape != Y.shape:
        raise ValueError(f"Y: expected the shape of AL {AL.shape}, received {Y.shape}")
    if matrix and AL.ndim != 2:
        raise ValueError(f"AL: expected a (K, m) matrix, received shape {AL.shape}")
    return AL, Y


def mse(AL, Y):
    AL, Y = _aligned(AL, Y)
    return float(np.square(AL - Y).mean())


def mse_gradient(AL, Y):
    AL, Y = _aligned(AL, Y)
    return (AL - Y) * 2 / AL.size


def binary_cross_entropy(AL, Y):
    AL, Y = _aligned(AL, Y)
    P = AL.clip(CLAMP, 1 - CLAMP)
    return float(-(Y * np.log(P) + (1 - Y) * np.log(1 - P)).mean())


def binary_cross_entropy_gradient(AL, Y):
    AL, Y = _aligned(AL, Y)
    P = AL.clip(CLAMP, 1 - CLAMP)
    return (P - Y) / (P * (1 - P) * AL.size)


def categorical_cross_entropy(AL, Y):
    AL, Y = _aligned(AL, Y, matrix=True)
    return float(-(Y * np.log(AL.clip(min=CLAMP))).sum(axis=0).mean())


def categorical_cross_entropy_gradient(AL, Y):
    AL, Y = _aligned(AL, Y, matrix=True)
    return -Y / AL.clip(min=CLAMP) / AL.shape[1]


LOSSES = {"binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_gradient),
          "categorical_cross_entropy": (categorical_cross_entropy, categorical_cross_entropy_gradient),
          "mse": (mse, mse_gradient)}


def compute_cost(AL, Y, loss="binary_cross_entropy"):
    return _pick(LOSSES, "loss", loss)[0](AL, Y)


# perceptron ---------------------------------------------------------------------------------------------------

def _wx(w, x):
    kind = _kind(w, x)
    w, x = _arr(w, "w", kind), _arr(x, "x", kind)
    if w.ndim != 1 or w.shape != x.shape:
        raise ValueError(f"x: expected a vector shaped like w {w.shape}, received {x.shape}")
    return w, x


def perceptron_predict(w, b, x):
    w, x = _wx(w, x)
    return 1 if float(w @ x) + b > 0 else 0


def perceptron_update(w, b, x, y, learning_rate):
    w, x = _wx(w, x)
    err = y - perceptron_predict(w, b, x)
    return w + (learning_rate * err) * x, float(b) + learning_rate * err


def perceptron_train(X, y, learning_rate=0.01, epochs=100):
    X = _arr(X, "X")
    if X.ndim != 2 or len(y) != X.shape[1]:
        raise ValueError(f"X, y: expected (n, m) and (m,), received {X.shape} and {np.shape(y)}")
    w, b = np.zeros(len(X), X.dtype), 0.0
    for _ in range(epochs):
        for x_j, y_j in zip(X.T, y, strict=True):
            w, b = perceptron_update(w, b, x_j, y_j, learning_rate)
    return w, b


# layers -------------------------------------------------------------------------------------------------------

def linear_forward(A_prev, W, b):
    kind = _kind(A_prev, W, b)
    A_prev, W, b = _arr(A_prev, "A_prev", kind), _arr(W, "W", kind), _arr(b, "b", kind)
    if W.ndim != 2 or A_prev.ndim != 2 or W.shape[1] != A_prev.shape[0]:
        raise ValueError(f"A_prev: expected ({W.shape[-1]}, m) for W {W.shape}, received {A_prev.shape}")
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"b: expected shape ({W.shape[0]}, 1), received {b.shape}")
    return W @ A_prev + b


def linear_backward(dZ, A_prev, W):
    kind = _kind(dZ, A_prev, W)
    dZ, A_prev, W = _arr(dZ, "dZ", kind), _arr(A_prev, "A_prev", kind), _arr(W, "W", kind)
    if dZ.ndim != 2 or A_prev.ndim != 2 or W.shape != (dZ.shape[0], A_prev.shape[0]) \
            or dZ.shape[1] != A_prev.shape[1]:
        raise ValueError(f"dZ, A_prev, W: expected (n_l, m), (n, m), (n_l, n), received {dZ.shape}, "
                         f"{A_prev.shape}, {W.shape}")
    m = dZ.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m


# network: forward records, per layer, a closure that back-propagates through it --------------------------------

HIDDEN = {"relu": (relu, relu_derivative), "leaky_relu": (leaky_relu, leaky_relu_derivative),
          "sigmoid": (sigmoid, sigmoid_derivative), "tanh": (tanh, tanh_derivative), "gelu": (gelu, gelu_derivative)}
OUTPUT = {"sigmoid": sigmoid, "softmax": softmax, "linear": np.copy}
INIT_VARIANCE = {"he": lambda i, o: 2 / i, "xavier": lambda i, o: 2 / (i + o), "lecun": lambda i, o: 1 / i,
                 "zeros": lambda i, o: 0.0}


def initialize_parameters(layer_dims, method="he", seed=0):
    variance = _pick(INIT_VARIANCE, "method", method)
    if len(layer_dims) < 2 or min(layer_dims) <= 0:
        raise ValueError(f"layer_dims: expected two or more positive sizes, received {layer_dims!r}")
    rng = np.random.default_rng(seed)
    params = {}
    for i in range(1, len(layer_dims)):
        n_in, n_out = layer_dims[i - 1], layer_dims[i]
        params[f"W{i}"] = rng.normal(0, math.sqrt(variance(n_in, n_out)), (n_out, n_in))
        params[f"b{i}"] = np.zeros((n_out, 1))
    return params


def _layer_count(parameters):
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters: expected a dict, received {type(parameters).__name__}")
    L = len(parameters) // 2
    if L < 1 or set(parameters) != {f"{c}{i}" for i in range(1, L + 1) for c in "Wb"}:
        raise ValueError(f"parameters: expected keys W1, b1, ..., WL, bL, received {sorted(parameters)}")
    return L


def _layer_tape(i, A_prev, W, Z, derivative):
    """backward through layer i: from dA (the gradient at its output) to (dA_prev, {dWi, dbi})."""
    def step(dA, dZ=None):
        dZ = dA * derivative(Z) if dZ is None else dZ
        dA_prev, dW, db = linear_backward(dZ, A_prev, W)
        return dA_prev, {f"dW{i}": dW, f"db{i}": db}
    return step


def forward(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    g, g_prime = _pick(HIDDEN, "hidden_activation", hidden_activation)
    out = _pick(OUTPUT, "output_activation", output_activation)
    L = _layer_count(parameters)
    A, tape = X, []
    for i in range(1, L + 1):
        Z = linear_forward(A, parameters[f"W{i}"], parameters[f"b{i}"])
        tape.append(_layer_tape(i, _arr(A, "X", Z.dtype), _arr(parameters[f"W{i}"], f"W{i}", Z.dtype), Z, g_prime))
        A = g(Z) if i < L else out(Z)
    return A, tape


def _output_dZ(AL, Y, output_activation, loss):
    """m d(cost)/dZ_L from the outputs alone (a sigmoid's derivative is AL (1 - AL))."""
    dA = _pick(LOSSES, "loss", loss)[1](AL, Y) * AL.shape[1]
    if output_activation == "sigmoid":
        return dA * AL * (1 - AL)
    if output_activation == "softmax":
        return AL * (dA - (AL * dA).sum(axis=0))
    return dA


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="binary_cross_entropy"):
    _pick(HIDDEN, "hidden_activation", hidden_activation)
    _pick(OUTPUT, "output_activation", output_activation)
    AL, Y = _aligned(AL, Y)
    dA, grads = caches[-1](None, _output_dZ(AL, Y, output_activation, loss))
    for step in reversed(caches[:-1]):
        dA, layer_grads = step(dA)
        grads.update(layer_grads)
    return grads


def update_parameters(parameters, grads, learning_rate):
    _layer_count(parameters)
    return {name: theta - learning_rate * grads["d" + name] for name, theta in parameters.items()}


def predict(X, parameters, hidden_activation="relu", output_activation="softmax"):
    AL, _ = forward(X, parameters, hidden_activation, output_activation)
    return (AL > 0.5).astype(int).ravel() if len(AL) == 1 else AL.argmax(axis=0)


def train(X, Y, layer_dims, learning_rate=0.1, epochs=10, batch_size=64, hidden_activation="relu",
          output_activation="softmax", loss="categorical_cross_entropy", seed=0):
    kind = _kind(X, Y)
    X, Y = _arr(X, "X", kind), _arr(Y, "Y", kind)
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise ValueError("X, Y: expected finite numbers, received NaN or inf")
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X, Y: expected (n, m) and (K, m), received {X.shape} and {Y.shape}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size: expected a positive int or None, received {batch_size!r}")
    params = {k: v.astype(kind) for k, v in initialize_parameters(layer_dims, "he", seed).items()}
    rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(7,)))
    m = X.shape[1]
    size = batch_size or m
    index = np.arange(m)
    costs = []
    for _ in range(epochs):
        rng.shuffle(index)
        batch_costs = []
        for cols in np.split(index, range(size, m, size)):
            AL, tape = forward(X[:, cols], params, hidden_activation, output_activation)
            batch_costs.append(compute_cost(AL, Y[:, cols], loss))
            params = update_parameters(params, backward(AL, Y[:, cols], tape, hidden_activation, output_activation,
                                                        loss), learning_rate)
        costs.append(float(np.mean(batch_costs)))
    return params, costs


# optimizers: state = [t, first moments, second moments] ---------------------------------------------------------

def _advance(parameters, grads, state, beta1, beta2):
    t, first, second = (0, {}, {}) if state is None else state
    zero = {k: np.zeros_like(v) for k, v in parameters.items()}
    first = {k: beta1 * first.get(k, zero[k]) + (1 - beta1) * grads["d" + k] for k in parameters}
    second = {k: beta2 * second.get(k, zero[k]) + (1 - beta2) * grads["d" + k] ** 2 for k in parameters}
    return [t + 1, first, second]


def sgd_momentum_update(parameters, grads, state, learning_rate, beta=0.9):
    state = _advance(parameters, grads, state, beta, 0)
    return {k: p - learning_rate * state[1][k] for k, p in parameters.items()}, state


def rmsprop_update(parameters, grads, state, learning_rate, beta=0.9, eps=1e-8):
    state = _advance(parameters, grads, state, 0, beta)
    return {k: p - learning_rate * grads["d" + k] / (np.sqrt(state[2][k]) + eps) for k, p in parameters.items()}, state


def _adam_like(parameters, grads, state, learning_rate, beta1, beta2, eps, decay):
    state = _advance(parameters, grads, state, beta1, beta2)
    t, m, v = state
    new = {k: p - learning_rate * (m[k] / (1 - beta1 ** t) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps) + decay * p)
           for k, p in parameters.items()}
    return new, state


def adam_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_like(parameters, grads, state, learning_rate, beta1, beta2, eps, 0)


def adamw_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return _adam_like(parameters, grads, state, learning_rate, beta1, beta2, eps, weight_decay)


# regularization -----------------------------------------------------------------------------------------------

def _W(parameters):
    return [(k, v) for k, v in parameters.items() if k.startswith("W")]


def l2_penalty(parameters, lambd):
    return lambd * sum(float((v * v).sum()) for _, v in _W(parameters)) / 2


def l2_gradient(parameters, lambd):
    return {"d" + k: lambd * v for k, v in _W(parameters)}


def l1_penalty(parameters, lambd):
    return lambd * sum(float(abs(v).sum()) for _, v in _W(parameters))


def l1_gradient(parameters, lambd):
    return {"d" + k: lambd * np.sign(v) for k, v in _W(parameters)}


def dropout_forward(A, p, rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a np.random.Generator, received {type(rng).__name__}")
    if not 0 <= p < 1:
        raise ValueError(f"p: expected a drop probability in [0, 1), received {p!r}")
    A = _arr(A, "A")
    mask = (rng.random(A.shape) >= p).astype(np.uint8)
    return A * mask / (1 - p), mask


def dropout_backward(dA_out, mask, p):
    dA_out = _arr(dA_out, "dA_out")
    return dA_out * mask / (1 - p)


# normalization: the cache is the backward closure -------------------------------------------------------------

def _affine(X, gamma, beta, *extra):
    kind = _kind(X, gamma, beta, *[e for e in extra if e is not None])
    X, gamma, beta = _arr(X, "X", kind), _arr(gamma, "gamma", kind), _arr(beta, "beta", kind)
    if X.ndim != 2:
        raise ValueError(f"X: expected (n_features, m), received shape {X.shape}")
    for name, v in (("gamma", gamma), ("beta", beta)):
        if v.shape != (len(X), 1):
            raise ValueError(f"{name}: expected shape ({len(X)}, 1), received {v.shape}")
    return X, gamma, beta


def _normalise(X, gamma, beta, mean, var, eps, axis):
    """Y = gamma xhat + beta and a closure dY -> (dX, dgamma, dbeta); axis None: fixed statistics."""
    inv = 1 / np.sqrt(var + eps)
    xhat = (X - mean) * inv

    def back(dY):
        dY = _arr(dY, "dY", xhat.dtype)
        g = dY * gamma
        if axis is not None:
            g = g - g.mean(axis=axis, keepdims=True) - xhat * (g * xhat).mean(axis=axis, keepdims=True)
        return g * inv, (dY * xhat).sum(axis=1, keepdims=True), dY.sum(axis=1, keepdims=True)
    return gamma * xhat + beta, back


def batchnorm_forward(X, gamma, beta, eps=1e-5, training=True, running_mean=None, running_var=None, momentum=0.1):
    X, gamma, beta = _affine(X, gamma, beta, running_mean, running_var)
    n, m = X.shape
    rm = np.zeros((n, 1), X.dtype) if running_mean is None else _arr(running_mean, "running_mean", X.dtype)
    rv = np.ones((n, 1), X.dtype) if running_var is None else _arr(running_var, "running_var", X.dtype)
    if not training:
        return (*_normalise(X, gamma, beta, rm, rv, eps, None), rm, rv)
    if m < 2:
        raise ValueError(f"X: expected m >= 2 samples for training statistics, received m = {m}")
    mean, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
    Y, back = _normalise(X, gamma, beta, mean, var, eps, 1)
    return Y, back, (1 - momentum) * rm + momentum * mean, (1 - momentum) * rv + momentum * var * m / (m - 1)


def batchnorm_backward(dY, cache):
    return cache(dY)


def layernorm_forward(X, gamma, beta, eps=1e-5):
    X, gamma, beta = _affine(X, gamma, beta)
    return _normalise(X, gamma, beta, X.mean(axis=0, keepdims=True), X.var(axis=0, keepdims=True), eps, 0)


def layernorm_backward(dY, cache):
    return cache(dY)


# gradient check -----------------------------------------------------------------------------------------------

def numerical_gradient(f, x, eps=1e-5):
    """Central differences along each basis direction e_i (the rows of np.eye), x moved to x +- eps e_i in place."""
    if not callable(f):
        raise TypeError(f"f: expected a callable, received {type(f).__name__}")
    # perturbs x itself (the contract's reading 6, amended after this variant was written), so f may close over x
    x = x if isinstance(x, np.ndarray) and x.dtype.kind == "f" else _arr(x, "x")
    saved = x.copy()
    steps = eps * np.eye(x.size).reshape((x.size, *x.shape))
    grad = np.empty(x.size)
    for i, e in enumerate(steps):
        np.add(saved, e, out=x, casting="unsafe")
        plus = f(x)
        np.subtract(saved, e, out=x, casting="unsafe")
        minus = f(x)
        np.copyto(x, saved)
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


def relative_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b: expected the shape of a {a.shape}, received {b.shape}")
    top, bottom = np.linalg.norm(a - b), max(np.linalg.norm(a), np.linalg.norm(b))
    return float(top / bottom) if bottom else 0.0
