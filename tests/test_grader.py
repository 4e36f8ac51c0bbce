"""The grader: isolation (values, handles, callbacks, purity, limits, restarts), reports, config, hostile corpus.

The hostile corpus's first part (``HOSTILE_CASES``; the rest is in tests/test_sandbox.py) runs each submission
through ``python -m nnspec.grade`` on four activation requirements with short limits (tests/hostile/grading.toml,
which also gives the workers the corpus's shared modules), so it takes about a minute.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import os
import pickle
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest

from nnspec.grade import batch, config, frameworks, reports, unpickle, wire
from nnspec.grade.limits import Limits
from nnspec.grade.proxy import IsolatedImplementation, RequirementAbandoned, literal, unreadable_paths
from nnspec.grade.runner import GradeRun, RequirementResult
from spec import calls
from spec.impl import ImplementationLoadError, load_implementation
from spec.requirements import Requirement

REPOSITORY = Path(__file__).resolve().parents[1]
HOSTILE = REPOSITORY / "tests" / "hostile"
EXAMPLES = REPOSITORY / "examples"
HOSTILE_REQUIREMENTS = ("ACT-SIGMOID-VALUES", "ACT-RELU-VALUES", "ACT-RELU-DERIVATIVE-AT-ZERO", "ACT-PURE")
# A grade that ends, not a speed target: the corpus grades 4 requirements with 2 s per call and 5 s import (a hang
# would run into the 900 s limits); 30 s failed finished grades when CI or other work loaded the 2 cores.
HOSTILE_WALL_S = 120.0
Failed = pytest.fail.Exception

SUBMISSION = '''
import os
import sys
import time
from collections import OrderedDict, namedtuple
import numpy as np

Cached = namedtuple("Cached", ["W", "A"])
Output = namedtuple("Output", ["AL", "caches"])

def forward_named(W, A):
    return Output(W @ A, [Cached(W, A)])

def backward_named(caches):
    return caches[0].W.T @ np.ones((caches[0].W.shape[0], 1))

def ordered(x):
    return OrderedDict(first=x)

class Block:
    def __init__(self, megabytes):
        self.data = np.ones(megabytes * 2**20 // 8)

def block(megabytes):
    return Block(megabytes)

def kind_of(value):
    return type(value).__name__

def nap(seconds):
    time.sleep(seconds)
    return seconds

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


@contextlib.contextmanager
def started(target: Path, workdir: Path, limits: Limits | None = None) -> Iterator[IsolatedImplementation]:
    """``target`` imported in a worker, ready for calls (by default 1 s per call), closed afterwards."""
    limits = limits or Limits(call_timeout=1.0)
    implementation = IsolatedImplementation(str(target), limits, str(workdir), unreadable_paths())
    implementation.start()
    implementation.begin_requirement()
    try:
        yield implementation
    finally:
        implementation.close()


@pytest.fixture(scope="module")
def submission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("submission") / "submission.py"
    target.write_text(textwrap.dedent(SUBMISSION))
    return target


@pytest.fixture(scope="module")
def isolated(submission: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[IsolatedImplementation]:
    with started(submission, tmp_path_factory.mktemp("work")) as implementation:
        yield implementation


def test_values_cross_by_value(isolated: IsolatedImplementation) -> None:
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(isolated.raw("double")(x), 2 * x)
    assert isolated.raw("double")(np.float32(1.5)) == np.float32(3.0)
    zero_d, _ = isolated.raw("keep")(np.array(2.0))
    assert isinstance(zero_d, np.ndarray) and zero_d.shape == () and zero_d == 2.0
    structured = np.zeros(2, dtype=[("a", "f8"), ("b", "i4")])
    assert isolated.raw("keep")(structured)[0].dtype == structured.dtype


def test_opaque_objects_stay_in_the_worker_behind_handles(isolated: IsolatedImplementation) -> None:
    x = np.ones((2, 2))
    same, cache = isolated.raw("keep")(x)
    assert isinstance(cache, wire.Handle) and cache.kind == "Cache"
    np.testing.assert_array_equal(isolated.raw("unwrap")(cache), x)
    np.testing.assert_array_equal(same, x)


def test_container_subclasses_come_back_to_the_submission_as_its_own_objects(isolated: IsolatedImplementation) -> None:
    W, A = np.arange(6.0).reshape(2, 3), np.ones((3, 1))
    AL, caches = isolated.raw("forward_named")(W, A)  # a namedtuple unpacks and indexes like the tuple it is
    np.testing.assert_array_equal(AL, W @ A)
    np.testing.assert_array_equal(caches[0][0], W)
    np.testing.assert_array_equal(isolated.raw("backward_named")(caches), W.T @ np.ones((2, 1)))  # uses .W
    assert isolated.raw("kind_of")(caches[0]) == "Cached"
    mapping = isolated.raw("ordered")(A)
    assert list(mapping) == ["first"] and isolated.raw("kind_of")(mapping) == "OrderedDict"


def test_the_graders_changes_to_a_carried_object_reach_the_submission(isolated: IsolatedImplementation) -> None:
    W, A = np.arange(6.0).reshape(2, 3), np.ones((3, 1))
    _, caches = isolated.raw("forward_named")(W, A)
    caches[0][0][0, 0] = 100.0
    assert isolated.raw("backward_named")(caches)[0, 0] == 103.0


BLOCK_MIB, BLOCKS, WORKER_MIB = 64, 80, 1024  # 5 GiB in all if the worker kept every block: 5 times its memory


def test_the_worker_frees_what_the_grader_no_longer_holds(submission: Path, tmp_path: Path) -> None:
    limits = Limits(call_timeout=5.0, memory_bytes=WORKER_MIB * 2**20)
    with started(submission, tmp_path, limits) as isolated:
        for _ in range(BLOCKS):
            assert isinstance(isolated.block(BLOCK_MIB), wire.Handle)  # dropped at once by the grader
        held = [isolated.block(BLOCK_MIB) for _ in range(3)]
        assert [isolated.kind_of(handle) for handle in held] == ["Block"] * 3
        assert isolated.restarts == 0


def test_functions_passed_in_are_called_back_in_the_grader(isolated: IsolatedImplementation) -> None:
    calls: list[np.ndarray] = []

    def f(x: np.ndarray) -> float:
        calls.append(x)
        return float(np.sum(x**2))

    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(isolated.raw("numerical_gradient")(f, x), 2 * x, rtol=1e-6)
    assert len(calls) == 2 * x.size


def test_in_place_changes_reach_the_callers_objects_and_are_recorded_then_put_back(
    isolated: IsolatedImplementation,
) -> None:
    d, a, items = {"kept": 0}, np.zeros(2), ["a"]
    calls.reset()
    isolated.raw("mutate")(d, a, items)
    after = {change.argument: change.after for change in calls.changes("mutate")}
    assert after["d"] == {"kept": 0, "added": 1} and after["items"] == ["a", "x"]
    np.testing.assert_array_equal(after["a"], [99.0, 0.0])
    assert d == {"kept": 0} and items == ["a"] and not a.any()  # spec/calls.py puts the caller's inputs back


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
    with pytest.raises(RequirementAbandoned, match="later calls were not made"):  # the rest fails at once
        isolated.double(1)
    isolated.begin_requirement()
    assert isolated.double(21) == 42
    assert isolated.restarts == restarts + 1


def test_a_requirement_has_a_time_budget_for_all_its_calls(isolated: IsolatedImplementation) -> None:
    limits = isolated.limits
    isolated.limits = dataclasses.replace(limits, chapter_requirement_timeouts={"other": 1.0})
    try:
        isolated.begin_requirement("other")
        assert isolated.nap(0.4) == 0.4 and isolated.nap(0.4) == 0.4
        with pytest.raises(Failed, match="within the 1 s this requirement may take in all"):
            isolated.nap(0.4)
    finally:
        isolated.limits = limits
        isolated.begin_requirement()


def test_the_worker_may_not_write_outside_its_folder(isolated: IsolatedImplementation) -> None:
    isolated.begin_requirement()
    with pytest.raises(PermissionError, match="does not let a submission write"):
        isolated.raw("escape")(0)


def test_the_grader_unpickles_data_types_only() -> None:
    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, ("true",))

    with pytest.raises(pickle.UnpicklingError, match="forbidden type"):
        unpickle.decode([bytearray(pickle.dumps(("result", Evil(), {})))], 1 << 20)
    data: tuple[Any, ...] = ("result", {"a": [np.ones(2), np.float64(1.0), 1 + 2j]}, {})
    frames = [bytearray(frame) for frame in wire.encode(data)]
    assert repr(unpickle.decode(frames, 1 << 20)) == repr(data)
    handle = wire.Handle(1, 2, "Cached")
    frames = [bytearray(frame) for frame in wire.encode(wire.CarriedTuple((np.ones(2),), handle))]
    carried = unpickle.decode(frames, 1 << 20)
    assert type(carried) is wire.CarriedTuple and carried.handle == handle and carried[0].tolist() == [1.0, 1.0]


def test_an_import_failure_is_reported_with_its_traceback(tmp_path: Path) -> None:
    target = tmp_path / "broken.py"
    target.write_text("import numpy as np\nraise RuntimeError('half-written submission')\n")
    implementation = IsolatedImplementation(str(target), Limits(), str(tmp_path), unreadable_paths())
    with pytest.raises(ImplementationLoadError) as error:
        implementation.start()
    assert "half-written submission" in error.value.details and "broken.py" in error.value.details


# --- the command line on the examples ------------------------------------------------------------------------------


def grade(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m nnspec.grade ARGS`` from the repository root."""
    return subprocess.run([sys.executable, "-m", "nnspec.grade", *args], cwd=REPOSITORY, capture_output=True,
                          text=True, check=False, env={**os.environ, **(env or {})})


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {requirement["id"]: requirement["status"] for requirement in report["requirements"]}


TIMINGS = ("duration", "started_at", "finished")  # the report's clock readings: differ from run to run


def without_timings(report: dict[str, Any]) -> dict[str, Any]:
    report = {key: value for key, value in report.items() if key not in TIMINGS}
    report["requirements"] = [{k: v for k, v in r.items() if k not in TIMINGS} for r in report["requirements"]]
    return report


@pytest.mark.corpus  # a whole grade of an example: once per CI run
def test_the_correct_example_passes_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    finished = grade("examples/learner_correct.py", "--chapter", "layers", "--chapter", "gradient_check",
                     "--json", str(out))
    report = json.loads(out.read_text())
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert set(statuses(report).values()) == {"passed"} and report["score"] == report["max_score"] > 0
    assert "exit code 0" in finished.stdout


BUGGY_SELECTION = (  # five of the example's bugs, one function that is right and one not written yet
    "ACT-RELU-DERIVATIVE-AT-ZERO", "ACT-SIGMOID-STABLE", "ACT-SOFTMAX-STABLE", "ACT-PURE", "LAY-LINEAR-BACKWARD-DW",
    "ACT-TANH-VALUES", "ACT-GELU-VALUES",
)


@pytest.mark.corpus  # a whole grade of an example: once per CI run
def test_the_buggy_example_fails_what_it_gets_wrong_and_is_reported_identically_twice(tmp_path: Path) -> None:
    runs = []
    for attempt in range(2):
        out = tmp_path / f"report{attempt}.json"
        finished = grade("examples/learner_buggy.py", "--chapter", "activations", "--chapter", "layers",
                         *[arg for req in BUGGY_SELECTION for arg in ("--requirement", req)], "--json", str(out))
        assert finished.returncode == 1, finished.stdout + finished.stderr
        runs.append((finished.stdout, json.loads(out.read_text())))
    (terminal, report), (terminal_again, report_again) = runs
    assert without_timings(report) == without_timings(report_again)
    assert terminal == terminal_again
    got = statuses(report)
    for req_id in ("ACT-RELU-DERIVATIVE-AT-ZERO", "ACT-SIGMOID-STABLE", "ACT-SOFTMAX-STABLE", "ACT-PURE",
                   "LAY-LINEAR-BACKWARD-DW"):
        assert got[req_id] == "failed", req_id
    assert got["ACT-TANH-VALUES"] == "passed" and got["ACT-GELU-VALUES"] == "not implemented"
    assert "FAILED LAY-LINEAR-BACKWARD-DW" in terminal and "forget the 1/m" in terminal
    assert "gelu: ACT-GELU" in terminal  # not implemented, grouped by the missing function
    assert "relu_derivative(np.array([0.0, -0.0], dtype=np.float64))" in terminal  # the call to try


def test_an_unusable_submission_exits_2_and_still_writes_every_report(tmp_path: Path) -> None:
    paths = {name: tmp_path / name for name in ("r.json", "results.json", "junit.xml", "summary.md")}
    finished = grade("tests/hostile/no_such_submission.py", "--json", str(paths["r.json"]),
                     "--gradescope", str(paths["results.json"]), "--junit", str(paths["junit.xml"]),
                     env={"GITHUB_STEP_SUMMARY": str(paths["summary.md"])})
    assert finished.returncode == 2
    assert all(path.is_file() for path in paths.values())
    assert "no such file" in json.loads(paths["r.json"].read_text())["load_error"]


# --- reports, scores and configuration (no worker needed) --------------------------------------------------------

RESULTS = [
    RequirementResult(Requirement("ACT-A", "a holds", "doc"), "passed", "", 0.5, 1),
    RequirementResult(Requirement("ACT-B", "b holds", "doc"), "failed", "[ACT-B] b holds\nexpected 1, got 2", 0.1, 1),
    RequirementResult(Requirement("LOSS-C", "c holds", "doc"), "not implemented", "not implemented: mse", 0.0, 1),
    RequirementResult(Requirement("LOSS-D", "d holds", "doc"), "passed", "", 0.2, 1),
    RequirementResult(Requirement("TORCH-E", "e holds", "doc"), "skipped", "PyTorch not installed", 0.0, 1),
]
CONFIG_TEXT = """
[chapters.losses]
points = 2.0
[requirements."ACT-B"]
required = false
hidden = true
points = 3
[requirements."LOSS-D"]
points = 0
"""
# Gradescope's results.json (gradescope-autograders.readthedocs.io, "Autograder Specifications"): the fields
# nnspec writes, with their types and the allowed visibility and status values.
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["score", "tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"}, "execution_time": {"type": "number"}, "output": {"type": "string"},
        "visibility": VISIBILITY, "stdout_visibility": VISIBILITY, "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "score", "max_score", "status", "output", "visibility"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"}, "score": {"type": "number"}, "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]}, "output": {"type": "string"}, "visibility": VISIBILITY,
                "tags": {"type": "array", "items": {"type": "string"}}, "number": {"type": "string"},
            },
        }},
    },
}


def scored_report(tmp_path: Path, text: str = CONFIG_TEXT) -> reports.Report:
    path = tmp_path / "grading.toml"
    path.write_text(text)
    run = GradeRun("sub.py", "sub.py", True, "", list(RESULTS), output_total=10, output_head="hello")
    return reports.build(run, config.load(path))


def test_points_required_and_hidden_come_from_the_config(tmp_path: Path) -> None:
    report = scored_report(tmp_path)
    by_id = {item.result.id: item for item in report.scored}
    assert [by_id[i].max_points for i in ("ACT-A", "ACT-B", "LOSS-C", "LOSS-D", "TORCH-E")] == [1, 3, 2, 0, 0]
    assert report.score == 1.0 and report.max_score == 6.0  # LOSS-D passed but is worth 0; TORCH-E skipped
    assert report.exit_code == 1  # LOSS-C (required) is not implemented; ACT-B failed but is not required
    text = reports.terminal(report)
    assert "ACT-B" not in text and "1 hidden requirement(s), not shown: 0 / 3 points" in text
    assert "hello" not in text and "printed 10 bytes" in text
    assert any(item["id"] == "ACT-B" and item["hidden"] for item in reports.to_json(report)["requirements"])


def test_only_required_requirements_decide_the_exit_code(tmp_path: Path) -> None:
    report = scored_report(tmp_path, CONFIG_TEXT + '[requirements."LOSS-C"]\nrequired = false\n')
    assert report.exit_code == 0


def test_a_config_with_an_unknown_setting_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[grading]\npoints_per_test = 2\n")
    with pytest.raises(config.ConfigError, match="points_per_test"):
        config.load(path)
    out = tmp_path / "report.json"
    finished = grade("examples/learner_buggy.py", "--config", str(path), "--json", str(out))
    assert finished.returncode == 2 and "points_per_test" in finished.stderr
    assert "points_per_test" in json.loads(out.read_text())["load_error"]  # the report is written all the same


def test_the_gradescope_results_follow_the_specification(tmp_path: Path) -> None:
    data = reports.gradescope(scored_report(tmp_path))
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    tests = {test["name"].split(":")[0]: test for test in data["tests"]}
    assert tests["ACT-B"]["visibility"] == "hidden" and tests["ACT-B"]["status"] == "failed"
    assert data["score"] == sum(test["score"] for test in data["tests"])


def test_the_junit_report_parses_and_leaves_hidden_requirements_out(tmp_path: Path) -> None:
    root = ET.fromstring(reports.junit(scored_report(tmp_path, CONFIG_TEXT.replace("hidden = true", ""))))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {result.id for result in RESULTS}
    assert cases["ACT-B"].find("failure") is not None and cases["LOSS-C"].find("skipped") is not None
    assert {suite.get("name") for suite in root.iter("testsuite")} == {"activations", "losses", "torch"}
    hidden = ET.fromstring(reports.junit(scored_report(tmp_path)))
    assert "ACT-B" not in {case.get("name") for case in hidden.iter("testcase")}


def test_the_github_summary_lists_visible_failures_only(tmp_path: Path) -> None:
    text = reports.markdown(scored_report(tmp_path, CONFIG_TEXT.replace("hidden = true", "hidden = false")))
    assert "| activations | 1 | 1 | 0 | 0 | 0 | 0 | 1/4 |" in text and "ACT-B failed" in text
    assert "ACT-B failed" not in reports.markdown(scored_report(tmp_path))


def test_colour_only_when_asked(tmp_path: Path) -> None:
    report = scored_report(tmp_path)
    assert "\033[" in reports.terminal(report, colour=True) and "\033[" not in reports.terminal(report)


# --- the "no frameworks" rule --------------------------------------------------------------------------------------


def test_framework_imports_are_found_in_the_source(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("import numpy as np\nfrom .model import *\n")
    (package / "model.py").write_text("import importlib\nimport torch.nn as nn\njax = importlib.import_module('jax')\n")
    message = frameworks.check(str(package), [], config.load().forbidden_modules)
    assert "model.py:2: imports torch.nn" in message and "model.py:3: imports jax" in message
    assert frameworks.check(str(package / "__init__.py"), [], ["torch"]) == ""


def test_framework_modules_loaded_at_import_are_found() -> None:
    message = frameworks.check("not-a-file", ["numpy", "tensorflow"], ["torch", "tensorflow"])
    assert "importing the submission loaded: tensorflow" in message


def test_the_rule_is_on_by_default_and_can_be_turned_off(tmp_path: Path) -> None:
    assert config.load().no_frameworks
    path = tmp_path / "off.toml"
    path.write_text("[grading]\nno_frameworks = false\n")
    assert not config.load(path).no_frameworks


# --- the hostile corpus, graded in one batch -----------------------------------------------------------------------

SIGMOID_OK = {"ACT-SIGMOID-VALUES": "passed"}
RELU_FAILS = {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}
HOSTILE_CASES: dict[str, tuple[int, dict[str, str], str]] = {
    # submission: (exit code, statuses that must hold, text in ACT-RELU-VALUES's message or the load error)
    "good": (0, {req: "passed" for req in HOSTILE_REQUIREMENTS}, ""),
    "loop_at_import": (2, {}, "did not finish within 5 s"),
    "loop_in_function": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed", "ACT-PURE": "failed"},
                         "did not return within 2 s"),
    "segfault": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}, "SIGSEGV"),
    "os_exit": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}, "exited with status 0"),
    "sys_exit": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}, "raised SystemExit"),
    "huge_allocation": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}, "MemoryError"),
    "prints_100mb": (0, {req: "passed" for req in HOSTILE_REQUIREMENTS}, ""),
    "recursion": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}, "RecursionError"),
    "monkeypatch": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed", "ACT-PURE": "passed"}, "2 times the expected"),
    "writes_fixtures": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}, "does not let a submission write"),
    "reads_labels": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}, "does not let a submission read"),
    "reads_grader_memory": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}, "does not let a submission read '/proc/"),
    "wrong_outputs": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed", "ACT-RELU-DERIVATIVE-AT-ZERO": "blocked"},
                      "nan"),
    "mutates_inputs": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "passed", "ACT-PURE": "failed"}, ""),
    "opaque_result": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}, "got shape ()"),
    "kills_grader": (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "failed"}, "does not let a submission do os.kill"),
    # report injection, huge messages, forged replies and layouts: tests/test_report_safety.py checks every report
    "report_control_chars": (1, RELU_FAILS, "\\x1b[2J"),
    "report_lone_surrogate": (1, RELU_FAILS, "\\ud800"),
    "report_fence_heading": (2, {}, "Score: 34 / 34"),
    "report_html_script": (1, RELU_FAILS, "<script>"),
    "report_csv_formula": (1, RELU_FAILS, "=HYPERLINK("),
    "huge_message_40mb": (1, RELU_FAILS, ""),  # the cut is checked on ACT-PURE's message, which is one call
    "huge_message_2mb": (1, RELU_FAILS, ""),
    "huge_load_error": (2, {}, "more characters)"),
    "huge_shared_result": (1, RELU_FAILS, "bytes allowed"),
    "forged_huge_ndarray": (1, {"ACT-RELU-VALUES": "failed"}, "calls numpy.ndarray"),
    "forged_frame_count": (1, {"ACT-RELU-VALUES": "failed"}, "frames"),
    "forged_deep_nesting": (1, {"ACT-RELU-VALUES": "failed"}, "nested more than"),
    "forged_huge_error": (1, {"ACT-RELU-VALUES": "failed"}, "more characters)"),
    **{layout: (1, {**SIGMOID_OK, "ACT-RELU-VALUES": "passed"}, "")  # the hostile entries are added by that test
       for layout in ("layout_data_dir", "layout_fifo", "layout_symlink_out", "layout_huge_py")},
}
TAMPERED = [REPOSITORY / "fixtures" / "WRITTEN_BY_SUBMISSION", HOSTILE / "WRITTEN_BY_SUBMISSION",
            Path("/tmp/nnspec-hostile-pwned")]


def _hostile_path(name: str) -> Path:
    """A hostile submission: a .py file, or a package folder (the layout_* attacks)."""
    file = HOSTILE / f"{name}.py"
    return file if file.exists() else HOSTILE / name


@pytest.fixture(scope="module", params=["auto", "off"])
def hostile_reports(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[dict[str, Any], dict[str, str]]]:
    """Grade every submission of HOSTILE_CASES once (batch mode, two at a time), in the sandbox when it runs here
    and with it forced off: name -> (JSON report, roster row)."""
    folder = tmp_path_factory.mktemp("hostile")
    roster = folder / "roster.csv"
    selection = [arg for req in HOSTILE_REQUIREMENTS for arg in ("--requirement", req)]
    submissions = [str(_hostile_path(name)) for name in HOSTILE_CASES]  # the rest: tests/test_sandbox.py
    finished = grade(*submissions, "--chapter", "activations", *selection, "--config", str(HOSTILE / "grading.toml"),
                     "--reports", str(folder / "reports"), "--roster", str(roster), "--jobs", "2",
                     "--sandbox", request.param)
    assert finished.returncode == 2, finished.stdout + finished.stderr  # the worst: loop_at_import cannot load
    with roster.open() as file:
        rows = {Path(row["submission"]).stem: row for row in csv.DictReader(file)}
    return {name: (json.loads((folder / "reports" / f"{name}.json").read_text()), rows[name]) for name in rows}


@pytest.mark.corpus
def test_the_corpus_is_complete(hostile_reports: dict[str, Any]) -> None:
    assert set(hostile_reports) == set(HOSTILE_CASES)


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(HOSTILE_CASES))
def test_a_hostile_submission_gets_a_complete_report(
    hostile_reports: dict[str, tuple[dict[str, Any], dict[str, str]]], name: str
) -> None:
    report, row = hostile_reports[name]
    exit_code, expected, text = HOSTILE_CASES[name]
    assert int(row["exit_code"]) == exit_code == report["exit_code"]
    assert float(row["seconds"]) < HOSTILE_WALL_S
    got = statuses(report)
    assert {req: got[req] for req in expected} == expected
    if exit_code == 2:
        assert text in report["load_error"] and set(got.values()) == {"failed", "not run"}
    elif text:
        message = next(r["message"] for r in report["requirements"] if r["id"] == "ACT-RELU-VALUES")
        assert text in message
    assert not any(path.exists() for path in TAMPERED)


@pytest.mark.corpus
def test_printed_output_is_counted_and_truncated(hostile_reports: dict[str, Any]) -> None:
    report, _ = hostile_reports["prints_100mb"]
    assert report["output_bytes"] > 100_000_000
    assert len(report["output_head"]) <= config.load().limits.output_bytes


@pytest.mark.corpus
def test_no_bytecode_was_written_next_to_the_submissions(hostile_reports: dict[str, Any]) -> None:
    assert not (HOSTILE / "__pycache__").exists()


def test_batch_mode_takes_a_folder_or_a_glob_and_leaves_out_what_is_not_a_submission(tmp_path: Path) -> None:
    (tmp_path / "alice.py").write_text("")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "__init__.py").write_text("")
    (tmp_path / "README.md").write_text("")
    (tmp_path / "data").mkdir()
    expected = [str(tmp_path / "alice.py"), str(tmp_path / "bob")]
    assert batch.expand([str(tmp_path)]) == expected
    assert batch.expand(sorted(str(path) for path in tmp_path.iterdir())) == expected
    assert batch.expand([str(tmp_path / "README.md")]) == [str(tmp_path / "README.md")]  # one path: graded (and fails)


def test_a_framework_loaded_indirectly_fails_the_rule_end_to_end(tmp_path: Path) -> None:
    package = tmp_path / "submission"
    package.mkdir()
    (package / "torch.py").write_text('"""Stands in for PyTorch."""\n')
    (package / "helper.py").write_text("import torch  # noqa: F401\n")
    (package / "__init__.py").write_text(
        "import os\nimport sys\n\nimport numpy as np\n\nsys.path.insert(0, os.path.dirname(__file__))\n"
        "import helper  # noqa: E402,F401\n\n\ndef relu(z):\n    return np.maximum(z, 0.0)\n")
    out = tmp_path / "report.json"
    finished = subprocess.run(
        [sys.executable, "-m", "nnspec.grade", "submission", "--chapter", "activations",
         "--requirement", "ACT-RELU-VALUES", "--json", str(out)],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    report = json.loads(out.read_text())
    assert finished.returncode == 1 and statuses(report) == {
        "IMPL-NO-FRAMEWORKS": "failed", "IMPL-LOADS": "passed", "ACT-RELU-VALUES": "passed"}, finished.stdout
    assert "importing the submission loaded: torch" in report["requirements"][0]["message"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.json", "submission"]
    assert sorted(path.name for path in package.iterdir()) == ["__init__.py", "helper.py", "torch.py"]


def test_the_config_warns_about_requirements_the_spec_does_not_have(tmp_path: Path) -> None:
    report = scored_report(tmp_path, CONFIG_TEXT + '[requirements."ACT-TYPO"]\npoints = 2\n')
    assert report.warnings == ["the grading configuration names requirement ACT-TYPO, which the spec does not have"]
    assert "warning: the grading configuration names requirement ACT-TYPO" in reports.terminal(report)


@pytest.mark.parametrize("value", [
    np.array([[0.5, -0.0], [np.nan, -np.inf]]), np.arange(3, dtype=np.int32), np.float32(0.1), (1,), (1.5, "mse"),
    {"W1": np.ones((2, 1)), "b1": [None, True]}, 7,
])
def test_reproduction_literals_rebuild_the_value(value: Any) -> None:
    rebuilt = eval(literal(value), {"np": np})  # our own literal: rebuilding it is the point of the test
    assert repr(rebuilt) == repr(value) and type(rebuilt) is type(value)


def test_no_reproduction_for_large_or_opaque_inputs() -> None:
    for value in (np.zeros(100), np.random.default_rng(0), wire.Handle(1, 1, "Cache"), print):
        with pytest.raises(ValueError):
            literal(value)


IMPLS = REPOSITORY / "tests" / "impls"
LAMBD = 0.5
# W1 entries within [-1, 1]: float32 moves x + eps to the nearest float32, up to 2^-24 away, so the step differs
# from eps by up to 6e-3 relatively; float64 differences of a quadratic are exact up to rounding.
GRADIENT_RTOL = {np.float64: 1e-7, np.float32: 1e-2}


def gradient_idioms(l2_penalty: Any, parameters: dict[str, np.ndarray]) -> dict[str, Any]:
    """The two ways an f is written for numerical_gradient(f, parameters["W1"]): reading its argument, or closing
    over the array being perturbed (CS231n's gradient checks)."""
    return {
        "reads its argument": lambda w: l2_penalty({"W1": w, "b1": parameters["b1"]}, LAMBD),
        "closes over x": lambda _: l2_penalty(parameters, LAMBD),
    }


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("submission", ["gradient_in_place", "gradient_on_copy"])
def test_numerical_gradient_gives_through_the_grader_what_it_gives_in_process(
    submission: str, dtype: type, tmp_path: Path
) -> None:
    """Both idioms of f, with both ways of writing numerical_gradient: the grader's result and the caller's x
    afterwards are those of a call in process, bit for bit; an f closing over x sees the in-place perturbation
    even though f runs in the grader and x is perturbed in the worker."""
    in_process = load_implementation(str(IMPLS / f"{submission}.py")).module
    W1 = np.linspace(-1.0, 1.0, 6).reshape(2, 3).astype(dtype)
    with started(IMPLS / f"{submission}.py", tmp_path) as isolated:
        for idiom in ("reads its argument", "closes over x"):
            results = []
            for module in (in_process, isolated):
                parameters = {"W1": W1.copy(), "b1": np.zeros((2, 1), dtype=dtype)}
                f = gradient_idioms(module.l2_penalty, parameters)[idiom]
                results.append(module.numerical_gradient(f, parameters["W1"]))
                assert parameters["W1"].tobytes() == W1.tobytes(), f"{submission}, {idiom}: x was not restored"
            here, there = results
            assert there.dtype == here.dtype and there.tobytes() == here.tobytes(), (submission, idiom, here, there)
            if submission == "gradient_in_place" or idiom == "reads its argument":
                np.testing.assert_allclose(there, LAMBD * W1, rtol=GRADIENT_RTOL[dtype], err_msg=idiom)
