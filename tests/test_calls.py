"""Observed calls (spec/calls.py): a function that modifies its argument leaves the caller's inputs as they were,
messages and the reproduction line show the inputs from before the call, value messages say that the argument
was modified, and purity checks still see it; in process (spec.impl) and through the grader's worker.
"""

from __future__ import annotations

import textwrap
import types
from collections.abc import Iterator

import numpy as np
import pytest

from nnspec.grade.limits import Limits
from nnspec.grade.proxy import IsolatedImplementation, unreadable_paths
from spec import calls
from spec.assertions import assert_close, assert_pure_call, assert_unchanged
from spec.impl import Implementation

Failed = pytest.fail.Exception
INPUT = -0.02  # ACT-PURE's message once printed -0.0002: the input after an in-place leaky_relu
SUBMISSION = '''
import numpy as np

def leaky_relu(z, alpha=0.01):
    z[z < 0] *= alpha
    return z

def leaky_relu_raising(z, alpha=0.01):
    z[z < 0] *= alpha
    raise ValueError("alpha must be positive")

def update_parameters(parameters, grads, learning_rate):
    for name in list(parameters):
        parameters[name] = parameters[name] - learning_rate * grads["d" + name]  # a new array in the caller's dict
    parameters["extra"] = np.zeros(1)
    return parameters
'''


@pytest.fixture(autouse=True)
def fresh_record() -> Iterator[None]:
    calls.reset()
    yield
    calls.reset()


@pytest.fixture(scope="module")
def in_process() -> Implementation:
    module = types.ModuleType("in_place_submission")
    exec(textwrap.dedent(SUBMISSION), module.__dict__)
    return Implementation(module, "in_place_submission")


@pytest.fixture(scope="module")
def isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IsolatedImplementation]:
    folder = tmp_path_factory.mktemp("submission")
    (folder / "in_place.py").write_text(textwrap.dedent(SUBMISSION))
    implementation = IsolatedImplementation(str(folder / "in_place.py"), Limits(call_timeout=5.0),
                                            str(tmp_path_factory.mktemp("work")), unreadable_paths())
    implementation.start()
    yield implementation
    implementation.close()


@pytest.fixture(params=["in process", "through the worker"])
def impl(request: pytest.FixtureRequest, in_process: Implementation, isolated: IsolatedImplementation) -> object:
    if request.param == "in process":
        return in_process
    isolated.begin_requirement()
    return isolated


def test_the_callers_input_is_put_back_and_the_result_keeps_the_returned_values(impl: object) -> None:
    z = np.array([[INPUT, 1.0]])
    got = impl.leaky_relu(z)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(z, [[INPUT, 1.0]])
    np.testing.assert_allclose(got, [[INPUT * 0.01, 1.0]])
    [change] = calls.changes("leaky_relu")
    assert change.argument == "z" and change.before[0, 0] == INPUT and change.after[0, 0] == INPUT * 0.01


def test_a_raising_call_is_reported_with_its_inputs_from_before_the_call(impl: object) -> None:
    z = np.array([INPUT, 1.0])
    with pytest.raises(Failed) as failed:
        impl.leaky_relu_raising(z)  # type: ignore[attr-defined]
    message = str(failed.value)
    assert "raised ValueError: alpha must be positive" in message
    assert f"z = [{INPUT}," in message


def test_the_reproduction_line_shows_the_inputs_from_before_the_call(isolated: IsolatedImplementation) -> None:
    isolated.begin_requirement()
    isolated.leaky_relu(np.array([INPUT, 1.0]))
    assert isolated.reproduction() == f"leaky_relu(np.array([{INPUT}, 1.0], dtype=np.float64))"


def test_a_value_message_says_that_the_argument_was_modified(impl: object) -> None:
    W1 = np.array([[1.0]])
    parameters, grads = {"W1": W1}, {"dW1": np.array([[1.0]])}
    got = impl.update_parameters(parameters, grads, 0.5)  # type: ignore[attr-defined]
    assert set(parameters) == {"W1"} and parameters["W1"] is W1 and W1[0, 0] == 1.0
    with pytest.raises(Failed) as failed:
        assert_close(got["W1"], np.array([[0.0]]), fn="update_parameters",
                     inputs={"parameters": parameters, "grads": grads, "learning_rate": 0.5})
    message = str(failed.value)
    assert "note: your function update_parameters modified its argument `parameters`" in message
    assert "the values below come from the returned result" in message
    assert "parameters = {'W1': [[1.]]" in message  # the input as it was before the call


def test_purity_checks_still_see_the_modification(impl: object) -> None:
    z = np.array([INPUT, 1.0])
    argument = z.copy()
    impl.leaky_relu(argument)  # type: ignore[attr-defined]
    with pytest.raises(Failed, match=r"leaky_relu modified its argument z at index \(0,\): -0.02 became -0.0002"):
        assert_unchanged(z, argument, fn="leaky_relu", what="z")


def test_assert_pure_call_catches_a_key_added_to_a_dict(impl: object) -> None:
    inputs = {"parameters": {"W1": np.ones((1, 1))}, "grads": {"dW1": np.ones((1, 1))}, "learning_rate": 0.1}
    with pytest.raises(Failed, match="update_parameters modified its argument parameters"):
        assert_pure_call(impl.update_parameters, "update_parameters", inputs)  # type: ignore[attr-defined]


def test_arguments_that_were_not_modified_keep_their_identity_and_the_result_is_not_copied(
    in_process: Implementation,
) -> None:
    z = np.array([1.0, 2.0])
    assert in_process.leaky_relu(z) is z  # nothing negative: nothing modified, nothing copied
    assert calls.changes() == []
