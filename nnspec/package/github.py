"""``nnspec package github``: a GitHub Actions workflow for the learner's repository (GitHub Classroom): on push it
installs the nnspec the instructor pinned, grades the submission, writes the step summary, uploads the reports as
an artifact, and fails when a required requirement fails (nnspec grade's exit code)."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from nnspec.package.common import add_common, config_text, fail, profile_choice

DEFAULT_SPEC = "nnspec[grade] @ git+https://github.com/nnspec/nnspec@v0.1.0"
PYTHON_VERSION = "3.12"
REPORTS = "nnspec-reports"

WORKFLOW = """\
# Made by `nnspec package github`: grades the submission on every push.
name: nnspec
on: push
permissions:
  contents: read
jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 90
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "{python}"
      - name: Install nnspec
        run: |
          python -m pip install "{spec}" matplotlib
          sudo apt-get install -y -qq bubblewrap || echo "no bubblewrap: nnspec grades in its process-only fallback"
      - name: Grade
        run: |
          mkdir -p {reports}
{config}          nnspec grade {submission} {options}--json {reports}/report.json --junit {reports}/junit.xml \\
            --html {reports}/report.html
      - name: Upload the reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: {reports}
          path: {reports}/
"""
INLINE_FILE = """\
          cat > "$RUNNER_TEMP/{file}" <<'NNSPEC_{marker}'
{text}          NNSPEC_{marker}
"""


def register(platforms: argparse._SubParsersAction) -> None:
    parser = platforms.add_parser(
        "github", help="a GitHub Actions workflow for GitHub Classroom",
        description="Writes the workflow to commit in the assignment's template repository: on push it grades the "
        "submission, writes the job's step summary, uploads the reports (JSON, JUnit, HTML) as an artifact and "
        "fails when a required requirement fails.",
    )
    add_common(parser, ".github/workflows/nnspec.yml")
    parser.add_argument("--submission", default="my_network.py", metavar="PATH",
                        help="the submission in the learner's repository (default my_network.py)")
    parser.add_argument("--nnspec-spec", default=DEFAULT_SPEC, metavar="REQUIREMENT",
                        help=f"what pip installs, pinned to a tag or commit you trust (default: {DEFAULT_SPEC!r})")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = workflow(args.submission, args.nnspec_spec, args.config, args.chapter or [], args.profile)
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
    except (ValueError, OSError) as error:
        return fail(str(error))
    print(f"wrote {args.output}: commit it in the assignment's template repository")
    return 0


def workflow(submission: str, spec: str, config: str | None, chapters: list[str], profile: str | None) -> str:
    """The workflow's YAML; ``config`` and a ``profile`` file: TOML files whose text is written inline (learners
    cannot change them without it showing in their repository's history); a built-in ``profile`` by name."""
    for name, value in (("--submission", submission), ("--nnspec-spec", spec), *(("--chapter", c) for c in chapters)):
        if not value or any(character in value for character in "\"'\n$`\\"):
            raise ValueError(f"{name} {value!r}: expected a non-empty value without quotes, $, ` or backslashes")
    options = "".join(f"--chapter {name} " for name in chapters)
    inline = ""
    if config is not None:
        options += '--config "$RUNNER_TEMP/nnspec.toml" '
        inline += _inline("nnspec.toml", "CONFIG", config_text(config))
    builtin, profile_file = profile_choice(profile)
    if builtin:
        options += f"--profile {builtin} "
    elif profile_file:
        options += '--profile "$RUNNER_TEMP/nnspec-profile.toml" '
        inline += _inline("nnspec-profile.toml", "PROFILE", profile_file.read_text(encoding="utf-8"))
    return WORKFLOW.format(python=PYTHON_VERSION, spec=spec, reports=REPORTS, config=inline,
                           submission=submission, options=options)


def _inline(file: str, marker: str, text: str) -> str:
    """The lines of the Grade step that write ``text`` into $RUNNER_TEMP/``file``."""
    return INLINE_FILE.format(file=file, marker=marker, text=textwrap.indent(text, " " * 10))
