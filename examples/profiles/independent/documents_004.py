"""Document 004 ("Neural Network Basics"): perceptron and a row-major MLP.

Samples are rows: X is (N, n_features). MLP weights are (n_in, n_out),
biases (1, n_out); hidden layers are ReLU and the output is softmax,
trained on the mean cross-entropy with one-hot labels.
"""
import numpy as np


def relu(z):
    return np.maximum(0, z)


def relu_derivative(z):
    return np.where(z > 0, 1.0, 0.0)


def softmax(z):
    """Row-wise softmax (the row max is subtracted first)."""
    z = np.asarray(z, dtype=float)
    z_shift = z - np.max(z, axis=-1, keepdims=True)
    ez = np.exp(z_shift)
    return ez / np.sum(ez, axis=-1, keepdims=True)


def cross_entropy_loss(y_pred, y_true):
    """y_true one-hot (N, K), y_pred softmax probabilities (N, K)."""
    N = y_true.shape[0]
    p = np.clip(y_pred, 1e-12, 1 - 1e-12)
    return float(-np.sum(y_true * np.log(p)) / N)


def he_init(fan_in, fan_out):
    return np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / fan_in)


class MLP:
    def __init__(self, layer_sizes, lr=0.001):
        self.lr = lr
        self.weights = []
        self.biases = []
        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
            self.weights.append(he_init(n_in, n_out))
            self.biases.append(np.zeros((1, n_out)))

    def forward(self, X):
        # keep the input of every layer and every pre-activation for backward
        self.inputs = []
        self.zs = []
        a = X
        last = len(self.weights) - 1
        for i in range(len(self.weights)):
            self.inputs.append(a)
            z = a @ self.weights[i] + self.biases[i]
            self.zs.append(z)
            if i == last:
                a = softmax(z)
            else:
                a = relu(z)
        self.probs = a
        return a

    def backward(self, y_true):
        """Backprop of the mean cross-entropy, then one SGD step (in place)."""
        N = y_true.shape[0]
        delta = (self.probs - y_true) / N
        dWs = [None] * len(self.weights)
        dbs = [None] * len(self.weights)
        for i in range(len(self.weights) - 1, -1, -1):
            dWs[i] = self.inputs[i].T @ delta
            dbs[i] = np.sum(delta, axis=0, keepdims=True)
            if i > 0:
                delta = (delta @ self.weights[i].T) * relu_derivative(self.zs[i - 1])
        # only now change the weights, so every gradient used the old ones
        for i in range(len(self.weights)):
            self.weights[i] -= self.lr * dWs[i]
            self.biases[i] -= self.lr * dbs[i]

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)


class Perceptron:
    def __init__(self, n_features, lr=0.01):
        self.w = np.zeros(n_features)
        self.b = 0.0
        self.lr = lr

    def predict(self, x):
        score = np.dot(self.w, x) + self.b
        if score > 0:
            return 1
        return 0

    def train(self, X, y, epochs=100):
        for epoch in range(epochs):
            for i in range(len(X)):
                xi = X[i]
                error = y[i] - self.predict(xi)
                self.w += self.lr * error * xi
                self.b += self.lr * error


def numerical_gradient(f, x, eps=1e-5):
    """Central-difference gradient of scalar f at x; x is restored afterwards."""
    grad = np.zeros(x.shape, dtype=float)
    for k in range(x.size):
        idx = np.unravel_index(k, x.shape)
        keep = x[idx]
        x[idx] = keep + eps
        fp = f(x)
        x[idx] = keep - eps
        fm = f(x)
        x[idx] = keep
        grad[idx] = (fp - fm) / (2 * eps)
    return grad
