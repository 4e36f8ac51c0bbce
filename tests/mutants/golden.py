"""The golden file: the status of every requirement for every submission of tests/mutants/, as last accepted.

A submission's grade is its in-process spec run of tests/mutants/grading.py (a mutant: the whole chapters of its
tags; a correct variant: the whole spec without the MNIST gate and the torch chapter). tests/test_mutants.py
compares every fresh run with ``golden.json``; a change to the spec, the catalogue or a variant that changes a
status makes it fail, naming the submission, the requirement and both statuses. Change the file only on purpose:

    python -m tests.mutants.golden            # grade every submission, print what differs from golden.json
    python -m tests.mutants.golden --update   # ... and write the fresh statuses to golden.json

golden.json maps each submission's key (the mutant's name, or ``correct:<variant>``) to {requirement ID: status}.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tests.mutants.grading import SUBMISSIONS, grade

GOLDEN = Path(__file__).resolve().parent / "golden.json"
UPDATE_COMMAND = "python -m tests.mutants.golden --update"
ABSENT = "absent"  # the status shown for a requirement one side does not have

Statuses = dict[str, dict[str, str]]  # submission key -> requirement ID -> status


def load(path: Path = GOLDEN) -> Statuses:
    statuses: Statuses = json.loads(path.read_text(encoding="utf-8"))
    return statuses


def write(statuses: Statuses, path: Path = GOLDEN) -> None:
    ordered = {key: dict(sorted(statuses[key].items())) for key in sorted(statuses)}
    path.write_text(json.dumps(ordered, indent=1) + "\n", encoding="utf-8")


def differences(key: str, golden: Mapping[str, str] | None, fresh: Mapping[str, str]) -> list[str]:
    """One line per requirement whose status in ``fresh`` differs from ``golden`` for submission ``key``."""
    if golden is None:
        return [f"{key}: no golden statuses (a new submission? run {UPDATE_COMMAND})"]
    return [f"{key}: {req_id} was {golden.get(req_id, ABSENT)} in the golden file, is {fresh.get(req_id, ABSENT)} now"
            for req_id in sorted(set(golden) | set(fresh)) if golden.get(req_id) != fresh.get(req_id)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help=f"write the fresh statuses to {GOLDEN.name}")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nnspec-golden-") as folder:
        grading = grade(set(SUBMISSIONS), Path(folder))
    fresh = {key: grading[key].run.statuses() for key in SUBMISSIONS}
    golden = load() if GOLDEN.exists() else {}
    lines = [line for key in SUBMISSIONS for line in differences(key, golden.get(key), fresh[key])]
    lines += [f"{key}: in the golden file, not a submission any more" for key in sorted(set(golden) - set(fresh))]
    print("\n".join(lines) or f"every status matches {GOLDEN.name}")
    print(f"{len(SUBMISSIONS)} submissions graded in {grading.seconds:.0f} s")
    if arguments.update:
        write(fresh)
        print(f"wrote {GOLDEN}")
    return 1 if lines and not arguments.update else 0


if __name__ == "__main__":
    sys.exit(main())
