"""Batch mode's similarity report: which submissions are unusually alike, and which are close to the reference.

Evidence for an instructor to look at, never a penalty: it changes no score and no exit code. Submissions are read
as text only (never imported). copydetect fingerprints them (winnowing over tokens whose names are replaced by
placeholders, as MOSS does), so renaming identifiers or changing comments and whitespace does not lower the
figures. Import lines, ``NNSPEC_CONTRACT`` lines and the lines of a template (the starter file learners were given)
are left out.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import sys
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from nnspec.grade.escape import table_cell as cell

# Matches shorter than NOISE_CHARS characters of tokenised code (names replaced by V, F, O; strings by S;
# whitespace and comments gone) are noise; every longer match is found (window 1, copydetect's default: every
# k-gram is a fingerprint, so the figures do not depend on Python's hash seed).
NOISE_CHARS = 50
WINDOW = 1
# Calibrated on the correct variants of tests/mutants/correct/ (tests/test_similarity.py prints the table): with
# runs of 50 tokenised characters, the seven independently written variants score at most 0.38 against each other
# (21 pairs) and 0.10 against the reference; copies with renamed identifiers score at least 0.97. 0.6 leaves 0.22
# above the first (a class has many more pairs than 21, so its highest figure is higher) and 0.37 below the second.
# (copydetect's default of 25 characters let independent variants reach 0.56: code implementing one contract with
# NumPy shares many short runs such as ``V=V.V(V,V=V)``.)
THRESHOLD = 0.6
MAX_FILE_BYTES = 1_000_000  # a larger .py file is not a learner's own code; it is skipped with a note
MAX_FILES = 500  # .py files read of one package folder (sorted by path); the rest are skipped with a note
EXCERPT_LINES = 8  # lines shown of each side's most similar region
BELOW_THRESHOLD_ROWS = 10  # unflagged rows listed after the flagged ones, so the margin shows
REFERENCE = "nnspec reference"
HEADER = ("Evidence for an instructor to look at, never a penalty: this report changes no score and no exit code. "
          "A high figure says two texts share long runs of code (after identifiers, comments and whitespace are "
          "set aside); only a person can tell whether that is copying.")
# A whole import statement (with a parenthesised continuation), or the contract version line: shared by everyone.
BOILERPLATE_LINE = re.compile(
    r"^[ \t]*(?:(?:from[ \t]+\S+[ \t]+)?import[ \t]+(?:\([^)]*\)|[^\n]*)|NNSPEC_CONTRACT[ \t]*(?::[^=\n]*)?=[^\n]*)",
    re.MULTILINE,
)
IMPORTS_REFERENCE = re.compile(r"^[ \t]*(?:from|import)[ \t]+reference\b", re.MULTILINE)


@dataclass
class Source:
    """One text to compare: a submission's .py files joined (or the reference's, or a template's)."""

    name: str
    text: str = ""
    files: list[tuple[str, int]] = field(default_factory=list)  # (file name, offset of its first character)
    notes: list[str] = field(default_factory=list)


def read_source(path: Path, name: str | None = None) -> Source:
    """Read a .py file, or every .py file of a folder (regular files only, at most MAX_FILE_BYTES each).

    An unreadable, binary or oversized file is skipped with a note in ``Source.notes``."""
    source = Source(name or str(path))
    paths = [path] if path.is_file() else sorted(path.rglob("*.py")) if path.is_dir() else []
    if not paths:
        source.notes.append(f"{path}: no .py file to read")
    if len(paths) > MAX_FILES:
        source.notes.append(f"{len(paths) - MAX_FILES} .py files after the first {MAX_FILES}: skipped")
        paths = paths[:MAX_FILES]
    for file in paths:
        label = file.name if file == path else str(file.relative_to(path))
        text, problem = _read_text(file)
        if problem:
            source.notes.append(f"{label}: skipped ({problem})")
            continue
        source.files.append((label, len(source.text)))
        source.text += text if text.endswith("\n") else text + "\n"
    return source


def _read_text(file: Path) -> tuple[str, str]:
    """(text, "") or ("", why it was not read)."""
    if file.is_symlink() or not file.is_file():
        return "", "not a regular file"
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            return "", f"larger than {MAX_FILE_BYTES} bytes"
        data = file.read_bytes()
    except OSError as error:
        return "", f"unreadable: {error.strerror or error}"
    if b"\0" in data:
        return "", "binary"
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        return "", "not UTF-8 text"


def reference_source() -> Source:
    """The source of this installation's reference package, read as text (never imported here)."""
    spec = importlib.util.find_spec("reference")
    if spec is None or spec.origin is None:
        return Source(REFERENCE, notes=["the reference package was not found"])
    return read_source(Path(spec.origin).parent, REFERENCE)


def without_boilerplate(text: str) -> str:
    """``text`` with import statements and NNSPEC_CONTRACT lines blanked to spaces (offsets and lines kept)."""
    return BOILERPLATE_LINE.sub(lambda match: re.sub(r"[^\n]", " ", match.group()), text)


def fingerprint(source: Source, boilerplate: set[int] | None = None) -> Any:
    """copydetect's fingerprint of ``source`` (as Python), without the k-grams in ``boilerplate``.

    copydetect's own ``boilerplate`` argument removes the wrong k-grams when a text repeats one (0.5.0 passes
    ``assume_unique=True`` to ``np.intersect1d`` on hashes that are not unique), so they are removed here, from
    its hash set and index, and the number of tokens compared is counted again as copydetect counts it."""
    from copydetect import CodeFingerprint
    from copydetect.utils import get_token_coverage

    prints = CodeFingerprint("submission.py", NOISE_CHARS, WINDOW, fp=io.StringIO(without_boilerplate(source.text)))
    if boilerplate:
        prints.hashes -= boilerplate
        prints.hash_idx = {key: where for key, where in prints.hash_idx.items() if key not in boilerplate}
        prints.token_coverage = get_token_coverage(prints.hash_idx, NOISE_CHARS, len(prints.filtered_code))
    return prints


def compare(sources: list[Source], reference: Source, template: Source | None = None) -> list[dict[str, Any]]:
    """Every pair of ``sources``, and every source against ``reference``: one row each, most similar first.

    A row's ``similarity`` is the larger of copydetect's two figures (the share of each side's tokens found in
    the other); ``flagged`` when it reaches THRESHOLD."""
    from copydetect import compare_files

    boilerplate = fingerprint(template).hashes if template is not None else None
    prints = {id(source): fingerprint(source, boilerplate) for source in [*sources, reference]}
    matches = [*combinations(sources, 2), *((source, reference) for source in sources)]
    rows: list[dict[str, Any]] = []
    for first, second in matches:
        overlap, (share1, share2), (slices1, slices2) = compare_files(prints[id(first)], prints[id(second)])
        similarity = max(float(share1), float(share2))
        rows.append({
            "kind": "reference" if second is reference else "pair",
            "first": first.name, "second": second.name,
            "similarity": round(similarity, 3),
            "first_share": round(float(share1), 3), "second_share": round(float(share2), 3),
            "overlap_tokens": int(overlap), "flagged": similarity >= THRESHOLD,
            "first_region": _region(first, slices1), "second_region": _region(second, slices2),
        })
    rows.sort(key=lambda row: (-row["similarity"], -row["overlap_tokens"], row["first"], row["second"]))
    return rows


def _region(source: Source, slices: Any) -> dict[str, Any]:
    """The longest matched stretch of ``source``: its file, first and last line, and up to EXCERPT_LINES lines."""
    if len(slices) == 0 or len(slices[0]) == 0:
        return {}
    longest = max(range(len(slices[0])), key=lambda index: slices[1][index] - slices[0][index])
    start, end = int(slices[0][longest]), int(slices[1][longest])
    file, file_start = max((entry for entry in source.files if entry[1] <= start), key=lambda entry: entry[1])
    first_line = source.text.count("\n", file_start, start) + 1
    last_line = first_line + source.text.count("\n", start, end)
    line_start = source.text.rfind("\n", 0, start) + 1
    excerpt = source.text[line_start:end].splitlines()[:EXCERPT_LINES]
    return {"file": file, "first_line": first_line, "last_line": last_line, "excerpt": excerpt}


def report(paths: list[str], template: str | None = None) -> dict[str, Any]:
    """The whole report as data: the submissions at ``paths`` against each other and against the reference."""
    sources = [read_source(Path(path)) for path in paths]
    template_source = read_source(Path(template)) if template else None
    if template_source is not None and not template_source.files:
        raise ValueError(f"--similarity-template {template}: {'; '.join(template_source.notes)}")
    rows = compare(sources, reference_source(), template_source)
    flagged = [row for row in rows if row["flagged"]]
    notes = [f"{source.name}: {note}" for source in sources for note in source.notes]
    return {"note": HEADER, "threshold": THRESHOLD, "template": template, "submissions": len(sources),
            "compared": len(rows), "flagged": len(flagged),
            "rows": flagged + rows[len(flagged):len(flagged) + BELOW_THRESHOLD_ROWS],
            "imports_reference": [source.name for source in sources if IMPORTS_REFERENCE.search(source.text)],
            "notes": notes}


def markdown(data: dict[str, Any]) -> str:
    """The report for a person: the ranked table, then each flagged match's most similar regions."""
    lines = ["# Similarity report", "", data["note"], "",
             f"{data['submissions']} submissions, {data['compared']} comparisons (every pair, and each against "
             f"nnspec's reference); threshold {data['threshold']:g}; flagged: {data['flagged']}."
             + (f" Lines of the template {cell(data['template'])} are left out." if data["template"] else ""),
             "", "Share of first: the part of the first's tokenised code also found in the second (copydetect's "
             "figure); similarity: the larger share; shared tokens: the first's tokenised characters in matches. "
             "Every flagged row is listed, then the closest below the threshold.",
             "", "| rank | match | first | second | similarity | share of first | share of second | shared tokens "
             "| flagged |", "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for rank, row in enumerate(data["rows"], 1):
        lines.append(f"| {rank} | {row['kind']} | {cell(row['first'])} | {cell(row['second'])} | "
                     f"{row['similarity']:.3f} | {row['first_share']:.3f} | {row['second_share']:.3f} | "
                     f"{row['overlap_tokens']} | {'yes' if row['flagged'] else 'no'} |")
    if data["imports_reference"]:
        lines += ["", "## Submissions that import nnspec's reference", "",
                  "They run the reference's own code for every function they do not define (one line, "
                  "`from reference import *`, passes the whole spec); only their own text is compared above.", ""]
        lines += [f"- {cell(name)}" for name in data["imports_reference"]]
    for rank, row in enumerate(data["rows"], 1):
        if row["flagged"]:
            lines += ["", f"## {rank}. {cell(row['first'])} and {cell(row['second'])}", ""]
            lines += _region_lines(row["first"], row["first_region"]) + _region_lines(row["second"],
                                                                                      row["second_region"])
    if data["notes"]:
        lines += ["", "## Files left out", ""] + [f"- {cell(note)}" for note in data["notes"]]
    return "\n".join(lines) + "\n"


def _region_lines(name: str, region: dict[str, Any]) -> list[str]:
    if not region:
        return []
    file = "" if region["file"] == Path(name).name else f", {cell(region['file'])}"
    where = f"{cell(name)}{file} lines {region['first_line']}–{region['last_line']}"
    return [f"{where}:", "", "<pre>", *(cell(line) for line in region["excerpt"]), "</pre>", ""]


def write(path: str, submissions: list[str], template: str | None = None) -> dict[str, Any]:
    """Write the report to ``path``: JSON when it ends in .json, markdown otherwise. Returns the data."""
    data = report(submissions, template)
    text = json.dumps(data, indent=2) + "\n" if path.endswith(".json") else markdown(data)
    Path(path).write_text(text, encoding="utf-8")
    return data


def run(path: str, submissions: list[str], template: str | None = None) -> None:
    """Batch mode's call: write the report, say so on stdout; a failure is reported on stderr, never raised
    (the report changes no exit code)."""
    try:
        data = write(path, submissions, template)
    except ImportError:
        print("nnspec grade: the similarity report needs copydetect: pip install 'nnspec[similarity]'",
              file=sys.stderr)
        return
    except (OSError, ValueError) as error:
        print(f"nnspec grade: could not write the similarity report {path}: {error}", file=sys.stderr)
        return
    print(f"similarity report written to {path}: {data['flagged']} of {data['compared']} comparisons reach "
          f"{THRESHOLD:g} (evidence for an instructor, not a penalty)")
