"""What every ``nnspec package`` platform shares: its options and how it reports a usage error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_common(parser: argparse.ArgumentParser, output: str) -> None:
    """Options every platform takes: the output file, the grading configuration, the chapters graded, the profile."""
    parser.add_argument("-o", "--output", default=output, metavar="PATH", help=f"where to write it (default {output})")
    parser.add_argument("--config", metavar="TOML", help="grading configuration to bundle (default: the one shipped)")
    parser.add_argument("--chapter", action="append", metavar="NAME",
                        help="grade only this chapter (repeatable; default: every chapter)")
    parser.add_argument("--profile", metavar="NAME|TOML",
                        help="grade code written to an assignment's own API: a built-in profile (`nnspec profiles` "
                        "lists them) or a profile file, bundled (default: the contract's own API)")


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


def profile_choice(name_or_path: str | None) -> tuple[str | None, Path | None]:
    """What ``--profile`` bundles: (the built-in profile's name, None), (None, the profile file to bundle) or
    (None, None) without a profile. Raises ValueError naming what is wrong, e.g. an instructor's adapter module,
    which a package cannot carry yet (a built-in one comes with nnspec)."""
    from nnspec import profiles  # imports the profile schema only when a package is made
    from nnspec.grade.adapters import BUILTIN

    if name_or_path is None:
        return None, None
    try:
        profile = profiles.load(name_or_path)
    except profiles.ProfileError as error:
        raise ValueError(f"--profile {name_or_path}: {error}") from error
    if profile.adapter and profile.adapter not in BUILTIN:
        raise ValueError(f"--profile {name_or_path}: its adapter module {profile.adapter!r} would have to be bundled "
                         "with the grading configuration's [worker] paths, which nnspec package does not do yet")
    if name_or_path in profiles.builtin():
        return name_or_path, None
    return None, Path(name_or_path)
