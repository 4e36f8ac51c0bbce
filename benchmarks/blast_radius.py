"""Blast radius of the mutant catalogue: how many requirements one learner bug fails.

Prints figures; not a test. Run from the repository root: `python benchmarks/blast_radius.py [--only NAME,...]`.
Each killable mutant of tests/mutants/catalogue.py runs through the whole spec without the MNIST gate and the
torch chapter (tests/mutants/mutation.py's warm batch runner, the mutants shared between two runners); a
requirement counts when one of its tests failed, not when it was blocked by a failed prerequisite. Prints each
mutant's count, the median, the maximum and the worst three; and any tag of a mutant that the whole run reports
as blocked instead of failed (the catalogue should then name the root requirement).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.mutants, run as a script from the root

from tests.mutants.catalogue import BY_NAME, Mutant
from tests.mutants.mutation import Job, SpecRun, run_batch

RUNNERS = 2  # default: the machine's cores
WORST = 3
WHOLE_SPEC = ("--first-failure-per-requirement", "-m", "not mnist", "--deselect", "spec/test_torch.py")


def job(mutant: Mutant, folder: Path) -> Job:
    """The whole spec but MNIST and torch on a copy of the mutant's base with its edits."""
    return Job(mutant.write(folder), ("spec",), folder, folder / f"mutant_{mutant.name}.report.json", extra=WHOLE_SPEC)


def blocked(run: SpecRun) -> set[str]:
    """The requirements reported as blocked by a failed prerequisite (none of their tests failed)."""
    return {record["requirement"] for record in run.records if record["outcome"] == "blocked"} - run.failed()


def grade(mutants: list[Mutant], folder: Path, runners: int) -> dict[str, SpecRun]:
    """Each mutant's run; the mutants dealt alternately to ``runners`` warm batch runners."""
    batches = [mutants[index::runners] for index in range(runners)]
    with ThreadPoolExecutor(runners) as pool:
        futures = [pool.submit(run_batch, [job(mutant, folder) for mutant in batch], folder, f"blast{index}")
                   for index, batch in enumerate(batches) if batch]
        return {mutant.name: run for batch, future in zip(batches, futures, strict=False)
                for mutant, (run, _) in zip(batch, future.result(), strict=True)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated mutant names (default: every killable one)")
    parser.add_argument("--runners", type=int, default=RUNNERS, help=f"spec runs at a time (default {RUNNERS})")
    arguments = parser.parse_args()
    names = [name for name in arguments.only.split(",") if name]
    mutants = [BY_NAME[name] for name in names] or [mutant for mutant in BY_NAME.values() if not mutant.equivalent]
    with tempfile.TemporaryDirectory(prefix="nnspec-blast-") as folder:
        runs = grade(mutants, Path(folder), arguments.runners)
    counts = {name: sorted(run.failed()) for name, run in runs.items()}
    for mutant in mutants:
        failed = counts[mutant.name]
        print(f"{mutant.name:<44}{len(failed):>3}  {' '.join(failed)}")
        for tag in sorted(set(mutant.tags) & blocked(runs[mutant.name])):
            print(f"    tag {tag} is blocked in the whole run: tag the failing prerequisite instead")
        for tag in sorted(set(mutant.tags) - set(failed) - blocked(runs[mutant.name])):
            print(f"    tag {tag} did not fail in the whole run")
    sizes = [len(failed) for failed in counts.values()]
    print(f"\n{len(sizes)} mutants: median {statistics.median(sizes):g}, maximum {max(sizes)} requirements failed "
          f"(blocked ones not counted)")
    for name in sorted(counts, key=lambda name: (-len(counts[name]), name))[:WORST]:
        print(f"worst: {name} {len(counts[name])}: {', '.join(counts[name])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
