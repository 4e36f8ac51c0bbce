"""The optimizers chapter: SGD with momentum, RMSProp, Adam and AdamW steps.

Sources: 003_d92bbac1e53fa49d.txt §1.6 "Optimizers — beyond vanilla SGD" (formulas, defaults) and
004_2272858fb68a8059.txt "AdamW" (decoupled decay). Every step takes ``parameters`` {"W1", "b1", ...},
``grads`` {"dW1", "db1", ...} and the ``state`` returned by the previous call (None at the first step) and returns
``(parameters, state)``; the state is opaque to the spec.

Oracles: closed forms for a constant gradient g (derived below from the recursions: the moving average of a
constant after t steps from 0 is (1 - beta^t) g) and the recursions themselves written out in float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from spec.assertions import assert_close, assert_pure_call, check
from spec.impl import Chain, Earlier
from spec.requirements import requirement
from spec.strategies import gradient_sequence

SOURCE_OPT = "003_d92bbac1e53fa49d.txt, §1.6 Optimizers — beyond vanilla SGD"
SOURCE_ADAMW = "004_2272858fb68a8059.txt, AdamW; contract v1 (decay uses the value before the step, biases too)"
STEPS = 6  # long enough for the bias corrections to move away from their first-step values
RTOL = 1e-10  # a few float64 operations per step: only rounding separates the oracle from the implementation
ATOL = 1e-12  # parameters that pass through 0 are compared absolutely
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # the contract's (and 003's) defaults
WEIGHT_DECAY = 0.01  # contract default for adamw_update

Params = dict[str, np.ndarray]
Shapes = dict[str, tuple[int, ...]]
SHAPES: Shapes = {"W1": (3, 2), "b1": (3, 1), "W2": (1, 3), "b2": (1, 1)}  # a 2-3-1 network
SCALAR_SHAPES: Shapes = {"W1": (1, 1), "b1": (1, 1)}  # a single weight and bias: the scalar case


def _parameters(shapes: Shapes, seed: int) -> Params:
    rng = np.random.default_rng(seed)
    return {name: rng.normal(size=shape) for name, shape in shapes.items()}


def _constant_gradient(shapes: Shapes, seed: int) -> Params:
    rng = np.random.default_rng(seed)
    return {"d" + name: rng.normal(size=shape) * 10.0 ** rng.integers(-3, 2, size=shape)
            for name, shape in shapes.items()}


def _run(impl: Any, step: str, parameters: Params, grads_sequence: list[Params], **hyper: float) -> list[Params]:
    """Call ``step`` once per gradient, threading the returned parameters and state (one chain of calls: the
    state None at the first); returns the parameters after each step."""
    calls: Chain = [(step, (parameters if index == 0 else Earlier(index - 1, 0), grads,
                            None if index == 0 else Earlier(index - 1, 1)), hyper)
                    for index, grads in enumerate(grads_sequence)]
    return [result[0] for result in impl.chain(calls)]


def _momentum_oracle(parameters: Params, grads_sequence: list[Params], lr: float, beta: float) -> list[Params]:
    velocity = {name: np.zeros_like(p) for name, p in parameters.items()}
    trajectory = []
    for grads in grads_sequence:
        velocity = {name: beta * velocity[name] + (1 - beta) * grads["d" + name] for name in parameters}
        parameters = {name: p - lr * velocity[name] for name, p in parameters.items()}
        trajectory.append(parameters)
    return trajectory


def _rmsprop_oracle(
    parameters: Params, grads_sequence: list[Params], lr: float, beta: float, eps: float
) -> list[Params]:
    square = {name: np.zeros_like(p) for name, p in parameters.items()}
    trajectory = []
    for grads in grads_sequence:
        square = {name: beta * square[name] + (1 - beta) * grads["d" + name] ** 2 for name in parameters}
        parameters = {
            name: p - lr * grads["d" + name] / (np.sqrt(square[name]) + eps) for name, p in parameters.items()
        }
        trajectory.append(parameters)
    return trajectory


def _adam_oracle(
    parameters: Params,
    grads_sequence: list[Params],
    lr: float,
    *,
    weight_decay: float = 0.0,
    bias_correction: bool = True,
    eps_inside_sqrt: bool = False,
    decay_after_step: bool = False,
    decay_biases: bool = True,
) -> list[Params]:
    """Adam/AdamW written out (t starts at 1); the keyword switches produce the common mistakes for hints."""
    first = {name: np.zeros_like(p) for name, p in parameters.items()}
    second = {name: np.zeros_like(p) for name, p in parameters.items()}
    trajectory = []
    for t, grads in enumerate(grads_sequence, start=1):
        first = {name: BETA1 * first[name] + (1 - BETA1) * grads["d" + name] for name in parameters}
        second = {name: BETA2 * second[name] + (1 - BETA2) * grads["d" + name] ** 2 for name in parameters}
        new = {}
        for name, p in parameters.items():
            m_hat = first[name] / (1 - BETA1**t) if bias_correction else first[name]
            v_hat = second[name] / (1 - BETA2**t) if bias_correction else second[name]
            denominator = np.sqrt(v_hat + EPS) if eps_inside_sqrt else np.sqrt(v_hat) + EPS
            stepped = p - lr * m_hat / denominator
            decay = weight_decay if decay_biases or name.startswith("W") else 0.0
            new[name] = stepped * (1 - lr * decay) if decay_after_step else stepped - lr * decay * p
        parameters = new
        trajectory.append(parameters)
    return trajectory


def _stack(trajectory: list[Params], names: list[str]) -> np.ndarray:
    """(steps, total size): row t - 1 holds the parameters after step t, flattened in the order of ``names``."""
    return np.array([np.concatenate([np.ravel(step[name]) for name in names]) for step in trajectory])


def _assert_trajectory(
    got: list[Params],
    expected: list[Params],
    fn: str,
    inputs: dict[str, Any],
    alternatives: dict[str, list[Params]] | None = None,
) -> None:
    """The whole trajectory at once, so that a known mistake is named only when it explains every step."""
    names = list(expected[0])
    layout = ", ".join(f"{name} {np.shape(expected[0][name])}" for name in names)
    for step, got_step in enumerate(got, start=1):
        check(sorted(got_step) == sorted(names), f"{fn} must return the parameters {sorted(names)}; "
                                                 f"at step {step} got {sorted(got_step)}")
    wrong = {label: _stack(trajectory, names) for label, trajectory in (alternatives or {}).items()}
    assert_close(_stack(got, names), _stack(expected, names), fn=fn, inputs=inputs, rtol=RTOL, atol=ATOL,
                 what=f"parameters after each step (row t - 1: after step t; columns: {layout}, flattened)",
                 alternatives=wrong)


shape_sets = st.sampled_from([SCALAR_SHAPES, SHAPES])
seeds = st.integers(0, 2**16)
learning_rates = st.sampled_from([1e-3, 0.01, 0.1, 0.5])


@requirement(
    "OPT-MOMENTUM-CONSTANT-GRADIENT",
    "sgd_momentum_update with a constant gradient g moves theta by lr (1 - beta^t) g at step t (v starts at 0)",
    SOURCE_OPT + " (v_t = beta v_{t-1} + (1 - beta) g)",
)
@given(shape_sets, seeds, learning_rates, st.sampled_from([0.5, 0.9, 0.99]))
def test_opt_momentum_constant_gradient(
    impl: Any, shapes: Shapes, seed: int, lr: float, beta: float
) -> None:
    parameters, g = _parameters(shapes, seed), _constant_gradient(shapes, seed + 1)
    got = _run(impl, "sgd_momentum_update", parameters, [g] * STEPS, learning_rate=lr, beta=beta)
    expected = [
        {name: p - lr * g["d" + name] * sum(1 - beta**k for k in range(1, t + 1)) for name, p in parameters.items()}
        for t in range(1, STEPS + 1)
    ]
    no_damping = [{name: p - lr * g["d" + name] * sum(sum(beta**j for j in range(k)) for k in range(1, t + 1))
                   for name, p in parameters.items()} for t in range(1, STEPS + 1)]
    inputs = {"parameters": parameters, "grads": g, "state": "None, then the returned state",
              "learning_rate": lr, "beta": beta}
    _assert_trajectory(got, expected, "sgd_momentum_update", inputs,
                       {"momentum without the (1 - beta) factor (v = beta v + g)": no_damping})


@requirement(
    "OPT-MOMENTUM-TRAJECTORY",
    "sgd_momentum_update follows v = beta v + (1 - beta) g, theta -= lr v over several steps",
    SOURCE_OPT,
)
@given(shape_sets, seeds, learning_rates)
def test_opt_momentum_trajectory(impl: Any, shapes: Shapes, seed: int, lr: float) -> None:
    parameters, sequence = _parameters(shapes, seed), gradient_sequence(shapes, seed + 1, STEPS)
    got = _run(impl, "sgd_momentum_update", parameters, sequence, learning_rate=lr)
    inputs = {"parameters": parameters, "grads": f"{STEPS} varying gradients", "learning_rate": lr, "beta": "default"}
    _assert_trajectory(got, _momentum_oracle(parameters, sequence, lr, 0.9), "sgd_momentum_update", inputs)


@requirement(
    "OPT-MOMENTUM-BETA-ZERO-IS-SGD",
    "sgd_momentum_update with beta = 0 is plain gradient descent: theta - lr g at every step",
    SOURCE_OPT + " (identity: beta = 0 leaves v = g)",
)
@given(shape_sets, seeds, learning_rates)
def test_opt_momentum_beta_zero_is_sgd(impl: Any, shapes: Shapes, seed: int, lr: float) -> None:
    parameters, sequence = _parameters(shapes, seed), gradient_sequence(shapes, seed + 1, STEPS)
    got = _run(impl, "sgd_momentum_update", parameters, sequence, learning_rate=lr, beta=0.0)
    expected, current = [], parameters
    for grads in sequence:
        current = {name: p - lr * grads["d" + name] for name, p in current.items()}
        expected.append(current)
    inputs = {"parameters": parameters, "grads": f"{STEPS} varying gradients", "learning_rate": lr, "beta": 0.0}
    _assert_trajectory(got, expected, "sgd_momentum_update", inputs)


@requirement(
    "OPT-RMSPROP-CONSTANT-GRADIENT",
    "rmsprop_update with a constant gradient g moves theta by lr g / (|g| sqrt(1 - beta^t) + eps) at step t",
    SOURCE_OPT + " (s_t = beta s_{t-1} + (1 - beta) g^2, theta -= lr g / (sqrt(s_t) + eps))",
)
@given(shape_sets, seeds, learning_rates, st.sampled_from([0.5, 0.9, 0.99]))
def test_opt_rmsprop_constant_gradient(
    impl: Any, shapes: Shapes, seed: int, lr: float, beta: float
) -> None:
    parameters, g = _parameters(shapes, seed), _constant_gradient(shapes, seed + 1)
    got = _run(impl, "rmsprop_update", parameters, [g] * STEPS, learning_rate=lr, beta=beta)
    expected, current = [], parameters
    for t in range(1, STEPS + 1):
        current = {name: p - lr * g["d" + name] / (np.abs(g["d" + name]) * np.sqrt(1 - beta**t) + EPS)
                   for name, p in current.items()}
        expected.append(current)
    inputs = {"parameters": parameters, "grads": g, "state": "None, then the returned state",
              "learning_rate": lr, "beta": beta}
    _assert_trajectory(got, expected, "rmsprop_update", inputs)


@requirement(
    "OPT-RMSPROP-TRAJECTORY",
    "rmsprop_update follows s = beta s + (1 - beta) g^2, theta -= lr g / (sqrt(s) + eps) over several steps",
    SOURCE_OPT,
)
@given(shape_sets, seeds, learning_rates)
def test_opt_rmsprop_trajectory(impl: Any, shapes: Shapes, seed: int, lr: float) -> None:
    parameters, sequence = _parameters(shapes, seed), gradient_sequence(shapes, seed + 1, STEPS)
    got = _run(impl, "rmsprop_update", parameters, sequence, learning_rate=lr)
    inputs = {"parameters": parameters, "grads": f"{STEPS} varying gradients", "learning_rate": lr,
              "beta": "default", "eps": "default"}
    _assert_trajectory(got, _rmsprop_oracle(parameters, sequence, lr, 0.9, EPS), "rmsprop_update", inputs)


@requirement(
    "OPT-ADAM-CONSTANT-GRADIENT",
    "adam_update with a constant gradient g moves theta by exactly lr g / (|g| + eps) at every step "
    "(bias correction makes m_hat = g and v_hat = g^2)",
    SOURCE_OPT + " (Adam with bias correction, t starting at 1)",
)
@given(shape_sets, seeds, learning_rates)
def test_opt_adam_constant_gradient(impl: Any, shapes: Shapes, seed: int, lr: float) -> None:
    parameters, g = _parameters(shapes, seed), _constant_gradient(shapes, seed + 1)
    got = _run(impl, "adam_update", parameters, [g] * STEPS, learning_rate=lr)
    expected = [{name: p - t * lr * g["d" + name] / (np.abs(g["d" + name]) + EPS) for name, p in parameters.items()}
                for t in range(1, STEPS + 1)]
    inputs = {"parameters": parameters, "grads": g, "state": "None, then the returned state", "learning_rate": lr}
    _assert_trajectory(got, expected, "adam_update", inputs, _adam_mistakes(parameters, [g] * STEPS, lr))


def _adam_mistakes(parameters: Params, sequence: list[Params], lr: float) -> dict[str, list[Params]]:
    return {
        "Adam WITHOUT bias correction (divide m by 1 - beta1^t and v by 1 - beta2^t)":
            _adam_oracle(parameters, sequence, lr, bias_correction=False),
        "Adam with eps INSIDE the square root (it belongs outside: sqrt(v_hat) + eps)":
            _adam_oracle(parameters, sequence, lr, eps_inside_sqrt=True),
    }


@requirement(
    "OPT-ADAM-TRAJECTORY",
    "adam_update follows the bias-corrected Adam recursion (t = 1 at the first step, state None) over several steps",
    SOURCE_OPT,
)
@given(shape_sets, seeds, learning_rates)
def test_opt_adam_trajectory(impl: Any, shapes: Shapes, seed: int, lr: float) -> None:
    parameters, sequence = _parameters(shapes, seed), gradient_sequence(shapes, seed + 1, STEPS)
    got = _run(impl, "adam_update", parameters, sequence, learning_rate=lr)
    inputs = {"parameters": parameters, "grads": f"{STEPS} varying gradients", "learning_rate": lr,
              "beta1, beta2, eps": "defaults 0.9, 0.999, 1e-8"}
    _assert_trajectory(got, _adam_oracle(parameters, sequence, lr), "adam_update", inputs,
                       _adam_mistakes(parameters, sequence, lr))


@requirement(
    "OPT-ADAMW-TRAJECTORY",
    "adamw_update is Adam plus decoupled decay lr * weight_decay * theta_before_step, on every parameter "
    "(biases too)",
    SOURCE_ADAMW,
)
@given(shape_sets, seeds, st.sampled_from([0.1, 0.5]), st.sampled_from([WEIGHT_DECAY, 0.1]))
def test_opt_adamw_trajectory(
    impl: Any, shapes: Shapes, seed: int, lr: float, weight_decay: float
) -> None:
    parameters, sequence = _parameters(shapes, seed), gradient_sequence(shapes, seed + 1, STEPS)
    hyper: dict[str, float] = {"learning_rate": lr} if weight_decay == WEIGHT_DECAY else \
        {"learning_rate": lr, "weight_decay": weight_decay}
    got = _run(impl, "adamw_update", parameters, sequence, **hyper)
    expected = _adam_oracle(parameters, sequence, lr, weight_decay=weight_decay)
    # learning rates of 0.1 and more make the decay mistakes differ from the truth by >= 1e-4 (hints need 1e-6)
    mistakes = {
        "decay applied to the value AFTER the Adam step (use theta before the step)":
            _adam_oracle(parameters, sequence, lr, weight_decay=weight_decay, decay_after_step=True),
        "decay on the weights only (the contract decays every parameter passed, biases too)":
            _adam_oracle(parameters, sequence, lr, weight_decay=weight_decay, decay_biases=False),
        "plain Adam (no weight decay at all)": _adam_oracle(parameters, sequence, lr),
        "AdamW WITHOUT bias correction":
            _adam_oracle(parameters, sequence, lr, weight_decay=weight_decay, bias_correction=False),
        "AdamW with eps INSIDE the square root (it belongs outside: sqrt(v_hat) + eps)":
            _adam_oracle(parameters, sequence, lr, weight_decay=weight_decay, eps_inside_sqrt=True),
    }
    inputs = {"parameters": parameters, "grads": f"{STEPS} varying gradients", **hyper}
    _assert_trajectory(got, expected, "adamw_update", inputs, mistakes)


@requirement(
    "OPT-ADAMW-ZERO-DECAY-IS-ADAM",
    "adamw_update with weight_decay = 0 equals adam_update step for step",
    SOURCE_ADAMW + " (identity)",
)
@given(shape_sets, seeds, learning_rates)
def test_opt_adamw_zero_decay_is_adam(impl: Any, shapes: Shapes, seed: int, lr: float) -> None:
    parameters, sequence = _parameters(shapes, seed), gradient_sequence(shapes, seed + 1, STEPS)
    got = _run(impl, "adamw_update", parameters, sequence, learning_rate=lr, weight_decay=0.0)
    expected = _run(impl, "adam_update", parameters, sequence, learning_rate=lr)
    inputs = {"parameters": parameters, "grads": f"{STEPS} varying gradients", "learning_rate": lr,
              "weight_decay": 0.0}
    _assert_trajectory(got, expected, "adamw_update", inputs)


OPTIMIZERS = ("sgd_momentum_update", "rmsprop_update", "adam_update", "adamw_update")


@requirement(
    "OPT-PURE",
    "optimizer steps never modify parameters, grads or the state they are given (the same state gives the "
    "same step twice)",
    "contract v1 (issue 2): every function is pure; the state is whatever the previous call returned",
)
def test_opt_pure(impl: Any) -> None:
    parameters = _parameters(SHAPES, 0)
    first, second = gradient_sequence(SHAPES, 1, 2)
    for name in OPTIMIZERS:
        step = getattr(impl, name)
        _, state = assert_pure_call(step, name, {"parameters": parameters, "grads": first, "state": None,
                                                 "learning_rate": 0.1})
        inputs = {"parameters": parameters, "grads": second, "state": state, "learning_rate": 0.1}
        once, _ = step(parameters, second, state, 0.1)
        twice, _ = assert_pure_call(step, name, inputs)
        for key, value in once.items():
            assert_close(twice[key], value, fn=name, inputs=inputs, rtol=0.0,
                         what=f"{key} from a second call with the same state (the first call changed the state?)")
