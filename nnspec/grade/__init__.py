"""``nnspec grade``: run the spec against untrusted submissions, each isolated in a worker process.

Modules: ``wire`` (what crosses between processes), ``worker`` (where the submission runs), ``limits``
(resource limits and the worker's guard), ``proxy`` (the grader's side of a worker), ``runner`` (pytest on
spec/ with the proxy), ``config`` (points, required, hidden, limits), ``frameworks`` (the "only NumPy" rule),
``reports`` (terminal, JSON, Gradescope, JUnit, markdown), ``batch`` (many submissions), ``cli``.
"""

from nnspec.grade.cli import register

__all__ = ["register"]
