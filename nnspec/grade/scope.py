"""What the grader may call in a submission, decided in the grader before each call reaches the worker.

With an assignment profile: a contract function the profile does not have, or a call whose pinned choices differ
(``nnspec.profiles.applicability.unmappable``), skips the running case as "not applicable". Inside a hypothesis
test the example is rejected instead (``hypothesis.reject``), so that the examples the assignment can take are
still tested; when hypothesis finds none, the runner reports the case as not applicable with the reason kept here
(``take_rejected``). A test whose first ``REJECTIONS_BEFORE_SKIP`` examples were all rejected, before any call the
profile could make, is skipped at once: its mismatch is a parameter of the test, not a drawn value (that costs at
most some precision, never a point). Without a profile: a
function that has a contract name but cannot take the contract's arguments (a name collision, e.g. a course's
``predict(X, y, parameters)``) fails the requirement with a message saying so, instead of wrong numbers or a
TypeError deep in the call; and the notebook's values (``nnspec.grade.values``) are not applicable, whatever the
submission defines.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import pytest
from hypothesis import reject
from hypothesis.control import currently_in_test_context

from nnspec.grade import values
from nnspec.profiles import Profile
from nnspec.profiles.applicability import NOT_APPLICABLE, unmappable
from spec.contract import FUNCTIONS
from spec.needs import contract_parameters

Parameters = list[tuple[str, int]]  # a submission's function's parameters as the worker reports them: (name, kind)
POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
REJECTIONS_BEFORE_SKIP = 25  # a drawn mismatch with even a 1 in 8 chance of fitting survives this with p > 0.96
_rejected: list[str] = []  # why hypothesis examples of the running test were rejected
_made: list[str] = []  # the calls of the running test that the profile could make (only their number matters)


def check_function(profile: Profile | None, name: str, functions: dict[str, Parameters]) -> None:
    """Skip (not applicable) or fail (a collision) before contract function ``name`` is handed to the spec."""
    if profile is not None:
        if not profile.has(name):
            pytest.skip(f"{NOT_APPLICABLE}the assignment has no {name}")
        return
    if name == values.FUNCTION:
        pytest.skip(f"{NOT_APPLICABLE}only a profile that names the notebook's values (--profile) grades them")
    if name in functions and name in FUNCTIONS:
        message = collision(name, functions[name])
        if message:
            pytest.fail(message, pytrace=False)


def check_call(profile: Profile | None, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Skip the running case when ``profile`` cannot make this call."""
    if profile is not None:
        reason = unmappable(profile, name, args, kwargs)
        if not reason:
            _made.append(name)
            return
        if currently_in_test_context() and (_made or len(_rejected) < REJECTIONS_BEFORE_SKIP):
            _rejected.append(reason)
            reject()
        pytest.skip(NOT_APPLICABLE + reason)


def take_rejected() -> str:
    """The first reason an example was rejected for since the last call ("" if none), forgetting the running
    test's calls (called when a test starts and when it ends)."""
    reasons = _rejected[:1]
    _rejected.clear()
    _made.clear()
    return reasons[0] if reasons else ""


def collision(name: str, parameters: Parameters) -> str:
    """The message for a submission's ``name`` that cannot be the contract's (``""`` when it can): it has fewer
    positional parameters than the contract's required ones (and no ``*args``), or one of its first positional
    parameters is named like a contract parameter that comes at another place."""
    return _collision(name, tuple(parameters))


@functools.cache  # a pure function of the two, asked before each of thousands of calls
def _collision(name: str, parameters: tuple[tuple[str, int], ...]) -> str:
    kinds = [inspect._ParameterKind(kind) for _, kind in parameters]
    if inspect.Parameter.VAR_POSITIONAL in kinds:
        return ""
    positional = [pname for pname, kind in parameters if inspect._ParameterKind(kind) in POSITIONAL]
    contract = list(contract_parameters(name).parameters.values())
    required = [p.name for p in contract if p.default is inspect.Parameter.empty]
    places = {p.name: index for index, p in enumerate(contract)}
    misplaced = [pname for index, pname in enumerate(positional) if places.get(pname, index) != index]
    if len(positional) >= len(required) and not misplaced:
        return ""
    theirs = ", ".join(pname for pname, _ in parameters)
    ours = ", ".join(required) + (", ..." if len(contract) > len(required) else "")
    return (f"your `{name}({theirs})` does not take `({ours})`: rename it, or map it in the profile "
            f"(nnspec grade --profile; the contract's {name}{FUNCTIONS[name]})")
