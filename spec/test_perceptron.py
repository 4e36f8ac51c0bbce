"""The perceptron chapter: decision rule, learning rule and training loop.

Sources: 004_2272858fb68a8059.txt "The Perceptron" (decision and learning rule), 000/001 "Exercise 1: Implement
a Perceptron". A sample ``x`` is a vector ``(n,)``, ``w`` is ``(n,)``, ``b`` a scalar; in ``perceptron_train``
the samples are the columns of ``X`` ``(n, m)`` and ``y`` holds m labels in {0, 1}.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from spec.assertions import assert_close, assert_equal, assert_pure_call, check
from spec.requirements import requirement

SOURCE_RULES = "004_2272858fb68a8059.txt, The Perceptron (decision rule and learning rule)"
SOURCE_TRAIN = "000_039af9d5df909942.txt / 001_f077b5e28fc6b833.txt, Exercise 1: Implement a Perceptron"
SCORE_MARGIN = 1e-6  # drawn scores closer than this to 0 are skipped: rounding could decide their sign
EXACT = 1e-12  # the learning rule is a few additions: only rounding may separate it from the test's own

values = st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False)


@st.composite
def perceptron_inputs(draw: st.DrawFn) -> tuple[np.ndarray, float, np.ndarray]:
    """(w (n,), b, x (n,)) with n in 1..6."""
    n = draw(st.integers(1, 6))
    w = np.array(draw(st.lists(values, min_size=n, max_size=n)))
    x = np.array(draw(st.lists(values, min_size=n, max_size=n)))
    return w, draw(values), x


def _predict_rule(w: np.ndarray, b: float, x: np.ndarray) -> int:
    """The decision rule of 004: 1 iff w.x + b > 0."""
    return int(float(np.dot(w, x)) + b > 0)


def _train_rule(X: np.ndarray, y: np.ndarray, learning_rate: float, epochs: int) -> tuple[np.ndarray, float]:
    """The training trajectory written out: w, b from zeros, columns of X (n, m) in order, once per epoch."""
    w, b = np.zeros(X.shape[0]), 0.0
    for _ in range(epochs):
        for j in range(X.shape[1]):
            error = int(y[j]) - _predict_rule(w, b, X[:, j])
            w, b = w + learning_rate * error * X[:, j], b + learning_rate * error
    return w, b


@requirement("PER-PREDICT-RULE", "perceptron_predict returns 1 iff w.x + b > 0, else 0", SOURCE_RULES)
@given(perceptron_inputs())
def test_per_predict_rule(impl: Any, case: tuple[np.ndarray, float, np.ndarray]) -> None:
    w, b, x = case
    assume(abs(float(np.dot(w, x)) + b) > SCORE_MARGIN)
    got = impl.perceptron_predict(w, b, x)
    assert_equal(int(got), _predict_rule(w, b, x), fn="perceptron_predict", inputs={"w": w, "b": b, "x": x})
    check(got in (0, 1), f"perceptron_predict must return 0 or 1, got {got!r}")


def _as_int(value: Any) -> int | None:
    """``value`` as Python's int protocol sees it (operator.index), or None when it is not an integer.

    The contract's "an int" (reading 7) is an integer value: a Python int, a NumPy integer or a 0-d integer array
    all pass operator.index; a float (1.0), a NumPy bool or an array of shape (1,) do not.
    """
    try:
        return operator.index(value)
    except TypeError:
        return None


@requirement(
    "PER-PREDICT-IS-INT",
    "perceptron_predict returns an integer 0 or 1 (a Python int, a NumPy integer or a 0-d integer array: "
    "whatever operator.index accepts), not a float, a NumPy bool or an array of shape (1,)",
    "contract v1: perceptron_predict returns an int (reading 7: what operator.index accepts)",
)
@given(perceptron_inputs())
def test_per_predict_is_int(impl: Any, case: tuple[np.ndarray, float, np.ndarray]) -> None:
    w, b, x = case
    got = impl.perceptron_predict(w, b, x)
    check(_as_int(got) in (0, 1),
          f"perceptron_predict(w={w.tolist()}, b={b}, x={x.tolist()}) returned {type(got).__name__} {got!r}; the "
          "contract asks for an int, 0 or 1: return int(score > 0) (a comparison alone gives a bool, float "
          "arithmetic a float)")


@requirement(
    "PER-PREDICT-ZERO-SCORE",
    "a score w.x + b of exactly 0 is class 0 (the rule is a strict inequality)",
    SOURCE_RULES,
)
def test_per_predict_zero_score(impl: Any) -> None:
    cases = [
        (np.zeros(2), 0.0, np.array([1.0, -3.0])),  # the all-zero start of training
        (np.array([1.0, -1.0]), 0.0, np.array([2.0, 2.0])),  # w.x = 0 exactly
        (np.array([0.5, 0.25]), -2.0, np.array([2.0, 4.0])),  # w.x = 2 = -b exactly
    ]
    for w, b, x in cases:
        got = impl.perceptron_predict(w, b, x)
        assert_equal(int(got), 0, fn="perceptron_predict", inputs={"w": w, "b": b, "x": x})


@requirement(
    "PER-UPDATE-RULE",
    "perceptron_update moves w by lr (y - y_hat) x and b by lr (y - y_hat) on a wrong prediction",
    SOURCE_RULES,
)
@given(perceptron_inputs(), st.floats(0.01, 2.0))
def test_per_update_rule(impl: Any, case: tuple[np.ndarray, float, np.ndarray], learning_rate: float) -> None:
    w, b, x = case
    assume(abs(float(np.dot(w, x)) + b) > SCORE_MARGIN)
    y = 1 - _predict_rule(w, b, x)  # the label the current weights get wrong
    inputs = {"w": w, "b": b, "x": x, "y": y, "learning_rate": learning_rate}
    new_w, new_b = impl.perceptron_update(w, b, x, y, learning_rate)
    error = y - _predict_rule(w, b, x)
    assert_close(new_w, w + learning_rate * error * x, fn="perceptron_update", inputs=inputs, what="new w",
                 rtol=EXACT, atol=EXACT, alternatives={"w - lr (y - y_hat) x (sign flipped)":
                                                       w - learning_rate * error * x})
    assert_close(new_b, b + learning_rate * error, fn="perceptron_update", inputs=inputs, what="new b",
                 rtol=EXACT, atol=EXACT)


@requirement(
    "PER-UPDATE-NO-CHANGE-WHEN-CORRECT",
    "perceptron_update leaves w and b unchanged when the prediction is already right",
    SOURCE_RULES,
)
@given(perceptron_inputs(), st.floats(0.01, 2.0))
def test_per_update_no_change_when_correct(
    impl: Any, case: tuple[np.ndarray, float, np.ndarray], learning_rate: float
) -> None:
    w, b, x = case
    assume(abs(float(np.dot(w, x)) + b) > SCORE_MARGIN)
    y = _predict_rule(w, b, x)
    inputs = {"w": w, "b": b, "x": x, "y": y, "learning_rate": learning_rate}
    new_w, new_b = impl.perceptron_update(w, b, x, y, learning_rate)
    assert_close(new_w, w, fn="perceptron_update", inputs=inputs, what="new w", rtol=0.0)
    assert_close(new_b, b, fn="perceptron_update", inputs=inputs, what="new b", rtol=0.0)


@requirement(
    "PER-TRAIN-FROM-ZEROS",
    "perceptron_train starts from w = 0, b = 0 (whose score 0 predicts class 0)",
    SOURCE_TRAIN,
)
def test_per_train_from_zeros(impl: Any) -> None:
    x = np.array([[2.0], [-1.0], [0.5]])
    learning_rate = 0.25
    for label, expected_w, expected_b in [(0, np.zeros(3), 0.0), (1, learning_rate * x[:, 0], learning_rate)]:
        y = np.array([label])
        inputs = {"X": x, "y": y, "learning_rate": learning_rate, "epochs": 1}
        w, b = impl.perceptron_train(x, y, learning_rate=learning_rate, epochs=1)
        assert_close(w, expected_w, fn="perceptron_train", inputs=inputs, what="w after one sample",
                     rtol=EXACT, atol=EXACT)
        assert_close(b, expected_b, fn="perceptron_train", inputs=inputs, what="b after one sample",
                     rtol=EXACT, atol=EXACT)


@st.composite
def training_sets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """(X (n, m), y (m,)) with small integer features, so every score is exact and no tie is ambiguous."""
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    X = np.array(draw(st.lists(st.integers(-3, 3), min_size=n * m, max_size=n * m)), dtype=float).reshape(n, m)
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=m, max_size=m)))
    return X, y


@requirement(
    "PER-TRAIN-TRAJECTORY",
    "perceptron_train applies the learning rule to the columns of X in order, once per epoch",
    SOURCE_TRAIN,
)
@given(training_sets(), st.integers(1, 5))
def test_per_train_trajectory(impl: Any, data: tuple[np.ndarray, np.ndarray], epochs: int) -> None:
    X, y = data
    learning_rate = 0.5  # a power of two: every update is exact, so the trajectory has no rounding
    inputs = {"X": X, "y": y, "learning_rate": learning_rate, "epochs": epochs}
    w, b = impl.perceptron_train(X, y, learning_rate=learning_rate, epochs=epochs)
    check(np.shape(w) == (X.shape[0],), f"perceptron_train must return w of shape ({X.shape[0]},); got {np.shape(w)}")
    expected = np.append(*_train_rule(X, y, learning_rate, epochs))
    in_reverse = np.append(*_train_rule(X[:, ::-1], y[::-1], learning_rate, epochs))
    assert_close(np.append(w, b), expected, fn="perceptron_train", inputs=inputs, what="[w_1, ..., w_n, b]",
                 rtol=EXACT, atol=EXACT, alternatives={"the result of visiting the columns in reverse order":
                                                       in_reverse})


@requirement(
    "PER-PURE",
    "perceptron_predict, perceptron_update and perceptron_train never modify their arguments",
    "contract v1 (issue 2): every function is pure",
)
def test_per_pure(impl: Any) -> None:
    w, x = np.array([0.5, -1.0]), np.array([1.0, 2.0])
    X, y = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]), np.array([0, 1, 1])
    assert_pure_call(impl.perceptron_predict, "perceptron_predict", {"w": w, "b": 0.5, "x": x})
    assert_pure_call(impl.perceptron_update, "perceptron_update",
                     {"w": w, "b": 0.5, "x": x, "y": 1, "learning_rate": 0.1})
    assert_pure_call(impl.perceptron_train, "perceptron_train",
                     {"X": X, "y": y, "learning_rate": 0.1, "epochs": 3})
