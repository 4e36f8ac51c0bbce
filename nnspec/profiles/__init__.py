"""Assignment profiles: an assignment's own API described against the contract, so that code written to it is
graded on what the assignment asks, and nothing else.

A profile is a TOML file (the built-in ones are the ``*.toml`` files of this package; copy one and edit it):

    [profile]
    description = "one line, for `nnspec profiles`"
    layout = "column-major"            # or "row-major": samples as rows, W (n_in, n_out) (nnspec.grade.layout)
    bias_shape = "(1, n)"              # a row-major assignment's biases: "(1, n)" or "(n,)"
    adapter = ""                       # optional: a module with adapt(module) -> {contract name: function}, and
    adapter_functions = []             #   the names it returns: a built-in one (nnspec.grade.adapters) or one on
                                       #   the worker's path ([worker] paths)
    values = []                        # optional: top-level values graded as data (nnspec.grade.values)
    notebook = "definitions"           # how a .ipynb runs: definitions, all or marked (nnspec.grade.notebook;
                                       #   --notebook-mode overrides it)
    libraries = []                     # optional: libraries the assignment uses (import names, e.g. torch and
                                       #   what it imports): offered to the worker, allowed by IMPL-NO-FRAMEWORKS
    optional_libraries = []            # offered too where installed (a CUDA build of torch loads nvidia's libraries)
    starter_code = '''class MLP: ...'''  # optional: skeletons of what the adapter reads (its classes), for the starter
    starter_cells = ['''x = NotImplemented''']  # optional: a values assignment's starter, one cell each; a value
                                       #   left as NotImplemented is graded as not written yet

    [conventions]                      # where the assignment settles what the contract settles otherwise
    updates = "in place"               # names and contract values: spec/conventions.toml

    [functions.forward]                # one table per contract function the assignment has
    name = "L_model_forward"           # the learner's name for it (default: the contract's)
    args = ["X", "parameters"]         # what the learner's function takes, in order (nnspec.grade.mapping)
    kwargs = {}                        # learner keyword -> the same kind of entry
    fixed = {hidden_activation = "relu", output_activation = "sigmoid"}   # the choices it pins ("=None": None)
    returns = 0                        # optional: pick from the tuple it returns
    drop_keys = ["dA"]                 # optional: dict keys to leave out of its result
    times_m = [0]                      # optional: result items multiplied back by the m an "over_m:" ARG divided by
    result_item = 0                    # optional: it returns only this item of the contract's tuple (others: None)
    signature = "(X, params)"          # optional: its parameter list in `nnspec starter --profile` (else made)
    layout = "row-major"               # optional: this function's own layout (and bias_shape), if not the profile's

Every contract parameter the learner's function does not take is pinned: to its ``fixed`` value, else to the
contract's default, unless listed in ``ignore`` (taken and dropped: the assignment's function has its own way,
whose consequences are a convention). A function of the adapter may have a table too: only its ``args``, ``fixed``
and ``ignore`` are read, to say which choices the adapter's function pins (it is not mapped, and has no stub in the
starter). What a profile cannot make of a call is decided by ``applicability``.
Under a row-major layout, each argument and result is converted by its role in the contract (spec/layout.py).
Only the mapping (``Profile.mapping``: data) goes to the worker, which applies it (``nnspec.grade.mapping``).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnspec.grade import values
from nnspec.grade.mapping import OVER_M, SEPARATOR, TRANSFORMS
from nnspec.grade.notebook import MODES
from spec import layout as roles
from spec.contract import FUNCTIONS
from spec.needs import contract_parameters, conventions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

BUILTIN_DIR = Path(__file__).resolve().parent
SECTIONS = {"profile", "conventions", "functions"}
LAYOUT_KEYS = {"layout", "bias_shape"}  # in [profile], and in a function's table for that function alone
PROFILE_KEYS = {"description", "adapter", "adapter_functions", "values", "notebook", "libraries",
                "optional_libraries", "starter_code", "starter_cells"} | LAYOUT_KEYS
FUNCTION_KEYS = {"name", "args", "kwargs", "fixed", "ignore", "returns", "drop_keys", "times_m", "result_item",
                 "signature"} | LAYOUT_KEYS
LITERAL_PREFIX = "="  # an ARG or a fixed value written as a Python literal: "=None"
COLUMN_MAJOR, ROW_MAJOR = "column-major", "row-major"
LAYOUTS = (COLUMN_MAJOR, ROW_MAJOR)
BIAS_SHAPES = ("(1, n)", "(n,)")  # a row-major assignment's biases (nnspec.grade.layout)


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
    layout: dict[str, str] = field(default_factory=dict)  # [profile] layout and bias_shape, as given
    values: tuple[str, ...] = ()
    notebook: str = ""  # a notebook mode, or "" for the command line's
    libraries: tuple[str, ...] = ()
    optional_libraries: tuple[str, ...] = ()
    starter_code: str = ""  # the skeletons of what an adapter reads (classes), for `nnspec starter --profile`
    starter_cells: tuple[str, ...] = ()  # the starter of an assignment of values: its cells, each Python source

    def offered(self) -> tuple[str, ...]:
        """The libraries the worker is offered: ``libraries``, and those of ``optional_libraries`` installed here."""
        return self.libraries + tuple(name for name in self.optional_libraries if importlib.util.find_spec(name))

    def has(self, function: str) -> bool:
        """Whether the assignment has contract function ``function`` (or, with ``values``, serves them)."""
        return function in self.functions or function in self.adapter_functions \
            or (function == values.FUNCTION and bool(self.values))

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

    def layout_of(self, function: str) -> tuple[str, str]:
        """(layout, bias shape) of ``function``: its table's, else the profile's, else column-major and (1, n)."""
        table = self.functions.get(function, {})
        return (table.get("layout", self.layout.get("layout", COLUMN_MAJOR)),
                table.get("bias_shape", self.layout.get("bias_shape", BIAS_SHAPES[0])))

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
                               "drop_keys": table.get("drop_keys", []), "times_m": table.get("times_m", []),
                               "result_item": _result_item(name, table), "layout": self._roles(name)}
        return {"adapter": self.adapter, "functions": functions, "values": list(self.values)}

    def _roles(self, function: str) -> dict[str, Any] | None:
        """A row-major function's roles (spec/layout.py) and bias shape, for ``nnspec.grade.layout``; None when
        it is column-major."""
        layout, bias_shape = self.layout_of(function)
        if layout == COLUMN_MAJOR:
            return None
        return {"arguments": roles.ARGUMENTS.get(function, {}), "result": roles.RESULTS.get(function),
                "bias": bias_shape}


def _result_item(function: str, table: dict[str, Any]) -> list[int] | None:
    """[index, length of the contract's tuple] for a function that returns only one item of it, else None."""
    if "result_item" not in table:
        return None
    return [table["result_item"], len(roles.RESULTS[function])]


def literal(value: Any) -> Any:
    """A ``fixed`` value: a string ``"=LITERAL"`` is that Python literal (TOML has no None: ``"=None"``)."""
    return ast.literal_eval(value[1:]) if isinstance(value, str) and value.startswith(LITERAL_PREFIX) else value


def _names(specs: list[Any]) -> list[str]:
    """The contract parameters a list of mapping ARGs reads (nested lists included; ``TRANSFORM:NAME`` reads NAME)."""
    return [name for _, name in _parts(specs)]


def _transforms(specs: list[Any]) -> list[str]:
    """The transforms a list of mapping ARGs names (``TRANSFORM:NAME``)."""
    return [transform for transform, _ in _parts(specs) if transform]


def _parts(specs: list[Any]) -> list[tuple[str, str]]:
    """(transform or "", contract parameter) of every ARG that names one, nested lists included."""
    parts: list[tuple[str, str]] = []
    for spec in specs:
        if isinstance(spec, list):
            parts += _parts(spec)
        elif isinstance(spec, str) and not spec.startswith(LITERAL_PREFIX):
            transform, _, name = spec.rpartition(SEPARATOR)
            parts.append((transform, name))
    return parts


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
    _check_layout(head, "[profile]")
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
    if head.get("notebook", MODES[0]) not in MODES:
        raise ProfileError(f"[profile] notebook must be one of {', '.join(MODES)}, got {head['notebook']!r}")
    named = _strings(head, "values")
    return Profile(name, source, str(head.get("description", "")), dict(data.get("conventions", {})), functions,
                   str(head.get("adapter", "")), adapter_functions,
                   {key: str(head[key]) for key in sorted(LAYOUT_KEYS) if key in head}, named,
                   str(head.get("notebook", "")), _strings(head, "libraries"), _strings(head, "optional_libraries"),
                   _starter_code(head), _starter_cells(head, named))


def _check_layout(table: dict[str, Any], where: str) -> None:
    for key, allowed in (("layout", LAYOUTS), ("bias_shape", BIAS_SHAPES)):
        if table.get(key, allowed[0]) not in allowed:
            raise ProfileError(f"{where} {key} must be one of {', '.join(allowed)}, got {table[key]!r}")


def _starter_code(head: dict[str, Any]) -> str:
    """``[profile] starter_code``: Python source with top-level definitions only; ProfileError otherwise."""
    code = str(head.get("starter_code", ""))
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise ProfileError(f"[profile] starter_code is not Python: {error}") from error
    if not all(isinstance(node, (ast.ClassDef, ast.FunctionDef)) for node in tree.body):
        raise ProfileError("[profile] starter_code must hold only class and function definitions")
    return code


def _starter_cells(head: dict[str, Any], named: tuple[str, ...]) -> tuple[str, ...]:
    """``[profile] starter_cells``: Python sources that, together, assign every one of ``values``; ProfileError
    otherwise."""
    cells = head.get("starter_cells", [])
    if not isinstance(cells, list) or not all(isinstance(cell, str) for cell in cells):
        raise ProfileError("[profile] starter_cells must be a list of strings (Python source, one per cell)")
    assigned: set[str] = set()
    for number, cell in enumerate(cells, 1):
        try:
            tree = ast.parse(cell)
        except SyntaxError as error:
            raise ProfileError(f"[profile] starter_cells, cell {number}, is not Python: {error}") from error
        assigned |= {node.id for node in ast.walk(tree)
                     if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    unassigned = [name for name in named if name not in assigned] if cells else []
    if unassigned:
        raise ProfileError(f"[profile] starter_cells assign no {', '.join(unassigned)}: the starter must have a "
                           "place for every one of values")
    return tuple(cells)


def _strings(head: dict[str, Any], key: str) -> tuple[str, ...]:
    """``[profile] key``: a list of names; ProfileError otherwise."""
    names = head.get(key, [])
    if not isinstance(names, list) or not all(isinstance(name, str) and name.isidentifier() for name in names):
        raise ProfileError(f"[profile] {key} must be a list of names, got {names!r}")
    return tuple(names)


def _check_function(function: str, table: dict[str, Any]) -> None:
    if function not in FUNCTIONS:
        raise ProfileError(f"[functions.{function}]: {function} is not a contract function (spec/contract.py)")
    _check(set(table), FUNCTION_KEYS, f"[functions.{function}]")
    _check_layout(table, f"[functions.{function}]")
    specs = table.get("args", []) + list(table.get("kwargs", {}).values())
    unknown = sorted(set(_transforms(specs)) - set(TRANSFORMS))
    if unknown:
        raise ProfileError(f"[functions.{function}] uses the transform(s) {', '.join(unknown)}; known: "
                           f"{', '.join(TRANSFORMS)}")
    items = roles.RESULTS.get(function)
    if "result_item" in table and not (isinstance(items, list) and table["result_item"] in range(len(items))):
        raise ProfileError(f"[functions.{function}] result_item must be an item of the tuple the contract's "
                           f"{function} returns")
    if table.get("times_m") and OVER_M not in _transforms(specs):
        raise ProfileError(f"[functions.{function}] times_m needs an \"{OVER_M}:\" ARG (the m it multiplies by)")
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
    width = max(map(len, builtin()))
    for name, path in builtin().items():
        profile = load(name)
        print(f"{name:<{width}}  {profile.description}" + (f"  [{path}]" if args.files else ""))
    return 0
