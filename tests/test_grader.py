"""The grader: isolation (values, handles, callbacks, purity, limits, restarts), reports, config, hostile corpus.

The hostile corpus (tests/hostile/) runs each submission through ``python -m nnspec.grade`` on four activation
requirements with short limits (tests/hostile/grading.toml), so the whole corpus takes about a minute.
"""

from __future__ import annotations

import os
import pickle
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnspec.grade import wire
from nnspec.grade.limits import Limits
from nnspec.grade.proxy import IsolatedImplementation, unreadable_paths
from spec.impl import ImplementationLoadError

REPOSITORY = Path(__file__).resolve().parents[1]
HOSTILE = REPOSITORY / "tests" / "hostile"
EXAMPLES = REPOSITORY / "examples"
HOSTILE_REQUIREMENTS = ("ACT-SIGMOID-VALUES", "ACT-RELU-VALUES", "ACT-RELU-DERIVATIVE-AT-ZERO", "ACT-PURE")
HOSTILE_WALL_S = 30.0  # every hostile run must finish well within this (limits: 2 s per call, 5 s import)
Failed = pytest.fail.Exception

SUBMISSION = '''
import os
import sys
import numpy as np

class Cache:
    def __init__(self, z):
        self.z = z

def double(x):
    return 2 * x

def keep(x):
    return x, Cache(x)

def unwrap(cache):
    return cache.z

def numerical_gradient(f, x, eps=1e-5):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[i] = eps
        g[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return g

def mutate(d, a, items):
    d["added"] = 1
    a[0] = 99.0
    items.append("x")

def draw(rng):
    return rng.random(2)

def write_into(a):
    a[...] = 0.0
    return a

class Custom(ValueError):
    pass

def custom_error(x):
    raise Custom("x must be positive, got " + repr(x))

def sleep_forever(x):
    while True:
        pass

def exit_now(x):
    sys.exit(0)

def hard_exit(x):
    os._exit(3)

def segfault(x):
    import ctypes
    ctypes.string_at(0)

def escape(x):
    open("/tmp/../" + os.path.basename(os.getcwd()) + "-escaped", "w")
'''


@pytest.fixture(scope="module")
def isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IsolatedImplementation]:
    folder = tmp_path_factory.mktemp("submission")
    target = folder / "submission.py"
    target.write_text(textwrap.dedent(SUBMISSION))
    workdir = tmp_path_factory.mktemp("work")
    implementation = IsolatedImplementation(str(target), Limits(call_timeout=1.0), str(workdir), unreadable_paths())
    implementation.start()
    implementation.begin_requirement()
    yield implementation
    implementation.close()


def test_values_cross_by_value(isolated: IsolatedImplementation) -> None:
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(isolated.raw("double")(x), 2 * x)
    assert isolated.raw("double")(np.float32(1.5)) == np.float32(3.0)


def test_opaque_objects_stay_in_the_worker_behind_handles(isolated: IsolatedImplementation) -> None:
    x = np.ones((2, 2))
    same, cache = isolated.raw("keep")(x)
    assert isinstance(cache, wire.Handle) and cache.kind == "Cache"
    np.testing.assert_array_equal(isolated.raw("unwrap")(cache), x)
    np.testing.assert_array_equal(same, x)


def test_functions_passed_in_are_called_back_in_the_grader(isolated: IsolatedImplementation) -> None:
    calls: list[np.ndarray] = []

    def f(x: np.ndarray) -> float:
        calls.append(x)
        return float(np.sum(x**2))

    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(isolated.raw("numerical_gradient")(f, x), 2 * x, rtol=1e-6)
    assert len(calls) == 2 * x.size


def test_in_place_changes_reach_the_callers_objects(isolated: IsolatedImplementation) -> None:
    d, a, items = {"kept": 0}, np.zeros(2), ["a"]
    isolated.raw("mutate")(d, a, items)
    assert d == {"kept": 0, "added": 1}
    np.testing.assert_array_equal(a, [99.0, 0.0])
    assert items == ["a", "x"]


def test_a_generator_argument_advances_as_in_process(isolated: IsolatedImplementation) -> None:
    rng, twin = np.random.default_rng(7), np.random.default_rng(7)
    first, second = isolated.raw("draw")(rng), isolated.raw("draw")(rng)
    np.testing.assert_array_equal(np.concatenate([first, second]), twin.random(4))


def test_read_only_arguments_stay_read_only(isolated: IsolatedImplementation) -> None:
    a = np.ones(3)
    a.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        isolated.raw("write_into")(a)
    np.testing.assert_array_equal(a, np.ones(3))


def test_exceptions_are_rebuilt_from_their_builtin_base(isolated: IsolatedImplementation) -> None:
    with pytest.raises(ValueError, match="x must be positive") as raised:
        isolated.raw("custom_error")(-1)
    assert type(raised.value).__name__ == "Custom"


def test_guarded_calls_fail_with_the_call_and_the_traceback(isolated: IsolatedImplementation) -> None:
    with pytest.raises(Failed) as failed:
        isolated.custom_error(-1)
    message = str(failed.value)
    assert "in custom_error(x)" in message and "raised Custom: x must be positive, got -1" in message
    assert 'raise Custom("x must be positive' in message


@pytest.mark.parametrize(("function", "expected"), [
    ("sleep_forever", "did not return within 1 s"),
    ("exit_now", "raised SystemExit"),
    ("hard_exit", "exited with status 3"),
    ("segfault", "SIGSEGV"),
])
def test_a_lost_worker_fails_the_call_and_is_restarted(
    isolated: IsolatedImplementation, function: str, expected: str
) -> None:
    isolated.begin_requirement()
    restarts = isolated.restarts
    started = time.monotonic()
    with pytest.raises(Failed, match=expected):
        getattr(isolated, function)(1)
    assert time.monotonic() - started < 5.0
    with pytest.raises(Failed, match="this call was not made"):  # the rest of the requirement fails at once
        isolated.double(1)
    isolated.begin_requirement()
    assert isolated.double(21) == 42
    assert isolated.restarts == restarts + 1


def test_the_worker_may_not_write_outside_its_folder(isolated: IsolatedImplementation) -> None:
    isolated.begin_requirement()
    with pytest.raises(PermissionError, match="does not let a submission write"):
        isolated.raw("escape")(0)


def test_the_grader_unpickles_data_types_only() -> None:
    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, ("true",))

    with pytest.raises(pickle.UnpicklingError, match="forbidden type"):
        wire.load_untrusted(pickle.dumps(("result", Evil(), {})))
    data = ("result", {"a": [np.ones(2), np.float64(1.0), 1 + 2j]}, {})
    assert repr(wire.load_untrusted(wire.dumps(data))) == repr(data)


def test_an_import_failure_is_reported_with_its_traceback(tmp_path: Path) -> None:
    target = tmp_path / "broken.py"
    target.write_text("import numpy as np\nraise RuntimeError('half-written submission')\n")
    implementation = IsolatedImplementation(str(target), Limits(), str(tmp_path), unreadable_paths())
    with pytest.raises(ImplementationLoadError) as error:
        implementation.start()
    assert "half-written submission" in error.value.details and "broken.py" in error.value.details
