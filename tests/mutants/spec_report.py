"""A pytest plugin for the spec runs of tests/test_mutants.py and tests/test_torch_catches_bugs.py.

Loaded in the subprocess with ``-p tests.mutants.spec_report``. It registers the hypothesis profile ``no-shrink``
(the spec's ci profile without shrinking: the first failing example shows that a bug is caught, and shrinking dozens
of failures would take minutes), keeps only the tests of the requirements named by ``--only-requirements``, and
writes ``--requirement-report`` as JSON: one record per test with its requirement ID, outcome (passed, failed,
skipped, or blocked by a failed prerequisite) and failure text;
with ``--first-failure-per-requirement`` (for mutants: one failure is enough) the remaining tests of a
requirement that has failed are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings

NO_SHRINK = "no-shrink"
SPEC_PROFILE = "ci"  # spec/plugin.py's profile (hypothesis has a built-in "ci" too, until spec.plugin replaces it)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nnspec mutants")
    group.addoption("--only-requirements", default=None,
                    help="comma-separated requirement IDs: deselect every test of another requirement")
    group.addoption("--requirement-report", default=None, help="write each test's requirement and outcome here")
    group.addoption("--first-failure-per-requirement", action="store_true",
                    help="skip the remaining tests of a requirement once one of its tests has failed")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = config.getoption("only_requirements")
    if not wanted:
        return
    from spec.plugin import requirement_of  # imported late: the root conftest registers spec.plugin first

    keep = set(wanted.split(","))
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        req = requirement_of(item)
        (selected if req is not None and req.id in keep else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = selected


class _Recorder:
    def __init__(self, path: Path, first_failure: bool) -> None:
        self.path = path
        self.first_failure = first_failure
        self.requirement: dict[str, str] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.failed: set[str] = set()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        from spec.plugin import requirement_of

        for item in session.items:
            req = requirement_of(item)
            self.requirement[item.nodeid] = req.id if req is not None else item.name

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self.first_failure and self.requirement.get(item.nodeid) in self.failed:
            pytest.skip(f"{self.requirement[item.nodeid]} has already failed")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from spec.plugin import report_outcome

        record = self.records.setdefault(report.nodeid, {
            "requirement": self.requirement.get(report.nodeid, report.nodeid), "outcome": "passed", "message": ""})
        if report.failed:
            self.failed.add(record["requirement"])
            record["outcome"] = "failed"
            record["message"] += report.longreprtext
        elif report.skipped and record["outcome"] == "passed":
            record["outcome"] = "blocked" if report_outcome(report) == "blocked" else "skipped"

    def pytest_sessionfinish(self) -> None:
        self.path.write_text(json.dumps(list(self.records.values()), indent=1), encoding="utf-8")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    import spec.plugin  # noqa: F401  (registered by the root conftest by now: its "ci" profile is the parent)

    # before hypothesis's own pytest_configure loads the profile named by --hypothesis-profile
    settings.register_profile(NO_SHRINK, parent=settings.get_profile(SPEC_PROFILE),
                              phases=[Phase.explicit, Phase.generate])
    path = config.getoption("requirement_report")
    if path:
        recorder = _Recorder(Path(path), config.getoption("first_failure_per_requirement"))
        config.pluginmanager.register(recorder, "nnspec-requirement-report")
