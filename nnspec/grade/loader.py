"""Importing an implementation by path or name: the one loader of ``spec.impl`` and of the grader's worker.

Standard library only: this module is part of the small worker runtime copied into each worker (see
``nnspec.grade.sandbox``), where neither ``spec`` nor the rest of ``nnspec`` can be imported.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType

# The answer key and the grader: never importable by a submission (the worker's path does not hold them).
UNAVAILABLE = ("reference", "spec", "nnspec")
UNAVAILABLE_NOTE = ("note: the module {name!r} is not available to submissions: the grader runs a submission with "
                    "the standard library and its allowed libraries only (not the reference, the spec or nnspec)")
LOADER_FILE = str(Path(__file__).resolve())
CONTRACT_ATTRIBUTE = "NNSPEC_CONTRACT"  # the contract version a submission may declare


class ImplementationLoadError(Exception):
    """The implementation could not be imported; ``details`` holds its formatted traceback."""

    def __init__(self, target: str, details: str) -> None:
        super().__init__(f"could not import the implementation {target!r}")
        self.target = target
        self.details = details


def load_module(target: str) -> ModuleType:
    """Import ``target``: a .py file, a package folder, or a dotted module name. Raises ImplementationLoadError
    (with the submission's own traceback) for anything the import raises except KeyboardInterrupt."""
    try:
        path = Path(target)
        is_path = target.endswith(".py") or path.exists()
        return _load_path(path) if is_path else importlib.import_module(target)
    except BaseException as error:  # a submission may raise anything at import, even SystemExit
        if isinstance(error, KeyboardInterrupt):
            raise
        raise ImplementationLoadError(target, submission_traceback(error)) from error


def unavailable_note(error: BaseException) -> str:
    """The explanation for an import of the reference, the spec or nnspec, or "" for any other error."""
    name = getattr(error, "name", None)
    if isinstance(error, ModuleNotFoundError) and isinstance(name, str) and name.split(".")[0] in UNAVAILABLE:
        return UNAVAILABLE_NOTE.format(name=name.split(".")[0])
    return ""


def submission_traceback(error: BaseException, hidden: tuple[str, ...] = ()) -> str:
    """The formatted traceback without the loader's own frames, importlib's, or those of files under ``hidden``."""
    report = traceback.TracebackException.from_exception(error)
    frames = [
        frame for frame in report.stack
        if not frame.filename.startswith("<frozen") and str(Path(frame.filename).resolve()) != LOADER_FILE
        and not any(str(Path(frame.filename).resolve()).startswith(folder) for folder in hidden)
    ]
    report.stack = traceback.StackSummary.from_list(frames)
    note = unavailable_note(error)
    return "".join(report.format()) + (note + "\n" if note else "")


def _load_path(path: Path) -> ModuleType:
    path = path.resolve()
    init = path / "__init__.py" if path.is_dir() else path
    if not init.is_file():
        raise FileNotFoundError(f"no Python file at {init} (expected a .py file or a package folder)")
    private = "_nnspec_impl_" + hashlib.sha1(str(path).encode()).hexdigest()[:12]
    locations = [str(path)] if path.is_dir() else None
    module_spec = importlib.util.spec_from_file_location(private, init, submodule_search_locations=locations)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {init} as a module")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[private] = module  # a package's relative imports look itself up here
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[private]
        raise
    return module


def origin(module: ModuleType, target: str) -> str:
    """``target (file)``: where the implementation came from, for the reports."""
    file = getattr(module, "__file__", None)
    return f"{target} ({file})" if file else target
