"""The nnspec reference: a minimal, pure-functional NumPy implementation of contract version 1.

It is one implementation under test, not the oracle. Every function is importable from here; the modules are
named after the contract's chapters (docs/contract.md).
"""

from reference.activations import (
    gelu,
    gelu_derivative,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    tanh,
    tanh_derivative,
)
from reference.gradient_check import numerical_gradient, relative_error
from reference.layers import linear_backward, linear_forward
from reference.losses import (
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    categorical_cross_entropy,
    categorical_cross_entropy_gradient,
    compute_cost,
    mse,
    mse_gradient,
)
from reference.network import backward, forward, initialize_parameters, predict, train, update_parameters
from reference.normalization import batchnorm_backward, batchnorm_forward, layernorm_backward, layernorm_forward
from reference.optimizers import adam_update, adamw_update, rmsprop_update, sgd_momentum_update
from reference.perceptron import perceptron_predict, perceptron_train, perceptron_update
from reference.regularization import (
    dropout_backward,
    dropout_forward,
    l1_gradient,
    l1_penalty,
    l2_gradient,
    l2_penalty,
)

NNSPEC_CONTRACT = "1"

__all__ = [
    "NNSPEC_CONTRACT",
    "adam_update",
    "adamw_update",
    "backward",
    "batchnorm_backward",
    "batchnorm_forward",
    "binary_cross_entropy",
    "binary_cross_entropy_gradient",
    "categorical_cross_entropy",
    "categorical_cross_entropy_gradient",
    "compute_cost",
    "dropout_backward",
    "dropout_forward",
    "forward",
    "gelu",
    "gelu_derivative",
    "initialize_parameters",
    "l1_gradient",
    "l1_penalty",
    "l2_gradient",
    "l2_penalty",
    "layernorm_backward",
    "layernorm_forward",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear_backward",
    "linear_forward",
    "mse",
    "mse_gradient",
    "numerical_gradient",
    "perceptron_predict",
    "perceptron_train",
    "perceptron_update",
    "predict",
    "relative_error",
    "relu",
    "relu_derivative",
    "rmsprop_update",
    "sgd_momentum_update",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "tanh",
    "tanh_derivative",
    "train",
    "update_parameters",
]
