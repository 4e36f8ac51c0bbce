"""A failing call in the learner's own terms, under an assignment profile.

The spec calls contract functions; under a profile the learner wrote others. A failure's line to reproduce is then
the learner's own call, as the worker made it (``nnspec.grade.mapping``: their name, their argument order, the
transforms and the assignment's layout), followed by how the profile maps the contract's call onto it. A function
the profile's adapter makes of the learner's code (document 004's classes, the course's per-variable optimizers) is
no one call of theirs: the message says what the adapter does instead (a built-in adapter's ``MADE_OF``).
"""

from __future__ import annotations

from typing import Any

from nnspec.grade import mapping
from nnspec.grade.adapters import BUILTIN
from nnspec.profiles import Profile
from nnspec.profiles.starter import call
from spec.contract import FUNCTIONS


def learner_call(profile: Profile, name: str, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> tuple[str, list[Any], dict[str, Any]] | None:
    """(the learner's function, its positional and keyword arguments) that the contract call ``name(*args,
    **kwargs)`` became; None when the profile does not map ``name`` to one function of the learner's."""
    table = profile.mapping()["functions"].get(name)
    if table is None:
        return None
    learner_args, learner_kwargs, _ = mapping.learner_arguments(table, args, kwargs)
    return table["name"], learner_args, learner_kwargs


def mapped(profile: Profile, name: str) -> str:
    """How the profile turns the contract's ``name`` into the learner's call, in the contract's parameter names."""
    table = profile.functions[name]
    layout, _ = profile.layout_of(name)
    return (f"(the grader's {name}{FUNCTIONS[name]}, which the profile {profile.name} makes "
            f"{call(table.get('name', name), table)}, arrays {layout})")


def adapted(profile: Profile, name: str) -> str:
    """What the profile's adapter makes ``name`` of: the learner's code has no function of that name to call."""
    made_of = getattr(BUILTIN.get(profile.adapter), "MADE_OF", {}).get(name)
    how = f": your {made_of}" if made_of else f" (see the adapter {profile.adapter})"
    return (f"{name} is not a function of yours: the profile {profile.name}'s adapter makes it of your code{how}, "
            "with the inputs above")
