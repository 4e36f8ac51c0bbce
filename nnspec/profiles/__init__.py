"""Assignment profiles: an assignment's own API described against the contract, so that code written to it is
graded on what the assignment asks, and nothing else.

A profile is a TOML file (the built-in ones are the ``*.toml`` files of this package; copy one and edit it):

    [profile]
    description = "one line, for `nnspec profiles`"
    layout = "column-major"            # the only layout the mapping handles today
    adapter = ""                       # optional: a module with adapt(module) -> {contract name: function}, and
    adapter_functions = []             #   the names it returns: a built-in one (nnspec.grade.adapters) or one on
                                       #   the worker's path ([worker] paths)

    [conventions]                      # where the assignment settles what the contract settles otherwise
    updates = "in place"               # names and contract values: spec/conventions.toml

    [functions.forward]                # one table per contract function the assignment has
    name = "L_model_forward"           # the learner's name for it (default: the contract's)
    args = ["X", "parameters"]         # what the learner's function takes, in order (nnspec.grade.mapping)
    kwargs = {}                        # learner keyword -> the same kind of entry
    fixed = {hidden_activation = "relu", output_activation = "sigmoid"}   # the choices it pins ("=None": None)
    returns = 0                        # optional: pick from the tuple it returns
    drop_keys = ["dA"]                 # optional: dict keys to leave out of its result
    signature = "(X, params)"          # optional: its parameter list in `nnspec starter --profile` (else made)

Every contract parameter the learner's function does not take is pinned: to its ``fixed`` value, else to the
contract's default, unless listed in ``ignore`` (taken and dropped: the assignment's function has its own way,
whose consequences are a convention). A function of the adapter may have a table too: only its ``args``, ``fixed``
and ``ignore`` are read, to say which choices the adapter's function pins (it is not mapped, and has no stub in the
starter). What a profile cannot make of a call is decided by ``applicability``.
Only the mapping (``Profile.mapping``: data) goes to the worker, which applies it (``nnspec.grade.mapping``).
"""

from __future__ import annotations

import argparse
import ast
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spec.contract import FUNCTIONS
from spec.needs import contract_parameters, conventions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

BUILTIN_DIR = Path(__file__).resolve().parent
SECTIONS = {"profile", "conventions", "functions"}
PROFILE_KEYS = {"description", "layout", "adapter", "adapter_functions"}
FUNCTION_KEYS = {"name", "args", "kwargs", "fixed", "ignore", "returns", "drop_keys", "signature"}
LITERAL_PREFIX = "="  # an ARG or a fixed value written as a Python literal: "=None"
LAYOUTS = ("column-major",)


class ProfileError(ValueError):
    """A profile that cannot be read, or that names something the contract does not have."""


@dataclass(frozen=True)
class Profile:
    """A parsed profile: ``functions`` maps each contract function the assignment has to its table."""

    name: str
    source: str
    description: str
    conventions: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    adapter: str = ""
    adapter_functions: tuple[str, ...] = ()

    def has(self, function: str) -> bool:
        return function in self.functions or function in self.adapter_functions

    def pinned(self, function: str) -> dict[str, Any]:
        """The value each choice of ``function`` is pinned to (the parameters it does not take, not ignored)."""
        table = self.functions.get(function)
        if table is None:
            return {}
        taken = set(_names(table.get("args", []))) | set(_names(list(table.get("kwargs", {}).values())))
        ignored = set(table.get("ignore", []))
        pinned = {}
        for parameter in contract_parameters(function).parameters.values():
            if parameter.name in taken or parameter.name in ignored:
                continue
            if parameter.name in table.get("fixed", {}):
                pinned[parameter.name] = literal(table["fixed"][parameter.name])
            elif parameter.default is not inspect.Parameter.empty:
                pinned[parameter.name] = parameter.default
        return pinned

    def mapping(self) -> dict[str, Any]:
        """What the worker needs (``nnspec.grade.mapping``): plain data."""
        functions = {}
        for name, table in self.functions.items():
            if name in self.adapter_functions:
                continue
            parameters = [[p.name, p.default is not inspect.Parameter.empty,
                           None if p.default is inspect.Parameter.empty else p.default]
                          for p in contract_parameters(name).parameters.values()]
            functions[name] = {"name": table.get("name", name), "parameters": parameters,
                               "args": table.get("args", [p[0] for p in parameters]),
                               "kwargs": table.get("kwargs", {}), "returns": table.get("returns"),
                               "drop_keys": table.get("drop_keys", [])}
        return {"adapter": self.adapter, "functions": functions}


def literal(value: Any) -> Any:
    """A ``fixed`` value: a string ``"=LITERAL"`` is that Python literal (TOML has no None: ``"=None"``)."""
    return ast.literal_eval(value[1:]) if isinstance(value, str) and value.startswith(LITERAL_PREFIX) else value


def _names(specs: list[Any]) -> list[str]:
    """The contract parameters a list of mapping ARGs reads (nested lists included; ``ones_like:NAME`` reads NAME)."""
    names: list[str] = []
    for spec in specs:
        if isinstance(spec, list):
            names += _names(spec)
        elif isinstance(spec, str) and not spec.startswith(LITERAL_PREFIX):
            names.append(spec.removeprefix("ones_like:"))
    return names


def builtin() -> dict[str, Path]:
    """The built-in profiles: name -> file."""
    return {path.stem: path for path in sorted(BUILTIN_DIR.glob("*.toml"))}


def load(name_or_path: str) -> Profile:
    """A built-in profile by name, or a profile file; ProfileError naming the problem."""
    path = builtin().get(name_or_path) or Path(name_or_path)
    if not path.is_file():
        raise ProfileError(f"no profile {name_or_path!r}: neither a built-in one ({', '.join(builtin())}) nor a file")
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"the profile {path} cannot be read: {error}") from error
    return parse(data, path.stem, str(path))


def parse(data: dict[str, Any], name: str, source: str) -> Profile:
    """A profile from its TOML data, checked against the contract and spec/conventions.toml."""
    _check(set(data), SECTIONS, f"the profile {source}")
    head = data.get("profile", {})
    _check(set(head), PROFILE_KEYS, "[profile]")
    if head.get("layout", LAYOUTS[0]) not in LAYOUTS:
        raise ProfileError(f"[profile] layout must be one of {', '.join(LAYOUTS)}, got {head['layout']!r}")
    known = conventions()
    for key, value in data.get("conventions", {}).items():
        if key not in known:
            raise ProfileError(f"[conventions] {key} is not a convention (known: {', '.join(sorted(known))})")
        if not isinstance(value, (str, int, float, bool)):
            raise ProfileError(f"[conventions] {key} must be a string or a number, got {value!r}")
    functions = data.get("functions", {})
    for function, table in functions.items():
        _check_function(function, table)
    adapter_functions = tuple(head.get("adapter_functions", []))
    unknown = sorted(set(adapter_functions) - set(FUNCTIONS))
    if unknown:
        raise ProfileError(f"[profile] adapter_functions names {', '.join(unknown)}, not contract functions")
    return Profile(name, source, str(head.get("description", "")), dict(data.get("conventions", {})), functions,
                   str(head.get("adapter", "")), adapter_functions)


def _check_function(function: str, table: dict[str, Any]) -> None:
    if function not in FUNCTIONS:
        raise ProfileError(f"[functions.{function}]: {function} is not a contract function (spec/contract.py)")
    _check(set(table), FUNCTION_KEYS, f"[functions.{function}]")
    parameters = set(contract_parameters(function).parameters)
    named = _names(table.get("args", [])) + _names(list(table.get("kwargs", {}).values())) \
        + list(table.get("fixed", {})) + list(table.get("ignore", []))
    wrong = sorted(set(named) - parameters)
    if wrong:
        raise ProfileError(f"[functions.{function}] names {', '.join(wrong)}, not parameters of the contract's "
                           f"{function}{FUNCTIONS[function]}")


def _check(keys: set[str], allowed: set[str], where: str) -> None:
    unknown = sorted(keys - allowed)
    if unknown:
        raise ProfileError(f"unknown key(s) {', '.join(unknown)} in {where} (allowed: {', '.join(sorted(allowed))})")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``profiles`` sub-command: one line per built-in profile."""
    parser = commands.add_parser(
        "profiles", help="list the built-in assignment profiles (for nnspec grade --profile NAME)",
        description="Lists the built-in assignment profiles, one per line: its name and what it describes. Each is "
        "a TOML file you can copy and edit (the file is shown with --files).")
    parser.add_argument("--files", action="store_true", help="also print each profile's file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    for name, path in builtin().items():
        profile = load(name)
        print(f"{name:<20} {profile.description}" + (f"  [{path}]" if args.files else ""))
    return 0
