"""The ``grade`` sub-command: one submission (a .py file or a package folder) or many (batch mode)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nnspec.grade import notebook  # light: reads notebooks with nbformat, imported only when one is graded

if TYPE_CHECKING:  # the grading modules import pytest and the spec: loaded only when `grade` runs
    from nnspec import profiles
    from nnspec.grade import config, reports

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``grade`` sub-command."""
    parser = commands.add_parser(
        "grade", help="grade a submission (a .py file or package folder) against the spec, isolated",
        description="Runs the whole spec against a submission whose code runs in a separate, limited process. "
        "Exit code 0: every required requirement passed; 1: some did not; 2: usage error, a report could not be "
        "written, or the submission could not be loaded. With several paths, or a folder of submissions, grades "
        "them all (batch mode).",
    )
    add_arguments(parser)
    parser.set_defaults(run=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="submission(s): .py file, package folder, "
                        "or a folder holding one submission per entry")
    parser.add_argument("--config", metavar="TOML", help="grading configuration (default: the one shipped)")
    parser.add_argument("--json", metavar="PATH", help="write the full report (hidden requirements too) as JSON")
    parser.add_argument("--gradescope", metavar="PATH", help="write Gradescope's results.json")
    parser.add_argument("--prairielearn", metavar="PATH", help="write PrairieLearn's external-grader results.json")
    parser.add_argument("--junit", metavar="PATH", help="write JUnit XML")
    parser.add_argument("--html", metavar="PATH", help="write the learner's report as one self-contained HTML page "
                        "with plots (needs matplotlib); batch mode: a folder, one page per submission")
    parser.add_argument("--chapter", action="append", metavar="NAME",
                        help="grade only this spec chapter (repeatable), e.g. activations")
    parser.add_argument("--requirement", action="append", metavar="ID",
                        help="grade only this requirement (repeatable), e.g. ACT-SIGMOID-VALUES")
    parser.add_argument("--roster", metavar="PATH", help="batch mode: the roster (.csv or .json)")
    parser.add_argument("--reports", metavar="DIR", help="batch mode: keep each submission's JSON report here")
    parser.add_argument("--jobs", type=int, default=2, help="batch mode: submissions graded at once (default 2)")
    parser.add_argument("--similarity", metavar="PATH", help="batch mode: write a similarity report (markdown, or "
                        "JSON if PATH ends in .json) of submissions alike and close to the reference: evidence for "
                        "an instructor, never a penalty")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr (the report on stdout is the "
                        "same either way)")
    parser.add_argument("--similarity-template", metavar="PATH", help="the starter file (or package folder) "
                        "learners were given: its code is left out of the similarity report")
    parser.add_argument("--sandbox", choices=("auto", "on", "off"), default=None,
                        help="the operating system's sandbox around the submission (bubblewrap): auto uses it when "
                        "it works here, on requires it, off forces the process-only fallback (default: "
                        "$NNSPEC_SANDBOX, else auto)")
    parser.add_argument("--profile", metavar="NAME|TOML", help="grade code written to an assignment's own API: a "
                        "built-in profile (`nnspec profiles` lists them) or a profile file; requirements it cannot "
                        "meet are reported as not applicable")
    parser.add_argument("--notebook-mode", choices=notebook.MODES,
                        help="a .ipynb submission: run only its definitions (default, unless the profile says "
                        "otherwise), all cells (each with a time limit), or only the cells marked `graded`")


def run(args: argparse.Namespace) -> int:
    from nnspec.grade import batch, config, reports, sandbox

    try:
        grading, problem = config.load(args.config), ""
    except config.ConfigError as error:  # still write the reports (scored with the default configuration)
        print(f"nnspec grade: {error}", file=sys.stderr)
        grading, problem = config.load(), str(error)
    args.sandbox = args.sandbox or os.environ.get(sandbox.SANDBOX_ENV) or "auto"
    grading.environment = dataclasses.replace(grading.environment, mode=args.sandbox)
    submissions = batch.expand(args.paths)
    if len(submissions) != 1 or args.roster or args.similarity:
        return reports.EXIT_UNUSABLE if problem else batch.run(submissions, args, grading)
    return grade_one(submissions[0], args, grading, problem)


def grade_one(target: str, args: argparse.Namespace, grading: config.GradingConfig, problem: str = "") -> int:
    """Grade ``target``, print the learner's report, write the requested files; returns the exit code.
    ``problem``: a usage error found before grading (then nothing is run, but the reports are written)."""
    from nnspec.grade import frameworks, progress, reports, runner
    from nnspec.grade.runner import GradeRun, RequirementResult

    shown = None if args.quiet or problem or sys.stderr is None else progress.GradeProgress(sys.stderr, target)
    try:
        if problem:
            raise ValueError(problem)
        if not Path(target).exists():
            raise ValueError(f"no such file or folder: {target}")
        profile = _profile(args)
        grading = _with_libraries(grading, profile.offered() if profile is not None else ())
        mode = getattr(args, "notebook_mode", None) or (profile.notebook if profile is not None else "")
        settings = notebook.NotebookSettings(mode or notebook.MODES[0],
                                             keep_modules=frozenset(grading.forbidden_modules))
        if shown is not None:
            shown.start()
        with notebook.prepared(target, settings) as (script, conversion):
            grade_run = runner.run(script, grading.limits, args.chapter, args.requirement, grading.environment, shown,
                                   profile)
            if conversion is not None:
                notebook.relabel(grade_run, conversion, script)
    except ValueError as error:
        grade_run = GradeRun(target, target, False, f"usage error: {error}", [])
    except Exception as error:  # a bug in the grader must still leave a report (and not blame the submission)
        grade_run = GradeRun(target, target, False, f"internal error of the grader: {error!r}", [])
    finally:
        if shown is not None:
            shown.close()
    if grading.no_frameworks and grade_run.loaded:
        try:
            message = frameworks.check(target, grade_run.loaded_modules, grading.forbidden_modules)
        except Exception as error:  # a bug in the scan must not cost the report
            message = f"[{frameworks.NO_FRAMEWORKS.id}] the rule could not be checked: {error!r}"
        result = RequirementResult(frameworks.NO_FRAMEWORKS, "failed" if message else "passed", message, 0.0, 1)
        grade_run.results.insert(0, result)
    report = reports.build(grade_run, grading)
    if not write_reports(report, args):
        return max(report.exit_code, reports.EXIT_UNUSABLE)
    return report.exit_code


def _profile(args: argparse.Namespace) -> profiles.Profile | None:
    """The profile named by --profile (None without it); ValueError (a usage error) when it cannot be read."""
    from nnspec import profiles
    name = getattr(args, "profile", None)  # absent from a Namespace made by hand (the option came later)
    return profiles.load(name) if name else None


def _with_libraries(grading: config.GradingConfig, libraries: Sequence[str]) -> config.GradingConfig:
    """``grading`` with the libraries a profile's assignment uses offered to the worker and no longer forbidden."""
    if not libraries:
        return grading
    environment = dataclasses.replace(grading.environment,
                                      libraries=tuple(dict.fromkeys([*grading.environment.libraries, *libraries])))
    forbidden = tuple(module for module in grading.forbidden_modules if module not in libraries)
    return dataclasses.replace(grading, environment=environment, forbidden_modules=forbidden)


def write_reports(report: reports.Report, args: argparse.Namespace) -> bool:
    """Print the learner's report and write every requested file, each on its own: a writer that fails is
    reported on stderr and the others still write. Returns whether all of them did."""
    from nnspec.grade import reports
    writers: list[tuple[str, Callable[[], object]]] = [
        ("terminal", lambda: sys.stdout.write(reports.terminal(report, colour=_colour(sys.stdout)))),
    ]
    if args.json:
        writers.append((f"JSON ({args.json})", lambda: _write(args.json, reports.dumps_json(reports.to_json(report)))))
    if args.gradescope:
        writers.append((f"Gradescope ({args.gradescope})",
                        lambda: _write(args.gradescope, json.dumps(reports.gradescope(report), indent=2) + "\n")))
    learner = getattr(args, "prairielearn", None)  # absent from a Namespace made by hand, as --html below
    if learner:
        writers.append((f"PrairieLearn ({learner})", lambda: _write(learner, _prairielearn(report))))
    if args.junit:
        writers.append((f"JUnit ({args.junit})", lambda: _write(args.junit, reports.junit(report))))
    page = getattr(args, "html", None)  # absent from a Namespace made by hand (the --html option came later)
    if page:
        writers.append((f"HTML ({page})", lambda: _write(page, _html_page(report))))
    summary = os.environ.get(SUMMARY_ENV)
    if summary:
        writers.append((f"step summary ({summary})", lambda: _write(summary, reports.markdown(report), mode="a")))
    written = True
    for name, write in writers:
        try:
            write()
        except Exception as error:  # one broken writer (or unwritable path) must not cost the other reports
            print(f"nnspec grade: the {name} report could not be written: {type(error).__name__}: {error}",
                  file=sys.stderr)
            written = False
    return written


def _html_page(report: reports.Report) -> str:
    from nnspec.grade import html  # imports matplotlib only when a page is asked for
    return html.page(report)


def _prairielearn(report: reports.Report) -> str:
    from nnspec.grade import prairielearn  # draws the report's plots with matplotlib
    return prairielearn.dumps(prairielearn.results(report))


def _write(path: str, text: str, mode: str = "w") -> None:
    """Write ``text`` (rendered in full before the file is opened, so a failure leaves no half-written file)."""
    with open(path, mode, encoding="utf-8") as file:
        file.write(text)


def _colour(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nnspec.grade``: the sub-command on its own."""
    parser = argparse.ArgumentParser(prog="nnspec grade")
    add_arguments(parser)
    return run(parser.parse_args(argv))
