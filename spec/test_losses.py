"""Losses chapter: MSE, binary and categorical cross-entropy, their gradients and compute_cost (003 §1.3)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from spec import oracles
from spec.assertions import assert_close
from spec.impl import Implementation
from spec.requirements import requirement
from spec.strategies import arrays, shapes


@requirement("LOSS-MSE-VALUE", "mse(AL, Y) is the mean of (AL - Y)^2 over all elements", "003 §1.3")
@given(data=st.data(), shape=shapes(min_dims=2, max_dims=2))
def test_loss_mse_value(impl: Implementation, data: st.DataObject, shape: tuple[int, ...]) -> None:
    AL, Y = data.draw(arrays(shape)), data.draw(arrays(shape))
    assert_close(impl.mse(AL, Y), oracles.mse(AL, Y), fn="mse", inputs={"AL": AL, "Y": Y}, rtol=1e-12)
