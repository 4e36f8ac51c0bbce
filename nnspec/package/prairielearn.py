"""``nnspec package prairielearn``: a folder to build PrairieLearn's external-grader image from, after
PrairieLearn's documentation "External grading": a Dockerfile (Ubuntu, whose one RUN is the bundle's setup.sh), the
entrypoint ``run`` (PrairieLearn mounts the job at /grade, with the learner's files in /grade/student, and reads
/grade/results/results.json when the entrypoint ends), the bundle (``nnspec.package.bundle``: a wheel of this
nnspec, the configuration, MNIST), and the question's info.json snippet."""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

import nnspec
from nnspec.package import bundle
from nnspec.package.common import add_common, fail

EXTRAS = "grade,plots"      # the grading dependencies, and matplotlib for the results' plots
HOME = "/nnspec"            # where the image holds this folder
ENTRYPOINT = f"{HOME}/run"
TIMEOUT_S = 600             # PrairieLearn's longest: "This value cannot exceed 600 seconds"
DEFAULT_IMAGE = f"your-org/nnspec-grader:{nnspec.__version__}"
IMAGE_NAME = re.compile(r"[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9._-]*)?")  # docker's repository[:tag]
MARKER = "# Made by `nnspec package prairielearn`"

DOCKERFILE = f"""{MARKER}: PrairieLearn's external-grader image for nnspec.
# Build it in this folder, and push it where PrairieLearn pulls images from:
#   docker build -t {{image}} . && docker push {{image}}
FROM ubuntu:24.04
ENV NNSPEC_HOME={HOME} NNSPEC_VENV=/opt/nnspec
COPY . $NNSPEC_HOME
RUN "$NNSPEC_HOME/setup.sh"
"""
RUN = bundle.runner(
    "PrairieLearn", "prairielearn", "/grade", "NNSPEC_GRADE_ROOT", '"$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    '{"gradable": false, "format_errors": ["%s"], "tests": []}')


def register(platforms: argparse._SubParsersAction) -> None:
    parser = platforms.add_parser(
        "prairielearn", help="PrairieLearn's external-grader image (Dockerfile, entrypoint, info.json)",
        description="Writes a folder to build PrairieLearn's external-grader image from (docker build): its "
        "Dockerfile installs a wheel of this nnspec (built now, bundled) and bubblewrap; its entrypoint grades the "
        "one .py file, notebook or package folder in /grade/student into /grade/results/results.json; MNIST and "
        "the configuration are bundled. info.json holds the question's externalGradingOptions.",
    )
    add_common(parser, "prairielearn-grader")
    parser.add_argument("--image", default=DEFAULT_IMAGE, metavar="NAME",
                        help=f"the image's name in info.json and the Dockerfile's comment (default {DEFAULT_IMAGE})")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    output = Path(args.output)
    try:
        if not IMAGE_NAME.fullmatch(args.image):
            raise ValueError(f"--image {args.image!r}: expected a Docker image name, e.g. {DEFAULT_IMAGE}")
        _check_output(output)
        with tempfile.TemporaryDirectory(prefix="nnspec-wheel-") as folder:
            files = bundle.grader_files(args.config, args.chapter or [], args.profile, EXTRAS,
                                       Path(folder))
            files["run"] = (RUN, bundle.EXECUTABLE)
            files["Dockerfile"] = (DOCKERFILE.format(image=args.image), bundle.READABLE)
            files["info.json"] = (info_json(args.image), bundle.READABLE)
            for old in output.glob("nnspec-*.whl"):  # a previous package's wheel: the image installs one
                old.unlink()
            bundle.write_folder(output, files)
    except (ValueError, OSError) as error:
        return fail(str(error))
    print(f"wrote {output}/: build and push its image (docker build -t {args.image} {output}), then put "
          f"{output / 'info.json'}'s externalGradingOptions in the question's info.json")
    return 0


def info_json(image: str) -> str:
    """The part of a question's info.json that grades it with this image (PrairieLearn: externalGradingOptions)."""
    options = {"enabled": True, "image": image, "entrypoint": ENTRYPOINT, "timeout": TIMEOUT_S}
    return json.dumps({"gradingMethod": "External", "externalGradingOptions": options}, indent=2) + "\n"


def _check_output(output: Path) -> None:
    """Refuse to write into a folder that holds anything but a previous package (docker build copies it all)."""
    if output.exists() and not output.is_dir():
        raise ValueError(f"-o {output}: expected a folder, found a file")
    dockerfile = output / "Dockerfile"
    if output.is_dir() and any(output.iterdir()) and not (
            dockerfile.is_file() and dockerfile.read_text(encoding="utf-8").startswith(MARKER)):
        raise ValueError(f"-o {output}: the folder is not empty and holds no package made by this command: the image "
                         "would copy all of it; give a new or empty folder")
