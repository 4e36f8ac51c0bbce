"""``nnspec starter``: the skeleton grades as all "not implemented", and filled in correctly as full marks."""

from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from nnspec import cli, starter
from spec.contract import FUNCTIONS, SIGNATURES, signature_of

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE = REPOSITORY / "examples" / "learner_correct.py"
CHAPTERS = ("activations", "losses")  # the graded round trips: two chapters keep them under a minute each


def write_starter(path: Path, *args: str) -> Path:
    assert cli.main(["starter", "-o", str(path), *args]) == 0
    return path


def test_every_contract_function_has_its_exact_signature_a_docstring_and_raises(tmp_path: Path) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(write_starter(tmp_path / "s.py").read_text(), "s.py", "exec"), namespace)
    assert namespace["NNSPEC_CONTRACT"] == "1"
    for name, signature in FUNCTIONS.items():
        function = namespace[name]
        assert signature_of(function) == signature, name
        assert function.__doc__.startswith(f"{name}{signature}") and "docs/contract.md" in function.__doc__
        required = [p for p in inspect.signature(function).parameters.values() if p.default is p.empty]
        with pytest.raises(NotImplementedError):
            function(*[None] * len(required))


def test_each_docstring_carries_the_contract_definition_of_its_function() -> None:
    by_name = {stub.name: stub for stub in starter.stubs()}
    assert "Z = W A_prev + b" in by_name["linear_forward"].doc
    assert "1/(1 + e^-z)" in by_name["sigmoid"].doc and "pre-activation" in by_name["sigmoid"].doc
    assert all("see the table" not in stub.doc for stub in by_name.values())


def test_chapters_narrow_the_starter_and_an_unknown_one_is_refused(tmp_path: Path) -> None:
    tree = ast.parse(write_starter(tmp_path / "s.py", "--chapter", "layers", "--chapter", "gradient_check")
                     .read_text())
    names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert names == [*SIGNATURES["layers"], *SIGNATURES["gradient check"]]
    assert cli.main(["starter", "--chapter", "nope", "-o", str(tmp_path / "x.py")]) == 2


def test_the_notebook_has_a_markdown_cell_per_chapter_and_a_code_cell_per_function(tmp_path: Path) -> None:
    path = write_starter(tmp_path / "s.ipynb", "--notebook", "--chapter", "activations", "--chapter", "losses")
    book = nbformat.read(str(path), as_version=4)
    nbformat.validate(book)
    headings = [cell.source for cell in book.cells if cell.cell_type == "markdown"]
    assert headings[1:] == ["## activations", "## losses"]
    stubs = [cell.source for cell in book.cells if cell.cell_type == "code" and cell.source.startswith("def ")]
    assert len(stubs) == len(SIGNATURES["activations"]) + len(SIGNATURES["losses"])


def example_parts() -> tuple[dict[str, str], str]:
    """learner_correct.py as (its contract functions' source by name, its other statements: imports, constants,
    helpers; the module docstring left out)."""
    example = EXAMPLE.read_text(encoding="utf-8")
    body = ast.parse(example).body
    functions = {node.name: ast.get_source_segment(example, node) or "" for node in body
                 if isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS}
    rest = [ast.get_source_segment(example, node) or "" for node in body
            if not (isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS) and not isinstance(node, ast.Expr)]
    return functions, "\n\n".join(rest)


def filled(text: str) -> str:
    """A starter's code with every stub replaced by the example's function, the example's other statements after."""
    functions, rest = example_parts()
    lines = text.splitlines()
    for node in sorted(ast.parse(text).body, key=lambda node: -node.lineno):
        if isinstance(node, ast.FunctionDef):
            lines[node.lineno - 1:node.end_lineno] = functions[node.name].splitlines()
    return "\n".join([*lines, "", rest]) + "\n"


def fill_notebook(path: Path) -> None:
    """The same in a starter notebook: each stub cell gets the example's function, a last cell the rest."""
    functions, rest = example_parts()
    book = nbformat.read(str(path), as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code" and cell.source.startswith("def "):
            cell.source = functions[cell.source.split("(")[0].removeprefix("def ")]
    book.cells.append(nbformat.v4.new_code_cell(rest))
    nbformat.write(book, str(path))


def grade_report(path: Path, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / (path.name + ".json")
    chapters = [arg for chapter in CHAPTERS for arg in ("--chapter", chapter)]
    finished = subprocess.run([sys.executable, "-m", "nnspec.grade", str(path), *chapters, "--json", str(out)],
                              cwd=REPOSITORY, capture_output=True, text=True, check=False)
    assert out.is_file(), finished.stdout + finished.stderr
    return dict(json.loads(out.read_text()))


def contract_statuses(report: dict[str, Any]) -> set[str]:
    return {item["status"] for item in report["requirements"] if item["chapter"] in CHAPTERS}


@pytest.mark.corpus
@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_a_starter_as_it_is_scores_0_with_every_function_not_implemented(tmp_path: Path, suffix: str) -> None:
    args = ["--notebook"] if suffix == ".ipynb" else []
    path = write_starter(tmp_path / f"starter{suffix}", *args, *[a for c in CHAPTERS for a in ("--chapter", c)])
    report = grade_report(path, tmp_path)
    assert report["loaded"] and report["score"] == 0 < report["max_score"]
    assert contract_statuses(report) == {"not implemented"}


@pytest.mark.corpus
@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_a_starter_filled_in_correctly_gets_full_marks(tmp_path: Path, suffix: str) -> None:
    args = ["--notebook"] if suffix == ".ipynb" else []
    path = write_starter(tmp_path / f"starter{suffix}", *args, *[a for c in CHAPTERS for a in ("--chapter", c)])
    if suffix == ".py":
        path.write_text(filled(path.read_text()), encoding="utf-8")
    else:
        fill_notebook(path)
    report = grade_report(path, tmp_path)
    assert contract_statuses(report) == {"passed"}
    assert report["score"] == report["max_score"] > 0
