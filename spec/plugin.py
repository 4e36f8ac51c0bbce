"""The pytest plugin behind ``pytest spec``: choosing the implementation, hypothesis profiles, the summary.

Loaded from the root ``conftest.py``. Options: ``--impl TARGET`` (or env NNSPEC_IMPL) and hypothesis's own
``--hypothesis-profile`` (or env NNSPEC_HYPOTHESIS_PROFILE; default ``ci``). Tests run with their requirements'
prerequisites first (spec/prerequisites.py); a test whose prerequisite failed is skipped as "blocked by <ID>".
"""

from __future__ import annotations

import importlib.metadata
import os
from collections import Counter
from collections.abc import Generator, Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from spec import calls
from spec.impl import NOT_IMPLEMENTED, Implementation, ImplementationLoadError, load_implementation
from spec.prerequisites import BLOCKED, blockers, ordered
from spec.requirements import CHAPTERS, MARKER, REGISTRY, Requirement, register, set_current

IMPL_ENV = "NNSPEC_IMPL"
PROFILE_ENV = "NNSPEC_HYPOTHESIS_PROFILE"
DEFAULT_PROFILE = "ci"
SESSION_PLUGIN = "nnspec-session"
IMPL_LOADS = Requirement(
    "IMPL-LOADS", "the implementation under test imports without error", "issue 3: choosing the implementation"
)
OUTCOMES = ("passed", "failed", "blocked", "not implemented", "skipped")  # the summary's columns

# ci: the default, and what a grade is based on. derandomize: the same examples on every run, so the same
# implementation always gets the same result. database=None: no example database read or written, so nothing
# from an earlier run changes this one. deadline=None: timings on a shared 2-core machine are noise, never a
# failure. max_examples bounded to keep `pytest spec` well under a minute. too_slow suppressed: finite
# differences and learners' loops are legitimately slow to generate for.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
# dev: random exploration while writing code; fewer examples for quick feedback; the local database replays
# earlier failures first.
settings.register_profile("dev", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# thorough: a long random search before a release; no database so every run starts fresh.
settings.register_profile(
    "thorough", max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nnspec")
    group.addoption(
        "--impl",
        default=None,
        help=f"implementation under test: a .py file, a package folder or a dotted module "
        f"(default: env {IMPL_ENV}, else the reference package)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(id): the requirement ID a spec test checks")
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile(os.environ.get(PROFILE_ENV, DEFAULT_PROFILE))
    target = config.getoption("impl") or os.environ.get(IMPL_ENV) or None
    config.pluginmanager.register(SpecSession(target), SESSION_PLUGIN)


@pytest.fixture(scope="session")
def impl(request: pytest.FixtureRequest) -> Implementation:
    """The implementation under test (loaded once per run, at configure time)."""
    state = request.config.pluginmanager.get_plugin(SESSION_PLUGIN)
    assert isinstance(state, SpecSession)
    if state.implementation is None:
        pytest.fail(f"the implementation {state.target!r} failed to import", pytrace=False)
    return state.implementation


class ImplLoadFailure(pytest.Item):
    """The single item reported when the implementation cannot be imported."""

    def __init__(self, *, error: ImplementationLoadError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error
        self.add_marker(getattr(pytest.mark, MARKER)(IMPL_LOADS.id))

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        return (
            f"[{IMPL_LOADS.id}] {IMPL_LOADS.statement} (source: {IMPL_LOADS.source})\n"
            f"could not import {self.error.target!r}; every other requirement was deselected.\n"
            f"{self.error.details}"
        )

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"{IMPL_LOADS.id}: import {self.error.target}"


class SpecSession:
    """Per-run state: the loaded implementation, each item's requirement, and each requirement's outcome."""

    def __init__(self, target: str | None) -> None:
        self.target = target
        self.implementation: Implementation | None = None
        self.load_error: ImplementationLoadError | None = None
        try:
            self.implementation = load_implementation(target)
        except ImplementationLoadError as error:
            self.load_error = error
        self.requirement_of: dict[str, Requirement] = {}
        self.outcome_of: dict[str, str] = {}
        self.failed: set[str] = set()  # requirement IDs with a failed test so far
        self.blocked: dict[str, list[str]] = {}  # requirement ID -> the failed requirements that block it

    def pytest_report_header(self) -> list[str]:
        if self.implementation is None:
            assert self.load_error is not None
            loaded = f"nnspec: implementation under test: {self.load_error.target} FAILED TO IMPORT (see IMPL-LOADS)"
        else:
            version = self.implementation.contract_version or "undeclared"
            loaded = f"nnspec: implementation under test: {self.implementation.origin} (contract {version})"
        return [loaded, _torch_line()]

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list) -> None:
        if self.load_error is not None:
            self._replace_with_load_failure(session, config, items)
        for item in items:
            req = requirement_of(item)
            if req is not None:
                self.requirement_of[item.nodeid] = req
        items[:] = ordered(items, self._requirement_id)

    def _requirement_id(self, item: pytest.Item) -> str | None:
        req = self.requirement_of.get(item.nodeid)
        return None if req is None else req.id

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """A test whose requirement has a failed prerequisite is not run: it is skipped as "blocked by <ID>"."""
        req_id = self._requirement_id(item)
        roots = [] if req_id is None else blockers(req_id, self.failed, self.blocked)
        if req_id is not None and roots:
            self.blocked[req_id] = roots
            pytest.skip(BLOCKED + ", ".join(roots))

    def _replace_with_load_failure(self, session: pytest.Session, config: pytest.Config, items: list) -> None:
        dependent = [item for item in items if "impl" in getattr(item, "fixturenames", ())]
        if not dependent:
            return
        register(IMPL_LOADS)
        config.hook.pytest_deselected(items=dependent)
        failure = ImplLoadFailure.from_parent(session, name="IMPL-LOADS", error=self.load_error)
        items[:] = [failure, *(item for item in items if item not in dependent)]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        set_current(self.requirement_of.get(item.nodeid))
        calls.reset()
        try:
            return (yield)
        finally:
            set_current(None)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = report_outcome(report)
        if outcome is None or report.nodeid not in self.requirement_of:
            return
        if outcome == "failed":
            self.failed.add(self.requirement_of[report.nodeid].id)
        previous = self.outcome_of.get(report.nodeid, outcome)
        self.outcome_of[report.nodeid] = _worst([previous, outcome])

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        table = self._requirement_table()
        if not table:
            return
        terminalreporter.write_sep("=", "nnspec: requirements by chapter")
        terminalreporter.write_line(f"{'chapter':<18}" + "".join(f"{name:>17}" for name in OUTCOMES))
        order = [*CHAPTERS.values(), "other"]
        for chapter in sorted(table, key=order.index):
            counts = table[chapter]
            terminalreporter.write_line(f"{chapter:<18}" + "".join(f"{counts[name]:>17}" for name in OUTCOMES))
        totals = sum(table.values(), Counter())
        terminalreporter.write_line(f"{'total':<18}" + "".join(f"{totals[name]:>17}" for name in OUTCOMES))
        for req_id, roots in sorted(self.blocked.items()):
            terminalreporter.write_line(f"{req_id} {BLOCKED}{', '.join(roots)} (not run; scored 0)")

    def _requirement_table(self) -> dict[str, Counter[str]]:
        by_requirement: dict[Requirement, list[str]] = {}
        for nodeid, outcome in self.outcome_of.items():
            by_requirement.setdefault(self.requirement_of[nodeid], []).append(outcome)
        table: dict[str, Counter[str]] = {}
        for req, outcomes in by_requirement.items():
            table.setdefault(req.chapter, Counter())[requirement_outcome(outcomes)] += 1
        return table


def _torch_line() -> str:
    """The PyTorch the torch chapter uses as its oracle (from package metadata: importing torch takes seconds)."""
    try:
        return f"nnspec: torch chapter oracle: PyTorch {importlib.metadata.version('torch')}"
    except importlib.metadata.PackageNotFoundError:
        return "nnspec: torch chapter oracle: PyTorch not installed (TORCH-* requirements are skipped)"


def requirement_of(item: pytest.Item) -> Requirement | None:
    """The item's requirement: the last ``requirement`` mark (a parameter's mark overrides its function's)."""
    marks = [mark for mark in item.own_markers if mark.name == MARKER]
    return REGISTRY.get(marks[-1].args[0]) if marks else None


def report_outcome(report: pytest.TestReport) -> str | None:
    """One phase's outcome: failed, blocked (a prerequisite failed), not implemented, skipped, passed (the call
    phase only), or None (a setup or teardown that passed)."""
    if report.failed:
        return "failed"
    if report.skipped:
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if BLOCKED in reason:
            return "blocked"
        return "not implemented" if NOT_IMPLEMENTED in reason else "skipped"
    return "passed" if report.when == "call" else None


def _worst(outcomes: Iterable[str]) -> str:
    """Item level: a failure in any phase beats a skip, which beats a pass."""
    return min(outcomes, key=("failed", "blocked", "not implemented", "skipped", "passed").index)


def requirement_outcome(outcomes: list[str]) -> str:
    """Requirement level: failed if any case failed, else blocked if a failed prerequisite kept a case from running,
    else not implemented if any case lacked a function, else passed if any case passed (cases skipped for other
    reasons, e.g. a missing optional library, do not count)."""
    return min(outcomes, key=("failed", "blocked", "not implemented", "passed", "skipped").index)
