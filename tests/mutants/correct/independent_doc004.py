"""A correct submission in the style of documents 000/001/004, written from docs/contract.md alone.

Idioms: caches as a list of (A_prev, W, b, Z) tuples (document 000's), optimizer state as a dict of dicts,
numerical_gradient perturbing x in place over np.nditer with np.zeros_like and restoring it (document 004's),
boolean dropout keep-masks, np.exp-based stable sigmoid and softmax, a Python int from perceptron_predict.
"""

import numpy as np

NNSPEC_CONTRACT = "1"

CLIP = 1e-15
HIDDEN = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu")
OUTPUTS = ("sigmoid", "softmax", "linear")
LOSSES = ("binary_cross_entropy", "categorical_cross_entropy", "mse")
GELU_C = np.sqrt(2.0 / np.pi)
GELU_K = 0.044715


# ---------------------------------------------------------------- helpers

def _float_type(*arrays):
    """float32 when every floating input is float32, float64 otherwise (integers never decide)."""
    kinds = [np.asarray(a).dtype for a in arrays if np.asarray(a).dtype.kind == "f"]
    if kinds and all(k == np.float32 for k in kinds):
        return np.float32
    return np.float64


def _array(x, name, dtype=None):
    if isinstance(x, (str, bytes, dict)) or x is None:
        raise TypeError(f"{name} must be a NumPy array, got {type(x).__name__}")
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a numeric array, got dtype {a.dtype}")
    return a.astype(dtype or _float_type(a), copy=True)


def _same_shape(AL, Y):
    if AL.shape != Y.shape:
        raise ValueError(f"AL and Y must have the same shape, got AL {AL.shape} and Y {Y.shape}")


def _choice(value, name, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


# ---------------------------------------------------------------- activations

def sigmoid(z):
    z = _array(z, "z")
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(_array(z, "z"))


def tanh_derivative(z):
    return 1 - np.tanh(_array(z, "z")) ** 2


def relu(z):
    z = _array(z, "z")
    return np.maximum(z, 0).astype(z.dtype)


def relu_derivative(z):
    z = _array(z, "z")
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    z = _array(z, "z")
    return np.where(z > 0, z, alpha * z).astype(z.dtype)


def leaky_relu_derivative(z, alpha=0.01):
    z = _array(z, "z")
    return np.where(z > 0, 1, alpha).astype(z.dtype)


def _phi_cdf(z):
    from math import erf
    return 0.5 * (1 + np.vectorize(erf, otypes=[np.float64])(z / np.sqrt(2)))


def gelu(z, approximate=False):
    z = _array(z, "z")
    if approximate:
        return (0.5 * z * (1 + np.tanh(GELU_C * (z + GELU_K * z ** 3)))).astype(z.dtype)
    return (z * _phi_cdf(z)).astype(z.dtype)


def gelu_derivative(z, approximate=False):
    z = _array(z, "z")
    if approximate:
        t = np.tanh(GELU_C * (z + GELU_K * z ** 3))
        return (0.5 * (1 + t) + 0.5 * z * (1 - t ** 2) * GELU_C * (1 + 3 * GELU_K * z ** 2)).astype(z.dtype)
    pdf = np.exp(-0.5 * z.astype(np.float64) ** 2) / np.sqrt(2 * np.pi)
    return (_phi_cdf(z) + z * pdf).astype(z.dtype)


def softmax(z, axis=0):
    z = _array(z, "z")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


# ---------------------------------------------------------------- losses

def _pair(AL, Y):
    dtype = _float_type(AL, Y)
    AL, Y = _array(AL, "AL", dtype), _array(Y, "Y", dtype)
    _same_shape(AL, Y)
    return AL, Y


def _pair_2d(AL, Y):
    AL, Y = _pair(AL, Y)
    if AL.ndim != 2:
        raise ValueError(f"AL and Y must be 2-D (K, m), got shape {AL.shape}")
    return AL, Y


def mse(AL, Y):
    AL, Y = _pair(AL, Y)
    return float(np.mean((AL - Y) ** 2))


def mse_gradient(AL, Y):
    AL, Y = _pair(AL, Y)
    return 2 * (AL - Y) / AL.size


def binary_cross_entropy(AL, Y):
    AL, Y = _pair(AL, Y)
    A = np.clip(AL, CLIP, 1 - CLIP)
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


def binary_cross_entropy_gradient(AL, Y):
    AL, Y = _pair(AL, Y)
    A = np.clip(AL, CLIP, 1 - CLIP)
    return (-(Y / A) + (1 - Y) / (1 - A)) / AL.size


def categorical_cross_entropy(AL, Y):
    AL, Y = _pair_2d(AL, Y)
    return float(-np.sum(Y * np.log(np.maximum(AL, CLIP))) / AL.shape[1])


def categorical_cross_entropy_gradient(AL, Y):
    AL, Y = _pair_2d(AL, Y)
    return -Y / np.maximum(AL, CLIP) / AL.shape[1]


COSTS = {"binary_cross_entropy": binary_cross_entropy, "categorical_cross_entropy": categorical_cross_entropy,
         "mse": mse}
COST_GRADIENTS = {"binary_cross_entropy": binary_cross_entropy_gradient,
                  "categorical_cross_entropy": categorical_cross_entropy_gradient, "mse": mse_gradient}


def compute_cost(AL, Y, loss="binary_cross_entropy"):
    _choice(loss, "loss", LOSSES)
    return COSTS[loss](AL, Y)


# ---------------------------------------------------------------- perceptron

def _vectors(w, x):
    w, x = _array(w, "w", _float_type(w, x)), _array(x, "x", _float_type(w, x))
    if w.ndim != 1 or w.shape != x.shape:
        raise ValueError(f"w and x must be vectors of the same length (n,), got w {w.shape} and x {x.shape}")
    return w, x


def perceptron_predict(w, b, x):
    w, x = _vectors(w, x)
    return 1 if np.dot(w, x) + b > 0 else 0


def perceptron_update(w, b, x, y, learning_rate):
    w, x = _vectors(w, x)
    error = y - perceptron_predict(w, b, x)
    return w + learning_rate * error * x, float(b + learning_rate * error)


def perceptron_train(X, y, learning_rate=0.01, epochs=100):
    X = _array(X, "X")
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[1],):
        raise ValueError(f"X must be (n, m) and y (m,), got X {X.shape} and y {y.shape}")
    w, b = np.zeros(X.shape[0], dtype=X.dtype), 0.0
    for _ in range(epochs):
        for i in range(X.shape[1]):
            w, b = perceptron_update(w, b, X[:, i], y[i], learning_rate)
    return w, b


# ---------------------------------------------------------------- layers

def linear_forward(A_prev, W, b):
    dtype = _float_type(A_prev, W, b)
    A_prev, W, b = _array(A_prev, "A_prev", dtype), _array(W, "W", dtype), _array(b, "b", dtype)
    if A_prev.ndim != 2 or W.ndim != 2 or W.shape[1] != A_prev.shape[0]:
        raise ValueError(f"W (n_l, n_prev) and A_prev (n_prev, m) do not fit: W {W.shape}, A_prev {A_prev.shape}")
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"b must have shape {(W.shape[0], 1)}, got {b.shape}")
    return W @ A_prev + b


def linear_backward(dZ, A_prev, W):
    dtype = _float_type(dZ, A_prev, W)
    dZ, A_prev, W = _array(dZ, "dZ", dtype), _array(A_prev, "A_prev", dtype), _array(W, "W", dtype)
    if dZ.ndim != 2 or A_prev.ndim != 2 or W.shape != (dZ.shape[0], A_prev.shape[0]) \
            or dZ.shape[1] != A_prev.shape[1]:
        raise ValueError(f"dZ (n_l, m), A_prev (n_prev, m) and W (n_l, n_prev) do not fit: "
                         f"dZ {dZ.shape}, A_prev {A_prev.shape}, W {W.shape}")
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m


# ---------------------------------------------------------------- network

VARIANCE = {"he": lambda n_in, n_out: 2 / n_in, "xavier": lambda n_in, n_out: 2 / (n_in + n_out),
            "lecun": lambda n_in, n_out: 1 / n_in, "zeros": lambda n_in, n_out: 0.0}


def initialize_parameters(layer_dims, method="he", seed=0):
    _choice(method, "method", tuple(VARIANCE))
    dims = list(layer_dims)
    if len(dims) < 2 or any(int(d) != d or d < 1 for d in dims):
        raise ValueError(f"layer_dims must be at least two positive integers, got {layer_dims!r}")
    rng = np.random.default_rng(seed)
    parameters = {}
    for i in range(1, len(dims)):
        std = np.sqrt(VARIANCE[method](dims[i - 1], dims[i]))
        parameters[f"W{i}"] = rng.standard_normal((dims[i], dims[i - 1])) * std
        parameters[f"b{i}"] = np.zeros((dims[i], 1))
    return parameters


ACTIVATE = {"relu": relu, "leaky_relu": leaky_relu, "sigmoid": sigmoid, "tanh": tanh, "gelu": gelu,
            "softmax": softmax, "linear": lambda z: z}
DERIVATIVE = {"relu": relu_derivative, "leaky_relu": leaky_relu_derivative, "sigmoid": sigmoid_derivative,
              "tanh": tanh_derivative, "gelu": gelu_derivative}


def _layers(parameters):
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict of W1, b1, ..., got {type(parameters).__name__}")
    L = len(parameters) // 2
    expected = {f"{kind}{i}" for i in range(1, L + 1) for kind in "Wb"}
    if set(parameters) != expected:
        raise ValueError(f"parameters must hold W1, b1, ..., WL, bL for L layers, got keys {sorted(parameters)}")
    return L


def forward(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    _choice(hidden_activation, "hidden_activation", HIDDEN)
    _choice(output_activation, "output_activation", OUTPUTS)
    L = _layers(parameters)
    caches = []
    A = _array(X, "X", _float_type(X, *parameters.values()))
    for i in range(1, L + 1):
        W, b = parameters[f"W{i}"], parameters[f"b{i}"]
        Z = linear_forward(A, W, b)
        caches.append((A, W, b, Z))
        A = ACTIVATE[hidden_activation if i < L else output_activation](Z)
    return A, caches


def _output_dZ(AL, Y, Z, output_activation, loss):
    """The per-sample gradient m d(cost)/dZ of the output layer."""
    m = AL.shape[1]
    if output_activation == "softmax" and loss == "categorical_cross_entropy":
        return AL - Y
    if output_activation == "sigmoid" and loss == "binary_cross_entropy":
        return (AL - Y) / AL.shape[0]
    dA = COST_GRADIENTS[loss](AL, Y) * m
    if output_activation == "sigmoid":
        return dA * sigmoid_derivative(Z)
    if output_activation == "softmax":
        return AL * (dA - np.sum(dA * AL, axis=0, keepdims=True))
    return dA


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="binary_cross_entropy"):
    _choice(hidden_activation, "hidden_activation", HIDDEN)
    _choice(output_activation, "output_activation", OUTPUTS)
    _choice(loss, "loss", LOSSES)
    AL, Y = _pair(AL, Y)
    L = len(caches)
    dZ = _output_dZ(AL, Y, caches[L - 1][3], output_activation, loss)
    grads = {}
    for i in reversed(range(1, L + 1)):
        A_prev, W, _, _ = caches[i - 1]
        dA, grads[f"dW{i}"], grads[f"db{i}"] = linear_backward(dZ, A_prev, W)
        if i > 1:
            dZ = dA * DERIVATIVE[hidden_activation](caches[i - 2][3])
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = _layers(parameters)
    new = {}
    for i in range(1, L + 1):
        new[f"W{i}"] = parameters[f"W{i}"] - learning_rate * grads[f"dW{i}"]
        new[f"b{i}"] = parameters[f"b{i}"] - learning_rate * grads[f"db{i}"]
    return new


def predict(X, parameters, hidden_activation="relu", output_activation="softmax"):
    AL, _ = forward(X, parameters, hidden_activation, output_activation)
    if AL.shape[0] == 1:
        return (AL[0] > 0.5).astype(int)
    return np.argmax(AL, axis=0)


def train(X, Y, layer_dims, learning_rate=0.1, epochs=10, batch_size=64, hidden_activation="relu",
          output_activation="softmax", loss="categorical_cross_entropy", seed=0):
    dtype = _float_type(X, Y)
    X, Y = _array(X, "X", dtype), _array(Y, "Y", dtype)
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise ValueError("X and Y must be finite, got NaN or infinity")
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X (n, m) and Y (K, m) must have the same m, got X {X.shape} and Y {Y.shape}")
    if batch_size is not None and (int(batch_size) != batch_size or batch_size < 1):
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    parameters = {k: v.astype(dtype) for k, v in initialize_parameters(layer_dims, "he", seed).items()}
    shuffler = np.random.default_rng([seed, 1])
    m = X.shape[1]
    size = m if batch_size is None else batch_size
    costs = []
    for _ in range(epochs):
        order = shuffler.permutation(m)
        batch_costs = []
        for start in range(0, m, size):
            cols = order[start:start + size]
            AL, caches = forward(X[:, cols], parameters, hidden_activation, output_activation)
            batch_costs.append(compute_cost(AL, Y[:, cols], loss))
            grads = backward(AL, Y[:, cols], caches, hidden_activation, output_activation, loss)
            parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(float(np.mean(batch_costs)))
    return parameters, costs


# ---------------------------------------------------------------- optimizers

def _moments(parameters, state, names):
    if state is None:
        return {name: {k: np.zeros_like(v) for k, v in parameters.items()} for name in names}
    return state


def sgd_momentum_update(parameters, grads, state, learning_rate, beta=0.9):
    state = _moments(parameters, state, ["v"])
    v = {k: beta * state["v"][k] + (1 - beta) * grads["d" + k] for k in parameters}
    return {k: parameters[k] - learning_rate * v[k] for k in parameters}, {"v": v}


def rmsprop_update(parameters, grads, state, learning_rate, beta=0.9, eps=1e-8):
    state = _moments(parameters, state, ["s"])
    s = {k: beta * state["s"][k] + (1 - beta) * grads["d" + k] ** 2 for k in parameters}
    new = {k: parameters[k] - learning_rate * grads["d" + k] / (np.sqrt(s[k]) + eps) for k in parameters}
    return new, {"s": s}


def _adam_step(parameters, grads, state, beta1, beta2, eps):
    state = _moments(parameters, state, ["m", "v"])
    t = state.get("t", 0) + 1
    m = {k: beta1 * state["m"][k] + (1 - beta1) * grads["d" + k] for k in parameters}
    v = {k: beta2 * state["v"][k] + (1 - beta2) * grads["d" + k] ** 2 for k in parameters}
    step = {k: (m[k] / (1 - beta1 ** t)) / (np.sqrt(v[k] / (1 - beta2 ** t)) + eps) for k in parameters}
    return step, {"m": m, "v": v, "t": t}


def adam_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    step, state = _adam_step(parameters, grads, state, beta1, beta2, eps)
    return {k: parameters[k] - learning_rate * step[k] for k in parameters}, state


def adamw_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    step, state = _adam_step(parameters, grads, state, beta1, beta2, eps)
    return {k: parameters[k] - learning_rate * (step[k] + weight_decay * parameters[k]) for k in parameters}, state


# ---------------------------------------------------------------- regularization

def _weights(parameters):
    return {k: v for k, v in parameters.items() if k.startswith("W")}


def l2_penalty(parameters, lambd):
    return float(lambd / 2 * sum(np.sum(W ** 2) for W in _weights(parameters).values()))


def l2_gradient(parameters, lambd):
    return {"d" + k: lambd * W for k, W in _weights(parameters).items()}


def l1_penalty(parameters, lambd):
    return float(lambd * sum(np.sum(np.abs(W)) for W in _weights(parameters).values()))


def l1_gradient(parameters, lambd):
    return {"d" + k: lambd * np.sign(W) for k, W in _weights(parameters).items()}


def dropout_forward(A, p, rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator, got {type(rng).__name__}")
    if not 0 <= p < 1:
        raise ValueError(f"p (the probability of dropping) must be in [0, 1), got {p}")
    A = _array(A, "A")
    mask = rng.random(A.shape) >= p
    return A * mask / A.dtype.type(1 - p), mask


def dropout_backward(dA_out, mask, p):
    dA_out = _array(dA_out, "dA_out")
    return dA_out * mask / dA_out.dtype.type(1 - p)


# ---------------------------------------------------------------- normalization

def _norm_inputs(X, gamma, beta, *running):
    dtype = _float_type(X, gamma, beta, *[r for r in running if r is not None])
    X, gamma, beta = _array(X, "X", dtype), _array(gamma, "gamma", dtype), _array(beta, "beta", dtype)
    if X.ndim != 2 or gamma.shape != (X.shape[0], 1) or beta.shape != (X.shape[0], 1):
        raise ValueError(f"X must be (n, m) and gamma, beta (n, 1), got X {X.shape}, gamma {gamma.shape}, "
                         f"beta {beta.shape}")
    return X, gamma, beta


def batchnorm_forward(X, gamma, beta, eps=1e-5, training=True, running_mean=None, running_var=None, momentum=0.1):
    X, gamma, beta = _norm_inputs(X, gamma, beta, running_mean, running_var)
    n, m = X.shape
    rm = np.zeros((n, 1), X.dtype) if running_mean is None else _array(running_mean, "running_mean", X.dtype)
    rv = np.ones((n, 1), X.dtype) if running_var is None else _array(running_var, "running_var", X.dtype)
    if rm.shape != (n, 1) or rv.shape != (n, 1):
        raise ValueError(f"running_mean and running_var must be {(n, 1)}, got {rm.shape} and {rv.shape}")
    if not training:
        xhat = (X - rm) / np.sqrt(rv + eps)
        return gamma * xhat + beta, (xhat, gamma, np.sqrt(rv + eps), False), rm, rv
    if m < 2:
        raise ValueError(f"batch norm in training needs at least 2 samples (columns of X), got m = {m}")
    mu = np.mean(X, axis=1, keepdims=True)
    var = np.var(X, axis=1, keepdims=True)
    std = np.sqrt(var + eps)
    xhat = (X - mu) / std
    rm = (1 - momentum) * rm + momentum * mu
    rv = (1 - momentum) * rv + momentum * var * m / (m - 1)
    return gamma * xhat + beta, (xhat, gamma, std, True), rm, rv


def _normalised_backward(dY, xhat, gamma, std, axis):
    dxhat = dY * gamma
    k = xhat.shape[axis]
    return (k * dxhat - np.sum(dxhat, axis=axis, keepdims=True)
            - xhat * np.sum(dxhat * xhat, axis=axis, keepdims=True)) / (k * std)


def batchnorm_backward(dY, cache):
    xhat, gamma, std, training = cache
    dY = _array(dY, "dY", xhat.dtype)
    dX = _normalised_backward(dY, xhat, gamma, std, 1) if training else dY * gamma / std
    return dX, np.sum(dY * xhat, axis=1, keepdims=True), np.sum(dY, axis=1, keepdims=True)


def layernorm_forward(X, gamma, beta, eps=1e-5):
    X, gamma, beta = _norm_inputs(X, gamma, beta)
    std = np.sqrt(np.var(X, axis=0, keepdims=True) + eps)
    xhat = (X - np.mean(X, axis=0, keepdims=True)) / std
    return gamma * xhat + beta, (xhat, gamma, std)


def layernorm_backward(dY, cache):
    xhat, gamma, std = cache
    dY = _array(dY, "dY", xhat.dtype)
    dX = _normalised_backward(dY, xhat, gamma, std, 0)
    return dX, np.sum(dY * xhat, axis=1, keepdims=True), np.sum(dY, axis=1, keepdims=True)


# ---------------------------------------------------------------- gradient check

def numerical_gradient(f, x, eps=1e-5):
    """Document 004's loop: perturb x[idx] in place, evaluate f(x), restore x[idx]."""
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x must be a floating NumPy array, got {type(x).__name__}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        old_val = x[idx]
        x[idx] = old_val + eps
        f_plus = f(x)
        x[idx] = old_val - eps
        f_minus = f(x)
        x[idx] = old_val
        grad[idx] = (f_plus - f_minus) / (2 * eps)
        it.iternext()
    return grad


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got a {a.shape} and b {b.shape}")
    denominator = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)
