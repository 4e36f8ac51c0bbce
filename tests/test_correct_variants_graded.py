"""Every correct variant in tests/mutants/correct/ gets full marks through ``nnspec grade`` (issue 10).

The real command grades them all in batch mode (two at a time), every submission's code in a worker, on every
chapter except the MNIST gate and the PyTorch chapter, to keep CI time sane (MNIST trains for minutes per
variant; torch is installed in the torch environments only), and the autograd exercise, which grades a notebook's
values under its own profile and is not applicable to any other submission. tests/test_mutants.py runs the same
variants through the spec in process; this is the path a learner's submission takes. A variant that imports
``reference`` is graded as a self-contained package with a private copy of it (tests/mutants/mutation.py
``self_contained``), since a submission may not rely on the real one being importable; a variant that does not is
graded as it is. The grading is marked ``corpus``: it does not depend on the interpreter, so CI runs it once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.mutants.mutation import ROOT, imports_reference, self_contained

CORRECT = ROOT / "tests" / "mutants" / "correct"
VARIANTS = sorted(CORRECT.glob("*.py"))
LEFT_OUT = {"mnist", "torch", "autograd_exercise"}  # the last: a notebook's values, graded only under its profile
CHAPTERS = sorted(path.stem.removeprefix("test_") for path in (ROOT / "spec").glob("test_*.py")
                  if path.stem.removeprefix("test_") not in LEFT_OUT)
GRADING_TIMEOUT = 3600  # seconds for the whole batch; a variant takes about 2 minutes on a shared 2-core machine
JOBS = 2  # the machine's cores
PROBE_TIMEOUT = 120  # seconds to import every variant once


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each variant's JSON report (by file stem) from one batch run of ``python -m nnspec.grade``."""
    folder = tmp_path_factory.mktemp("variants")
    targets = [self_contained(path, folder) for path in VARIANTS]
    reports = folder / "reports"
    command = [sys.executable, "-m", "nnspec.grade", *targets, "--reports", str(reports),
               "--roster", str(folder / "roster.json"), "--jobs", str(JOBS)]
    for chapter in CHAPTERS:
        command += ["--chapter", chapter]
    # from a folder without the repository: the worker's path holds the grader's current directory
    subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=GRADING_TIMEOUT, check=False)
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in reports.glob("*.json")}


@pytest.mark.corpus
@pytest.mark.parametrize("variant", [path.stem for path in VARIANTS])
def test_a_correct_variant_gets_full_marks_through_nnspec_grade(
    variant: str, graded: dict[str, dict[str, Any]]
) -> None:
    assert variant in graded, f"nnspec grade wrote no report for {variant}"
    report = graded[variant]
    assert report["loaded"], report["load_error"]
    lost = [f"{item['id']}: {item['status']}\n{item['message']}" for item in report["requirements"]
            if item["status"] != "passed"]
    assert not lost, f"{variant} lost {len(lost)} requirements:\n" + "\n".join(lost)
    chapters = {item["chapter"] for item in report["requirements"]}
    assert len(chapters) == len(CHAPTERS) + 1, f"{variant}: only the chapters {sorted(chapters)} were graded"
    assert report["score"] == report["max_score"] > 0


def test_a_variant_graded_as_a_package_needs_no_installed_reference(tmp_path: Path) -> None:
    """Every variant's self-contained form imports, with ``import reference`` made impossible."""
    targets = [self_contained(path, tmp_path) for path in VARIANTS]
    packaged = [target for target in targets if Path(target).is_dir()]
    assert all(not imports_reference(path.read_text(encoding="utf-8"))
               for target in packaged for path in Path(target).rglob("*.py"))
    probe = textwrap.dedent("""
        import sys
        sys.modules["reference"] = None  # any import of the installed reference now raises ImportError
        from spec.impl import load_implementation
        for target in sys.argv[1:]:
            assert load_implementation(target).has("forward"), target
    """)
    result = subprocess.run([sys.executable, "-c", probe, *targets], cwd=ROOT, capture_output=True, text=True,
                            timeout=PROBE_TIMEOUT, check=False)
    assert result.returncode == 0, result.stderr
