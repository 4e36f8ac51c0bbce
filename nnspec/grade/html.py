"""The learner's report as one self-contained HTML page (``nnspec grade SUB --html report.html``, issue 15).

The page needs nothing but itself: inline CSS, no script, every plot a PNG in a ``data:`` URI. It holds the
score and the chapters, each visible failure (message, hints, the line to reproduce it), and the figures drawn
from what the requirements recorded (``spec.figures``, never text parsed from messages): backward's relative
error per layer and parameter in the network gradient check, and the MNIST gate's test accuracy per epoch with a
grid of the test digits the learner's network gets wrong, drawn from the grader's own copy of MNIST (the worker
only ever sees images). Figures of hidden requirements are left out, as their messages are.

Every text that came from the submission is already cut and cleaned by ``reports.build``; this writer adds the
HTML escaping of ``escape.html`` / ``escape.html_block`` to every text it shows, its own included.
"""

from __future__ import annotations

import base64
import importlib
import io
import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from nnspec.grade import escape
from nnspec.grade.proxy import REPRODUCTION_INTRO
from nnspec.grade.reports import (
    TABLE_COLUMNS,
    Report,
    Scored,
    blocked_lines,
    chapter_rows,
    not_applicable_lines,
    points_text,
)
from nnspec.grade.runner import STATUSES
from spec import figures

GRADCHECK_ID = "NET-BACKWARD-GRADCHECK"
MNIST_ID = "MNIST-GATE-LOOP"
GRADIENT_TOLERANCE = 1e-7  # the gradient check's bar (spec/test_network.py), drawn as a line
MNIST_BAR = 0.95  # the gate's bar (spec/test_mnist.py), drawn as a line
ERROR_FLOOR = 1e-17  # relative errors below (exact zeros too) are drawn here: the plot's scale is logarithmic
NOT_COMPARABLE = 10.0  # a gradient missing, of the wrong shape or not finite is drawn here (relative errors <= 2)
GRID_SIDE = 6  # the misclassified digits: a 6 x 6 grid
DPI = 100
NO_MATPLOTLIB = "The plots need matplotlib, which is not installed here: pip install 'nnspec[plots]'."
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; word-break: break-all; } h2 { border-bottom: 1px solid #ccc; margin-top: 2rem; }
.score { font-size: 1.2rem; font-weight: bold; }
table { border-collapse: collapse; } th, td { padding: .2rem .7rem; border-bottom: 1px solid #eee; }
td.n { text-align: right; }
article { border-left: 4px solid #c33; padding: .2rem 1rem; margin: 1rem 0; background: #fdf6f6; }
pre { white-space: pre-wrap; word-break: break-all; background: #fff; padding: .5rem; border: 1px solid #eee; }
pre.reproduce { border-color: #36c; }
.hint { background: #fff3b0; font-weight: bold; }
.passed { color: #2a7a2a; } .failed { color: #c33; } .note { color: #666; }
img { max-width: 100%; border: 1px solid #eee; }
"""


def page(report: Report) -> str:
    """The whole page for ``report`` (a complete HTML document)."""
    run = report.run
    body = [f"<h1>nnspec grade: {escape.html(run.target)}</h1>",
            f'<p id="isolation">isolation: {escape.html(run.isolation)}</p>']
    if run.isolation_warning:
        body.append(f'<p class="failed" id="isolation-warning">warning: {escape.html(run.isolation_warning)}</p>')
    if not run.loaded:
        body += ['<section id="load-error"><h2>The submission could not be loaded</h2>',
                 f"<pre>{escape.html_block(run.load_error.rstrip())}</pre>",
                 f'<p class="score">score: 0 / {points_text(report.max_score)}</p></section>']
    else:
        body += [*_score(report), *_chapters(report), *_failures(report), *_figures(report), *_notes(report)]
    return "\n".join(["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
                      f"<title>nnspec grade: {escape.html(run.target)}</title>", f"<style>{STYLE}</style>",
                      "</head><body>", *body, "</body></html>", ""])


def _score(report: Report) -> list[str]:
    percent = 100.0 * report.score / report.max_score if report.max_score else 100.0
    counts = {status: sum(item.result.status == status for item in report.scored) for status in STATUSES}
    summary = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    verdict = "passed" if report.exit_code == 0 else "failed"
    return [f'<p class="score {verdict}" id="score">score: {points_text(report.score)} / '
            f"{points_text(report.max_score)} points ({percent:.1f}%)</p>",
            f"<p>{escape.html(summary)}; exit code {report.exit_code}</p>"]


def _chapters(report: Report) -> list[str]:
    rows = ["<tr><th>chapter</th>" + "".join(f"<th>{status}</th>" for status, _ in TABLE_COLUMNS)
            + "<th>points</th></tr>"]
    for chapter, counts, points, max_points in chapter_rows(report.visible()):
        cells = [counts[status] for status, _ in TABLE_COLUMNS]
        rows.append(f"<tr><td>{escape.html(chapter)}</td>" + "".join(f'<td class="n">{n}</td>' for n in cells)
                    + f'<td class="n">{points_text(points)}/{points_text(max_points)}</td></tr>')
    return ['<section id="chapters"><h2>Chapters</h2><table>', *rows, "</table></section>"]


def _failures(report: Report) -> list[str]:
    failed = [item for item in report.visible() if item.result.status == "failed"]
    if not failed:
        return []
    return ['<section id="failures"><h2>Failures</h2>', *(line for item in failed for line in _failure(item)),
            "</section>"]


def _failure(item: Scored) -> list[str]:
    """One failure: its requirement, the message (hint lines marked) and the line to reproduce it, apart."""
    result = item.result
    text, intro = result.message.rstrip(), "\n" + REPRODUCTION_INTRO
    message, reproduce = text.rsplit(intro, 1) if intro in text else (text, "")
    required = ", required" if item.policy.required else ""
    lines = [f'<article id="{escape.html(result.id)}"><h3>{escape.html(result.id)} '
             f"({points_text(item.policy.points)} point(s){required})</h3>",
             f"<p>{escape.html(result.requirement.statement)}</p>",
             "<pre>" + "\n".join(_marked(line) for line in message.splitlines()) + "</pre>"]
    if reproduce:
        lines += [f"<p>{escape.html(REPRODUCTION_INTRO + reproduce.splitlines()[0])}</p>",
                  f'<pre class="reproduce">{escape.html_block(chr(10).join(reproduce.splitlines()[1:]).strip())}'
                  "</pre>"]
    return [*lines, "</article>"]


def _marked(line: str) -> str:
    shown = escape.html_block(line)
    return f'<span class="hint">{shown}</span>' if line.lstrip().startswith("hint:") else shown


def _notes(report: Report) -> list[str]:
    notes = [f"blocked, 0 points (fix the failed requirement first): {line}" for line in blocked_lines(report)]
    missing = sorted({item.result.id for item in report.visible() if item.result.status == "not implemented"})
    if missing:
        notes.append(f"{len(missing)} requirement(s) not implemented: {', '.join(missing)}")
    notes += [f"not applicable, not counted: {line}" for line in not_applicable_lines(report)]
    hidden = [item for item in report.scored if item.policy.hidden]
    if hidden:
        notes.append(f"{len(hidden)} hidden requirement(s), not shown: {points_text(sum(i.points for i in hidden))} / "
                     f"{points_text(sum(i.max_points for i in hidden))} points")
    notes += [f"warning: {warning}" for warning in report.warnings]
    if not notes:
        return []
    return ['<section id="notes"><h2>Notes</h2>', *(f"<p>{escape.html(note)}</p>" for note in notes), "</section>"]


# --- figures -------------------------------------------------------------------------------------------------------

Plots = list[tuple[str, Callable[[Any], None]]]  # (caption, draws the plot on an empty matplotlib Figure)
DRAW_ERRORS = (ValueError, IndexError, OSError, RuntimeError)  # e.g. no MNIST: the other plots are still drawn


def _plots(report: Report) -> list[tuple[str, str, Plots]]:
    """The plots of the visible requirements that recorded data: (anchor, title, plots) per section."""
    visible = {item.result.id for item in report.visible()}
    recorded = {req_id: data for req_id, data in report.run.figures.items() if req_id in visible}
    gradcheck = [data for name, records in recorded.get(GRADCHECK_ID, {}).items()
                 if name.startswith(figures.GRADIENT_CHECK) for data in records]
    accuracy = recorded.get(MNIST_ID, {}).get(figures.TEST_ACCURACY, [])
    wrong = recorded.get(MNIST_ID, {}).get(figures.MISCLASSIFIED, [])
    sections: list[tuple[str, str, Plots]] = []
    if gradcheck:
        sections.append(("gradient-check", f"Gradient check of your backward ({GRADCHECK_ID})",
                         [(_gradcheck_caption(gradcheck), lambda fig: _plot_gradcheck(fig, gradcheck))]))
    mnist_plots: Plots = []
    if accuracy:
        mnist_plots.append((f"Test accuracy after each epoch; the bar is {MNIST_BAR:.0%}.",
                            lambda fig: _plot_accuracy(fig, accuracy)))
    if wrong:
        mnist_plots.append(("Test digits your network gets wrong (predicted / true label), drawn by the grader.",
                            lambda fig: _plot_misclassified(fig, wrong[-1])))
    if mnist_plots:
        sections.append(("mnist", f"The MNIST gate ({MNIST_ID})", mnist_plots))
    return sections


def images(report: Report) -> list[tuple[str, str]]:
    """Each plot of ``report`` as (title: caption, ``data:`` URL of its PNG), for a writer other than the page
    (PrairieLearn's results); none without matplotlib, and a plot that cannot be drawn is left out."""
    sections = _plots(report)
    try:
        figure = importlib.import_module("matplotlib.figure") if sections else None
    except ImportError:
        return []
    drawn = []
    for _, title, entries in sections:
        for caption, draw in entries:
            try:
                drawn.append((f"{title}: {caption}", _drawn(figure, draw)))
            except DRAW_ERRORS:
                continue
    return drawn


def _figures(report: Report) -> list[str]:
    """The page's sections of plots."""
    sections = _plots(report)
    if not sections:
        return []
    try:
        figure = importlib.import_module("matplotlib.figure")
    except ImportError:
        return [f'<section id="{anchor}"><h2>{escape.html(title)}</h2><p class="note">{escape.html(NO_MATPLOTLIB)}'
                "</p></section>" for anchor, title, _ in sections]
    return [line for anchor, title, entries in sections for line in _section(figure, anchor, title, entries)]


def _section(figure: ModuleType, anchor: str, title: str, entries: Plots) -> list[str]:
    lines = [f'<section id="{anchor}"><h2>{escape.html(title)}</h2>']
    for caption, draw in entries:
        try:
            url = _drawn(figure, draw)
        except DRAW_ERRORS as error:
            lines.append(f'<p class="note">{escape.html(f"this plot could not be drawn: {error}")}</p>')
            continue
        lines += [f"<p>{escape.html(caption)}</p>", f'<img alt="{escape.html(caption)}" src="{url}">']
    return [*lines, "</section>"]


def _drawn(figure: Any, draw: Callable[[Any], None]) -> str:
    """The plot ``draw`` makes, as a data: URI of a PNG."""
    fig = figure.Figure(figsize=(8, 4.5))
    draw(fig)
    return _png(fig)


def _png(fig: Any) -> str:
    """``fig`` as a data: URI of a PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _parameter_order(name: str) -> tuple[int, bool, str]:
    """W1, b1, W2, b2, ...: by layer, then the weights first."""
    digits = name.lstrip("Wb")
    return (int(digits) if digits.isdigit() else 0, not name.startswith("W"), name)


def _gradient_points(records: list[Any]) -> tuple[list[str], dict[str, list[float]]]:
    """(parameter names in order, per parameter the worst relative error of each combination of activations and
    loss, drawable on a log scale)."""
    worst: dict[tuple[str, str], float] = {}
    for data in records:
        for name, error in data["errors"].items():
            value = NOT_COMPARABLE if error is None or not math.isfinite(error) else max(float(error), ERROR_FLOOR)
            key = (str(name), str(data["case"]))
            worst[key] = max(worst.get(key, 0.0), value)
    errors: dict[str, list[float]] = {}
    for (name, _), value in sorted(worst.items()):
        errors.setdefault(name, []).append(value)
    return sorted(errors, key=_parameter_order), errors


def _gradcheck_caption(records: list[Any]) -> str:
    names, errors = _gradient_points(records)
    above = sum(value >= GRADIENT_TOLERANCE for name in names for value in errors[name])
    total = sum(len(errors[name]) for name in names)
    cases = len({data["case"] for data in records})
    return (f"Relative error norm(yours - numerical) / max norm of d<parameter>: one point per combination of hidden "
            f"activation and output/loss ({cases} combinations), its worst of {len(records)} checked networks; "
            f"{above} of {total} points are at or above the bar {GRADIENT_TOLERANCE:g} (the dashed line; the check "
            f"also accepts a gradient too small to measure). Points at the top ({NOT_COMPARABLE:g}) are missing, of "
            "the wrong shape or not finite.")


def _plot_gradcheck(fig: Any, records: list[Any]) -> None:
    names, errors = _gradient_points(records)
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)  # horizontal jitter only, so that equal points stay visible
    for position, name in enumerate(names):
        values = np.asarray(errors[name])
        x = position + rng.uniform(-0.2, 0.2, len(values))
        bad = values >= GRADIENT_TOLERANCE
        ax.scatter(x[~bad], values[~bad], s=12, color="tab:green", alpha=0.6)
        ax.scatter(x[bad], values[bad], s=12, color="tab:red", alpha=0.8)
    ax.axhline(GRADIENT_TOLERANCE, color="black", linestyle="--", linewidth=1)
    ax.set_yscale("log")
    ax.set_ylim(ERROR_FLOOR / 2, NOT_COMPARABLE * 3)
    ax.set_xticks(range(len(names)), ["d" + name for name in names])
    ax.set_xlabel("gradient returned by backward (layer by layer)")
    ax.set_ylabel("relative error")
    fig.tight_layout()


def _plot_accuracy(fig: Any, records: list[Any]) -> None:
    epochs = [int(data["epoch"]) for data in records]
    ax = fig.add_subplot()
    ax.plot(epochs, [100 * float(data["accuracy"]) for data in records], "o-", color="tab:blue",
            label="test accuracy")
    ax.axhline(100 * MNIST_BAR, color="tab:red", linestyle="--", label=f"bar ({MNIST_BAR:.0%})")
    ax.set_xticks(epochs)
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    ax.legend(loc="lower right")
    fig.tight_layout()


def _plot_misclassified(fig: Any, data: dict[str, Any]) -> None:
    from nnspec.mnist import IMAGE_SIDE, load_mnist  # only when there are digits to draw

    mnist = load_mnist(download=False)
    pairs = [(int(index), int(label)) for index, label in zip(data["index"], data["predicted"], strict=True)]
    fig.set_size_inches(8, 9)
    for slot, (index, predicted) in enumerate(pairs[: GRID_SIDE * GRID_SIDE]):
        ax = fig.add_subplot(GRID_SIDE, GRID_SIDE, slot + 1)
        ax.imshow(np.asarray(mnist.X_test[:, index]).reshape(IMAGE_SIDE, IMAGE_SIDE), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{predicted} / {mnist.y_test[index]}", fontsize=9, color="tab:red")
        ax.axis("off")
    fig.tight_layout()
