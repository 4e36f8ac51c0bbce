"""The worker's environment and confinement: what a submission sees (stdlib, allowed libraries, its own copy),
the bubblewrap sandbox and its process-only fallback, the hardened audit hook, the isolation named in every
report, and the hostile corpus of answer-key, guard, limit, signal and orphan attacks (in both modes)."""

from __future__ import annotations

import builtins
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nnspec.grade import config, limits, reports, sandbox
from nnspec.grade.limits import Limits
from nnspec.grade.proxy import IsolatedImplementation, WorkerStartError, unreadable_paths
from nnspec.grade.runner import GradeRun, RequirementResult
from spec.requirements import Requirement
from tests import hostile_checks
from tests.hostile_checks import REPOSITORY

HOSTILE = REPOSITORY / "tests" / "hostile"
CONFIG = str(HOSTILE / "grading.toml")
SELECTION = ("--chapter", "activations", "--requirement", "ACT-SIGMOID-VALUES", "--requirement", "ACT-RELU-VALUES")
SANDBOXED = not sandbox.probe()
MODES = [pytest.param("auto", marks=pytest.mark.skipif(not SANDBOXED, reason=f"no sandbox here: {sandbox.probe()}")),
         "off"]

PROBE = '''
import importlib.util
import os
import resource
import sys

def probe(paths):
    """What this process can find, read and is limited to."""
    names = ("reference", "spec.oracles", "nnspec.toolkit")
    seen = {name: importlib.util.find_spec(name) is not None for name in names}
    for path in paths:
        try:
            with open(path, "rb") as file:
                file.read(1)
            seen[path] = True
        except OSError:
            seen[path] = False
    limits = [resource.getrlimit(which) for which in (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_NPROC)]
    return seen, [soft == hard for soft, hard in limits], os.getuid(), os.getppid(), sorted(sys.path)

def orphan(seconds):
    """A grandchild in its own session that sleeps (it must not outlive the worker)."""
    import ctypes
    import time
    libc = ctypes.pythonapi
    if libc.fork() == 0:
        libc.setsid()
        if libc.fork() == 0:
            time.sleep(60)
        libc._exit(0)
    return seconds

def sleep_forever(x):
    while True:
        pass
'''


@pytest.fixture(params=MODES)
def isolated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IsolatedImplementation]:
    target = tmp_path / "submission" / "probe.py"
    target.parent.mkdir()
    target.write_text(textwrap.dedent(PROBE))
    (target.parent / "classmate.py").write_text("SECRET = 1\n")
    workdir = tmp_path / "work"
    workdir.mkdir()
    environment = sandbox.Environment(mode=request.param)
    implementation = IsolatedImplementation(str(target), Limits(call_timeout=2.0), str(workdir), unreadable_paths(),
                                            environment)
    implementation.start()
    implementation.begin_requirement()
    yield implementation
    implementation.close()


def test_the_worker_sees_neither_the_answer_key_nor_its_classmates(isolated: IsolatedImplementation) -> None:
    secret = [str(REPOSITORY / "reference" / "activations.py"), str(REPOSITORY / "spec" / "oracles.py"),
              str(Path(isolated.target).parent / "classmate.py"), str(REPOSITORY / "nnspec" / "grade" / "proxy.py")]
    seen, hard, _, _, path = isolated.raw("probe")(secret)
    # the worker runs parts of nnspec and of the spec (its runtime, the spec's drivers), never the rest of either
    assert seen == {"reference": False, "spec.oracles": False, "nnspec.toolkit": False, **dict.fromkeys(secret, False)}
    assert hard == [True, True, True]  # soft = hard: the submission cannot raise them again
    assert not any("site-packages" in entry for entry in path)


def test_the_sandbox_runs_as_nobody_in_its_own_pid_namespace(isolated: IsolatedImplementation) -> None:
    _, _, uid, parent, _ = isolated.raw("probe")([])
    if isolated.view is not None and isolated.view.isolation == sandbox.BUBBLEWRAP:
        assert parent == 1  # bubblewrap's init: the grader is not in this process's PID namespace
        assert uid == sandbox.NOBODY or not sandbox.is_root()
    else:
        assert parent == os.getpid()


@pytest.mark.corpus  # once per CI run: beside another environment's graders it once saw a process not its own
def test_killing_the_worker_leaves_no_process_behind(isolated: IsolatedImplementation) -> None:
    if isolated.view is not None and isolated.view.isolation == sandbox.PROCESS:
        pytest.xfail("the fallback's process-group kill cannot reach a process in a new session")
    state = hostile_checks.before()
    assert isolated.raw("orphan")(1) == 1
    with pytest.raises(pytest.fail.Exception, match="did not return"):
        isolated.sleep_forever(0)  # the call times out and the worker is killed
    hostile_checks.check_after(state, wait=0.5)


def test_a_worker_that_cannot_start_is_the_graders_problem(tmp_path: Path) -> None:
    target = tmp_path / "fine.py"
    target.write_text("def relu(z):\n    return z\n")
    environment = sandbox.Environment(libraries=("numpy", "no_such_library_anywhere"))
    implementation = IsolatedImplementation(str(target), Limits(), str(tmp_path), [], environment)
    with pytest.raises(WorkerStartError) as error:
        implementation.start()
    assert "no_such_library_anywhere" in error.value.details
    assert "not of the submission" in error.value.details and "os._exit" not in error.value.details


def test_a_required_sandbox_that_is_missing_exits_2_and_names_the_cause(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)  # a PATH with Python but without bubblewrap
    out = tmp_path / "report.json"
    finished = subprocess.run(
        [sys.executable, "-m", "nnspec.grade", "examples/learner_correct.py", "--sandbox", "on",
         "--chapter", "activations", "--requirement", "ACT-RELU-VALUES", "--json", str(out)],
        cwd=REPOSITORY, capture_output=True, text=True, check=False, env={**os.environ, "PATH": str(bin_dir)},
    )
    assert finished.returncode == 2, finished.stdout + finished.stderr
    assert "bubblewrap (bwrap) is not installed" in finished.stdout
    assert "not of the submission" in finished.stdout and "os._exit" not in finished.stdout


def test_the_view_copies_a_package_without_links_that_leave_it(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .inside import *\n")
    (package / "real.py").write_text("X = 1\n")
    (package / "inside.py").symlink_to(package / "real.py")
    (package / "outside.py").symlink_to(REPOSITORY / "reference" / "activations.py")
    os.mkfifo(package / "fifo.py")
    copy = sandbox.copy_submission(package, tmp_path / "copy")
    assert sorted(path.name for path in copy.iterdir()) == ["__init__.py", "inside.py", "real.py"]
    assert (copy / "inside.py").read_text() == "X = 1\n" and not (copy / "inside.py").is_symlink()


def test_the_allowed_libraries_come_from_the_config(tmp_path: Path) -> None:
    assert config.load().environment.libraries == ("numpy", "scipy")
    path = tmp_path / "grading.toml"
    (tmp_path / "adapter.py").write_text("")
    path.write_text('[worker]\nlibraries = ["numpy"]\npaths = ["adapter.py"]\n')
    environment = config.load(path).environment
    assert environment.libraries == ("numpy",) and environment.paths == (str(tmp_path / "adapter.py"),)
    assert {"numpy", "adapter.py"} <= set(sandbox.library_paths(environment)) and "scipy" not in environment.libraries


def test_a_namespace_package_is_offered_by_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "vendor_ns" / "cublas").mkdir(parents=True)  # no __init__.py: as nvidia's packages for torch
    monkeypatch.syspath_prepend(str(tmp_path))
    found = sandbox.library_paths(sandbox.Environment(libraries=("vendor_ns",)))
    assert found == {"vendor_ns": (tmp_path / "vendor_ns").resolve()}


def test_the_audit_hook_keeps_its_rules_when_globals_and_builtins_change(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    hook = limits._hook(str(tmp_path), (str(tmp_path),), (), os.getpid(), str(tmp_path / "submission"))
    monkeypatch.setattr(limits, "FORBIDDEN_EVENTS", frozenset())
    monkeypatch.setattr(limits, "WRITE_FLAGS", 0)
    monkeypatch.setattr(builtins, "any", lambda items: True)
    for event, args in [("gc.get_objects", (None,)), ("gc.get_referrers", ()), ("os.fork", ()),
                        ("open", ("/etc/passwd", "r", os.O_RDONLY)), ("open", ("/etc/x", "w", os.O_WRONLY)),
                        ("resource.prlimit", (1, 0, (1, 1)))]:
        with pytest.raises(PermissionError):
            hook(event, args)
    hook("open", (str(tmp_path / "mine"), "w", os.O_WRONLY))


def test_the_audit_hook_loads_native_code_only_from_the_offered_libraries(tmp_path: Path) -> None:
    """PyTorch loads its own shared libraries with ctypes: those of a readable library folder load; the worker's
    folder, the submission's, the system's and the process itself (ctypes.CDLL(None)) do not."""
    library, work, submission = tmp_path / "lib", tmp_path / "work", tmp_path / "submission"
    hook = limits._hook(str(work), (str(library), str(work), str(submission)), (), os.getpid(), str(submission))
    hook("ctypes.dlopen", (str(library / "torch" / "lib" / "libtorch_global_deps.so"),))
    for refused in (None, str(work / "mine.so"), str(submission / "bundled.so"), "/lib/x86_64-linux-gnu/libc.so.6"):
        with pytest.raises(PermissionError, match="native library"):
            hook("ctypes.dlopen", (refused,))


# --- the isolation in every report's header ----------------------------------------------------------------------

ISOLATED_RUN = GradeRun("sub.py", "sub.py", True, "", [RequirementResult(Requirement("ACT-A", "a", "doc"), "passed")],
                        isolation=sandbox.DESCRIPTIONS[sandbox.PROCESS], isolation_warning="no sandbox (test)")


def isolated_report() -> reports.Report:
    return reports.build(ISOLATED_RUN, config.load())


def test_the_terminal_header_names_the_isolation_and_the_fallback_warns() -> None:
    lines = reports.terminal(isolated_report()).splitlines()
    assert lines[1] == f"isolation: {sandbox.DESCRIPTIONS[sandbox.PROCESS]}"
    assert "warning: no sandbox (test)" in lines


def test_the_json_report_names_the_isolation() -> None:
    assert reports.to_json(isolated_report())["isolation"] == sandbox.DESCRIPTIONS[sandbox.PROCESS]


def test_the_gradescope_output_names_the_isolation() -> None:
    output = reports.gradescope(isolated_report())["output"]
    assert output.splitlines()[1] == f"isolation: {sandbox.DESCRIPTIONS[sandbox.PROCESS]}"


# --- the hostile corpus: answer key, guard, limits, signals, orphans ---------------------------------------------

RELU = "ACT-RELU-VALUES"
ATTACKS: dict[str, str] = {  # submission: what happens to the requirement it cheats on ("load": it cannot load)
    "answer_key_import": "load",
    "answer_key_spec_oracles": "failed",
    "answer_key_exec_source": "failed",
    "answer_key_ctypes_read": "failed",
    "answer_key_symlinks": "load",
    "guard_globals": "failed",
    "guard_gc_setattr": "failed",
    "rlimit_raise": "failed",
    "prlimit_grader": "failed",
    "pidfd_grader": "any",  # under bubblewrap the parent is the namespace's init, which ignores the signal
    "orphan_fork_exec": "any",
    "orphan_ctypes_fork": "any",
}
# What only the operating system stops: known and expected to get through the process-only fallback.
FALLBACK_KNOWN = {
    "answer_key_ctypes_read": "ctypes reads files without an audit event",
    "pidfd_grader": "pidfd_send_signal raises no audit event and the worker runs as the grader's user",
    "orphan_fork_exec": "_posixsubprocess.fork_exec raises no audit event; a new session escapes the group kill",
    "orphan_ctypes_fork": "a ctypes fork raises no audit event; a new session escapes the group kill",
}


def corpus_cases() -> list[Any]:
    cases = []
    for mode in MODES:
        mode_name = mode if isinstance(mode, str) else mode.values[0]
        marks = [] if isinstance(mode, str) else list(mode.marks)
        for name in ATTACKS:
            case_marks = [*marks, pytest.mark.corpus]
            if mode_name == "off" and name in FALLBACK_KNOWN:
                case_marks.append(pytest.mark.xfail(reason=FALLBACK_KNOWN[name], strict=True))
            cases.append(pytest.param(name, mode_name, marks=case_marks, id=f"{name}-{mode_name}"))
    return cases


def test_the_corpus_covers_every_attack_file() -> None:
    files = {path.stem for path in HOSTILE.iterdir() if path.suffix == ".py" or path.is_dir()}
    assert set(ATTACKS) <= files


@pytest.fixture
def state() -> Iterator[hostile_checks.State]:
    """The state before grading; afterwards, what a known attack left in the temporary folder is removed."""
    taken = hostile_checks.before()
    yield taken
    hostile_checks.clean(taken)


@pytest.mark.parametrize(("name", "mode"), corpus_cases())
def test_a_hostile_submission_gains_nothing_and_harms_nothing(
    name: str, mode: str, tmp_path: Path, state: hostile_checks.State
) -> None:
    target = HOSTILE / name if (HOSTILE / name).is_dir() else HOSTILE / f"{name}.py"
    graded = hostile_checks.grade([str(target)], tmp_path, *SELECTION, "--config", CONFIG, sandbox=mode)
    expected = ATTACKS[name]
    if expected == "load":
        assert graded.returncode == 2 and graded.report["score"] == 0
        if name == "answer_key_import":
            assert "not available to submissions" in graded.report["load_error"]
    elif expected != "any":
        assert graded.status(RELU) == expected, graded.message(RELU)
        assert graded.status("ACT-SIGMOID-VALUES") == "passed"
    hostile_checks.check_after(state)


@pytest.mark.corpus
@pytest.mark.parametrize("mode", MODES)
def test_a_classmate_cannot_be_imported_in_batch_mode(mode: str, tmp_path: Path, state: hostile_checks.State) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copyfile(HOSTILE / "good.py", folder / "alice.py")
    shutil.copyfile(HOSTILE / "classmate_import.py", folder / "mallory.py")
    roster, reports_folder = tmp_path / "roster.csv", tmp_path / "reports"
    finished = subprocess.run(
        [sys.executable, "-m", "nnspec.grade", str(folder), *SELECTION, "--config", CONFIG, "--sandbox", mode,
         "--roster", str(roster), "--reports", str(reports_folder)],
        cwd=REPOSITORY, capture_output=True, text=True, check=False,
    )
    assert finished.returncode == 1, finished.stdout + finished.stderr
    scores = {line.split(",")[0]: line.split(",")[1] for line in roster.read_text().splitlines()[1:]}
    assert scores == {str(folder / "alice.py"): "2.0", str(folder / "mallory.py"): "1.0"}
    hostile_checks.check_after(state, wait=0.0)
