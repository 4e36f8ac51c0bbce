"""The spec catches wrong code and accepts right code: the mutant catalogue and the correct variants, graded.

Every mutant of tests/mutants/catalogue.py (a realistic learner bug applied to a copy of a correct submission)
is run through the spec modules of its tags, narrowed to the tests of those requirements; each tagged
requirement must fail, with its ``[ID]`` header in the failure message. Equivalent mutants must pass the same
selection (they are findings, not kills). Every correct variant in tests/mutants/correct/ is run through the
whole spec except the MNIST gate and must have no failure. The runs are spread over WORKERS subprocesses at a
time; the last test prints the kill rate per chapter and the wall time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mutants.catalogue import BY_NAME, LEARNER_FILE, MUTANTS, REFERENCE, Mutant
from tests.mutants.mutation import ROOT, SpecRun, copy_file, copy_reference, run_spec, spec_modules

WORKERS = 2  # the machine's cores
CORRECT = ROOT / "tests" / "mutants" / "correct"
VARIANTS = sorted(path.stem for path in CORRECT.glob("*.py"))
WHOLE_SPEC_BUT_MNIST = ["-m", "not mnist", "spec"]
KILLABLE = [mutant.name for mutant in MUTANTS if not mutant.equivalent]
EQUIVALENT = [mutant.name for mutant in MUTANTS if mutant.equivalent]
TAIL = 4000  # characters of a run's output shown when an assertion fails


@dataclass(frozen=True)
class Graded:
    run: SpecRun
    seconds: float


def _grade_mutant(mutant: Mutant, folder: Path) -> Graded:
    start = time.perf_counter()
    name = f"mutant_{mutant.name}"
    if mutant.base == REFERENCE:
        target = copy_reference(folder, name, mutant.edits)
    else:
        target = copy_file(LEARNER_FILE, folder, name, mutant.edits)
    run = run_spec(target, spec_modules(mutant.tags), folder, folder / f"{name}.json", requirements=mutant.tags)
    return Graded(run, time.perf_counter() - start)


def _grade_variant(variant: str, folder: Path) -> Graded:
    start = time.perf_counter()
    run = run_spec(str(CORRECT / f"{variant}.py"), [], folder, folder / f"correct_{variant}.json",
                   extra=WHOLE_SPEC_BUT_MNIST)
    return Graded(run, time.perf_counter() - start)


def _selected(session: pytest.Session) -> tuple[set[str], set[str]]:
    """(mutants, variants) that the selected tests of this module need (all of them for the summary)."""
    items = [item for item in session.items if item.path == Path(__file__)]
    if any(item.name == "test_kill_rate_table" for item in items):
        return set(BY_NAME), set(VARIANTS)
    params = [getattr(item, "callspec", None) for item in items]
    names = {spec.params["name"] for spec in params if spec is not None and "name" in spec.params}
    variants = {spec.params["variant"] for spec in params if spec is not None and "variant" in spec.params}
    return names, variants


@pytest.fixture(scope="session")
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Graded]]:
    """Every selected mutant and variant graded once, WORKERS at a time (longest runs, the variants, first)."""
    names, variants = _selected(request.session)
    folder = tmp_path_factory.mktemp("mutants")
    start = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {f"correct:{variant}": pool.submit(_grade_variant, variant, folder) for variant in sorted(variants)}
        futures |= {name: pool.submit(_grade_mutant, BY_NAME[name], folder) for name in sorted(names)}
        results = {key: future.result() for key, future in futures.items()}
    results["wall time"] = Graded(SpecRun(0, "", []), time.perf_counter() - start)
    yield results


def _tail(run: SpecRun) -> str:
    return run.output[-TAIL:]


@pytest.mark.parametrize("name", KILLABLE)
def test_mutant_is_caught_by_its_requirements(name: str, graded: dict[str, Graded]) -> None:
    mutant, run = BY_NAME[name], graded[name].run
    missed = sorted(set(mutant.tags) - run.failed())
    assert not missed, f"mutant {name} ({mutant.description}) survived {missed}\n{_tail(run)}"
    for req in mutant.tags:
        headed = [message for message in run.messages(req) if f"[{req}]" in message]
        assert headed, f"mutant {name}: {req} failed without its [{req}] header\n{run.messages(req)}"


@pytest.mark.parametrize("name", EQUIVALENT)
def test_equivalent_mutant_passes(name: str, graded: dict[str, Graded]) -> None:
    mutant, run = BY_NAME[name], graded[name].run
    assert not run.failed(), f"equivalent mutant {name} ({mutant.description}) failed {sorted(run.failed())}: it " \
                             f"is not equivalent; move it to the catalogue's killable mutants\n{_tail(run)}"
    passed = {record["requirement"] for record in run.records if record["outcome"] == "passed"}
    assert set(mutant.tags) <= passed, f"equivalent mutant {name}: its requirements did not run\n{_tail(run)}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_correct_variant_gets_full_marks(variant: str, graded: dict[str, Graded]) -> None:
    run = graded[f"correct:{variant}"].run
    assert run.returncode == 0 and not run.failed(), f"correct variant {variant} failed {sorted(run.failed())}\n" \
                                                     f"{_tail(run)}"
    assert sum(record["outcome"] == "passed" for record in run.records) > 0, _tail(run)


def kill_rate_table(graded: dict[str, Graded]) -> list[str]:
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
    variants = ", ".join(f"{variant} {'full marks' if not graded[f'correct:{variant}'].run.failed() else 'FAILED'}"
                         for variant in VARIANTS)
    lines.append(f"correct variants: {variants}")
    lines.append(f"wall time of the {len(MUTANTS) + len(VARIANTS)} spec runs ({WORKERS} at a time): "
                 f"{graded['wall time'].seconds:.1f} s")
    return lines


def test_kill_rate_table(graded: dict[str, Graded], capsys: pytest.CaptureFixture[str]) -> None:
    lines = kill_rate_table(graded)
    with capsys.disabled():
        print("\n" + "\n".join(["nnspec mutants: kill rate per chapter", *lines]))
    survivors = [name for name in KILLABLE if not set(BY_NAME[name].tags) <= graded[name].run.failed()]
    assert not survivors, f"surviving mutants: {survivors}"
