"""The spec catches wrong code and accepts right code: the mutant catalogue and the correct variants, graded.

Every mutant of tests/mutants/catalogue.py (a realistic learner bug applied to a copy of a correct submission)
is run through the spec modules of its tags, narrowed to the tests of those requirements; each tagged
requirement must fail, with its ``[ID]`` header in the failure message. Equivalent mutants must pass the same
selection (they are findings, not kills). Every correct variant in tests/mutants/correct/ is run through the
whole spec except the MNIST gate and must have no failure. The runs are shared out between WORKERS warm batch
runners (tests/mutants/batch.py); the last test prints the kill rate per chapter and the wall time.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mutants.catalogue import BY_NAME, MUTANTS, Mutant
from tests.mutants.mutation import ROOT, Job, SpecRun, run_batch, spec_modules

pytestmark = pytest.mark.corpus  # heavy: run once per CI run, on one interpreter (tox env "corpus")

WORKERS = 2  # the machine's cores
CORRECT = ROOT / "tests" / "mutants" / "correct"
VARIANTS = sorted(path.stem for path in CORRECT.glob("*.py"))
WHOLE_SPEC_BUT_MNIST = ("-m", "not mnist", "spec")
KILLABLE = [mutant.name for mutant in MUTANTS if not mutant.equivalent]
EQUIVALENT = [mutant.name for mutant in MUTANTS if mutant.equivalent]
TAIL = 4000  # characters of a run's output shown when an assertion fails
SHOW_SLOWEST = 5  # runs named with their times under the table
VARIANT_COST, GRADCHECK_COST = 12, 5  # run times relative to a one-chapter mutant run, for sharing the work


@dataclass(frozen=True)
class Graded:
    run: SpecRun
    seconds: float


@dataclass(frozen=True)
class Grading:
    """Each selected mutant's or variant's run (variants under "correct:<name>") and the wall time of them all."""

    runs: dict[str, Graded]
    seconds: float

    def __getitem__(self, key: str) -> Graded:
        return self.runs[key]


def _mutant_job(mutant: Mutant, folder: Path) -> Job:
    extra = () if mutant.equivalent else ("--first-failure-per-requirement",)
    return Job(mutant.write(folder), tuple(spec_modules(mutant.tags)), folder,
               folder / f"mutant_{mutant.name}.report.json", requirements=mutant.tags, extra=extra)


def _variant_job(variant: str, folder: Path) -> Job:
    return Job(str(CORRECT / f"{variant}.py"), (), folder, folder / f"correct_{variant}.report.json",
               extra=WHOLE_SPEC_BUT_MNIST)


def _cost(key: str) -> int:
    """A rough relative run time, to share the runs evenly between the workers."""
    if key.startswith("correct:"):
        return VARIANT_COST
    return GRADCHECK_COST if "NET-BACKWARD-GRADCHECK" in BY_NAME[key].tags else 1


def _balanced(keys: set[str]) -> list[list[str]]:
    """WORKERS lists of keys with about equal total cost (longest first, each to the least loaded list)."""
    bins: list[list[str]] = [[] for _ in range(WORKERS)]
    loads = [0] * WORKERS
    for key in sorted(keys, key=lambda key: (-_cost(key), key)):
        lightest = loads.index(min(loads))
        bins[lightest].append(key)
        loads[lightest] += _cost(key)
    return [keys for keys in bins if keys]


def _selected(session: pytest.Session) -> set[str]:
    """The mutants and variants ("correct:<name>") that the selected tests of this module need."""
    items = [item for item in session.items if item.path == Path(__file__)]
    if any(item.name == "test_kill_rate_table" for item in items):
        return set(BY_NAME) | {f"correct:{variant}" for variant in VARIANTS}
    params = [item.callspec.params for item in items if hasattr(item, "callspec")]
    return {params["name"] for params in params if "name" in params} | \
        {f"correct:{params['variant']}" for params in params if "variant" in params}


@pytest.fixture(scope="session")
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Grading:
    """Every selected mutant and variant graded once: WORKERS warm batch runners, the runs shared out evenly."""
    keys = _selected(request.session)
    folder = tmp_path_factory.mktemp("mutants")
    start = time.perf_counter()
    jobs = {key: _variant_job(key.removeprefix("correct:"), folder) if key.startswith("correct:")
            else _mutant_job(BY_NAME[key], folder) for key in keys}
    runs: dict[str, Graded] = {}
    with ThreadPoolExecutor(WORKERS) as pool:
        bins = _balanced(keys)
        futures = [pool.submit(run_batch, [jobs[key] for key in batch], folder, f"batch{index}")
                   for index, batch in enumerate(bins)]
        for batch, future in zip(bins, futures, strict=True):
            runs |= {key: Graded(run, seconds) for key, (run, seconds) in zip(batch, future.result(), strict=True)}
    return Grading(runs, time.perf_counter() - start)


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
    run = graded[f"correct:{variant}"].run
    assert run.returncode == 0 and not run.failed(), f"correct variant {variant} failed {sorted(run.failed())}\n" \
                                                     f"{_tail(run)}"
    assert sum(record["outcome"] == "passed" for record in run.records) > 0, _tail(run)


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
    variants = ", ".join(f"{variant} {'full marks' if not graded[f'correct:{variant}'].run.failed() else 'FAILED'}"
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
