"""The "no frameworks" rule ("No PyTorch, no TensorFlow, only NumPy"): a static look at the submission's source
and a look at the modules its import loaded in the worker.

The submission's folder is untrusted: the scan reads only regular files that really lie inside it (a symlink is
followed only when it stays inside), never a directory, FIFO, socket or device named ``*.py``, each file at most
``MAX_SOURCE_BYTES``, in a folder of at most ``MAX_ENTRIES`` entries. A file it cannot read fails the rule with the
reason (the rule cannot be checked on it); nothing in the folder makes the scan raise or wait.
"""

from __future__ import annotations

import ast
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spec.requirements import Requirement

NO_FRAMEWORKS = Requirement(
    "IMPL-NO-FRAMEWORKS",
    "the submission uses no deep-learning or autograd framework (no PyTorch, no TensorFlow, only NumPy)",
    "000_039af9d5df909942.txt, module deliverables: \"No PyTorch, no TensorFlow, only NumPy\"",
)
IMPORT_CALLS = {"__import__", "import_module"}  # importlib.import_module("torch") and __import__("torch")
MAX_SOURCE_BYTES = 1 << 20  # a hand-written module is far smaller; larger files are not parsed
MAX_ENTRIES = 10_000  # files and folders looked at in one package
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)  # a FIFO opens at once


@dataclass
class Sources:
    """The submission's Python files that could be read (path, text) and why others could not."""

    texts: list[tuple[Path, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def source_files(target: str) -> Sources:
    """The submission's own Python files: the .py file, or every ``*.py`` under the package folder (directories
    are walked whatever their name; a symlink that leaves the folder is a problem, and is not followed)."""
    path = Path(target)
    sources = Sources()
    if not path.is_dir():
        if path.suffix == ".py":
            _read(path, path.parent.resolve(), sources)
        return sources
    root = path.resolve()
    candidates: list[Path] = []
    seen = 0
    for folder, directories, files in os.walk(root, onerror=lambda error: sources.problems.append(
            f"{error.filename}: not checked: the folder could not be listed ({error.strerror})")):
        seen += len(directories) + len(files)
        if seen > MAX_ENTRIES:
            sources.problems.append(f"{root}: more than {MAX_ENTRIES} files and folders; the rest were not checked")
            break
        for name in directories + files:
            entry = Path(folder, name)
            if entry.is_symlink() or (name.endswith(".py") and not entry.is_dir()):
                candidates.append(entry)
    for entry in sorted(candidates):
        _read(entry, root, sources)
    return sources


def _read(path: Path, root: Path, sources: Sources) -> None:
    """Add ``path``'s text to ``sources`` (when it is a .py file), or the reason it was not read."""
    try:
        real = path.resolve(strict=True)
        if real != root and not real.is_relative_to(root):
            raise ValueError(f"it links to {real}, outside the submission")
        if not path.name.endswith(".py") or (path.is_dir() and real.is_relative_to(root)):
            return  # a link to a folder inside the submission: walked where it really is
        descriptor = os.open(real, READ_FLAGS)
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                raise ValueError("it is not a regular file")
            if status.st_size > MAX_SOURCE_BYTES:
                raise ValueError(f"it is larger than {MAX_SOURCE_BYTES} bytes")
            data = os.read(descriptor, MAX_SOURCE_BYTES + 1)
        finally:
            os.close(descriptor)
        if len(data) > MAX_SOURCE_BYTES:
            raise ValueError(f"it is larger than {MAX_SOURCE_BYTES} bytes")
    except (OSError, ValueError, RuntimeError) as error:  # RuntimeError: a symlink loop (Python < 3.13)
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        sources.problems.append(f"{path}: not checked: {reason}")
        return
    sources.texts.append((path, data.decode("utf-8", errors="replace")))


def static_imports(sources: Iterable[tuple[Path, str]], forbidden: Iterable[str]) -> list[str]:
    """``file:line: import torch`` for every import of a forbidden top-level module in ``sources`` (path, text)."""
    banned = set(forbidden)
    findings = []
    for file, text in sources:
        try:
            tree = ast.parse(text, filename=str(file))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
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
    sources = source_files(target)
    found = static_imports(sources.texts, banned)
    loaded = sorted(set(loaded_modules) & set(banned))
    if not found and not loaded and not sources.problems:
        return ""
    lines = [f"[{NO_FRAMEWORKS.id}] {NO_FRAMEWORKS.statement} (source: {NO_FRAMEWORKS.source})"]
    lines += [f"the source {finding}" for finding in found]
    lines += [f"the rule could not be checked on {problem}" for problem in sources.problems]
    if loaded:
        lines.append(f"importing the submission loaded: {', '.join(loaded)}")
    lines.append("write the computation with NumPy only: every gradient by hand, as the contract asks")
    return "\n".join(lines)
