"""Assignment profiles (nnspec/profiles/): code written to an assignment's own API is graded on what that assignment
asks. Each built-in profile's correct sample (examples/profiles/, written from the style's description and the
documents, not from the profile; tests/profiles/ for documents-002-003, written from the same by the profile's author
until an independent one exists) passes every applicable requirement, seeded bugs in its style fail the right one,
the requirements a profile cannot meet are not applicable in every report, and an instructor's adapter module
works in the worker.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import io
import json
import re
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

from nnspec import profiles
from nnspec.cli import main
from nnspec.grade import config, mapping, reports, runner, sandbox, scope, values
from nnspec.grade.limits import Limits
from nnspec.profiles import ProfileError, applicability
from spec import needs
from spec.requirements import CHAPTERS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "examples" / "profiles"
CORRECT = {"course-api": SAMPLES / "course_correct.py", "documents-000-001": SAMPLES / "documents_correct.py",
           "documents-002-003": ROOT / "tests" / "profiles" / "documents_002_003_correct.py",
           "documents-004": ROOT / "tests" / "profiles" / "documents_004_correct.py"}
NOTEBOOKS = {"document-001-autograd": ROOT / "tests" / "profiles" / "pytorch_autograd_correct.ipynb"}  # needs torch:
# graded in tests/test_autograd_exercise.py
LIMITS = Limits(call_timeout=20.0)
PROFILE_ENVIRONMENT = sandbox.Environment(mode="off")  # the process fallback: quicker to start, same mapping

# (profile, name, code in the correct sample, the bug, the requirement that must catch it)
BUGS = [
    ("course-api", "relu'(0) = 1", "dZ[Z <= 0] = 0", "dZ[Z < 0] = 0", "ACT-RELU-DERIVATIVE-AT-ZERO"),
    ("course-api", "sigmoid_backward without s", "return dA * s * (1 - s)", "return dA * (1 - s)",
     "ACT-SIGMOID-DERIVATIVE"),
    ("course-api", "dW without 1/m", "dW = dZ @ A_prev.T / m", "dW = dZ @ A_prev.T", "LAY-LINEAR-BACKWARD-DW"),
    ("course-api", "db summed over the units", "db = np.sum(dZ, axis=1, keepdims=True) / m",
     "db = np.sum(dZ, axis=0, keepdims=True) / m", "LAY-LINEAR-BACKWARD-DB"),
    ("course-api", "linear_forward without b", "Z = W @ A + b", "Z = W @ A", "LAY-LINEAR-FORWARD-VALUES"),
    ("course-api", "weights transposed", "np.random.randn(layer_dims[l], layer_dims[l - 1])",
     "np.random.randn(layer_dims[l - 1], layer_dims[l])", "NET-INIT-SHAPES"),
    ("course-api", "update ascends", 'parameters["W" + str(l)] -= learning_rate',
     'parameters["W" + str(l)] += learning_rate', "NET-UPDATE-RULE"),
    pytest.param("course-api", "hidden layers through the sigmoid", 'caches[l], "relu")', 'caches[l], "sigmoid")',
                 "NET-BACKWARD-GRADCHECK", marks=pytest.mark.corpus),  # ~50 s: hypothesis shrinks the failure
    ("documents-000-001", "sigmoid of 2z", "return 0.5 * (1.0 + np.tanh(0.5 * z))", "return 0.5 * (1.0 + np.tanh(z))",
     "ACT-SIGMOID-VALUES"),
    ("documents-000-001", "softmax without the shift", "np.exp(z - z.max(axis=0, keepdims=True))", "np.exp(z)",
     "ACT-SOFTMAX-STABLE"),
    ("documents-000-001", "ReLU lets negatives through", "return np.maximum(z, 0)", "return np.abs(z)",
     "ACT-RELU-VALUES"),
    ("documents-000-001", "softmax over the wrong axis", "shifted.sum(axis=0, keepdims=True)",
     "shifted.sum(axis=1, keepdims=True)", "ACT-SOFTMAX-SUMS-TO-ONE"),
    pytest.param("documents-000-001", "hidden gradient without the ReLU mask", "dZ = (W.T @ dZ) * (Z_prev > 0)",
                 "dZ = W.T @ dZ",
                 "NET-BACKWARD-GRADCHECK", marks=pytest.mark.corpus),
    ("documents-000-001", "cost without the clip", "p = np.clip(y_hat, EPSILON, 1 - EPSILON)", "p = y_hat",
     "LOSS-BCE-CLIPPED"),
    ("documents-000-001", "He scale of fan-out", "np.sqrt(2.0 / fan_in)", "np.sqrt(2.0 / layer_dims[l])",
     "NET-INIT-HE-VARIANCE"),
    ("documents-002-003", "dsigmoid of z, not of a", "return a * (1.0 - a)",
     "return sigmoid(a) * (1.0 - sigmoid(a))", "ACT-SIGMOID-DERIVATIVE"),
    ("documents-002-003", "dtanh of z, not of a", "return 1.0 - a * a", "return 1.0 - np.tanh(a) ** 2",
     "ACT-TANH-DERIVATIVE"),
    ("documents-002-003", "W transposed in Z = X @ W + b", "return X @ W + b", "return X @ W.T + b",
     "LAY-LINEAR-FORWARD-VALUES"),
    ("documents-002-003", "softmax summed over the samples", "shifted.sum(axis=1, keepdims=True)",
     "shifted.sum(axis=0, keepdims=True)", "ACT-SOFTMAX-SUMS-TO-ONE"),
    ("documents-002-003", "db without keepdims", "dZ.sum(axis=0, keepdims=True)", "dZ.sum(axis=0)",
     "LAY-LINEAR-BACKWARD-DB"),
    ("documents-002-003", "db summed over the units", "dZ.sum(axis=0, keepdims=True)",
     "dZ.sum(axis=1, keepdims=True)", "LAY-LINEAR-BACKWARD-DB"),
    ("documents-002-003", "mse_grad without the 2", "return 2.0 * (y_pred - y) / y.size",
     "return (y_pred - y) / y.size", "LOSS-MSE-GRADIENT"),
    ("documents-002-003", "dX without W's transpose", "return dZ @ W.T, X.T @ dZ", "return dZ @ W, X.T @ dZ",
     "LAY-LINEAR-BACKWARD-DA"),
    ("documents-002-003", "weights drawn (n_out, n_in)", "(n_in, n_out))", "(n_out, n_in))", "NET-INIT-SHAPES"),
    pytest.param("documents-002-003", "hidden error without dsigmoid", "dZ = dA * dsigmoid(A)",
                 "dZ = dA * (dsigmoid(A) if l == len(cache) else 1.0)", "WE-003-BACKPROP-221",
                 marks=pytest.mark.corpus),
    ("course-api", "Adam without bias correction", "alpha * v_corrected / (np.sqrt(s_corrected) + epsilon)",
     "alpha * v / (np.sqrt(s) + epsilon)", "OPT-ADAM-TRAJECTORY"),
    ("course-api", "RMSProp without the square root", "alpha * grad / (np.sqrt(s) + epsilon)",
     "alpha * grad / (s + epsilon)", "OPT-RMSPROP-TRAJECTORY"),
    pytest.param("documents-004", "MLP.backward's delta without /N", "delta = (self.probs - y_true) / n",
                 "delta = self.probs - y_true", "NET-BACKWARD-GRADCHECK", marks=pytest.mark.corpus),  # ~30 s
    ("documents-004", "relu'(0) = 1", "np.where(z > 0, np.ones_like(z)", "np.where(z >= 0, np.ones_like(z)",
     "ACT-RELU-DERIVATIVE-AT-ZERO"),
    ("documents-004", "Perceptron updates b with the wrong sign", "self.b = self.b + self.lr * error",
     "self.b = self.b - self.lr * error", "PER-UPDATE-RULE"),
    ("documents-004", "Perceptron.train starts again from w = 0", "        for _ in range(epochs):",
     "        self.w = np.zeros(len(self.w))\n        for _ in range(epochs):", "PER-UPDATE-RULE"),
    ("documents-004", "MLP.predict's argmax over the samples", "np.argmax(self.forward(X), axis=1)",
     "np.argmax(self.forward(X), axis=0)", "NET-PREDICT-ARGMAX"),
    ("documents-004", "softmax summed over the samples", "e / np.sum(e, axis=1, keepdims=True)",
     "e / np.sum(e, axis=0, keepdims=True)", "ACT-SOFTMAX-SUMS-TO-ONE"),
    ("documents-004", "numerical_gradient leaves x nudged", "        x[index] = kept\n", "",
     "GC-NUMERICAL-GRADIENT-RESTORES-X"),
    pytest.param("documents-004", "MLP.backward masks with the activation's input of the wrong layer",
                 "relu_derivative(self.scores[i - 1])", "relu_derivative(self.scores[i])",
                 "NET-BACKWARD-GRADCHECK", marks=pytest.mark.corpus),
]
# What each built-in profile cannot meet: the checks below name a few of each kind (function, pinned choice,
# convention) rather than all ~150, which `nnspec grade --profile NAME --json` lists in full.
NOT_APPLICABLE = {
    "course-api": {"ACT-GELU-VALUES": "none of gelu", "NET-PURE": "convention updates",
                   "WE-000-MNIST-SHAPES": "output_activation='sigmoid'", "NET-INIT-HE-VARIANCE": "init_scale",
                   "NET-TRAIN-FULL-BATCH": "init_seeding", "NET-PREDICT-THRESHOLD": "none of predict"},
    "documents-000-001": {"NET-INIT-XAVIER-VARIANCE": "method='he'", "NET-PURE": "convention updates",
                          "NET-TRAIN-DETERMINISTIC": "init_seeding", "LOSS-MSE-VALUE": "none of mse"},
    "documents-002-003": {"NET-INIT-XAVIER-VARIANCE": "method='he'", "LOSS-BCE-VALUE": "none of binary_cross",
                          "NET-TRAIN-DECREASES": "none of train", "WE-004-MLP-FORWARD": "hidden_activation='sigmoid'",
                          "WE-002-ROW-MAJOR-BACKPROP": "hidden_activation='sigmoid'"},
    "documents-004": {"NET-PREDICT-THRESHOLD": "output_activation='softmax'", "NET-INIT-ZEROS": "method='he'",
                      "NET-INIT-DETERMINISTIC": "init_seeding", "NET-UPDATE-RULE": "none of update_parameters",
                      "WE-004-BACKPROP-2LAYER": "hidden_activation='relu'", "ACT-TANH-VALUES": "none of tanh",
                      "LOSS-CE-FLOOR": "convention ce_clip"},
}


def grade(target: Path, profile: str | profiles.Profile, only: list[str],
          environment: sandbox.Environment = PROFILE_ENVIRONMENT) -> dict[str, runner.RequirementResult]:
    """The results of ``only`` for ``target`` graded under ``profile``."""
    loaded = profiles.load(profile) if isinstance(profile, str) else profile
    chapters = sorted({CHAPTERS[req_id.split("-", 1)[0]] for req_id in only})
    run = runner.run(str(target), LIMITS, chapters, only, environment, profile=loaded)
    assert run.loaded, run.load_error
    return {result.id: result for result in run.results}


def mutated(tmp_path: Path, profile: str, original: str, bug: str) -> Path:
    source = CORRECT[profile].read_text()
    assert source.count(original) == 1, f"the correct sample changed: {original!r} is not there once"
    target = tmp_path / CORRECT[profile].name
    target.write_text(source.replace(original, bug))
    return target


# --- the profiles themselves -----------------------------------------------------------------------------------

def test_profiles_command_lists_every_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.split()[0] for line in lines) == sorted(profiles.builtin()) == sorted({**CORRECT, **NOTEBOOKS})
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines), "each profile has its one-line description"


@pytest.mark.parametrize("name", sorted({**CORRECT, **NOTEBOOKS}))
def test_builtin_profile_maps_only_contract_parameters(name: str) -> None:
    profile = profiles.load(name)
    data = profile.mapping()
    assert json.loads(json.dumps(data)) == data, "only plain data goes to the worker"
    for function, table in data["functions"].items():
        names = {parameter for parameter, _, _ in table["parameters"]}
        assert set(profiles._names(table["args"])) <= names, function


@pytest.mark.parametrize(("text", "named"), [
    ("[functions.forwardd]\nargs = ['X']", "forwardd is not a contract function"),
    ("[functions.forward]\nargs = ['X', 'params']", "params, not parameters of the contract's forward"),
    ("[conventions]\nrelu_prime = 1", "relu_prime is not a convention"),
    ("[functions.forward]\nrename = 'f'", "unknown key(s) rename in [functions.forward]"),
    ("[profile]\nlayout = 'diagonal'", "layout must be one of column-major, row-major"),
    ("[profile]\nbias_shape = '(n, 1)'", "[profile] bias_shape must be one of (1, n), (n,)"),
    ("[functions.sigmoid_derivative]\nlayout = 'rows'", "[functions.sigmoid_derivative] layout must be one of"),
    ("[functions.sigmoid_derivative]\nargs = ['sigmod:z']", "uses the transform(s) sigmod; known: ones_like"),
    ("[functions.linear_backward]\nargs = ['dZ', 'A_prev', 'W']\ntimes_m = [0]", "times_m needs an \"over_m:\" ARG"),
    ("[profile]\nnotebook = 'every cell'", "notebook must be one of definitions, all, marked"),
    ("[profile]\nvalues = ['x', 'w.grad']", "values must be a list of names"),
    ("[profile]\nstarter_code = 'x = 1'", "starter_code must hold only class and function definitions"),
    ("[profile]\nvalues = ['x', 'w']\nstarter_cells = ['x = NotImplemented']", "starter_cells assign no w"),
    ("[profile]\nstarter_cells = ['x = ']", "starter_cells, cell 1, is not Python"),
])
def test_a_bad_profile_is_refused_naming_the_problem(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=re.escape(named)):
        profiles.load(str(path))


def test_an_unknown_profile_names_the_builtin_ones() -> None:
    with pytest.raises(ProfileError, match="course-api"):
        profiles.load("no-such-profile")


# --- what is not applicable, decided -----------------------------------------------------------------------------

def test_the_needs_table_covers_every_requirement_and_only_contract_functions() -> None:
    import spec.plugin  # noqa: F401  (registers IMPL-LOADS)
    from spec.requirements import REGISTRY
    for module in sorted(needs.HERE.glob("test_*.py")):
        importlib.import_module(f"spec.{module.stem}")  # each registers its requirements

    table = needs.load()
    for req_id, entry in table.items():
        assert set(entry["functions"]) <= set(needs.FUNCTIONS), req_id
        for key in entry["arguments"]:
            function, parameter = key.split(".")
            assert function in entry["functions"] and parameter in needs.choice_parameters(function), key
    named = {req_id for convention in needs.conventions().values() for req_id in convention["requirements"]}
    assert named <= set(table), sorted(named - set(table))
    assert set(REGISTRY) == set(table), sorted(set(REGISTRY) ^ set(table))


@pytest.mark.parametrize("name", sorted(NOT_APPLICABLE))
def test_builtin_profile_not_applicable_requirements(name: str) -> None:
    reasons = applicability.not_applicable(profiles.load(name))
    for req_id, why in NOT_APPLICABLE[name].items():
        assert why in reasons.get(req_id, ""), (req_id, reasons.get(req_id))
    assert "NET-FORWARD-MATCHES" not in reasons, "its relu/sigmoid case is the assignment's own"


def test_a_pinned_choice_or_a_missing_function_makes_a_call_not_applicable() -> None:
    course = profiles.load("course-api")
    X, parameters = np.ones((2, 3)), {"W1": np.ones((1, 2)), "b1": np.zeros((1, 1))}
    assert applicability.unmappable(course, "forward", (X, parameters), {}) == ""
    assert "always has hidden_activation='relu', and this case calls forward with hidden_activation='tanh'" in \
        applicability.unmappable(course, "forward", (X, parameters, "tanh"), {})
    assert applicability.unmappable(course, "gelu", (X,), {}) == "the assignment has no gelu"
    one_row, two_rows = np.full((1, 3), 0.5), np.full((2, 3), 0.5)
    assert applicability.unmappable(course, "compute_cost", (one_row, one_row), {}) == ""
    assert "over 2 output rows" in applicability.unmappable(course, "compute_cost", (two_rows, two_rows), {})


def test_a_float64_only_assignment_is_not_graded_on_float32_calls(tmp_path: Path) -> None:
    course = profiles.load("course-api")
    X, W32 = np.ones((2, 3)), np.ones((1, 2), dtype=np.float32)
    assert applicability.unmappable(course, "linear_forward", (X, np.ones((1, 2)), np.zeros((1, 1))), {}) == ""
    assert "with float32 arrays" in applicability.unmappable(course, "linear_forward", (X, W32, np.zeros((1, 1))), {})
    assert "with float32 arrays" in applicability.unmappable(course, "forward", (X, {"W1": W32}), {})
    contract_precision = tmp_path / "float32.toml"
    contract_precision.write_text(profiles.builtin()["course-api"].read_text().replace(
        'precision = "float64 only: the assignment never asks for float32"\n', ""))
    assert applicability.unmappable(profiles.load(str(contract_precision)), "linear_forward",
                                    (X, W32, np.zeros((1, 1))), {}) == ""


# --- the mapping, in the worker's module -----------------------------------------------------------------------

def test_the_mapping_unwraps_builds_caches_and_drops_keys() -> None:
    learner = types.ModuleType("learner")
    exec(textwrap.dedent("""
        import numpy as np
        def linear_forward(A, W, b):
            return W @ A + b, (A, W, b)
        def linear_backward(dZ, cache):
            A_prev, W, b = cache
            assert b is None
            return W.T @ dZ, dZ @ A_prev.T / A_prev.shape[1], dZ.mean(axis=1, keepdims=True)
        def relu_backward(dA, cache):
            return dA * (cache > 0)
        def L_model_backward(AL, Y, caches):
            return {"dW1": AL - Y, "db1": Y, "dA0": AL}
    """), learner.__dict__)
    served = mapping.apply(learner, profiles.load("course-api").mapping())
    A, W, b = np.ones((2, 3)), np.full((1, 2), 2.0), np.full((1, 1), 0.5)
    np.testing.assert_array_equal(served.linear_forward(A, W, b), np.full((1, 3), 4.5))
    dA, dW, _ = served.linear_backward(np.ones((1, 3)), A, W)
    np.testing.assert_array_equal(dW, np.ones((1, 2)))
    np.testing.assert_array_equal(dA, np.full((2, 3), 2.0))
    np.testing.assert_array_equal(served.relu_derivative(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])
    assert sorted(served.backward(np.ones((1, 2)), np.zeros((1, 2)), None)) == ["dW1", "db1"]
    assert not hasattr(served, "sigmoid"), "a function the learner has not written stays not implemented"
    learner.relu = lambda Z: np.maximum(Z, 0)  # forgot the cache the assignment asks for
    with pytest.raises(TypeError, match=r"relu must return a tuple with item\(s\) \[0\]"):
        mapping.apply(learner, profiles.load("course-api").mapping()).relu(np.ones(2))
    assert str(inspect.signature(served.relu_derivative)) == "(z)", "the contract's signature, for messages"


def test_a_notebooks_values_cross_as_data_only() -> None:
    learner = types.ModuleType("learner")
    learner.x, learner.n, learner.flag, learner.text = np.array([[1, 2]]), 3, True, "hi"
    learner.b = NotImplemented  # a starter's placeholder, not written yet
    served = mapping.apply(learner, profiles.parse({"profile": {"values": ["x", "n", "flag", "text", "b", "w"]}},
                                                   "p", "p.toml").mapping())
    assert getattr(served, values.FUNCTION)() == {"x": [[1.0, 2.0]], "n": 3.0, "flag": True, "text": {"type": "str"},
                                                  "b": values.NOT_WRITTEN, "w": values.MISSING}


def test_a_profiles_libraries_are_offered_to_the_worker_and_allowed() -> None:
    from nnspec.grade.cli import _with_libraries
    profile = profiles.load("document-001-autograd")
    assert profile.notebook == "all" and "torch" in profile.libraries and "w" in profile.mapping()["values"]
    grading = _with_libraries(config.load(), profile.libraries)
    assert set(profile.libraries) <= set(grading.environment.libraries) and "numpy" in grading.environment.libraries
    assert "torch" not in grading.forbidden_modules and "tensorflow" in grading.forbidden_modules
    assert "torch" in config.load().forbidden_modules, "only the profile's grade allows it"


def test_optional_libraries_are_offered_only_where_installed(tmp_path: Path) -> None:
    path = tmp_path / "optional.toml"
    path.write_text('[profile]\nlibraries = ["numpy"]\noptional_libraries = ["json", "no_such_library_here"]\n')
    assert profiles.load(str(path)).offered() == ("numpy", "json")


def test_the_notebooks_values_are_not_applicable_without_a_profile_naming_them(tmp_path: Path) -> None:
    """Decided in the grader: a submission that serves values of its own gets no say (document 001's exercise is
    graded only with --profile document-001-autograd)."""
    target = tmp_path / "pretender.py"
    target.write_text(f"def {values.FUNCTION}():\n    return {{'x': {{'tensor': True}}}}\n")
    for profile in (None, profiles.load("course-api")):
        run = runner.run(str(target), LIMITS, ["autograd exercise"], None, PROFILE_ENVIRONMENT, profile=profile)
        statuses = {result.status for result in run.results if result.requirement.chapter == "autograd exercise"}
        assert statuses == {"not applicable"}, (profile, statuses)


# --- the built-in profiles' samples and seeded bugs ---------------------------------------------------------------

@pytest.mark.parametrize(("profile", "name", "original", "bug", "requirement"), BUGS,
                         ids=[getattr(bug, "values", bug)[1] for bug in BUGS])
def test_a_seeded_bug_is_caught_by_its_requirement(tmp_path: Path, profile: str, name: str, original: str, bug: str,
                                                   requirement: str) -> None:
    assert grade(CORRECT[profile], profile, [requirement])[requirement].status == "passed"
    result = grade(mutated(tmp_path, profile, original, bug), profile, [requirement])[requirement]
    assert result.status == "failed", (name, result.status, result.message)


@pytest.mark.corpus
@pytest.mark.parametrize("profile", sorted(CORRECT))
def test_the_correct_sample_gets_full_marks_on_every_applicable_requirement(profile: str) -> None:
    run = runner.run(str(CORRECT[profile]), LIMITS, profile=profiles.load(profile),
                     environment=sandbox.Environment(mode="auto"))
    report = reports.build(run, config.load())
    statuses = {result.id: result.status for result in run.results}
    assert {status for status in statuses.values()} <= {"passed", "not applicable", "skipped"}, \
        {req_id: status for req_id, status in statuses.items() if status not in ("passed", "not applicable", "skipped")}
    assert report.score == report.max_score > 0 and report.exit_code == reports.EXIT_OK
    not_applicable = {req_id for req_id, status in statuses.items() if status == "not applicable"}
    assert set(NOT_APPLICABLE[profile]) <= not_applicable


# --- name collisions, without a profile ----------------------------------------------------------------------------

def test_a_failure_under_a_profile_is_reproduced_with_the_learners_own_code(tmp_path: Path) -> None:
    """The line to try is the learner's own function called as the worker called it (002/003's dtanh takes the
    activation); a function of the adapter is said to be made of the learner's class, with no line to try."""
    from nnspec.grade.proxy import REPRODUCTION_INTRO
    row_major = mutated(tmp_path, "documents-002-003", "return 1.0 - a * a", "return 1.0 - np.tanh(a) ** 2")
    message = grade(row_major, "documents-002-003", ["ACT-TANH-DERIVATIVE"])["ACT-TANH-DERIVATIVE"].message
    tried = message.split(REPRODUCTION_INTRO)[1]
    assert "\n    dtanh(np.array([" in tried and "tanh_derivative(np.array" not in tried, message
    assert "which the profile documents-002-003 makes dtanh(np.tanh(z))" in tried, message
    classes = mutated(tmp_path, "documents-004", "self.b = self.b + self.lr * error",
                      "self.b = self.b - self.lr * error")
    message = grade(classes, "documents-004", ["PER-UPDATE-RULE"])["PER-UPDATE-RULE"].message
    assert REPRODUCTION_INTRO not in message, message
    assert "perceptron_update is not a function of yours" in message and "your Perceptron(len(w), learning_rate)" \
        in message, message


def test_a_contract_name_with_another_signature_is_a_collision() -> None:
    message = scope.collision("predict", [("X", 1), ("y", 1), ("parameters", 1)])
    assert message.startswith("your `predict(X, y, parameters)` does not take `(X, parameters, ...)`: rename it, "
                              "or map it in the profile")
    assert "does not take `(dZ, A_prev, W)`" in scope.collision("linear_backward", [("dZ", 1), ("cache", 1)])
    assert scope.collision("sigmoid", [("x", 1)]) == ""
    assert scope.collision("forward", [("X", 1), ("params", 1), ("args", 2)]) == ""


def test_the_reference_has_no_collision() -> None:
    import reference
    for name in needs.FUNCTIONS:
        parameters = [(p.name, int(p.kind)) for p in inspect.signature(getattr(reference, name)).parameters.values()]
        assert scope.collision(name, parameters) == "", name


def test_a_collision_is_reported_as_such_by_the_grader(tmp_path: Path) -> None:
    target = tmp_path / "course_style.py"
    target.write_text(CORRECT["course-api"].read_text())  # its predict(X, y, parameters)
    run = runner.run(str(target), LIMITS, ["network"], ["NET-PREDICT-THRESHOLD"],
                     sandbox.Environment(mode="off"))
    result = {result.id: result for result in run.results}["NET-PREDICT-THRESHOLD"]
    assert result.status == "failed"
    assert "your `predict(X, y, parameters)` does not take `(X, parameters, ...)`: rename it, or map it in the " \
           "profile" in result.message


# --- an instructor's adapter -----------------------------------------------------------------------------------------

ADAPTER = '''
"""The instructor's adapter: this assignment's activations live on a class."""

def adapt(module):
    layer = module.Sigmoid()
    return {"sigmoid": layer.forward, "sigmoid_derivative": lambda z: layer.backward(z, 1.0)}
'''
CLASS_BASED = '''
import numpy as np

class Sigmoid:
    def forward(self, z):
        return 0.5 * (1.0 + np.tanh(0.5 * z))

    def backward(self, z, upstream):
        s = self.forward(z)
        return upstream * s * (1 - s)
'''


def test_an_instructors_adapter_runs_in_the_worker(tmp_path: Path) -> None:
    (tmp_path / "adapters").mkdir()
    (tmp_path / "adapters" / "class_sigmoid.py").write_text(ADAPTER)
    (tmp_path / "profile.toml").write_text(textwrap.dedent("""
        [profile]
        description = "activations on classes"
        adapter = "class_sigmoid"
        adapter_functions = ["sigmoid", "sigmoid_derivative"]
    """))
    (tmp_path / "course.toml").write_text('[worker]\npaths = ["adapters/class_sigmoid.py"]\n')
    target = tmp_path / "submission.py"
    target.write_text(CLASS_BASED)
    grading = config.load(tmp_path / "course.toml")
    environment = sandbox.Environment("off", grading.environment.libraries, grading.environment.paths)
    only = ["ACT-SIGMOID-VALUES", "ACT-SIGMOID-DERIVATIVE", "ACT-TANH-VALUES"]
    results = grade(target, profiles.load(str(tmp_path / "profile.toml")), only, environment)
    assert results["ACT-SIGMOID-VALUES"].status == results["ACT-SIGMOID-DERIVATIVE"].status == "passed"
    assert results["ACT-TANH-VALUES"].status == "not applicable"
    target.write_text(CLASS_BASED.replace("upstream * s * (1 - s)", "upstream * (1 - s)"))
    assert grade(target, profiles.load(str(tmp_path / "profile.toml")), only, environment)[
        "ACT-SIGMOID-DERIVATIVE"].status == "failed"


# --- the built-in adapters ------------------------------------------------------------------------------------------

IN_PLACE_CLASSES = '''
import numpy as np

class MLP:
    def __init__(self, layer_sizes, lr=0.001):
        self.lr = lr
        self.weights = [np.random.randn(a, b) for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]
        self.biases = [np.zeros((1, b)) for b in layer_sizes[1:]]

    def forward(self, X):
        self.a = [X]
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = self.a[-1] @ W + b
            if i < len(self.weights) - 1:
                self.a.append(np.maximum(z, 0))
            else:
                e = np.exp(z - z.max(axis=1, keepdims=True))
                self.a.append(e / e.sum(axis=1, keepdims=True))
        return self.a[-1]

    def backward(self, y_true):
        delta = (self.a[-1] - y_true) / y_true.shape[0]
        for i in reversed(range(len(self.weights))):
            dW, db = self.a[i].T @ delta, delta.sum(axis=0, keepdims=True)
            delta = (delta @ self.weights[i].T) * (self.a[i] > 0)
            self.weights[i] -= self.lr * dW
            self.biases[i] -= self.lr * db

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)

class Perceptron:
    def __init__(self, n_features, lr=0.01):
        self.w, self.b, self.lr = np.zeros(n_features), 0.0, lr

    def predict(self, x):
        return 1 if self.w @ x + self.b > 0 else 0

    def train(self, X, y, epochs=100):
        for _ in range(epochs):
            for xi, yi in zip(X, y):
                error = yi - self.predict(xi)
                self.w += self.lr * error * xi
                self.b += self.lr * error
'''


def test_the_documents_004_adapter_is_the_contract_in_columns_and_pure() -> None:
    """The class adapter, outside the worker: forward, backward (gradients read off the class's own update, which
    here is in place) and the perceptron agree with the reference, and no argument changes."""
    import reference
    from nnspec.grade.adapters import documents_004
    learner = types.ModuleType("learner")
    exec(IN_PLACE_CLASSES, learner.__dict__)
    adapted = documents_004.adapt(learner)
    rng = np.random.default_rng(4)
    parameters = reference.initialize_parameters([3, 4, 2], "he", 4)
    parameters["b1"] = rng.normal(size=(4, 1))
    X, Y = rng.normal(size=(3, 5)), np.eye(2)[:, rng.integers(0, 2, 5)]
    kept = {name: value.copy() for name, value in parameters.items()}
    AL, caches = adapted["forward"](X, parameters, "relu", "softmax")
    expected_AL, expected_caches = reference.forward(X, parameters, "relu", "softmax")
    np.testing.assert_allclose(AL, expected_AL, rtol=1e-12)
    grads = adapted["backward"](AL, Y, caches, "relu", "softmax", "categorical_cross_entropy")
    expected = reference.backward(expected_AL, Y, expected_caches, "relu", "softmax", "categorical_cross_entropy")
    assert sorted(grads) == sorted(expected)
    for name, value in expected.items():
        np.testing.assert_allclose(grads[name], value, rtol=1e-9, atol=1e-15, err_msg=name)
    np.testing.assert_array_equal(adapted["predict"](X, parameters, "relu", "softmax"), np.argmax(expected_AL, 0))
    for name, value in kept.items():
        np.testing.assert_array_equal(parameters[name], value, err_msg=f"{name} changed")
    w, x = np.array([0.5, -1.0]), np.array([1.0, 1.0])
    np.testing.assert_allclose(adapted["perceptron_update"](w, 0.25, x, 1, 0.5)[0],
                               reference.perceptron_update(w, 0.25, x, 1, 0.5)[0])
    np.testing.assert_array_equal(w, [0.5, -1.0])
    X_and, y_and = np.array([[0, 0, 1, 1], [0, 1, 0, 1]]), np.array([0, 0, 0, 1])
    np.testing.assert_allclose(adapted["perceptron_train"](X_and, y_and, 0.1, 20)[0],
                               reference.perceptron_train(X_and, y_and, 0.1, 20)[0])
    with pytest.raises(ValueError, match="hidden_activation must be 'relu'"):
        adapted["forward"](X, parameters, "tanh", "softmax")


def test_the_course_optimizer_adapter_names_a_wrong_return() -> None:
    from nnspec.grade.adapters import course_optimizers
    learner = types.ModuleType("learner")
    learner.update_variables_momentum = lambda alpha, beta1, var, grad, v: var - alpha * grad  # forgot v
    step = course_optimizers.adapt(learner)["sgd_momentum_update"]
    with pytest.raises(TypeError, match=r"must return a tuple of 2 arrays \(the variable and its 1 moment"):
        step({"W1": np.ones((2, 2))}, {"dW1": np.ones((2, 2))}, None, 0.1)


# --- not applicable in every report --------------------------------------------------------------------------------

def test_not_applicable_is_reported_everywhere_and_never_counted() -> None:
    import spec.plugin  # noqa: F401  (registers IMPL-LOADS)
    from spec.requirements import REGISTRY
    for module in sorted(needs.HERE.glob("test_*.py")):
        importlib.import_module(f"spec.{module.stem}")  # each registers its requirements

    passed = runner.RequirementResult(REGISTRY["ACT-SIGMOID-VALUES"], "passed", cases=1)
    scoped = runner.RequirementResult(REGISTRY["ACT-GELU-VALUES"], "not applicable",
                                      "not applicable: the assignment has none of gelu", cases=0)
    run = runner.GradeRun("sub.py", "sub.py", True, "", [passed, scoped])
    report = reports.build(run, config.load())
    assert (report.score, report.max_score, report.exit_code) == (1.0, 1.0, reports.EXIT_OK)
    assert "ACT-GELU-VALUES: the assignment has none of gelu" in reports.terminal(report)
    entry = {item["id"]: item for item in reports.to_json(report)["requirements"]}["ACT-GELU-VALUES"]
    assert (entry["status"], entry["max_points"]) == ("not applicable", 0.0)
    test = {item["name"].split(":")[0]: item for item in reports.gradescope(report)["tests"]}["ACT-GELU-VALUES"]
    assert (test["max_score"], test["status"]) == (0.0, "passed") and "not applicable" in test["output"]
    assert '<skipped message="not applicable: the assignment has none of gelu"' in reports.junit(report)
    assert "- ACT-GELU-VALUES: the assignment has none of gelu" in reports.markdown(report)
    table = {line.split()[0]: line.split() for line in reports.terminal(report).splitlines() if line.strip()}
    assert (table["chapter"][-2], table["activations"][-2:]) == ("n/a", ["1", "1/1"])  # the chapter table counts it
    assert "| activations | 1 | 0 | 0 | 0 | 0 | 1 | 1/1 |" in reports.markdown(report)
    pytest.importorskip("matplotlib")
    from nnspec.grade import html
    page = html.page(report)
    assert "not applicable, not counted: ACT-GELU-VALUES" in page
    assert "<th>not applicable</th>" in page


def test_grade_profile_option_is_a_usage_error_when_unknown(tmp_path: Path) -> None:
    from nnspec.grade.cli import grade_one
    args = argparse.Namespace(profile="no-such-profile", quiet=True, notebook_mode="definitions", json=None,
                              gradescope=None, junit=None, html=None, chapter=None, requirement=None)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = grade_one(str(CORRECT["course-api"]), args, config.load())
    assert code == reports.EXIT_UNUSABLE and "no profile 'no-such-profile'" in out.getvalue()


@pytest.mark.corpus
def test_the_needs_table_is_what_the_spec_calls() -> None:
    """spec/needs.json is recorded again (the whole spec on the reference, ~4 min) and must not have changed."""
    import subprocess
    import sys
    finished = subprocess.run([sys.executable, str(ROOT / "tools" / "record_needs.py"), "--check"], cwd=ROOT,
                              capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]


# --- the starter of a profile ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("profile", sorted(CORRECT))
def test_a_profiles_starter_has_the_assignments_own_functions(tmp_path: Path, profile: str) -> None:
    from nnspec.profiles import starter
    stubs = starter.stubs(profiles.load(profile))
    own = {table.get("name", name) for name, table in profiles.load(profile).functions.items()
           if name not in profiles.load(profile).adapter_functions}
    assert {stub.name for stub in stubs if not stub.code} == own
    sample = types.ModuleType("sample")
    exec(CORRECT[profile].read_text(), sample.__dict__)
    for stub in stubs:  # the correct sample, written from the style alone, takes what the starter declares
        if stub.code:  # a class or function the adapter reads (starter_code): the same methods, the same arity
            written = types.ModuleType("starter")
            exec(stub.code, written.__dict__)
            assert _arities(getattr(written, stub.name)) == _arities(getattr(sample, stub.name)), stub.name
            continue
        declared = inspect.signature(eval(f"lambda {stub.signature[1:-1]}: None"))
        assert len(inspect.signature(getattr(sample, stub.name)).parameters) == len(declared.parameters), stub.name


def _arities(definition: object) -> dict[str, int]:
    """Each public method's (or the function's own) number of parameters."""
    if inspect.isfunction(definition):
        return {"": len(inspect.signature(definition).parameters)}
    return {name: len(inspect.signature(member).parameters) for name, member in vars(definition).items()
            if inspect.isfunction(member) and (name == "__init__" or not name.startswith("_"))}


@pytest.mark.parametrize("notebook", [False, True], ids=["py", "ipynb"])
@pytest.mark.parametrize("profile", sorted(CORRECT))
def test_a_profiles_starter_scores_zero_with_every_function_not_implemented(tmp_path: Path, profile: str,
                                                                           notebook: bool) -> None:
    from nnspec.grade import notebook as notebooks
    target = tmp_path / ("starter.ipynb" if notebook else "starter.py")
    assert main(["starter", "--profile", profile, "-o", str(target)] + (["--notebook"] if notebook else [])) == 0
    with notebooks.prepared(str(target), notebooks.NotebookSettings()) as (script, _):
        run = runner.run(script, LIMITS, ["activations", "network"], environment=PROFILE_ENVIRONMENT,
                         profile=profiles.load(profile))
    assert run.loaded, run.load_error
    report = reports.build(run, config.load())
    chapters = ("activations", "network")  # (requirements of other chapters, registered by other tests: not run)
    statuses = {result.id: result.status for result in run.results if result.requirement.chapter in chapters}
    assert report.score == 0 and report.max_score > 0
    assert {status for req_id, status in statuses.items() if not req_id.startswith("IMPL-")} <= \
        {"not implemented", "not applicable", "skipped"}, statuses
    assert statuses["NET-FORWARD-MATCHES"] == "not implemented"
