"""Time limits that hold: a requirement's budget is shared by all its cases, a function that timed out (or crashed
the worker twice) is not called again, and a submission whose function never returns still gets a whole report.

The submissions count their own calls in a file of the worker's folder, so the tests assert on how many calls
reached the worker, never on wall time.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nnspec.grade.limits import Limits
from nnspec.grade.proxy import IsolatedImplementation, RequirementAbandoned, unreadable_paths
from spec import mnist_loop
from spec.requirements import Requirement, set_current
from tests.mutants.mutation import self_contained

REPOSITORY = Path(__file__).resolve().parents[1]
NEVER_RETURNS = REPOSITORY / "tests" / "impls" / "backward_never_returns.py"
CALL_LIMIT_S = 0.5
Failed = pytest.fail.Exception

SUBMISSION = '''
import os
import time

def _count(name):
    with open(name + ".calls", "a") as file:
        file.write("x")

def hang(x):
    _count("hang")
    while True:
        pass

def backward(*args):
    _count("backward")
    while True:
        pass

def crash(x):
    _count("crash")
    os._exit(3)

def nap(seconds):
    time.sleep(seconds)
    return seconds

def double(x):
    return 2 * x
'''


def requirement(req_id: str) -> Requirement:
    return Requirement(req_id, f"statement of {req_id}", "tests/test_timeouts.py")


@pytest.fixture
def isolated(tmp_path: Path) -> Iterator[IsolatedImplementation]:
    target = tmp_path / "submission.py"
    target.write_text(textwrap.dedent(SUBMISSION))
    workdir = tmp_path / "work"
    workdir.mkdir()
    implementation = IsolatedImplementation(str(target), Limits(call_timeout=CALL_LIMIT_S), str(workdir),
                                            unreadable_paths())
    implementation.start()
    yield implementation
    implementation.close()
    set_current(None)


def begin(isolated: IsolatedImplementation, req_id: str) -> None:
    """What the runner does before each pytest item of requirement ``req_id``."""
    req = requirement(req_id)
    set_current(req)
    isolated.begin_requirement(req.chapter, req.id)


def calls_reaching(isolated: IsolatedImplementation, name: str) -> int:
    """How many times the submission's ``name`` started running in the worker (it counts them in a file)."""
    counter = Path(isolated.workdir) / f"{name}.calls"
    return len(counter.read_text()) if counter.exists() else 0


def test_a_function_that_timed_out_is_not_waited_for_again(isolated: IsolatedImplementation) -> None:
    begin(isolated, "ACT-FIRST-HANG")
    with pytest.raises(Failed, match=f"hang did not return within {CALL_LIMIT_S:g} s"):
        isolated.hang(1)
    begin(isolated, "ACT-LATER-USE")
    with pytest.raises(RequirementAbandoned) as later:
        isolated.hang(2)
    message = str(later.value)
    assert message.startswith("[ACT-LATER-USE]")
    assert f"hang was not called: it did not return within {CALL_LIMIT_S:g} s" in message
    assert "in ACT-FIRST-HANG earlier in this grade" in message
    assert "x = 2" in message  # the call that was not made, with its input
    assert calls_reaching(isolated, "hang") == 1
    assert isolated.round_trips["ACT-FIRST-HANG"] == 1 and isolated.round_trips["ACT-LATER-USE"] == 0
    assert isolated.double(21) == 42  # the rest of the grade goes on, in a restarted worker
    assert isolated.restarts == 1


def test_a_driver_that_would_call_a_function_that_timed_out_is_not_run(isolated: IsolatedImplementation) -> None:
    begin(isolated, "ACT-BACKWARD-HANG")
    with pytest.raises(Failed, match=f"backward did not return within {CALL_LIMIT_S:g} s"):
        isolated.backward(1)
    begin(isolated, "ACT-LATER-LOOP")
    arguments = [None] * 10  # never looked at: the MNIST loop is not run
    with pytest.raises(RequirementAbandoned, match="backward was not called: it did not return within"):
        isolated.drive(mnist_loop.train, *arguments)
    assert calls_reaching(isolated, "backward") == 1 and isolated.round_trips["ACT-LATER-LOOP"] == 0


def test_a_function_that_crashed_the_worker_twice_is_not_called_again(isolated: IsolatedImplementation) -> None:
    for req_id in ("ACT-CRASH-ONE", "ACT-CRASH-TWO"):
        begin(isolated, req_id)
        with pytest.raises(Failed, match=r"exited with status 3 \(.*\) during crash"):
            isolated.crash(1)
    begin(isolated, "ACT-CRASH-THREE")
    with pytest.raises(RequirementAbandoned, match=r"crash was not called: it crashed the submission's process 2 "
                                                   r"times earlier in this grade \(the last time in ACT-CRASH-TWO"):
        isolated.crash(1)
    assert calls_reaching(isolated, "crash") == 2
    assert isolated.double(2) == 4


def test_a_requirement_that_failed_fails_its_later_cases_at_once(isolated: IsolatedImplementation) -> None:
    isolated.limits = dataclasses.replace(isolated.limits, call_timeout=60.0,
                                          chapter_requirement_timeouts={"activations": 2.0})
    begin(isolated, "ACT-SHARED-BUDGET")
    assert isolated.nap(1.2) == 1.2
    begin(isolated, "ACT-SHARED-BUDGET")  # a second case (pytest item) of the same requirement: 2 s in all
    with pytest.raises(Failed, match="within the 2 s this requirement may take in all"):
        isolated.nap(1.2)
    begin(isolated, "ACT-SHARED-BUDGET")
    trips = isolated.round_trips["ACT-SHARED-BUDGET"]
    with pytest.raises(RequirementAbandoned, match=r"(?s)within the 2 s this requirement may take.*later calls were "
                                                   r"not made: double"):
        isolated.double(1)
    assert isolated.round_trips["ACT-SHARED-BUDGET"] == trips == 2
    begin(isolated, "LOSS-OTHER-CHAPTER")  # the default budget, room for the restart's import
    assert isolated.nap(1.2) == 1.2  # a budget is not a verdict on the function: nap is still called


SMALL_LIMITS = """
[limits]
import_timeout_s = 30
call_timeout_s = 10
requirement_timeout_s = 120

[limits.chapter_call_timeout_s]
network = 10
experiments = 10
mnist = 600
torch = 10

[limits.chapter_requirement_timeout_s]
experiments = 120
mnist = 900
"""


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {item["id"]: item["status"] for item in report["requirements"]}


@pytest.mark.corpus
def test_a_function_that_never_returns_still_gets_a_complete_report(tmp_path: Path) -> None:
    """The whole spec on a submission whose backward loops forever: one timeout, then every requirement that needs
    backward fails at once naming it, and every other requirement is graded as usual."""
    config, out = tmp_path / "limits.toml", tmp_path / "report.json"
    config.write_text(SMALL_LIMITS)
    target = self_contained(NEVER_RETURNS, tmp_path)  # its reference functions travel with it, as a package
    finished = subprocess.run([sys.executable, "-m", "nnspec.grade", target, "--config", str(config),
                               "--json", str(out)], cwd=REPOSITORY, capture_output=True, text=True, check=False)
    assert finished.returncode == 1, finished.stdout + finished.stderr
    report = json.loads(out.read_text())
    got = statuses(report)
    assert "not run" not in got.values()
    failed = {item["id"]: item["message"] for item in report["requirements"] if item["status"] == "failed"}
    timed_out = [req for req, message in failed.items() if "backward did not return within" in message]
    assert len(timed_out) == 1
    earlier = re.compile(rf"backward was not called: it did not return within \d+ s \(the time limit of one call in "
                         rf"chapter \w+\) in {timed_out[0]} earlier in this grade")
    for req, message in failed.items():
        assert "in backward(" in message and (req in timed_out or earlier.search(message)), message
    assert "NET-BACKWARD-GRADCHECK" in failed and got["NET-CACHES-INDEPENDENT"] in ("failed", "blocked")
    assert got["NET-FORWARD-MATCHES"] == got["ACT-SIGMOID-VALUES"] == "passed"
    assert report["worker_restarts"] == 1
