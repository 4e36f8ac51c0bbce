"""Bad input gets a clear error naming the argument, what was received and what was expected (invariant 6)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import reference as R

X = np.zeros((3, 5))
Y_ONE_HOT = np.eye(2)[:, [0, 1, 0, 1, 0]]
PARAMETERS = R.initialize_parameters([3, 4, 2], "he", seed=0)


def raises(error: type[Exception], *fragments: str) -> Any:
    """Expect ``error`` whose message contains every fragment (matched literally)."""
    return pytest.raises(error, match="(?s)" + "".join(f"(?=.*{re.escape(f)})" for f in fragments))


def test_mismatched_layer_shapes_name_the_layer_and_both_shapes() -> None:
    wrong = {**PARAMETERS, "W2": np.zeros((2, 5))}
    with raises(ValueError, "layer 2", "(2, 5)", "(4, 5)"):
        R.forward(X, wrong, "relu", "softmax")


def test_input_with_the_wrong_number_of_features_names_layer_1() -> None:
    with raises(ValueError, "layer 1", "(4, 3)", "(7, 5)"):
        R.forward(np.zeros((7, 5)), PARAMETERS)


def test_a_one_dimensional_bias_is_refused_not_broadcast() -> None:
    with raises(ValueError, "b must have shape (4, 1)", "got (4,)", "reshape(-1, 1)"):
        R.forward(X, {**PARAMETERS, "b1": np.zeros(4)})
    with raises(ValueError, "b must have shape (2, 1)", "got (2,)"):
        R.linear_forward(X, np.zeros((2, 3)), np.zeros(2))


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "categorical_cross_entropy", "mse"])
def test_labels_of_another_shape_than_AL_are_refused(loss: str) -> None:
    AL = np.full((2, 5), 0.5)
    with raises(ValueError, "Y", "(2, 5)", "(5, 2)"):
        R.compute_cost(AL, AL.T, loss)
    with raises(ValueError, "Y", "(2, 5)", "(1, 5)"):
        getattr(R, f"{loss}_gradient")(AL, np.ones((1, 5)))


def test_backward_refuses_labels_of_another_shape() -> None:
    AL, caches = R.forward(X, PARAMETERS, "relu", "softmax")
    with raises(ValueError, "Y must have the shape of AL (2, 5)", "got (5,)"):
        R.backward(AL, np.zeros(5), caches, "relu", "softmax", "categorical_cross_entropy")


@pytest.mark.parametrize(
    ("call", "argument", "valid"),
    [
        (lambda: R.forward(X, PARAMETERS, hidden_activation="swish"), "hidden_activation", "'gelu'"),
        (lambda: R.forward(X, PARAMETERS, output_activation="relu"), "output_activation", "'linear'"),
        (lambda: R.compute_cost(np.ones((1, 2)) / 2, np.ones((1, 2)), loss="hinge"), "loss", "'mse'"),
        (lambda: R.initialize_parameters([3, 2], method="glorot"), "method", "'xavier'"),
        (lambda: R.train(X, Y_ONE_HOT, [3, 2], loss="nll"), "loss", "'categorical_cross_entropy'"),
    ],
)
def test_unknown_names_list_the_valid_ones(call, argument: str, valid: str) -> None:
    with raises(ValueError, f"{argument} must be one of", valid):
        call()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_training_refuses_non_finite_inputs(bad: float) -> None:
    X_bad = X.copy()
    X_bad[1, 2] = bad
    with raises(ValueError, "X must be finite", "1 non-finite", "(1, 2)"):
        R.train(X_bad, Y_ONE_HOT, [3, 2])
    Y_bad = Y_ONE_HOT.copy()
    Y_bad[0, 4] = bad
    with raises(ValueError, "Y must be finite", "(0, 4)"):
        R.train(X, Y_bad, [3, 2])


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_probability_outside_zero_one_is_refused(p: float) -> None:
    with raises(ValueError, "p (the probability of dropping a unit) must be in [0, 1)", repr(p)):
        R.dropout_forward(np.ones((2, 2)), p, np.random.default_rng(0))
    with raises(ValueError, "must be in [0, 1)", repr(p)):
        R.dropout_backward(np.ones((2, 2)), np.ones((2, 2)), p)


def test_dropout_needs_a_generator() -> None:
    with raises(TypeError, "rng must be a numpy.random.Generator", "int"):
        R.dropout_forward(np.ones((2, 2)), 0.5, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("dims", [[], [3], [3, 0, 2], [3, 2.5]])
def test_empty_or_invalid_layer_dims_are_refused(dims: list) -> None:
    with raises(ValueError, "layer_dims must list at least two positive integers", repr(dims)):
        R.initialize_parameters(dims)


def test_training_refuses_data_that_does_not_fit_layer_dims() -> None:
    with raises(ValueError, "X must be (4, m)", "got X (3, 5)"):
        R.train(X, Y_ONE_HOT, [4, 2])


def test_missing_parameters_are_named() -> None:
    partial = {k: v for k, v in PARAMETERS.items() if k != "b2"}
    with raises(ValueError, "W1..WL and b1..bL", "missing ['b2']"):
        R.forward(X, partial)


def test_update_refuses_gradients_of_another_shape() -> None:
    grads = {f"d{k}": np.zeros_like(v) for k, v in PARAMETERS.items()}
    grads["dW1"] = grads["dW1"].T
    with raises(ValueError, "dW1 must have the shape of W1 (4, 3)", "got (3, 4)"):
        R.update_parameters(PARAMETERS, grads, 0.1)
    with raises(ValueError, "dW1 must have the shape of W1 (4, 3)"):
        R.adam_update(PARAMETERS, grads, None, 0.1)


def test_norm_layers_name_gamma_and_its_expected_shape() -> None:
    with raises(ValueError, "gamma must have shape (3, 1)", "got (3,)"):
        R.batchnorm_forward(X, np.ones(3), np.zeros((3, 1)))
    with raises(ValueError, "beta must have shape (3, 1)", "got (1, 3)"):
        R.layernorm_forward(X, np.ones((3, 1)), np.zeros((1, 3)))


def test_numerical_gradient_refuses_an_x_it_cannot_nudge_in_place() -> None:
    with raises(ValueError, "x must be a float32 or float64 array", "dtype int64"):
        R.numerical_gradient(lambda v: float(np.sum(v)), np.arange(3, dtype=np.int64))
    frozen = np.zeros(3)
    frozen.flags.writeable = False
    with raises(ValueError, "x must be writable"):
        R.numerical_gradient(lambda v: float(np.sum(v)), frozen)
    with raises(TypeError, "x must be a NumPy float array", "got list"):
        R.numerical_gradient(lambda v: float(np.sum(v)), [1.0, 2.0])  # type: ignore[arg-type]


def test_perceptron_vectors_must_match() -> None:
    with raises(ValueError, "w and x must be vectors of the same length", "w (2,)", "x (3,)"):
        R.perceptron_predict(np.zeros(2), 0.0, np.zeros(3))


def test_non_numeric_input_is_a_type_error_naming_the_argument() -> None:
    with raises(TypeError, "z must hold real numbers", "dtype <U1"):
        R.sigmoid(np.array(["a"]))
