"""A correct submission in the style of a common online course's NumPy assignments, from docs/contract.md alone.

Idioms: caches as a list of nested tuples ((A_prev, W, b), Z) (a "linear cache" and an "activation cache"),
grads that also carry the course's "dA{layer}" entries, optimizer state as dicts keyed by layer number (int keys),
costs and penalties as np.float64 (a subclass of Python float), labels as int32, weights drawn fan_in-major and
transposed, mini-batches visited in a random order each epoch (the partial one wherever it falls), 0/1 keep-masks
of A's float type (as written first, float64 whatever A's precision: the contract's precision rule makes a float64
mask for a float32 A wrong, so the lead changed it), a numerical_gradient perturbing x in place under try/finally, a
relative_error that returns the int 0 for two zero arrays, and a linear output layer that returns Z itself.
"""

import math

import numpy as np

NNSPEC_CONTRACT = "1"

TINY = 1e-15
SQRT_HALF = math.sqrt(0.5)
TANH_C, TANH_K = math.sqrt(2 / math.pi), 0.044715


def _float_kind(*arrays):
    floating = [a.dtype for a in map(np.asarray, arrays) if a.dtype.kind == "f"]
    if floating and all(d == np.float32 for d in floating):
        return np.float32
    return np.float64


def _to(a, name, kind):
    if isinstance(a, (str, dict)) or a is None:
        raise TypeError(f"{name} should be a NumPy array, but a {type(a).__name__} was passed")
    return np.asarray(a).astype(kind)


def _z(z):
    return _to(z, "z", _float_kind(z))


def _check(value, name, allowed):
    if value not in allowed:
        raise ValueError(f"{name} should be one of {', '.join(allowed)}, but {value!r} was passed")


# ---- activations

def sigmoid(z):
    z = _z(z)
    return np.where(z < 0, np.exp(np.minimum(z, 0)) / (1 + np.exp(np.minimum(z, 0))),
                    1 / (1 + np.exp(-np.maximum(z, 0))))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(_z(z))


def tanh_derivative(z):
    return 1 - tanh(z) ** 2


def relu(z):
    z = _z(z)
    return np.maximum(0, z)


def relu_derivative(z):
    z = _z(z)
    dz = np.ones_like(z)
    dz[z <= 0] = 0
    return dz


def leaky_relu(z, alpha=0.01):
    z = _z(z)
    return np.maximum(z, 0) + alpha * np.minimum(z, 0)


def leaky_relu_derivative(z, alpha=0.01):
    z = _z(z)
    return np.where(z > 0, 1.0, alpha).astype(z.dtype)


_ERF = np.vectorize(math.erf, otypes=[float])


def gelu(z, approximate=False):
    z = _z(z)
    if approximate:
        return 0.5 * z * (1 + np.tanh(TANH_C * (z + TANH_K * np.power(z, 3))))
    return (0.5 * z * (1 + _ERF(z * SQRT_HALF))).astype(z.dtype)


def gelu_derivative(z, approximate=False):
    z = _z(z)
    if approximate:
        u = np.tanh(TANH_C * (z + TANH_K * np.power(z, 3)))
        return 0.5 * (1 + u) + 0.5 * z * (1 - u ** 2) * TANH_C * (1 + 3 * TANH_K * z ** 2)
    cdf = 0.5 * (1 + _ERF(z * SQRT_HALF))
    pdf = np.exp(-0.5 * z.astype(float) ** 2) / math.sqrt(2 * math.pi)
    return (cdf + z * pdf).astype(z.dtype)


def softmax(z, axis=0):
    z = _z(z)
    t = np.exp(z - np.amax(z, axis=axis, keepdims=True))
    return t / np.sum(t, axis=axis, keepdims=True)


# ---- losses

def _match(AL, Y):
    kind = _float_kind(AL, Y)
    AL, Y = _to(AL, "AL", kind), _to(Y, "Y", kind)
    if AL.shape != Y.shape:
        raise ValueError(f"AL and Y should have the same shape, but AL is {AL.shape} and Y is {Y.shape}")
    return AL, Y


def _match_2d(AL, Y):
    AL, Y = _match(AL, Y)
    if AL.ndim != 2:
        raise ValueError(f"AL should be 2-D (K, m) for categorical cross-entropy, but its shape is {AL.shape}")
    return AL, Y


def mse(AL, Y):
    AL, Y = _match(AL, Y)
    return np.float64(np.sum((AL - Y) ** 2) / AL.size)


def mse_gradient(AL, Y):
    AL, Y = _match(AL, Y)
    return 2 / AL.size * (AL - Y)


def binary_cross_entropy(AL, Y):
    AL, Y = _match(AL, Y)
    AL = np.clip(AL, TINY, 1 - TINY)
    return np.float64(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / AL.size)


def binary_cross_entropy_gradient(AL, Y):
    AL, Y = _match(AL, Y)
    AL = np.clip(AL, TINY, 1 - TINY)
    return -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)) / AL.size


def categorical_cross_entropy(AL, Y):
    AL, Y = _match_2d(AL, Y)
    m = Y.shape[1]
    return np.float64(-np.sum(Y * np.log(np.maximum(AL, TINY))) / m)


def categorical_cross_entropy_gradient(AL, Y):
    AL, Y = _match_2d(AL, Y)
    return -np.divide(Y, np.maximum(AL, TINY)) / Y.shape[1]


def compute_cost(AL, Y, loss="binary_cross_entropy"):
    _check(loss, "loss", ("binary_cross_entropy", "categorical_cross_entropy", "mse"))
    return {"binary_cross_entropy": binary_cross_entropy, "categorical_cross_entropy": categorical_cross_entropy,
            "mse": mse}[loss](AL, Y)


# ---- perceptron

def perceptron_predict(w, b, x):
    w, x = np.asarray(w), np.asarray(x)
    if w.ndim != 1 or x.shape != w.shape:
        raise ValueError(f"w and x should be (n,) vectors of equal length, but they are {w.shape} and {x.shape}")
    return int(np.dot(w, x) + b > 0)


def perceptron_update(w, b, x, y, learning_rate):
    y_hat = perceptron_predict(w, b, x)
    kind = _float_kind(w, x)
    w = np.asarray(w, kind) + learning_rate * (y - y_hat) * np.asarray(x, kind)
    return w, np.float64(b + learning_rate * (y - y_hat))


def perceptron_train(X, y, learning_rate=0.01, epochs=100):
    X = _to(X, "X", _float_kind(X))
    if X.ndim != 2 or len(y) != X.shape[1]:
        raise ValueError(f"X should be (n, m) and y (m,), but they are {X.shape} and {np.shape(y)}")
    w, b = np.zeros(X.shape[0], X.dtype), np.float64(0)
    for _ in range(epochs):
        for i in range(X.shape[1]):
            w, b = perceptron_update(w, b, X[:, i], y[i], learning_rate)
    return w, b


# ---- layers

def linear_forward(A_prev, W, b):
    kind = _float_kind(A_prev, W, b)
    A_prev, W, b = _to(A_prev, "A_prev", kind), _to(W, "W", kind), _to(b, "b", kind)
    if W.ndim != 2 or A_prev.ndim != 2 or W.shape[1] != A_prev.shape[0]:
        raise ValueError(f"W {W.shape} and A_prev {A_prev.shape} should be (n_l, n_prev) and (n_prev, m)")
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"b should have shape ({W.shape[0]}, 1), but it has shape {b.shape}")
    return np.dot(W, A_prev) + b


def linear_backward(dZ, A_prev, W):
    kind = _float_kind(dZ, A_prev, W)
    dZ, A_prev, W = _to(dZ, "dZ", kind), _to(A_prev, "A_prev", kind), _to(W, "W", kind)
    if dZ.ndim != 2 or A_prev.ndim != 2 or W.shape != (dZ.shape[0], A_prev.shape[0]) \
            or dZ.shape[1] != A_prev.shape[1]:
        raise ValueError(f"dZ {dZ.shape}, A_prev {A_prev.shape} and W {W.shape} should be (n_l, m), "
                         f"(n_prev, m) and (n_l, n_prev)")
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    return np.dot(W.T, dZ), dW, db


# ---- network

def initialize_parameters(layer_dims, method="he", seed=0):
    _check(method, "method", ("he", "xavier", "lecun", "zeros"))
    if len(layer_dims) < 2 or any(n <= 0 for n in layer_dims):
        raise ValueError(f"layer_dims should hold at least two positive sizes, but {layer_dims!r} was passed")
    rng = np.random.default_rng(seed)
    parameters = {}
    for layer in range(1, len(layer_dims)):
        fan_in, fan_out = layer_dims[layer - 1], layer_dims[layer]
        scale = {"he": math.sqrt(2 / fan_in), "xavier": math.sqrt(2 / (fan_in + fan_out)),
                 "lecun": math.sqrt(1 / fan_in), "zeros": 0.0}[method]
        parameters["W" + str(layer)] = rng.standard_normal((fan_in, fan_out)).T * scale
        parameters["b" + str(layer)] = np.zeros((fan_out, 1))
    return parameters


def _L(parameters):
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters should be a dict, but a {type(parameters).__name__} was passed")
    L = len(parameters) // 2
    expected = [f"{kind}{layer}" for kind in "Wb" for layer in range(1, L + 1)]
    if L < 1 or sorted(parameters) != sorted(expected):
        raise ValueError(f"parameters should hold W1, b1, ..., WL, bL, but its keys are {sorted(parameters)}")
    return L


def _activation_forward(A_prev, W, b, activation):
    Z = linear_forward(A_prev, W, b)
    if activation == "linear":
        A = Z
    else:
        A = {"relu": relu, "leaky_relu": leaky_relu, "sigmoid": sigmoid, "tanh": tanh, "gelu": gelu,
             "softmax": softmax}[activation](Z)
    return A, ((_to(A_prev, "A_prev", Z.dtype), _to(W, "W", Z.dtype), _to(b, "b", Z.dtype)), Z)


def forward(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    _check(hidden_activation, "hidden_activation", ("relu", "leaky_relu", "sigmoid", "tanh", "gelu"))
    _check(output_activation, "output_activation", ("sigmoid", "softmax", "linear"))
    L = _L(parameters)
    caches = []
    A = X
    for layer in range(1, L):
        A, cache = _activation_forward(A, parameters["W" + str(layer)], parameters["b" + str(layer)], hidden_activation)
        caches.append(cache)
    AL, cache = _activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], output_activation)
    caches.append(cache)
    return AL, caches


def _activation_backward(dA, Z, activation):
    return dA * {"relu": relu_derivative, "leaky_relu": leaky_relu_derivative, "sigmoid": sigmoid_derivative,
                 "tanh": tanh_derivative, "gelu": gelu_derivative}[activation](Z)


def _output_backward(AL, Y, ZL, output_activation, loss):
    grad = {"binary_cross_entropy": binary_cross_entropy_gradient, "mse": mse_gradient,
            "categorical_cross_entropy": categorical_cross_entropy_gradient}[loss]
    dAL = grad(AL, Y) * AL.shape[1]
    if output_activation == "sigmoid":
        return dAL * sigmoid_derivative(ZL)
    if output_activation == "softmax":
        return AL * (dAL - np.sum(AL * dAL, axis=0, keepdims=True))
    return dAL


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="binary_cross_entropy"):
    _check(hidden_activation, "hidden_activation", ("relu", "leaky_relu", "sigmoid", "tanh", "gelu"))
    _check(output_activation, "output_activation", ("sigmoid", "softmax", "linear"))
    _check(loss, "loss", ("binary_cross_entropy", "categorical_cross_entropy", "mse"))
    AL, Y = _match(AL, Y)
    grads = {}
    L = len(caches)
    (A_prev, W, _), ZL = caches[L - 1]
    dZ = _output_backward(AL, Y, ZL, output_activation, loss)
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = linear_backward(dZ, A_prev, W)
    for layer in reversed(range(1, L)):
        (A_prev, W, _), Z = caches[layer - 1]
        dZ = _activation_backward(grads["dA" + str(layer)], Z, hidden_activation)
        dA_prev, grads["dW" + str(layer)], grads["db" + str(layer)] = linear_backward(dZ, A_prev, W)
        grads["dA" + str(layer - 1)] = dA_prev
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = _L(parameters)
    new = {}
    for layer in range(L):
        new["W" + str(layer + 1)] = parameters["W" + str(layer + 1)] - learning_rate * grads["dW" + str(layer + 1)]
        new["b" + str(layer + 1)] = parameters["b" + str(layer + 1)] - learning_rate * grads["db" + str(layer + 1)]
    return new


def predict(X, parameters, hidden_activation="relu", output_activation="softmax"):
    AL, _ = forward(X, parameters, hidden_activation, output_activation)
    if AL.shape[0] == 1:
        return (AL > 0.5).astype(np.int32).reshape(-1)
    return np.argmax(AL, axis=0).astype(np.int32)


def _random_mini_batches(X, Y, batch_size, rng):
    """Shuffled columns cut into batches of batch_size (the last one partial), visited in a random order."""
    m = X.shape[1]
    permutation = list(rng.permutation(m))
    size = m if batch_size is None else batch_size
    batches = [(X[:, permutation[k:k + size]], Y[:, permutation[k:k + size]]) for k in range(0, m, size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def train(X, Y, layer_dims, learning_rate=0.1, epochs=10, batch_size=64, hidden_activation="relu",
          output_activation="softmax", loss="categorical_cross_entropy", seed=0):
    kind = _float_kind(X, Y)
    X, Y = _to(X, "X", kind), _to(Y, "Y", kind)
    if not np.isfinite(X).all() or not np.isfinite(Y).all():
        raise ValueError("X and Y should be finite, but they contain NaN or infinity")
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X should be (n, m) and Y (K, m) with the same m, but they are {X.shape} and {Y.shape}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size should be a positive int or None, but {batch_size!r} was passed")
    parameters = {k: v.astype(kind) for k, v in initialize_parameters(layer_dims, "he", seed).items()}
    rng = np.random.default_rng(seed).spawn(1)[0]
    costs = []
    for _ in range(epochs):
        epoch_costs = []
        for X_batch, Y_batch in _random_mini_batches(X, Y, batch_size, rng):
            AL, caches = forward(X_batch, parameters, hidden_activation, output_activation)
            epoch_costs.append(compute_cost(AL, Y_batch, loss))
            grads = backward(AL, Y_batch, caches, hidden_activation, output_activation, loss)
            parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(np.float64(np.mean(epoch_costs)))
    return parameters, costs


# ---- optimizers

def _layer_state(parameters, state, names):
    """state[name][layer] = (for W_l, for b_l), layer an int layer number."""
    L = _L(parameters)
    if state is None:
        state = {"t": 0, **{name: {layer: (np.zeros_like(parameters["W" + str(layer)]),
                                       np.zeros_like(parameters["b" + str(layer)])) for layer in range(1, L + 1)}
                            for name in names}}
    return L, state


def _pairs(parameters, grads, layer):
    W, b = "W" + str(layer), "b" + str(layer)
    return (parameters[W], grads["d" + W]), (parameters[b], grads["d" + b])


def _unpack(new_params, layer, W, b):
    new_params["W" + str(layer)], new_params["b" + str(layer)] = W, b


def sgd_momentum_update(parameters, grads, state, learning_rate, beta=0.9):
    L, state = _layer_state(parameters, state, ["v"])
    new_params: dict = {}
    new_state = {"t": state["t"] + 1, "v": {}}
    for layer in range(1, L + 1):
        vs = [beta * v + (1 - beta) * g for v, (_, g) in zip(state["v"][layer], _pairs(parameters, grads, layer),
                                                               strict=True)]
        new_state["v"][layer] = tuple(vs)
        _unpack(new_params, layer, *[p - learning_rate * v for v, (p, _) in zip(vs, _pairs(parameters, grads, layer),
                                                                             strict=True)])
    return new_params, new_state


def rmsprop_update(parameters, grads, state, learning_rate, beta=0.9, eps=1e-8):
    L, state = _layer_state(parameters, state, ["s"])
    new_params: dict = {}
    new_state = {"t": state["t"] + 1, "s": {}}
    for layer in range(1, L + 1):
        pairs = _pairs(parameters, grads, layer)
        ss = [beta * s + (1 - beta) * g ** 2 for s, (_, g) in zip(state["s"][layer], pairs, strict=True)]
        new_state["s"][layer] = tuple(ss)
        _unpack(new_params, layer, *[p - learning_rate * g / (np.sqrt(s) + eps)
                                 for s, (p, g) in zip(ss, pairs, strict=True)])
    return new_params, new_state


def _adam_family(parameters, grads, state, learning_rate, beta1, beta2, eps, decay):
    L, state = _layer_state(parameters, state, ["m", "v"])
    t = state["t"] + 1
    new_params: dict = {}
    new_state = {"t": t, "m": {}, "v": {}}
    for layer in range(1, L + 1):
        pairs = _pairs(parameters, grads, layer)
        ms = [beta1 * m + (1 - beta1) * g for m, (_, g) in zip(state["m"][layer], pairs, strict=True)]
        vs = [beta2 * v + (1 - beta2) * g ** 2 for v, (_, g) in zip(state["v"][layer], pairs, strict=True)]
        new_state["m"][layer], new_state["v"][layer] = tuple(ms), tuple(vs)
        _unpack(new_params, layer, *[p - learning_rate * ((m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
                                                      + decay * p)
                                 for m, v, (p, _) in zip(ms, vs, pairs, strict=True)])
    return new_params, new_state


def adam_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_family(parameters, grads, state, learning_rate, beta1, beta2, eps, 0.0)


def adamw_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return _adam_family(parameters, grads, state, learning_rate, beta1, beta2, eps, weight_decay)


# ---- regularization

def l2_penalty(parameters, lambd):
    return np.float64(lambd / 2 * sum(np.sum(np.square(v)) for k, v in parameters.items() if k[0] == "W"))


def l2_gradient(parameters, lambd):
    return {"d" + k: lambd * v for k, v in parameters.items() if k[0] == "W"}


def l1_penalty(parameters, lambd):
    return np.float64(lambd * sum(np.sum(np.abs(v)) for k, v in parameters.items() if k[0] == "W"))


def l1_gradient(parameters, lambd):
    return {"d" + k: lambd * np.sign(v) for k, v in parameters.items() if k[0] == "W"}


def dropout_forward(A, p, rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng should be a np.random.Generator, but a {type(rng).__name__} was passed")
    if p < 0 or p >= 1:
        raise ValueError(f"p, the probability of dropping a unit, should be in [0, 1), but {p!r} was passed")
    A = _z(A)
    D = (rng.random(A.shape) < 1 - p).astype(A.dtype)
    return (A * D / (1 - p)).astype(A.dtype), D


def dropout_backward(dA_out, mask, p):
    dA_out = _to(dA_out, "dA_out", _float_kind(dA_out))
    return (dA_out * mask / (1 - p)).astype(dA_out.dtype)


# ---- normalization

def _norm_args(X, gamma, beta, *stats):
    kind = _float_kind(X, gamma, beta, *[s for s in stats if s is not None])
    X, gamma, beta = _to(X, "X", kind), _to(gamma, "gamma", kind), _to(beta, "beta", kind)
    if X.ndim != 2 or gamma.shape != (X.shape[0], 1) or beta.shape != (X.shape[0], 1):
        raise ValueError(f"X should be (n, m) and gamma, beta (n, 1), but they are {X.shape}, {gamma.shape} and "
                         f"{beta.shape}")
    return X, gamma, beta


def batchnorm_forward(X, gamma, beta, eps=1e-5, training=True, running_mean=None, running_var=None, momentum=0.1):
    X, gamma, beta = _norm_args(X, gamma, beta, running_mean, running_var)
    n, m = X.shape
    if running_mean is None:
        running_mean = np.zeros((n, 1), X.dtype)
    if running_var is None:
        running_var = np.ones((n, 1), X.dtype)
    if not training:
        std = np.sqrt(running_var + eps)
        X_norm = (X - running_mean) / std
        return gamma * X_norm + beta, (X_norm, gamma, std, False), running_mean, running_var
    if m < 2:
        raise ValueError(f"X should have at least 2 columns (samples) for batch norm in training, but has {m}")
    mu = np.mean(X, axis=1, keepdims=True)
    var = np.mean((X - mu) ** 2, axis=1, keepdims=True)
    std = np.sqrt(var + eps)
    X_norm = (X - mu) / std
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * (m / (m - 1)) * var
    return gamma * X_norm + beta, (X_norm, gamma, std, True), new_mean, new_var


def _dnorm(dY, X_norm, gamma, std, axis):
    N = X_norm.shape[axis]
    dX_norm = dY * gamma
    return (1 / N) / std * (N * dX_norm - np.sum(dX_norm, axis=axis, keepdims=True)
                            - X_norm * np.sum(dX_norm * X_norm, axis=axis, keepdims=True))


def batchnorm_backward(dY, cache):
    X_norm, gamma, std, training = cache
    dY = _to(dY, "dY", X_norm.dtype)
    dX = _dnorm(dY, X_norm, gamma, std, 1) if training else dY * gamma / std
    return dX, np.sum(dY * X_norm, axis=1, keepdims=True), np.sum(dY, axis=1, keepdims=True)


def layernorm_forward(X, gamma, beta, eps=1e-5):
    X, gamma, beta = _norm_args(X, gamma, beta)
    mu = np.mean(X, axis=0, keepdims=True)
    std = np.sqrt(np.mean((X - mu) ** 2, axis=0, keepdims=True) + eps)
    X_norm = (X - mu) / std
    return gamma * X_norm + beta, (X_norm, gamma, std)


def layernorm_backward(dY, cache):
    X_norm, gamma, std = cache
    dY = _to(dY, "dY", X_norm.dtype)
    return _dnorm(dY, X_norm, gamma, std, 0), np.sum(dY * X_norm, axis=1, keepdims=True), \
        np.sum(dY, axis=1, keepdims=True)


# ---- gradient check

def numerical_gradient(f, x, eps=1e-5):
    """Perturbs x in place, one entry at a time; a backup restores x even if f raises."""
    if not callable(f):
        raise TypeError(f"f should be callable, but a {type(f).__name__} was passed")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x should be a floating NumPy array, but a {type(x).__name__} was passed")
    backup = x.copy()
    grad = np.zeros(x.shape)
    try:
        for index in np.ndindex(x.shape):
            x[index] = backup[index] + eps
            plus = f(x)
            x[index] = backup[index] - eps
            minus = f(x)
            x[index] = backup[index]
            grad[index] = (plus - minus) / (2 * eps)
    finally:
        x[...] = backup
    return grad


def relative_error(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"a and b should have the same shape, but they are {a.shape} and {b.shape}")
    denominator = max(np.linalg.norm(a), np.linalg.norm(b))
    if denominator == 0:
        return 0
    return np.linalg.norm(a - b) / denominator
