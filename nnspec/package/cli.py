"""The ``package`` sub-command: ``nnspec package gradescope``, ``prairielearn`` and ``github``."""

from __future__ import annotations

import argparse

from nnspec.package import github, gradescope, prairielearn


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``nnspec package`` with one sub-command per platform."""
    parser = commands.add_parser("package", help="make what a course platform needs to grade with nnspec",
                                 description="One command per platform: the files an instructor uploads or commits.")
    platforms = parser.add_subparsers(dest="platform", metavar="PLATFORM", required=True)
    gradescope.register(platforms)
    prairielearn.register(platforms)
    github.register(platforms)
