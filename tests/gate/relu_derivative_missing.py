"""A submission whose backward forgets the ReLU derivative of the hidden layers: it still trains a little.

Everything else is the reference's (so only this bug is under test). The gate must fail it, saying the accuracy.
"""

from reference import *  # noqa: F403  (the rest of the contract, unchanged)
from reference import network as _network
from reference.layers import linear_backward, parameter_gradients


def backward(AL, Y, caches, hidden_activation="relu", output_activation="sigmoid", loss="binary_cross_entropy"):
    """Backprop that passes dA_prev straight through each hidden activation (dZ = dA instead of dA * g'(Z))."""
    dZ = _network._output_delta(AL, Y, caches[-1][2], output_activation, loss)
    grads = {}
    for layer in range(len(caches), 1, -1):
        A_prev, W, _ = caches[layer - 1]
        dZ, grads[f"dW{layer}"], grads[f"db{layer}"] = linear_backward(dZ, A_prev, W)
    grads["dW1"], grads["db1"] = parameter_gradients(dZ, caches[0][0])
    return grads
