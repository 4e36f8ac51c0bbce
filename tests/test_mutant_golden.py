"""The golden file of the mutant corpus (tests/mutants/golden.json) agrees with the catalogue, without running
anything: it covers exactly the mutants and correct variants, every killable mutant's tags are failed in it, and
no equivalent mutant or correct variant fails anything. Its comparison with fresh runs is in tests/test_mutants.py
(corpus); here, only how a difference is reported."""

from __future__ import annotations

from tests.mutants import golden
from tests.mutants.catalogue import MUTANTS
from tests.mutants.grading import SUBMISSIONS, VARIANT_PREFIX


def test_the_golden_file_covers_every_submission_once() -> None:
    assert sorted(golden.load()) == sorted(SUBMISSIONS), f"run {golden.UPDATE_COMMAND}"


def test_the_golden_file_agrees_with_the_catalogue() -> None:
    statuses = golden.load()
    for mutant in MUTANTS:
        failed = {req for req, status in statuses[mutant.name].items() if status == "failed"}
        if mutant.equivalent:
            assert not failed, f"equivalent mutant {mutant.name} fails {sorted(failed)} in the golden file"
        else:
            assert set(mutant.tags) <= failed, f"{mutant.name}: tags {mutant.tags}, failed {sorted(failed)}"
    for key in SUBMISSIONS:
        if key.startswith(VARIANT_PREFIX):
            assert set(statuses[key].values()) == {"passed"}, key


def test_a_difference_names_the_submission_the_requirement_and_both_statuses() -> None:
    lines = golden.differences("sigmoid_unstable", {"ACT-SIGMOID-STABLE": "failed", "ACT-SIGMOID-VALUES": "passed"},
                               {"ACT-SIGMOID-STABLE": "passed", "ACT-SIGMOID-VALUES": "passed", "ACT-PURE": "blocked"})
    assert lines == ["sigmoid_unstable: ACT-PURE was absent in the golden file, is blocked now",
                     "sigmoid_unstable: ACT-SIGMOID-STABLE was failed in the golden file, is passed now"]
    assert "no golden statuses" in golden.differences("new_mutant", None, {})[0]
