"""The hostile submissions' tool for stealing the answer key: finds the reference's folder on disk and runs its
activations module from source, with any way of reading files the attack has.

Not a submission itself (the leading underscore keeps batch mode from grading it); given to every worker of the
corpus by tests/hostile/grading.toml, as an instructor's helper module would be.
"""

import glob
import sys
import types
from pathlib import Path

# Where a grader's checkout may lie: the first few levels under the usual roots.
SEARCH = [f"/{root}{'/*' * depth}/reference/activations.py" for root in ("work", "root", "home", "tmp", "builds",
          "github", "srv", "opt", "src", "repo") for depth in range(5)]
MODULES = ("_checks", "activations")  # reference.activations and what it imports from the reference


def find():
    """The reference's folder (StopIteration when none is found)."""
    return Path(next(path for pattern in SEARCH for path in glob.glob(pattern))).parent


def steal(read=lambda path: Path(path).read_text()):
    """The reference's relu, its modules run from the source ``read`` returns."""
    folder = find()
    package = types.ModuleType("reference")
    package.__path__ = []
    sys.modules["reference"] = package
    for name in MODULES:
        module = types.ModuleType(f"reference.{name}")
        sys.modules[module.__name__] = module
        exec(compile(read(folder / f"{name}.py"), str(folder / f"{name}.py"), "exec"), module.__dict__)
        setattr(package, name, module)
    return sys.modules["reference.activations"].relu
