"""Document 004's assignment done as its sheet asks (Style 4 of the assignment styles): NumPy only, samples as ROWS.

A multi-layer perceptron class with ReLU hidden layers and a softmax output trained on the mean cross-entropy, a
perceptron class with the classic error-driven rule, and the helper functions they use. Written from the sheet,
for the tests of the profile documents-004.
"""

import itertools

import numpy as np

CLIP = 1e-12  # the sheet's clipping of the predicted probabilities in cross_entropy_loss


def relu(z):
    """max(0, z), elementwise, in z's own float type."""
    return np.where(z > 0, z, np.zeros_like(z))


def relu_derivative(z):
    """1.0 where z > 0, 0.0 elsewhere (z = 0 included)."""
    return np.where(z > 0, np.ones_like(z), np.zeros_like(z))


def softmax(z):
    """Row-wise softmax of (N, K) scores, each row shifted by its maximum first."""
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def cross_entropy_loss(y_pred, y_true):
    """Mean over the N rows of -sum_k y_true log y_pred, y_pred clipped to [1e-12, 1 - 1e-12]."""
    p = np.clip(y_pred, CLIP, 1 - CLIP)
    return float(-np.sum(y_true * np.log(p)) / y_true.shape[0])


def he_init(fan_in, fan_out):
    """(fan_in, fan_out) weights drawn from NumPy's global generator with variance 2 / fan_in."""
    return np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / fan_in)


class MLP:
    """Fully connected network: ReLU on every hidden layer, softmax on the output layer."""

    def __init__(self, layer_sizes, lr=0.001):
        self.lr = lr
        self.weights = [he_init(n_in, n_out) for n_in, n_out in itertools.pairwise(layer_sizes)]
        self.biases = [np.zeros((1, n_out)) for n_out in layer_sizes[1:]]

    def forward(self, X):
        """(N, K) class probabilities of the rows of X; keeps the inputs and pre-activations of each layer."""
        self.inputs = []
        self.scores = []
        a = X
        last = len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            self.inputs.append(a)
            z = a @ W + b
            self.scores.append(z)
            a = softmax(z) if i == last else relu(z)
        self.probs = a
        return a

    def backward(self, y_true):
        """Gradients of the mean cross-entropy of the last forward's batch; a gradient-descent step on them."""
        n = y_true.shape[0]
        delta = (self.probs - y_true) / n
        steps = []
        for i in range(len(self.weights) - 1, -1, -1):
            dW = self.inputs[i].T @ delta
            db = delta.sum(axis=0, keepdims=True)
            steps.append((i, dW, db))
            if i > 0:
                delta = (delta @ self.weights[i].T) * relu_derivative(self.scores[i - 1])
        for i, dW, db in steps:
            self.weights[i] = self.weights[i] - self.lr * dW
            self.biases[i] = self.biases[i] - self.lr * db

    def predict(self, X):
        """The most probable class of each row: (N,) integers."""
        return np.argmax(self.forward(X), axis=1)


class Perceptron:
    """A single threshold unit trained with the perceptron learning rule."""

    def __init__(self, n_features, lr=0.01):
        self.w = np.zeros(n_features)
        self.b = 0.0
        self.lr = lr

    def predict(self, x):
        """1 if w.x + b > 0 else 0, for one sample x (n_features,)."""
        return 1 if float(np.dot(self.w, x) + self.b) > 0 else 0

    def train(self, X, y, epochs=100):
        """Each epoch, every row in order: w += lr (y_i - predict(x_i)) x_i, b += lr (y_i - predict(x_i))."""
        for _ in range(epochs):
            for x_i, y_i in zip(X, y, strict=True):
                error = y_i - self.predict(x_i)
                self.w = self.w + self.lr * error * x_i
                self.b = self.b + self.lr * error


def numerical_gradient(f, x, eps=1e-5):
    """Central differences (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every entry i of x; x is nudged in place
    and each entry set back to its own value."""
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        kept = x[index]
        x[index] = kept + eps
        above = f(x)
        x[index] = kept - eps
        below = f(x)
        x[index] = kept
        grad[index] = (above - below) / (2 * eps)
    return grad
