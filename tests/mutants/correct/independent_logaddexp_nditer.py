"""A correct submission on log-space arithmetic and np.nditer, written from docs/contract.md alone.

Idioms: np.logaddexp for the sigmoid, its derivative, the softmax (np.logaddexp.reduce) and the binary cross-
entropy (written on the clipped probability's logit); np.piecewise and np.heaviside for the piecewise functions;
np.nditer walking x in numerical_gradient while f sees one working copy, perturbed and restored; the forward
caches as ONE flat dict {"A0", "W1", "Z1", ...}; optimizer state as a dict {"t": ..., name: (m, v)}; boolean
keep-masks; ddof=1 for batch norm's unbiased running variance.
"""

import math

import numpy as np

NNSPEC_CONTRACT = "1"

P_MIN = 1e-15
ROOT_2PI = math.sqrt(2 * math.pi)
TANH_GELU = (math.sqrt(2 / math.pi), 0.044715)
ACTIVATIONS_HIDDEN = frozenset({"relu", "leaky_relu", "sigmoid", "tanh", "gelu"})
ACTIVATIONS_OUTPUT = frozenset({"sigmoid", "softmax", "linear"})
LOSS_NAMES = frozenset({"binary_cross_entropy", "categorical_cross_entropy", "mse"})


def _ftype(*arrays):
    dtypes = [np.asarray(a).dtype for a in arrays]
    floats = [d for d in dtypes if np.issubdtype(d, np.floating)]
    return np.float32 if floats and set(floats) == {np.dtype(np.float32)} else np.float64


def _cast(a, name, dtype):
    if a is None or isinstance(a, (str, dict)):
        raise TypeError(f"{name}: received a {type(a).__name__}, expected a numeric array")
    return np.array(a, dtype=dtype)


def _real(z):
    return _cast(z, "z", _ftype(z))


def _member(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name}: received {value!r}, expected one of {sorted(allowed)}")


# activations -----------------------------------------------------------------------------------------------

def sigmoid(z):
    z = _real(z)
    return np.exp(-np.logaddexp(0, -z))


def sigmoid_derivative(z):
    z = _real(z)
    return np.exp(-np.logaddexp(0, -z) - np.logaddexp(0, z))


def tanh(z):
    return np.tanh(_real(z))


def tanh_derivative(z):
    return 1 - np.square(np.tanh(_real(z)))


def relu(z):
    z = _real(z)
    return np.piecewise(z, [z > 0], [lambda v: v, 0])


def relu_derivative(z):
    z = _real(z)
    return np.heaviside(z, 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    z = _real(z)
    return np.piecewise(z, [z > 0], [lambda v: v, lambda v: alpha * v])


def leaky_relu_derivative(z, alpha=0.01):
    z = _real(z)
    return np.piecewise(z, [z > 0], [1, alpha])


def _cdf(z):
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return ((1 + erf(z / math.sqrt(2))) / 2).astype(z.dtype)


def gelu(z, approximate=False):
    z = _real(z)
    if not approximate:
        return z * _cdf(z)
    c, k = TANH_GELU
    return z / 2 * (1 + np.tanh(c * (z + k * z ** 3)))


def gelu_derivative(z, approximate=False):
    z = _real(z)
    if not approximate:
        return _cdf(z) + z * np.exp(-np.square(z) / 2) / ROOT_2PI
    c, k = TANH_GELU
    th = np.tanh(c * (z + k * z ** 3))
    return (1 + th) / 2 + z / 2 * (1 - th ** 2) * c * (1 + 3 * k * z ** 2)


def softmax(z, axis=0):
    z = _real(z)
    return np.exp(z - np.logaddexp.reduce(z, axis=axis, keepdims=True))


# losses ------------------------------------------------------------------------------------------------------

def _targets(AL, Y, categorical=False):
    dtype = _ftype(AL, Y)
    AL, Y = _cast(AL, "AL", dtype), _cast(Y, "Y", dtype)
    if AL.shape != Y.shape:
        raise ValueError(f"Y: received shape {Y.shape}, expected AL's shape {AL.shape} (no broadcasting)")
    if categorical and AL.ndim != 2:
        raise ValueError(f"AL: received a {AL.ndim}-D array, expected (K, m) for the categorical loss")
    return AL, Y


def mse(AL, Y):
    AL, Y = _targets(AL, Y)
    return float(np.mean(np.square(AL - Y)))


def mse_gradient(AL, Y):
    AL, Y = _targets(AL, Y)
    return 2 / AL.size * (AL - Y)


def binary_cross_entropy(AL, Y):
    """-[Y log A + (1 - Y) log(1 - A)] = log(1 + e^t) - Y t with t = log A - log(1 - A), A clipped."""
    AL, Y = _targets(AL, Y)
    A = np.clip(AL, P_MIN, 1 - P_MIN)
    t = np.log(A) - np.log1p(-A)
    return float(np.mean(np.logaddexp(0, t) - Y * t))


def binary_cross_entropy_gradient(AL, Y):
    AL, Y = _targets(AL, Y)
    A = np.clip(AL, P_MIN, 1 - P_MIN)
    return (A - Y) / (A - A * A) / AL.size


def categorical_cross_entropy(AL, Y):
    AL, Y = _targets(AL, Y, categorical=True)
    return float(np.sum(-Y * np.log(np.fmax(AL, P_MIN))) / AL.shape[1])


def categorical_cross_entropy_gradient(AL, Y):
    AL, Y = _targets(AL, Y, categorical=True)
    return -Y / (np.fmax(AL, P_MIN) * AL.shape[1])


def compute_cost(AL, Y, loss="binary_cross_entropy"):
    _member("loss", loss, LOSS_NAMES)
    return globals()[loss](AL, Y)


def _loss_gradient(loss):
    _member("loss", loss, LOSS_NAMES)
    return globals()[loss + "_gradient"]


# perceptron --------------------------------------------------------------------------------------------------

def _pair(w, x):
    dtype = _ftype(w, x)
    w, x = _cast(w, "w", dtype), _cast(x, "x", dtype)
    if w.shape != x.shape or w.ndim != 1:
        raise ValueError(f"x: received shape {x.shape} for w of shape {w.shape}, expected two (n,) vectors")
    return w, x


def perceptron_predict(w, b, x):
    w, x = _pair(w, x)
    return int(np.heaviside(np.inner(w, x) + b, 0))


def perceptron_update(w, b, x, y, learning_rate):
    w, x = _pair(w, x)
    err = y - perceptron_predict(w, b, x)
    return w + learning_rate * err * x, float(b + learning_rate * err)


def perceptron_train(X, y, learning_rate=0.01, epochs=100):
    X = _cast(X, "X", _ftype(X))
    if X.ndim != 2 or np.shape(y) != X.shape[1:]:
        raise ValueError(f"X, y: received {X.shape} and {np.shape(y)}, expected (n, m) and (m,)")
    w, b = np.zeros_like(X[:, 0]), 0.0
    for _epoch in range(epochs):
        for j in range(X.shape[1]):
            w, b = perceptron_update(w, b, X[:, j], y[j], learning_rate)
    return w, b


# layers ------------------------------------------------------------------------------------------------------

def linear_forward(A_prev, W, b):
    dtype = _ftype(A_prev, W, b)
    A_prev, W, b = _cast(A_prev, "A_prev", dtype), _cast(W, "W", dtype), _cast(b, "b", dtype)
    if W.ndim != 2 or A_prev.ndim != 2 or A_prev.shape[0] != W.shape[1]:
        raise ValueError(f"A_prev: received {A_prev.shape}, expected ({W.shape[-1]}, m) for W of shape {W.shape}")
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"b: received shape {b.shape}, expected ({W.shape[0]}, 1)")
    return np.matmul(W, A_prev) + b


def linear_backward(dZ, A_prev, W):
    dtype = _ftype(dZ, A_prev, W)
    dZ, A_prev, W = _cast(dZ, "dZ", dtype), _cast(A_prev, "A_prev", dtype), _cast(W, "W", dtype)
    if dZ.ndim != 2 or A_prev.ndim != 2 or W.shape != (dZ.shape[0], A_prev.shape[0]) \
            or dZ.shape[1] != A_prev.shape[1]:
        raise ValueError(f"dZ, A_prev, W: received {dZ.shape}, {A_prev.shape}, {W.shape}, expected "
                         f"(n_l, m), (n_prev, m), (n_l, n_prev)")
    m = dZ.shape[1]
    return np.matmul(W.T, dZ), np.matmul(dZ, A_prev.T) / m, np.add.reduce(dZ, axis=1, keepdims=True) / m


# network -----------------------------------------------------------------------------------------------------

def initialize_parameters(layer_dims, method="he", seed=0):
    _member("method", method, {"he", "xavier", "lecun", "zeros"})
    if len(layer_dims) < 2 or any(n < 1 for n in layer_dims):
        raise ValueError(f"layer_dims: received {layer_dims!r}, expected [n_x, ..., n_L] of positive sizes")
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(1, len(layer_dims)):
        n_in, n_out = int(layer_dims[i - 1]), int(layer_dims[i])
        var = {"he": 2 / n_in, "xavier": 2 / (n_in + n_out), "lecun": 1 / n_in, "zeros": 0.0}[method]
        out[f"W{i}"] = rng.normal(0.0, 1.0, (n_out, n_in)) * math.sqrt(var)
        out[f"b{i}"] = np.zeros((n_out, 1))
    return out


def _num_layers(parameters):
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters: received {type(parameters).__name__}, expected a dict")
    L = len(parameters) // 2
    names = {f"W{i}" for i in range(1, L + 1)} | {f"b{i}" for i in range(1, L + 1)}
    if not L or names != set(parameters):
        raise ValueError(f"parameters: received keys {sorted(parameters)}, expected W1, b1, ..., WL, bL")
    return L


def _act(name, Z):
    if name == "linear":
        return Z.copy()
    return globals()[name](Z)


def forward(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    _member("hidden_activation", hidden_activation, ACTIVATIONS_HIDDEN)
    _member("output_activation", output_activation, ACTIVATIONS_OUTPUT)
    L = _num_layers(parameters)
    cache = {"L": L, "A0": _cast(X, "X", _ftype(X, *parameters.values()))}
    for i in range(1, L + 1):
        cache[f"Z{i}"] = linear_forward(cache[f"A{i - 1}"], parameters[f"W{i}"], parameters[f"b{i}"])
        cache[f"W{i}"] = parameters[f"W{i}"].astype(cache[f"Z{i}"].dtype)
        cache[f"A{i}"] = _act(hidden_activation if i < L else output_activation, cache[f"Z{i}"])
    return cache[f"A{L}"], cache


def _top_dZ(AL, Y, ZL, output_activation, loss):
    """The output layer's per-sample gradient, m d(cost)/dZ_L."""
    if output_activation == "softmax" and loss == "categorical_cross_entropy":
        return AL - Y
    dA = _loss_gradient(loss)(AL, Y) * AL.shape[1]
    if output_activation == "sigmoid":
        return dA * sigmoid_derivative(ZL)
    if output_activation == "softmax":
        return AL * (dA - (dA * AL).sum(axis=0, keepdims=True))
    return dA


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="binary_cross_entropy"):
    _member("hidden_activation", hidden_activation, ACTIVATIONS_HIDDEN)
    _member("output_activation", output_activation, ACTIVATIONS_OUTPUT)
    AL, Y = _targets(AL, Y)
    L = caches["L"]
    dZ = _top_dZ(AL, Y, caches[f"Z{L}"], output_activation, loss)
    derivative = globals()[hidden_activation + "_derivative"]
    grads = {}
    for i in range(L, 0, -1):
        dA, grads[f"dW{i}"], grads[f"db{i}"] = linear_backward(dZ, caches[f"A{i - 1}"], caches[f"W{i}"])
        if i > 1:
            dZ = dA * derivative(caches[f"Z{i - 1}"])
    return grads


def update_parameters(parameters, grads, learning_rate):
    _num_layers(parameters)
    return {name: np.subtract(value, learning_rate * grads["d" + name]) for name, value in parameters.items()}


def predict(X, parameters, hidden_activation="relu", output_activation="softmax"):
    AL, _ = forward(X, parameters, hidden_activation, output_activation)
    if len(AL) == 1:
        return np.greater(AL[0], 0.5).astype(np.int64)
    return np.argmax(AL, axis=0)


def _training_data(X, Y):
    dtype = _ftype(X, Y)
    X, Y = _cast(X, "X", dtype), _cast(Y, "Y", dtype)
    if not np.isfinite(X).all():
        raise ValueError("X: received NaN or infinite values, expected finite numbers")
    if not np.isfinite(Y).all():
        raise ValueError("Y: received NaN or infinite values, expected finite numbers")
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X, Y: received {X.shape} and {Y.shape}, expected (n, m) and (K, m)")
    return X, Y


def train(X, Y, layer_dims, learning_rate=0.1, epochs=10, batch_size=64, hidden_activation="relu",
          output_activation="softmax", loss="categorical_cross_entropy", seed=0):
    X, Y = _training_data(X, Y)
    m = X.shape[1]
    if batch_size is not None and batch_size <= 0:
        raise ValueError(f"batch_size: received {batch_size!r}, expected a positive int or None")
    batch = m if batch_size is None else batch_size
    parameters = {k: v.astype(X.dtype) for k, v in initialize_parameters(layer_dims, "he", seed).items()}
    order_rng = np.random.default_rng([1, seed])
    costs = []
    for _epoch in range(epochs):
        shuffled_X, shuffled_Y = np.split(np.vstack([X, Y])[:, order_rng.permutation(m)], [X.shape[0]])
        batch_costs = []
        for start in range(0, m, batch):
            Xb, Yb = shuffled_X[:, start:start + batch], shuffled_Y[:, start:start + batch]
            AL, cache = forward(Xb, parameters, hidden_activation, output_activation)
            batch_costs.append(compute_cost(AL, Yb, loss))
            grads = backward(AL, Yb, cache, hidden_activation, output_activation, loss)
            parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(float(np.mean(batch_costs)))
    return parameters, costs


# optimizers --------------------------------------------------------------------------------------------------

def _previous(parameters, state):
    if state is None:
        return {"t": 0, **{k: (np.zeros_like(v), np.zeros_like(v)) for k, v in parameters.items()}}
    return state


def sgd_momentum_update(parameters, grads, state, learning_rate, beta=0.9):
    prev = _previous(parameters, state)
    new_state, new_params = {"t": prev["t"] + 1}, {}
    for k, theta in parameters.items():
        v = beta * prev[k][0] + (1 - beta) * grads["d" + k]
        new_state[k], new_params[k] = (v, prev[k][1]), theta - learning_rate * v
    return new_params, new_state


def rmsprop_update(parameters, grads, state, learning_rate, beta=0.9, eps=1e-8):
    prev = _previous(parameters, state)
    new_state, new_params = {"t": prev["t"] + 1}, {}
    for k, theta in parameters.items():
        g = grads["d" + k]
        s = beta * prev[k][1] + (1 - beta) * g * g
        new_state[k], new_params[k] = (prev[k][0], s), theta - learning_rate * g / (np.sqrt(s) + eps)
    return new_params, new_state


def _adam(parameters, grads, state, learning_rate, beta1, beta2, eps, weight_decay):
    prev = _previous(parameters, state)
    t = prev["t"] + 1
    new_state, new_params = {"t": t}, {}
    for k, theta in parameters.items():
        g = grads["d" + k]
        m = beta1 * prev[k][0] + (1 - beta1) * g
        v = beta2 * prev[k][1] + (1 - beta2) * g * g
        step = (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps) + weight_decay * theta
        new_state[k], new_params[k] = (m, v), theta - learning_rate * step
    return new_params, new_state


def adam_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam(parameters, grads, state, learning_rate, beta1, beta2, eps, 0)


def adamw_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return _adam(parameters, grads, state, learning_rate, beta1, beta2, eps, weight_decay)


# regularization ----------------------------------------------------------------------------------------------

def _weights_only(parameters):
    return sorted(k for k in parameters if k.startswith("W"))


def l2_penalty(parameters, lambd):
    return lambd / 2 * sum(float(np.sum(np.square(parameters[k]))) for k in _weights_only(parameters))


def l2_gradient(parameters, lambd):
    return {"d" + k: lambd * parameters[k] for k in _weights_only(parameters)}


def l1_penalty(parameters, lambd):
    return lambd * sum(float(np.sum(np.abs(parameters[k]))) for k in _weights_only(parameters))


def l1_gradient(parameters, lambd):
    return {"d" + k: lambd * np.sign(parameters[k]) for k in _weights_only(parameters)}


def dropout_forward(A, p, rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: received {type(rng).__name__}, expected a np.random.Generator")
    if not 0 <= float(p) < 1:
        raise ValueError(f"p: received {p!r}, expected a probability of dropping in [0, 1)")
    A = _real(A)
    keep = rng.random(A.shape) < 1 - p
    return np.where(keep, A / (1 - p), 0).astype(A.dtype), keep


def dropout_backward(dA_out, mask, p):
    dA_out = _real(dA_out)
    return np.where(mask, dA_out / (1 - p), 0).astype(dA_out.dtype)


# normalization -----------------------------------------------------------------------------------------------

def _affine(X, gamma, beta, extra=()):
    dtype = _ftype(X, gamma, beta, *[e for e in extra if e is not None])
    X, gamma, beta = _cast(X, "X", dtype), _cast(gamma, "gamma", dtype), _cast(beta, "beta", dtype)
    if X.ndim != 2:
        raise ValueError(f"X: received shape {X.shape}, expected (n_features, m)")
    if gamma.shape != (len(X), 1) or beta.shape != (len(X), 1):
        raise ValueError(f"gamma, beta: received {gamma.shape} and {beta.shape}, expected ({len(X)}, 1)")
    return X, gamma, beta


def batchnorm_forward(X, gamma, beta, eps=1e-5, training=True, running_mean=None, running_var=None, momentum=0.1):
    X, gamma, beta = _affine(X, gamma, beta, (running_mean, running_var))
    n, m = X.shape
    r_mean = np.zeros((n, 1), X.dtype) if running_mean is None else _cast(running_mean, "running_mean", X.dtype)
    r_var = np.ones((n, 1), X.dtype) if running_var is None else _cast(running_var, "running_var", X.dtype)
    if training:
        if m < 2:
            raise ValueError(f"X: received m = {m} column, expected m >= 2 for batch statistics in training")
        mean, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
        r_mean = (1 - momentum) * r_mean + momentum * mean
        r_var = (1 - momentum) * r_var + momentum * X.var(axis=1, ddof=1, keepdims=True)
    else:
        mean, var = r_mean, r_var
    xhat = (X - mean) / np.sqrt(var + eps)
    cache = {"xhat": xhat, "gamma": gamma, "var_eps": var + eps, "axis": 1, "batch": training}
    return gamma * xhat + beta, cache, r_mean, r_var


def _backprop_norm(dY, cache):
    dY = _cast(dY, "dY", cache["xhat"].dtype)
    xhat, axis = cache["xhat"], cache["axis"]
    dxhat = dY * cache["gamma"]
    if cache["batch"]:
        dxhat = dxhat - dxhat.mean(axis=axis, keepdims=True) - xhat * (dxhat * xhat).mean(axis=axis, keepdims=True)
    dX = dxhat / np.sqrt(cache["var_eps"])
    return dX, np.sum(dY * xhat, axis=1, keepdims=True), np.sum(dY, axis=1, keepdims=True)


def batchnorm_backward(dY, cache):
    return _backprop_norm(dY, cache)


def layernorm_forward(X, gamma, beta, eps=1e-5):
    X, gamma, beta = _affine(X, gamma, beta)
    var_eps = X.var(axis=0, keepdims=True) + eps
    xhat = (X - X.mean(axis=0, keepdims=True)) / np.sqrt(var_eps)
    return gamma * xhat + beta, {"xhat": xhat, "gamma": gamma, "var_eps": var_eps, "axis": 0, "batch": True}


def layernorm_backward(dY, cache):
    return _backprop_norm(dY, cache)


# gradient check ----------------------------------------------------------------------------------------------

def numerical_gradient(f, x, eps=1e-5):
    """np.nditer walks x's indices; f sees one working copy, each entry perturbed and restored; float64 result."""
    if not callable(f):
        raise TypeError(f"f: received {type(f).__name__}, expected a callable returning a scalar")
    # perturbs x itself (the contract's reading 6, amended after this variant was written), so f may close over x
    work = x if isinstance(x, np.ndarray) and x.dtype.kind == "f" else _cast(x, "x", _ftype(x))
    grad = np.zeros(work.shape)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        index = it.multi_index
        saved = work[index]
        work[index] = saved + eps
        f_plus = f(work)
        work[index] = saved - eps
        f_minus = f(work)
        work[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"b: received shape {b.shape}, expected a's shape {a.shape}")
    scale = np.fmax(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
