"""The spec obeys the contract it checks (issue 10, item 5).

The whole spec, except the MNIST gate and the PyTorch chapter (to keep the run short), runs in a subprocess
against the reference wrapped in tests/contract_proxy.py, which checks every argument the spec passes against
docs/contract.md. A violation fails here unless its test is marked ``bad_input`` or it was a ``raw`` call that
raised. A spec that passes, say, a parameters dict with ``W1`` and no ``b1`` would fail a correct submission whose
loop runs over ``len(parameters) // 2`` layers. Marked ``corpus``: it does not depend on the interpreter, so CI
runs it once.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.contract_proxy import SIGNATURES, violations

ROOT = Path(__file__).resolve().parents[1]
SPEC_RUN_TIMEOUT = 1800  # seconds; about 90 s on an idle 2-core machine
TAIL = 4000  # characters of the run's output shown when it fails


@pytest.fixture(scope="module")
def proxied_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """The spec run on the proxied reference: pytest's result, and the proxy's report."""
    report = tmp_path_factory.mktemp("contract") / "violations.json"
    env = {key: value for key, value in os.environ.items() if not key.startswith("NNSPEC_")}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.contract_proxy",
               "--contract-violations", str(report), "-m", "not mnist", "--ignore", "spec/test_torch.py", "spec"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SPEC_RUN_TIMEOUT,
                            check=False)
    return result, json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}


@pytest.mark.corpus
def test_every_argument_the_spec_passes_obeys_the_contract(
    proxied_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]]
) -> None:
    result, report = proxied_run
    assert result.returncode == 0 and report, (result.stdout + result.stderr)[-TAIL:]
    found = [f"{test}\n    " + "\n    ".join(problems) for test, problems in report["violations"].items()]
    assert not found, "the spec broke the contract (mark a test bad_input if it does so on purpose):\n" + \
        "\n".join(found)


@pytest.mark.corpus
def test_the_proxy_saw_every_contract_function(
    proxied_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]]
) -> None:
    _, report = proxied_run
    unseen = sorted(name for name, count in report.get("calls", {}).items() if count == 0)
    assert report.get("calls") and not unseen, f"no call went through the proxy to {unseen or 'any function'}"


def _parameters(*dims: int) -> dict[str, np.ndarray]:
    """A well-formed parameters dict for layer sizes ``dims``."""
    parameters = {}
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(dims), start=1):
        parameters[f"W{layer}"], parameters[f"b{layer}"] = np.ones((n_out, n_in)), np.zeros((n_out, 1))
    return parameters


def test_the_proxy_accepts_what_the_contract_allows() -> None:
    parameters = _parameters(3, 2, 1)
    grads = {f"d{key}": value for key, value in parameters.items()}
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("forward", (np.ones((3, 4)), parameters), {"output_activation": "sigmoid"}),
        ("update_parameters", (parameters, grads, 0.1), {}),
        ("adam_update", (parameters, grads, None, 0.01), {"beta1": 0.8}),
        ("linear_forward", (np.ones((3, 4)), np.ones((2, 3)), np.ones((2, 1), dtype=np.float32)), {}),
        ("compute_cost", (np.full((2, 3), 0.5), np.eye(2, 3, dtype=int)), {"loss": "categorical_cross_entropy"}),
        ("dropout_backward", (np.ones((2, 2)), np.array([[True, False], [False, True]]), 0.5), {}),
        ("numerical_gradient", (np.sum, np.ones(3, dtype=np.float32)), {"eps": 1e-3}),
        ("perceptron_predict", (np.ones(2), 0.5, np.zeros(2)), {}),
    ]
    for name, args, kwargs in calls:
        assert violations(name, args, kwargs) == [], name


@pytest.mark.parametrize(("name", "args", "kwargs", "expected"), [
    ("update_parameters", ({"W1": np.ones((1, 1))}, {"dW1": np.ones((1, 1))}, 0.1), {}, "both for every layer"),
    ("forward", (np.ones((3, 4)), _parameters(3, 1)), {"activation": "relu"}, "unexpected keyword argument"),
    ("forward", (np.ones((2, 4)), _parameters(3, 1)), {}, "X (2, 4) does not fit W1 (1, 3)"),
    ("linear_forward", (np.ones((3, 4)), np.ones((2, 3)), np.ones(2)), {}, "b has shape (2,), not 2-D"),
    ("sigmoid", (np.ones(3, dtype=np.float16),), {}, "dtype float16"),
    ("mse", (np.ones((2, 3)), np.ones((3, 2))), {}, "differ in shape"),
    ("train", (np.ones((2, 5)), np.ones((1, 5)), [2, 3, 1]), {"loss": "hinge"}, "'hinge', not one of"),
    ("adam_update", (_parameters(2, 1), {"dW1": np.ones((1, 2)), "db1": np.ones((2, 1))}, None, 0.1), {},
     "db1 has shape (2, 1); dW1 (1, 2) needs (1, 1)"),
    ("dropout_backward", (np.ones(2), np.array([0.0, 2.0]), 0.5), {}, "values other than 0 and 1"),
])
def test_the_proxy_finds_what_the_contract_forbids(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], expected: str
) -> None:
    assert any(expected in problem for problem in violations(name, args, kwargs)), violations(name, args, kwargs)


def test_the_proxy_knows_every_contract_function() -> None:
    from spec.contract import FUNCTIONS

    assert set(SIGNATURES) == set(FUNCTIONS)
