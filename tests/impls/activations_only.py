"""A submission that implements only the activations chapter of contract v1 (used by tests/test_spec_plugin.py).

Written independently of reference/ so that the plugin tests exercise a genuinely foreign implementation.
"""

import numpy as np
from scipy.special import erf

NNSPEC_CONTRACT = "1"
_GELU_C = 0.044715


def _float(z):
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


def sigmoid(z):
    z = _float(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(_float(z))


def tanh_derivative(z):
    return 1 - tanh(z) ** 2


def relu(z):
    z = _float(z)
    return np.where(z > 0, z, 0).astype(z.dtype)


def relu_derivative(z):
    z = _float(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    z = _float(z)
    return np.where(z > 0, z, alpha * z).astype(z.dtype)


def leaky_relu_derivative(z, alpha=0.01):
    z = _float(z)
    return np.where(z > 0, 1, alpha).astype(z.dtype)


def _tanh_inner(z):
    return np.sqrt(2 / np.pi) * (z + _GELU_C * z**3)


def gelu(z, approximate=False):
    z = _float(z)
    if approximate:
        with np.errstate(over="ignore"):
            return (0.5 * z * (1 + np.tanh(_tanh_inner(z)))).astype(z.dtype)
    return (0.5 * z * (1 + erf(z / np.sqrt(2)))).astype(z.dtype)


def gelu_derivative(z, approximate=False):
    z = _float(z)
    if approximate:
        with np.errstate(over="ignore"):
            t = np.tanh(_tanh_inner(z))
            inner = np.sqrt(2 / np.pi) * (1 + 3 * _GELU_C * z**2)
            return (0.5 * (1 + t) + 0.5 * z * (1 - t**2) * inner).astype(z.dtype)
    pdf = np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)
    return (0.5 * (1 + erf(z / np.sqrt(2))) + z * pdf).astype(z.dtype)


def softmax(z, axis=0):
    z = _float(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
