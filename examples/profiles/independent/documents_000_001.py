"""NumPy network from documents 000/001 ("Building a Brain with Nothing but Math").

Column-major: X is (n_features, m), one column per sample.
W{l} is (n_l, n_{l-1}), b{l} is (n_l, 1).
Hidden layers use ReLU, the single output layer uses sigmoid, and the
cost is the binary cross-entropy averaged over the samples.
"""
import numpy as np


def sigmoid(z):
    """Sigmoid that does not overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    big = z >= 0
    small = ~big
    out[big] = 1.0 / (1.0 + np.exp(-z[big]))
    e = np.exp(z[small])          # z < 0 here so e is in (0, 1)
    out[small] = e / (1.0 + e)
    if out.ndim == 0:
        return float(out)
    return out


def relu(z):
    return np.maximum(0, z)


def softmax(z):
    """Softmax down each column (axis 0); each column is one sample."""
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=0, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=0, keepdims=True)


def cross_entropy(y, y_hat):
    """Binary cross-entropy, targets first, mean over every element."""
    eps = 1e-15
    y_hat = np.clip(y_hat, eps, 1 - eps)
    losses = y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)
    return float(-np.mean(losses))


def initialize_parameters(layer_dims):
    """He initialisation with the global numpy generator."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        n_in = layer_dims[l - 1]
        n_out = layer_dims[l]
        parameters["W%d" % l] = np.random.randn(n_out, n_in) * np.sqrt(2.0 / n_in)
        parameters["b%d" % l] = np.zeros((n_out, 1))
    return parameters


def forward(X, parameters):
    """Returns the sigmoid output AL and a list of per-layer caches.

    Each cache is (A_prev, W, b, Z) for that layer.
    """
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L + 1):
        W = parameters["W%d" % l]
        b = parameters["b%d" % l]
        A_prev = A
        Z = W @ A_prev + b
        if l < L:
            A = relu(Z)
        else:
            A = sigmoid(Z)
        caches.append((A_prev, W, b, Z))
    return A, caches


def compute_cost(AL, Y):
    """Binary cross-entropy summed and divided by the number of samples m."""
    m = Y.shape[1]
    AL = np.clip(AL, 1e-15, 1 - 1e-15)
    total = np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return float(-total / m)


def backward(AL, Y, caches):
    """Gradients of the mean binary cross-entropy (dZ_L = AL - Y)."""
    grads = {}
    L = len(caches)
    m = AL.shape[1]

    dZ = AL - Y
    for l in range(L, 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        if l < L:
            # hidden layer: dA came from the layer above, go through ReLU
            dZ = dA * (Z > 0)
        grads["dW%d" % l] = (dZ @ A_prev.T) / m
        grads["db%d" % l] = np.sum(dZ, axis=1, keepdims=True) / m
        dA = W.T @ dZ
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W%d" % l] -= learning_rate * grads["dW%d" % l]
        parameters["b%d" % l] -= learning_rate * grads["db%d" % l]
    return parameters


def train(X, Y, layer_dims, learning_rate=0.01, num_iterations=1000):
    """Full-batch gradient descent; costs[i] is the cost before update i."""
    parameters = initialize_parameters(layer_dims)
    costs = []
    for i in range(num_iterations):
        AL, caches = forward(X, parameters)
        cost = compute_cost(AL, Y)
        costs.append(cost)
        grads = backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs
