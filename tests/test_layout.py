"""The row-major layout of assignment profiles: each contract argument and result converted by its role in the contract
(spec/layout.py) inside the worker (nnspec/grade/layout.py), the mapping's transforms for documents 002/003, document
004's row-major functions under a profile written here (the built-in documents-004 profile is another's), and a
column-major profile mapping the common course's one row-major function, batch_norm."""

from __future__ import annotations

import sys
import textwrap
import types
import warnings
from pathlib import Path

import numpy as np
import pytest

import reference
from nnspec import profiles
from nnspec.grade import layout, mapping
from nnspec.profiles import ProfileError, applicability
from spec import layout as roles
from spec.contract import FUNCTIONS
from spec.needs import contract_parameters
from tests.test_profiles import CORRECT, grade

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

RNG = np.random.default_rng(13)


def row_major(text: str, tmp_path: Path) -> profiles.Profile:
    path = tmp_path / "row_major.toml"
    path.write_text(textwrap.dedent(text))
    return profiles.load(str(path))


# --- the roles, and their conversion ---------------------------------------------------------------------------------

def test_the_roles_name_contract_parameters_and_the_worker_knows_them() -> None:
    known = {roles.SAMPLES, roles.WEIGHT, roles.BIAS, roles.PARAMETERS}
    assert (layout.SAMPLES, layout.WEIGHT, layout.BIAS, layout.PARAMETERS) == \
        (roles.SAMPLES, roles.WEIGHT, roles.BIAS, roles.PARAMETERS), "the worker cannot import spec: same strings"
    for function, arguments in roles.ARGUMENTS.items():
        assert set(arguments) <= set(contract_parameters(function).parameters), function
        assert set(arguments.values()) <= known, function
    for function, result in roles.RESULTS.items():
        assert function in FUNCTIONS and set(result if isinstance(result, list) else [result]) <= known | {None}


@pytest.mark.parametrize("bias", profiles.BIAS_SHAPES)
def test_a_round_trip_through_the_row_major_layout_is_the_identity(bias: str) -> None:
    X, W, b = RNG.normal(size=(3, 5)), RNG.normal(size=(2, 3)), RNG.normal(size=(2, 1))
    assert layout.to_learner(X, roles.SAMPLES, bias).shape == (5, 3)
    assert layout.to_learner(W, roles.WEIGHT, bias).shape == (3, 2)
    assert layout.to_learner(b, roles.BIAS, bias).shape == ((1, 2) if bias == "(1, n)" else (2,))
    parameters = {"W1": W, "b1": b, "step": 3}
    theirs = layout.to_learner(parameters, roles.PARAMETERS, bias)
    assert theirs["step"] == 3 and theirs["W1"].shape == (3, 2)
    back = layout.to_contract(theirs, roles.PARAMETERS, bias)
    np.testing.assert_array_equal(back["W1"], W)
    np.testing.assert_array_equal(back["b1"], b)
    theirs["W1"][0, 1] = 99.0  # a learner writing into its argument writes into the contract's: purity sees it
    assert W[1, 0] == 99.0


def test_a_result_of_the_wrong_shape_is_handed_over_as_it_is() -> None:
    """db summed without keepdims stays (n,): the spec reports its shape, the layout does not repair it."""
    assert layout.to_contract(np.ones(4), roles.BIAS, "(1, n)").shape == (4,)
    assert layout.to_contract(np.ones((4, 1)), roles.BIAS, "(1, n)").shape == (4, 1)
    assert layout.result((np.ones((2, 3)),), [roles.SAMPLES, roles.WEIGHT], "(1, n)")[0].shape == (2, 3)


# --- the transforms --------------------------------------------------------------------------------------------------

def test_the_activation_transforms_are_stable_and_keep_the_dtype() -> None:
    z = np.array([-1e4, -30.0, 0.0, 30.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = mapping.argument("sigmoid:z", {"z": z})
        a32 = mapping.argument("sigmoid:z", {"z": z.astype(np.float32)})
    np.testing.assert_allclose(a, reference.sigmoid(z), rtol=1e-14, atol=0)
    assert a32.dtype == np.float32
    np.testing.assert_array_equal(mapping.argument("tanh:z", {"z": z}), np.tanh(z))
    dZ = RNG.normal(size=(2, 4))
    scaled, none = mapping.argument(["over_m:dZ", "=None"], {"dZ": dZ})
    np.testing.assert_array_equal(scaled, dZ / 4)
    assert none is None


def test_a_row_major_linear_layer_is_the_contracts() -> None:
    """Documents 002/003's linear_forward(X, W, b) and linear_backward(dZ, X, W), whose dZ and dX carry the mean
    cost's 1/m, give the contract's values in the contract's shapes."""
    learner = types.ModuleType("learner")
    exec(textwrap.dedent("""
        import numpy as np
        def linear_forward(X, W, b):
            return X @ W + b
        def linear_backward(dZ, X, W):
            return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)
        def softmax(z):
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
    """), learner.__dict__)
    served = mapping.apply(learner, profiles.load("documents-002-003").mapping())
    A_prev, W, b, dZ = (RNG.normal(size=shape) for shape in [(3, 5), (2, 3), (2, 1), (2, 5)])
    np.testing.assert_allclose(served.linear_forward(A_prev, W, b), reference.linear_forward(A_prev, W, b))
    for got, expected in zip(served.linear_backward(dZ, A_prev, W), reference.linear_backward(dZ, A_prev, W),
                             strict=True):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(served.softmax(A_prev), reference.softmax(A_prev, axis=0), rtol=1e-12)


def test_flat_biases_come_back_as_the_contracts_columns(tmp_path: Path) -> None:
    """bias_shape = "(n,)": the learner's b and db are vectors; the contract's are (n, 1)."""
    profile = row_major("""
        [profile]
        layout = "row-major"
        bias_shape = "(n,)"

        [functions.linear_forward]
        args = ["A_prev", "W", "b"]

        [functions.linear_backward]
        args = ["dZ", "A_prev", "W"]
    """, tmp_path)
    learner = types.ModuleType("learner")
    exec(textwrap.dedent("""
        def linear_forward(X, W, b):
            assert b.ndim == 1
            return X @ W + b
        def linear_backward(dZ, X, W):
            m = X.shape[0]
            return dZ @ W.T, X.T @ dZ / m, dZ.mean(axis=0)
    """), learner.__dict__)
    served = mapping.apply(learner, profile.mapping())
    A_prev, W, b, dZ = (RNG.normal(size=shape) for shape in [(3, 5), (2, 3), (2, 1), (2, 5)])
    np.testing.assert_allclose(served.linear_forward(A_prev, W, b), reference.linear_forward(A_prev, W, b))
    db = served.linear_backward(dZ, A_prev, W)[2]
    assert db.shape == (2, 1)
    np.testing.assert_allclose(db, reference.linear_backward(dZ, A_prev, W)[2])


def test_a_row_major_call_with_samples_that_are_not_rows_is_not_applicable() -> None:
    profile = profiles.load("documents-002-003")
    assert applicability.unmappable(profile, "softmax", (np.ones((3, 2)),), {}) == ""
    assert "takes samples as the rows of a 2-D array, and this case calls softmax with z of shape (3,)" in \
        applicability.unmappable(profile, "softmax", (np.ones(3),), {})
    assert applicability.unmappable(profile, "sigmoid", (np.ones(3),), {}) == "", "elementwise: any shape"


# --- document 004's row-major functions (Style 4), under a profile written here --------------------------------------

STYLE_4_PROFILE = """
    [profile]
    description = "document 004's row-major functions"
    layout = "row-major"

    [functions.relu]
    args = ["z"]

    [functions.relu_derivative]
    args = ["z"]

    [functions.softmax]
    args = ["z"]

    [functions.categorical_cross_entropy]
    name = "cross_entropy_loss"
    args = ["AL", "Y"]

    [functions.numerical_gradient]
    args = ["f", "x", "eps"]
"""
STYLE_4 = '''
import numpy as np

def relu(z):
    return np.maximum(0, z)

def relu_derivative(z):
    return (z > 0).astype(float)

def softmax(z):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)

def cross_entropy_loss(y_pred, y_true):
    y_pred = np.clip(y_pred, 1e-12, 1 - 1e-12)
    return -np.sum(y_true * np.log(y_pred)) / y_true.shape[0]

def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
        it.iternext()
    return grad
'''
# LOSS-CE-FLOOR is left out: document 004 clips at 1e-12 where the contract floors at 1e-15, a convention for the
# documents-004 profile to settle. Of numerical_gradient (no role: the same in every layout) one requirement is
# enough here; its slower ones call back into the grader once per element.
STYLE_4_REQUIREMENTS = [
    "ACT-RELU-VALUES", "ACT-RELU-DERIVATIVE", "ACT-RELU-DERIVATIVE-AT-ZERO", "ACT-SOFTMAX-VALUES",
    "ACT-SOFTMAX-SUMS-TO-ONE", "ACT-SOFTMAX-STABLE", "ACT-SOFTMAX-SHIFT-INVARIANT", "ACT-SOFTMAX-AXIS",
    "WE-004-SOFTMAX", "LOSS-CE-VALUE", "GC-NUMERICAL-GRADIENT-RESTORES-X",
]
STYLE_4_BUGS = [
    ("softmax over the samples", "np.sum(e, axis=1, keepdims=True)", "np.sum(e, axis=0, keepdims=True)",
     "ACT-SOFTMAX-SUMS-TO-ONE"),
    ("cross-entropy averaged over the classes", "/ y_true.shape[0]", "/ y_true.shape[1]", "LOSS-CE-VALUE"),
]


def test_document_004s_row_major_functions_map_and_pass(tmp_path: Path) -> None:
    target = tmp_path / "mlp_functions.py"
    target.write_text(STYLE_4)
    results = grade(target, row_major(STYLE_4_PROFILE, tmp_path), STYLE_4_REQUIREMENTS)
    assert {req_id: result.status for req_id, result in results.items() if result.status != "passed"} == {}


@pytest.mark.parametrize(("name", "original", "bug", "requirement"), STYLE_4_BUGS,
                         ids=[bug[0] for bug in STYLE_4_BUGS])
def test_a_seeded_bug_in_document_004s_style_is_caught(tmp_path: Path, name: str, original: str, bug: str,
                                                      requirement: str) -> None:
    target = tmp_path / "mlp_functions.py"
    target.write_text(STYLE_4.replace(original, bug))
    result = grade(target, row_major(STYLE_4_PROFILE, tmp_path), [requirement])[requirement]
    assert result.status == "failed", (name, result.message)


# --- one row-major function in a column-major profile: the course's batch_norm ---------------------------------------

BATCH_NORM = '''

def batch_norm(Z, gamma, beta, epsilon):
    """Z (m, n): each column normalised over the m samples; gamma, beta (1, n)."""
    mu = np.mean(Z, axis=0)
    var = np.var(Z, axis=0)
    return gamma * (Z - mu) / np.sqrt(var + epsilon) + beta
'''
BATCH_NORM_TABLE = {"name": "batch_norm", "args": ["X", "gamma", "beta", "eps"], "layout": "row-major",
                    "result_item": 0, "ignore": ["momentum"]}  # momentum: of running statistics it does not keep


def course_with_batch_norm() -> profiles.Profile:
    """The course-api profile with its row-major batch_norm mapped, and no running statistics."""
    with profiles.builtin()["course-api"].open("rb") as file:
        data = tomllib.load(file)
    data["functions"]["batchnorm_forward"] = BATCH_NORM_TABLE
    data["conventions"]["batchnorm_running"] = "none: the batch's statistics only"
    return profiles.parse(data, "course-api-batch-norm", "tests/test_layout.py")


def test_a_column_major_profile_maps_the_courses_row_major_batch_norm(tmp_path: Path) -> None:
    target = tmp_path / "course.py"
    target.write_text(CORRECT["course-api"].read_text() + BATCH_NORM)
    profile = course_with_batch_norm()
    assert profile.layout_of("batchnorm_forward") == ("row-major", "(1, n)")
    assert profile.layout_of("linear_forward") == ("column-major", "(1, n)")
    only = ["NORM-BN-FORWARD", "NORM-BN-NORMALISES", "NORM-BN-RUNNING-STATS", "NORM-BN-INFERENCE",
            "LAY-LINEAR-FORWARD-VALUES"]
    statuses = {req_id: result.status for req_id, result in grade(target, profile, only).items() if req_id in only}
    assert statuses == {"NORM-BN-FORWARD": "passed", "NORM-BN-NORMALISES": "passed",
                        "NORM-BN-RUNNING-STATS": "not applicable", "NORM-BN-INFERENCE": "not applicable",
                        "LAY-LINEAR-FORWARD-VALUES": "passed"}
    target.write_text(CORRECT["course-api"].read_text() + BATCH_NORM.replace("axis=0)", "axis=1, keepdims=True)"))
    assert grade(target, profile, ["NORM-BN-FORWARD"])["NORM-BN-FORWARD"].status == "failed"


def test_result_item_must_be_an_item_of_the_contracts_tuple() -> None:
    with pytest.raises(ProfileError, match="result_item must be an item of the tuple the contract's sigmoid returns"):
        profiles.parse({"functions": {"sigmoid": {"result_item": 0}}}, "bad", "bad.toml")


# --- the README's example ------------------------------------------------------------------------------------------

README_SUBMISSION = '''
import numpy as np

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)

def dsigmoid(a):
    return a * (1 - a)

def linear_backward(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)
'''


def test_the_readmes_row_major_profile_grades_what_it_says(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme[readme.index("# rows.toml"):]
    (tmp_path / "rows.toml").write_text(block[:block.index("```")])
    target = tmp_path / "rows.py"
    target.write_text(README_SUBMISSION)
    only = ["ACT-SOFTMAX-SUMS-TO-ONE", "ACT-SIGMOID-DERIVATIVE", "LAY-LINEAR-BACKWARD-DA", "LAY-LINEAR-BACKWARD-DW"]
    results = grade(target, profiles.load(str(tmp_path / "rows.toml")), only)
    assert {req_id: results[req_id].status for req_id in only} == dict.fromkeys(only, "passed")
