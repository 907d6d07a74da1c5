"""Temporary relief: min(cost, cap) or months x standard x members within the cap; help first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.decisions import Declined, Grant, Period
from relapse_guard.interventions import Intervention, TemporaryRelief
from relapse_guard.money import FEN

from .helpers import D2015, context, declined, risk, used, with_params

RELIEF = TemporaryRelief()


def test_is_an_intervention_with_default_names() -> None:
    assert isinstance(RELIEF, Intervention)
    assert (RELIEF.name, RELIEF.prefix, RELIEF.priority) == ("temporary_relief", "temporary_relief", False)


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ("0.01", "0.01"),
        ("2500", "2500.00"),
        ("2999.99", "2999.99"),
        ("3000", "3000.00"),  # the cap: 10 x 300
        ("3000.01", "3000.00"),
        ("80000", "3000.00"),
        ("1234.565", "1234.57"),  # rounded half-up to the fen
    ],
)
def test_cost_paid_up_to_ten_months_of_the_standard(cost: str, expected: str) -> None:
    grant = RELIEF.grant(risk("disaster", cost=cost), context(size=3))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal(expected)
    assert grant.period is Period.ONE_OFF
    assert grant.emergency is True


def test_basis_and_parameters_for_a_cost() -> None:
    grant = RELIEF.grant(risk("disaster", cost=5000), context(size=2))
    assert isinstance(grant, Grant)
    assert grant.basis.startswith("min(cost 5000.00, cap 10 months x 300.00 = 3000.00) = 3000.00 one-off")
    assert "help first, paperwork after" in grant.basis
    assert "priority" not in grant.basis
    assert used(grant) == {
        "safety_net.standard": ("300", dt.date(2016, 1, 1)),
        "temporary_relief.cap_months": ("10", dt.date(2015, 1, 1)),
    }
    assert grant.persons == 2


@pytest.mark.parametrize(
    ("size", "expected"),
    [(1, "900.00"), (2, "1800.00"), (3, "2700.00"), (4, "3000.00"), (7, "3000.00")],
)
def test_without_cost_months_times_standard_times_members_within_the_cap(size: int, expected: str) -> None:
    grant = RELIEF.grant(risk("unemployment"), context(size=size))
    assert isinstance(grant, Grant)
    assert grant.amount == Decimal(expected)


def test_without_cost_basis_and_parameters() -> None:
    grant = RELIEF.grant(risk("unemployment"), context(size=4))
    assert isinstance(grant, Grant)
    assert grant.basis.startswith(
        "min(3 months x 300.00 x 4 members = 3600.00, cap 10 months x 300.00 = 3000.00) = 3000.00 one-off"
    )
    assert set(used(grant)) == {
        "safety_net.standard",
        "temporary_relief.cap_months",
        "temporary_relief.months_without_cost",
    }


def test_sized_on_the_2015_standard_before_2016() -> None:
    small = RELIEF.grant(risk("unemployment", date=D2015), context(size=3, date=D2015))
    capped = RELIEF.grant(risk("unemployment", date=D2015), context(size=4, date=D2015))
    assert isinstance(small, Grant)
    assert isinstance(capped, Grant)
    assert small.amount == Decimal("2070.00")  # 3 x 230 x 3
    assert capped.amount == Decimal("2300.00")  # 3 x 230 x 4 = 2760, capped at 10 x 230


def test_priority_is_recorded_in_the_basis_and_does_not_change_the_amount() -> None:
    plain = RELIEF.grant(risk("illness", cost=1000), context())
    priority = TemporaryRelief(priority=True).grant(risk("illness", cost=1000), context())
    assert isinstance(plain, Grant)
    assert isinstance(priority, Grant)
    assert plain.amount == priority.amount == Decimal("1000.00")
    assert "priority relief" in priority.basis
    assert "priority" not in plain.basis
    assert priority.emergency is True


def test_declined_when_it_comes_to_nothing() -> None:
    params = with_params("[temporary_relief.months_without_cost]\nvalues = { 2015-01-01 = 0 }")
    assert declined(RELIEF.grant(risk("unemployment"), context(parameters=params))) == (
        "temporary relief comes to nothing:"
        " min(0 months x 300.00 x 3 members = 0.00, cap 10 months x 300.00 = 3000.00) = 0.00"
    )
    params = with_params("[temporary_relief.cap_months]\nvalues = { 2015-01-01 = 0 }")
    assert declined(RELIEF.grant(risk("disaster", cost=500), context(parameters=params))) == (
        "temporary relief comes to nothing: min(cost 500.00, cap 0 months x 300.00 = 0.00) = 0.00"
    )


@given(
    cost=st.decimals(min_value=0, max_value=100000, places=3, allow_nan=False, allow_infinity=False),
    size=st.integers(min_value=1, max_value=9),
    on=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2017, 12, 31)),
)
def test_never_negative_never_above_the_cap_always_to_the_fen(cost: Decimal, size: int, on: dt.date) -> None:
    grant = RELIEF.grant(risk(cost=cost, date=on), context(size=size, date=on))
    standard = Decimal(230) if on < dt.date(2016, 1, 1) else Decimal(300)
    if isinstance(grant, Declined):
        assert grant.reason.startswith("temporary relief comes to nothing: min(cost 0.00,")
        assert cost < FEN / 2
        assert cost > 0
        return
    assert grant.amount is not None
    assert 0 < grant.amount <= 10 * standard
    assert grant.amount.as_tuple().exponent == -2
    if cost == 0:
        assert grant.amount == min(3 * standard * size, 10 * standard)
    else:
        assert grant.amount == min(cost.quantize(FEN, rounding="ROUND_HALF_UP"), 10 * standard)
