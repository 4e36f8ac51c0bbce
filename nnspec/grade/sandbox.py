"""What a worker sees and what confines it: the worker's file view, and the bubblewrap command line around it.

The view (``prepare``), in both modes: the standard library, the allowed libraries' own folders (not the
site-packages that holds them: it also holds nnspec's editable install, whose finder would import ``reference``
and ``spec``), the worker runtime (``RUNTIME_FILES`` and the spec's driver modules, copied on their own) and a
private copy of the one submission. The worker starts with ``python -I -S`` (no site-packages, no environment
variables) and a ``sys.path`` of exactly those folders.

Isolation ``bubblewrap``: the worker runs under bubblewrap in new user, PID, mount, network, IPC and UTS
namespaces; its file system holds only the view (read-only, under ``/sandbox``), the system's shared libraries,
``/dev`` and its own ``/proc``, and its temporary folder, the only writable place. When the grader runs as root,
bubblewrap is started as the unprivileged ``nobody`` (``setpriv``), because RLIMIT_NPROC does not hold for uid 0
and a root-mapped uid could still open root's files; a first, privileged bubblewrap only re-mounts the view's
sources where ``nobody`` can reach them (the interpreter may live under /root). Killing bubblewrap kills the
namespace's first process, and with it every process inside (``--die-with-parent``, PID namespace).

Isolation ``process`` (the fallback when namespaces are not available, or forced with ``--sandbox off``): the
same view and hard limits, the worker in its own process group, and the audit hook's path rule; what only the
operating system can stop (ctypes, processes that leave the group, signals to the grader) is not stopped.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nnspec.grade import drivers

SANDBOX_ENV = "NNSPEC_SANDBOX"
MODES = ("auto", "on", "off")
BUBBLEWRAP, PROCESS = "bubblewrap", "process"
DESCRIPTIONS = {
    BUBBLEWRAP: "bubblewrap sandbox (user, PID, mount, network and IPC namespaces; read-only view; hard limits)",
    PROCESS: "process only (no namespaces: file view, hard limits and the audit hook, but no OS sandbox)",
}
FALLBACK_WARNING = ("the submission ran without the operating system's sandbox ({reason}): the grader's file view "
                    "and audit hook are not a security boundary against ctypes, escaping processes or signals")
NOBODY = 65534  # the unprivileged uid and gid the sandbox runs as when the grader is root
INSIDE = Path("/sandbox")  # where the view appears inside the sandbox
# the nnspec/grade/ files the worker runs
RUNTIME_FILES = ("worker.py", "wire.py", "limits.py", "loader.py", "mapping.py", "layout.py", "values.py",
                 "drivers.py", "adapters/__init__.py", "adapters/course_optimizers.py", "adapters/documents_004.py")
SYSTEM_LIBRARIES = ("/lib", "/lib32", "/lib64", "/usr/lib", "/usr/lib32", "/usr/lib64")
MAX_SUBMISSION_BYTES = 64 * 2**20  # a submission's private copy (a package folder's files together)
PROBE_TIMEOUT_S = 30.0
NAMESPACES = ("--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
              "--unshare-cgroup-try", "--die-with-parent", "--new-session")
DROP_PRIVILEGES = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all",
                   "--bounding-set=-all", "--no-new-privs", "--")


class SandboxError(Exception):
    """The sandbox was required (``--sandbox on``) but cannot run here, or the view cannot be built."""


class SubmissionError(SandboxError):
    """The submission itself cannot be copied into the view (too large)."""


@dataclass(frozen=True)
class Environment:
    """The grader's choice: isolation mode (auto, on, off) and what a submission may import besides the standard
    library: ``libraries`` by import name (each with its ``NAME.libs`` folder of shared libraries), ``paths`` as
    files or folders (an instructor's adapter module)."""

    mode: str = "auto"
    libraries: tuple[str, ...] = ("numpy", "scipy")
    paths: tuple[str, ...] = ()


@dataclass
class View:
    """The files one grading's workers see (made once per submission, removed by ``close``)."""

    isolation: str
    reason: str  # why the fallback was used ("" with bubblewrap)
    root: Path  # holds runtime/nnspec/grade/*.py and submission/ (the grader's; read-only to the worker)
    workdir: Path  # the worker's temporary folder, its only writable place
    target: str  # the submission as the worker names it
    python: Path  # the interpreter's installation (sys.base_prefix)
    executable: Path
    libraries: dict[str, Path] = field(default_factory=dict)  # name in the worker's lib folder -> source
    hidden: list[str] = field(default_factory=list)  # further folders the audit hook refuses to read

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.isolation]

    def inside(self, path: Path) -> str:
        """``path`` (under ``root``, ``workdir`` or ``python``) as the worker sees it."""
        if self.isolation == PROCESS:
            return str(path)
        for source, mount in ((self.root, INSIDE), (self.workdir, INSIDE / "work"), (self.python, INSIDE / "python")):
            if path == source or source in path.parents:
                return str(mount / path.relative_to(source))
        raise ValueError(f"{path} is not in the worker's view")

    def sys_path(self) -> list[str]:
        """The worker's import path after the standard library: the allowed libraries, then the submission's
        folder for a .py file (as ``python file.py`` would)."""
        path = [str(self.root / "lib") if self.isolation == PROCESS else str(INSIDE / "lib")]
        return path + ([str(Path(self.target).parent)] if self.target.endswith(".py") else [])

    def readable(self) -> list[str]:
        """The folders the audit hook lets the worker read (as it sees them)."""
        system = ["/dev", "/proc"]
        if self.isolation == BUBBLEWRAP:
            return [str(INSIDE), *system]
        return [str(self.python), str(self.root), str(self.workdir), *map(str, self.libraries.values()), *system]

    def unreadable(self) -> list[str]:
        """Inside readable folders, those the audit hook refuses: the interpreter's own site-packages."""
        return [self.inside(path) for path in site_packages(self.python)] + self.hidden

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def choose(mode: str) -> tuple[str, str]:
    """(isolation, reason for a fallback) for ``mode``: auto uses bubblewrap when it works here; on requires it
    (SandboxError otherwise); off never uses it."""
    if mode not in MODES:
        raise SandboxError(f"sandbox mode must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "off":
        return PROCESS, f"forced off with --sandbox off or {SANDBOX_ENV}=off"
    problem = probe()
    if not problem:
        return BUBBLEWRAP, ""
    if mode == "on":
        raise SandboxError(f"the sandbox was required but cannot run here: {problem}")
    return PROCESS, problem


@functools.lru_cache(maxsize=1)
def probe() -> str:
    """"" when bubblewrap runs the interpreter in namespaces here, else what went wrong."""
    if not sys.platform.startswith("linux"):
        return f"namespaces need Linux, this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    if is_root() and shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed, needed to drop root"
    with tempfile.TemporaryDirectory(prefix="nnspec-probe-") as folder:
        view = View(BUBBLEWRAP, "", Path(folder), Path(folder) / "work", "", *interpreter())
        for name in ("runtime", "submission", "work"):
            (view.root / name).mkdir()
        _share(view.root, view.workdir)
        command = launch_command(view, ["-I", "-S", "-c", "pass"])
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap could not be run ({error})"
    if finished.returncode != 0:
        return "bubblewrap failed: " + (finished.stderr.strip().splitlines() or [f"exit {finished.returncode}"])[-1]
    return ""


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def interpreter() -> tuple[Path, Path]:
    """(installation prefix, real executable) of the Python running the grader (not its virtual environment)."""
    return Path(sys.base_prefix).resolve(), Path(os.path.realpath(sys.executable))


def site_packages(prefix: Path) -> list[Path]:
    """The installation's own site-packages folders (a grader installed there would be visible through them)."""
    scheme = sysconfig.get_paths(vars={"base": str(prefix), "platbase": str(prefix)})
    return sorted({Path(scheme[key]) for key in ("purelib", "platlib") if Path(scheme[key]).is_dir()})


def library_paths(environment: Environment) -> dict[str, Path]:
    """Each allowed library's folder (or file) and its ``NAME.libs`` folder, by the name it gets in the view."""
    found: dict[str, Path] = {}
    for name in environment.libraries:
        spec = importlib.util.find_spec(name)
        if spec is None:
            raise SandboxError(f"the allowed library {name!r} is not installed where the grader runs")
        if spec.origin is None:  # a namespace package (e.g. nvidia, which CUDA builds of torch load from): its folders
            locations = list(spec.submodule_search_locations or ())
            if len(locations) != 1:
                raise SandboxError(f"the allowed library {name!r} is a namespace package in {len(locations)} folders "
                                   f"({', '.join(locations)}); the worker's view can hold one")
            source = Path(locations[0])
        else:
            source = Path(spec.origin).parent if spec.submodule_search_locations else Path(spec.origin)
        found[source.name] = source.resolve()
        shared = source.parent / f"{name}.libs"
        if shared.is_dir():
            found[shared.name] = shared.resolve()
    for extra in environment.paths:
        path = Path(extra).resolve()
        if not path.exists():
            raise SandboxError(f"the path {extra!r} the configuration gives the worker does not exist")
        found[path.name] = path
    return found


def prepare(target: str, workdir: str, environment: Environment, hidden: list[str]) -> View:
    """The view of one submission's workers: the runtime and the submission copied into a new folder."""
    isolation, reason = choose(environment.mode)
    root = Path(tempfile.mkdtemp(prefix="nnspec-view-"))
    python, executable = interpreter()
    view = View(isolation, reason, root, Path(workdir).resolve(), target, python, executable,
                library_paths(environment), hidden)
    try:
        _copy_runtime(root / "runtime" / "nnspec" / "grade")
        (root / "submission").mkdir()
        if Path(target).exists():
            view.target = view.inside(copy_submission(Path(target), root / "submission"))
        if isolation == PROCESS:
            (root / "lib").mkdir()
            for name, source in view.libraries.items():
                (root / "lib" / name).symlink_to(source)
        _share(root, view.workdir)
    except BaseException:
        view.close()
        raise
    return view


def _copy_runtime(folder: Path) -> None:
    """``nnspec.grade``'s worker files, as the package ``nnspec.grade`` with empty ``__init__`` files (the worker
    takes the folder off ``sys.path`` and empties the packages' ``__path__`` before importing the submission)."""
    folder.mkdir(parents=True)
    for package in (folder.parent, folder):
        (package / "__init__.py").write_text("")
    here = Path(__file__).resolve().parent
    for name in RUNTIME_FILES:
        (folder / name).parent.mkdir(exist_ok=True)
        shutil.copyfile(here / name, folder / name)
    _copy_drivers(folder.parents[1])


def _copy_drivers(runtime: Path) -> None:
    """The spec's driver modules (``drivers.MODULES``) into ``runtime``, each package with an empty ``__init__``."""
    for name in drivers.MODULES:
        destination = runtime.joinpath(*name.split(".")).with_suffix(".py")
        for package in destination.relative_to(runtime).parents[:-1]:
            (runtime / package).mkdir(exist_ok=True)
            (runtime / package / "__init__.py").write_text("")
        found = importlib.util.find_spec(name)
        if found is None or found.origin is None:
            raise RuntimeError(f"the driver module {name} is not installed with nnspec")
        shutil.copyfile(found.origin, destination)


def copy_submission(source: Path, destination: Path) -> Path:
    """A private copy of ``source`` (a .py file alone, or a package folder) in ``destination``: regular files and
    folders only; a symlink is followed only when it points to a file inside the package."""
    source = source.resolve()
    if source.is_file():
        shutil.copyfile(source, destination / source.name)
        return destination / source.name
    total = 0
    for folder, _, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        if "__pycache__" in relative.parts:
            continue
        (destination / source.name / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            real = Path(folder, name).resolve()
            if not real.is_relative_to(source) or not real.is_file():
                continue  # leaves the package (e.g. a link to the reference), or a FIFO or device
            total += real.stat().st_size
            if total > MAX_SUBMISSION_BYTES:
                raise SubmissionError(f"the submission's files are larger than {MAX_SUBMISSION_BYTES // 2**20} MiB")
            shutil.copyfile(real, destination / source.name / relative / name)
    return destination / source.name


def _share(root: Path, workdir: Path) -> None:
    """Let the worker read the view and write its folder when it runs as ``nobody`` (the grader is root)."""
    for folder, folders, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files + folders:
            path = Path(folder, name)
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
    if is_root():
        os.chown(workdir, NOBODY, NOBODY)


def launch_command(view: View, python_args: list[str]) -> list[str]:
    """The command that starts the worker's interpreter with ``python_args`` in ``view``'s isolation."""
    if view.isolation == PROCESS:
        return [str(view.executable), *python_args]
    sources = {INSIDE / "python": view.python, INSIDE / "runtime": view.root / "runtime",
               INSIDE / "submission": view.root / "submission", INSIDE / "work": view.workdir}
    sources.update({INSIDE / "lib" / name: path for name, path in view.libraries.items()})
    executable = INSIDE / "python" / view.executable.relative_to(view.python)
    if not is_root():
        return [*_inner(sources, view), str(executable), *python_args]
    stage = view.root / "stage"
    stage.mkdir(exist_ok=True)
    staged = {mount: stage / str(index) for index, mount in enumerate(sources)}
    # /dev keeps its devices (a plain --bind mounts it nodev): the inner --dev /dev binds its few nodes from here,
    # and /dev/urandom must open (PyTorch's random device reads it)
    outer = ["bwrap", "--bind", "/", "/", "--dev-bind", "/dev", "/dev", "--die-with-parent", "--perms", "0755",
             "--tmpfs", str(stage)]
    for mount, path in staged.items():
        outer += ["--ro-bind" if mount != INSIDE / "work" else "--bind", str(sources[mount]), str(path)]
    inner = _inner({mount: staged[mount] for mount in sources}, view)
    return [*outer, *DROP_PRIVILEGES, *inner, str(executable), *python_args]


def _inner(sources: dict[Path, Path], view: View) -> list[str]:
    """bubblewrap's options: namespaces, the system's shared libraries, the view (``sources``: where each
    mount's content is found), /dev, /proc, and no site-packages of the interpreter's own."""
    command = ["bwrap", *NAMESPACES]
    for name in SYSTEM_LIBRARIES:
        if os.path.islink(name):
            command += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            command += ["--ro-bind", name, name]
    for mount, source in sources.items():
        command += ["--bind" if mount == INSIDE / "work" else "--ro-bind", str(source), str(mount)]
    for path in site_packages(view.python):
        command += ["--tmpfs", view.inside(path)]
    return [*command, *_shared_libpython(view), "--dev", "/dev", "--proc", "/proc", "--chdir", str(INSIDE / "work")]


def _shared_libpython(view: View) -> list[str]:
    """An interpreter built with --enable-shared (pyenv's) finds libpython through an absolute RUNPATH into its
    installation, which the sandbox mounts elsewhere: point the loader at the mounted copy of that folder."""
    libdir = Path(sysconfig.get_config_var("LIBDIR") or "").resolve()
    if not sysconfig.get_config_var("Py_ENABLE_SHARED") or not libdir.is_relative_to(view.python):
        return []
    return ["--setenv", "LD_LIBRARY_PATH", str(INSIDE / "python" / libdir.relative_to(view.python))]


def exit_status(view: View, status: int | None) -> int | None:
    """The worker's exit status with bubblewrap's 128 + N for "killed by signal N" turned into -N, as Popen's."""
    if view.isolation == BUBBLEWRAP and status is not None and status > 128:
        return 128 - status
    return status


def boot_arguments(view: View, fd: int) -> list[str]:
    """The interpreter's arguments: isolated, no site-packages, no bytecode; the view's import path; then the
    worker runtime's ``main`` on descriptor ``fd``."""
    runtime = view.inside(view.root / "runtime")
    code = (f"import sys; sys.path += {[runtime, *view.sys_path()]!r}; "
            f"from nnspec.grade.worker import main; main(int(sys.argv[1]), {runtime!r})")
    return ["-I", "-S", "-B", "-c", code, str(fd)]
