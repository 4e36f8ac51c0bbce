"""``nnspec package gradescope``: Gradescope's autograder.zip (setup.sh, run_autograder, a wheel of this nnspec,
the grading configuration and MNIST), after Gradescope's autograder specification: setup.sh runs once, as root, when
the image is built; run_autograder runs once per submission, which is in /autograder/submission, and leaves
/autograder/results/results.json."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nnspec
from nnspec import mnist
from nnspec.package.common import add_common, config_text, fail

SETTINGS = "package.json"   # the options baked into the zip, read by nnspec.package.autograder
CONFIG = "config.toml"
MNIST_DIR = "mnist"
EXECUTABLE = 0o755          # Unix modes of the files written into the zip
READABLE = 0o644

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
# NNSPEC_VENV: where nnspec is installed (default /opt/nnspec; run_autograder reads the same variable).
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
"$VENV/bin/python" -m pip install --quiet "$SOURCE/{wheel}[grade]"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this once per submission. It always leaves results/results.json, even when nnspec cannot run.
# NNSPEC_AUTOGRADER_ROOT: the folder laid out as /autograder (default /autograder); NNSPEC_VENV: as in setup.sh.
ROOT="${NNSPEC_AUTOGRADER_ROOT:-/autograder}"
VENV="${NNSPEC_VENV:-/opt/nnspec}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
"$VENV/bin/python" -m nnspec.package.autograder "$ROOT"
status=$?
if [ ! -s "$RESULTS" ]; then
  printf '{"score": 0, "output": "%s", "stdout_visibility": "hidden", "tests": []}\\n' \\
    "nnspec could not run (exit code $status); the autograder's log has the details: please tell your instructor." \\
    > "$RESULTS"
fi
"""


def register(platforms: argparse._SubParsersAction) -> None:
    parser = platforms.add_parser(
        "gradescope", help="Gradescope's autograder.zip",
        description="Writes the autograder.zip to upload on Gradescope (Programming assignment, Configure "
        "Autograder, Zip file upload): setup.sh installs a wheel of this nnspec (built now, bundled) and "
        "bubblewrap; run_autograder grades the one .py file, notebook or package folder submitted; MNIST and the "
        "configuration are bundled.",
    )
    add_common(parser, "autograder.zip")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = config_text(args.config)
        data = mnist_files()
        with tempfile.TemporaryDirectory(prefix="nnspec-wheel-") as folder:
            wheel = build_wheel(Path(folder))
            write_zip(Path(args.output), wheel, config, data, args.chapter or [])
    except (ValueError, OSError) as error:
        return fail(str(error))
    print(f"wrote {args.output}: upload it on Gradescope (Configure Autograder, Zip file upload)")
    return 0


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
    """MNIST's four compressed files (name in the zip -> path here), from where the grader would read them."""
    directory = mnist.find_data_dir()
    found = {f"{name}.gz": directory / f"{name}.gz" for name in mnist.FILES}
    missing = [name for name, path in found.items() if not path.is_file()]
    if missing:
        raise ValueError(f"MNIST's {', '.join(missing)} not found in {directory}: set {mnist.ENV_VAR} to a folder "
                         "that has the four .gz files (the nnspec repository's fixtures/mnist/)")
    return found


def write_zip(output: Path, wheel: Path, config: str, data: dict[str, Path], chapters: list[str]) -> None:
    """The autograder.zip: scripts at its root, as Gradescope expects."""
    checksums = "".join(f"{mnist.SHA256[name]}  {name}\n" for name in mnist.FILES)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP_SH.format(wheel=wheel.name), EXECUTABLE)
        _add(archive, "run_autograder", RUN_AUTOGRADER, EXECUTABLE)
        archive.write(wheel, wheel.name)
        _add(archive, CONFIG, config)
        _add(archive, SETTINGS, json.dumps({"chapters": chapters}, indent=2) + "\n")
        for name, path in data.items():
            archive.write(path, f"{MNIST_DIR}/{name}")
        _add(archive, f"{MNIST_DIR}/SHA256SUMS", checksums)


def _add(archive: zipfile.ZipFile, name: str, text: str, mode: int = READABLE) -> None:
    entry = zipfile.ZipInfo(name)
    entry.external_attr = mode << 16  # the Unix mode is in the high 16 bits
    entry.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(entry, text)
