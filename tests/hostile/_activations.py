"""Correct activations shared by the hostile submissions (each imports them and replaces relu with its attack).

Not a submission itself (the leading underscore keeps batch mode from grading it). A .py submission may import
the modules next to it, as with `python file.py`.
"""

import math

import numpy as np

GELU_C = math.sqrt(2.0 / math.pi)
GELU_K = 0.044715


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(z)


def tanh_derivative(z):
    return 1 - np.tanh(z) ** 2


def relu(z):
    return np.maximum(z, 0).astype(z.dtype)


def relu_derivative(z):
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    return np.where(z > 0, z, alpha * z).astype(z.dtype)


def leaky_relu_derivative(z, alpha=0.01):
    return np.where(z > 0, 1.0, alpha).astype(z.dtype)


def _cdf(z):
    values = [0.5 * math.erfc(-x / math.sqrt(2)) for x in np.asarray(z, dtype=np.float64).ravel()]
    return np.array(values).reshape(np.shape(z))


def _one_plus_tanh(u):
    return 2 * sigmoid(2 * u)


def gelu(z, approximate=False):
    z64 = z.astype(np.float64)
    if approximate:
        return (0.5 * z64 * _one_plus_tanh(GELU_C * (z64 + GELU_K * z64**3))).astype(z.dtype)
    return (z64 * _cdf(z64)).astype(z.dtype)


def gelu_derivative(z, approximate=False):
    z64 = z.astype(np.float64)
    if approximate:
        p = _one_plus_tanh(GELU_C * (z64 + GELU_K * z64**3))
        out = 0.5 * p + 0.5 * z64 * p * (2 - p) * GELU_C * (1 + 3 * GELU_K * z64**2)
    else:
        out = _cdf(z64) + z64 * np.exp(-0.5 * z64 * z64) / math.sqrt(2 * math.pi)
    return out.astype(z.dtype)


def softmax(z, axis=0):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
