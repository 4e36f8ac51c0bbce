"""The torch chapter can fail: broken copies of the reference, each with a gradient (or update) bug, fail it.

Each broken copy is the reference package copied to a temporary folder under another name, with one textual
mutation per bug (tests/mutants/mutation.py, shared with the mutant catalogue); the chapter then runs on it in a
subprocess (``--impl <copy>``, narrowed with ``-k``, the spec's ci profile without shrinking). Bugs are grouped
into one copy only when the requirements expected to catch them use disjoint functions, so every
expected failure is caused by its own bug. The deliberately broken submissions of tests/impls/ with a gradient
bug are run as they are. Also checks the momentum mapping recorded in docs/contract.md ("PyTorch oracles").

Skipped without PyTorch (an import error instead with NNSPEC_REQUIRE_TORCH=1).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from spec import requirements
from tests.mutants.mutation import Edit, copy_reference
from tests.mutants.spec_report import NO_SHRINK

if os.environ.get("NNSPEC_REQUIRE_TORCH") == "1":  # the torch CI envs: a missing torch must fail, not skip
    import torch
else:
    torch = pytest.importorskip("torch", reason="PyTorch not installed")

ROOT = Path(__file__).resolve().parent.parent
IMPLS = ROOT / "tests" / "impls"
RUN_TIMEOUT = 300  # seconds; generous for a shared 2-core machine
FAILED_TEST = re.compile(r"^FAILED spec/test_torch\.py::(test_torch_[a-z0-9_]+)", re.MULTILINE)


@dataclass(frozen=True)
class Bug:
    """One mutation of reference/<module>.py: ``old`` (found exactly once) becomes ``new``."""

    module: str
    old: str
    new: str
    caught_by: tuple[str, ...]  # requirement IDs that must fail because of it


ACTIVATION_AND_LAYER_BUGS = (
    Bug("activations", "s = sigmoid(z)\n    return s * (1 - s)", "s = sigmoid(sigmoid(z))\n    return s * (1 - s)",
        ("TORCH-SIGMOID",)),
    Bug("activations", "return 1 - tanh(z) ** 2", "return 1 - tanh(z)", ("TORCH-TANH",)),
    Bug("activations", "return (z > 0).astype(z.dtype)", "return (z >= 0).astype(z.dtype)", ("TORCH-RELU",)),
    Bug("activations", "np.where(z > 0, 1.0, alpha)", "np.where(z > 0, 1.0, 0.01)", ("TORCH-LEAKY-RELU",)),
    Bug("activations", "return (cdf + z * pdf)", "return (cdf + pdf)", ("TORCH-GELU",)),
    Bug("activations", "(1 + 3 * GELU_TANH_COEFFICIENT * z**2)", "(1 + GELU_TANH_COEFFICIENT * z**2)",
        ("TORCH-GELU-TANH",)),
    Bug("losses", "return 2 * (AL - Y) / AL.size", "return (AL - Y) / AL.size", ("TORCH-MSE",)),
    Bug("losses", "((-Y / P + (1 - Y) / (1 - P)) / AL.size)", "((Y / P - (1 - Y) / (1 - P)) / AL.size)",
        ("TORCH-BCE",)),
    Bug("losses", "(-Y / (P * AL.shape[-1]))", "(-Y / P)", ("TORCH-CE-NLL",)),
    Bug("layers", "dZ @ A_prev.T / m,", "dZ @ A_prev.T,", ("TORCH-LINEAR-BACKWARD",)),
    Bug("normalization", "_normalized_backward(dY, x_hat, gamma, inv_std, axis=1) if training",
        "dY * gamma * inv_std if training", ("TORCH-BATCHNORM-TRAINING",)),
    Bug("normalization", "momentum * var * m / (m - 1)", "momentum * var", ("TORCH-BATCHNORM-RUNNING",)),
    Bug("normalization", "dX = _normalized_backward(dY, x_hat, gamma, inv_std, axis=0)",
        "dX = _normalized_backward(dY, x_hat, gamma, inv_std, axis=0) * x_hat.shape[0]", ("TORCH-LAYERNORM",)),
    Bug("regularization", "return dA_out * mask / (1 - p)", "return dA_out * mask", ("TORCH-DROPOUT-BACKWARD",)),
)
HIDDEN_DERIVATIVE_AT_ACTIVATION = (
    Bug("network", "HIDDEN_ACTIVATIONS[hidden_activation][1](caches[layer - 2][2])",
        "HIDDEN_ACTIVATIONS[hidden_activation][1](caches[layer - 1][0])", ("TORCH-NETWORK-BACKWARD",)),
)
SOFTMAX_AS_ELEMENTWISE = (
    Bug("network", "return AL * (dAL - np.sum(dAL * AL, axis=0, keepdims=True))", "return AL * (1 - AL) * dAL",
        ("TORCH-SOFTMAX-DERIVATIVE", "TORCH-NETWORK-BACKWARD")),
)
OPTIMIZER_BUGS = (
    Bug("optimizers", "v = {name: beta * v_prev[name] + (1 - beta) * g[name]",
        "v = {name: beta * v_prev[name] + g[name]", ("TORCH-MOMENTUM",)),
    Bug("optimizers", "g[name] / (np.sqrt(s[name]) + eps)", "g[name] / np.sqrt(s[name] + eps)", ("TORCH-RMSPROP",)),
    Bug("optimizers", "(m[name] / (1 - beta1**t)) / (np.sqrt(v[name] / (1 - beta2**t)) + eps)",
        "m[name] / (np.sqrt(v[name]) + eps)", ("TORCH-ADAM", "TORCH-ADAMW")),
)
BROKEN_COPIES = {
    "activation_and_layer_bugs": ACTIVATION_AND_LAYER_BUGS,
    "hidden_derivative_at_activation": HIDDEN_DERIVATIVE_AT_ACTIVATION,
    "softmax_as_elementwise": SOFTMAX_AS_ELEMENTWISE,
    "optimizer_bugs": OPTIMIZER_BUGS,
}
# tests/impls/ submissions with a gradient bug -> the requirements that must fail
BROKEN_SUBMISSIONS = {
    "wrong_sigmoid_derivative.py": ("TORCH-SIGMOID",),
    "linear_missing_one_over_m.py": ("TORCH-LINEAR-BACKWARD",),
    "softmax_wrong_axis.py": ("TORCH-SOFTMAX",),  # its vector-Jacobian product is wrong with it
}
# ... and those without one (nothing for the torch chapter to catch)
OTHER_SUBMISSIONS = {
    "activations_only.py": "correct, activations only",
    "activations_package": "correct, activations only (a package)",
    "broken_import.py": "fails at import: IMPL-LOADS, not a gradient",
    "backward_never_returns.py": "backward loops forever: the grader's time limits (tests/test_timeouts.py)",
    "gradient_in_place.py": "correct numerical_gradient perturbing x in place (tests/test_grader.py, call-backs)",
    "gradient_on_copy.py": "numerical_gradient on copies (tests/test_grader.py, call-backs)",
}
CONTROL_SELECTION = ("TORCH-RELU", "TORCH-LINEAR-BACKWARD", "TORCH-MOMENTUM", "TORCH-DOC001-EXERCISE")


def requirement_id(test_name: str) -> str:
    """test_torch_leaky_relu -> TORCH-LEAKY-RELU (the naming rule of spec/requirements.py, reversed)."""
    return test_name.removeprefix("test_").replace("_", "-").upper()


def run_torch_chapter(impl: str, selection: set[str], folder: Path) -> subprocess.CompletedProcess[str]:
    """``pytest spec/test_torch.py --impl impl -k <the requirements' tests>`` from the repository root, free of the
    caller's NNSPEC_ env, with ``folder`` (the broken copies) on the path, without shrinking (the first failing
    example is enough to show that a bug is caught; shrinking a dozen failures would take most of a minute)."""
    k = " or ".join(sorted(requirements.test_name_for(req) for req in selection))
    env = {key: value for key, value in os.environ.items() if not key.startswith("NNSPEC_")}
    env["PYTHONPATH"] = os.pathsep.join([str(folder), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.mutants.spec_report",
         "--hypothesis-profile", NO_SHRINK, "-q", "-rf", "spec/test_torch.py", "--impl", impl, "-k", k],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False,
    )


def failed_requirements(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {requirement_id(name) for name in FAILED_TEST.findall(result.stdout)}


def broken_copy(folder: Path, name: str, bugs: tuple[Bug, ...]) -> None:
    """Copy reference/ to folder/name as package ``name`` and apply ``bugs`` (each target must occur once)."""
    copy_reference(folder, name, [Edit(bug.module, bug.old, bug.new) for bug in bugs])


@pytest.mark.parametrize("name", sorted(BROKEN_COPIES))
def test_broken_copy_of_the_reference_fails_the_torch_chapter(name: str, tmp_path: Path) -> None:
    bugs = BROKEN_COPIES[name]
    broken_copy(tmp_path, name, bugs)
    expected = {req for bug in bugs for req in bug.caught_by}
    result = run_torch_chapter(name, expected, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    missed = expected - failed_requirements(result)
    assert not missed, f"requirements that should have caught a bug but passed: {sorted(missed)}\n{result.stdout}"
    for req in expected:
        assert f"[{req}]" in result.stdout, f"{req} failed without its requirement header\n{result.stdout}"


def test_unmodified_copy_passes_the_same_selection(tmp_path: Path) -> None:
    """The control: the copying itself breaks nothing, so the failures above come from the bugs."""
    broken_copy(tmp_path, "unmodified_copy", ())
    result = run_torch_chapter("unmodified_copy", set(CONTROL_SELECTION), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout.strip().splitlines()[-1]


def test_every_submission_in_tests_impls_is_classified() -> None:
    present = {path.name for path in IMPLS.iterdir() if not path.name.startswith(("_", "."))}
    unclassified = present - set(BROKEN_SUBMISSIONS) - set(OTHER_SUBMISSIONS)
    assert not unclassified, (
        f"tests/impls/ has new submissions {sorted(unclassified)}: add each to BROKEN_SUBMISSIONS (with the torch "
        "requirements its gradient bug must fail) or to OTHER_SUBMISSIONS in tests/test_torch_catches_bugs.py"
    )


@pytest.mark.parametrize("submission", sorted(BROKEN_SUBMISSIONS))
def test_broken_submission_fails_the_torch_chapter(submission: str, tmp_path: Path) -> None:
    expected = BROKEN_SUBMISSIONS[submission]
    result = run_torch_chapter(str(IMPLS / submission), set(expected), tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert set(expected) <= failed_requirements(result), result.stdout


def _sgd_trajectory(grads: list[np.ndarray], lr: float, beta: float, dampening: float) -> list[np.ndarray]:
    theta = torch.zeros(grads[0].shape, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=lr, momentum=beta, dampening=dampening)
    trajectory = []
    for g in grads:
        theta.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
        trajectory.append(theta.detach().numpy().copy())
    return trajectory


def _contract_momentum(grads: list[np.ndarray], lr: float, beta: float) -> list[np.ndarray]:
    theta, v, trajectory = np.zeros_like(grads[0]), np.zeros_like(grads[0]), []
    for g in grads:
        v = beta * v + (1 - beta) * g
        theta = theta - lr * v
        trajectory.append(theta)
    return trajectory


def test_momentum_maps_to_sgd_with_zero_dampening_and_scaled_lr_but_not_to_dampening() -> None:
    """docs/contract.md: v = beta v + (1 - beta) g, theta -= lr v is SGD(momentum=beta, dampening=0,
    lr=lr (1 - beta)); dampening = 1 - beta with lr differs, because torch's first step copies g into the buffer."""
    grads = list(np.random.default_rng(0).normal(size=(5, 3)))
    lr, beta = 0.1, 0.9
    expected = _contract_momentum(grads, lr, beta)
    mapped = _sgd_trajectory(grads, lr * (1 - beta), beta, 0.0)
    dampened = _sgd_trajectory(grads, lr, beta, 1 - beta)
    np.testing.assert_allclose(mapped, expected, rtol=1e-12)
    assert not np.allclose(dampened[0], expected[0], rtol=1e-3)
    np.testing.assert_allclose(dampened[0], -lr * grads[0], rtol=1e-12)  # buffer = g at the first step
