"""Batches and chains (``impl.batch``, ``impl.chain``): calls go to the worker in one message, each still a call of its
own; in a chain a call's argument may be an earlier call's result (``Earlier``), which the worker passes as it sent it.

Through the grader (nnspec/grade/proxy.py) a batch is one round trip, returns what the calls made one by one return,
records each call's change to its arguments and puts them back (a call never sees what an earlier one did to a shared
argument), fails at the first call that fails with that call's inputs as they were before it, and keeps each call's
own time limit; after a failure the worker makes none of the later calls (in process they are never made either), and
their "not made" replies are read and dropped, so the next call gets its own.
The submissions count their own calls in a file of the worker's folder, so the tests assert on how many calls reached
the worker, never on wall time.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from nnspec.grade.limits import Limits
from nnspec.grade.proxy import IsolatedImplementation, unreadable_paths
from spec import calls
from spec.impl import Earlier, load_implementation
from spec.requirements import set_current
from tests import test_timeouts as timeouts
from tests.test_timeouts import CALL_LIMIT_S, Failed, begin, calls_reaching

SUBMISSION = timeouts.SUBMISSION + '''
def triple_in_place(x):
    x *= 3
    return x

def refuse_negative(x):
    _count("refuse_negative")
    if np.any(x < 0):
        raise ValueError("a negative input")
    return x

def hang_on_negative(x):
    _count("hang_on_negative")
    while np.any(x < 0):
        pass
    return x

def recurse_on_negative(x):
    return recurse_on_negative(x) if np.any(x < 0) else x

Pair = collections.namedtuple("Pair", "first second")

def make_pair(x):
    _count("make_pair")
    return Pair(x, 2 * x)

def first_of(pair):
    _count("first_of")
    return pair.first  # only the submission's own namedtuple has it
'''


@pytest.fixture
def isolated(tmp_path: Path) -> Iterator[IsolatedImplementation]:
    target = tmp_path / "submission.py"
    target.write_text("import collections\nimport numpy as np\n" + textwrap.dedent(SUBMISSION))
    workdir = tmp_path / "work"
    workdir.mkdir()
    implementation = IsolatedImplementation(str(target), Limits(call_timeout=CALL_LIMIT_S), str(workdir),
                                            unreadable_paths())
    implementation.start()
    begin(implementation, "ACT-BATCHED")
    calls.reset()
    yield implementation
    implementation.close()
    set_current(None)


def each(*values: object) -> list[tuple[tuple[object, ...], dict[str, object]]]:
    return [((np.array([value], dtype=np.float64),), {}) for value in values]


def test_a_batch_is_one_round_trip_and_gives_what_the_calls_give_one_by_one(
        isolated: IsolatedImplementation) -> None:
    got = isolated.batch("double", each(1.0, 2.0, 3.0))
    assert [value.tolist() for value in got] == [[2.0], [4.0], [6.0]]
    assert isolated.round_trips["ACT-BATCHED"] == 1
    assert isolated.double(np.array([5.0])).tolist() == [10.0]  # the next call gets its own reply
    assert isolated.round_trips["ACT-BATCHED"] == 2


def test_a_batch_in_process_is_the_calls_one_by_one() -> None:
    impl = load_implementation("reference")
    z = [np.array([[0.5], [-1.0]]), np.array([[2.0], [0.0]])]
    got = impl.batch("softmax", [((value,), {}) for value in z])
    for value, result in zip(z, got, strict=True):
        np.testing.assert_array_equal(result, impl.softmax(value))


def test_each_call_of_a_batch_has_its_change_recorded_and_its_arguments_put_back(
        isolated: IsolatedImplementation) -> None:
    shared = np.array([1.0, 2.0])
    got = isolated.batch("triple_in_place", [((shared,), {}), ((shared,), {})])
    assert [value.tolist() for value in got] == [[3.0, 6.0], [3.0, 6.0]]  # the second saw no tripled input
    assert shared.tolist() == [1.0, 2.0]
    changes = calls.changes("triple_in_place")
    assert len(changes) == 2 and all(change.argument == "x" for change in changes)


def test_a_batch_fails_at_its_first_failing_call_with_that_call_s_inputs(isolated: IsolatedImplementation) -> None:
    with pytest.raises(Failed) as failed:
        isolated.batch("refuse_negative", each(1.0, -7.5, -8.5, 2.0))
    message = str(failed.value)
    assert "x = [-7.5]" in message and "ValueError: a negative input" in message, message
    assert "-8.5" not in message
    assert calls_reaching(isolated, "refuse_negative") == 2  # as in process, the later calls are not made
    assert isolated.double(np.array([1.0])).tolist() == [2.0]
    assert isolated.restarts == 0


def test_each_call_of_a_batch_keeps_its_own_time_limit(isolated: IsolatedImplementation) -> None:
    with pytest.raises(Failed) as failed:
        isolated.batch("hang_on_negative", each(1.0, -1.0, 2.0))
    message = str(failed.value)
    assert f"hang_on_negative did not return within {CALL_LIMIT_S:g} s" in message and "x = [-1.]" in message
    assert calls_reaching(isolated, "hang_on_negative") == 2  # the worker was stopped in the second call
    assert isolated.restarts == 1
    begin(isolated, "ACT-AFTER")
    assert isolated.double(np.array([1.0])).tolist() == [2.0]  # in a restarted worker


def test_a_fatal_call_ends_its_batch_and_the_worker(isolated: IsolatedImplementation) -> None:
    with pytest.raises(Failed, match="RecursionError"):
        isolated.batch("recurse_on_negative", each(1.0, -1.0, 2.0))
    assert isolated.restarts == 1
    begin(isolated, "ACT-AFTER")
    assert isolated.double(np.array([1.0])).tolist() == [2.0]  # in a restarted worker


def test_a_chain_is_one_round_trip_and_passes_earlier_results_as_they_were_sent(
        isolated: IsolatedImplementation) -> None:
    x = np.array([1.0, -2.0])
    got = isolated.chain([("double", (x,), {}), ("triple_in_place", (Earlier(0),), {}),
                          ("double", (Earlier(0),), {}), ("make_pair", (Earlier(2),), {}),
                          ("first_of", (Earlier(3),), {}), ("double", (Earlier(3, 1),), {})])
    assert [np.asarray(value).tolist() for value in got[:3]] == [[2.0, -4.0], [6.0, -12.0], [4.0, -8.0]]
    assert got[4].tolist() == [4.0, -8.0] and got[5].tolist() == [16.0, -32.0]  # the namedtuple went back as itself
    assert isolated.round_trips["ACT-BATCHED"] == 1
    assert calls.changes("triple_in_place") and x.tolist() == [1.0, -2.0]  # recorded; the tripled copy was its own


def test_a_chain_in_process_is_the_calls_one_by_one() -> None:
    impl = load_implementation("reference")
    X, parameters = np.array([[0.5, -1.0], [2.0, 0.0]]), impl.initialize_parameters([2, 3, 1], "he", 0)
    Y = np.array([[1.0, 0.0]])
    got = impl.chain([("forward", (X, parameters), {}), ("backward", (Earlier(0, 0), Y, Earlier(0, 1)), {})])
    AL, caches = impl.forward(X, parameters)
    for name, value in impl.backward(AL, Y, caches).items():
        np.testing.assert_array_equal(got[1][name], value)


def test_a_chain_stops_at_its_first_failing_call(isolated: IsolatedImplementation) -> None:
    with pytest.raises(Failed) as failed:
        isolated.chain([("make_pair", (np.array([1.0]),), {}), ("refuse_negative", (np.array([-1.0]),), {}),
                        ("first_of", (Earlier(0),), {})])
    assert "ValueError: a negative input" in str(failed.value)
    assert calls_reaching(isolated, "first_of") == 0  # not made in the worker either
    assert isolated.double(np.array([1.0])).tolist() == [2.0] and isolated.restarts == 0
