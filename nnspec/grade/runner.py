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
from collections import Counter
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pytest
from hypothesis import configuration
from hypothesis.errors import FailedHealthCheck, Unsatisfiable

import spec
from nnspec.grade import sandbox, scope
from nnspec.grade.limits import Limits
from nnspec.grade.proxy import IsolatedImplementation, RequirementAbandoned, unreadable_paths
from nnspec.profiles import Profile, applicability
from nnspec.profiles.applicability import NOT_APPLICABLE
from spec import figures
from spec.figures import Recorded
from spec.impl import ImplementationLoadError
from spec.plugin import IMPL_LOADS, SESSION_PLUGIN, report_outcome, requirement_of
from spec.requirements import CHAPTERS, REGISTRY, Requirement

SPEC_DIR = Path(spec.__file__).resolve().parent
STATUSES = ("passed", "failed", "blocked", "not implemented", "not applicable", "skipped", "not run")
CLEAN_ENV = ("NNSPEC_IMPL", "NNSPEC_HYPOTHESIS_PROFILE")  # the grader decides both
GRADING_PROFILE = "ci"  # derandomized hypothesis: the same submission always gets the same grade
NOT_GRADED = "not_graded"  # marker of claims checked against oracles only: facts, not about the submission
NO_EXAMPLE_LEFT = (Unsatisfiable, FailedHealthCheck)  # hypothesis rejected every example it tried


@dataclass
class RequirementResult:
    """One requirement's outcome: ``status`` is one of STATUSES; ``message`` the first failure (or skip reason)."""

    requirement: Requirement
    status: str = "not run"
    message: str = ""
    duration: float = 0.0
    cases: int = 0
    round_trips: int = 0  # messages to the worker (calls, and callbacks answered) that were answered or timed out
    finished: float = 0.0  # seconds after the grade's start when its last case ended

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
    round_trips: int = 0
    started_at: float = 0.0  # the grade's start, seconds since the epoch (time.time())
    loaded_modules: list[str] = field(default_factory=list)
    duration: float = 0.0
    pytest_output: str = ""
    isolation: str = "none (the submission was not run)"  # how its code was confined (sandbox.DESCRIPTIONS)
    isolation_warning: str = ""  # set when the operating system's sandbox was not used
    notes: list[str] = field(default_factory=list)  # what the grader left out of the submission (notebook cells)

    figures: Recorded = field(default_factory=dict)  # what the requirements recorded for the HTML report

class Listener(Protocol):
    """Follows a grading as it runs (``nnspec.grade.progress``); called between tests, never during one."""

    def collected(self, tests: int) -> None: ...

    def test_finished(self, chapter: str) -> None: ...

    def chapter_finished(self, chapter: str, statuses: Counter[str], seconds: float) -> None:
        """``statuses``: how many of the chapter's requirements passed, failed, ... (as in the report)."""


class Collector:
    """pytest plugin: isolates the implementation and records an outcome per spec test."""

    def __init__(
        self,
        implementation: IsolatedImplementation | None,
        load_error: ImplementationLoadError | None,
        only: Iterable[str] | None = None,
        listener: Listener | None = None,
        not_applicable: dict[str, str] | None = None,
    ) -> None:
        self.implementation = implementation
        self.load_error = load_error
        self.only = set(only or ())
        self.not_applicable = not_applicable or {}  # requirement ID -> why the profile cannot meet it: not run
        self.requirement_of: dict[str, Requirement] = {}
        self.cases: dict[str, list[tuple[str, str, float]]] = {}
        self.not_graded: set[str] = set()  # requirements checked against oracles only: left out of the grade
        self.finished: dict[str, float] = {}  # nodeid -> time.monotonic() when its last phase was reported
        self.listener = listener
        self.tests_left: Counter[str] = Counter()  # per chapter: a chapter is finished when none is left
        self.chapter_started: dict[str, float] = {}

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
        """Leave out the claims checked against oracles only (``not_graded``), and what --requirement excludes."""
        self.not_graded = {
            req.id for item in items if item.get_closest_marker(NOT_GRADED) and (req := requirement_of(item))
        }
        keep = [
            item for item in items
            if item.get_closest_marker(NOT_GRADED) is None
            and (not self.only or ((req := requirement_of(item)) is not None and req.id in self.only))
            and ((req := requirement_of(item)) is None or req.id not in self.not_applicable)
        ]
        if len(keep) == len(items):
            return
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            req = requirement_of(item)
            if req is not None:
                self.requirement_of[item.nodeid] = req
        self.tests_left = Counter(self.chapter_of(item.nodeid) for item in session.items)
        if self.listener is not None:
            self.listener.collected(len(session.items))

    def chapter_of(self, nodeid: str) -> str:
        req = self.requirement_of.get(nodeid)
        return req.chapter if req is not None else "other"

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        scope.take_rejected()
        if self.implementation is not None:
            req = self.requirement_of.get(item.nodeid)
            if req is None:
                self.implementation.begin_requirement()
            else:
                self.implementation.begin_requirement(req.chapter, req.id)
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.excinfo is not None and isinstance(call.excinfo.value, RequirementAbandoned):
            report.longrepr = str(call.excinfo.value)  # the whole failure is the message, as pytest.fail's
        if call.excinfo is not None and isinstance(call.excinfo.value, NO_EXAMPLE_LEFT):
            reason = scope.take_rejected()  # every example hypothesis made needed a call the profile cannot make
            if reason:
                report.outcome, report.longrepr = "skipped", (str(item.path), 0, NOT_APPLICABLE + reason)
        return report

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.chapter_started.setdefault(self.chapter_of(nodeid), time.monotonic())

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        """Tell the listener of the test, and of its chapter when it was the chapter's last."""
        if self.listener is None:
            return
        chapter = self.chapter_of(nodeid)
        self.tests_left[chapter] -= 1
        self.listener.test_finished(chapter)
        if self.tests_left[chapter] == 0:
            seconds = time.monotonic() - self.chapter_started[chapter]
            self.listener.chapter_finished(chapter, self.chapter_statuses(chapter), seconds)

    def chapter_statuses(self, chapter: str) -> Counter[str]:
        """How many of ``chapter``'s requirements have each status so far (combined as in the report)."""
        cases: dict[str, list[tuple[str, str, float]]] = {}
        for nodeid, outcomes in self.cases.items():
            req = self.requirement_of.get(nodeid)
            if req is not None and req.chapter == chapter:
                cases.setdefault(req.id, []).extend(outcomes)
        return Counter(_combine(outcomes)[0] for outcomes in cases.values())

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = report_outcome(report)
        if outcome is None:
            return
        message = ""
        if report.failed:
            message = report.longreprtext
            if self.implementation is not None and report.when == "call":
                message += self.implementation.failure_help()
        elif report.skipped and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2]).removeprefix("Skipped: ")
            outcome = "not applicable" if message.startswith(NOT_APPLICABLE) else outcome  # a call the profile lacks
        self.cases.setdefault(report.nodeid, []).append((outcome, message, report.duration))
        self.finished[report.nodeid] = time.monotonic()


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
    target: str, limits: Limits, chapters: Iterable[str] | None = None, only: Iterable[str] | None = None,
    environment: sandbox.Environment | None = None,
    listener: Listener | None = None,
    profile: Profile | None = None,
) -> GradeRun:
    """Grade ``target`` (a .py file, package folder or dotted module name) against the spec; ``chapters`` and
    ``only`` (requirement IDs) narrow the run; ``environment``: the worker's isolation and libraries; ``listener``
    follows it as it runs; ``profile``: the assignment's API (its requirements that do not apply are not run)."""
    started, started_at = time.monotonic(), time.time()
    paths = spec_paths(chapters)
    with tempfile.TemporaryDirectory(prefix="nnspec-grade-") as workdir, \
            tempfile.TemporaryDirectory(prefix="nnspec-hypothesis-") as hypothesis_home:
        configuration.set_hypothesis_home_dir(hypothesis_home)  # its caches (.hypothesis/) go here, not into cwd
        implementation = IsolatedImplementation(target, limits, workdir, unreadable_paths(), environment, profile)
        isolated: IsolatedImplementation | None = implementation
        load_error = None
        try:
            implementation.start()
        except ImplementationLoadError as error:
            isolated, load_error = None, error
        not_applicable = applicability.not_applicable(profile) if profile is not None else {}
        collector = Collector(isolated, load_error, only, listener, not_applicable)
        figures.start()
        try:
            pytest_output = _pytest(paths, collector)
        finally:
            recorded = figures.take()
            configuration.set_hypothesis_home_dir(None)
            implementation.close()
    grade_run = _assemble(target, collector, isolated, load_error, pytest_output, started)
    grade_run.started_at = started_at
    grade_run.isolation = implementation.isolation
    if implementation.fallback_reason:
        grade_run.isolation_warning = sandbox.FALLBACK_WARNING.format(reason=implementation.fallback_reason)
    grade_run.figures = recorded
    if profile is not None:
        grade_run.notes.append(f"graded with the assignment profile {profile.name} ({profile.source}): what it "
                               "cannot meet is not applicable, not counted")
    return grade_run


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
    started: float,
) -> GradeRun:
    outcomes: dict[str, list[tuple[str, str, float]]] = {}
    selected = [req for req in REGISTRY.values()
                if (not collector.only or req.id in collector.only) and req.id not in collector.not_graded]
    by_id = {req.id: RequirementResult(req) for req in selected}
    for nodeid, cases in collector.cases.items():
        req = collector.requirement_of.get(nodeid)
        if req is not None:
            result = by_id.setdefault(req.id, RequirementResult(req))
            result.cases += 1
            result.duration += sum(seconds for _, _, seconds in cases)
            result.finished = max(result.finished, collector.finished[nodeid] - started)
            outcomes.setdefault(req.id, []).extend(cases)
    if load_error is None:
        by_id[IMPL_LOADS.id] = RequirementResult(IMPL_LOADS, "passed", cases=1)
    for req_id, cases in outcomes.items():
        by_id[req_id].status, by_id[req_id].message = _combine(cases)
    for req_id, reason in collector.not_applicable.items():
        if req_id in by_id and load_error is None:
            by_id[req_id].status, by_id[req_id].message = "not applicable", NOT_APPLICABLE + reason
    round_trips = implementation.round_trips if implementation is not None else Counter[str]()
    for req_id, result in by_id.items():
        result.round_trips = round_trips[req_id]
    return GradeRun(
        target=target,
        origin=implementation.origin if implementation is not None else target,
        loaded=load_error is None,
        load_error=load_error.details if load_error is not None else "",
        results=sorted(by_id.values(), key=lambda result: _order(result.requirement)),
        output_total=implementation.output.total if implementation is not None else 0,
        output_head=implementation.output.text() if implementation is not None else "",
        restarts=implementation.restarts if implementation is not None else 0,
        round_trips=sum(round_trips.values()),
        loaded_modules=implementation.loaded_modules if implementation is not None else [],
        duration=time.monotonic() - started,
        pytest_output=pytest_output,
    )


COMBINE_ORDER = ("failed", "blocked", "not implemented", "passed", "not applicable", "skipped")  # as spec.plugin's


def _combine(cases: list[tuple[str, str, float]]) -> tuple[str, str]:
    """(status, message) of a requirement from its cases (every phase of every test carrying it): failed if any
    case failed, else blocked ("blocked by <ID>": a prerequisite failed), else not implemented if any case lacked
    a function, else passed if any passed, else not applicable if a case made a call the profile cannot make,
    else skipped."""
    for status in COMBINE_ORDER:
        messages = [message for outcome, message, _ in cases if outcome == status]
        if messages:
            return status, next((message for message in messages if message), "")
    return "not run", ""


def _order(req: Requirement) -> tuple[int, str]:
    chapters = list(CHAPTERS.values())
    return (chapters.index(req.chapter) if req.chapter in chapters else len(chapters), req.id)
