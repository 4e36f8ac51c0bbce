"""Every submission of tests/mutants/, graded in process: the one run per submission that tests/test_mutants.py's
kill checks and its golden comparison (tests/mutants/golden.py) both read.

A submission is a mutant of the catalogue (key: its name) or a correct variant of tests/mutants/correct/ (key:
``correct:<stem>``). Its grade is the in-process spec run (``--hypothesis-profile no-shrink``: the spec's
derandomized ci profile without shrinking) of

- a mutant: the whole spec modules of its tags (every requirement of those chapters, not only the tags), with
  ``--first-failure-per-requirement`` unless it is equivalent (a failed requirement stays failed);
- a correct variant: the whole spec without the MNIST gate and the torch chapter (whose statuses would depend on
  whether PyTorch is installed), nor the autograd exercise (a notebook's values, graded only under its profile).

The runs are shared out between ``WORKERS`` warm batch runners (tests/mutants/batch.py), balanced by their
expected run times.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.mutants.catalogue import BY_NAME, Mutant
from tests.mutants.mutation import ROOT, Job, SpecRun, run_batch, spec_modules

WORKERS = 2  # the machine's cores
CORRECT = ROOT / "tests" / "mutants" / "correct"
VARIANTS = sorted(path.stem for path in CORRECT.glob("*.py"))
VARIANT_PREFIX = "correct:"
SUBMISSIONS = (*BY_NAME, *(VARIANT_PREFIX + variant for variant in VARIANTS))
WHOLE_SPEC_BUT_MNIST_AND_TORCH = ("-m", "not mnist", "--deselect", "spec/test_torch.py", "--deselect",
                                  "spec/test_autograd_exercise.py", "spec")
# Seconds each spec module takes in process on the reference (pytest --junitxml, 2-core machine at load 5.8,
# 2026-11-30): the expected run time of a mutant, for sharing the runs out. A variant runs them all, and slower.
MODULE_SECONDS = {
    "spec/test_network.py": 6.8, "spec/test_activations.py": 4.9, "spec/test_experiments.py": 4.7,
    "spec/test_worked_examples.py": 4.5, "spec/test_layers.py": 3.7, "spec/test_gradient_check.py": 2.5,
    "spec/test_losses.py": 1.8, "spec/test_optimizers.py": 1.4, "spec/test_normalization.py": 1.1,
    "spec/test_regularization.py": 0.9, "spec/test_perceptron.py": 0.5,
}
VARIANT_SECONDS = 50.0  # a variant's whole run: the loop-based variants take longer than the reference
STARTUP_SECONDS = 1.0  # a run's fresh pytest session and collection


@dataclass(frozen=True)
class Graded:
    run: SpecRun
    seconds: float


@dataclass(frozen=True)
class Grading:
    """Each graded submission's run, by key, and the wall time of them all."""

    runs: dict[str, Graded]
    seconds: float

    def __getitem__(self, key: str) -> Graded:
        return self.runs[key]


def is_variant(key: str) -> bool:
    return key.startswith(VARIANT_PREFIX)


def _mutant_job(mutant: Mutant, folder: Path) -> Job:
    extra = () if mutant.equivalent else ("--first-failure-per-requirement",)
    return Job(mutant.write(folder), tuple(spec_modules(mutant.tags)), folder,
               folder / f"mutant_{mutant.name}.report.json", extra=extra)


def _variant_job(variant: str, folder: Path) -> Job:
    return Job(str(CORRECT / f"{variant}.py"), (), folder, folder / f"correct_{variant}.report.json",
               extra=WHOLE_SPEC_BUT_MNIST_AND_TORCH)


def job(key: str, folder: Path) -> Job:
    """The spec run that grades submission ``key``, its copies and report in ``folder``."""
    if is_variant(key):
        return _variant_job(key.removeprefix(VARIANT_PREFIX), folder)
    return _mutant_job(BY_NAME[key], folder)


def expected_seconds(key: str) -> float:
    """A rough run time, to share the runs out evenly between the workers."""
    if is_variant(key):
        return VARIANT_SECONDS
    return STARTUP_SECONDS + sum(MODULE_SECONDS[module] for module in spec_modules(BY_NAME[key].tags))


def balanced(keys: set[str]) -> list[list[str]]:
    """At most WORKERS lists of keys with about equal expected time (longest first, each to the least loaded)."""
    bins: list[list[str]] = [[] for _ in range(WORKERS)]
    loads = [0.0] * WORKERS
    for key in sorted(keys, key=lambda key: (-expected_seconds(key), key)):
        lightest = loads.index(min(loads))
        bins[lightest].append(key)
        loads[lightest] += expected_seconds(key)
    return [keys for keys in bins if keys]


def grade(keys: set[str], folder: Path) -> Grading:
    """Every submission of ``keys`` graded once: WORKERS warm batch runners, the runs shared out evenly."""
    start = time.perf_counter()
    jobs = {key: job(key, folder) for key in keys}
    runs: dict[str, Graded] = {}
    with ThreadPoolExecutor(WORKERS) as pool:
        bins = balanced(keys)
        futures = [pool.submit(run_batch, [jobs[key] for key in batch], folder, f"batch{index}")
                   for index, batch in enumerate(bins)]
        for batch, future in zip(bins, futures, strict=True):
            runs |= {key: Graded(run, seconds) for key, (run, seconds) in zip(batch, future.result(), strict=True)}
    return Grading(runs, time.perf_counter() - start)
