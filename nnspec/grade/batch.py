"""Batch mode: grade many submissions in parallel, each in its own grader process, into one roster.

The roster grows as submissions finish: a CSV roster gets each row appended (after its header), a JSON roster is
JSON Lines (one row per line) while the batch runs. At the end both are rewritten in the order the submissions were
named, a JSON roster as one JSON array, so the finished roster is the same whatever order grading took.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from nnspec.grade import escape, progress, reports, similarity
from nnspec.grade.config import GradingConfig

ROSTER_FIELDS = (
    "submission", "score", "max_score", "exit_code", "passed", "failed", "not_implemented", "seconds", "error",
)


def is_submission(path: Path) -> bool:
    """A .py file, a notebook or a package folder (has __init__.py)."""
    return (path.is_file() and path.suffix in (".py", ".ipynb")) or (path.is_dir() and (path / "__init__.py").is_file())


def expand(paths: Sequence[str]) -> list[str]:
    """The submissions named: a folder that is not itself a package stands for the submissions inside it; of
    several paths (``DIR/*``), those that are not submissions (README.md, data) are left out."""
    found: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir() and not is_submission(path):
            found += sorted(str(child) for child in path.iterdir()
                            if is_submission(child) and not child.name.startswith((".", "_")))
        elif len(paths) == 1 or is_submission(path):
            found.append(name)
        else:
            print(f"nnspec grade: skipping {name} (not a .py file or a package folder)", file=sys.stderr)
    return found


def run(submissions: list[str], args: argparse.Namespace, grading: GradingConfig) -> int:
    """Grade every submission (``args.jobs`` at a time); write the roster; 0 only if all exit 0."""
    if not submissions:
        print("nnspec grade: no submissions found", file=sys.stderr)
        return reports.EXIT_UNUSABLE
    if args.similarity:  # first: it only reads text, and a problem with it shows before the long grading
        similarity.run(args.similarity, submissions, args.similarity_template)
    roster = args.roster or "roster.csv"
    jobs = max(1, args.jobs)
    shown = None if args.quiet or sys.stderr is None else progress.BatchProgress(sys.stderr, len(submissions), jobs)
    _start_roster(Path(roster))
    with tempfile.TemporaryDirectory(prefix="nnspec-batch-") as scratch, ThreadPoolExecutor(max_workers=jobs) as pool:
        folder = Path(args.reports or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        if args.html:
            Path(args.html).mkdir(parents=True, exist_ok=True)
        futures = [pool.submit(_grade, submission, folder / name, args)
                   for submission, name in zip(submissions, _report_names(submissions), strict=True)]
        for future in as_completed(futures):
            _append_row(Path(roster), future.result())
            if shown is not None:
                shown.finished(future.result())
        rows = [future.result() for future in futures]
    if shown is not None:
        shown.close()
    for row in rows:
        print(f"{row['score']:>8g} / {row['max_score']:<8g} exit {row['exit_code']} {row['seconds']:>6}s  "
              f"{escape.one_line(row['submission'])}"
              + (f"  ({escape.one_line(row['error'])})" if row["error"] else ""))
    _write_roster(Path(roster), rows)
    print(f"roster written to {roster}")
    return max((int(row["exit_code"]) for row in rows), default=0)


def _report_names(submissions: list[str]) -> list[str]:
    """One JSON file name per submission: its name, numbered when two submissions share one."""
    stems = [Path(submission).stem for submission in submissions]
    return [f"{stem}.json" if stems.count(stem) == 1 else f"{stem}-{index}.json" for index, stem in enumerate(stems)]


def _grade(submission: str, report_path: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, "-m", "nnspec.grade", submission, "--json", str(report_path), "--sandbox", args.sandbox,
               "--quiet"]
    if args.config:
        command += ["--config", args.config]
    for chapter in args.chapter or []:
        command += ["--chapter", chapter]
    for req_id in args.requirement or []:
        command += ["--requirement", req_id]
    if getattr(args, "notebook_mode", None):
        command += ["--notebook-mode", args.notebook_mode]
    if getattr(args, "profile", None):
        command += ["--profile", args.profile]
    if args.html:  # a folder in batch mode: one page per submission, named as its JSON report
        command += ["--html", str(Path(args.html) / report_path.with_suffix(".html").name)]
    started = time.monotonic()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    row: dict[str, Any] = {"submission": submission, "score": 0.0, "max_score": 0.0, "exit_code": finished.returncode,
                           "passed": 0, "failed": 0, "not_implemented": 0,
                           "seconds": round(time.monotonic() - started, 1), "error": ""}
    try:
        data = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        row["error"] = (finished.stderr.strip().splitlines() or ["the grader wrote no report"])[-1]
        return row
    statuses = [requirement["status"] for requirement in data["requirements"]]
    row.update(score=data["score"], max_score=data["max_score"], passed=statuses.count("passed"),
               failed=statuses.count("failed"), not_implemented=statuses.count("not implemented"),
               error="" if data["loaded"] else "could not be loaded")
    return row


def _write_roster(path: Path, rows: list[dict[str, Any]]) -> None:
    """The roster as JSON (texts cleaned) or CSV (cells also made inert for spreadsheets), by ``path``'s suffix."""
    if path.suffix == ".json":
        path.write_text(json.dumps([_json_row(row) for row in rows], indent=2) + "\n", encoding="utf-8")
        return
    _start_roster(path)
    for row in rows:
        _append_row(path, row)


def _start_roster(path: Path) -> None:
    """An empty roster: the CSV header only, or an empty JSON Lines file."""
    with path.open("w", newline="", encoding="utf-8") as file:
        if path.suffix != ".json":
            csv.DictWriter(file, fieldnames=ROSTER_FIELDS).writeheader()


def _append_row(path: Path, row: dict[str, Any]) -> None:
    """Add one submission's row as soon as it is graded: a CSV row, or a JSON Lines line."""
    with path.open("a", newline="", encoding="utf-8") as file:
        if path.suffix == ".json":
            file.write(json.dumps(_json_row(row)) + "\n")
        else:
            csv.DictWriter(file, fieldnames=ROSTER_FIELDS).writerow(
                {key: escape.csv_cell(value) for key, value in row.items()})


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: escape.text(value) if isinstance(value, str) else value for key, value in row.items()}
