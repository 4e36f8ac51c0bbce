"""The spec plugin itself: loading implementations, IMPL-LOADS, not-implemented skips, messages, summary.

Runs pytest in a subprocess against the small submissions in tests/impls/, each run narrowed to one or two
spec modules (and -k) so that it takes a couple of seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from spec import assertions
from spec.requirements import Requirement, requirement, requirement_param

ROOT = Path(__file__).resolve().parent.parent
IMPLS = ROOT / "tests" / "impls"
SUMMARY_TITLE = "nnspec: requirements by chapter"
RUN_TIMEOUT = 300  # seconds; generous for a shared 2-core machine
ACTIVATIONS_AND_LOSSES = ["spec/test_activations.py", "spec/test_losses.py", "-k", "sigmoid or loss"]


def run_spec(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m pytest <args>`` from the repository root, without any NNSPEC_ settings of the caller."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("NNSPEC_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False,
    )


def chapter_table(output: str) -> dict[str, dict[str, int]]:
    """The per-chapter summary printed at the end of a run: chapter -> {outcome: requirement count}."""
    assert SUMMARY_TITLE in output, output
    lines = output.split(SUMMARY_TITLE, 1)[1].splitlines()[2:]
    table = {}
    for line in lines:
        *name, passed, failed, blocked, not_implemented, skipped = line.split()
        table[" ".join(name)] = {
            "passed": int(passed), "failed": int(failed), "blocked": int(blocked),
            "not implemented": int(not_implemented), "skipped": int(skipped),
        }
        if name == ["total"]:
            return table
    raise AssertionError(f"summary without a total line:\n{output}")


def test_activations_only_submission_is_graded_and_the_rest_not_implemented() -> None:
    result = run_spec(*ACTIVATIONS_AND_LOSSES, "--impl", str(IMPLS / "activations_only.py"))
    table = chapter_table(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert table["activations"]["passed"] > 0
    assert table["activations"]["failed"] == table["activations"]["not implemented"] == 0
    assert table["losses"]["not implemented"] > 0
    assert table["losses"]["passed"] == table["losses"]["failed"] == 0
    assert "Traceback" not in result.stdout + result.stderr
    assert "error" not in result.stdout.splitlines()[-1]
    assert "not implemented: mse" in result.stdout


def test_header_names_the_implementation_and_its_contract_version() -> None:
    result = run_spec("spec/test_activations.py", "-k", "sigmoid_values", "--impl", str(IMPLS / "activations_only.py"))
    assert result.returncode == 0, result.stdout
    assert f"nnspec: implementation under test: {IMPLS / 'activations_only.py'}" in result.stdout
    assert "(contract 1)" in result.stdout


def test_default_implementation_is_the_reference_package() -> None:
    result = run_spec("spec/test_activations.py", "-k", "sigmoid_values")
    assert "nnspec: implementation under test: reference (" in result.stdout, result.stdout


def test_import_failure_is_one_impl_loads_failure_with_its_traceback() -> None:
    result = run_spec(*ACTIVATIONS_AND_LOSSES, "--impl", str(IMPLS / "broken_import.py"))
    assert result.returncode == 1, result.stdout
    assert "[IMPL-LOADS]" in result.stdout
    assert "deliberately broken submission" in result.stdout
    assert "broken_import.py" in result.stdout  # the submission's own frame is in the traceback
    last_line = result.stdout.strip().splitlines()[-1]
    assert "1 failed" in last_line and "passed" not in last_line and "error" not in last_line, last_line
    assert chapter_table(result.stdout)["loading"]["failed"] == 1


def test_dotted_module_name_loads() -> None:
    result = run_spec("spec/test_activations.py", "-k", "sigmoid", "--impl", "activations_only",
                      env={"PYTHONPATH": str(IMPLS)})
    assert result.returncode == 0, result.stdout
    assert "implementation under test: activations_only (" in result.stdout
    assert chapter_table(result.stdout)["activations"]["passed"] > 0


def test_environment_variable_selects_the_implementation() -> None:
    result = run_spec("spec/test_activations.py", "-k", "sigmoid_values",
                      env={"NNSPEC_IMPL": str(IMPLS / "broken_import.py")})
    assert "[IMPL-LOADS]" in result.stdout, result.stdout


def test_package_folder_with_relative_imports_loads() -> None:
    result = run_spec("spec/test_activations.py", "-k", "sigmoid_values or relu_values",
                      "--impl", str(IMPLS / "activations_package"))
    assert result.returncode == 0, result.stdout
    table = chapter_table(result.stdout)
    assert table["activations"]["passed"] >= 1 and table["activations"]["not implemented"] >= 1


def test_wrong_sigmoid_derivative_fails_naming_the_requirement_and_the_mistake() -> None:
    result = run_spec("spec/test_activations.py", "-k", "sigmoid", "--impl", str(IMPLS / "wrong_sigmoid_derivative.py"))
    assert result.returncode == 1
    assert "[ACT-SIGMOID-DERIVATIVE]" in result.stdout
    assert "in sigmoid_derivative(z)" in result.stdout
    assert "applied to the activation" in result.stdout
    assert chapter_table(result.stdout)["activations"]["failed"] >= 1


@pytest.mark.parametrize(("submission", "spec_module", "failing", "hint"), [
    ("softmax_wrong_axis.py", "spec/test_activations.py", "[ACT-SOFTMAX-VALUES]", "over axis 1"),
    ("linear_missing_one_over_m.py", "spec/test_layers.py", "[LAY-LINEAR-BACKWARD-DW]", "forget the 1/m"),
])
def test_classic_bug_fails_the_expected_requirement(submission: str, spec_module: str, failing: str,
                                                     hint: str) -> None:
    result = run_spec(spec_module, "-k", "softmax_values or backward_dw", "--impl", str(IMPLS / submission))
    assert result.returncode == 1, result.stdout
    assert failing in result.stdout and hint in result.stdout, result.stdout


def test_requirement_decorator_insists_on_the_test_name() -> None:
    with pytest.raises(NameError, match="test_act_demo_name"):
        requirement("ACT-DEMO-NAME", "a statement", "a source")(lambda: None)


def test_requirement_ids_need_a_known_chapter_prefix() -> None:
    with pytest.raises(ValueError, match="must be UPPER-CASE"):
        requirement("XYZ-DEMO", "a statement", "a source")


def test_requirement_param_carries_its_id_and_mark() -> None:
    param = requirement_param(1, 2, req=Requirement("WE-DEMO-PARAM", "demo", "a source"))
    assert param.id == "WE-DEMO-PARAM"
    assert [mark.args for mark in param.marks] == [("WE-DEMO-PARAM",)]


def failure_message(check: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(pytest.fail.Exception) as failure:
        check(*args, **kwargs)  # type: ignore[operator]
    return str(failure.value)


def test_missing_one_over_m_is_hinted() -> None:
    expected = np.array([[0.5, -1.0], [2.0, 0.25]])
    message = failure_message(assertions.assert_close, 4 * expected, expected, fn="linear_backward",
                              inputs={"dZ": expected}, what="dW", m=4)
    assert "did you forget the 1/m" in message and "in linear_backward(dZ)" in message


@pytest.mark.parametrize(("factor", "words"), [(-1.0, "sign is flipped"), (2.0, "factor 2 too large"),
                                               (0.5, "factor 2 too small")])
def test_common_factors_are_hinted(factor: float, words: str) -> None:
    expected = np.array([0.5, -1.0, 3.0])
    message = failure_message(assertions.assert_close, factor * expected, expected, fn="f", inputs={})
    assert words in message


def test_transposed_shape_is_hinted() -> None:
    message = failure_message(assertions.assert_shape, np.zeros((3, 2)), (2, 3), fn="f", inputs={}, what="W")
    assert "transposed" in message


def test_large_arrays_are_summarised_and_small_ones_printed_in_full() -> None:
    assert "shape (100, 100)" in assertions.describe(np.zeros((100, 100)))
    assert "..." not in assertions.describe(np.arange(6.0))
    assert "5." in assertions.describe(np.arange(6.0))


def test_mutation_of_an_argument_is_located() -> None:
    before = {"W1": np.zeros((2, 2))}
    after = {"W1": np.array([[0.0, 0.0], [0.0, 1.0]])}
    message = failure_message(assertions.assert_unchanged, before, after, fn="update_parameters", what="parameters")
    assert "['W1'] at index (1, 1)" in message


def test_relative_error_is_zero_when_both_are_zero() -> None:
    assert assertions.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert assertions.relative_error(np.array([1.0, 0.0]), np.array([0.0, 0.0])) == 1.0


def test_ci_profile_is_reproducible_and_bounded() -> None:
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None and ci.deadline is None
    assert ci.max_examples <= 50 and HealthCheck.too_slow in ci.suppress_health_check
    assert settings.get_profile("thorough").max_examples > ci.max_examples


def test_same_implementation_gets_the_same_result_twice() -> None:
    args = ("spec/test_activations.py", "-k", "sigmoid", "--impl", str(IMPLS / "wrong_sigmoid_derivative.py"))
    first, second = run_spec(*args), run_spec(*args)
    assert chapter_table(first.stdout) == chapter_table(second.stdout)
    assert failure_lines(first.stdout) and failure_lines(first.stdout) == failure_lines(second.stdout)


def failure_lines(output: str) -> list[str]:
    """The lines of the failure messages that show numbers (identical when the examples are identical)."""
    return [line for line in output.splitlines() if line.startswith(("    z = ", "largest discrepancy"))]
