"""Run the spec against one submission and collect a result per requirement.

The checks run in this (trusted) process: ``pytest.main`` on spec/ with the nnspec plugin, plus the
``Collector`` below, which swaps the implementation the plugin loaded for an ``IsolatedImplementation`` (so the
submission's code only ever runs in the worker) and records each requirement's outcome and message. In-process
pytest keeps results as Python objects (no parsing of pytest's output); batch mode gets its separation between
submissions by running each grading in its own process (``nnspec.grade.batch``).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import configuration

import spec
from nnspec.grade.limits import Limits
from nnspec.grade.proxy import IsolatedImplementation, unreadable_paths
from spec.impl import ImplementationLoadError
from spec.plugin import IMPL_LOADS, SESSION_PLUGIN, report_outcome, requirement_of
from spec.requirements import CHAPTERS, REGISTRY, Requirement

SPEC_DIR = Path(spec.__file__).resolve().parent
STATUSES = ("passed", "failed", "blocked", "not implemented", "skipped", "not run")
CLEAN_ENV = ("NNSPEC_IMPL", "NNSPEC_HYPOTHESIS_PROFILE")  # the grader decides both
GRADING_PROFILE = "ci"  # derandomized hypothesis: the same submission always gets the same grade


@dataclass
class RequirementResult:
    """One requirement's outcome: ``status`` is one of STATUSES; ``message`` the first failure (or skip reason)."""

    requirement: Requirement
    status: str = "not run"
    message: str = ""
    duration: float = 0.0
    cases: int = 0

    @property
    def id(self) -> str:
        return self.requirement.id


@dataclass
class GradeRun:
    """Everything one grading of one submission produced, before scoring."""

    target: str
    origin: str
    loaded: bool
    load_error: str
    results: list[RequirementResult]
    output_total: int = 0
    output_head: str = ""
    restarts: int = 0
    loaded_modules: list[str] = field(default_factory=list)
    duration: float = 0.0
    pytest_output: str = ""


class Collector:
    """pytest plugin: isolates the implementation and records an outcome per spec test."""

    def __init__(
        self,
        implementation: IsolatedImplementation | None,
        load_error: ImplementationLoadError | None,
        only: Iterable[str] | None = None,
    ) -> None:
        self.implementation = implementation
        self.load_error = load_error
        self.only = set(only or ())
        self.requirement_of: dict[str, Requirement] = {}
        self.cases: dict[str, list[tuple[str, str, float]]] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        state = config.pluginmanager.get_plugin(SESSION_PLUGIN)
        if state is None:
            raise RuntimeError("the nnspec pytest plugin (spec.plugin) is not loaded")
        state.implementation = self.implementation
        state.load_error = self.load_error
        if self.load_error is not None:
            state.target = self.load_error.target

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if not self.only:
            return
        keep = [item for item in items if (req := requirement_of(item)) is not None and req.id in self.only]
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            req = requirement_of(item)
            if req is not None:
                self.requirement_of[item.nodeid] = req

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        if self.implementation is not None:
            req = self.requirement_of.get(item.nodeid)
            self.implementation.begin_requirement(req.chapter if req is not None else "other")
        return (yield)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = report_outcome(report)
        if outcome is None:
            return
        message = ""
        if report.failed:
            message = report.longreprtext
            snippet = self.implementation.reproduction() if self.implementation is not None else ""
            if snippet and report.when == "call":
                message += f"\nthe last call into the submission, to try yourself (after import numpy as np and " \
                           f"from <your module> import *):\n    {snippet}"
        elif report.skipped and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2]).removeprefix("Skipped: ")
        self.cases.setdefault(report.nodeid, []).append((outcome, message, report.duration))


def spec_paths(chapters: Iterable[str] | None) -> list[str]:
    """The spec modules to run: all of spec/, or one ``test_<chapter>.py`` per named chapter."""
    if not chapters:
        return [str(SPEC_DIR)]
    paths = []
    for chapter in chapters:
        path = SPEC_DIR / f"test_{chapter.replace(' ', '_')}.py"
        if not path.is_file():
            known = sorted(p.stem.removeprefix("test_") for p in SPEC_DIR.glob("test_*.py"))
            raise ValueError(f"no spec chapter {chapter!r} (known: {', '.join(known)})")
        paths.append(str(path))
    return paths


def run(
    target: str, limits: Limits, chapters: Iterable[str] | None = None, only: Iterable[str] | None = None
) -> GradeRun:
    """Grade ``target`` (a .py file, package folder or dotted module name) against the spec; ``chapters`` and
    ``only`` (requirement IDs) narrow the run."""
    started = time.monotonic()
    paths = spec_paths(chapters)
    with tempfile.TemporaryDirectory(prefix="nnspec-grade-") as workdir, \
            tempfile.TemporaryDirectory(prefix="nnspec-hypothesis-") as hypothesis_home:
        configuration.set_hypothesis_home_dir(hypothesis_home)  # its caches (.hypothesis/) go here, not into cwd
        implementation = IsolatedImplementation(target, limits, workdir, unreadable_paths())
        isolated: IsolatedImplementation | None = implementation
        load_error = None
        try:
            implementation.start()
        except ImplementationLoadError as error:
            isolated, load_error = None, error
        collector = Collector(isolated, load_error, only)
        try:
            pytest_output = _pytest(paths, collector)
        finally:
            configuration.set_hypothesis_home_dir(None)
            if isolated is not None:
                isolated.close()
    return _assemble(target, collector, isolated, load_error, pytest_output, time.monotonic() - started)


def _pytest(paths: list[str], collector: Collector) -> str:
    args = [
        "-q", "-p", "no:cacheprovider", "-o", "addopts=", "-W", "error::RuntimeWarning",
        "--rootdir", str(SPEC_DIR.parent), "-p", "spec.plugin", "--hypothesis-profile", GRADING_PROFILE,
        "-W", "ignore::pytest.PytestAssertRewriteWarning", *paths,
    ]
    saved = {name: os.environ.pop(name) for name in CLEAN_ENV if name in os.environ}
    bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            pytest.main(args, plugins=[collector])
    finally:
        os.environ.update(saved)
        sys.dont_write_bytecode = bytecode
    return captured.getvalue()


def _assemble(
    target: str,
    collector: Collector,
    implementation: IsolatedImplementation | None,
    load_error: ImplementationLoadError | None,
    pytest_output: str,
    duration: float,
) -> GradeRun:
    outcomes: dict[str, list[tuple[str, str, float]]] = {}
    selected = [req for req in REGISTRY.values() if not collector.only or req.id in collector.only]
    by_id = {req.id: RequirementResult(req) for req in selected}
    for nodeid, cases in collector.cases.items():
        req = collector.requirement_of.get(nodeid)
        if req is not None:
            result = by_id.setdefault(req.id, RequirementResult(req))
            result.cases += 1
            result.duration += sum(seconds for _, _, seconds in cases)
            outcomes.setdefault(req.id, []).extend(cases)
    if load_error is None:
        by_id[IMPL_LOADS.id] = RequirementResult(IMPL_LOADS, "passed", cases=1)
    for req_id, cases in outcomes.items():
        by_id[req_id].status, by_id[req_id].message = _combine(cases)
    return GradeRun(
        target=target,
        origin=implementation.origin if implementation is not None else target,
        loaded=load_error is None,
        load_error=load_error.details if load_error is not None else "",
        results=sorted(by_id.values(), key=lambda result: _order(result.requirement)),
        output_total=implementation.output.total if implementation is not None else 0,
        output_head=implementation.output.text() if implementation is not None else "",
        restarts=implementation.restarts if implementation is not None else 0,
        loaded_modules=implementation.loaded_modules if implementation is not None else [],
        duration=duration,
        pytest_output=pytest_output,
    )


COMBINE_ORDER = ("failed", "blocked", "not implemented", "passed", "skipped")  # as spec.plugin's summary


def _combine(cases: list[tuple[str, str, float]]) -> tuple[str, str]:
    """(status, message) of a requirement from its cases (every phase of every test carrying it): failed if any
    case failed, else blocked ("blocked by <ID>": a prerequisite failed), else not implemented if any case lacked
    a function, else passed if any passed, else skipped."""
    for status in COMBINE_ORDER:
        messages = [message for outcome, message, _ in cases if outcome == status]
        if messages:
            return status, next((message for message in messages if message), "")
    return "not run", ""


def _order(req: Requirement) -> tuple[int, str]:
    chapters = list(CHAPTERS.values())
    return (chapters.index(req.chapter) if req.chapter in chapters else len(chapters), req.id)
