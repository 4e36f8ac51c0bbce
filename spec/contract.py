"""Contract version 1 in machine-readable form: every function, by chapter, with its parameters and defaults.

docs/contract.md is the prose; this table is what tools check signatures against. A default is written as its
Python literal; a parameter without a default has none.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

CONTRACT_VERSION = "1"

SIGNATURES: dict[str, dict[str, str]] = {
    "activations": {
        "sigmoid": "(z)",
        "sigmoid_derivative": "(z)",
        "tanh": "(z)",
        "tanh_derivative": "(z)",
        "relu": "(z)",
        "relu_derivative": "(z)",
        "leaky_relu": "(z, alpha=0.01)",
        "leaky_relu_derivative": "(z, alpha=0.01)",
        "gelu": "(z, approximate=False)",
        "gelu_derivative": "(z, approximate=False)",
        "softmax": "(z, axis=0)",
    },
    "losses": {
        "mse": "(AL, Y)",
        "mse_gradient": "(AL, Y)",
        "binary_cross_entropy": "(AL, Y)",
        "binary_cross_entropy_gradient": "(AL, Y)",
        "categorical_cross_entropy": "(AL, Y)",
        "categorical_cross_entropy_gradient": "(AL, Y)",
        "compute_cost": "(AL, Y, loss='binary_cross_entropy')",
    },
    "perceptron": {
        "perceptron_predict": "(w, b, x)",
        "perceptron_update": "(w, b, x, y, learning_rate)",
        "perceptron_train": "(X, y, learning_rate=0.01, epochs=100)",
    },
    "layers": {
        "linear_forward": "(A_prev, W, b)",
        "linear_backward": "(dZ, A_prev, W)",
    },
    "network": {
        "initialize_parameters": "(layer_dims, method='he', seed=0)",
        "forward": "(X, parameters, hidden_activation='relu', output_activation='sigmoid')",
        "backward": "(AL, Y, caches, hidden_activation='relu', output_activation='sigmoid', "
        "loss='binary_cross_entropy')",
        "update_parameters": "(parameters, grads, learning_rate)",
        "predict": "(X, parameters, hidden_activation='relu', output_activation='softmax')",
        "train": "(X, Y, layer_dims, learning_rate=0.1, epochs=10, batch_size=64, hidden_activation='relu', "
        "output_activation='softmax', loss='categorical_cross_entropy', seed=0)",
    },
    "optimizers": {
        "sgd_momentum_update": "(parameters, grads, state, learning_rate, beta=0.9)",
        "rmsprop_update": "(parameters, grads, state, learning_rate, beta=0.9, eps=1e-08)",
        "adam_update": "(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-08)",
        "adamw_update": "(parameters, grads, state, learning_rate, beta1=0.9, beta2=0.999, eps=1e-08, "
        "weight_decay=0.01)",
    },
    "regularization": {
        "l2_penalty": "(parameters, lambd)",
        "l2_gradient": "(parameters, lambd)",
        "l1_penalty": "(parameters, lambd)",
        "l1_gradient": "(parameters, lambd)",
        "dropout_forward": "(A, p, rng)",
        "dropout_backward": "(dA_out, mask, p)",
    },
    "normalization": {
        "batchnorm_forward": "(X, gamma, beta, eps=1e-05, training=True, running_mean=None, running_var=None, "
        "momentum=0.1)",
        "batchnorm_backward": "(dY, cache)",
        "layernorm_forward": "(X, gamma, beta, eps=1e-05)",
        "layernorm_backward": "(dY, cache)",
    },
    "gradient check": {
        "numerical_gradient": "(f, x, eps=1e-05)",
        "relative_error": "(a, b)",
    },
}

FUNCTIONS: dict[str, str] = {name: sig for chapter in SIGNATURES.values() for name, sig in chapter.items()}


def signature_of(function: Callable[..., object]) -> str:
    """The parameter list of ``function`` written as in SIGNATURES: names and defaults, no annotations."""
    parameters = [
        parameter.replace(annotation=inspect.Parameter.empty)
        for parameter in inspect.signature(function).parameters.values()
    ]
    return str(inspect.Signature(parameters))
