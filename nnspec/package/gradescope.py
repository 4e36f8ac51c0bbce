"""``nnspec package gradescope``: Gradescope's autograder.zip (setup.sh, run_autograder, a wheel of this nnspec,
the grading configuration and MNIST), after Gradescope's autograder specification: setup.sh runs once, as root, when
the image is built; run_autograder runs once per submission, which is in /autograder/submission, and leaves
/autograder/results/results.json."""

from __future__ import annotations

import argparse
import tempfile
import zipfile
from pathlib import Path

from nnspec.package import bundle
from nnspec.package.common import add_common, fail

EXTRAS = "grade"            # what setup.sh installs with the wheel: the grading dependencies
RUN_AUTOGRADER = bundle.runner(
    "Gradescope", "gradescope", "/autograder", "NNSPEC_AUTOGRADER_ROOT", '"$ROOT/source"',
    '{"score": 0, "output": "%s", "stdout_visibility": "hidden", "tests": []}')


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
        with tempfile.TemporaryDirectory(prefix="nnspec-wheel-") as folder:
            files = bundle.grader_files(args.config, args.chapter or [], args.profile, EXTRAS,
                                       Path(folder))
            files["run_autograder"] = (RUN_AUTOGRADER, bundle.EXECUTABLE)
            write_zip(Path(args.output), files)
    except (ValueError, OSError) as error:
        return fail(str(error))
    print(f"wrote {args.output}: upload it on Gradescope (Configure Autograder, Zip file upload)")
    return 0


def write_zip(output: Path, files: bundle.Files) -> None:
    """The autograder.zip: scripts at its root, as Gradescope expects, each file with its Unix mode."""
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (content, mode) in files.items():
            entry = zipfile.ZipInfo(name)
            entry.external_attr = mode << 16  # the Unix mode is in the high 16 bits
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, content.read_bytes() if isinstance(content, Path) else content)
