"""A profile's starter: the skeleton of the assignment's own functions (``nnspec starter --profile NAME``).

Each function the profile maps gets the learner's name, the assignment's signature (the table's ``signature``, else
one made from its ``args`` and ``kwargs``: a contract parameter keeps its name, a list of them is a ``cache``, a
``ones_like:`` argument is the upstream gradient ``dA``, a ``sigmoid:`` or ``tanh:`` one the activation ``a``), a
docstring saying which contract function it is graded as,
with what pinned and what it returns, and ``raise NotImplementedError``. The profile's ``starter_code`` (what its
adapter reads, e.g. classes) follows as written, when the whole starter is asked for; so do its ``starter_cells``
(an assignment of values: each value assigned ``NotImplemented``, which the grader counts as not written yet).
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

from nnspec.grade.mapping import SEPARATOR
from nnspec.profiles import COLUMN_MAJOR, LITERAL_PREFIX, Profile
from nnspec.starter import Stub, contract_text
from spec import layout as roles
from spec.contract import FUNCTIONS, SIGNATURES
from spec.needs import contract_parameters

CHAPTER_OF = {name: chapter for chapter, functions in SIGNATURES.items() for name in functions}
ADAPTED = "graded through the profile's adapter"  # the chapter heading of the starter_code's definitions
VALUES = "the values the grader reads"  # the chapter heading of the starter_cells
CACHE = "cache"  # the name of an argument built from several contract arguments
NAMED = {"ones_like": "dA", "sigmoid": "a", "tanh": "a"}  # the parameter a transformed ARG is (dA: the upstream
# gradient a backward step multiplies; a: an activation); other transforms keep the contract parameter's name
SHOWN = {"ones_like": "np.ones_like({})", "sigmoid": "sigmoid({})", "tanh": "np.tanh({})", "over_m": "{} / m"}


def stubs(profile: Profile, chapters: list[str] | None = None) -> list[Stub]:
    """The profile's functions (of ``chapters`` only, when given), in the contract's order."""
    chosen = [chapter.replace("_", " ") for chapter in chapters or SIGNATURES]
    definitions, _ = contract_text()
    result = []
    for name in FUNCTIONS:
        table = profile.functions.get(name)
        if table is None or name in profile.adapter_functions or CHAPTER_OF[name] not in chosen:
            continue
        own = table.get("name", name)
        signature = table.get("signature") or assignment_signature(name, table)
        lines = [f"{own}{signature}", "", f"Graded as the contract's {name}{FUNCTIONS[name]}: "
                 f"{definitions.get(name, 'see docs/contract.md')}", f"The grader calls it as {call(own, table)}."]
        pinned = profile.pinned(name)
        if pinned:
            lines.append("Only for " + ", ".join(f"{key}={value!r}" for key, value in pinned.items()) + ".")
        if table.get("returns") is not None:
            lines.append(f"Returns a tuple; item {table['returns']} is the contract's result.")
        layout, bias_shape = profile.layout_of(name)
        if layout != COLUMN_MAJOR and name in roles.ARGUMENTS:
            lines.append(f"Row-major: samples are rows, W is (n_in, n_out), biases are {bias_shape}.")
        result.append(Stub(own, signature, CHAPTER_OF[name], "\n".join(lines)))
    return result + (code_stubs(profile) + cell_stubs(profile) if chapters is None else [])


def code_stubs(profile: Profile) -> list[Stub]:
    """The definitions of the profile's ``starter_code`` (what its adapter reads, e.g. classes), one each."""
    code = profile.starter_code
    return [Stub(node.name, "", ADAPTED, "", ast.get_source_segment(code, node, padded=True) or "")
            for node in ast.parse(code).body if isinstance(node, (ast.ClassDef, ast.FunctionDef))]


def cell_stubs(profile: Profile) -> list[Stub]:
    """The profile's ``starter_cells``, one each, written out as they are."""
    return [Stub(f"cell {number}", "", VALUES, "", cell) for number, cell in enumerate(profile.starter_cells, 1)]


def assignment_signature(name: str, table: dict[str, Any]) -> str:
    """The learner's parameter list, made from the mapping (positional ``args``, then ``kwargs`` with the contract's
    defaults of the parameters they carry)."""
    contract = contract_parameters(name).parameters
    names = [_parameter(spec, index) for index, spec in enumerate(table.get("args", list(contract)))]
    for key, spec in table.get("kwargs", {}).items():
        default = contract[spec].default if isinstance(spec, str) and spec in contract else inspect.Parameter.empty
        names.append(key if default is inspect.Parameter.empty else f"{key}={default!r}")
    return f"({', '.join(names)})"


def call(own: str, table: dict[str, Any]) -> str:
    """How the grader calls the learner's function, in the contract's parameter names."""
    arguments = [_argument(spec) for spec in table.get("args", [])]
    arguments += [f"{key}={_argument(spec)}" for key, spec in table.get("kwargs", {}).items()]
    return f"{own}({', '.join(arguments)})"


def _argument(spec: Any) -> str:
    if isinstance(spec, list):
        return "(" + ", ".join(_argument(item) for item in spec) + ")"
    if spec.startswith(LITERAL_PREFIX):
        return str(spec.removeprefix(LITERAL_PREFIX))
    transform, _, name = spec.rpartition(SEPARATOR)
    return SHOWN[transform].format(name) if transform else name


def _parameter(spec: Any, index: int) -> str:
    if isinstance(spec, list):
        return CACHE
    if spec.startswith(LITERAL_PREFIX):
        return f"arg{index}"
    transform, _, name = spec.rpartition(SEPARATOR)
    return NAMED.get(transform, name)
