"""An L-layer binary classifier in the style of documents 000/001 (PyTorch Fundamentals, NumPy part).

Samples are columns: X is (n_features, m), Y is (1, m). Weights W{l} are (n_l, n_{l-1}) with He scaling from
NumPy's global generator, biases (n_l, 1) of zeros. Hidden layers use ReLU, the output a sigmoid, the cost is the
binary cross-entropy; training is full-batch gradient descent recording the cost of every iteration.
"""

import numpy as np

EPSILON = 1e-15


def sigmoid(z):
    """The logistic function, written through tanh so that no exponential can overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def relu(z):
    return np.maximum(z, 0)


def softmax(z):
    """Column-wise probabilities; the column maximum is taken off first."""
    shifted = np.exp(z - z.max(axis=0, keepdims=True))
    return shifted / shifted.sum(axis=0, keepdims=True)


def cross_entropy(y, y_hat):
    """Mean binary cross-entropy of predictions y_hat against 0/1 targets y (predictions kept off 0 and 1)."""
    p = np.clip(y_hat, EPSILON, 1 - EPSILON)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def initialize_parameters(layer_dims):
    """He initialisation: W{l} ~ N(0, 2 / n_{l-1}), b{l} = 0."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        fan_in = layer_dims[l - 1]
        parameters[f"W{l}"] = np.random.randn(layer_dims[l], fan_in) * np.sqrt(2.0 / fan_in)
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def forward(X, parameters):
    """ReLU hidden layers, sigmoid output. Returns AL and, per layer, the cache (A_prev, W, Z)."""
    depth = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, depth + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = W @ A + b
        caches.append((A, W, Z))
        A = sigmoid(Z) if l == depth else relu(Z)
    return A, caches


def compute_cost(AL, Y):
    return cross_entropy(Y, AL)


def backward(AL, Y, caches):
    """Gradients of the cross-entropy; at the sigmoid output dZ takes its closed form AL - Y."""
    grads = {}
    depth = len(caches)
    m = Y.shape[1]
    dZ = AL - Y
    for l in range(depth, 0, -1):
        A_prev, W, _ = caches[l - 1]
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        if l > 1:
            Z_prev = caches[l - 2][2]
            dZ = (W.T @ dZ) * (Z_prev > 0)
    return grads


def update_parameters(parameters, grads, learning_rate):
    """theta <- theta - learning_rate * dtheta for every W and b, in place; returns parameters."""
    for name in parameters:
        parameters[name] -= learning_rate * grads["d" + name]
    return parameters


def train(X, Y, layer_dims, learning_rate=0.01, num_iterations=1000):
    """Full-batch gradient descent; returns (parameters, costs), one cost per iteration, before its update."""
    parameters = initialize_parameters(layer_dims)
    costs = []
    for _ in range(num_iterations):
        AL, caches = forward(X, parameters)
        costs.append(compute_cost(AL, Y))
        parameters = update_parameters(parameters, backward(AL, Y, caches), learning_rate)
    return parameters, costs
