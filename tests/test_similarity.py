"""Batch mode's similarity report: copies are ranked first, independently written correct code is never flagged."""

from __future__ import annotations

import ast
import builtins
import io
import json
import keyword
import re
import subprocess
import sys
import tokenize
from pathlib import Path
from typing import Any

import pytest

from nnspec.grade import similarity

pytest.importorskip("copydetect")

REPOSITORY = Path(__file__).resolve().parent.parent
CORRECT = REPOSITORY / "tests" / "mutants" / "correct"
REFERENCE = REPOSITORY / "reference"
INDEPENDENT_PREFIX = "independent_"
COPY = "copied_renamed.py"
REFERENCE_COPY = "reference_flattened.py"


def renamed(text: str) -> str:
    """``text`` as a learner hiding a copy would leave it: every name it defines renamed, comments dropped,
    docstrings reworded, indentation halved and blank lines added (a text that need not run: only read)."""
    defined = {node.name for node in ast.walk(ast.parse(text)) if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    defined |= {node.arg for node in ast.walk(ast.parse(text)) if isinstance(node, ast.arg)}
    defined |= {node.id for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Name)
                and isinstance(node.ctx, ast.Store)}
    defined -= set(dir(builtins)) | set(keyword.kwlist) | {"self", "cls"}
    tokens = []
    previous = ""
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        string = token.string
        if token.type == tokenize.NAME and string in defined and previous != ".":
            string = f"my_{string.strip('_')}"
        elif token.type == tokenize.COMMENT:
            string = ""
        elif token.type == tokenize.STRING and string.startswith(('"""', "'''")):
            string = '"""My own work."""'
        tokens.append((token.type, string))
        previous = token.string
    lines = tokenize.untokenize(tokens).splitlines()
    return "\n\n".join(re.sub(r"^( +)", lambda m: " " * (len(m.group(1)) // 2), line) for line in lines) + "\n"


def flattened_reference() -> str:
    """The reference's modules in one file, as a learner would paste them: the package's own imports gone."""
    modules = sorted(path for path in REFERENCE.glob("*.py") if path.name != "__init__.py")
    text = "\n".join(path.read_text() for path in modules)
    return re.sub(r"^from reference[^\n]*\n|^from __future__[^\n]*\n", "", text, flags=re.MULTILINE)

OWN_CODE_ALICE = """
def softmax(z, axis=0):
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def relu(z):
    return np.where(z > 0, z, 0.0)


def mse(y_hat, y):
    return float(np.mean((y_hat - y) ** 2))
"""
OWN_CODE_BOB = """
def relu(values):
    out = values.copy()
    out[out < 0] = 0
    return out


def softmax(scores, axis=0):
    top = np.max(scores, axis, keepdims=True)
    powers = np.exp(scores - top)
    total = np.sum(powers, axis, keepdims=True)
    return powers / total


def mse(predicted, target):
    error = predicted - target
    return (error * error).mean().item()
"""


def correct_variants() -> dict[str, Path]:
    return {path.name: path for path in sorted(CORRECT.glob("*.py")) if path.name != "__init__.py"}


def independent(names: Any) -> list[str]:
    return [name for name in names if name.startswith(INDEPENDENT_PREFIX)]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test batch: every correct variant, a renamed copy of the largest one, a renamed flattened reference."""
    folder = tmp_path_factory.mktemp("batch")
    variants = correct_variants()
    for name, path in variants.items():
        (folder / name).write_text(path.read_text())
    largest = max(variants.values(), key=lambda path: len(path.read_text()))
    (folder / COPY).write_text(renamed(largest.read_text()))
    (folder / REFERENCE_COPY).write_text(renamed(flattened_reference()))
    return folder


@pytest.fixture(scope="module")
def rows(batch: Path) -> list[dict[str, Any]]:
    sources = [similarity.read_source(path) for path in sorted(batch.glob("*.py"))]
    measured = similarity.compare(sources, similarity.reference_source())
    print("\nsimilarity  share1  share2  first / second")  # the calibration table: pytest -s shows it
    for row in measured:
        print(f"{row['similarity']:10.3f}  {row['first_share']:6.3f}  {row['second_share']:6.3f}  "
              f"{Path(row['first']).name} / {Path(row['second']).name}")
    return measured


def names(row: dict[str, Any]) -> tuple[str, str]:
    return Path(row["first"]).name, Path(row["second"]).name


def test_the_renamed_copy_ranks_first_and_the_copy_of_the_reference_second(rows: list[dict[str, Any]]) -> None:
    largest = max(correct_variants().values(), key=lambda path: len(path.read_text())).name
    assert (rows[0]["kind"], sorted(names(rows[0]))) == ("pair", sorted([COPY, largest]))
    assert (rows[1]["kind"], names(rows[1])) == ("reference", (REFERENCE_COPY, similarity.REFERENCE))
    assert rows[0]["flagged"] and rows[1]["flagged"]


def test_no_correct_variant_is_flagged_against_another_or_the_reference(rows: list[dict[str, Any]]) -> None:
    flagged = {names(row) for row in rows if row["flagged"]}
    assert flagged == {names(rows[0]), names(rows[1])}  # the two copies, nothing else
    variants = set(independent(correct_variants())) | {similarity.REFERENCE}
    both_independent = [row for row in rows if set(names(row)) <= variants]
    copies = [row["similarity"] for row in rows[:2]]
    highest = max((row["similarity"] for row in both_independent), default=0.0)
    print(f"independent variants: highest {highest:.3f}; copies: lowest {min(copies):.3f}; "
          f"threshold {similarity.THRESHOLD}; margins {similarity.THRESHOLD - highest:.3f} below, "
          f"{min(copies) - similarity.THRESHOLD:.3f} above")
    assert highest < similarity.THRESHOLD <= min(copies)


def test_a_variant_that_imports_the_reference_is_named_apart(batch: Path) -> None:
    data = similarity.report(sorted(str(path) for path in batch.glob("*.py")))
    importing = {Path(name).name for name in data["imports_reference"]}
    assert importing == {path.name for path in batch.glob("*.py")
                         if re.search(r"^from reference import", path.read_text(), re.MULTILINE)}
    assert REFERENCE_COPY not in importing  # it holds the reference's code instead: the ranking shows it
    text = similarity.markdown(data)
    assert all(f"- {batch / name}\n" in text for name in importing)


def test_the_template_s_code_is_left_out(tmp_path: Path) -> None:
    starter = tmp_path / "starter.py"  # a starter that hands out much of the network code
    starter.write_text((REFERENCE / "network.py").read_text() + (REFERENCE / "layers.py").read_text())
    own = [OWN_CODE_ALICE, OWN_CODE_BOB]  # each learner's own code after it: the same functions, written apart
    for index, code in enumerate(own):
        (tmp_path / f"learner{index}.py").write_text(starter.read_text() + code)
    learners = [str(tmp_path / f"learner{index}.py") for index in range(len(own))]

    plain = similarity.report(learners)["rows"]
    assert all(row["flagged"] and row["similarity"] > 0.9 for row in plain)  # the starter alone makes them alike
    with_template = similarity.report(learners, str(starter))["rows"]
    assert with_template and not any(row["flagged"] for row in with_template)


def test_a_template_pasted_twice_is_left_out_and_only_it() -> None:
    starter = similarity.Source("starter", (REFERENCE / "layers.py").read_text())
    learner = similarity.Source("learner", OWN_CODE_ALICE + starter.text * 2 + OWN_CODE_BOB)
    template = similarity.fingerprint(starter).hashes
    whole = similarity.fingerprint(learner).hash_idx
    kept = similarity.fingerprint(learner, template)
    assert template and kept.hash_idx == {key: where for key, where in whole.items() if key not in template}
    assert set(kept.hashes) == set(kept.hash_idx)


def test_imports_and_the_contract_line_are_boilerplate() -> None:
    text = 'import numpy as np\nfrom math import (\n    exp,\n    log)\nNNSPEC_CONTRACT = "1"\nx = 1\n'
    blanked = similarity.without_boilerplate(text)
    assert len(blanked) == len(text) and blanked.count("\n") == text.count("\n")
    assert blanked.split() == ["x", "=", "1"]


def test_files_that_cannot_be_read_as_code_are_skipped_with_a_note(tmp_path: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    (package / "__init__.py").write_text("def relu(z):\n    return z * (z > 0)\n")
    (package / "binary.py").write_bytes(b"\x00\x01\x02")
    (package / "latin1.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    (package / "huge.py").write_text("x = 1\n" * (similarity.MAX_FILE_BYTES // 6 + 1))
    (package / "link.py").symlink_to(package / "__init__.py")
    (package / "notes.txt").write_text("not code")
    source = similarity.read_source(package)
    assert [name for name, _ in source.files] == ["__init__.py"]
    assert sorted(source.notes) == ["binary.py: skipped (binary)",
                                    f"huge.py: skipped (larger than {similarity.MAX_FILE_BYTES} bytes)",
                                    "latin1.py: skipped (not UTF-8 text)", "link.py: skipped (not a regular file)"]
    data = similarity.report([str(package), str(tmp_path / "missing.py")])
    assert len(data["notes"]) == 5 and "missing.py: no .py file to read" in data["notes"][-1]


def test_the_markdown_escapes_what_a_submission_wrote_and_the_json_holds_the_same_data(tmp_path: Path) -> None:
    code = "def f(a):\n    return '<script>alert(1)</script> | `x` \x1b[31m'  # " + "a = a + 1; " * 20 + "\n"
    body = "".join(f"def g{index}(v):\n    w = v * {index} + v ** 2 - v / 3\n    return w, v, [w, v]\n"
                   for index in range(12))
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(code + body)
    text = similarity.markdown(similarity.report([str(tmp_path / "a.py"), str(tmp_path / "b.py")]))
    assert "yes |" in text and "<pre>" in text
    assert "<script>" not in text and "`x`" not in text and "\x1b" not in text
    assert "&lt;script&gt;" in text and "&#124;" in text and "\\x1b" in text

    path = tmp_path / "similarity.json"  # the same data as JSON, by the file's suffix
    data = similarity.write(str(path), [str(tmp_path / "a.py"), str(tmp_path / "b.py")])
    assert json.loads(path.read_text()) == data and data["flagged"] == 1
    assert data["rows"][0]["first_region"]["excerpt"] == data["rows"][0]["second_region"]["excerpt"]


def test_batch_mode_writes_the_report_and_changes_no_score_or_exit_code(tmp_path: Path) -> None:
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    correct = (REPOSITORY / "examples" / "learner_correct.py").read_text()
    (submissions / "alice.py").write_text(correct)
    (submissions / "bob.py").write_text(renamed(correct))  # sigmoid renamed too: "not implemented", score 0
    report, roster = tmp_path / "similarity.md", tmp_path / "roster.json"
    finished = subprocess.run(
        [sys.executable, "-m", "nnspec.grade", str(submissions), "--chapter", "activations", "--requirement",
         "ACT-SIGMOID-VALUES", "--roster", str(roster), "--similarity", str(report)],
        cwd=REPOSITORY, capture_output=True, text=True, check=False,
    )
    rows = {Path(row["submission"]).name: row for row in json.loads(roster.read_text())}
    assert finished.returncode == 1, finished.stderr  # bob's, as without the report
    assert {name: (row["score"], row["exit_code"]) for name, row in rows.items()} == {
        "alice.py": (1.0, 0), "bob.py": (0.0, 1)}
    assert f"similarity report written to {report}: 1 of 3 comparisons" in finished.stdout
    text = report.read_text()
    assert similarity.HEADER in text
    assert re.search(r"\| 1 \| pair \| \S*alice\.py \| \S*bob\.py \| 0\.9\d\d \|.* yes \|", text)
