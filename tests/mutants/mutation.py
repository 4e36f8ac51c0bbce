"""Broken copies of a correct submission, and spec runs on them in a subprocess.

A copy is either the reference package, copied to ``folder/name`` with its ``reference`` imports renamed (the
spec is then pointed at the dotted name ``name``, with ``folder`` on PYTHONPATH), or a one-file submission copied
to ``folder/name.py``. Each edit replaces a text that must occur exactly once in its file, so a catalogue entry
can never silently stop applying when the submission changes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec.plugin import requirement_outcome

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference"
RUN_TIMEOUT = 600  # seconds for one spec run; generous for a shared 2-core machine
SPEC_MODULES = {  # requirement ID prefix -> the spec module holding its tests
    "ACT": "test_activations.py",
    "LOSS": "test_losses.py",
    "PER": "test_perceptron.py",
    "LAY": "test_layers.py",
    "NET": "test_network.py",
    "OPT": "test_optimizers.py",
    "REG": "test_regularization.py",
    "NORM": "test_normalization.py",
    "GC": "test_gradient_check.py",
    "WE": "test_worked_examples.py",
    "EXP": "test_experiments.py",
    "TORCH": "test_torch.py",
    "MNIST": "test_mnist.py",
}


@dataclass(frozen=True)
class Edit:
    """In ``file`` (a module name of the reference, or the one-file submission's stem), ``old`` becomes ``new``."""

    file: str
    old: str
    new: str


# an import statement of reference (or of one of its modules): "from reference[.sub] import" or "import reference"
REFERENCE_IMPORT = re.compile(r"^(\s*)(?:from reference(?P<sub>\.[\w.]+)?(?= import\b)|import reference\b)",
                              re.MULTILINE)


def imports_reference(text: str) -> bool:
    """Whether the Python source ``text`` imports the reference package."""
    return REFERENCE_IMPORT.search(text) is not None


def rename_reference(text: str, package: str) -> str:
    """``text`` with its imports of ``reference`` made imports of ``package``: a dotted name, or a relative one
    ("." inside the copy itself, "._reference" for a copy that is a sub-package of the importing package)."""

    def renamed(match: re.Match[str]) -> str:
        indent, sub = match.group(1), match.group("sub") or ""
        if match.group(0).lstrip().startswith("from"):
            return f"{indent}from {package + sub[1:] if package.endswith('.') else package + sub}"
        if not package.startswith("."):
            return f"{indent}import {package}"
        parent, _, last = package.rpartition(".")
        if not last:
            raise ValueError(f"'import reference' cannot become a relative import of {package!r}")
        return f"{indent}from {parent or '.'} import {last}"

    return REFERENCE_IMPORT.sub(renamed, text)


def copy_reference(folder: Path, name: str, edits: Iterable[Edit] = (), package: str | None = None) -> str:
    """reference/ copied to folder/name, its imports of itself renamed to ``package`` (default: ``name``, a
    top-level package), edits applied; returns the --impl target ``name``."""
    copy = folder / name
    shutil.copytree(REFERENCE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for source in copy.glob("*.py"):
        source.write_text(rename_reference(source.read_text(encoding="utf-8"), package or name), encoding="utf-8")
    for edit in edits:
        apply_edit(copy / f"{edit.file}.py", edit)
    return name


def self_contained(source: Path, folder: Path) -> str:
    """A one-file submission as a target that needs no installed ``reference``: when it imports reference, the
    package folder/<stem>/ holding its code as __init__.py and a private copy of reference as the sub-package
    _reference (imported relatively); otherwise the file itself. Returns the path to grade."""
    text = source.read_text(encoding="utf-8")
    if not imports_reference(text):
        return str(source)
    package = folder / source.stem
    package.mkdir()
    copy_reference(package, "_reference", package=".")
    (package / "__init__.py").write_text(rename_reference(text, "._reference"), encoding="utf-8")
    return str(package)


def copy_file(source: Path, folder: Path, name: str, edits: Iterable[Edit] = ()) -> str:
    """A one-file submission copied to folder/name.py, edits applied; returns the --impl target (its path)."""
    target = folder / f"{name}.py"
    shutil.copyfile(source, target)
    for edit in edits:
        apply_edit(target, edit)
    return str(target)


def apply_edit(path: Path, edit: Edit) -> None:
    text = path.read_text(encoding="utf-8")
    count = text.count(edit.old)
    if count != 1:
        raise ValueError(f"the text to replace occurs {count} times (expected once) in {path.name}: {edit.old!r}")
    path.write_text(text.replace(edit.old, edit.new), encoding="utf-8")


def spec_modules(requirement_ids: Iterable[str]) -> list[str]:
    """The spec modules (paths relative to the repository) holding the tests of these requirements."""
    return sorted({f"spec/{SPEC_MODULES[req.split('-', 1)[0]]}" for req in requirement_ids})


@dataclass(frozen=True)
class SpecRun:
    """One spec run: pytest's exit code and output, and one record per test (requirement, outcome, message)."""

    returncode: int
    output: str
    records: list[dict[str, Any]]

    def failed(self) -> set[str]:
        """The requirement IDs with at least one failed test."""
        return {record["requirement"] for record in self.records if record["outcome"] == "failed"}

    def statuses(self) -> dict[str, str]:
        """Each requirement's status, its tests' outcomes combined as the spec's own summary combines them."""
        outcomes: dict[str, list[str]] = {}
        for record in self.records:
            outcomes.setdefault(record["requirement"], []).append(record["outcome"])
        return {req_id: requirement_outcome(found) for req_id, found in sorted(outcomes.items())}

    def messages(self, req_id: str) -> list[str]:
        return [record["message"] for record in self.records
                if record["requirement"] == req_id and record["outcome"] == "failed"]


@dataclass(frozen=True)
class Job:
    """One spec run: ``pytest <modules> --impl target`` with ``folder`` on the path, its report written to
    ``report``; only the tests of ``requirements`` when given; ``extra`` pytest arguments."""

    target: str
    modules: tuple[str, ...]
    folder: Path
    report: Path
    requirements: tuple[str, ...] | None = None
    extra: tuple[str, ...] = ()

    def pytest_args(self) -> list[str]:
        """Without shrinking (the first failing example shows the bug; shrinking dozens would take minutes)."""
        args = ["-p", "no:cacheprovider", "-p", "tests.mutants.spec_report", "--hypothesis-profile", "no-shrink",
                "-q", "-rf", "--impl", self.target, "--requirement-report", str(self.report), *self.extra,
                *self.modules]
        if self.requirements is not None:
            args += ["--only-requirements", ",".join(sorted(self.requirements))]
        return args

    def result(self, returncode: int, output: str) -> SpecRun:
        records = json.loads(self.report.read_text(encoding="utf-8")) if self.report.exists() else []
        return SpecRun(returncode, output, records)


def _environment(paths: Iterable[Path]) -> dict[str, str]:
    """The caller's environment without NNSPEC_ variables (they would choose the implementation or profile)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NNSPEC_")}
    env["PYTHONPATH"] = os.pathsep.join([*map(str, paths), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def run_spec(job: Job) -> SpecRun:
    """One job in its own ``python -m pytest`` subprocess, from the repository root."""
    result = subprocess.run([sys.executable, "-m", "pytest", *job.pytest_args()], cwd=ROOT,
                            env=_environment([job.folder]), capture_output=True, text=True, timeout=RUN_TIMEOUT,
                            check=False)
    return job.result(result.returncode, result.stdout + result.stderr)


def run_batch(jobs: list[Job], folder: Path, name: str) -> list[tuple[SpecRun, float]]:
    """The jobs one after the other in ONE warm interpreter (tests/mutants/batch.py forks a child per job);
    each job's run and its wall time in seconds."""
    plan: list[dict[str, Any]] = [
        {"args": job.pytest_args(), "path": [str(job.folder)], "log": str(folder / f"{name}-{index}.log")}
        for index, job in enumerate(jobs)
    ]
    listing = folder / f"{name}.json"
    listing.write_text(json.dumps(plan), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "tests.mutants.batch", str(listing)], cwd=ROOT, env=_environment([]),
                   timeout=RUN_TIMEOUT * max(1, len(jobs)), check=True)
    outcome = json.loads(Path(f"{listing}.out").read_text(encoding="utf-8"))
    return [(job.result(code, Path(entry["log"]).read_text(encoding="utf-8")), seconds)
            for job, entry, (code, seconds) in zip(jobs, plan, outcome, strict=True)]
