"""`nnspec grade --prairielearn`: PrairieLearn's external-grader result (docs "External grading", "Grading
results"): score in [0, 1], tests with points and max_points, `gradable: false` for an unloadable submission,
the HTML report's plots as images, at most 1 MB, texts from the submission escaped, and written even when another
writer fails."""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from nnspec.grade import cli, config, escape, prairielearn, reports
from nnspec.grade.runner import GradeRun, RequirementResult
from spec.requirements import Requirement
from tests.test_grader import scored_report
from tests.test_html_report import PNG_SIGNATURE, figure_run
from tests.test_report_safety import hostile_report

TEST_SCHEMA = {
    "type": "object",
    "required": ["name", "description", "points", "max_points", "message", "output"],
    "additionalProperties": False,
    "properties": {"name": {"type": "string", "minLength": 1}, "description": {"type": "string"},
                   "points": {"type": "number", "minimum": 0}, "max_points": {"type": "number", "minimum": 0},
                   "message": {"type": "string"}, "output": {"type": "string"}},
}
IMAGE_SCHEMA = {"type": "object", "required": ["label", "url"], "additionalProperties": False,
                "properties": {"label": {"type": "string"}, "url": {"type": "string",
                                                                   "pattern": "^data:image/png;base64,"}}}
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["gradable", "tests"],
    "additionalProperties": False,
    "properties": {
        "gradable": {"type": "boolean"}, "score": {"type": "number", "minimum": 0, "maximum": 1},
        "message": {"type": "string"}, "output": {"type": "string"},
        "format_errors": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "tests": {"type": "array", "items": TEST_SCHEMA},
        "images": {"type": "array", "items": IMAGE_SCHEMA, "minItems": 1},
    },
    "if": {"properties": {"gradable": {"const": False}}},
    "then": {"required": ["format_errors"]},  # PrairieLearn: "the score field is unneeded"
    "else": {"required": ["score", "message"]},
}
def checked(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` after checking it against PrairieLearn's format: the schema, the size, and a score that is the
    tests' points over their maximum."""
    jsonschema.validate(data, RESULTS_SCHEMA)
    assert prairielearn.size(data) <= prairielearn.LIMIT_BYTES
    maximum = sum(test["max_points"] for test in data["tests"])
    if data["gradable"] and maximum:
        assert data["score"] == pytest.approx(sum(test["points"] for test in data["tests"]) / maximum)
    return data


def test_the_score_is_the_points_over_the_maximum_and_hidden_requirements_are_one_test(tmp_path: Path) -> None:
    data = checked(prairielearn.results(scored_report(tmp_path)))
    tests = {test["name"]: test for test in data["tests"]}
    assert data["gradable"] is True and data["score"] == pytest.approx(1 / 6)  # ACT-A 1 of 1 + 3 + 2 + 0
    assert "ACT-B" not in tests and tests[prairielearn.HIDDEN_NAME]["max_points"] == 3
    assert tests["LOSS-C"]["points"] == 0 and tests["LOSS-C"]["max_points"] == 2
    assert tests["LOSS-C"]["message"] == "not implemented (required)" and tests["LOSS-C"]["output"] == \
        "not implemented: mse"
    assert tests["TORCH-E"]["max_points"] == 0  # skipped for a reason outside the submission: not counted
    assert "images" not in data


def test_an_unloadable_submission_is_not_gradable_and_says_why() -> None:
    run = GradeRun("sub.py", "sub.py", False, "SyntaxError: invalid syntax (sub.py, line 1)", [])
    data = checked(prairielearn.results(reports.build(run, config.load())))
    assert data["gradable"] is False and data["tests"] == []
    assert data["format_errors"] == ["The submission could not be loaded:\nSyntaxError: invalid syntax (sub.py, "
                                     "line 1)"]


def test_the_plots_of_the_html_report_are_png_images() -> None:
    data = checked(prairielearn.results(reports.build(figure_run(), config.load())))
    labels = [image["label"] for image in data["images"]]
    assert len(labels) == 3 and labels[0].startswith("Gradient check of your backward")
    for image in data["images"]:
        assert base64.b64decode(image["url"].split(",", 1)[1]).startswith(PNG_SIGNATURE)


def test_long_outputs_are_cut_to_stay_under_1_mb_saying_so() -> None:
    long = [RequirementResult(Requirement(f"ACT-{i}", "holds", "doc"), "failed", f"[ACT-{i}] " + "x" * 20_000, 0.1, 1)
            for i in range(300)]
    report = reports.build(GradeRun("sub.py", "sub.py", True, "", long), config.load())
    assert len(json.dumps(reports.to_json(report))) > 2 * prairielearn.LIMIT_BYTES  # too big without cutting
    data = checked(prairielearn.results(report))
    assert "each test's output is cut to" in data["output"]
    assert all(test["output"].startswith(f"[{test['name']}] xxx") for test in data["tests"])


def test_plots_too_large_for_1_mb_are_left_out_last_first() -> None:
    plot = "data:image/png;base64," + "A" * (prairielearn.LIMIT_BYTES // 3)
    data = {"gradable": True, "score": 1.0, "message": "", "output": "isolation: bubblewrap", "tests": [],
            "images": [{"label": f"plot {i}", "url": plot} for i in range(4)]}
    data = checked(prairielearn.fitted(data))
    assert [image["label"] for image in data["images"]] == ["plot 0", "plot 1"]
    assert "2 plot(s) left out" in data["output"]


@pytest.mark.parametrize("loaded", [True, False])
def test_texts_from_the_submission_are_escaped(loaded: bool) -> None:
    text = prairielearn.dumps(checked(prairielearn.results(hostile_report(loaded))))
    assert not escape.UNSAFE.search(json.loads(text)["message"] + text)


def test_the_prairielearn_report_is_written_when_another_writer_fails(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    args = argparse.Namespace(json=None, gradescope=None, prairielearn=str(results),
                              junit=str(tmp_path / "no-such-folder" / "junit.xml"))
    assert not cli.write_reports(hostile_report(True), args)
    checked(json.loads(results.read_text(encoding="utf-8")))
