"""The spec catches wrong code and accepts right code: the mutant catalogue and the correct variants, graded.

Every submission of tests/mutants/ is graded once (tests/mutants/grading.py: a mutant, a realistic learner bug
applied to a copy of a correct submission, on the whole spec modules of its tags; a correct variant of
tests/mutants/correct/ on the whole spec except the MNIST gate and the torch chapter), and that one run feeds
every check: each tagged requirement of a killable mutant must fail, with its ``[ID]`` header in the failure
message; an equivalent mutant must pass (it is a finding, not a kill); a correct variant must have no failure;
and every submission's status of every requirement must match the golden file (tests/mutants/golden.py). The
last test prints the kill rate per chapter and the wall time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mutants import golden
from tests.mutants.catalogue import BY_NAME, MUTANTS, Mutant
from tests.mutants.grading import SUBMISSIONS, VARIANT_PREFIX, VARIANTS, WORKERS, Grading, grade
from tests.mutants.mutation import SpecRun

pytestmark = pytest.mark.corpus  # heavy: run once per CI run, on one interpreter (tox env "corpus")

KILLABLE = [mutant.name for mutant in MUTANTS if not mutant.equivalent]
EQUIVALENT = [mutant.name for mutant in MUTANTS if mutant.equivalent]
TAIL = 4000  # characters of a run's output shown when an assertion fails
SHOW_SLOWEST = 5  # runs named with their times under the table


def _selected(session: pytest.Session) -> set[str]:
    """The submissions (mutant names, "correct:<variant>") that the selected tests of this module need."""
    items = [item for item in session.items if item.path == Path(__file__)]
    if any(item.name == "test_kill_rate_table" for item in items):
        return set(SUBMISSIONS)
    params = [item.callspec.params for item in items if hasattr(item, "callspec")]
    return {params["name"] for params in params if "name" in params} | \
        {VARIANT_PREFIX + params["variant"] for params in params if "variant" in params} | \
        {params["submission"] for params in params if "submission" in params}


@pytest.fixture(scope="session")
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Grading:
    """Every selected submission graded once (tests/mutants/grading.py)."""
    return grade(_selected(request.session), tmp_path_factory.mktemp("mutants"))


def _tail(run: SpecRun) -> str:
    return run.output[-TAIL:]


@pytest.mark.parametrize("name", KILLABLE)
def test_mutant_is_caught_by_its_requirements(name: str, graded: Grading) -> None:
    mutant, run = BY_NAME[name], graded[name].run
    missed = sorted(set(mutant.tags) - run.failed())
    assert not missed, f"mutant {name} ({mutant.description}) survived {missed}\n{_tail(run)}"
    for req in mutant.tags:
        headed = [message for message in run.messages(req) if f"[{req}]" in message]
        assert headed, f"mutant {name}: {req} failed without its [{req}] header\n{run.messages(req)}"


@pytest.mark.parametrize("name", EQUIVALENT)
def test_equivalent_mutant_passes(name: str, graded: Grading) -> None:
    mutant, run = BY_NAME[name], graded[name].run
    assert not run.failed(), f"equivalent mutant {name} ({mutant.description}) failed {sorted(run.failed())}: it " \
                             f"is not equivalent; move it to the catalogue's killable mutants\n{_tail(run)}"
    passed = {record["requirement"] for record in run.records if record["outcome"] == "passed"}
    assert set(mutant.tags) <= passed, f"equivalent mutant {name}: its requirements did not run\n{_tail(run)}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_correct_variant_gets_full_marks(variant: str, graded: Grading) -> None:
    run = graded[VARIANT_PREFIX + variant].run
    assert run.returncode == 0 and not run.failed(), f"correct variant {variant} failed {sorted(run.failed())}\n" \
                                                     f"{_tail(run)}"
    assert sum(record["outcome"] == "passed" for record in run.records) > 0, _tail(run)


@pytest.fixture(scope="module")
def golden_statuses() -> golden.Statuses:
    return golden.load()


@pytest.mark.parametrize("submission", SUBMISSIONS)
def test_statuses_match_the_golden_file(submission: str, graded: Grading, golden_statuses: golden.Statuses) -> None:
    run = graded[submission].run
    changed = golden.differences(submission, golden_statuses.get(submission), run.statuses())
    assert not changed, "\n".join([*changed, f"if the change is intended: {golden.UPDATE_COMMAND}", _tail(run)])


def kill_rate_table(graded: Grading) -> list[str]:
    """Per chapter of the broken code: mutants killed (every tagged requirement failed) / total, equivalents."""
    chapters: dict[str, list[Mutant]] = {}
    for mutant in MUTANTS:
        chapters.setdefault(mutant.chapter, []).append(mutant)
    lines = [f"{'chapter':<16}{'killed':>8}{'total':>7}  equivalent (not counted)"]
    killed_total = total = 0
    for chapter, mutants in chapters.items():
        counted = [mutant for mutant in mutants if not mutant.equivalent]
        killed = sum(set(mutant.tags) <= graded[mutant.name].run.failed() for mutant in counted)
        equivalent = ", ".join(mutant.name for mutant in mutants if mutant.equivalent) or "-"
        lines.append(f"{chapter:<16}{killed:>8}{len(counted):>7}  {equivalent}")
        killed_total, total = killed_total + killed, total + len(counted)
    lines.append(f"{'total':<16}{killed_total:>8}{total:>7}  {len(EQUIVALENT)} equivalent")
    variants = ", ".join(f"{variant} {'full marks' if not graded[VARIANT_PREFIX + variant].run.failed() else 'FAILED'}"
                         for variant in VARIANTS)
    lines.append(f"correct variants: {variants}")
    lines.append(f"wall time of the {len(graded.runs)} spec runs ({WORKERS} at a time): {graded.seconds:.1f} s; "
                 f"busiest: " + ", ".join(f"{key} {graded[key].seconds:.1f} s" for key in sorted(
                     graded.runs, key=lambda key: -graded[key].seconds)[:SHOW_SLOWEST]))
    return lines


def test_kill_rate_table(graded: Grading, capsys: pytest.CaptureFixture[str]) -> None:
    lines = kill_rate_table(graded)
    with capsys.disabled():
        print("\n" + "\n".join(["nnspec mutants: kill rate per chapter", *lines]))
    survivors = [name for name in KILLABLE if not set(BY_NAME[name].tags) <= graded[name].run.failed()]
    assert not survivors, f"surviving mutants: {survivors}"
