"""The `nnspec` command: one sub-command per job, each registered by the module that implements it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import nnspec
from nnspec import claims_doc, demo, grade, package, profiles, requirements_doc, starter, toolkit


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="nnspec",
        description="The executable specification of neural-network fundamentals: a NumPy reference, "
        "a spec suite that tests any implementation of the contract, and tools around them.",
    )
    parser.add_argument("--version", action="version", version=f"nnspec {nnspec.__version__} (contract 1)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    grade.register(commands)
    demo.register(commands)
    requirements_doc.register(commands)
    claims_doc.register(commands)
    toolkit.register(commands)
    starter.register(commands)
    profiles.register(commands)
    package.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
