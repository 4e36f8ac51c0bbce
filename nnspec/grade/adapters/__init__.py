"""The built-in adapters: trusted code that turns an assignment's objects into contract functions, each a module
with ``adapt(module) -> {contract name: function}`` (as an instructor's own adapter, ``nnspec.grade.mapping``).

Part of the worker runtime (copied into the sandbox; NumPy and the standard library only). A profile names one by
its module, e.g. ``adapter = "nnspec.grade.adapters.documents_004"``, without any ``[worker] paths``: the worker
imports them with ``nnspec.grade.mapping``, while its runtime is still on ``sys.path``.
"""

from __future__ import annotations

from types import ModuleType

from nnspec.grade.adapters import course_optimizers, documents_004

BUILTIN: dict[str, ModuleType] = {module.__name__: module for module in (course_optimizers, documents_004)}
