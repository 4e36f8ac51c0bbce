"""A learner's submission half-way through, with the classic mistakes the spec is there to catch.

Grade it with `nnspec grade examples/learner_buggy.py`: the report names each bug below (and the functions not
written yet) with the numbers that show it. The mistakes, on purpose:

- sigmoid uses 1 / (1 + exp(-z)) directly, which overflows for large negative z;
- sigmoid_derivative takes the activation instead of z;
- relu_derivative is 1 at z = 0 (the contract says 0);
- leaky_relu changes its argument in place;
- softmax forgets to subtract the column maximum (overflow);
- mse_gradient drops the factor 2;
- binary_cross_entropy forgets to clip AL (log(0) at AL = 0 or 1);
- linear_backward forgets the 1/m in dW.
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(a):
    return a * (1 - a)


def tanh(z):
    return np.tanh(z)


def tanh_derivative(z):
    return 1 - np.tanh(z) ** 2


def relu(z):
    return np.maximum(0, z)


def relu_derivative(z):
    return (z >= 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    z[z < 0] *= alpha
    return z


def leaky_relu_derivative(z, alpha=0.01):
    return np.where(z > 0, 1.0, alpha).astype(z.dtype)


def softmax(z, axis=0):
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def mse(AL, Y):
    return float(np.mean((AL - Y) ** 2))


def mse_gradient(AL, Y):
    return (AL - Y) / AL.size


def binary_cross_entropy(AL, Y):
    return float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def linear_forward(A_prev, W, b):
    return W @ A_prev + b


def linear_backward(dZ, A_prev, W):
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def perceptron_predict(w, b, x):
    return 1 if np.dot(w, x) + b > 0 else 0


def perceptron_update(w, b, x, y, learning_rate):
    error = y - perceptron_predict(w, b, x)
    return w + learning_rate * error * x, float(b + learning_rate * error)


def perceptron_train(X, y, learning_rate=0.01, epochs=100):
    w, b = np.zeros(X.shape[0]), 0.0
    for _ in range(epochs):
        for i in range(X.shape[1]):
            w, b = perceptron_update(w, b, X[:, i], y[i], learning_rate)
    return w, b
