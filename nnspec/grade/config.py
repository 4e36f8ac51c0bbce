"""The grading configuration: points, required and hidden requirements, limits (TOML; default shipped)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnspec.grade.limits import MIB, Limits
from nnspec.grade.sandbox import Environment
from spec.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_CONFIG = Path(__file__).with_name("default_config.toml")
POLICY_KEYS = {"points", "required", "visibility", "hidden"}
# Gradescope's visibility levels (autograder specification, "Controlling test case visibility"): every report
# but --json and Gradescope's results.json treats anything but "visible" as hidden. `hidden = true` is a
# synonym for "hidden" (and `hidden = false` for "visible"), resolved as the same setting.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
GRADING_KEYS = POLICY_KEYS | {"no_frameworks", "forbidden_modules"}
LIMIT_KEYS = {
    "memory_mb", "cpu_seconds", "file_mb", "processes", "output_kb", "import_timeout_s", "call_timeout_s",
    "requirement_timeout_s", "chapter_call_timeout_s", "chapter_requirement_timeout_s",
}
WORKER_KEYS = {"libraries", "paths"}
TOP_KEYS = {"grading", "limits", "chapters", "requirements", "worker"}


class ConfigError(ValueError):
    """The configuration file is unreadable or names an unknown setting."""


@dataclass(frozen=True)
class Policy:
    """How one requirement counts."""

    points: float
    required: bool
    visibility: str = "visible"

    @property
    def hidden(self) -> bool:
        """Left out of the learner's reports: any visibility but "visible"."""
        return self.visibility != "visible"


@dataclass
class GradingConfig:
    """The parsed configuration."""

    defaults: Policy
    chapters: dict[str, dict[str, Any]] = field(default_factory=dict)
    requirements: dict[str, dict[str, Any]] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    no_frameworks: bool = True
    forbidden_modules: tuple[str, ...] = ()
    source: str = str(DEFAULT_CONFIG)
    environment: Environment = field(default_factory=Environment)

    def policy(self, req: Requirement) -> Policy:
        """Points, required and visibility for ``req``: its own entry, else its chapter's, else the defaults."""
        merged: dict[str, Any] = {"points": self.defaults.points, "required": self.defaults.required,
                                  "visibility": self.defaults.visibility}
        merged.update(self.chapters.get(req.chapter, {}))
        merged.update(self.requirements.get(req.id, {}))
        return Policy(float(merged["points"]), bool(merged["required"]), str(merged["visibility"]))

    def unknown_ids(self, known: set[str]) -> list[str]:
        """Requirement IDs the configuration names that the spec does not have (probably typos)."""
        return sorted(set(self.requirements) - known)


def load(path: str | Path | None = None) -> GradingConfig:
    """The default configuration, overridden key by key by the file at ``path`` (if given)."""
    data = _visibilities(_read(DEFAULT_CONFIG))
    if path is not None:
        data = _merge(data, _visibilities(_read(Path(path))))
    return _parse(data, path)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except OSError as error:
        raise ConfigError(f"cannot read the grading configuration {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"the grading configuration {path} is not valid TOML: {error}") from error


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _visibilities(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (one file) with each policy table's ``hidden`` turned into its ``visibility``, checked, so that
    one file's ``hidden = false`` overrides another's ``visibility`` as the same setting."""
    tables = [("grading", data.get("grading"))]
    for section in ("chapters", "requirements"):
        entries = data.get(section)
        if isinstance(entries, dict):
            tables += [(f"{section}.{name}", table) for name, table in entries.items()]
    for where, table in tables:
        if isinstance(table, dict):
            _visibility(table, where)
    return data


def _visibility(table: dict[str, Any], where: str) -> None:
    if "hidden" in table:
        if "visibility" in table:
            raise ConfigError(f'[{where}] sets both hidden and visibility: keep one (hidden = true is visibility = '
                              '"hidden")')
        if not isinstance(table["hidden"], bool):
            raise ConfigError(f"[{where}] hidden = {table['hidden']!r}: expected true or false")
        table["visibility"] = "hidden" if table.pop("hidden") else "visible"
    if "visibility" in table and table["visibility"] not in VISIBILITIES:
        raise ConfigError(f"[{where}] visibility = {table['visibility']!r}: expected one of {', '.join(VISIBILITIES)}")


def _check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"unknown setting(s) {', '.join(unknown)} in [{where}] (allowed: {', '.join(sorted(allowed))})")


def _parse(data: dict[str, Any], path: str | Path | None) -> GradingConfig:
    _check_keys(data, TOP_KEYS, "top level")
    grading = data.get("grading", {})
    _check_keys(grading, GRADING_KEYS, "grading")
    chapters = data.get("chapters", {})
    requirements = data.get("requirements", {})
    for name, table in chapters.items():
        _check_keys(table, POLICY_KEYS, f"chapters.{name}")
    for name, table in requirements.items():
        _check_keys(table, POLICY_KEYS, f"requirements.{name}")
    for table in [grading, *chapters.values(), *requirements.values()]:
        if "points" in table and (not isinstance(table["points"], (int, float)) or table["points"] < 0):
            raise ConfigError(f"points must be a number >= 0, got {table['points']!r}")
    return GradingConfig(
        defaults=Policy(float(grading["points"]), bool(grading["required"]), str(grading["visibility"])),
        chapters=chapters,
        requirements=requirements,
        limits=_limits(data.get("limits", {})),
        no_frameworks=bool(grading["no_frameworks"]),
        forbidden_modules=tuple(grading["forbidden_modules"]),
        source=str(path or DEFAULT_CONFIG),
        environment=_environment(data.get("worker", {}), Path(path).parent if path is not None else Path.cwd()),
    )


def _environment(table: dict[str, Any], folder: Path) -> Environment:
    """[worker]: the libraries (import names) and further paths a submission may import besides the stdlib
    (relative paths are taken from ``folder``, the configuration file's)."""
    _check_keys(table, WORKER_KEYS, "worker")
    for key in WORKER_KEYS:
        if not isinstance(table[key], list) or not all(isinstance(item, str) for item in table[key]):
            raise ConfigError(f"[worker] {key} must be a list of strings, got {table[key]!r}")
    return Environment(libraries=tuple(table["libraries"]), paths=tuple(str(folder / path) for path in table["paths"]))


def _limits(table: dict[str, Any]) -> Limits:
    _check_keys(table, LIMIT_KEYS, "limits")
    try:
        return Limits(
            memory_bytes=int(table["memory_mb"] * MIB),
            cpu_seconds=int(table["cpu_seconds"]),
            file_bytes=int(table["file_mb"] * MIB),
            processes=int(table["processes"]),
            output_bytes=int(table["output_kb"] * 1024),
            import_timeout=float(table["import_timeout_s"]),
            call_timeout=float(table["call_timeout_s"]),
            requirement_timeout=float(table["requirement_timeout_s"]),
            chapter_call_timeouts=_by_chapter(table["chapter_call_timeout_s"]),
            chapter_requirement_timeouts=_by_chapter(table["chapter_requirement_timeout_s"]),
        )
    except (TypeError, ValueError) as error:
        raise ConfigError(f"a value in [limits] is not a number: {error}") from error


def _by_chapter(table: dict[str, Any]) -> dict[str, float]:
    return {name: float(value) for name, value in table.items()}
