"""The reference provides every function of contract version 1, with the contract's parameters and defaults."""

from __future__ import annotations

import pytest

import reference
from spec.contract import CONTRACT_VERSION, FUNCTIONS, signature_of
from tests.reference_calls import CALLS


def test_reference_declares_the_contract_version() -> None:
    assert reference.NNSPEC_CONTRACT == CONTRACT_VERSION


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_contract_function_has_the_contract_signature(name: str) -> None:
    function = getattr(reference, name, None)
    assert callable(function), f"reference lacks the contract function {name}"
    assert signature_of(function) == FUNCTIONS[name], f"reference.{name}{signature_of(function)} != contract"


def test_every_contract_function_has_a_sample_call() -> None:
    assert set(CALLS) == set(FUNCTIONS), f"sample calls missing for {sorted(set(FUNCTIONS) - set(CALLS))}"
