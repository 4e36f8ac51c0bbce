"""Recording what each requirement calls: the pytest plugin behind spec/needs.json (see spec/needs.py)."""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

import pytest

from spec.contract import FUNCTIONS
from spec.needs import choices
from spec.plugin import SESSION_PLUGIN, requirement_of
from spec.requirements import OUTSIDE, current


class Recorder:
    """pytest plugin: wraps the implementation under test so that each requirement's calls are recorded."""

    def __init__(self) -> None:
        self.needs: dict[str, dict[str, Any]] = {}
        self.tests: dict[str, str] = {}  # requirement ID -> the name of its test function

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            req = requirement_of(item)
            if req is not None:
                self.tests[req.id] = getattr(item, "originalname", item.name)

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        state = config.pluginmanager.get_plugin(SESSION_PLUGIN)
        assert state is not None, "the nnspec pytest plugin (spec.plugin) is not loaded"
        implementation = state.implementation
        module = types.ModuleType("recorded")
        for name in FUNCTIONS:
            function = getattr(implementation.module, name, None)
            if callable(function):
                setattr(module, name, self._recording(name, function))
        implementation.module = module

    def _recording(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            req = current()
            if req is not OUTSIDE:
                entry = self.needs.setdefault(req.id, {"functions": set(), "arguments": {}})
                entry["functions"].add(name)
                for parameter, value in choices(name, args, kwargs).items():
                    entry["arguments"].setdefault(f"{name}.{parameter}", set()).add(value)
            return function(*args, **kwargs)

        return call
