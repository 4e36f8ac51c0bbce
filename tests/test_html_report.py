"""The HTML report (issue 15): one self-contained page whose plots come from the data the requirements record
(spec.figures), rendered by a real headless Chromium, and whose texts from the submission stay text.

The browser tests need the Debian package ``chromium`` (CI installs it) and are skipped without it. The page with
every figure is built from a small GradeRun (running the MNIST gate would take minutes); the figures of a real
grading come from a real buggy backward graded on NET-BACKWARD-GRADCHECK alone.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nnspec.grade import config, html, reports
from nnspec.grade.config import Policy
from nnspec.grade.runner import GradeRun, RequirementResult
from spec import figures
from spec.requirements import Requirement
from tests.test_grader import HOSTILE_REQUIREMENTS
from tests.test_report_safety import HOSTILE_TEXT

REPOSITORY = Path(__file__).resolve().parents[1]
HOSTILE = REPOSITORY / "tests" / "hostile"
LEARNER = REPOSITORY / "examples" / "learner_correct.py"
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium (Debian package chromium) is not "
                                    "installed: the page is checked in a real browser where it is")
BROWSER_TIMEOUT_S = 120  # a browser that has not rendered one local page by then has hung
GRADER_TIMEOUT_S = 600
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGURE_SECTIONS = ("gradient-check", "mnist")
BUGGY_BACKWARD = ("dZ = dA * ACTIVATIONS[hidden_activation][1](Z)", "dZ = dA * ACTIVATIONS[hidden_activation][1](A)")
GRADCHECK = Requirement("NET-BACKWARD-GRADCHECK", "backward matches the numerical gradient", "003 §1.5")
GATE = Requirement("MNIST-GATE-LOOP", "the own functions train MNIST to > 95%", "Exercise 3")


class Dom(HTMLParser):
    """The elements (tag, attributes) and the text of an HTML document, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def ids(self) -> set[str | None]:
        return {attrs.get("id") for _, attrs in self.elements}

    def images(self) -> list[str]:
        return [attrs.get("src") or "" for tag, attrs in self.elements if tag == "img"]


def parsed(document: str) -> Dom:
    dom = Dom()
    dom.feed(document)
    dom.close()
    return dom


def chromium(page: Path, *options: str) -> str:
    """Run headless Chromium on ``page`` with ``options``; its stdout."""
    assert CHROMIUM is not None
    profile = page.parent / "chromium-profile"
    command = [CHROMIUM, "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", *options,
               page.resolve().as_uri()]
    if os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    finished = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    return finished.stdout


def rendered(page: Path) -> Dom:
    """The DOM Chromium built from ``page``."""
    return parsed(chromium(page, "--dump-dom"))


def check_images(dom: Dom, count: int) -> None:
    images = dom.images()
    assert len(images) == count
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_SIGNATURE)


def check_no_live_markup(dom: Dom) -> None:
    """Nothing but the writer's own elements: no script, link, frame or handler; every image inline."""
    tags = {tag for tag, _ in dom.elements}
    assert tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "section", "table",
                    "tbody", "tr", "th", "td", "article", "pre", "span", "img"}, tags
    assert not any(name.startswith("on") for _, attrs in dom.elements for name in attrs)
    assert all(src.startswith("data:") for src in dom.images())


def figure_run() -> GradeRun:
    """A graded run whose gradient check failed on dW1 and whose MNIST gate recorded its figures."""
    errors = {"tanh, softmax + categorical_cross_entropy": {"W1": 0.3, "b1": 2e-9, "W2": 1e-10, "b2": 0.0},
              "relu, sigmoid + mse": {"W1": None, "b1": float("inf"), "W2": 1e-9, "b2": 5e-11}}
    recorded: figures.Recorded = {
        GRADCHECK.id: {f"{figures.GRADIENT_CHECK}: {case}": [{"case": case, "errors": case_errors}]
                       for case, case_errors in errors.items()},
        GATE.id: {figures.TEST_ACCURACY: [{"epoch": epoch, "accuracy": 0.9 + epoch / 100} for epoch in range(1, 6)],
                  figures.MISCLASSIFIED: [{"index": list(range(40)), "predicted": [i % 10 for i in range(40)]}]},
    }
    message = ("[NET-BACKWARD-GRADCHECK] backward: dW1 differs\nhint: the derivative is evaluated at A, not Z\n"
               "the last call into the submission, to try yourself (after import numpy as np and from <your module> "
               "import *):\n    backward(AL, Y, caches, 'tanh', 'softmax', 'categorical_cross_entropy')")
    results = [RequirementResult(GRADCHECK, "failed", message, 1.0, 1), RequirementResult(GATE, "passed", "", 9.0, 1)]
    return GradeRun("learner.py", "learner.py", True, "", results, figures=recorded)


def test_recording_is_off_under_plain_pytest_and_keyed_by_requirement_in_the_grader() -> None:
    figures.record("x", 1)
    assert figures.take() == {}
    figures.start()
    figures.record("x", 1)
    figures.record("x", 2)
    assert figures.take() == {"NONE": {"x": [1, 2]}}  # outside a requirement test: the placeholder's ID
    figures.record("x", 3)
    assert figures.take() == {}


def test_gradient_errors_are_measured_per_parameter() -> None:
    import numpy as np
    numeric = {"W1": np.ones((2, 2)), "b1": np.ones((2, 1)), "W2": np.ones((1, 2))}
    grads = {"dW1": np.ones((2, 2)) * 1.5, "db1": np.ones((1, 2)), "dW2": np.full((1, 2), np.nan)}
    errors = figures.gradient_errors(grads, numeric)
    assert errors == {"W1": pytest.approx(1 / 3), "b1": None, "W2": float("inf")}
    assert figures.gradient_errors("not a dict", numeric) == {"W1": None, "b1": None, "W2": None}


def test_the_page_holds_the_report_and_the_recorded_figures_inline() -> None:
    page = html.page(reports.build(figure_run(), config.load()))
    dom = parsed(page)
    assert {"score", "chapters", "failures", GRADCHECK.id, *FIGURE_SECTIONS} <= dom.ids()
    check_images(dom, 3)  # the gradient check, the accuracy per epoch, the misclassified digits
    check_no_live_markup(dom)
    assert "http" not in re.sub(r"data:[^\"]*", "", page)  # self-contained: nothing to fetch
    text = "".join(dom.text)
    assert "hint: the derivative is evaluated at A, not Z" in text
    assert "backward(AL, Y, caches, 'tanh', 'softmax', 'categorical_cross_entropy')" in text
    assert '<pre class="reproduce">' in page and '<span class="hint">' in page


def test_figures_of_hidden_requirements_are_left_out() -> None:
    report = reports.build(figure_run(), config.load())
    report.scored = [reports.Scored(item.result, Policy(1.0, False, "hidden")) for item in report.scored]
    dom = parsed(html.page(report))
    assert not dom.images() and not set(FIGURE_SECTIONS) & dom.ids() and "failures" not in dom.ids()


def test_texts_from_the_submission_are_escaped_on_the_page() -> None:
    results = [RequirementResult(GRADCHECK, "failed", HOSTILE_TEXT, 0.1, 1)]
    run = GradeRun("sub<script>x</script>.py", "sub.py", True, "", results)
    page = html.page(reports.build(run, config.load()))
    check_no_live_markup(parsed(page))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/details&gt;" in page and "\x1b" not in page


@needs_chromium
def test_chromium_renders_the_page_with_its_plots(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(html.page(reports.build(figure_run(), config.load())), encoding="utf-8")
    dom = rendered(page)
    assert {"isolation", "score", "chapters", "failures", *FIGURE_SECTIONS} <= dom.ids()
    check_images(dom, 3)
    screenshot = tmp_path / "screenshot.png"
    chromium(page, f"--screenshot={screenshot}", "--window-size=1200,2000")
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)


def grade(target: Path, page: Path, *options: str) -> int:
    command = [sys.executable, "-m", "nnspec.grade", str(target), "--html", str(page), *options]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=GRADER_TIMEOUT_S, check=False)
    assert page.is_file(), finished.stderr[-2000:]
    return finished.returncode


@pytest.mark.corpus
def test_a_graded_buggy_backward_shows_its_gradient_check_plot(tmp_path: Path) -> None:
    source = LEARNER.read_text(encoding="utf-8")
    assert source.count(BUGGY_BACKWARD[0]) == 1
    target = tmp_path / "learner.py"
    target.write_text(source.replace(*BUGGY_BACKWARD), encoding="utf-8")
    page = tmp_path / "report.html"
    assert grade(target, page, "--requirement", GRADCHECK.id) == 1
    dom = rendered(page) if CHROMIUM else parsed(page.read_text(encoding="utf-8"))
    assert {"failures", GRADCHECK.id, "gradient-check"} <= dom.ids() and "mnist" not in dom.ids()
    check_images(dom, 1)
    if CHROMIUM:
        screenshot = tmp_path / "screenshot.png"
        chromium(page, f"--screenshot={screenshot}", "--window-size=1200,2000")
        assert screenshot.read_bytes().startswith(PNG_SIGNATURE)


HOSTILE_PAGES = sorted(path.stem for path in HOSTILE.glob("report_*.py"))


@pytest.mark.corpus
@pytest.mark.parametrize("name", HOSTILE_PAGES)
def test_the_page_of_a_hostile_submission_shows_its_messages_as_text(name: str, tmp_path: Path) -> None:
    target = tmp_path / f"{name}.py"
    shutil.copy(HOSTILE / target.name, target)
    page = tmp_path / "report.html"
    selection = [arg for req in HOSTILE_REQUIREMENTS for arg in ("--requirement", req)]
    grade(target, page, "--chapter", "activations", *selection, "--config", str(HOSTILE / "grading.toml"))
    written = page.read_text(encoding="utf-8")
    dom = rendered(page) if CHROMIUM else parsed(written)
    check_no_live_markup(dom)
    text = "".join(dom.text)
    headings = [tag for tag, _ in dom.elements if tag in ("h1", "h2")]
    assert headings.count("h1") == 1 and "\x1b" not in text and "\x00" not in text
    if name == "report_html_script":
        assert '<script>alert("pwned")</script><img src=x onerror=alert(1)>' in text
    if name == "report_fence_heading":
        assert "## nnspec grade: `good.py`" in text and "**Score: 34 / 34**" in text
        assert {"load-error"} <= dom.ids() and "score" not in dom.ids()
    if name == "report_control_chars":
        assert "\\x1b[2J" in text


@pytest.mark.corpus
def test_batch_mode_writes_one_page_per_submission(tmp_path: Path) -> None:
    submissions, pages = tmp_path / "submissions", tmp_path / "pages"
    submissions.mkdir()
    shutil.copy(LEARNER, submissions / "alice.py")
    shutil.copy(HOSTILE / "report_html_script.py", submissions / "bob.py")
    command = [sys.executable, "-m", "nnspec.grade", str(submissions), "--requirement", "ACT-RELU-VALUES",
               "--chapter", "activations", "--html", str(pages), "--roster", str(tmp_path / "roster.csv")]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=GRADER_TIMEOUT_S, check=False)
    assert finished.returncode == 1, finished.stderr[-2000:]
    assert sorted(path.name for path in pages.iterdir()) == ["alice.html", "bob.html"]
    alice, bob = (parsed((pages / name).read_text(encoding="utf-8")) for name in ("alice.html", "bob.html"))
    assert "failures" not in alice.ids() and "ACT-RELU-VALUES" in bob.ids()
    check_no_live_markup(bob)


def test_the_page_names_the_isolation_and_the_blocked_requirements() -> None:
    results = [RequirementResult(GRADCHECK, "failed", "dW1 differs", 1.0, 1),
               RequirementResult(GATE, "blocked", f"blocked by {GRADCHECK.id}", 0.0, 0)]
    run = GradeRun("learner.py", "learner.py", True, "", results, isolation="process only (test)",
                   isolation_warning="no namespaces here")
    page = html.page(reports.build(run, config.load()))
    assert "isolation: process only (test)" in page and "warning: no namespaces here" in page
    assert f"{GATE.id}: blocked by {GRADCHECK.id}" in page and "<th>blocked</th>" in page
