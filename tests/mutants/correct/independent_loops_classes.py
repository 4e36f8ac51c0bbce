"""A correct submission written with explicit Python loops and small classes, from docs/contract.md alone.

Idioms: loops over layers, samples, features, parameters and elements instead of NumPy reductions where they
are cheap; caches and optimizer state as instances of small classes; float 0/1 keep-masks; numerical_gradient
perturbing x in place through x.flat with a float64 result; costs accumulated column by column.
"""

import math

import numpy as np

NNSPEC_CONTRACT = "1"

EPS_CLIP = 1e-15
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
GELU_CUBIC = 0.044715
SHUFFLE_SEED_OFFSET = 10_007  # train's shuffling stream: a seed of its own, apart from the initialisation's


class LayerCache:
    """What backward needs from one layer: its input, its weights and its pre-activation."""

    def __init__(self, A_prev, W, Z):
        self.A_prev, self.W, self.Z = A_prev, W, Z


class NormCache:
    def __init__(self, xhat, gamma, std, axis, batch_stats):
        self.xhat, self.gamma, self.std, self.axis, self.batch_stats = xhat, gamma, std, axis, batch_stats


class OptimizerState:
    """Per-parameter moment arrays and the step count."""

    def __init__(self, parameters, names):
        self.step = 0
        self.moments = {name: {k: np.zeros_like(p) for k, p in parameters.items()} for name in names}


def _precision(*arrays):
    result = None
    for a in arrays:
        kind = np.asarray(a).dtype
        if kind.kind == "f":
            result = np.float32 if kind == np.float32 and result in (None, np.float32) else np.float64
    return result or np.float64


def _arr(value, name, dtype=None):
    if isinstance(value, (str, dict, set)) or value is None:
        raise TypeError(f"argument {name}: got {type(value).__name__}, expected a numeric NumPy array")
    return np.array(value, dtype=dtype or _precision(value))


# ------------------------------------------------------------------ activations

def sigmoid(z):
    z = _arr(z, "z")
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    ez = np.exp(z[~positive])
    out[~positive] = ez / (1 + ez)
    return out


def sigmoid_derivative(z):
    z = _arr(z, "z")
    e = np.exp(-np.abs(z))
    return e / (1 + e) ** 2


def tanh(z):
    return np.tanh(_arr(z, "z"))


def tanh_derivative(z):
    t = np.tanh(_arr(z, "z"))
    return 1 - t * t


def relu(z):
    return _arr(z, "z").clip(min=0)


def relu_derivative(z):
    z = _arr(z, "z")
    return (z > 0) * z.dtype.type(1)


def leaky_relu(z, alpha=0.01):
    z = _arr(z, "z")
    return np.where(z > 0, z, alpha * z)


def leaky_relu_derivative(z, alpha=0.01):
    z = _arr(z, "z")
    d = np.full_like(z, alpha)
    d[z > 0] = 1
    return d


def _normal_cdf(z):
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return (0.5 * (1 + erf(z / math.sqrt(2)))).astype(z.dtype)


def gelu(z, approximate=False):
    z = _arr(z, "z")
    if approximate:
        return 0.5 * z * (1 + np.tanh(SQRT_2_OVER_PI * (z + GELU_CUBIC * z * z * z)))
    return z * _normal_cdf(z)


def gelu_derivative(z, approximate=False):
    z = _arr(z, "z")
    if approximate:
        t = np.tanh(SQRT_2_OVER_PI * (z + GELU_CUBIC * z * z * z))
        return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * z * z)
    density = np.exp(-(z.astype(np.float64) ** 2) / 2) / math.sqrt(2 * math.pi)
    return _normal_cdf(z) + (z * density).astype(z.dtype)


def softmax(z, axis=0):
    z = _arr(z, "z")
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


# ------------------------------------------------------------------ losses

def _inputs(AL, Y):
    dtype = _precision(AL, Y)
    AL, Y = _arr(AL, "AL", dtype), _arr(Y, "Y", dtype)
    if AL.shape != Y.shape:
        raise ValueError(f"argument Y: got shape {Y.shape}, expected the shape of AL {AL.shape}")
    return AL, Y


def _columns(AL, Y):
    AL, Y = _inputs(AL, Y)
    if AL.ndim != 2:
        raise ValueError(f"argument AL: got {AL.ndim}-D shape {AL.shape}, expected a 2-D (K, m) array")
    return AL, Y


def mse(AL, Y):
    AL, Y = _inputs(AL, Y)
    total = 0.0
    for a, y in zip(AL.ravel(), Y.ravel(), strict=True):
        total += (float(a) - float(y)) ** 2
    return total / AL.size


def mse_gradient(AL, Y):
    AL, Y = _inputs(AL, Y)
    return 2 * (AL - Y) / AL.size


def binary_cross_entropy(AL, Y):
    AL, Y = _inputs(AL, Y)
    total = 0.0
    for a, y in zip(np.clip(AL, EPS_CLIP, 1 - EPS_CLIP).ravel(), Y.ravel(), strict=True):
        total -= float(y) * math.log(a) + (1 - float(y)) * math.log(1 - a)
    return total / AL.size


def binary_cross_entropy_gradient(AL, Y):
    AL, Y = _inputs(AL, Y)
    A = np.clip(AL, EPS_CLIP, 1 - EPS_CLIP)
    return (-Y / A + (1 - Y) / (1 - A)) / AL.size


def categorical_cross_entropy(AL, Y):
    AL, Y = _columns(AL, Y)
    total = 0.0
    for j in range(AL.shape[1]):
        total -= float(np.dot(Y[:, j], np.log(np.maximum(AL[:, j], EPS_CLIP))))
    return total / AL.shape[1]


def categorical_cross_entropy_gradient(AL, Y):
    AL, Y = _columns(AL, Y)
    return -Y / np.maximum(AL, EPS_CLIP) / AL.shape[1]


def compute_cost(AL, Y, loss="binary_cross_entropy"):
    if loss == "binary_cross_entropy":
        return binary_cross_entropy(AL, Y)
    if loss == "categorical_cross_entropy":
        return categorical_cross_entropy(AL, Y)
    if loss == "mse":
        return mse(AL, Y)
    raise ValueError(f"argument loss: got {loss!r}, expected 'binary_cross_entropy', "
                     f"'categorical_cross_entropy' or 'mse'")


# ------------------------------------------------------------------ perceptron

def _check_vectors(w, x):
    if np.ndim(w) != 1 or np.shape(x) != np.shape(w):
        raise ValueError(f"arguments w, x: got shapes {np.shape(w)} and {np.shape(x)}, expected two (n,) vectors")


def perceptron_predict(w, b, x):
    _check_vectors(w, x)
    score = float(b)
    for wi, xi in zip(w, x, strict=True):
        score += float(wi) * float(xi)
    return 1 if score > 0 else 0


def perceptron_update(w, b, x, y, learning_rate):
    _check_vectors(w, x)
    dtype = _precision(w, x)
    error = y - perceptron_predict(w, b, x)
    new_w = np.array([wi + learning_rate * error * xi for wi, xi in zip(w, x, strict=True)], dtype=dtype)
    return new_w, float(b + learning_rate * error)


def perceptron_train(X, y, learning_rate=0.01, epochs=100):
    X = _arr(X, "X")
    if X.ndim != 2 or len(y) != X.shape[1]:
        raise ValueError(f"arguments X, y: got shapes {X.shape} and {np.shape(y)}, expected (n, m) and (m,)")
    w, b = np.zeros(X.shape[0], dtype=X.dtype), 0.0
    for _ in range(epochs):
        for j in range(X.shape[1]):
            w, b = perceptron_update(w, b, X[:, j], y[j], learning_rate)
    return w, b


# ------------------------------------------------------------------ layers

def linear_forward(A_prev, W, b):
    dtype = _precision(A_prev, W, b)
    A_prev, W, b = _arr(A_prev, "A_prev", dtype), _arr(W, "W", dtype), _arr(b, "b", dtype)
    if A_prev.ndim != 2 or W.ndim != 2 or W.shape[1] != A_prev.shape[0]:
        raise ValueError(f"arguments W, A_prev: got {W.shape} and {A_prev.shape}, expected (n_l, n) and (n, m)")
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"argument b: got shape {b.shape}, expected ({W.shape[0]}, 1)")
    return np.dot(W, A_prev) + b


def linear_backward(dZ, A_prev, W):
    dtype = _precision(dZ, A_prev, W)
    dZ, A_prev, W = _arr(dZ, "dZ", dtype), _arr(A_prev, "A_prev", dtype), _arr(W, "W", dtype)
    if dZ.ndim != 2 or A_prev.ndim != 2 or W.shape != (dZ.shape[0], A_prev.shape[0]) \
            or dZ.shape[1] != A_prev.shape[1]:
        raise ValueError(f"arguments dZ, A_prev, W: got {dZ.shape}, {A_prev.shape}, {W.shape}, "
                         f"expected (n_l, m), (n, m), (n_l, n)")
    m = A_prev.shape[1]
    db = np.zeros((dZ.shape[0], 1), dtype=dtype)
    for j in range(m):
        db[:, 0] += dZ[:, j]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, db / m


# ------------------------------------------------------------------ network

def _activation(name, derivative=False):
    table = {"relu": (relu, relu_derivative), "leaky_relu": (leaky_relu, leaky_relu_derivative),
             "sigmoid": (sigmoid, sigmoid_derivative), "tanh": (tanh, tanh_derivative),
             "gelu": (gelu, gelu_derivative), "softmax": (softmax, None), "linear": (np.array, None)}
    if name not in table:
        raise ValueError(f"activation: got {name!r}, expected one of {sorted(table)}")
    return table[name][1 if derivative else 0]


def initialize_parameters(layer_dims, method="he", seed=0):
    if method not in ("he", "xavier", "lecun", "zeros"):
        raise ValueError(f"argument method: got {method!r}, expected 'he', 'xavier', 'lecun' or 'zeros'")
    if len(layer_dims) < 2 or min(layer_dims) < 1:
        raise ValueError(f"argument layer_dims: got {layer_dims!r}, expected two or more positive sizes")
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):  # noqa: E741 (the documents' layer index)
        n_in, n_out = layer_dims[l - 1], layer_dims[l]
        variance = {"he": 2 / n_in, "xavier": 2 / (n_in + n_out), "lecun": 1 / n_in, "zeros": 0.0}[method]
        parameters["W" + str(l)] = math.sqrt(variance) * rng.standard_normal((n_out, n_in))
        parameters["b" + str(l)] = np.zeros((n_out, 1))
    return parameters


def _n_layers(parameters):
    if not isinstance(parameters, dict):
        raise TypeError(f"argument parameters: got {type(parameters).__name__}, expected a dict")
    n = len(parameters) // 2
    for l in range(1, n + 1):  # noqa: E741
        if "W" + str(l) not in parameters or "b" + str(l) not in parameters or len(parameters) % 2:
            raise ValueError(f"argument parameters: got keys {sorted(parameters)}, expected W1, b1, ..., WL, bL")
    if n == 0:
        raise ValueError(f"argument parameters: got keys {sorted(parameters)}, expected W1, b1, ..., WL, bL")
    return n


def forward(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    hidden, output = _activation(hidden_activation), _activation(output_activation)
    if output_activation not in ("sigmoid", "softmax", "linear"):
        raise ValueError(f"argument output_activation: got {output_activation!r}, expected sigmoid/softmax/linear")
    L = _n_layers(parameters)
    A, caches = _arr(X, "X"), []
    for l in range(1, L + 1):  # noqa: E741
        Z = linear_forward(A, parameters["W" + str(l)], parameters["b" + str(l)])
        caches.append(LayerCache(A, parameters["W" + str(l)], Z))
        A = (hidden if l < L else output)(Z)
    return A, caches


def _last_dZ(AL, Y, Z, output_activation, loss):
    """m times d(cost)/dZ of the output layer (the per-sample convention of linear_backward)."""
    m = AL.shape[1]
    gradient = {"binary_cross_entropy": binary_cross_entropy_gradient, "mse": mse_gradient,
                "categorical_cross_entropy": categorical_cross_entropy_gradient}
    if loss not in gradient:
        raise ValueError(f"argument loss: got {loss!r}, expected one of {sorted(gradient)}")
    dA = gradient[loss](AL, Y) * m
    if output_activation == "sigmoid":
        return dA * sigmoid_derivative(Z)
    if output_activation == "softmax":
        dZ = np.empty_like(dA)
        for j in range(m):
            s = AL[:, j]
            dZ[:, j] = s * (dA[:, j] - np.dot(s, dA[:, j]))
        return dZ
    if output_activation == "linear":
        return dA
    raise ValueError(f"argument output_activation: got {output_activation!r}, expected sigmoid/softmax/linear")


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="binary_cross_entropy"):
    derivative = _activation(hidden_activation, derivative=True)
    AL, Y = _inputs(AL, Y)
    dZ = _last_dZ(AL, Y, caches[-1].Z, output_activation, loss)
    grads = {}
    for l in range(len(caches), 0, -1):  # noqa: E741
        cache = caches[l - 1]
        dA_prev, grads["dW" + str(l)], grads["db" + str(l)] = linear_backward(dZ, cache.A_prev, cache.W)
        if l > 1:
            dZ = dA_prev * derivative(caches[l - 2].Z)
    return grads


def update_parameters(parameters, grads, learning_rate):
    _n_layers(parameters)
    updated = {}
    for key in parameters:
        updated[key] = parameters[key] - learning_rate * grads["d" + key]
    return updated


def predict(X, parameters, hidden_activation="relu", output_activation="softmax"):
    AL, _ = forward(X, parameters, hidden_activation, output_activation)
    labels = np.zeros(AL.shape[1], dtype=int)
    for j in range(AL.shape[1]):
        labels[j] = int(AL[0, j] > 0.5) if AL.shape[0] == 1 else int(np.argmax(AL[:, j]))
    return labels


def train(X, Y, layer_dims, learning_rate=0.1, epochs=10, batch_size=64, hidden_activation="relu",
          output_activation="softmax", loss="categorical_cross_entropy", seed=0):
    dtype = _precision(X, Y)
    X, Y = _arr(X, "X", dtype), _arr(Y, "Y", dtype)
    for name, value in (("X", X), ("Y", Y)):
        if not np.isfinite(value).all():
            raise ValueError(f"argument {name}: got NaN or infinite entries, expected finite values")
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"arguments X, Y: got {X.shape} and {Y.shape}, expected (n, m) and (K, m)")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"argument batch_size: got {batch_size!r}, expected a positive int or None")
    parameters = {}
    for key, value in initialize_parameters(layer_dims, "he", seed).items():
        parameters[key] = value.astype(dtype)
    shuffle_rng = np.random.default_rng(seed + SHUFFLE_SEED_OFFSET)
    m = X.shape[1]
    step = m if batch_size is None else batch_size
    costs = []
    for _ in range(epochs):
        order = shuffle_rng.permutation(m)
        batch_costs = []
        for start in range(0, m, step):
            idx = order[start:start + step]
            AL, caches = forward(X[:, idx], parameters, hidden_activation, output_activation)
            batch_costs.append(compute_cost(AL, Y[:, idx], loss))
            grads = backward(AL, Y[:, idx], caches, hidden_activation, output_activation, loss)
            parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(sum(batch_costs) / len(batch_costs))
    return parameters, costs


# ------------------------------------------------------------------ optimizers

def _next_state(state, parameters, names):
    previous = state if state is not None else OptimizerState(parameters, names)
    new = OptimizerState(parameters, names)
    new.step = previous.step + 1
    return previous, new


def sgd_momentum_update(parameters, grads, state, learning_rate, beta=0.9):
    old, new = _next_state(state, parameters, ["v"])
    updated = {}
    for key in parameters:
        v = beta * old.moments["v"][key] + (1 - beta) * grads["d" + key]
        new.moments["v"][key] = v
        updated[key] = parameters[key] - learning_rate * v
    return updated, new


def rmsprop_update(parameters, grads, state, learning_rate, beta=0.9, eps=1e-8):
    old, new = _next_state(state, parameters, ["s"])
    updated = {}
    for key in parameters:
        g = grads["d" + key]
        s = beta * old.moments["s"][key] + (1 - beta) * g * g
        new.moments["s"][key] = s
        updated[key] = parameters[key] - learning_rate * g / (np.sqrt(s) + eps)
    return updated, new


def _adam_directions(parameters, grads, state, beta1, beta2, eps):
    old, new = _next_state(state, parameters, ["m", "v"])
    directions = {}
    for key in parameters:
        g = grads["d" + key]
        m = beta1 * old.moments["m"][key] + (1 - beta1) * g
        v = beta2 * old.moments["v"][key] + (1 - beta2) * g * g
        new.moments["m"][key], new.moments["v"][key] = m, v
        m_hat, v_hat = m / (1 - beta1 ** new.step), v / (1 - beta2 ** new.step)
        directions[key] = m_hat / (np.sqrt(v_hat) + eps)
    return directions, new


def adam_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    directions, new = _adam_directions(parameters, grads, state, beta1, beta2, eps)
    updated = {}
    for key in parameters:
        updated[key] = parameters[key] - learning_rate * directions[key]
    return updated, new


def adamw_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    directions, new = _adam_directions(parameters, grads, state, beta1, beta2, eps)
    updated = {}
    for key in parameters:
        updated[key] = parameters[key] - learning_rate * (directions[key] + weight_decay * parameters[key])
    return updated, new


# ------------------------------------------------------------------ regularization

def l2_penalty(parameters, lambd):
    total = 0.0
    for key in parameters:
        if key.startswith("W"):
            total += float(np.sum(parameters[key] ** 2))
    return lambd / 2 * total


def l2_gradient(parameters, lambd):
    grads = {}
    for key in parameters:
        if key.startswith("W"):
            grads["d" + key] = lambd * parameters[key]
    return grads


def l1_penalty(parameters, lambd):
    total = 0.0
    for key in parameters:
        if key.startswith("W"):
            total += float(np.sum(np.abs(parameters[key])))
    return lambd * total


def l1_gradient(parameters, lambd):
    grads = {}
    for key in parameters:
        if key.startswith("W"):
            grads["d" + key] = lambd * np.sign(parameters[key])
    return grads


def dropout_forward(A, p, rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"argument rng: got {type(rng).__name__}, expected a np.random.Generator")
    if not 0 <= p < 1:
        raise ValueError(f"argument p: got {p!r}, expected a drop probability in [0, 1)")
    A = _arr(A, "A")
    mask = (rng.uniform(size=A.shape) < 1 - p).astype(A.dtype)
    return A * mask / (1 - p), mask


def dropout_backward(dA_out, mask, p):
    dA_out = _arr(dA_out, "dA_out")
    return dA_out * np.asarray(mask, dtype=dA_out.dtype) / (1 - p)


# ------------------------------------------------------------------ normalization

def _norm_arrays(X, gamma, beta, *others):
    dtype = _precision(X, gamma, beta, *[o for o in others if o is not None])
    X = _arr(X, "X", dtype)
    if X.ndim != 2:
        raise ValueError(f"argument X: got shape {X.shape}, expected (n_features, m)")
    out = [X]
    for name, v in (("gamma", gamma), ("beta", beta)):
        v = _arr(v, name, dtype)
        if v.shape != (X.shape[0], 1):
            raise ValueError(f"argument {name}: got shape {v.shape}, expected ({X.shape[0]}, 1)")
        out.append(v)
    return out


def batchnorm_forward(X, gamma, beta, eps=1e-5, training=True, running_mean=None, running_var=None, momentum=0.1):
    X, gamma, beta = _norm_arrays(X, gamma, beta, running_mean, running_var)
    n, m = X.shape
    rm = np.zeros((n, 1), X.dtype) if running_mean is None else _arr(running_mean, "running_mean", X.dtype)
    rv = np.ones((n, 1), X.dtype) if running_var is None else _arr(running_var, "running_var", X.dtype)
    if training and m < 2:
        raise ValueError(f"argument X: got m = {m} sample(s), expected m >= 2 for batch statistics")
    mean, var = rm.copy(), rv.copy()
    if training:
        for i in range(n):
            mean[i, 0] = np.mean(X[i])
            var[i, 0] = np.mean((X[i] - mean[i, 0]) ** 2)
        rm = (1 - momentum) * rm + momentum * mean
        rv = (1 - momentum) * rv + momentum * var * m / (m - 1)
    std = np.sqrt(var + eps)
    xhat = (X - mean) / std
    return gamma * xhat + beta, NormCache(xhat, gamma, std, 1, training), rm, rv


def _backward_norm(dY, cache):
    dY = _arr(dY, "dY", cache.xhat.dtype)
    dxhat = dY * cache.gamma
    if not cache.batch_stats:
        dX = dxhat / cache.std
    else:
        k = dY.shape[cache.axis]
        sum_d = dxhat.sum(axis=cache.axis, keepdims=True)
        sum_dx = (dxhat * cache.xhat).sum(axis=cache.axis, keepdims=True)
        dX = (k * dxhat - sum_d - cache.xhat * sum_dx) / (k * cache.std)
    return dX, (dY * cache.xhat).sum(axis=1, keepdims=True), dY.sum(axis=1, keepdims=True)


def batchnorm_backward(dY, cache):
    return _backward_norm(dY, cache)


def layernorm_forward(X, gamma, beta, eps=1e-5):
    X, gamma, beta = _norm_arrays(X, gamma, beta)
    xhat = np.empty_like(X)
    std = np.empty((1, X.shape[1]), X.dtype)
    for j in range(X.shape[1]):
        column = X[:, j]
        std[0, j] = np.sqrt(np.mean((column - column.mean()) ** 2) + eps)
        xhat[:, j] = (column - column.mean()) / std[0, j]
    return gamma * xhat + beta, NormCache(xhat, gamma, std, 0, True)


def layernorm_backward(dY, cache):
    return _backward_norm(dY, cache)


# ------------------------------------------------------------------ gradient check

def numerical_gradient(f, x, eps=1e-5):
    """Perturb one entry of x at a time through x.flat, restore it, return a float64 gradient."""
    if not callable(f):
        raise TypeError(f"argument f: got {type(f).__name__}, expected a callable")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"argument x: got {type(x).__name__}, expected a floating NumPy array")
    grad = np.zeros(x.shape)
    for i in range(x.size):
        original = x.flat[i]
        x.flat[i] = original + eps
        f_plus = float(f(x))
        x.flat[i] = original - eps
        f_minus = float(f(x))
        x.flat[i] = original
        grad.flat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"argument b: got shape {b.shape}, expected the shape of a {a.shape}")
    norm_a, norm_b = math.sqrt(float(np.sum(a * a))), math.sqrt(float(np.sum(b * b)))
    if norm_a == 0 and norm_b == 0:
        return 0.0
    return math.sqrt(float(np.sum((a - b) ** 2))) / max(norm_a, norm_b)
