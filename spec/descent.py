"""Gradient descent with the implementation's own functions, as one chain of calls.

The network and experiments chapters check ``train`` and the documents' training claims against descent made of the
submission's own ``forward``, ``backward`` and ``update_parameters`` (and ``compute_cost``): up to thousands of
calls per requirement, each step's arguments being the previous step's results. ``runs`` writes them down in
advance as one chain (``impl.chain``, spec/impl.py): in process the same calls made one by one; through ``nnspec
grade`` one message to the worker, which makes them in this order, each run to its end before the next and each
step's forward before its backward, and answers each call as it returns. Every call is observed and checked in the
grader as on its own, so nothing is decided in the worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from spec.impl import Earlier

Params = dict[str, np.ndarray]
Segment = tuple[np.ndarray, np.ndarray, int]  # (X (n_x, m), Y (n_y, m), steps): full-batch steps on these samples
Run = tuple[Params, Sequence[Segment]]  # the starting parameters, then its segments one after the other


def runs(impl: Any, planned: Sequence[Run], learning_rate: float, activations: tuple[str, str, str],
         record_costs: bool = True) -> list[tuple[Params, list[float]]]:
    """Each run's (parameters after its last step, costs before each step): every step is ``forward``, then (with
    ``record_costs``) ``compute_cost`` of its output, ``backward`` and ``update_parameters``, positional as
    ``forward(X, parameters, hidden, output)``; ``activations``: (hidden_activation, output_activation, loss).
    A run without steps ends at its start; without ``record_costs`` its costs are empty."""
    hidden, output, loss = activations
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    ends: list[tuple[Any, list[int]]] = []
    for start, segments in planned:
        parameters: Any = start
        costs: list[int] = []  # the calls whose results are the run's costs
        for X, Y, steps in segments:
            for _ in range(steps):
                forward = len(calls)
                calls.append(("forward", (X, parameters, hidden, output), {}))
                AL, caches = Earlier(forward, 0), Earlier(forward, 1)
                if record_costs:
                    costs.append(len(calls))
                    calls.append(("compute_cost", (AL, Y, loss), {}))
                calls.append(("backward", (AL, Y, caches, hidden, output, loss), {}))
                calls.append(("update_parameters", (parameters, Earlier(len(calls) - 1), learning_rate), {}))
                parameters = Earlier(len(calls) - 1)
        ends.append((parameters, costs))
    results = impl.chain(calls) if calls else []
    return [(end.value(results) if isinstance(end, Earlier) else end, [float(results[i]) for i in costs])
            for end, costs in ends]
