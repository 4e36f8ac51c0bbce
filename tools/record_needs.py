"""Write spec/needs.json: what each requirement needs of an implementation (see spec/needs.py), recorded by
running the spec on the reference with every call observed.

Usage (from the repository root): ``python tools/record_needs.py [--check]``; ``--check`` compares with the file
instead of writing it (exit 1 when they differ).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spec import needs, recording  # noqa: E402  (after the repository root is on the path)


def record() -> needs.Needs:
    """The table, from a run of the whole spec on the reference (the ci hypothesis profile: derandomized)."""
    recorder = recording.Recorder()
    code = pytest.main(["-q", "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(ROOT),
                        "-W", "error::RuntimeWarning", str(ROOT / "spec")], plugins=[recorder])
    if code != pytest.ExitCode.OK:
        raise SystemExit(f"the spec did not pass on the reference (pytest exit code {code}): nothing written")
    return needs.as_table(recorder.needs, recorder.tests)


def main(argv: list[str]) -> int:
    table = record()
    text = json.dumps(table, indent=1, sort_keys=True) + "\n"
    if "--check" in argv:
        same = needs.NEEDS_FILE.read_text() == text
        print("spec/needs.json is up to date" if same else "spec/needs.json differs from a new recording")
        return 0 if same else 1
    needs.NEEDS_FILE.write_text(text)
    print(f"wrote {needs.NEEDS_FILE} ({len(table)} requirements)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
