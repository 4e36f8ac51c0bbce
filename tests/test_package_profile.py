"""`nnspec package ... --profile`: a built-in profile is named in the package, a profile file is bundled (inline in
the GitHub workflow), a built-in adapter comes with nnspec, and a profile whose adapter module a package cannot carry
(an instructor's) is refused, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnspec.package import github
from nnspec.package.common import profile_choice

REPOSITORY = Path(__file__).resolve().parents[1]
COURSE = REPOSITORY / "nnspec" / "profiles" / "course-api.toml"


def test_a_builtin_profile_is_named_and_a_file_is_bundled() -> None:
    assert profile_choice("course-api") == ("course-api", None)
    assert profile_choice("documents-004") == ("documents-004", None), "its adapter is built in"
    assert profile_choice(str(COURSE)) == (None, COURSE)
    assert profile_choice(None) == (None, None)


def test_a_profile_with_an_adapter_or_a_missing_profile_is_refused(tmp_path: Path) -> None:
    adapted = tmp_path / "adapted.toml"
    adapted.write_text('[profile]\ndescription = "x"\nadapter = "my_adapter"\nadapter_functions = ["sigmoid"]\n',
                       encoding="utf-8")
    with pytest.raises(ValueError, match="adapter module 'my_adapter'"):
        profile_choice(str(adapted))
    with pytest.raises(ValueError, match="--profile no-such-course"):
        profile_choice("no-such-course")


def test_the_workflow_grades_with_the_profile(tmp_path: Path) -> None:
    named = github.workflow("my_network.py", "nnspec", None, [], "course-api")
    assert "nnspec grade my_network.py --profile course-api " in named
    inline = github.workflow("my_network.py", "nnspec", None, [], str(COURSE))
    assert '--profile "$RUNNER_TEMP/nnspec-profile.toml"' in inline
    assert "NNSPEC_PROFILE" in inline and 'initialize_parameters_deep' in inline
