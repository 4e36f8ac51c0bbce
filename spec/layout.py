"""What each contract argument and result is under the contract's column-major layout (docs/contract.md,
"Conventions" and the chapters' tables), so that an assignment written row-major can be mapped onto it.

Roles:

- ``SAMPLES``: a 2-D array whose columns are samples, ``(features, m)`` (X, Y, AL, A_prev, Z, dZ, a softmax's z);
- ``WEIGHT``: a layer's ``W`` (or ``dW``), ``(n_out, n_in)``;
- ``BIAS``: a column ``(n, 1)`` per unit (b, db, batch norm's gamma, beta and running statistics);
- ``PARAMETERS``: a dict of ``W{l}``/``b{l}`` (or ``dW{l}``/``db{l}``), each key by its own role.

Anything else (elementwise arrays of any shape, vectors, numbers, choices, caches and optimizer state, which are the
implementation's own, callbacks) has no role: it means the same in every layout. Results are one role, or a list
with one role per item of the tuple returned (``None``: no role).
"""

from __future__ import annotations

SAMPLES, WEIGHT, BIAS, PARAMETERS = "samples", "weight", "bias", "parameters"

_LOSS = {"AL": SAMPLES, "Y": SAMPLES}
_OPTIMIZER = {"parameters": PARAMETERS, "grads": PARAMETERS}

ARGUMENTS: dict[str, dict[str, str]] = {
    "softmax": {"z": SAMPLES},
    **{loss: _LOSS for loss in ("mse", "mse_gradient", "binary_cross_entropy", "binary_cross_entropy_gradient",
                                "categorical_cross_entropy", "categorical_cross_entropy_gradient", "compute_cost")},
    "perceptron_train": {"X": SAMPLES},
    "linear_forward": {"A_prev": SAMPLES, "W": WEIGHT, "b": BIAS},
    "linear_backward": {"dZ": SAMPLES, "A_prev": SAMPLES, "W": WEIGHT},
    "forward": {"X": SAMPLES, "parameters": PARAMETERS},
    "backward": {"AL": SAMPLES, "Y": SAMPLES},
    "update_parameters": _OPTIMIZER,
    "predict": {"X": SAMPLES, "parameters": PARAMETERS},
    "train": {"X": SAMPLES, "Y": SAMPLES},
    **{optimizer: _OPTIMIZER for optimizer in ("sgd_momentum_update", "rmsprop_update", "adam_update",
                                               "adamw_update")},
    **{penalty: {"parameters": PARAMETERS} for penalty in ("l2_penalty", "l2_gradient", "l1_penalty",
                                                           "l1_gradient")},
    "batchnorm_forward": {"X": SAMPLES, "gamma": BIAS, "beta": BIAS, "running_mean": BIAS, "running_var": BIAS},
    "batchnorm_backward": {"dY": SAMPLES},
    "layernorm_forward": {"X": SAMPLES, "gamma": BIAS, "beta": BIAS},
    "layernorm_backward": {"dY": SAMPLES},
}

RESULTS: dict[str, str | list[str | None]] = {
    "softmax": SAMPLES,
    **{gradient: SAMPLES for gradient in ("mse_gradient", "binary_cross_entropy_gradient",
                                          "categorical_cross_entropy_gradient")},
    "linear_forward": SAMPLES,
    "linear_backward": [SAMPLES, WEIGHT, BIAS],
    "initialize_parameters": PARAMETERS,
    "forward": [SAMPLES, None],
    "backward": PARAMETERS,
    "update_parameters": PARAMETERS,
    "train": [PARAMETERS, None],
    **{optimizer: [PARAMETERS, None] for optimizer in ("sgd_momentum_update", "rmsprop_update", "adam_update",
                                                       "adamw_update")},
    "l2_gradient": PARAMETERS,
    "l1_gradient": PARAMETERS,
    "batchnorm_forward": [SAMPLES, None, BIAS, BIAS],
    "batchnorm_backward": [SAMPLES, BIAS, BIAS],
    "layernorm_forward": [SAMPLES, None],
    "layernorm_backward": [SAMPLES, BIAS, BIAS],
}
