"""What each requirement needs of an implementation: the contract functions it calls, the values it passes to their
choice arguments, and the conventions of the contract it relies on.

A grade under an assignment profile (``nnspec.profiles``) uses this to decide, before anything runs, which
requirements the assignment can meet: one that needs a function the assignment does not have, a choice the
assignment pins to another value in every one of its cases, or a convention the assignment settles otherwise, is
"not applicable".

Two sources, both kept in spec/:

- ``needs.json``, generated (``python tools/record_needs.py``, with ``spec.recording``): per requirement, the
  functions its tests call and, per function and choice argument (``choice_parameters``), every value they pass
  (a left-out argument counts as its contract default). It is recorded by running the spec on the reference with
  every call observed, plus the ``impl.NAME`` a test names in its own body (so a chapter skipped when recorded,
  torch without PyTorch, still lists its functions). ``tests/test_needs.py`` records again and compares.
- ``conventions.toml``, written by hand: per convention, the contract's choice, what other assignments choose, and
  the requirements that hold only under the contract's choice (and, as ``calls``, a rule deciding single calls).
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from spec.contract import FUNCTIONS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
NEEDS_FILE = HERE / "needs.json"
CONVENTIONS_FILE = HERE / "conventions.toml"
ANY = "*"  # a recorded value that is not a plain choice (an array, a float): no profile pins it
CHOICE_TYPES = (str, bool, int, type(None))  # values recorded as they are; others are ANY

Needs = dict[str, dict[str, Any]]  # requirement ID -> {"functions": [...], "arguments": {"f.param": [values]}}


def contract_parameters(name: str) -> inspect.Signature:
    """The contract's signature of ``name`` (spec/contract.py) as an ``inspect.Signature`` with its defaults."""
    namespace: dict[str, Any] = {}
    exec(f"def {name}{FUNCTIONS[name]}: pass", namespace)  # the table's own literals, nothing else
    return inspect.signature(namespace[name])


@functools.cache
def choice_parameters(name: str) -> tuple[str, ...]:
    """The parameters of contract function ``name`` that select a behaviour rather than carry data: those with a
    default (activations, loss, method, seed, batch size, axis, hyperparameters)."""
    return tuple(parameter.name for parameter in contract_parameters(name).parameters.values()
                 if parameter.default is not inspect.Parameter.empty)


def choices(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The value of every choice parameter in a call of contract function ``name`` (defaults filled in); values
    that are not plain choices are ``ANY``."""
    try:
        bound = contract_parameters(name).bind(*args, **kwargs)
    except TypeError:
        return {}
    bound.apply_defaults()
    return {parameter: _plain(bound.arguments[parameter]) for parameter in choice_parameters(name)}


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not isinstance(value, bool):
        return value if value == int(value) else ANY
    return value if isinstance(value, CHOICE_TYPES) else ANY


def named_in_tests(spec_dir: Path = HERE) -> dict[str, set[str]]:
    """Per test function name, the contract functions its body names as ``impl.NAME`` or ``impl.raw("NAME")``."""
    named: dict[str, set[str]] = {}
    for path in sorted(spec_dir.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                named[node.name] = {name for inner in ast.walk(node) for name in [_impl_name(inner)] if name}
    return named


def _impl_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "impl" \
            and node.attr in FUNCTIONS:
        return node.attr
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "raw" \
            and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in FUNCTIONS:
        return str(node.args[0].value)
    return None


def as_table(recorded: dict[str, dict[str, Any]], requirement_tests: dict[str, str]) -> Needs:
    """The JSON table: per requirement ID (``requirement_tests`` maps each to its test function's name), sorted
    functions and sorted argument values (``None`` sorts first)."""
    named = named_in_tests()
    table: Needs = {}
    for req_id, test in sorted(requirement_tests.items()):
        entry = recorded.get(req_id, {"functions": set(), "arguments": {}})
        table[req_id] = {
            "functions": sorted(entry["functions"] | named.get(test, set())),
            "arguments": {key: sorted(values, key=lambda value: (type(value).__name__, str(value)))
                          for key, values in sorted(entry["arguments"].items())},
        }
    return table


@functools.cache
def load() -> Needs:
    """spec/needs.json."""
    table: Needs = json.loads(NEEDS_FILE.read_text())
    return table


@functools.cache
def conventions() -> dict[str, dict[str, Any]]:
    """spec/conventions.toml: convention name -> {"contract": value, "statement": ..., "requirements": [IDs]}."""
    with CONVENTIONS_FILE.open("rb") as file:
        return tomllib.load(file)
