"""Notebook submissions: converted in the grader (nnspec.grade.notebook), graded like the .py they become.

The notebooks are built (tests/example_notebook.py) from examples/learner_correct.py: split into cells, with a
training cell, a plot cell, an ``input()`` cell, a magic and a shell line, so they follow the example as it changes.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import nbformat
import pytest

from nnspec.grade import batch, notebook
from nnspec.grade.notebook import NotebookSettings
from tests.example_notebook import EXAMPLE, REPOSITORY, code, example_cells, write_notebook


def grade(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nnspec.grade", *args], cwd=REPOSITORY, capture_output=True,
                          text=True, check=False)


def graded(target: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / f"{Path(target).stem}-{len(list(tmp_path.iterdir()))}.json"
    finished = grade(target, "--json", str(out), *args)
    assert out.is_file(), finished.stdout + finished.stderr
    return dict(json.loads(out.read_text()))


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {requirement["id"]: requirement["status"] for requirement in report["requirements"]}


NAMES = "names defined: "


def run_module(code_text: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the generated code in a fresh interpreter (no stdin): the process and the names it defined."""
    script = tmp_path / "generated.py"
    script.write_text(code_text, encoding="utf-8")
    probe = f"import runpy, json; print({NAMES!r} + json.dumps(sorted(runpy.run_path({str(script)!r}))))"
    finished = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False,
                              timeout=60, stdin=subprocess.DEVNULL)
    names = finished.stdout.rpartition(NAMES)[2]
    return finished, set(json.loads(names)) if names else set()


# --- definitions mode (the default) ------------------------------------------------------------------------------

def test_definitions_mode_keeps_the_definitions_and_skips_the_rest(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "learner.ipynb", example_cells())
    conversion = notebook.convert(path, NotebookSettings())
    tree = ast.parse(conversion.code)
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    example = {node.name for node in ast.parse(EXAMPLE.read_text()).body if isinstance(node, ast.FunctionDef)}
    assert defined == example
    assert "= train(X, Y" not in conversion.code and "matplotlib" not in conversion.code
    assert "input(" not in conversion.code
    assert "pip install" not in conversion.code and "%matplotlib" not in conversion.code
    assert all(name in conversion.code for name in ("GELU_C =", "ACTIVATIONS =", "LOSSES =", "NNSPEC_CONTRACT ="))
    notes = "\n".join(conversion.notes)
    assert "`import matplotlib.pyplot as plt`" in notes and "for display" in notes
    assert "!pip install numpy" in notes and "%matplotlib inline" in notes
    assert "skipped 4 statement(s)" in notes and "skipped 2 statement(s)" in notes  # training, plot; input cells
    finished, names = run_module(conversion.code, tmp_path)  # imports cleanly, without training or asking for input
    assert finished.returncode == 0, finished.stderr
    assert example <= names
    assert "final cost" not in finished.stdout and "hello" not in finished.stdout


def test_constant_assignments_follow_the_documented_rule(tmp_path: Path) -> None:
    cells = [code("import math\nimport numpy as np\nfrom pathlib import Path\nimport not_a_module_anywhere as nm"),
             code(textwrap.dedent("""\
                 A = 3
                 B = math.sqrt(A) * 2
                 C = {"a": A, "f": lambda z: z}
                 D = np.random.default_rng(0).normal(size=3)
                 E = np.loadtxt("data.csv")
                 F = open("x").read()
                 G = len([1, 2])
                 H = nm.VALUE
                 I = Path("x").read_text()
                 obj.attr = 1
                 J = A if A else B"""))]
    conversion = notebook.convert(write_notebook(tmp_path / "n.ipynb", cells), NotebookSettings())
    kept = {node.targets[0].id for node in ast.parse(conversion.code).body  # type: ignore[attr-defined]
            if isinstance(node, ast.Assign)}
    assert kept == {"A", "B", "C", "G", "J"}
    assert "cannot be imported" in conversion.skipped_names["nm"]
    assert "does not run" in conversion.skipped_names["D"]


def test_magics_shell_lines_and_invalid_cells_are_dropped_and_noted(tmp_path: Path) -> None:
    cells = [code("%%bash\necho hi"), code("def broken(:\n    pass"),
             code("%load_ext autoreload\nfiles = !ls\nA = 1\nprint(A % 2)")]
    conversion = notebook.convert(write_notebook(tmp_path / "n.ipynb", cells), NotebookSettings())
    notes = "\n".join(conversion.notes)
    assert "cell 1 ('%%bash'): a cell magic (%%bash); the cell is not run" in notes
    assert "cell 2 ('def broken(:'): not valid Python (line 1" in notes
    assert "%load_ext autoreload; files = !ls" in notes
    assert ast.parse(conversion.code) and "A = 1" in conversion.code and "echo" not in conversion.code


def test_a_file_that_is_not_a_notebook_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "homework.ipynb"
    path.write_text("print('a .py renamed')")
    with pytest.raises(ValueError, match=r"homework.ipynb is not a readable notebook"):
        notebook.convert(str(path), NotebookSettings())


# --- the other modes ---------------------------------------------------------------------------------------------

def test_all_mode_runs_every_cell_each_under_its_own_time_limit(tmp_path: Path) -> None:
    cells = [code("calls = []\ndef first(z):\n    return z"),  # quick cells: only cell 3 may reach the limit
             code("calls.append(first(1))\nprint('ran cell 2')"),
             # a call in the loop: Python 3.10 runs no signal handler in a loop of bare `pass` (there the
             # worker's import limit ends such a cell)
             code("while True:\n    try:\n        abs(-1)\n    except Exception:\n        pass"),
             code("%time x = 1\nraise ValueError('cell four fails')"),
             code("input('name? ')"),
             code("def last(z):\n    return calls")]
    settings = NotebookSettings("all", cell_seconds=1.0)
    conversion = notebook.convert(write_notebook(tmp_path / "n.ipynb", cells), settings)
    finished, names = run_module(conversion.code, tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert {"first", "last", "calls"} <= names and "x" not in names  # cell 4's magic line was dropped
    assert "ran cell 2" in finished.stdout
    assert "cell 3 ran longer than 1 s" in finished.stderr
    assert "cell 4 raised ValueError: cell four fails" in finished.stderr
    assert "cell 5 raised EOFError" in finished.stderr


def test_marked_mode_runs_only_the_marked_cells_whole(tmp_path: Path) -> None:
    cells = [code("import numpy as np\nSCALE = np.ones(2)\ndef helper(z):\n    return z", tags=("graded",)),
             code("def unmarked(z):\n    return z"),
             code("# nnspec: graded\nOFFSET = helper(SCALE).sum()\ndef marked(z):\n    return z + OFFSET"),
             code("def also_unmarked(z):\n    return z", tags=("other",))]
    conversion = notebook.convert(write_notebook(tmp_path / "n.ipynb", cells), NotebookSettings("marked"))
    finished, names = run_module(conversion.code, tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert {"helper", "marked", "OFFSET"} <= names  # OFFSET is a call: a marked cell runs whole
    assert not {"unmarked", "also_unmarked"} & names


def test_a_folder_of_notebooks_is_a_batch(tmp_path: Path) -> None:
    for name in ("ada.ipynb", "bo.ipynb"):
        write_notebook(tmp_path / name, [code("def sigmoid(z):\n    return z")])
    (tmp_path / "notes.txt").write_text("not a submission")
    assert batch.expand([str(tmp_path)]) == [str(tmp_path / "ada.ipynb"), str(tmp_path / "bo.ipynb")]


def test_an_unknown_mode_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="notebook mode 'some' is not one of definitions, all, marked"):
        NotebookSettings("some")


# --- messages name the cell --------------------------------------------------------------------------------------

WRONG_CELLS = [
    nbformat.v4.new_markdown_cell("# my activations"),
    code("import numpy as np\nimport matplotlib.pyplot as plt"),
    code("def sigmoid(z):\n    # forgot the minus sign\n    return 1.0 / (1.0 + np.exp(z))"),
    code("def relu(z):\n    plt.plot(z)\n    return np.maximum(z, 0)"),
    code("def tanh(z):\n    x = np.asarray(z)\n    raise RuntimeError('tanh is broken')"),
]


def test_locate_rewrites_frames_of_the_generated_file_into_cells(tmp_path: Path) -> None:
    conversion = notebook.convert(write_notebook(tmp_path / "wrong.ipynb", WRONG_CELLS), NotebookSettings())
    script = str(tmp_path / "gen" / "wrong.py")
    line = next(number for number, (cell, _) in conversion.lines.items() if cell.number == 5) + 2
    text = notebook.locate(f'  File "/private/copy/wrong.py", line {line}, in tanh', conversion, script)
    assert text == f'  File "{conversion.notebook}", cell 5 (\'def tanh(z):\'), line 3, in tanh'


@pytest.mark.corpus
@pytest.mark.parametrize("mode", ["definitions", "all", "marked"])
def test_a_failure_names_the_cell_of_the_failing_function(tmp_path: Path, mode: str) -> None:
    cells = [code("# nnspec: graded\n" + cell.source) if cell.cell_type == "code" else cell for cell in WRONG_CELLS]
    path = write_notebook(tmp_path / "wrong.ipynb", cells)
    report = graded(path, tmp_path, "--notebook-mode", mode, "--requirement", "ACT-SIGMOID-VALUES",
                    "--requirement", "ACT-RELU-VALUES", "--requirement", "ACT-TANH-VALUES")
    messages = {item["id"]: item["message"] for item in report["requirements"]}
    assert statuses(report)["ACT-SIGMOID-VALUES"] == "failed"
    assert "`sigmoid` is defined in cell 3 ('def sigmoid(z):')" in messages["ACT-SIGMOID-VALUES"]
    assert "RuntimeError: tanh is broken" in messages["ACT-TANH-VALUES"]
    assert f"{path}\", cell 5 (" in messages["ACT-TANH-VALUES"], messages["ACT-TANH-VALUES"]
    assert report["submission"] == path
    if mode != "all":  # in "all" mode the plot import runs (or only stops its own cell)
        assert "`import matplotlib.pyplot as plt` in cell 2" in messages["ACT-RELU-VALUES"]
        assert any("matplotlib" in note for note in report["notes"])


# --- the acceptance: the same grade as the .py --------------------------------------------------------------------

@pytest.mark.corpus
def test_the_example_as_a_notebook_gets_the_same_grade_as_the_py(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "learner_correct.ipynb", example_cells())
    chapters = ("--chapter", "activations", "--chapter", "network")
    as_py = graded(str(EXAMPLE), tmp_path, *chapters)
    as_notebook = graded(path, tmp_path, *chapters)
    assert statuses(as_notebook) == statuses(as_py)
    assert as_notebook["score"] == as_py["score"] == as_py["max_score"] > 0
    assert any("matplotlib" in note for note in as_notebook["notes"])
