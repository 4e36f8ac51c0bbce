"""Correct but different: the sigmoid is scipy.special.expit, its derivative expit(z) expit(-z).

sigma'(z) = sigma(z) (1 - sigma(z)) = sigma(z) sigma(-z): the second form never subtracts from 1, so it keeps
its relative accuracy where sigma(z) is close to 1. Everything else is the reference's.
"""

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from reference import (  # the contract functions this variant takes as they are
    NNSPEC_CONTRACT,
    adam_update,
    adamw_update,
    backward,
    batchnorm_backward,
    batchnorm_forward,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    categorical_cross_entropy,
    categorical_cross_entropy_gradient,
    compute_cost,
    dropout_backward,
    dropout_forward,
    forward,
    gelu,
    gelu_derivative,
    initialize_parameters,
    l1_gradient,
    l1_penalty,
    l2_gradient,
    l2_penalty,
    layernorm_backward,
    layernorm_forward,
    leaky_relu,
    leaky_relu_derivative,
    linear_backward,
    linear_forward,
    mse,
    mse_gradient,
    numerical_gradient,
    perceptron_predict,
    perceptron_train,
    perceptron_update,
    predict,
    relative_error,
    relu,
    relu_derivative,
    rmsprop_update,
    sgd_momentum_update,
    softmax,
    tanh,
    tanh_derivative,
    train,
    update_parameters,
)

__all__ = [  # the whole contract: the functions above and those defined below
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


def _floats(z: ArrayLike) -> np.ndarray:
    """z as a float array: float32 and float64 kept, anything else as float64."""
    array = np.asarray(z)
    return array if array.dtype in (np.float32, np.float64) else array.astype(np.float64)


def sigmoid(z: ArrayLike) -> np.ndarray:
    return expit(_floats(z))


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    z = _floats(z)
    return expit(z) * expit(-z)
