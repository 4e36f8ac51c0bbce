"""What a platform's grader holds, whatever the platform (Gradescope's autograder.zip, PrairieLearn's image): a wheel
of this exact nnspec, built now; setup.sh, which installs it with its grading dependencies, and bubblewrap; the
grading configuration; the options baked in (``SETTINGS``, read by ``nnspec.package.autograder``); MNIST with its
checksums, for the grader only. And the script the platform runs once per submission (``runner``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nnspec
from nnspec import mnist
from nnspec.package.common import config_text, profile_choice

SETTINGS = "package.json"   # the options baked into the bundle, read by nnspec.package.autograder
CONFIG = "config.toml"
PROFILE = "profile.toml"   # a profile file given to --profile (a built-in one is named in SETTINGS)
MNIST_DIR = "mnist"
EXECUTABLE = 0o755          # Unix modes of the files written
READABLE = 0o644

Files = dict[str, tuple[str | Path, int]]   # name in the bundle -> (its text, or a file to copy; its Unix mode)

SETUP_SH = """#!/usr/bin/env bash
# Runs once, as root, when the grader's image is built (Ubuntu).
# NNSPEC_VENV: where nnspec is installed (default /opt/nnspec; the per-submission script reads the same variable).
# NNSPEC_PYTHON: the Python that makes that venv. NNSPEC_SKIP_APT=1: leave the system's packages alone.
set -euo pipefail
SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
VENV="${{NNSPEC_VENV:-/opt/nnspec}}"
if [ "${{NNSPEC_SKIP_APT:-0}}" != 1 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq python3 python3-venv python3-pip
  apt-get install -y -qq bubblewrap || echo "setup.sh: bubblewrap could not be installed: submissions run in" \\
    "nnspec's process-only fallback, and each report says so"
fi
"${{NNSPEC_PYTHON:-python3}}" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet "$SOURCE/{wheel}[{extras}]"
"""

RUNNER = """#!/usr/bin/env bash
# {platform} runs this once per submission. It always leaves results/results.json, even when nnspec cannot run.
# {root_env}: the folder laid out as {root} (default {root}); NNSPEC_VENV: as in setup.sh.
ROOT="${{{root_env}:-{root}}}"
VENV="${{NNSPEC_VENV:-/opt/nnspec}}"
SOURCE={source}
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
"$VENV/bin/python" -m nnspec.package.autograder {name} "$ROOT" "$SOURCE"
status=$?
if [ ! -s "$RESULTS" ]; then
  printf '{fallback}\\n' \\
    "nnspec could not run (exit code $status); the grader's log has the details: please tell your instructor." \\
    > "$RESULTS"
fi
"""


def runner(platform: str, name: str, root: str, root_env: str, source: str, fallback: str) -> str:
    """The per-submission script of ``platform`` (``name``: its key in ``nnspec.package.autograder``), whose
    submissions are laid out under ``root`` (``$root_env`` overrides it); ``source``: a shell expression for the
    folder of the bundle; ``fallback``: the results.json written when nnspec cannot run (one ``%s``: why)."""
    return RUNNER.format(platform=platform, name=name, root=root, root_env=root_env, source=source,
                         fallback=fallback)


def grader_files(config: str | None, chapters: list[str], profile: str | None, extras: str,
                 folder: Path) -> Files:
    """Every file of the grader but the platform's own: ``config`` (a TOML file, or None for the default),
    ``chapters`` (none: all) and ``profile`` (a built-in name, a file, or None) baked in; the wheel, installed with
    ``extras``, is built into ``folder``. Raises ValueError saying what is missing or wrong."""
    text = config_text(config)
    builtin, profile_file = profile_choice(profile)
    profile_files: Files = {PROFILE: (profile_file, READABLE)} if profile_file else {}
    data = mnist_files()
    wheel = build_wheel(folder)
    checksums = "".join(f"{mnist.SHA256[name]}  {name}\n" for name in mnist.FILES)
    return {
        "setup.sh": (SETUP_SH.format(wheel=wheel.name, extras=extras), EXECUTABLE),
        wheel.name: (wheel, READABLE),
        CONFIG: (text, READABLE),
        SETTINGS: (json.dumps({"chapters": chapters, "profile": builtin or (PROFILE if profile_file else None)},
                              indent=2) + "\n", READABLE),
        **profile_files,
        **{f"{MNIST_DIR}/{name}": (path, READABLE) for name, path in data.items()},
        f"{MNIST_DIR}/SHA256SUMS": (checksums, READABLE),
    }


def write_folder(output: Path, files: Files) -> None:
    """``files`` into the folder ``output`` (made if need be), with their modes."""
    for name, (content, mode) in files.items():
        path = output / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, path)
        else:
            path.write_text(content, encoding="utf-8")
        path.chmod(mode)


def source_root() -> Path:
    """The nnspec source tree this command runs from (the wheel is built from it)."""
    root = Path(nnspec.__file__).resolve().parents[1]
    if not (root / "pyproject.toml").is_file():
        raise ValueError(f"no pyproject.toml in {root}: nnspec package builds its wheel from nnspec's source tree "
                         "(a git checkout, installed with pip install -e)")
    return root


def build_wheel(folder: Path) -> Path:
    """Build the wheel of this exact nnspec into ``folder``; returns its path."""
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(folder),
               str(source_root())]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(folder.glob("nnspec-*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise ValueError(f"building nnspec's wheel failed ({' '.join(command)}):\n{done.stderr.strip()}")
    return wheels[0]


def mnist_files() -> dict[str, Path]:
    """MNIST's four compressed files (name in the bundle -> path here), from where the grader would read them."""
    directory = mnist.find_data_dir()
    found = {f"{name}.gz": directory / f"{name}.gz" for name in mnist.FILES}
    missing = [name for name, path in found.items() if not path.is_file()]
    if missing:
        raise ValueError(f"MNIST's {', '.join(missing)} not found in {directory}: set {mnist.ENV_VAR} to a folder "
                         "that has the four .gz files (the nnspec repository's fixtures/mnist/)")
    return found
