"""A submission with a classic bug: dW and db summed over the batch instead of averaged (the missing 1/m)."""

import numpy as np


def linear_forward(A_prev, W, b):
    return W @ A_prev + b


def linear_backward(dZ, A_prev, W):
    return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)
