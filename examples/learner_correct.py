"""A complete submission, written the way a learner would: NumPy only, one file, loops where they read well.

Grade it with `nnspec grade examples/learner_correct.py`. It was written from the contract (docs/contract.md) and
the course documents, independently of nnspec's reference implementation.
"""

import math

import numpy as np

NNSPEC_CONTRACT = "1"

CLIP = 1e-15  # losses keep probabilities inside [CLIP, 1 - CLIP] so that log never sees 0
GELU_C = math.sqrt(2.0 / math.pi)
GELU_K = 0.044715
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# ----------------------------------------------------------------------------------------------------------------
# helpers


def as_float(z):
    """z as a float array (float32 stays float32, anything else becomes float64)."""
    z = np.asarray(z)
    if z.dtype == np.float32 or z.dtype == np.float64:
        return z
    return z.astype(np.float64)


def float_type(*arrays):
    """float32 only when every floating input is float32 (integer labels never decide)."""
    floats = [np.asarray(a).dtype for a in arrays if np.issubdtype(np.asarray(a).dtype, np.floating)]
    if floats and all(dtype == np.float32 for dtype in floats):
        return np.float32
    return np.float64


def same_shape(AL, Y):
    if np.shape(AL) != np.shape(Y):
        raise ValueError(f"AL and Y must have the same shape, got AL {np.shape(AL)} and Y {np.shape(Y)}")


# ----------------------------------------------------------------------------------------------------------------
# activations


def sigmoid(z):
    z = as_float(z)
    e = np.exp(-np.abs(z))  # never exp of a large positive number
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(as_float(z))


def tanh_derivative(z):
    t = np.tanh(as_float(z))
    return 1 - t * t


def relu(z):
    z = as_float(z)
    return np.where(z > 0, z, 0).astype(z.dtype)


def relu_derivative(z):
    z = as_float(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    z = as_float(z)
    return np.where(z > 0, z, alpha * z).astype(z.dtype)


def leaky_relu_derivative(z, alpha=0.01):
    z = as_float(z)
    return np.where(z > 0, 1.0, alpha).astype(z.dtype)


def _normal_cdf(z):
    """Phi(z) = erfc(-z / sqrt 2) / 2, one element at a time (erfc avoids 1 + erf cancelling for z << 0)."""
    flat = [0.5 * math.erfc(-value / math.sqrt(2.0)) for value in np.asarray(z, dtype=np.float64).ravel()]
    return np.array(flat, dtype=np.float64).reshape(np.shape(z))


def _tanh_inner(z64):
    return GELU_C * (z64 + GELU_K * z64**3)


def _one_plus_tanh(u):
    """1 + tanh(u) = 2 sigmoid(2u), without cancellation when tanh(u) is close to -1."""
    return 2 * sigmoid(2 * u)


def gelu(z, approximate=False):
    z = as_float(z)
    z64 = z.astype(np.float64)
    out = 0.5 * z64 * _one_plus_tanh(_tanh_inner(z64)) if approximate else z64 * _normal_cdf(z64)
    return out.astype(z.dtype)


def gelu_derivative(z, approximate=False):
    z = as_float(z)
    z64 = z.astype(np.float64)
    if approximate:
        u = _tanh_inner(z64)
        one_plus_t = _one_plus_tanh(u)
        one_minus_t2 = one_plus_t * (2 - one_plus_t)  # 1 - t^2 = (1 + t)(1 - t)
        out = 0.5 * one_plus_t + 0.5 * z64 * one_minus_t2 * GELU_C * (1 + 3 * GELU_K * z64**2)
    else:
        density = INV_SQRT_2PI * np.exp(-0.5 * z64 * z64)
        out = _normal_cdf(z64) + z64 * density
    return out.astype(z.dtype)


def softmax(z, axis=0):
    z = as_float(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


ACTIVATIONS = {
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "gelu": (gelu, gelu_derivative),
    "linear": (lambda z: z, lambda z: np.ones_like(z)),
}


# ----------------------------------------------------------------------------------------------------------------
# losses (costs are computed in float64 and returned as Python floats)


def mse(AL, Y):
    same_shape(AL, Y)
    diff = np.asarray(AL, dtype=np.float64) - np.asarray(Y, dtype=np.float64)
    return float(np.mean(diff**2))


def mse_gradient(AL, Y):
    same_shape(AL, Y)
    dtype = float_type(AL, Y)
    diff = np.asarray(AL, dtype=np.float64) - np.asarray(Y, dtype=np.float64)
    return (2 * diff / diff.size).astype(dtype)


def binary_cross_entropy(AL, Y):
    same_shape(AL, Y)
    A = np.clip(np.asarray(AL, dtype=np.float64), CLIP, 1 - CLIP)
    Y = np.asarray(Y, dtype=np.float64)
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


def binary_cross_entropy_gradient(AL, Y):
    same_shape(AL, Y)
    dtype = float_type(AL, Y)
    A = np.clip(np.asarray(AL, dtype=np.float64), CLIP, 1 - CLIP)
    Y = np.asarray(Y, dtype=np.float64)
    return ((-Y / A + (1 - Y) / (1 - A)) / A.size).astype(dtype)


def _check_2d(AL, Y):
    same_shape(AL, Y)
    if np.ndim(AL) != 2:
        raise ValueError(f"categorical cross-entropy needs (K, m) arrays, got AL of shape {np.shape(AL)}")


def categorical_cross_entropy(AL, Y):
    _check_2d(AL, Y)
    A = np.maximum(np.asarray(AL, dtype=np.float64), CLIP)
    Y = np.asarray(Y, dtype=np.float64)
    m = A.shape[1]
    return float(-np.sum(Y * np.log(A)) / m)


def categorical_cross_entropy_gradient(AL, Y):
    _check_2d(AL, Y)
    dtype = float_type(AL, Y)
    A = np.maximum(np.asarray(AL, dtype=np.float64), CLIP)
    Y = np.asarray(Y, dtype=np.float64)
    m = A.shape[1]
    return (-Y / (m * A)).astype(dtype)


LOSSES = {
    "binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_gradient),
    "categorical_cross_entropy": (categorical_cross_entropy, categorical_cross_entropy_gradient),
    "mse": (mse, mse_gradient),
}


def compute_cost(AL, Y, loss="binary_cross_entropy"):
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
    return LOSSES[loss][0](AL, Y)


# ----------------------------------------------------------------------------------------------------------------
# perceptron


def perceptron_predict(w, b, x):
    score = float(np.dot(w, x)) + float(b)
    return 1 if score > 0 else 0


def perceptron_update(w, b, x, y, learning_rate):
    error = y - perceptron_predict(w, b, x)
    new_w = np.asarray(w, dtype=np.float64) + learning_rate * error * np.asarray(x, dtype=np.float64)
    new_b = float(b) + learning_rate * error
    return new_w, float(new_b)


def perceptron_train(X, y, learning_rate=0.01, epochs=100):
    X = np.asarray(X, dtype=np.float64)
    w = np.zeros(X.shape[0])
    b = 0.0
    for _ in range(epochs):
        for i in range(X.shape[1]):
            w, b = perceptron_update(w, b, X[:, i], y[i], learning_rate)
    return w, b


# ----------------------------------------------------------------------------------------------------------------
# layers


def linear_forward(A_prev, W, b):
    n = np.shape(W)[0]
    if np.shape(b) != (n, 1):
        raise ValueError(f"b must have shape ({n}, 1), got {np.shape(b)}")
    if np.shape(A_prev)[0] != np.shape(W)[1]:
        raise ValueError(f"A_prev has {np.shape(A_prev)[0]} rows but W expects {np.shape(W)[1]}")
    return W @ A_prev + b


def linear_backward(dZ, A_prev, W):
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


# ----------------------------------------------------------------------------------------------------------------
# network


def initialize_parameters(layer_dims, method="he", seed=0):
    rng = np.random.default_rng(seed)
    parameters = {}
    for layer in range(1, len(layer_dims)):
        n_in, n_out = layer_dims[layer - 1], layer_dims[layer]
        if method == "he":
            std = math.sqrt(2.0 / n_in)
        elif method == "xavier":
            std = math.sqrt(2.0 / (n_in + n_out))
        elif method == "lecun":
            std = math.sqrt(1.0 / n_in)
        elif method == "zeros":
            std = 0.0
        else:
            raise ValueError(f"method must be 'he', 'xavier', 'lecun' or 'zeros', got {method!r}")
        parameters[f"W{layer}"] = rng.standard_normal((n_out, n_in)) * std
        parameters[f"b{layer}"] = np.zeros((n_out, 1))
    return parameters


def _layers(parameters):
    L = len(parameters) // 2
    for layer in range(1, L + 1):
        if f"W{layer}" not in parameters or f"b{layer}" not in parameters:
            raise ValueError(f"parameters must hold W1..W{L} and b1..b{L}; missing layer {layer}")
    return L


def _output(Z, output_activation):
    if output_activation == "softmax":
        return softmax(Z, axis=0)
    if output_activation in ("sigmoid", "linear"):
        return ACTIVATIONS[output_activation][0](Z)
    raise ValueError(f"output_activation must be 'sigmoid', 'softmax' or 'linear', got {output_activation!r}")


def forward(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    if hidden_activation not in ACTIVATIONS or hidden_activation == "linear":
        raise ValueError(f"unknown hidden_activation {hidden_activation!r}")
    L = _layers(parameters)
    A = X
    caches = []
    for layer in range(1, L + 1):
        A_prev = A
        Z = linear_forward(A_prev, parameters[f"W{layer}"], parameters[f"b{layer}"])
        A = ACTIVATIONS[hidden_activation][0](Z) if layer < L else _output(Z, output_activation)
        caches.append((A_prev, parameters[f"W{layer}"], Z, A))
    return A, caches


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="binary_cross_entropy"):
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
    L = len(caches)
    m = AL.shape[1]
    grads = {}
    # per-sample gradients (columns); linear_backward averages them over the m samples
    dA = m * LOSSES[loss][1](AL, Y)
    for layer in range(L, 0, -1):
        A_prev, W, Z, A = caches[layer - 1]
        if layer == L and output_activation == "softmax":
            dZ = A * (dA - np.sum(dA * A, axis=0, keepdims=True))  # softmax Jacobian times dA, per column
        elif layer == L:
            dZ = dA * ACTIVATIONS[output_activation][1](Z)
        else:
            dZ = dA * ACTIVATIONS[hidden_activation][1](Z)
        dA, grads[f"dW{layer}"], grads[f"db{layer}"] = linear_backward(dZ, A_prev, W)
    return grads


def update_parameters(parameters, grads, learning_rate):
    return {name: value - learning_rate * grads["d" + name] for name, value in parameters.items()}


def predict(X, parameters, hidden_activation="relu", output_activation="softmax"):
    AL, _ = forward(X, parameters, hidden_activation, output_activation)
    if AL.shape[0] == 1:
        return (AL[0] > 0.5).astype(int)
    return np.argmax(AL, axis=0).astype(int)


def train(X, Y, layer_dims, learning_rate=0.1, epochs=10, batch_size=64, hidden_activation="relu",
          output_activation="softmax", loss="categorical_cross_entropy", seed=0):
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise ValueError("X and Y must be finite (found nan or inf)")
    dtype = float_type(X, Y)
    X = np.asarray(X, dtype=dtype)
    Y = np.asarray(Y, dtype=dtype)
    parameters = {name: value.astype(dtype) for name, value in initialize_parameters(layer_dims, "he", seed).items()}
    shuffler = np.random.default_rng(seed + 1_000_003)  # its own stream, not the initialisation's
    m = X.shape[1]
    size = m if batch_size is None else batch_size
    costs = []
    for _ in range(epochs):
        order = np.arange(m) if batch_size is None else shuffler.permutation(m)
        batch_costs = []
        for start in range(0, m, size):
            batch = order[start:start + size]
            AL, caches = forward(X[:, batch], parameters, hidden_activation, output_activation)
            batch_costs.append(compute_cost(AL, Y[:, batch], loss))
            grads = backward(AL, Y[:, batch], caches, hidden_activation, output_activation, loss)
            parameters = update_parameters(parameters, grads, learning_rate)
        costs.append(float(np.mean(batch_costs)))
    return parameters, costs


# ----------------------------------------------------------------------------------------------------------------
# optimizers (state: a dict of moving averages keyed by parameter name, plus the step count for Adam)


def sgd_momentum_update(parameters, grads, state, learning_rate, beta=0.9):
    if state is None:
        state = {name: np.zeros_like(value) for name, value in parameters.items()}
    velocity = {name: beta * state[name] + (1 - beta) * grads["d" + name] for name in parameters}
    new = {name: value - learning_rate * velocity[name] for name, value in parameters.items()}
    return new, velocity


def rmsprop_update(parameters, grads, state, learning_rate, beta=0.9, eps=1e-8):
    if state is None:
        state = {name: np.zeros_like(value) for name, value in parameters.items()}
    square = {name: beta * state[name] + (1 - beta) * grads["d" + name] ** 2 for name in parameters}
    new = {}
    for name, value in parameters.items():
        new[name] = value - learning_rate * grads["d" + name] / (np.sqrt(square[name]) + eps)
    return new, square


def _adam_step(parameters, grads, state, learning_rate, beta1, beta2, eps, weight_decay):
    if state is None:
        state = {"t": 0, "m": {n: np.zeros_like(v) for n, v in parameters.items()},
                 "v": {n: np.zeros_like(v) for n, v in parameters.items()}}
    t = state["t"] + 1
    first = {n: beta1 * state["m"][n] + (1 - beta1) * grads["d" + n] for n in parameters}
    second = {n: beta2 * state["v"][n] + (1 - beta2) * grads["d" + n] ** 2 for n in parameters}
    new = {}
    for name, value in parameters.items():
        m_hat = first[name] / (1 - beta1**t)
        v_hat = second[name] / (1 - beta2**t)
        new[name] = value - learning_rate * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * value)
    return new, {"t": t, "m": first, "v": second}


def adam_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    return _adam_step(parameters, grads, state, learning_rate, beta1, beta2, eps, 0.0)


def adamw_update(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return _adam_step(parameters, grads, state, learning_rate, beta1, beta2, eps, weight_decay)


# ----------------------------------------------------------------------------------------------------------------
# regularization


def _weights(parameters):
    return [name for name in parameters if name.startswith("W")]


def l2_penalty(parameters, lambd):
    total = 0.0
    for name in _weights(parameters):
        total += float(np.sum(np.asarray(parameters[name], dtype=np.float64) ** 2))
    return lambd / 2 * total


def l2_gradient(parameters, lambd):
    return {"d" + name: lambd * parameters[name] for name in _weights(parameters)}


def l1_penalty(parameters, lambd):
    total = 0.0
    for name in _weights(parameters):
        total += float(np.sum(np.abs(np.asarray(parameters[name], dtype=np.float64))))
    return lambd * total


def l1_gradient(parameters, lambd):
    return {"d" + name: lambd * np.sign(parameters[name]) for name in _weights(parameters)}


def dropout_forward(A, p, rng):
    if not 0 <= p < 1:
        raise ValueError(f"p (the probability of dropping a unit) must be in [0, 1), got {p}")
    A = as_float(A)
    mask = (rng.random(A.shape) >= p).astype(A.dtype)
    return A * mask / (1 - p), mask


def dropout_backward(dA_out, mask, p):
    return dA_out * mask / (1 - p)


# ----------------------------------------------------------------------------------------------------------------
# normalization


def batchnorm_forward(X, gamma, beta, eps=1e-5, training=True, running_mean=None, running_var=None, momentum=0.1):
    n, m = X.shape
    if running_mean is None:
        running_mean = np.zeros((n, 1))
    if running_var is None:
        running_var = np.ones((n, 1))
    if not training:
        std = np.sqrt(running_var + eps)
        x_hat = (X - running_mean) / std
        return gamma * x_hat + beta, ("eval", x_hat, gamma, std), running_mean, running_var
    if m < 2:
        raise ValueError(f"batch norm in training needs at least 2 samples, got X of shape {X.shape}")
    mu = np.mean(X, axis=1, keepdims=True)
    var = np.mean((X - mu) ** 2, axis=1, keepdims=True)
    std = np.sqrt(var + eps)
    x_hat = (X - mu) / std
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
    return gamma * x_hat + beta, ("train", x_hat, gamma, std), new_mean, new_var


def _normalised_backward(dY, x_hat, gamma, std, axis):
    """dX of y = gamma * (x - mean) / std + beta, with mean and var taken along ``axis``."""
    dx_hat = dY * gamma
    k = x_hat.shape[axis]
    total = np.sum(dx_hat, axis=axis, keepdims=True)
    projection = np.sum(dx_hat * x_hat, axis=axis, keepdims=True)
    return (k * dx_hat - total - x_hat * projection) / (k * std)


def batchnorm_backward(dY, cache):
    mode, x_hat, gamma, std = cache
    dX = dY * gamma / std if mode == "eval" else _normalised_backward(dY, x_hat, gamma, std, axis=1)
    dgamma = np.sum(dY * x_hat, axis=1, keepdims=True)
    dbeta = np.sum(dY, axis=1, keepdims=True)
    return dX, dgamma, dbeta


def layernorm_forward(X, gamma, beta, eps=1e-5):
    mu = np.mean(X, axis=0, keepdims=True)
    var = np.mean((X - mu) ** 2, axis=0, keepdims=True)
    std = np.sqrt(var + eps)
    x_hat = (X - mu) / std
    return gamma * x_hat + beta, (x_hat, gamma, std)


def layernorm_backward(dY, cache):
    x_hat, gamma, std = cache
    dX = _normalised_backward(dY, x_hat, gamma, std, axis=0)
    dgamma = np.sum(dY * x_hat, axis=1, keepdims=True)
    dbeta = np.sum(dY, axis=1, keepdims=True)
    return dX, dgamma, dbeta


# ----------------------------------------------------------------------------------------------------------------
# gradient check


def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old_value = x[index]  # nudge x itself, as in document 004, so that f may also close over x
        x[index] = old_value + eps
        f_plus = f(x)
        x[index] = old_value - eps
        f_minus = f(x)
        x[index] = old_value  # put it back exactly
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / scale)
