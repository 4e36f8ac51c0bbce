"""Drivers (nnspec/grade/drivers.py): the spec's MNIST loop runs beside the submission, and tampering with it
gains nothing.

Graded through the command line with the hostile corpus's settings (tests/hostile/grading.toml, tests/
hostile_checks.py): the submission tests/hostile/tampers_with_driver.py replaces the loop with one that trains
nothing and reports the most common digit for every test image; the gate, scoring that output in the grader
against labels that never cross, fails it with the accuracy it really has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from nnspec.grade import drivers
from spec import mnist_loop
from tests import hostile_checks
from tests.hostile_checks import REPOSITORY

HOSTILE = REPOSITORY / "tests" / "hostile"
GATE = "MNIST-GATE-LOOP"
CHANCE_ACCURACY = (0.10, 0.12)  # the most common test digit, 1, is 11.35% of the test set


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


def test_only_the_spec_driver_modules_can_be_called_as_drivers() -> None:
    assert drivers.call_name(mnist_loop.train) == "driver:spec.mnist_loop.train"
    with pytest.raises(ValueError, match="not in a driver module"):
        drivers.call_name(re.compile)
