"""PrairieLearn's external-grader result (``nnspec grade SUB --prairielearn results.json``), after PrairieLearn's
documentation "External grading", section "Grading results":

- ``score`` from 0 to 1 (the report's points over its maximum);
- ``gradable: false`` with ``format_errors`` when the submission cannot be loaded (PrairieLearn then neither
  awards nor takes points, and does not count the attempt);
- ``tests[]``, one per visible requirement, with ``name``, ``description``, ``points``, ``max_points``, ``message``
  and ``output``; the requirements that are not "visible" are one test "hidden requirements" with their points
  summed, as the terminal report shows them, so that ``score`` is still the tests' points over their maximum;
- ``images``: the HTML report's plots (``html.images``), as PNG ``data:`` URLs with a label;
- at most ``LIMIT_BYTES`` in all (PrairieLearn: "this file should be limited to 1 MB"): the plots are left out
  first, then each test's output is cut shorter, and ``output`` says what was left out.

Every text from the submission is already cut and cleaned by ``reports.build`` (``escape``); JSON needs no escaping
of its own. ``ungradable`` needs neither pytest nor the spec: the PrairieLearn entrypoint uses it when nnspec
cannot run.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from nnspec.grade import escape

if TYPE_CHECKING:  # the report's modules import the spec: loaded only when a report is written
    from nnspec.grade.reports import Report, Scored

LIMIT_BYTES = 1_000_000
NOTE_BYTES = 1_000  # kept free for the notes saying what was left out
SHORTEST_OUTPUT = 200  # characters of a test's output kept at least, unless the results still do not fit
HIDDEN_NAME = "hidden requirements"


def results(report: Report) -> dict[str, Any]:
    """PrairieLearn's results.json for ``report``, within ``LIMIT_BYTES``."""
    from nnspec.grade import html  # draws the plots with matplotlib, imported only when there are some
    from nnspec.grade.reports import points_text

    run = report.run
    if not run.loaded:
        return ungradable("The submission could not be loaded:\n" + run.load_error)
    tests = [_test(item) for item in report.visible()]
    hidden = [item for item in report.scored if item.policy.hidden]
    if hidden:
        tests.append({"name": HIDDEN_NAME, "description": f"{len(hidden)} requirement(s) the instructor keeps hidden",
                      "points": sum(item.points for item in hidden),
                      "max_points": sum(item.max_points for item in hidden), "message": "not shown", "output": ""})
    lines = [f"isolation: {run.isolation}", *(f"warning: {text}" for text in report.warnings),
             *(f"note: {text}" for text in run.notes)]
    data: dict[str, Any] = {
        "gradable": True,
        "score": report.score / report.max_score if report.max_score else 1.0,
        "message": f"nnspec: {points_text(report.score)} / {points_text(report.max_score)} points",
        "output": "\n".join(lines),
        "tests": tests,
    }
    images = html.images(report)
    if images:
        data["images"] = [{"label": label, "url": url} for label, url in images]
    return fitted(data)


def ungradable(message: str) -> dict[str, Any]:
    """The result of a submission that could not be graded: no points awarded or lost, ``message`` shown."""
    return {"gradable": False, "score": 0.0, "format_errors": [message], "message": message, "tests": []}


def _test(item: Scored) -> dict[str, Any]:
    result = item.result
    required = " (required)" if item.policy.required and item.blocks else ""
    return {"name": result.id, "description": result.requirement.statement, "points": item.points,
            "max_points": item.max_points, "message": result.status + required, "output": result.message}


def size(data: dict[str, Any]) -> int:
    """Bytes of ``data`` as ``dumps`` writes it."""
    return len(dumps(data).encode("utf-8"))


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1) + "\n"


def fitted(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` within ``LIMIT_BYTES``: its last plots left out, then every test's output cut to fewer characters
    (halved until it fits), ``output`` saying so each time."""
    images = data.get("images", [])
    left_out = 0
    budget = LIMIT_BYTES - NOTE_BYTES
    while images and size(data) > budget:
        images.pop()
        left_out += 1
    if left_out:
        data["output"] += (f"\n{left_out} plot(s) left out: PrairieLearn's results are at most 1 MB "
                           "(the instructor's --html report has them)")
    if not images:
        data.pop("images", None)
    tests, full = data["tests"], [test["output"] for test in data["tests"]]
    limit = max((len(text) for text in full), default=0)
    while size(data) > budget and limit > 0:
        limit = limit // 2 if limit > SHORTEST_OUTPUT else 0  # escape.cut keeps its note even at 0
        for test, text in zip(tests, full, strict=True):
            test["output"] = escape.cut(text, limit)
    if limit < max((len(text) for text in full), default=0):
        data["output"] += (f"\neach test's output is cut to {limit} characters: PrairieLearn's results are at most "
                           "1 MB (the instructor's --json report has them in full)")
    return data

