"""Activations chapter: values, derivatives, identities, stability, dtypes and purity (document 003 §1.2)."""

from __future__ import annotations

import numpy as np
from hypothesis import given

from spec import oracles
from spec.assertions import assert_close
from spec.impl import Implementation
from spec.requirements import requirement
from spec.strategies import float_arrays


@requirement("ACT-SIGMOID-VALUES", "sigmoid(z) = 1 / (1 + exp(-z)) elementwise", "003 §1.2; scipy.special.expit")
@given(z=float_arrays())
def test_act_sigmoid_values(impl: Implementation, z: np.ndarray) -> None:
    assert_close(impl.sigmoid(z), oracles.sigmoid(z), fn="sigmoid", inputs={"z": z}, rtol=1e-12)


@requirement("ACT-SIGMOID-DERIVATIVE", "sigmoid_derivative(z) = sigma(z)(1 - sigma(z))", "003 §1.2")
@given(z=float_arrays())
def test_act_sigmoid_derivative(impl: Implementation, z: np.ndarray) -> None:
    assert_close(
        impl.sigmoid_derivative(z), oracles.sigmoid_derivative(z), fn="sigmoid_derivative", inputs={"z": z},
        rtol=1e-12, alternatives={"sigma'(sigma(z)): the derivative applied to the activation, not z":
                                  oracles.sigmoid_derivative(oracles.sigmoid(z))},
    )


@requirement("ACT-RELU-VALUES", "relu(z) = max(0, z) elementwise", "003 §1.2")
@given(z=float_arrays())
def test_act_relu_values(impl: Implementation, z: np.ndarray) -> None:
    assert_close(impl.relu(z), oracles.relu(z), fn="relu", inputs={"z": z}, rtol=0.0)
