"""``nnspec starter``: the skeleton a learner fills in, as a .py file or a notebook.

Every function has its exact signature (spec/contract.py), a docstring (the contract's definition of it from
docs/contract.md's tables, the chapter's shapes line, the section to read) and ``raise NotImplementedError``, which
the grader counts as "not implemented". ``stubs`` builds the list from the contract; another function list (an
assignment profile's) can be rendered by passing its own ``Stub``s to ``python_source`` or ``notebook_json``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spec.contract import CONTRACT_VERSION, SIGNATURES

CONTRACT_DOC = Path(__file__).resolve().parents[1] / "docs" / "contract.md"
SECTION = re.compile(r"^### (?P<chapter>.+)$")
ROW = re.compile(r"^\| (?P<functions>[^|]*`[^|]*) \| (?P<definition>.*) \|$")
NAME = re.compile(r"`(\w+)")
PRELUDE = ["import numpy as np", "", f'NNSPEC_CONTRACT = "{CONTRACT_VERSION}"']


@dataclass(frozen=True)
class Stub:
    """One function to write: its name, parameter list (as in spec/contract.py), chapter and docstring; or, with
    ``code``, a definition written out already (a class of an assignment profile's ``starter_code``)."""

    name: str
    signature: str
    chapter: str
    doc: str
    code: str = ""

    def source(self) -> str:
        if self.code:
            return self.code.rstrip() + "\n"
        body = "\n".join(f"    {line}".rstrip() for line in self.doc.splitlines())
        quote = 'r"""' if "\\" in self.doc else '"""'
        return f'def {self.name}{self.signature}:\n    {quote}{body.lstrip()}\n    """\n    raise NotImplementedError\n'


def contract_text(path: Path = CONTRACT_DOC) -> tuple[dict[str, str], dict[str, str]]:
    """From docs/contract.md: (each function's table row as "functions: definition", each chapter's first line of
    prose, its shapes). Empty when the document is not there (an installed nnspec without its docs)."""
    if not path.is_file():
        return {}, {}
    definitions: dict[str, str] = {}
    intros: dict[str, str] = {}
    chapter, in_table = "", False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            section = SECTION.match(line)
            chapter, in_table = (section["chapter"] if section else ""), False
        in_table = in_table or line.startswith("|")
        if chapter in SIGNATURES and line and not line.startswith("#") and not in_table and chapter not in intros:
            intros[chapter] = line
        row = ROW.match(line)
        if chapter in SIGNATURES and row:
            for name in NAME.findall(row["functions"]):
                if name in SIGNATURES[chapter]:
                    text = f"{row['functions'].strip()}: {row['definition'].strip()}"
                    definitions[name] = text.replace("\\|", "|")  # markdown's escaped table bars
    return definitions, intros


def stubs(chapters: Iterable[str] | None = None) -> list[Stub]:
    """The contract's functions (of ``chapters`` only, when given), in the contract's order."""
    chosen = [chapter.replace("_", " ") for chapter in chapters or SIGNATURES]  # gradient_check, as `grade` says
    unknown = [chapter for chapter in chosen if chapter not in SIGNATURES]
    if unknown:
        raise ValueError(f"--chapter: no contract chapter {', '.join(map(repr, unknown))} "
                         f"(known: {', '.join(SIGNATURES)})")
    definitions, intros = contract_text()
    result = []
    for chapter in chosen:
        for name, signature in SIGNATURES[chapter].items():
            lines = [f"{name}{signature}", ""]
            lines += [f"Compute (the contract): {definitions.get(name, 'see the table of its chapter')}"]
            if chapter in intros:
                lines += [f"Shapes and conventions of the chapter: {intros[chapter]}"]
            lines += [f"Read: docs/contract.md, section \"Functions\" > \"{chapter}\" (contract {CONTRACT_VERSION})."]
            result.append(Stub(name, signature, chapter, "\n".join(lines)))
    return result


def python_source(functions: list[Stub], grade: str = "nnspec grade") -> str:
    """The starter as one .py file: a heading comment per chapter, a stub per function; ``grade``: the command
    that grades it."""
    parts = [f'"""My implementation of the nnspec contract. Grade it with: {grade} <this file>"""', "",
             *PRELUDE, ""]
    chapter = ""
    for stub in functions:
        if stub.chapter != chapter:
            chapter = stub.chapter
            parts += ["", f"# --- {chapter} ---", ""]
        parts += ["", stub.source()]
    return "\n".join(parts).rstrip() + "\n"


def notebook_json(functions: list[Stub], grade: str = "nnspec grade") -> str:
    """The starter as a notebook: the imports, then per chapter a markdown cell and a code cell per function."""
    import nbformat

    cells = [nbformat.v4.new_markdown_cell("# My implementation of the nnspec contract\n\nFill in every function, "
                                           f"then grade the notebook with `{grade} <this notebook>`."),
             nbformat.v4.new_code_cell("\n".join(PRELUDE))]
    chapter = ""
    for stub in functions:
        if stub.chapter != chapter:
            chapter = stub.chapter
            cells.append(nbformat.v4.new_markdown_cell(f"## {chapter}"))
        cells.append(nbformat.v4.new_code_cell(stub.source().rstrip()))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return json.dumps(nbformat.from_dict(notebook), indent=1) + "\n"


def _profile_stubs(profile: str, chapters: list[str] | None) -> list[Stub]:
    from nnspec import profiles
    from nnspec.profiles import starter  # imports this module: loaded only when a profile is asked for
    return starter.stubs(profiles.load(profile), chapters)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``starter`` sub-command."""
    parser = commands.add_parser(
        "starter", help="write the skeleton a learner fills in (every contract function, not implemented yet)",
        description="Writes every contract function with its signature, a docstring and raise NotImplementedError. "
        "Graded as it is, it scores 0 with every function 'not implemented'.",
    )
    parser.add_argument("--chapter", action="append", metavar="NAME",
                        help="only this contract chapter's functions (repeatable), e.g. activations")
    parser.add_argument("--notebook", action="store_true", help="write a Jupyter notebook (.ipynb) instead of .py")
    parser.add_argument("--profile", metavar="NAME|TOML", help="the functions of an assignment profile, under the "
                        "assignment's own names and signatures (`nnspec profiles` lists the built-in ones)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    profile = getattr(args, "profile", None)  # absent from a Namespace made by hand (the option came later)
    grade = f"nnspec grade --profile {profile}" if profile else "nnspec grade"
    try:
        functions = _profile_stubs(profile, args.chapter) if profile else stubs(args.chapter)
    except ValueError as error:  # an unknown chapter, or a profile that cannot be read (ProfileError)
        print(f"nnspec starter: {error}", file=sys.stderr)
        return 2
    text = notebook_json(functions, grade) if args.notebook else python_source(functions, grade)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: {len(functions)} part(s) to fill in")
    return 0
