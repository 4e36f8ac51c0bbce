"""The "no frameworks" rule ("No PyTorch, no TensorFlow, only NumPy"): a static look at the submission's source
and a look at the modules its import loaded in the worker."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from spec.requirements import Requirement

NO_FRAMEWORKS = Requirement(
    "IMPL-NO-FRAMEWORKS",
    "the submission uses no deep-learning or autograd framework (no PyTorch, no TensorFlow, only NumPy)",
    "000_039af9d5df909942.txt, module deliverables: \"No PyTorch, no TensorFlow, only NumPy\"",
)
IMPORT_CALLS = {"__import__", "import_module"}  # importlib.import_module("torch") and __import__("torch")


def source_files(target: str) -> list[Path]:
    """The submission's own Python files: the .py file, or every .py file under the package folder."""
    path = Path(target)
    if path.is_dir():
        return sorted(path.rglob("*.py"))
    return [path] if path.suffix == ".py" and path.is_file() else []


def static_imports(files: Iterable[Path], forbidden: Iterable[str]) -> list[str]:
    """``file:line: import torch`` for every import of a forbidden top-level module in ``files``."""
    banned = set(forbidden)
    findings = []
    for file in files:
        try:
            tree = ast.parse(file.read_text(encoding="utf-8", errors="replace"), filename=str(file))
        except SyntaxError:
            continue  # the import itself reports it
        for node in ast.walk(tree):
            for name in _imported(node):
                if name.split(".")[0] in banned:
                    findings.append(f"{file}:{getattr(node, 'lineno', '?')}: imports {name}")
    return findings


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module]
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        if name in IMPORT_CALLS and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def check(target: str, loaded_modules: Iterable[str], forbidden: Iterable[str]) -> str:
    """The failure message of IMPL-NO-FRAMEWORKS, or "" when the submission is framework-free."""
    banned = sorted(set(forbidden))
    found = static_imports(source_files(target), banned)
    loaded = sorted(set(loaded_modules) & set(banned))
    if not found and not loaded:
        return ""
    lines = [f"[{NO_FRAMEWORKS.id}] {NO_FRAMEWORKS.statement} (source: {NO_FRAMEWORKS.source})"]
    lines += [f"the source {finding}" for finding in found]
    if loaded:
        lines.append(f"importing the submission loaded: {', '.join(loaded)}")
    lines.append("write the computation with NumPy only: every gradient by hand, as the contract asks")
    return "\n".join(lines)
