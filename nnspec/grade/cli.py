"""The ``grade`` sub-command: one submission (a .py file or a package folder) or many (batch mode)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nnspec.grade import notebook  # light: reads notebooks with nbformat, imported only when one is graded

if TYPE_CHECKING:  # the grading modules import pytest and the spec: loaded only when `grade` runs
    from nnspec.grade import config, reports

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``grade`` sub-command."""
    parser = commands.add_parser(
        "grade", help="grade a submission (a .py file or package folder) against the spec, isolated",
        description="Runs the whole spec against a submission whose code runs in a separate, limited process. "
        "Exit code 0: every required requirement passed; 1: some did not; 2: usage error or the submission "
        "could not be loaded. With several paths, or a folder of submissions, grades them all (batch mode).",
    )
    add_arguments(parser)
    parser.set_defaults(run=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="submission(s): .py file, package folder, "
                        "or a folder holding one submission per entry")
    parser.add_argument("--config", metavar="TOML", help="grading configuration (default: the one shipped)")
    parser.add_argument("--json", metavar="PATH", help="write the full report (hidden requirements too) as JSON")
    parser.add_argument("--gradescope", metavar="PATH", help="write Gradescope's results.json")
    parser.add_argument("--junit", metavar="PATH", help="write JUnit XML")
    parser.add_argument("--chapter", action="append", metavar="NAME",
                        help="grade only this spec chapter (repeatable), e.g. activations")
    parser.add_argument("--requirement", action="append", metavar="ID",
                        help="grade only this requirement (repeatable), e.g. ACT-SIGMOID-VALUES")
    parser.add_argument("--roster", metavar="PATH", help="batch mode: the roster (.csv or .json)")
    parser.add_argument("--reports", metavar="DIR", help="batch mode: keep each submission's JSON report here")
    parser.add_argument("--jobs", type=int, default=2, help="batch mode: submissions graded at once (default 2)")
    parser.add_argument("--notebook-mode", choices=notebook.MODES, default=notebook.MODES[0],
                        help="a .ipynb submission: run only its definitions (default), all cells (each with a time "
                        "limit), or only the cells marked `graded`")


def run(args: argparse.Namespace) -> int:
    from nnspec.grade import batch, config, reports

    try:
        grading, problem = config.load(args.config), ""
    except config.ConfigError as error:  # still write the reports (scored with the default configuration)
        print(f"nnspec grade: {error}", file=sys.stderr)
        grading, problem = config.load(), str(error)
    submissions = batch.expand(args.paths)
    if len(submissions) != 1 or args.roster:
        return reports.EXIT_UNUSABLE if problem else batch.run(submissions, args, grading)
    return grade_one(submissions[0], args, grading, problem)


def grade_one(target: str, args: argparse.Namespace, grading: config.GradingConfig, problem: str = "") -> int:
    """Grade ``target``, print the learner's report, write the requested files; returns the exit code.
    ``problem``: a usage error found before grading (then nothing is run, but the reports are written)."""
    from nnspec.grade import frameworks, reports, runner
    from nnspec.grade.runner import GradeRun, RequirementResult

    settings = notebook.NotebookSettings(args.notebook_mode, keep_modules=frozenset(grading.forbidden_modules))
    try:
        if problem:
            raise ValueError(problem)
        if not Path(target).exists():
            raise ValueError(f"no such file or folder: {target}")
        with notebook.prepared(target, settings) as (script, conversion):
            grade_run = runner.run(script, grading.limits, args.chapter, args.requirement)
            if conversion is not None:
                notebook.relabel(grade_run, conversion, script)
    except ValueError as error:
        grade_run = GradeRun(target, target, False, f"usage error: {error}", [])
    except Exception as error:  # a bug in the grader must still leave a report (and not blame the submission)
        grade_run = GradeRun(target, target, False, f"internal error of the grader: {error!r}", [])
    if grading.no_frameworks and grade_run.loaded:
        message = frameworks.check(target, grade_run.loaded_modules, grading.forbidden_modules)
        result = RequirementResult(frameworks.NO_FRAMEWORKS, "failed" if message else "passed", message, 0.0, 1)
        grade_run.results.insert(0, result)
    report = reports.build(grade_run, grading)
    sys.stdout.write(reports.terminal(report, colour=_colour(sys.stdout)))
    write_files(report, args)
    return report.exit_code


def write_files(report: reports.Report, args: argparse.Namespace) -> None:
    from nnspec.grade import reports
    if args.json:
        Path(args.json).write_text(reports.dumps_json(reports.to_json(report)), encoding="utf-8")
    if args.gradescope:
        Path(args.gradescope).write_text(json.dumps(reports.gradescope(report), indent=2) + "\n", encoding="utf-8")
    if args.junit:
        Path(args.junit).write_text(reports.junit(report), encoding="utf-8")
    summary = os.environ.get(SUMMARY_ENV)
    if summary:
        with open(summary, "a", encoding="utf-8") as file:
            file.write(reports.markdown(report))


def _colour(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nnspec.grade``: the sub-command on its own."""
    parser = argparse.ArgumentParser(prog="nnspec grade")
    add_arguments(parser)
    return run(parser.parse_args(argv))
