"""Sub-commands that print a generated document or write it to a file (`nnspec requirements`, `nnspec claims`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def register_document(commands: argparse._SubParsersAction, name: str, help_text: str,
                      render: Callable[[], str]) -> None:
    """Add the sub-command ``name``: print ``render()``, or write it to the path given with --write."""
    parser = commands.add_parser(name, help=help_text)
    parser.add_argument("--write", metavar="PATH", help="write the markdown to PATH instead of printing it")
    parser.set_defaults(run=lambda args: emit(render(), args.write))


def emit(text: str, path: str | None) -> int:
    """Write ``text`` to ``path``, or print it when there is none; the exit code (0)."""
    if path:
        Path(path).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0
