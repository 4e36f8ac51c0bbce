"""Hostile: replaces the spec's XOR recipe loop, which runs in its process (spec/xor_loop.py, a driver), with one that
trains nothing and hands back the targets themselves as the last epoch's output, with the untrained parameters; its
contract functions are wrong (forward outputs 0.5 everywhere). The spec compares the handed-back output with the
fixture's, which the worker never sees, and runs forward on the parameters itself, so this gains nothing: the
output is right to the document's whole numbers but not to the recipe's computed values."""

import numpy as np
from _activations import *  # noqa: F403  (a few contract functions; the tampered loop calls none of them)

import spec.xor_loop


def forward(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    return np.full((1, X.shape[1]), 0.5), None


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="mse"):
    return {"dW1": 0.0, "db1": 0.0, "dW2": 0.0, "db2": 0.0}


def update_parameters(parameters, grads, learning_rate):
    return parameters


def mse(AL, Y):
    return float(np.mean((AL - Y) ** 2))


def predict(X, parameters, hidden_activation="relu", output_activation="sigmoid"):
    return (forward(X, parameters)[0] > 0.5).astype(int).ravel()


def _tampered(impl, X, Y, parameters, activations, learning_rate, epochs):
    return Y.copy(), parameters


spec.xor_loop.train = _tampered
