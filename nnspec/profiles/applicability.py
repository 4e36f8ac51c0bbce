"""Which requirements an assignment profile can meet: decided from what each requirement needs (spec/needs.py).

Before anything runs (``not_applicable``), a requirement is not applicable when

- it holds only under a convention of the contract (spec/conventions.toml) that the profile settles otherwise;
- the profile has none of the contract functions it calls;
- a choice the profile pins (``Profile.pinned``) takes, in every one of its calls, another value.

While it runs (``unmappable``), a single call the profile cannot make (a function it lacks, a pinned choice with
another value, an array of samples that is not 2-D for a row-major function, which has no rows to take as samples)
skips that case as not applicable: the requirement is graded on its other cases, and is not
applicable when none is left. Both are the grader's decisions, made in the grader: nothing the submission's
process says can make a requirement not applicable.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from nnspec.profiles import COLUMN_MAJOR, Profile
from spec import layout, needs
from spec.needs import contract_parameters

NOT_APPLICABLE = "not applicable: "  # the skip reason's prefix (the report's status "not applicable")


def not_applicable(profile: Profile, table: needs.Needs | None = None) -> dict[str, str]:
    """Requirement ID -> why it is not applicable under ``profile`` (only those that are not)."""
    table = needs.load() if table is None else table
    reasons = {}
    for req_id, entry in table.items():
        reason = _convention(profile, req_id) or _functions(profile, entry) or _pinned(profile, entry)
        if reason:
            reasons[req_id] = reason
    return reasons


def _convention(profile: Profile, req_id: str) -> str:
    for name, convention in needs.conventions().items():
        value = profile.conventions.get(name, convention["contract"])
        if req_id in convention["requirements"] and value != convention["contract"]:
            return (f"the assignment's convention {name} is {value!r}; this requirement checks "
                    f"{convention['contract']!r}")
    return ""


def _functions(profile: Profile, entry: dict[str, Any]) -> str:
    functions = entry["functions"]
    if functions and not any(profile.has(name) for name in functions):
        return f"the assignment has none of {', '.join(functions)}"
    return ""


def _pinned(profile: Profile, entry: dict[str, Any]) -> str:
    for function in entry["functions"]:
        for parameter, value in profile.pinned(function).items():
            used = entry["arguments"].get(f"{function}.{parameter}")
            if used is not None and not any(_same(value, other) for other in used):
                return (f"the assignment's {function} always has {parameter}={value!r}; this requirement calls it "
                        f"with {', '.join(map(repr, used))}")
    return ""


def unmappable(profile: Profile, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Why ``profile`` cannot make this call of contract function ``name`` ("" when it can)."""
    if not profile.has(name):
        return f"the assignment has no {name}"
    pinned = profile.pinned(name)
    try:
        bound = contract_parameters(name).bind(*args, **kwargs)
    except TypeError:
        return ""  # the spec's own call is checked by the spec, not here
    bound.apply_defaults()
    for rule, convention in _call_rules(profile):
        reason = CALL_RULES[rule](name, bound.arguments)
        if reason:
            return f"{reason}, where the assignment's convention {convention} differs from the contract's"
    for parameter, value in pinned.items():
        given = bound.arguments.get(parameter, inspect.Parameter.empty)
        if not _same(value, given):
            return f"the assignment's {profile.functions[name].get('name', name)} always has {parameter}={value!r}, " \
                   f"and this case calls {name} with {parameter}={_short(given)}"
    return _not_rows(profile, name, bound.arguments)


def _not_rows(profile: Profile, name: str, arguments: dict[str, Any]) -> str:
    """Why a row-major function cannot take this call: an array of samples (spec/layout.py) that is not 2-D has
    no rows to take as its samples."""
    if profile.layout_of(name)[0] == COLUMN_MAJOR:
        return ""
    for parameter, role in layout.ARGUMENTS.get(name, {}).items():
        value = arguments.get(parameter)
        if role == layout.SAMPLES and isinstance(value, np.ndarray) and value.ndim != 2:
            return f"the assignment's {profile.functions[name].get('name', name)} takes samples as the rows of a " \
                   f"2-D array, and this case calls {name} with {parameter} of shape {value.shape}"
    return ""


def _bce_rows(name: str, arguments: dict[str, Any]) -> str:
    """A binary cross-entropy over more than one output row: its mean over all elements and its sum over the rows
    divided by m differ (by the number of rows)."""
    uses_bce = name.startswith("binary_cross_entropy") or arguments.get("loss") == "binary_cross_entropy"
    Y = arguments.get("Y")
    if uses_bce and isinstance(Y, np.ndarray) and Y.ndim == 2 and Y.shape[0] > 1:
        return f"this case calls {name} with a binary cross-entropy over {Y.shape[0]} output rows"
    return ""


def _float32_inputs(name: str, arguments: dict[str, Any]) -> str:
    """A call with a float32 array among its arguments (or in a dict or tuple of them): under a float64-only
    assignment its result's precision is the assignment's own."""
    if any(_has_float32(value) for value in arguments.values()):
        return f"this case calls {name} with float32 arrays"
    return ""


def _has_float32(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype == np.float32
    if isinstance(value, dict):
        return any(_has_float32(item) for item in value.values())
    if isinstance(value, (tuple, list)):
        return any(_has_float32(item) for item in value)
    return False


CALL_RULES = {"bce_rows": _bce_rows, "float32_inputs": _float32_inputs}  # spec/conventions.toml's "calls"


def _call_rules(profile: Profile) -> list[tuple[str, str]]:
    """(rule, convention) for each convention with a call rule that ``profile`` settles otherwise."""
    return [(convention["calls"], name) for name, convention in needs.conventions().items()
            if "calls" in convention
            and profile.conventions.get(name, convention["contract"]) != convention["contract"]]


def _same(pinned: Any, given: Any) -> bool:
    if isinstance(given, np.ndarray) or isinstance(given, bool) != isinstance(pinned, bool):
        return False
    try:
        return bool(pinned == given)
    except (TypeError, ValueError):
        return False


def _short(value: Any) -> str:
    return f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else repr(value)
