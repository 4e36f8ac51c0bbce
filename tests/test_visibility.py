"""Visibility levels: the grading configuration sets Gradescope's "visible", "hidden", "after_due_date" or
"after_published" per chapter or requirement (``hidden = true`` is "hidden"); Gradescope's results.json carries
each as it is, and every other learner's report leaves out anything but "visible"."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnspec.grade import config, html, prairielearn, reports
from tests.test_grader import scored_report

LEVELS = """
[chapters.losses]
visibility = "after_published"
[requirements."ACT-B"]
visibility = "after_due_date"
[requirements."LOSS-D"]
hidden = false
"""


def test_a_requirement_set_to_after_due_date_gets_that_visibility_in_results_json(tmp_path: Path) -> None:
    tests = {test["name"].split(":")[0]: test["visibility"]
             for test in reports.gradescope(scored_report(tmp_path, LEVELS))["tests"]}
    # LOSS-D's own `hidden = false` beats its chapter's level, as a requirement's points beat its chapter's
    assert tests == {"ACT-A": "visible", "ACT-B": "after_due_date", "LOSS-C": "after_published", "LOSS-D": "visible",
                     "TORCH-E": "visible"}


def test_every_other_learners_report_leaves_out_anything_but_visible(tmp_path: Path) -> None:
    report = scored_report(tmp_path, LEVELS)
    assert [item.result.id for item in report.visible()] == ["ACT-A", "LOSS-D", "TORCH-E"]
    for text in (reports.terminal(report), reports.markdown(report), reports.junit(report), html.page(report)):
        assert "ACT-B" not in text and "LOSS-C" not in text
    assert "2 hidden requirement(s), not shown: 0 / 2 points" in reports.terminal(report)
    learner = prairielearn.results(report)
    assert not any(name in test["name"] for test in learner["tests"] for name in ("ACT-B", "LOSS-C"))
    instructor = {item["id"]: item["visibility"] for item in reports.to_json(report)["requirements"]}
    assert instructor["ACT-B"] == "after_due_date"


def test_hidden_true_is_a_synonym_for_hidden(tmp_path: Path) -> None:
    report = scored_report(tmp_path, '[requirements."ACT-B"]\nhidden = true\n')
    assert {test["name"].split(":")[0]: test["visibility"] for test in reports.gradescope(report)["tests"]}["ACT-B"] \
        == "hidden"


@pytest.mark.parametrize(("text", "named"), [
    ('[requirements."ACT-B"]\nvisibility = "after_deadline"\n', '[requirements.ACT-B] visibility = '
                                                                "'after_deadline'"),
    ('[chapters.losses]\nvisibility = "hidden"\nhidden = true\n', "[chapters.losses] sets both hidden and visibility"),
    ('[grading]\nhidden = "yes"\n', "[grading] hidden = 'yes': expected true or false"),
])
def test_an_unknown_visibility_is_refused_naming_the_key(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "grading.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(config.ConfigError) as raised:
        config.load(path)
    assert named in str(raised.value)
