"""What every ``nnspec package`` platform shares: its options and how it reports a usage error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_common(parser: argparse.ArgumentParser, output: str) -> None:
    """Options every platform takes: the output file, the grading configuration, the chapters graded."""
    parser.add_argument("-o", "--output", default=output, metavar="PATH", help=f"where to write it (default {output})")
    parser.add_argument("--config", metavar="TOML", help="grading configuration to bundle (default: the one shipped)")
    parser.add_argument("--chapter", action="append", metavar="NAME",
                        help="grade only this chapter (repeatable; default: every chapter)")


def fail(message: str) -> int:
    """Print a usage error of ``nnspec package`` and return its exit code."""
    print(f"nnspec package: {message}", file=sys.stderr)
    return 2


def config_text(path: str | None) -> str:
    """The grading configuration to bundle: ``path``'s text, checked by the grader's own loader, or the default.
    Raises ValueError naming the file and what is wrong with it."""
    from nnspec.grade import config  # imports the grader's configuration schema only when a package is made

    if path is None:
        return config.DEFAULT_CONFIG.read_text(encoding="utf-8")
    try:
        config.load(path)
    except config.ConfigError as error:
        raise ValueError(f"--config {path}: {error}") from error
    return Path(path).read_text(encoding="utf-8")
