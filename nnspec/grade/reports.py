"""Scores and reports: terminal (colour on a TTY), JSON, Gradescope results.json, JUnit XML, GitHub markdown.

Every renderer takes a ``Report``; only ``to_json`` shows hidden requirements and the submission's output.
``build`` cuts and cleans every text that came from the submission (messages, load error, names, output) with
``escape``'s rules, once, so a ``Report`` holds only text safe for any report; each writer then adds its format's
own escaping from ``escape`` (markdown fences, XML, CSV). A new writer does the same.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from nnspec.grade import escape
from nnspec.grade.config import GradingConfig, Policy
from nnspec.grade.runner import STATUSES, GradeRun, RequirementResult
from spec.requirements import CHAPTERS

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2
# not run for a reason outside the submission (torch not installed; an assignment profile's API cannot meet the
# requirement, nnspec.profiles.applicability): reported, not scored, never blocking
UNCOUNTED = ("skipped", "not applicable")
# The chapter tables' columns (terminal, markdown, HTML): a status and its heading in the terminal's narrow table.
TABLE_COLUMNS = (("passed", "passed"), ("failed", "failed"), ("blocked", "blocked"),
                 ("not implemented", "not impl."), ("skipped", "skipped"), ("not applicable", "n/a"))
TERMINAL_MESSAGE_LINES = 40  # a failure's message is cut after this many lines on the terminal (full in --json)
REPORT_MESSAGE_CHARS = 2 * escape.MESSAGE_CHARS  # a requirement's message: the call, the error and its traceback
COLOURS = {"passed": "32", "failed": "31", "blocked": "35", "not implemented": "33", "skipped": "36", "not run": "90",
           "not applicable": "90", "bold": "1"}


@dataclass
class Scored:
    """A requirement's result with how it counts."""

    result: RequirementResult
    policy: Policy

    @property
    def counted(self) -> bool:
        return self.result.status not in UNCOUNTED

    @property
    def max_points(self) -> float:
        return self.policy.points if self.counted else 0.0

    @property
    def points(self) -> float:
        return self.policy.points if self.result.status == "passed" else 0.0

    @property
    def blocks(self) -> bool:
        """A required requirement that did not pass (and was not skipped for reasons outside the submission)."""
        return self.policy.required and self.counted and self.result.status != "passed"


@dataclass
class Report:
    """One graded submission."""

    run: GradeRun
    scored: list[Scored]
    config_source: str
    warnings: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(item.points for item in self.scored)

    @property
    def max_score(self) -> float:
        return sum(item.max_points for item in self.scored)

    @property
    def exit_code(self) -> int:
        if not self.run.loaded:
            return EXIT_UNUSABLE
        return EXIT_FAILED if any(item.blocks for item in self.scored) else EXIT_OK

    def visible(self) -> list[Scored]:
        return [item for item in self.scored if not item.policy.hidden]


def build(run: GradeRun, config: GradingConfig) -> Report:
    """Score ``run`` with ``config``, its texts cut and cleaned for every report."""
    run = _cleaned(run)
    scored = [Scored(result, config.policy(result.requirement)) for result in run.results]
    known = {result.id for result in run.results}
    warnings = [f"the grading configuration names requirement {req_id}, which the spec does not have"
                for req_id in config.unknown_ids(known)]
    warnings += [run.isolation_warning] if run.isolation_warning else []
    return Report(run, scored, config.source, warnings)


def _cleaned(run: GradeRun) -> GradeRun:
    """``run`` with every text that came from the submission cut and made safe (``escape``)."""
    results = [dataclasses.replace(result, message=escape.message(result.message, REPORT_MESSAGE_CHARS))
               for result in run.results]
    return dataclasses.replace(
        run, target=escape.one_line(escape.cut(run.target)), origin=escape.one_line(escape.cut(run.origin)),
        load_error=escape.message(run.load_error, REPORT_MESSAGE_CHARS), results=results,
        output_head=escape.text(run.output_head),
    )


# --- terminal ----------------------------------------------------------------------------------------------------

def _paint(text: str, style: str, colour: bool) -> str:
    return f"\033[{COLOURS[style]}m{text}\033[0m" if colour else text


def chapter_rows(items: list[Scored]) -> list[tuple[str, Counter[str], float, float]]:
    order = list(CHAPTERS.values())
    chapters: dict[str, list[Scored]] = {}
    for item in items:
        chapters.setdefault(item.result.requirement.chapter, []).append(item)
    rows = []
    for chapter in sorted(chapters, key=lambda name: order.index(name) if name in order else len(order)):
        group = chapters[chapter]
        counts = Counter(item.result.status for item in group)
        rows.append((chapter, counts, sum(i.points for i in group), sum(i.max_points for i in group)))
    return rows


def points_text(value: float) -> str:
    return f"{value:g}"


def terminal(report: Report, colour: bool = False) -> str:
    """The learner's report: score, chapters, then every visible failure with its message."""
    run = report.run
    lines = [_paint(f"nnspec grade: {run.target}", "bold", colour), f"isolation: {run.isolation}"]
    if not run.loaded:
        lines += [_paint("the submission could not be loaded:", "failed", colour),
                  *("    " + line for line in run.load_error.rstrip().splitlines()),  # indented: cannot pass as ours
                  f"score: 0 / {points_text(report.max_score)}", f"exit code {report.exit_code}"]
        return "\n".join(lines) + "\n"
    percent = 100.0 * report.score / report.max_score if report.max_score else 100.0
    counts = Counter(item.result.status for item in report.scored)
    lines.append(f"score: {points_text(report.score)} / {points_text(report.max_score)} points ({percent:.1f}%)   " +
                 ", ".join(f"{counts[status]} {status}" for status in STATUSES if counts[status]))
    lines.append("")
    lines.append(f"{'chapter':<18}" + "".join(f"{heading:>{len(heading) + 2}}" for _, heading in TABLE_COLUMNS)
                 + f"{'points':>12}")
    for chapter, chapter_counts, points, max_points in chapter_rows(report.visible()):
        lines.append(f"{chapter:<18}" + "".join(f"{chapter_counts[status]:>{len(heading) + 2}}"
                                               for status, heading in TABLE_COLUMNS)
                     + f"{points_text(points) + '/' + points_text(max_points):>12}")
    lines += _terminal_problems(report, colour)
    hidden = [item for item in report.scored if item.policy.hidden]
    if hidden:
        lines.append(f"{len(hidden)} hidden requirement(s), not shown: "
                     f"{points_text(sum(i.points for i in hidden))} / "
                     f"{points_text(sum(i.max_points for i in hidden))} points")
    if run.output_total:
        lines.append(f"the submission printed {run.output_total} bytes (not shown here; the instructor's --json "
                     "report keeps the beginning)")
    lines += [f"warning: {warning}" for warning in report.warnings]
    lines += [f"note: {note}" for note in run.notes]
    blocking = sum(item.blocks for item in report.scored)
    verdict = "every required requirement passed" if not blocking else f"{blocking} required requirement(s) not passed"
    lines.append(_paint(f"{verdict}: exit code {report.exit_code}", "passed" if not blocking else "failed", colour))
    return "\n".join(lines) + "\n"


def _terminal_problems(report: Report, colour: bool) -> list[str]:
    lines: list[str] = []
    missing: dict[str, list[str]] = {}
    for item in report.visible():
        result = item.result
        if result.status == "not implemented":
            missing.setdefault(result.message.removeprefix("not implemented: ") or "?", []).append(result.id)
        elif result.status == "failed":
            label = _paint("FAILED", "failed", colour)
            required = ", required" if item.policy.required else ""
            lines += ["", f"{label} {result.id} ({points_text(item.policy.points)} point(s){required})"]
            message = result.message.rstrip().splitlines()
            cut = message[:TERMINAL_MESSAGE_LINES]
            lines += ["    " + line for line in cut]
            if len(message) > len(cut):
                lines.append(f"    ... ({len(message) - len(cut)} more lines in the --json report)")
    blocked = blocked_lines(report)
    if blocked:
        lines += ["", _paint("BLOCKED", "blocked", colour) + " (not run, 0 points: fix the failed requirement first)"]
        lines += [f"    {line}" for line in blocked]
    if missing:
        lines += ["", _paint("NOT IMPLEMENTED", "not implemented", colour) + " (function: requirements)"]
        lines += [f"    {function}: {', '.join(ids)}" for function, ids in sorted(missing.items())]
    scoped = not_applicable_lines(report)
    if scoped:
        lines += ["", _paint("NOT APPLICABLE", "not applicable", colour) + " (the assignment's API cannot meet them: "
                  "not counted)", *(f"    {line}" for line in scoped)]
    if lines:
        lines.append("")
    return lines


def blocked_lines(report: Report) -> list[str]:
    """``ID: blocked by <ID>`` for each visible requirement that a failed prerequisite kept from running."""
    return [f"{item.result.id}: {item.result.message}" for item in report.visible() if item.result.status == "blocked"]


def not_applicable_lines(report: Report) -> list[str]:
    """``ID: why`` for each visible requirement the assignment's profile cannot meet."""
    return [f"{item.result.id}: {item.result.message.removeprefix('not applicable: ')}" for item in report.visible()
            if item.result.status == "not applicable"]


# --- machine-readable --------------------------------------------------------------------------------------------

def to_json(report: Report) -> dict[str, Any]:
    """The instructor's report: every requirement (hidden ones too), the output head, timings."""
    run = report.run
    return {
        "submission": run.target,
        "origin": run.origin,
        "loaded": run.loaded,
        "load_error": run.load_error,
        "score": report.score,
        "max_score": report.max_score,
        "exit_code": report.exit_code,
        "config": report.config_source,
        "isolation": run.isolation,
        "warnings": report.warnings,
        "notes": run.notes,
        "worker_restarts": run.restarts,
        "round_trips": run.round_trips,
        "output_bytes": run.output_total,
        "output_head": run.output_head,
        "duration": round(run.duration, 3),
        "started_at": round(run.started_at, 3),
        "requirements": [
            {
                "id": item.result.id,
                "chapter": item.result.requirement.chapter,
                "statement": item.result.requirement.statement,
                "source": item.result.requirement.source,
                "status": item.result.status,
                "points": item.points,
                "max_points": item.max_points,
                "required": item.policy.required,
                "hidden": item.policy.hidden,
                "visibility": item.policy.visibility,
                "message": item.result.message,
                "cases": item.result.cases,
                "duration": round(item.result.duration, 3),
                "finished": round(item.result.finished, 3),
                "round_trips": item.result.round_trips,
            }
            for item in report.scored
        ],
    }


def gradescope(report: Report) -> dict[str, Any]:
    """results.json as Gradescope's autograder specification defines it (score, tests[] with name, score,
    max_score, status, output, visibility); each test has its requirement's configured visibility."""
    run = report.run
    summary = (f"nnspec: {points_text(report.score)} / {points_text(report.max_score)} points\n"
               f"isolation: {run.isolation}")
    if not run.loaded:
        summary += "\nthe submission could not be loaded:\n" + run.load_error
    tests = [
        {
            "name": f"{item.result.id}: {item.result.requirement.statement}",
            "score": item.points,
            "max_score": item.max_points,
            "status": "passed" if item.result.status in ("passed", *UNCOUNTED) else "failed",
            "output": item.result.message or item.result.status,
            "visibility": item.policy.visibility,
            "tags": [item.result.requirement.chapter],
        }
        for item in report.scored
    ]
    return {
        "score": report.score,
        "execution_time": round(run.duration),
        "output": summary,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def junit(report: Report) -> str:
    """JUnit XML: one testsuite per chapter, one testcase per visible requirement (CI pages are learner-facing)."""
    visible = report.visible()
    root = ET.Element("testsuites", name="nnspec grade", tests=str(len(visible)))
    suites: dict[str, ET.Element] = {}
    for item in visible:
        result = item.result
        chapter = result.requirement.chapter
        if chapter not in suites:
            suites[chapter] = ET.SubElement(root, "testsuite", name=chapter)
            properties = ET.SubElement(suites[chapter], "properties")
            ET.SubElement(properties, "property", name="isolation", value=report.run.isolation)
        case = ET.SubElement(suites[chapter], "testcase", classname=f"nnspec.{chapter}", name=result.id,
                             time=f"{result.duration:.3f}")
        if result.status == "failed":
            failure = ET.SubElement(case, "failure", message=result.requirement.statement)
            failure.text = result.message
        elif result.status in ("blocked", "not implemented", "skipped", "not applicable", "not run"):
            ET.SubElement(case, "skipped", message=result.message or result.status)
    for suite in suites.values():
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(case.find("failure") is not None for case in cases)))
        suite.set("skipped", str(sum(case.find("skipped") is not None for case in cases)))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def markdown(report: Report) -> str:
    """A GitHub step summary: score, chapter table, visible failures in collapsible blocks."""
    run = report.run
    lines = [f"## nnspec grade: {escape.inline_code(run.target)}", "",
             f"isolation: {escape.one_line(run.isolation)}", ""]
    if not run.loaded:
        return "\n".join([*lines, "The submission could not be loaded:", "", *escape.fenced(run.load_error.rstrip())]) \
            + "\n"
    lines += [f"**Score: {points_text(report.score)} / {points_text(report.max_score)}** "
              f"(exit code {report.exit_code})", "",
              "| chapter | " + " | ".join(status for status, _ in TABLE_COLUMNS) + " | points |",
              "| --- |" + " ---: |" * (len(TABLE_COLUMNS) + 1)]
    for chapter, counts, points, max_points in chapter_rows(report.visible()):
        lines.append(f"| {chapter} | " + " | ".join(str(counts[status]) for status, _ in TABLE_COLUMNS)
                     + f" | {points_text(points)}/{points_text(max_points)} |")
    blocked = blocked_lines(report)
    if blocked:
        lines += ["", "Blocked (not run, 0 points: fix the failed requirement first):", "",
                  *(f"- {line}" for line in blocked)]
    scoped = not_applicable_lines(report)
    if scoped:
        lines += ["", "Not applicable (the assignment's API cannot meet them; not counted):", "",
                  *(f"- {escape.one_line(line)}" for line in scoped)]
    for item in report.visible():
        if item.result.status == "failed":
            lines += ["", f"<details><summary>{escape.html(item.result.id)} failed</summary>", "",
                      *escape.fenced(item.result.message.rstrip()), "</details>"]
    return "\n".join(lines) + "\n"


def dumps_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=False) + "\n"
