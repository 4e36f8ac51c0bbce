"""examples/learner_correct.py as a learner's notebook, built with nbformat: shared by the notebook tests and
benchmarks/notebook_speed.py, so that both follow the example as it changes."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import nbformat

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE = REPOSITORY / "examples" / "learner_correct.py"
STATEMENTS_PER_CELL = 10
TRAINING_CELL = """\
X = np.random.default_rng(0).normal(size=(2, 64))
Y = np.vstack([X[0] > 0, X[0] <= 0]).astype(float)
parameters, costs = train(X, Y, [2, 4, 2], epochs=3)
print("final cost", costs[-1])"""
PLOT_CELL = """\
%matplotlib inline
import matplotlib.pyplot as plt
plt.plot(costs)
plt.show()"""
INPUT_CELL = """\
!pip install numpy
name = input("your name: ")
print("hello", name)"""


def write_notebook(path: Path, cells: list[Any]) -> str:
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    return str(path)


def code(source: str, tags: tuple[str, ...] = ()) -> Any:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def example_cells() -> list[Any]:
    """learner_correct.py as a learner's notebook: its statements in cells of STATEMENTS_PER_CELL, a markdown cell
    before each, then a training cell, a plot cell and an input() cell."""
    source = EXAMPLE.read_text(encoding="utf-8")
    body = ast.parse(source).body
    cells: list[Any] = []
    for start in range(0, len(body), STATEMENTS_PER_CELL):
        chunk = body[start:start + STATEMENTS_PER_CELL]
        text = "\n\n".join(ast.get_source_segment(source, node, padded=True) or "" for node in chunk)
        cells += [nbformat.v4.new_markdown_cell(f"## part {len(cells) // 2 + 1}"), code(text)]
    return [*cells, code(TRAINING_CELL), code(PLOT_CELL), code(INPUT_CELL)]
