"""Drivers (nnspec/grade/drivers.py): the spec's MNIST loop and XOR recipe loop run beside the submission, do there
what they do in process (the MNIST loop on a few small mini-batches, for one round trip plus one per epoch; the XOR
loop's 10,000 epochs in one round trip), and tampering with them gains nothing.

The last is graded through the command line with the hostile corpus's settings (tests/hostile/grading.toml, tests/
hostile_checks.py): the submission tests/hostile/tampers_with_driver.py replaces the MNIST loop with one that trains
nothing and reports the most common digit for every test image; the gate, scoring that output in the grader
against labels that never cross, fails it with the accuracy it really has. tests/hostile/tampers_with_xor_loop.py
replaces the XOR loop with one that hands back the targets as its output; the worked example, comparing it with the
recipe's computed values (a fixture the worker cannot read), fails it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from nnspec.grade import drivers
from nnspec.grade.limits import Limits
from spec import mnist_loop, xor_loop
from spec.impl import load_implementation
from tests import hostile_checks
from tests.hostile_checks import REPOSITORY
from tests.test_grader import started

HOSTILE = REPOSITORY / "tests" / "hostile"
LEARNER = REPOSITORY / "examples" / "learner_correct.py"
GATE = "MNIST-GATE-LOOP"
XOR_EXAMPLE = "WE-003-XOR-SEED0"
CHANCE_ACCURACY = (0.10, 0.12)  # the most common test digit, 1, is 11.35% of the test set
SMALL = {"train": 96, "test": 20, "hidden": 8, "epochs": 2, "batch": 32}  # a few mini-batches, in milliseconds
ONE_BLAS_THREAD = {"rtol": 1e-4, "atol": 1e-6}  # the worker's single BLAS thread may round float32 sums otherwise


def test_the_mnist_loop_trains_in_the_worker_as_it_does_in_process(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((784, SMALL["train"]), dtype=np.float32)
    Y = np.eye(10, dtype=np.float32)[:, rng.integers(0, 10, SMALL["train"])]
    X_test = rng.random((784, SMALL["test"]), dtype=np.float32)
    arguments = (X, Y, X_test, [784, SMALL["hidden"], 10], ("relu", "softmax", "categorical_cross_entropy"), 0.1,
                 SMALL["epochs"], SMALL["batch"], 0)
    here: list[tuple[int, np.ndarray]] = []
    there: list[tuple[int, np.ndarray]] = []
    load_implementation(str(LEARNER)).drive(mnist_loop.train, *arguments, lambda *epoch: here.append(epoch))
    with started(LEARNER, tmp_path, Limits(call_timeout=60.0)) as isolated:
        isolated.drive(mnist_loop.train, *arguments, lambda *epoch: there.append(epoch))
        assert sum(isolated.round_trips.values()) == 1 + SMALL["epochs"]  # the call, and each epoch's output
    assert [epoch for epoch, _ in there] == [epoch for epoch, _ in here] == list(range(SMALL["epochs"]))
    for (_, in_process), (_, in_worker) in zip(here, there, strict=True):
        assert in_worker.shape == (10, SMALL["test"])
        np.testing.assert_allclose(in_worker, in_process, **ONE_BLAS_THREAD)


def test_the_xor_loop_trains_in_the_worker_as_it_does_in_process(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X, Y = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]]), np.array([[0.0, 1.0, 1.0, 0.0]])
    parameters = {"W1": rng.normal(size=(2, 2)), "b1": np.zeros((2, 1)), "W2": rng.normal(size=(1, 2)),
                  "b2": np.zeros((1, 1))}
    arguments = (X, Y, parameters, {"hidden_activation": "sigmoid", "output_activation": "sigmoid"}, 0.5, 50)
    AL_here, trained_here = load_implementation(str(LEARNER)).drive(xor_loop.train, *arguments)
    with started(LEARNER, tmp_path, Limits(call_timeout=60.0)) as isolated:
        AL_there, trained_there = isolated.drive(xor_loop.train, *arguments)
        assert sum(isolated.round_trips.values()) == 1
    np.testing.assert_allclose(AL_there, AL_here, rtol=1e-12)
    assert sorted(trained_there) == sorted(trained_here) == sorted(parameters)
    for key, value in trained_here.items():
        np.testing.assert_allclose(trained_there[key], value, rtol=1e-12)
    assert not np.allclose(trained_here["W1"], parameters["W1"])  # it trained


def test_a_driver_call_that_raises_names_the_loop_s_inputs_and_offers_no_reproduction(tmp_path: Path) -> None:
    submission = tmp_path / "raises.py"
    submission.write_text("def forward(X, parameters, hidden_activation, output_activation):\n"
                          "    raise ValueError('no forward today')\n")
    X, Y = np.zeros((2, 4)), np.zeros((1, 4))
    with started(submission, tmp_path, Limits(call_timeout=60.0)) as isolated:
        with pytest.raises(pytest.fail.Exception) as failed:
            isolated.drive(xor_loop.train, X, Y, {}, {"hidden_activation": "sigmoid", "output_activation": "sigmoid"},
                           0.5, 3)
        assert isolated.reproduction() == ""  # the spec's loop is not a function of the learner's to call
    message = str(failed.value)
    assert "(X, Y, parameters, activations, learning_rate, epochs)" in message, message
    assert "ValueError: no forward today" in message and "in forward" in message, message


@pytest.fixture
def state() -> Iterator[hostile_checks.State]:
    taken = hostile_checks.before()
    yield taken
    hostile_checks.clean(taken)


@pytest.mark.corpus  # loads MNIST and grades through the command line: tens of seconds on a busy machine
def test_a_tampered_mnist_loop_gains_nothing(tmp_path: Path, state: hostile_checks.State) -> None:
    graded = hostile_checks.grade([str(HOSTILE / "tampers_with_driver.py")], tmp_path, "--requirement", GATE,
                                  "--config", str(HOSTILE / "grading.toml"))
    message = graded.message(GATE)
    assert graded.status(GATE) == "failed", message
    reached = re.search(r"reached a test accuracy of (\d+\.\d+)%", message)
    assert reached, message
    low, high = CHANCE_ACCURACY
    assert low * 100 < float(reached.group(1)) < high * 100, message
    hostile_checks.check_after(state)


def test_a_tampered_xor_loop_gains_nothing(tmp_path: Path, state: hostile_checks.State) -> None:
    graded = hostile_checks.grade([str(HOSTILE / "tampers_with_xor_loop.py")], tmp_path, "--requirement",
                                  XOR_EXAMPLE, "--config", str(HOSTILE / "grading.toml"))
    message = graded.message(XOR_EXAMPLE)
    assert graded.status(XOR_EXAMPLE) == "failed", message
    assert f"AL_last_epoch ({XOR_EXAMPLE})" in message, message  # the targets pass the document's "[0, 1, 1, 0]"
    hostile_checks.check_after(state)


def test_only_the_spec_driver_modules_can_be_called_as_drivers() -> None:
    assert drivers.call_name(mnist_loop.train) == "driver:spec.mnist_loop.train"
    with pytest.raises(ValueError, match="not in a driver module"):
        drivers.call_name(re.compile)
