"""Notebook submissions: a .ipynb is turned into a .py in the grader, before anything reaches the worker.

Only code crosses: the grader reads the notebook with nbformat, writes ``<name>.py`` into a folder of its own and
grades that file as it grades any .py. Three modes say which code runs (``NotebookSettings.mode``):

- ``definitions`` (the default): of every code cell, only the top-level imports, ``def``/``class`` statements and
  constant assignments. An assignment is kept when every target is a plain name and its value is made of literals,
  operators, containers, lambdas, names already bound by kept statements or builtins, and calls to builtins or to
  functions of imported modules (``math.sqrt(2)``, ``np.array([1, 2])``), except input/output calls (``input``,
  ``open``, ``print``, module functions whose name starts with load/read/save/open/fetch/download/show). Calls to
  the notebook's own functions are not constants: that is how a training loop or a plot starts. Everything else
  (training loops, plots, ``input()``, prints) is skipped.
- ``all``: every code cell in order, each under a time limit of its own (``cell_seconds``); a cell that raises or
  runs out of time is reported on the submission's output and the next cell runs, as after an error in Jupyter.
- ``marked``: only the cells the instructor marked, whole: tag ``graded``, or a first line ``# nnspec: graded``.

In every mode IPython magics (``%...``, ``%%...`` cells) and shell lines (``!...``) are dropped, cells that are not
valid Python are skipped, and (except in ``all`` mode, where a failing import only stops its cell) imports of
modules the worker does not offer are skipped: display and notebook-only modules (``DISPLAY_MODULES``) and any
module that cannot be imported in the grader's environment, except the modules the grading configuration forbids
(kept, so the no-frameworks rule sees them). What was skipped is listed in the report's notes, and a graded function
that needs a skipped name fails with a NameError whose message says which statement was skipped and why.

Failure messages name the cell: a traceback frame in the generated file, ``File "x.py", line 12``, is rewritten to
``File "x.ipynb", cell 3 ("def sigmoid(z):"), line 2``, and a failure that names a function of the notebook gets a
line saying in which cell it is defined.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib.util
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nnspec.grade.runner import GradeRun

MODES = ("definitions", "all", "marked")
SUFFIX = ".ipynb"
CELL_SECONDS = 10.0  # "all" mode: one cell's limit; the whole import stays under the configured import limit
MARK_TAG = "graded"
MARK_COMMENT = re.compile(r"#\s*nnspec:\s*graded\b")
DISPLAY_MODULES = frozenset({  # for showing things in a notebook: never needed by a graded function
    "matplotlib", "seaborn", "plotly", "bokeh", "google", "ipywidgets", "IPython", "tqdm", "ipykernel", "pylab",
})
IO_BUILTINS = frozenset({"input", "open", "print", "exec", "eval", "compile", "breakpoint", "__import__", "exit",
                         "quit", "help", "display"})
IO_PREFIXES = ("load", "read", "save", "open", "fetch", "download", "show")
MAGIC_LINE = re.compile(r"^\s*([%!]|[\w.,\s]+=\s*[%!])")  # %timeit ..., !pip ..., files = !ls
FIRST_LINE_CHARS = 60


@dataclass(frozen=True)
class NotebookSettings:
    """How a notebook is turned into code: the one place a profile (later) sets it."""

    mode: str = "definitions"
    cell_seconds: float = CELL_SECONDS
    keep_modules: frozenset[str] = frozenset()  # imported even when not importable here (forbidden frameworks)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"notebook mode {self.mode!r} is not one of {', '.join(MODES)}")


@dataclass
class Cell:
    number: int  # as Jupyter counts them for the learner: 1 = the notebook's first cell, markdown included
    first_line: str


@dataclass
class Conversion:
    """The generated code and what it takes to map it back to the notebook."""

    notebook: str
    code: str
    mode: str
    lines: dict[int, tuple[Cell, int]] = field(default_factory=dict)  # generated line -> (cell, line in the cell)
    cells: dict[int, Cell] = field(default_factory=dict)
    defined: dict[str, Cell] = field(default_factory=dict)  # function/class name -> the cell defining it
    skipped_names: dict[str, str] = field(default_factory=dict)  # name -> why it is not defined
    notes: list[str] = field(default_factory=list)
    bound: set[str] = field(default_factory=lambda: set(dir(builtins)))  # names the kept statements define
    modules: set[str] = field(default_factory=set)  # names the kept imports bind


def is_notebook(target: str) -> bool:
    return target.endswith(SUFFIX) and Path(target).is_file()


def convert(path: str, settings: NotebookSettings) -> Conversion:
    """``path``'s notebook as Python code under ``settings``."""
    import nbformat

    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several kinds for a file that is not a notebook
        raise ValueError(f"{path} is not a readable notebook: {error}") from error
    conversion = Conversion(path, "", settings.mode)
    chunks: list[str] = []
    line = 1
    for number, raw in enumerate(notebook.cells, start=1):
        if raw.cell_type != "code":
            continue
        source = raw.source
        cell = Cell(number, _first_line(source))
        conversion.cells[number] = cell
        if settings.mode == "marked" and not _marked(raw):
            continue
        code = _cell_code(source, cell, settings, conversion)
        if not code:
            continue
        header = f"# cell {number}: {cell.first_line}"
        chunks.append(header + "\n" + code)
        for offset in range(code.count("\n") + 1):
            conversion.lines[line + 1 + offset] = (cell, offset + 1)
        line += code.count("\n") + 3  # header, code, blank line
    prelude = _all_mode_prelude(settings) if settings.mode == "all" else ""
    conversion.lines = {key + prelude.count("\n"): value for key, value in conversion.lines.items()}
    conversion.code = prelude + "\n\n".join(chunks) + "\n"
    return conversion


def _first_line(source: str) -> str:
    lines = [text.strip() for text in source.splitlines()]
    first = next((text for text in lines if text and not MARK_COMMENT.match(text)), "")
    return first if len(first) <= FIRST_LINE_CHARS else first[:FIRST_LINE_CHARS - 3] + "..."


def _marked(cell: Any) -> bool:
    """Tagged ``graded``, or a first line ``# nnspec: graded``."""
    first = next((text.strip() for text in cell.source.splitlines() if text.strip()), "")
    return MARK_TAG in cell.metadata.get("tags", []) or bool(MARK_COMMENT.match(first))


def _cell_code(source: str, cell: Cell, settings: NotebookSettings, conversion: Conversion) -> str:
    """The cell's code to run (its line count kept, dropped lines left blank), or "" when nothing of it runs."""
    where = f"cell {cell.number} ({cell.first_line!r})"
    if source.lstrip().startswith("%%"):
        conversion.notes.append(f"{where}: a cell magic ({source.split()[0]}); the cell is not run")
        return ""
    lines = source.splitlines()
    dropped = [text.strip() for text in lines if MAGIC_LINE.match(text)]
    if dropped:
        conversion.notes.append(f"{where}: dropped IPython magic/shell line(s): {'; '.join(dropped)}")
    code = "\n".join("" if MAGIC_LINE.match(text) else text for text in lines).rstrip()
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        conversion.notes.append(f"{where}: not valid Python (line {error.lineno}: {error.msg}); the cell is not run")
        return ""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            conversion.defined[node.name] = cell
    if settings.mode == "all":
        return f"_nnspec_cell({cell.number}, {code!r})" if code.strip() else ""
    keep = _kept_statements(tree, cell, settings, conversion)
    kept_lines = {number for node in keep for number in range(node.lineno, (node.end_lineno or node.lineno) + 1)}
    text = "\n".join(line if number in kept_lines else "" for number, line in enumerate(code.splitlines(), 1))
    return text if text.strip() else ""


def _kept_statements(
    tree: ast.Module, cell: Cell, settings: NotebookSettings, conversion: Conversion
) -> list[ast.stmt]:
    """The statements that run: all of a marked cell's, or the definitions of the others (see the module doc)."""
    where = f"cell {cell.number} ({cell.first_line!r})"
    keep: list[ast.stmt] = []
    skipped: list[str] = []
    bound = conversion.bound
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            missing = _unavailable(node, settings.keep_modules)
            if missing:
                statement = ast.unparse(node)
                why = f"`{statement}` in {where} was skipped: {missing}"
                conversion.notes.append(why)
                for name in _import_names(node):
                    conversion.skipped_names[name] = why
                continue
        elif settings.mode != "marked" and not _is_definition(node, conversion):
            if not _is_docstring(node):
                skipped.append(ast.unparse(node).splitlines()[0])
            for name in _assigned_names(node):
                conversion.skipped_names.setdefault(
                    name, f"`{name}` is assigned in {where} by a statement the grader does not run (definitions mode "
                    "runs only imports, def/class and constant assignments)")
            continue
        keep.append(node)
        bound.update(_bound_names(node))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            conversion.modules.update(_import_names(node))
        for name in _bound_names(node):
            conversion.skipped_names.pop(name, None)
    if skipped:
        conversion.notes.append(f"{where}: skipped {len(skipped)} statement(s) that are not definitions, "
                                f"first: `{skipped[0]}`")
    return keep


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _unavailable(node: ast.Import | ast.ImportFrom, keep: frozenset[str]) -> str:
    """Why the worker cannot import what ``node`` imports, or "" when it can."""
    if isinstance(node, ast.ImportFrom) and node.level:
        return "a relative import (a notebook is graded as a single file)"
    modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    for module in modules:
        top = module.split(".")[0]
        if top in keep or top == "__future__":
            continue
        if top in DISPLAY_MODULES:
            return f"{top} is for display in a notebook, not offered to graded code"
        if importlib.util.find_spec(top) is None:
            return f"{top} cannot be imported where the submission is graded"
    return ""


def _import_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    return [alias.asname or alias.name for alias in node.names if alias.name != "*"]


def _assigned_names(node: ast.stmt) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return [leaf.id for target in targets if target is not None for leaf in ast.walk(target)
            if isinstance(leaf, ast.Name)]


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return _import_names(node)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    return _assigned_names(node)


def _is_definition(node: ast.stmt, scope: Conversion) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, ast.Assign):
        plain = all(isinstance(target, ast.Name) or (isinstance(target, ast.Tuple) and all(
            isinstance(item, ast.Name) for item in target.elts)) for target in node.targets)
        return plain and _is_constant(node.value, scope)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and (node.value is None or _is_constant(node.value, scope))
    return False


CONSTANT_NODES = (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.BinOp, ast.UnaryOp, ast.BoolOp,
                  ast.Compare, ast.IfExp, ast.Attribute, ast.Subscript, ast.Slice, ast.keyword, ast.Starred,
                  ast.JoinedStr, ast.FormattedValue, ast.expr_context, ast.operator, ast.unaryop, ast.boolop,
                  ast.cmpop)


def _is_constant(value: ast.expr, scope: Conversion) -> bool:
    """Whether ``value`` is a constant expression as the module doc defines it."""
    if isinstance(value, ast.Lambda):
        return True
    if isinstance(value, ast.Name):
        return value.id in scope.bound
    if isinstance(value, ast.Call):
        return _constant_call(value, scope)
    if not isinstance(value, CONSTANT_NODES):
        return False
    return all(_is_constant(child, scope) for child in ast.iter_child_nodes(value) if isinstance(child, ast.expr))


def _constant_call(call: ast.Call, scope: Conversion) -> bool:
    function = call.func
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    if not all(_is_constant(argument, scope) for argument in arguments):
        return False
    if isinstance(function, ast.Name):
        name = function.id
        callable_here = name in scope.modules or (name in dir(builtins) and name not in IO_BUILTINS)
        return callable_here and not name.lower().startswith(IO_PREFIXES)
    root: ast.expr = function
    while isinstance(root, ast.Attribute):
        root = root.value
    return (isinstance(function, ast.Attribute) and isinstance(root, ast.Name) and root.id in scope.modules
            and not function.attr.lower().startswith(IO_PREFIXES))


# --- the way back: messages about the generated file name the notebook's cells ---------------------------------

FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
NAME_ERROR = re.compile(r"NameError: name '(?P<name>\w+)' is not defined")


@contextlib.contextmanager
def prepared(target: str, settings: NotebookSettings) -> Iterator[tuple[str, Conversion | None]]:
    """(the path to grade, the conversion): ``target`` itself unless it is a notebook, else its generated .py in a
    temporary folder of the grader's (removed afterwards)."""
    if not is_notebook(target):
        yield target, None
        return
    conversion = convert(target, settings)
    with tempfile.TemporaryDirectory(prefix="nnspec-notebook-") as folder:
        script = Path(folder) / (Path(target).stem + ".py")
        script.write_text(conversion.code, encoding="utf-8")
        yield str(script), conversion


def locate(text: str, conversion: Conversion, script: str) -> str:
    """``text`` with every place in the generated file (a traceback frame) written as the notebook's cell."""
    generated = Path(script).name

    def cell_frame(match: re.Match[str]) -> str:
        file, line = match["file"], int(match["line"])
        cell_file = re.fullmatch(r"<cell (\d+)>", file)
        if cell_file and int(cell_file[1]) in conversion.cells:
            cell, in_cell = conversion.cells[int(cell_file[1])], line
        elif Path(file).name == generated and line in conversion.lines:
            cell, in_cell = conversion.lines[line]
        else:
            return match[0]
        return f'File "{conversion.notebook}", cell {cell.number} ({cell.first_line!r}), line {in_cell}'

    return FRAME.sub(cell_frame, text).replace(script, conversion.notebook)


def explain(message: str, conversion: Conversion, script: str) -> str:
    """A failure message located in the notebook, with why a name is undefined and where the functions it names
    are defined."""
    text = locate(message, conversion, script)
    extra = [conversion.skipped_names[match["name"]] for match in NAME_ERROR.finditer(text)
             if match["name"] in conversion.skipped_names]
    named = [name for name in conversion.defined if re.search(rf"\b{re.escape(name)}\(", text)]
    extra += [f"in the notebook, `{name}` is defined in cell {cell.number} ({cell.first_line!r})"
              for name in named for cell in [conversion.defined[name]]]
    return "\n".join([text.rstrip(), *dict.fromkeys(extra)]) if extra else text


def relabel(grade_run: GradeRun, conversion: Conversion, script: str) -> None:
    """Make ``grade_run`` (of the generated ``script``) speak of the notebook: its name, cells and notes."""
    grade_run.target = conversion.notebook
    grade_run.origin = f"{conversion.notebook} (a notebook, graded as Python in {conversion.mode} mode)"
    grade_run.load_error = explain(grade_run.load_error, conversion, script) if grade_run.load_error else ""
    for result in grade_run.results:
        if result.message:
            result.message = explain(result.message, conversion, script)
    grade_run.notes = [*grade_run.notes, *conversion.notes]


def _all_mode_prelude(settings: NotebookSettings) -> str:
    """``_nnspec_cell(number, code)``: runs one cell in the module's namespace under its own time limit."""
    return f'''import linecache as _nnspec_linecache
import signal as _nnspec_signal
import sys as _nnspec_sys


class _NnspecCellTimeout(BaseException):  # not an Exception: a cell's `except Exception` does not swallow it
    pass


def _nnspec_alarm(signum, frame):
    raise _NnspecCellTimeout()


def _nnspec_cell(number, code):
    name = f"<cell {{number}}>"
    _nnspec_linecache.cache[name] = (len(code), None, code.splitlines(True), name)  # source lines in tracebacks
    previous = _nnspec_signal.signal(_nnspec_signal.SIGALRM, _nnspec_alarm)
    _nnspec_signal.setitimer(_nnspec_signal.ITIMER_REAL, {settings.cell_seconds!r})
    try:
        exec(compile(code, name, "exec"), globals())
    except _NnspecCellTimeout:
        print(f"nnspec: cell {{number}} ran longer than {settings.cell_seconds:g} s and was stopped",
              file=_nnspec_sys.stderr)
    except Exception as error:
        print(f"nnspec: cell {{number}} raised {{type(error).__name__}}: {{error}}", file=_nnspec_sys.stderr)
    finally:
        _nnspec_signal.setitimer(_nnspec_signal.ITIMER_REAL, 0)
        _nnspec_signal.signal(_nnspec_signal.SIGALRM, previous)


'''
